"""Benchmark: mixed traffic against gunicorn (PostgreSQL + Redis), and nginx's cache beside it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dataset_county \\
        .venv/bin/python bench/load.py [--workers 5] [--levels 1,2,4,8,16,32] [--seconds 20] [--requests 20000]

Runs against a database ``bench/dataset.py`` built (its URL is in that script's JSON line):

1. prepares, through the actions, what the traffic needs: a few applications with their
   tracking codes (the tracking look-ups), an API token of the reviewer; reads item, unit and
   service-item ids for the URLs;
2. starts gunicorn (``--workers``, default 2 × cores + 1, as a deployment would) with
   ``REDIS_URL=redis://127.0.0.1:6379/7`` (``--redis-url``: cache, sessions, throttles; the
   database is flushed first), DEBUG off, the public forms' throttles raised through their
   environment variables (all traffic comes from one address), e-mail kept in memory;
3. ramps the concurrency (``--levels``): at each level that many clients (asyncio + httpx,
   loopback only) send the weighted mix of ``MIX`` for ``--seconds`` or until ``--requests``
   answers, whichever comes first — portal home, catalogue, item pages, search (2-character,
   4-character, phrase, filtered), news, service guide and items, the application form (GET,
   then POST with its CSRF token and check question, read from the page as a person reads it),
   tracking look-ups (GET + POST), the back office's lists as a signed-in clerk and reviewer,
   the API (items, search, applications with a token). The saturation point is the lowest level
   reaching 95 % of the best rate; its per-endpoint rate, p50/p95/p99 and errors are reported.
   Errors are answers other than 2xx/3xx (429s are counted apart) and forms that did not go
   through (the application form not redirecting, a tracking look-up not finding its case);
4. if nginx is installed, renders ``deploy/nginx/gongkai.conf`` into a temporary directory
   (ports, paths, its own pid, logs and temp paths), runs it as a child in front of gunicorn,
   warms its cache with the anonymous portal pages, and measures the same pages at the
   saturation concurrency through nginx and straight from gunicorn: rates, p95s and ratios.
   Without nginx it says so (``"nginx": {"missing": …}``) and reports the rest.

Prints ONE JSON line: machine (cores, memory), per-level summary, per-endpoint figures at
saturation, the targets (zero errors; p95 < 200 ms for portal pages and search at saturation;
anonymous portal pages through gunicorn within 2× of nginx's cache) and whether they hold.
The client runs on the same machine as the server: on a small machine it takes a share of the
cores, which the figures include.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")

PASSWORD = "Correct-horse-9"  # tests.factories.PASSWORD: the dataset's staff users
TRACKED = 30  # applications made for the tracking look-ups
# Endpoint → weight. Portal pages and search are most of a government site's traffic.
MIX = {
    "home": 8, "catalogue": 6, "item": 20, "unit": 3, "news": 4, "services": 3, "service_item": 3,
    "search_2char": 5, "search_4char": 5, "search_phrase": 3, "search_filtered": 3,
    "apply": 2, "track": 3, "office_applications": 3, "office_letters": 2, "office_items": 2,
    "api_items": 4, "api_search": 3, "api_applications": 2,
}  # fmt: skip
PORTAL = {"home", "catalogue", "item", "unit", "news", "services", "service_item"}
SEARCH = {"search_2char", "search_4char", "search_phrase", "search_filtered"}
WORDS_2 = ["公开", "预算", "安全", "教育", "医疗", "住房", "养老", "规划", "救助", "采购"]
WORDS_4 = ["部门预算", "财政决算", "房屋征收", "安全生产", "食品安全", "义务教育", "乡村振兴", "社会救助"]
PHRASES = ["部门预算 有关事项", "安全生产 工作 通知", "2024年 住房保障 公告", "征地补偿 有关规定"]
THROTTLES = ["APPLY_THROTTLE_PER_HOUR", "APPLY_INVALID_PER_HOUR", "TRACK_FAILURES_PER_HOUR",
             "MAILBOX_THROTTLE_PER_HOUR", "MAILBOX_INVALID_PER_HOUR", "BOOKING_THROTTLE_PER_HOUR",
             "BOOKING_INVALID_PER_HOUR", "SERVICE_APPLY_THROTTLE_PER_HOUR", "SERVICE_APPLY_INVALID_PER_HOUR",
             "REGISTER_THROTTLE_PER_HOUR", "REGISTER_INVALID_PER_HOUR", "DECISION_COMMENTS_PER_HOUR"]  # fmt: skip


# --- preparing -----------------------------------------------------------------------------------------


def prepare(database_url: str) -> dict:
    """What the traffic needs, from the dataset (made through the actions where it is new)."""
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from datetime import date

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from gongkai.accounts.actions import create_api_token
    from gongkai.applications import actions as app_actions
    from gongkai.disclosure.models import DisclosureItem
    from gongkai.orgs.models import Organisation
    from gongkai.services.models import ServiceItem
    from tests.applications.conftest import PERSON

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's LOGGING sends INFO to stderr
    users = get_user_model().objects
    try:
        reviewer, clerk = users.get(username="bench_reviewer"), users.get(username="bench_clerk")
    except users.model.DoesNotExist:
        raise SystemExit("no bench_reviewer / bench_clerk: build the database with bench/dataset.py") from None
    role = clerk.role_assignments.select_related("organisation").first()
    dept = role.organisation if role else Organisation.objects.filter(kind="department").order_by("pk").first()
    tracked = []
    for _ in range(TRACKED):
        app, code = app_actions.register_application(actor=reviewer, organisation=dept, channel="in_person",
                                                     submitted_on=date.today(), **PERSON)  # fmt: skip
        tracked.append((app.case_number, code))
    _token, key = create_api_token(actor=reviewer, name=f"bench-load-{int(time.time())}")
    rng = random.Random(7)
    item_ids = list(DisclosureItem.objects.filter(status="published").values_list("pk", flat=True))
    facts = {
        "items": rng.sample(item_ids, min(2000, len(item_ids))),
        "units": list(Organisation.objects.values_list("pk", flat=True)),
        "service_items": list(ServiceItem.objects.filter(published=True).values_list("pk", flat=True)),
        "apply_org": dept.pk,
        "tracked": tracked,
        "token": key,
        "person": dict(PERSON),
        "published_items": len(item_ids),
        "db": connection.vendor,
    }
    connection.close()
    return facts


# --- the servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(args: argparse.Namespace) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "DEBUG": "false",
           "CACHE_KEY_PREFIX": "bench_load", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
           "TASKS_BACKEND": "inline", "LOG_LEVEL": "WARNING", "DB_CONN_MAX_AGE": "600"}  # fmt: skip
    env.pop("GONGKAI_ENV", None)
    for name in THROTTLES:
        env[name] = str(10**7)
    return env


def start_gunicorn(args: argparse.Namespace, port: int, workdir: Path) -> subprocess.Popen:
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - the child writes to it until the end
    proc = subprocess.Popen(
        [str(BASE / ".venv" / "bin" / "gunicorn"), "gongkai.wsgi", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5"],
        cwd=BASE, env=server_env(args), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_up(f"http://127.0.0.1:{port}/healthz", proc, workdir / "gunicorn.log")
    return proc


def wait_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{url}: the server exited ({proc.returncode}); see {log}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout} s; see {log}")


def render_nginx(workdir: Path, listen: int, upstream: int) -> Path:
    """deploy/nginx/gongkai.conf with this run's ports and paths, inside a main config of our own."""
    from django.conf import settings

    values = {
        "LISTEN": f"127.0.0.1:{listen}", "SERVER_NAME": "127.0.0.1 localhost", "UPSTREAM": f"127.0.0.1:{upstream}",
        "STATIC_ROOT": f"{settings.STATIC_ROOT}/", "MEDIA_ROOT": f"{settings.MEDIA_ROOT}/",
        "CACHE_DIR": str(workdir / "cache"), "FORM_RATE": "30r/m", "FORM_BURST": "10", "BODY_MAX": "60m",
    }  # fmt: skip
    text = (BASE / "deploy" / "nginx" / "gongkai.conf").read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    if "@" in re.sub(r"#.*", "", text):
        raise SystemExit("deploy/nginx/gongkai.conf has a placeholder load.py does not fill")
    (workdir / "gongkai.conf").write_text(text)
    for sub in ("cache", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / sub).mkdir(exist_ok=True)
        os.chmod(workdir / sub, 0o777)  # nginx's workers may run as another user (root starts them as nobody)
    os.chmod(workdir, 0o755)
    main = f"""daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    include {workdir}/gongkai.conf;
}}
"""
    path = workdir / "nginx.conf"
    path.write_text(main)
    return path


