"""Benchmark: requests per second of portal pages under gunicorn, beside a trivial view.

Serves the current database (load the demo first: `gongkai demo`) with gunicorn
on 127.0.0.1, then sends a fixed number of keep-alive GET requests per page from
a few client threads, loopback only, bounded in count and time. The trivial
view is /robots.txt (a view returning a few lines of text, no database). Prints
one JSON line with requests/s and p50/p95 latency per page.

    .venv/bin/python bench/pages.py [--requests 400] [--workers 2] [--threads 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")


def pick_paths(distinct: int) -> dict[str, list[str]]:
    """Each page kind as a rotation of ``distinct`` different URLs (so a cache is hit and missed)."""
    import random

    import django

    django.setup()
    from urllib.parse import quote

    from gongkai.disclosure.models import DisclosureItem, ItemStatus

    ids = list(DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED).values_list("pk", "organisation_id")[:20000])
    if not ids:
        raise SystemExit("no published items: run `gongkai demo` first")
    rng = random.Random(1)
    picked = rng.sample(ids, min(distinct, len(ids)))
    units = sorted({org for _, org in ids})
    words = ["预算", "公开", "拆迁", "招标", "环境", "食品安全", "低保", "征地补偿", "政府采购", "义务教育"]
    return {
        "trivial": ["/robots.txt"],
        "item": [f"/items/{pk}/" for pk, _ in picked],
        "catalogue": [f"/units/{u}/catalogue/?page={p}" for u in units for p in range(1, 4)][:distinct],
        "search": [f"/search/?q={quote(w)}&page={p}" for w in words for p in range(1, 4)],
    }


def hammer(port: int, paths: list[str], total: int, threads: int, deadline: float) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_thread = total // threads

    def run() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(per_thread):
            if time.monotonic() > deadline:
                break
            path = paths[(n * threads + threading.get_ident()) % len(paths)]
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Language": "zh-CN"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                latencies.append(time.perf_counter() - t0)
                errors += not ok
        conn.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(latencies) / (time.perf_counter() - start), latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=int, default=120, help="stop each page's run after this long")
    parser.add_argument("--distinct", type=int, default=200, help="different URLs per page kind")
    args = parser.parse_args()
    paths = pick_paths(args.distinct)
    result: dict[str, object] = {"bench": "pages", "workers": args.workers, "threads": args.threads,
                                 "distinct_urls": args.distinct, "requests": args.requests}  # fmt: skip
    for label, cache_seconds in (("cached", "60"), ("uncached", "0")):
        run(args, paths, cache_seconds, label, result)
    print(json.dumps(result))


def run(args: argparse.Namespace, paths: dict[str, list[str]], cache_seconds: str, label: str, result: dict) -> None:
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
           "PORTAL_CACHE_SECONDS": cache_seconds}  # fmt: skip
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "gongkai.wsgi", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        for name, rotation in paths.items():
            hammer(args.port, rotation[:1], args.threads * 10, args.threads, time.monotonic() + 30)  # warm up
            rate, lat, errors = hammer(args.port, rotation, args.requests, args.threads, time.monotonic() + args.seconds)
            lat.sort()
            key = f"{label}_{name}"
            result[f"{key}_rps"] = round(rate, 1)
            result[f"{key}_p50_ms"] = round(statistics.median(lat) * 1000, 1)
            result[f"{key}_p95_ms"] = round(lat[max(0, int(len(lat) * 0.95) - 1)] * 1000, 1)
            result[f"{key}_errors"] = errors
        for name in ("item", "catalogue", "search"):
            result[f"{label}_{name}_vs_trivial"] = round(
                result[f"{label}_{name}_rps"] / result[f"{label}_trivial_rps"], 2  # type: ignore[operator]
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
