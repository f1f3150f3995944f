"""Benchmark: requests per second of portal pages under gunicorn, beside a trivial view.

Serves the current database (load the demo first: `gongkai demo`) with gunicorn
on 127.0.0.1 and sends a fixed number of GET requests per page kind from a
few client threads (loopback only, bounded in count and time), rotating over
``--distinct`` different URLs per kind: item pages, unit catalogues (pages 1–3)
and searches. The trivial view is /robots.txt (a few lines of text, no
database, no page cache). Two runs, each with its own gunicorn:

* **hot**: the whole-page cache on (per process, as without Redis) with a
  lifetime longer than the run, and *warmed up*: before measuring, every
  distinct URL is requested again and again, from as many clients as measure,
  until two passes in a row are served wholly from the cache (each worker
  process has its own cache, and the requests go to either), so the run
  measures the steady state of pages people keep reading. The output gives the
  share of measured responses that came from the cache (``hot_*_hit_ratio``)
  and the warm-up passes it took.
* **cold**: the page cache off (``PORTAL_CACHE_SECONDS=0``): every response
  is rendered — what a first view, or any view after a publication (which
  retires every cached page), costs.

Prints one JSON line: requests/s, p50/p95 latency and errors per page kind and
run, and each page kind's rate relative to the trivial view's in the same run.
Client and server share the machine's CPUs, as they would any benchmark here.

    .venv/bin/python bench/pages.py [--requests 400] [--workers 2] [--threads 4] [--distinct 200]
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
    """Each page kind as a rotation of ``distinct`` different URLs."""
    import random

    import django

    django.setup()
    from urllib.parse import quote

    from gongkai.disclosure.models import DisclosureItem, ItemStatus

    published = DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED)
    ids = list(published.values_list("pk", "organisation_id")[:20000])
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


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bool]:
    """Status and whether the page came from the page cache."""
    conn.request("GET", path, headers={"Accept-Language": "zh-CN"})
    response = conn.getresponse()
    response.read()
    return response.status, response.getheader("X-Page-Cache") == "hit"


def combine(parts: list[dict]) -> dict:
    latencies = sorted(x for part in parts for x in part["latencies"])
    return {
        "rps": round(len(latencies) / sum(part["elapsed"] for part in parts), 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000, 1),
        "errors": sum(part["errors"] for part in parts),
        "hit_ratio": round(sum(part["hits"] for part in parts) / len(latencies), 2),
    }


def hammer(port: int, paths: list[str], total: int, threads: int, deadline: float) -> dict:
    latencies: list[float] = []
    errors = hits = 0
    lock = threading.Lock()
    per_thread = total // threads

    def run(k: int) -> None:
        nonlocal errors, hits
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(per_thread):
            if time.monotonic() > deadline:
                break
            path = paths[(n * threads + k) % len(paths)]
            t0 = time.perf_counter()
            try:
                status, hit = get(conn, path)
                ok = status == 200
            except (OSError, http.client.HTTPException):
                ok = hit = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                latencies.append(time.perf_counter() - t0)
                errors += not ok
                hits += hit
        conn.close()

    workers = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {"latencies": latencies, "elapsed": time.perf_counter() - start, "errors": errors, "hits": hits}


def warm_up(port: int, paths: list[str], threads: int, max_passes: int) -> int:
    """Request every path, from ``threads`` clients as measured, until two passes in a row are
    served wholly from the cache (each worker process has its own); the passes it took."""
    clean = 0
    for n in range(1, max_passes + 1):
        figures = hammer(port, paths, len(paths) - len(paths) % threads, threads, time.monotonic() + 60)
        clean = clean + 1 if figures["hits"] == len(figures["latencies"]) else 0
        if clean == 2:
            return n
    return max_passes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=int, default=120, help="stop each page's run after this long")
    parser.add_argument("--distinct", type=int, default=200, help="different URLs per page kind")
    parser.add_argument("--warm-up-passes", type=int, default=30, help="at most this many passes (hot run)")
    args = parser.parse_args()
    paths = pick_paths(args.distinct)
    result: dict[str, object] = {"bench": "pages", "workers": args.workers, "threads": args.threads,
                                 "distinct_urls": args.distinct, "requests": args.requests}  # fmt: skip
    for label, cache_seconds in (("hot", "3600"), ("cold", "0")):
        run(args, paths, cache_seconds, label, result)
    print(json.dumps(result))


def run(
    args: argparse.Namespace, paths: dict[str, list[str]], cache_seconds: str, label: str, result: dict
) -> None:
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
            # Every worker's first requests (imports, jieba's dictionary, template compilation) are not
            # measured, in either run.
            hammer(args.port, rotation[:1], args.threads * 10, args.threads, time.monotonic() + 30)
            if label == "hot" and name != "trivial":
                passes = warm_up(args.port, rotation, args.threads, args.warm_up_passes)
                result[f"hot_{name}_warm_up_passes"] = passes
        # The kinds take turns, a slice of the requests each, so that a change in the machine's load
        # (it is shared) weighs on all of them alike.
        rounds = 4
        parts: dict[str, list[dict]] = {name: [] for name in paths}
        for _ in range(rounds):
            for name, rotation in paths.items():
                deadline = time.monotonic() + args.seconds / rounds
                parts[name].append(
                    hammer(args.port, rotation, args.requests // rounds, args.threads, deadline)
                )
        for name, figures in parts.items():
            for key, value in combine(figures).items():
                if key != "hit_ratio" or label == "hot":
                    result[f"{label}_{name}_{key}"] = value
        for name in ("item", "catalogue", "search"):
            result[f"{label}_{name}_vs_trivial"] = round(
                result[f"{label}_{name}_rps"] / result[f"{label}_trivial_rps"],  # type: ignore[operator]
                2,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