def start_nginx(workdir: Path, listen: int, upstream: int) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = render_nginx(workdir, listen, upstream)
    check = subprocess.run([nginx, "-t", "-p", str(workdir), "-c", str(conf)], capture_output=True, text=True)
    if check.returncode != 0:
        raise SystemExit(f"nginx -t refused the rendered configuration:\n{check.stderr}")
    log = open(workdir / "nginx.out", "w")  # noqa: SIM115 - the child writes to it until the end
    proc = subprocess.Popen([nginx, "-p", str(workdir), "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    wait_up(f"http://127.0.0.1:{listen}/healthz", proc, workdir / "nginx-error.log")
    return proc


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM if "gunicorn" in str(proc.args[0]) else signal.SIGQUIT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- the traffic ---------------------------------------------------------------------------------------


@dataclass
class Results:
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # ms of good answers
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    throttled: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, name: str, started: float, status: int, ok: bool = True) -> None:
        ms = (time.perf_counter() - started) * 1000
        self.count += 1
        if status == 429:
            self.throttled[name] += 1
        elif 200 <= status < 400 and ok:
            self.samples[name].append(ms)
        else:
            self.errors[name] += 1
            if len(self.examples) < 10:
                self.examples.append(f"{name}: {status}{'' if ok else ' (form not accepted)'}")


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return unescape(match.group(1)) if match else ""


def solve(html: str) -> str:
    """The check question's answer, read from its figures ("(7 + 5 = ?)") as a person reads it."""
    match = re.search(r"\((\d+) ([+−]) (\d+) = \?\)", html)
    if not match:
        return ""
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    return str(a + b if op == "+" else a - b)


class Traffic:
    """Builds and sends the requests of each endpoint of ``MIX``."""

    def __init__(self, base: str, facts: dict, staff: dict[str, Any], rng: random.Random) -> None:
        self.base, self.facts, self.staff, self.rng = base, facts, staff, rng

    def portal_url(self, name: str) -> str:
        rng, f = self.rng, self.facts
        if name == "home":
            return "/"
        if name == "catalogue":
            return f"/catalogue/?page={rng.randint(1, 20)}"
        if name == "item":
            return f"/items/{rng.choice(f['items'])}/"
        if name == "unit":
            return f"/units/{rng.choice(f['units'])}/"
        if name == "news":
            return f"/news/?page={rng.randint(1, 5)}"
        if name == "services":
            return "/services/"
        if name == "service_item":
            return f"/services/items/{rng.choice(f['service_items'])}/"
        if name == "search_2char":
            return f"/search/?q={rng.choice(WORDS_2)}"
        if name == "search_4char":
            return f"/search/?q={rng.choice(WORDS_4)}"
        if name == "search_phrase":
            return f"/search/?q={rng.choice(PHRASES)}"
        if name == "search_filtered":
            extra = rng.choice([f"&org={rng.choice(f['units'])}", "&from=2024-01-01&to=2024-12-31", "&sort=date"])
            return f"/search/?q={rng.choice(WORDS_2 + WORDS_4)}{extra}"
        raise KeyError(name)

    async def run(self, name: str, anon: Any, res: Results) -> None:
        import httpx

        rng, f = self.rng, self.facts
        started = time.perf_counter()
        try:
            if name in PORTAL or name in SEARCH:
                r = await anon.get(self.portal_url(name))
                res.add(name, started, r.status_code)
            elif name == "apply":
                async with httpx.AsyncClient(base_url=self.base, timeout=30) as c:
                    page = await c.get("/apply/")
                    res.add("apply_get", started, page.status_code)
                    started = time.perf_counter()
                    data = {**f["person"], "organisation": str(f["apply_org"]),
                            "submission_key": hidden(page.text, "submission_key"),
                            "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken")}  # fmt: skip
                    if 'name="captcha_token"' in page.text:
                        data.update(captcha_token=hidden(page.text, "captcha_token"), captcha_answer=solve(page.text))
                    r = await c.post("/apply/", data=data)
                    res.add("apply_post", started, r.status_code, ok=r.status_code in (302, 303, 429))
            elif name == "track":
                number, code = rng.choice(f["tracked"])
                async with httpx.AsyncClient(base_url=self.base, timeout=30) as c:
                    page = await c.get("/track/")
                    r = await c.post("/track/", data={"case_number": number, "tracking_code": code,
                                                      "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken")})  # fmt: skip
                    res.add("track", started, r.status_code, ok=r.status_code in (302, 303, 429))
            elif name.startswith("office_"):
                who = "clerk" if name == "office_items" else "reviewer"
                path = {"office_applications": "/office/applications/", "office_letters": "/office/interaction/",
                        "office_items": "/office/items/"}[name]  # fmt: skip
                r = await self.staff[who].get(path)
                res.add(name, started, r.status_code, ok=r.status_code == 200)  # a redirect: signed out
            elif name.startswith("api_"):
                headers = {"Authorization": f"Bearer {f['token']}"}
                path = {"api_items": f"/api/v1/items?page={rng.randint(1, 20)}",
                        "api_search": f"/api/v1/items?q={rng.choice(WORDS_2 + WORDS_4)}",
                        "api_applications": "/api/v1/applications"}[name]  # fmt: skip
                r = await anon.get(path, headers=headers)
                res.add(name, started, r.status_code)
            else:
                raise KeyError(name)
        except httpx.HTTPError as exc:
            res.errors[name] += 1
            if len(res.examples) < 10:
                res.examples.append(f"{name}: {type(exc).__name__}")


