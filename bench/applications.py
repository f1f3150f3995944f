"""Benchmark: concurrent online applications all stored once, with unique case numbers.

Creates a throw-away database (SQLite file ``var/bench_applications.sqlite3`` or a
PostgreSQL database ``bench_applications_<db>``), then submits ``--submissions``
applications through ``actions.submit_application`` from ``--threads`` threads at once
(each thread its own database connection, all starting together behind a barrier), as
the public form does. Prints one JSON line: how many were acknowledged, how many rows
are stored, how many distinct case numbers, errors, and submissions per second.

    .venv/bin/python bench/applications.py [--submissions 200] [--threads 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/applications.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    vendor = connection.vendor
    base = Path(__file__).resolve().parent.parent
    test_settings = connection.settings_dict.setdefault("TEST", {})
    if vendor == "sqlite":
        (base / "var").mkdir(exist_ok=True)
        test_settings["NAME"] = str(base / "var" / "bench_applications.sqlite3")
    else:
        test_settings["NAME"] = f"bench_applications_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    try:
        result = run(args, vendor)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps(result, ensure_ascii=False))


def run(args: argparse.Namespace, vendor: str) -> dict:
    from django.db import connections

    from gongkai.applications import actions
    from gongkai.applications.idcard import check_char
    from gongkai.applications.models import Application
    from gongkai.orgs.models import OrgKind
    from tests import factories

    root = factories.make_platform_admin()
    county = factories.make_org(actor=root, parent=None, name="攸县人民政府", kind=OrgKind.GOVERNMENT)
    body = "43022319800101001"
    fields = {
        "applicant_type": "person", "applicant_name": "李明", "id_type": "resident_id",
        "id_number": body + check_char(body), "phone": "13800000000", "email": "a@example.com",
        "info_title": "2013年部门预算", "info_form": "electronic", "delivery": "email",
    }  # fmt: skip
    barrier = threading.Barrier(args.threads)
    lock = threading.Lock()
    acknowledged: list[str] = []
    errors: list[str] = []
    per_thread = [range(i, args.submissions, args.threads) for i in range(args.threads)]

    def worker(numbers: range) -> None:
        barrier.wait()
        for n in numbers:
            try:
                app, _code = actions.submit_application(
                    actor=None, organisation=county, submission_key=f"bench-{n}", **fields
                )
                with lock:
                    acknowledged.append(app.case_number)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
        connections.close_all()

    threads = [threading.Thread(target=worker, args=(numbers,)) for numbers in per_thread]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    stored = list(Application.objects.values_list("case_number", flat=True))
    return {
        "bench": "applications_concurrent_submissions",
        "database": vendor,
        "submissions": args.submissions,
        "threads": args.threads,
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "distinct_case_numbers": len(set(stored)),
        "acknowledged_all_stored": set(acknowledged) <= set(stored),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(elapsed, 2),
        "per_second": round(len(acknowledged) / elapsed, 1) if elapsed else None,
    }


if __name__ == "__main__":
    main()
