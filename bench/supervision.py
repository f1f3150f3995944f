"""Benchmark: the supervision scan over N clocks (default 2,000,000), run twice.

Builds N clocks in a separate, throw-away database — a temporary SQLite file
(``<tmp>/bench_supervision.sqlite3``) or a PostgreSQL database named ``bench_supervision`` —
then times ``gongkai.supervision.scan.scan()`` twice on the same day and prints ONE JSON
line: n, database, seconds of the first and the second run, the changes of the second run
(must be 0), a third run on the next day (the steady state), and peak memory (tracemalloc peak of the scans, and the process's ru_maxrss).

The clocks are NOT created through the actions (two million actions would take hours):
the ~100 units are created with the actions, the clocks with bulk inserts (COPY on
PostgreSQL), with due and warning dates computed by the working-day engine (no pauses).
About 90% are closed (some late), 10% open: most of those started in the last month, the
rest any time in the year, so the first scan raises tens of thousands of warnings and
alarms. The build runs in a child process so the memory figures are the scan's alone.

    .venv/bin/python bench/supervision.py [--db sqlite|postgres] [--n 2000000] [--keep]
    .venv/bin/python bench/supervision.py --db postgres --reuse   # measure again what --keep left
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")

TODAY = date(2024, 12, 20)  # the scan's "today": a fixed day, so runs compare
UNITS = 100
KINDS = [("application", 15), ("letter", 10), ("service_case", 7), ("service_case", 0), ("disclosure", 20)]
CHUNK = 50_000
PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=20241220)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards (for --reuse).")
    parser.add_argument("--reuse", action="store_true", help="Measure the database a --keep run left.")
    args = parser.parse_args()
    sqlite_file = Path(tempfile.gettempdir()) / "bench_supervision.sqlite3"
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", PG_URL)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}.main"

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    test_settings["NAME"] = str(sqlite_file) if args.db == "sqlite" else "bench_supervision"
    keep = args.keep or args.reuse
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=args.reuse
    )
    try:
        from gongkai.workdays.models import Clock

        existing = Clock.objects.count()
        reused = args.reuse and existing == args.n
        build_seconds = None
        if not reused:
            connection.close()  # the child opens its own connection
            started = time.perf_counter()
            child = multiprocessing.get_context("fork").Process(target=build, args=(args,))
            child.start()
            child.join()
            if child.exitcode != 0:
                raise SystemExit(f"build failed with exit code {child.exitcode}")
            build_seconds = round(time.perf_counter() - started, 1)
        reset()
        result = measure(args)
        result.update(reused=reused, build_seconds=build_seconds)
    finally:
        connection.close()
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps(result, ensure_ascii=False))


def build(args: argparse.Namespace) -> None:
    """The units (through the actions) and ``args.n`` clocks (bulk); runs in a child process."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gongkai.orgs.models import OrgKind
    from gongkai.supervision.models import Alert
    from gongkai.workdays.calendar import get_calendar
    from gongkai.workdays.models import Clock
    from tests import factories

    with connection.cursor() as cursor:  # a --reuse of a smaller build starts again
        cursor.execute(f"DELETE FROM {Alert._meta.db_table}")
        cursor.execute(f"DELETE FROM {Clock._meta.db_table}")
    root = factories.make_platform_admin("bench_root")
    county = factories.make_org(actor=root, parent=None, name="攸县人民政府", kind=OrgKind.GOVERNMENT)
    units = [
        factories.make_org(actor=root, parent=county, name=f"单位{i:03d}", email=f"unit{i}@example.com").pk
        for i in range(UNITS)
    ]
    cal = get_calendar()
    due_cache: dict[tuple[date, int], date] = {}

    def add(start: date, days: int) -> date:
        key = (start, days)
        if key not in due_cache:
            due_cache[key] = cal.add_workdays(start, days)
        return due_cache[key]

    rng = random.Random(args.seed)
    now = timezone.now()
    columns = [f.column for f in Clock._meta.concrete_fields if f.column != "id"]
    year_start = TODAY - timedelta(days=365)

    def rows(count: int):  # noqa: ANN202 - a generator of tuples in ``columns`` order
        for _ in range(count):
            kind, limit = KINDS[rng.randrange(len(KINDS))]
            is_open = rng.random() < 0.10
            if is_open and rng.random() < 0.7:
                start = TODAY - timedelta(days=rng.randrange(0, 31))
            else:
                start = year_start + timedelta(days=rng.randrange(0, 365))
            due = add(start, limit)
            warn = due if limit == 0 else add(start, min(limit, math.ceil(limit * 0.8)))
            closed_on = used = on_time = None
            status = "running"
            if not is_open:
                used = rng.randrange(0, limit + 6)  # some beyond the limit: late
                closed_on = min(add(start, used), TODAY)
                on_time = closed_on <= due
                status = "closed"
            values = {
                "kind": kind, "organisation_id": units[rng.randrange(UNITS)], "content_type_id": None,
                "object_id": "", "label": "", "start_date": start, "original_start_date": start,
                "limit_days": limit, "extension_limit_days": None, "status": status, "due_date": due,
                "provisional": False, "closed_on": closed_on, "on_time": on_time, "created_at": now,
                "updated_at": now, "warn_date": warn, "level": "normal", "used_days": used,
            }  # fmt: skip
            yield tuple(values[c] for c in columns)

    table = Clock._meta.db_table
    left = args.n
    while left > 0:
        count = min(CHUNK, left)
        left -= count
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows(count):
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(rows(count))
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def reset() -> None:
    """Every clock back to normal, no alerts or notices: the first scan has its full work."""
    from django.db import connection

    from gongkai.notifications.models import Message
    from gongkai.supervision.models import Alert
    from gongkai.workdays.models import Clock

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Alert._meta.db_table}")
        cursor.execute(f"DELETE FROM {Message._meta.db_table}")
        cursor.execute(f"UPDATE {Clock._meta.db_table} SET level = 'normal' WHERE level <> 'normal'")
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {Clock._meta.db_table}")


def measure(args: argparse.Namespace) -> dict:
    from django.db import connection

    from gongkai.supervision.scan import scan
    from gongkai.workdays.models import Clock, ClockStatus

    n = Clock.objects.count()
    open_count = Clock.objects.exclude(status=ClockStatus.CLOSED).count()
    tracemalloc.start()
    started = time.perf_counter()
    first = scan(TODAY)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = scan(TODAY)
    second_seconds = time.perf_counter() - started
    # The steady state: the next day's scan raises only that day's newly due clocks.
    started = time.perf_counter()
    next_day = scan(TODAY + timedelta(days=1))
    next_day_seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "bench": "supervision_scan",
        "n": n,
        "db": connection.vendor,
        "open": open_count,
        "today": TODAY.isoformat(),
        "first_run_seconds": round(first_seconds, 2),
        "second_run_seconds": round(second_seconds, 2),
        "first_run": {k: v for k, v in first.items() if k != "today"},
        "second_run_changes": second["changes"],
        "next_day_seconds": round(next_day_seconds, 2),
        "next_day_changes": next_day["changes"],
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "ru_maxrss_mb": round(maxrss_kb / 1024, 1),
        "under_10s": first_seconds < 10 and second_seconds < 10,
        "under_300mb": maxrss_kb / 1024 < 300,
    }


if __name__ == "__main__":
    main()