async def sign_in(base: str, username: str) -> Any:
    import httpx

    client = httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=64))
    page = await client.get("/office/login/")
    r = await client.post("/office/login/", data={"username": username, "password": PASSWORD,
                                                  "csrfmiddlewaretoken": hidden(page.text, "csrfmiddlewaretoken")})  # fmt: skip
    if r.status_code not in (302, 303):
        raise SystemExit(f"could not sign in as {username} ({r.status_code})")
    return client


async def level(base: str, facts: dict, concurrency: int, seconds: float, max_requests: int,
                weights: dict[str, int], seed: int) -> tuple[Results, float]:  # fmt: skip
    """``concurrency`` clients sending the weighted mix; the results and the seconds it took."""
    import httpx

    staff = {"reviewer": await sign_in(base, "bench_reviewer"), "clerk": await sign_in(base, "bench_clerk")}
    names, cum = list(weights), []
    total = 0
    for w in weights.values():
        total += w
        cum.append(total)
    res = Results()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency + 4)

    async def client_loop(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        traffic = Traffic(base, facts, staff, rng)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as anon:
            while time.monotonic() < deadline and res.count < max_requests:
                r = rng.random() * total
                name = names[next(i for i, c in enumerate(cum) if r < c)]
                anon.cookies.clear()  # anonymous readers: no session, as a first visit
                await traffic.run(name, anon, res)

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(k) for k in range(concurrency)))
    took = time.perf_counter() - started
    for c in staff.values():
        await c.aclose()
    return res, took


