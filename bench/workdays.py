"""Benchmark: working-day arithmetic and clock recomputation.

Prints one JSON line: deadline computations per second (engine, 20 and 40
working days over holiday periods), and the time to recompute N open clocks
after a calendar edit (the work a new year's schedule triggers).

    .venv/bin/python bench/workdays.py [--clocks 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clocks", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from gongkai.orgs.models import Role
        from gongkai.workdays import calendar as wcal
        from gongkai.workdays.clock import recompute_open_clocks, start_clock
        from gongkai.workdays.engine import compute_due
        from gongkai.workdays.models import ClockKind, DayKind
        from tests import factories

        cal = wcal.get_calendar()
        starts = [date(2025, 1, 1) + timedelta(days=i % 365) for i in range(5000)]
        t0 = time.perf_counter()
        for i, start in enumerate(starts):
            compute_due(cal, start, 20 if i % 2 else 40)
        engine_rate = len(starts) / (time.perf_counter() - t0)

        root = factories.make_platform_admin()
        county = factories.make_org(actor=root, parent=None)
        unit = factories.make_org(actor=root, parent=county)
        factories.make_staff(actor=root, organisation=county, role=Role.REVIEWER)
        t0 = time.perf_counter()
        for i in range(args.clocks):
            start_clock(actor=None, kind=ClockKind.APPLICATION, organisation=unit,
                        start_date=date(2026, 11, 1) + timedelta(days=i % 60), limit_days=20)  # fmt: skip
        start_rate = args.clocks / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        changed = wcal.load_year(
            actor=root,
            year=2027,
            entries=[wcal.DayEntry(date(2027, 1, 1), DayKind.HOLIDAY, "元旦")],
            notice="bench",
        )
        recompute_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = recompute_open_clocks(actor=None, reason="bench")
        idle_s = time.perf_counter() - t0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps({
        "bench": "workdays",
        "database": connection.vendor,
        "engine_deadlines_per_s": round(engine_rate),
        "clock_starts_per_s": round(start_rate, 1),
        "open_clocks": args.clocks,
        "calendar_load_recompute_s": round(recompute_s, 3),
        "clocks_changed": changed,
        "idle_recompute_s": round(idle_s, 3),
        "idle_changed": again,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