async def fixed_urls(base: str, urls: list[str], concurrency: int, seconds: float, max_requests: int) -> dict:
    """GET a fixed list of anonymous pages round-robin; rate and latencies (for nginx vs gunicorn)."""
    import httpx

    res = Results()
    deadline = time.monotonic() + seconds
    cache_hits = defaultdict(int)
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency + 4)

    async def client_loop(k: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as c:
            i = k
            while time.monotonic() < deadline and res.count < max_requests:
                started = time.perf_counter()
                try:
                    r = await c.get(urls[i % len(urls)])
                    res.add("page", started, r.status_code)
                    cache_hits[r.headers.get("x-cache-status", r.headers.get("x-page-cache", "-"))] += 1
                except httpx.HTTPError:
                    res.errors["page"] += 1
                c.cookies.clear()
                i += concurrency

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(k) for k in range(concurrency)))
    took = time.perf_counter() - started
    out = endpoint_figures(res.samples["page"], took)
    out.update(errors=sum(res.errors.values()), cache=dict(cache_hits))
    return out


def nginx_behaviour(base: str) -> dict:
    """What the configuration promises, checked: sessions bypass the cache, private pages and
    uploads are not served from it, the forms' POSTs are rate-limited."""
    import httpx

    with httpx.Client(base_url=base, timeout=30) as c:
        c.get("/news/")
        anonymous = c.get("/news/").headers.get("x-cache-status")
        with_session = c.get("/news/", cookies={"sessionid": "x"}).headers.get("x-cache-status")
        c.get("/apply/")
        c.cookies.clear()
        apply_again = c.get("/apply/")
        media = c.get("/media/applications/x.pdf").status_code
        statuses = [c.post("/track/", data={}).status_code for _ in range(30)]  # burst 10 at 30 a minute
    return {"anonymous_news_cache": anonymous, "with_session_cookie_cache": with_session,
            "apply_form_cache": apply_again.headers.get("x-cache-status"),
            "apply_form_cache_control": apply_again.headers.get("cache-control"), "media_status": media,
            "form_post_flood_429s": statuses.count(429), "form_post_flood_of": len(statuses)}  # fmt: skip


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))], 1)


def endpoint_figures(samples: list[float], seconds: float) -> dict:
    return {"n": len(samples), "rps": round(len(samples) / seconds, 1), "p50_ms": pct(samples, 50),
            "p95_ms": pct(samples, 95), "p99_ms": pct(samples, 99)}  # fmt: skip


def summarise(res: Results, seconds: float) -> dict:
    good = sum(len(v) for v in res.samples.values())
    portal = [ms for k, v in res.samples.items() if k in PORTAL for ms in v]
    search = [ms for k, v in res.samples.items() if k in SEARCH for ms in v]
    return {"requests": res.count, "seconds": round(seconds, 1), "rps": round(good / seconds, 1),
            "errors": sum(res.errors.values()), "throttled_429": sum(res.throttled.values()),
            "p95_ms": pct([ms for v in res.samples.values() for ms in v], 95),
            "portal_p95_ms": pct(portal, 95), "search_p95_ms": pct(search, 95)}  # fmt: skip


def machine() -> dict:
    mem = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, value = line.split(":", 1)
        if key in ("MemTotal", "MemAvailable"):
            mem[key] = round(int(value.split()[0]) / 2**20, 1)
    return {"cores": os.cpu_count(), "memory_gb": mem.get("MemTotal"), "available_gb": mem.get("MemAvailable"),
            "load_avg_before": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()  # this benchmark's own database number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="The dataset's database (bench/dataset.py prints it); default DATABASE_URL.")  # fmt: skip
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--levels", default="1,2,4,8,16,32", help="Concurrency levels, comma-separated.")
    parser.add_argument("--seconds", type=float, default=20, help="The longest each level runs.")
    parser.add_argument("--requests", type=int, default=20_000, help="The most answers each level waits for.")
    parser.add_argument("--warmup", type=float, default=15,
                        help="Seconds of the mix before measuring (each worker loads its segmenter, the caches fill).")  # fmt: skip
    parser.add_argument("--compare-seconds", type=float, default=15, help="Each side of the nginx comparison.")
    parser.add_argument("--no-nginx", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        print("warning: not PostgreSQL; the targets are for PostgreSQL + Redis", file=sys.stderr)
    try:
        levels = [int(x) for x in args.levels.split(",")]
        if not levels or min(levels) < 1:
            raise ValueError
    except ValueError:
        raise SystemExit("--levels takes positive integers separated by commas, e.g. 1,2,4,8") from None

    facts_machine = machine()
    facts = prepare(args.database_url)
    flush_redis(args.redis_url)
    workdir = Path(tempfile.mkdtemp(prefix="gongkai-load-"))
    app_port, nginx_port = free_port(), free_port()
    gunicorn = nginx = None
    result: dict[str, Any] = {"bench": "load", "machine": facts_machine, "db": facts["db"], "workers": args.workers,
                              "published_items": facts["published_items"], "seconds_per_level": args.seconds,
                              "max_requests_per_level": args.requests}  # fmt: skip
    try:
        gunicorn = start_gunicorn(args, app_port, workdir)
        base = f"http://127.0.0.1:{app_port}"
        per_level, details = [], {}
        if args.warmup > 0:
            res, took = asyncio.run(level(base, facts, args.workers, args.warmup, 10**9, MIX, args.seed))
            result["warmup"] = {"concurrency": args.workers, **summarise(res, took)}
            print(f"warm-up: {result['warmup']}", file=sys.stderr, flush=True)
        for c in levels:
            res, took = asyncio.run(level(base, facts, c, args.seconds, args.requests, MIX, args.seed + c))
            row = {"concurrency": c, **summarise(res, took), "load_avg_1m": round(os.getloadavg()[0], 2)}
            per_level.append(row)
            details[c] = (res, took)
            print(f"concurrency {c}: {row}", file=sys.stderr, flush=True)
        best = max(r["rps"] for r in per_level)
        saturation = next(r for r in per_level if r["rps"] >= 0.95 * best)
        res, took = details[saturation["concurrency"]]
        endpoints = {name: {**endpoint_figures(res.samples.get(name, []), took), "errors": res.errors.get(name, 0),
                            "throttled_429": res.throttled.get(name, 0)}
                     for name in sorted(set(res.samples) | set(res.errors) | set(res.throttled))}  # fmt: skip
        result.update(levels=per_level, saturation=saturation, endpoints=endpoints, error_examples=res.examples)
        all_errors = sum(r["errors"] for r in per_level)
        targets = {
            "zero_errors": all_errors == 0,
            "portal_p95_under_200ms": (saturation["portal_p95_ms"] or 0) < 200,
            "search_p95_under_200ms": (saturation["search_p95_ms"] or 0) < 200,
        }
        # nginx's cache vs gunicorn, on the same anonymous portal pages at the saturation concurrency.
        rng = random.Random(args.seed)
        pages = ["/", "/catalogue/", "/news/", "/services/"] + [
            f"/items/{i}/" for i in rng.sample(facts["items"], min(300, len(facts["items"])))
        ]  # fmt: skip
        if args.no_nginx:
            result["nginx"] = {"skipped": "--no-nginx"}
        elif not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
            msg = "nginx is not installed (apt-get install -y nginx-light): the comparison was not run"
            print(msg, file=sys.stderr)
            result["nginx"] = {"missing": msg}
        else:
            nginx = start_nginx(workdir, nginx_port, app_port)
            conc = saturation["concurrency"]
            asyncio.run(fixed_urls(f"http://127.0.0.1:{nginx_port}", pages, 4, 600, len(pages)))  # warm it
            asyncio.run(fixed_urls(base, pages, 4, 600, len(pages)))  # and the application's own page cache
            via_nginx = asyncio.run(fixed_urls(f"http://127.0.0.1:{nginx_port}", pages, conc, args.compare_seconds,
                                               10**9))  # fmt: skip
            via_app = asyncio.run(fixed_urls(base, pages, conc, args.compare_seconds, 10**9))
            ratio_rps = round(via_nginx["rps"] / via_app["rps"], 2) if via_app["rps"] else None
            ratio_p95 = round(via_app["p95_ms"] / via_nginx["p95_ms"], 2) if via_nginx["p95_ms"] else None
            result["nginx"] = {"concurrency": conc, "pages": len(pages), "nginx_cache": via_nginx,
                               "gunicorn": via_app, "rps_ratio_nginx_over_gunicorn": ratio_rps,
                               "p95_ratio_gunicorn_over_nginx": ratio_p95}  # fmt: skip
            targets["anonymous_pages_within_2x_of_nginx"] = bool(ratio_rps and ratio_rps <= 2)
            result["nginx"]["behaviour"] = nginx_behaviour(f"http://127.0.0.1:{nginx_port}")
        result["targets"] = targets
        result["machine"]["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
        log = (workdir / "gunicorn.log").read_text()
        result["server_log_errors"] = len(re.findall(r"Traceback|\[ERROR\]|CRITICAL", log))
    finally:
        stop(nginx)
        stop(gunicorn)
    if result.get("server_log_errors"):
        print(f"gunicorn's log kept in {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
