"""Benchmark: the annual report of a province-sized roll-up, computed and checked.

Builds, in a separate, throw-away database — a temporary SQLite file
(``<tmp>/bench_report.sqlite3``) or a PostgreSQL database named ``bench_report`` — a province
government with ``--counties`` county governments below it (default 100), each with its
departments, townships and a service centre, and two years of records (``YEAR - 1`` and
``YEAR``, with a sliver of the year before, so carry-overs in and out are real):

* 1,000,000 disclosure items (items and news; 规章 of the province government, 行政规范性文件,
  other genres; some repealed, expired or amended; a few drafts and withdrawals),
* 100,000 applications for disclosure (every result row of table 三, every applicant column,
  replies on time, extended or late, replies of December's applications in the next year),
* 1,000,000 letters and calls (leader mailbox, hotline, forwarded by a higher hotline),
* 2,000,000 service cases (licensing and other items, window / township / online, fees),
* review, litigation and complaint cases, decision counts, staff and spending figures;

then times ``gongkai.reports.tables.compute(province, YEAR, rollup=True, template=…)`` and
``gongkai.reports.checks.check(report)`` (R1–R5; R5 computes the previous year) and prints ONE
JSON line: the number of each kind of record, the database, seconds of compute, of check and
in total (a first run under tracemalloc, then a repeat without it), tracemalloc peak, ru_maxrss,
the number of SQL queries and the slowest of them, the violations found (must be 0) and a few
cells for a glance. The build's steps and their seconds go to stderr. ``--template 2008`` times
the 2008 narrative's figures instead (the only format that reads the letters; nothing to check).

The build is ``bench/dataset.py``'s (its stages but the search index, in this shape: 12
departments, 8 townships and a centre per county, two years). The organisations, windows,
service items, channels and a few reference records of each kind
are created with the real actions; the bulk records with bulk inserts (COPY on PostgreSQL)
whose fields keep what the actions keep: a closed application has its result row, reply type
allowed for it, closing date and on-time flag from its 20-working-day limit (with extensions);
a completed service case its acceptance, result, completion date within or past its promised
limit, and the fee equal to the standard; a published item its 索引号, dates and validity; and
the serials (索引号, case numbers) continue after them. Not written for the bulk rows: clocks,
audit events (one per bulk stage instead), search-index rows, letters' assignments, correction and fee notices (nothing the
report reads). The build runs in a child process so the memory figures are the measurement's.

    .venv/bin/python bench/report.py [--db sqlite|postgres] [--scale 1.0] [--keep]
    .venv/bin/python bench/report.py --db postgres --reuse   # measure again what --keep left
    .venv/bin/python bench/report.py --scale 0.01            # a small run, in seconds
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")

import dataset  # noqa: E402 - bench/dataset.py, beside this file

YEAR = dataset.YEAR  # the report's year; the records span YEAR - 1 and YEAR (and late December before)
TOWNSHIPS = 8
DEPARTMENTS = 12  # the first of dataset.DEPARTMENTS
PG_URL = dataset.PG_URL
REFERENCE = {"items": 2, "applications": 3, "letters": 1, "cases": 1}  # made by the reference stage
SIZES = {"items": 1_000_000, "applications": 100_000, "letters": 1_000_000, "cases": 2_000_000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="Multiplies every size (0.01: a quick run).")
    parser.add_argument(
        "--counties", type=int, default=None, help="Counties below the province (100 × scale)."
    )
    for kind, n in SIZES.items():
        parser.add_argument(f"--{kind}", type=int, default=None, help=f"Default {n:,} × scale.")
    parser.add_argument("--template", choices=["2021", "2019", "2008"], default="2021")
    parser.add_argument("--seed", type=int, default=20251231)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards (for --reuse).")
    parser.add_argument("--reuse", action="store_true", help="Measure the database a --keep run left.")
    args = parser.parse_args()
    args.counties = args.counties if args.counties is not None else max(2, round(100 * args.scale))
    for kind, n in SIZES.items():
        if getattr(args, kind) is None:
            setattr(args, kind, max(100, round(n * args.scale)))
    sqlite_file = Path(tempfile.gettempdir()) / "bench_report.sqlite3"
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
    test_settings["NAME"] = str(sqlite_file) if args.db == "sqlite" else "bench_report"
    keep = args.keep or args.reuse
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=args.reuse
    )
    try:
        reused = args.reuse
        if reused and _built_sizes() != _wanted_sizes(args):
            raise SystemExit(
                f"the kept database holds {_built_sizes()}, not {_wanted_sizes(args)}: build it again"
            )
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
        result = measure(args)
        result.update(reused=reused, build_seconds=build_seconds)
    finally:
        connection.close()
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps(result, ensure_ascii=False, default=str))


def _wanted_sizes(args: argparse.Namespace) -> dict[str, int]:
    """The sizes asked for, with the reference records the actions add."""
    return {"counties": args.counties, **{k: getattr(args, k) + REFERENCE[k] for k in SIZES}}


def _built_sizes() -> dict[str, int]:
    """What the database holds now (a --reuse measures it only if it is the size asked for)."""
    from gongkai.applications.models import Application
    from gongkai.disclosure.models import DisclosureItem
    from gongkai.interaction.models import Letter
    from gongkai.orgs.models import Organisation, OrgKind
    from gongkai.services.models import ServiceCase

    counties = Organisation.objects.filter(kind=OrgKind.GOVERNMENT, depth=1).count()
    return {"counties": counties, "items": DisclosureItem.objects.count(),
            "applications": Application.objects.count(), "letters": Letter.objects.count(),
            "cases": ServiceCase.objects.count()}  # fmt: skip


# --- the build (in a child process) ------------------------------------------------------------------
# --- the build (in a child process) ------------------------------------------------------------------


def spec_of(args: argparse.Namespace) -> dataset.Spec:
    """The province this benchmark measures, in the terms of ``bench/dataset.py``."""
    return dataset.Spec(
        counties=args.counties, departments=DEPARTMENTS, townships=TOWNSHIPS, top="湘中省人民政府",
        top_departments=8, first_year=YEAR - 1, items=args.items, applications=args.applications,
        letters=args.letters, cases=args.cases, seed=args.seed,
    )  # fmt: skip


def build(args: argparse.Namespace) -> None:
    """Organisations and catalogue (actions), the bulk records, then reference records (actions);
    the search index is not built (the report does not read it)."""
    from django.db import connection

    stages = [s for s in dataset.STAGES if s != "index"]
    built = dataset.build(spec_of(args), stages=stages, processes=1)
    for name, seconds in built["seconds"].items():
        print(f"build {name}: {seconds} s", file=sys.stderr, flush=True)
    connection.close()


# --- the measurement ---------------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> dict:
    from django.db import connection

    from gongkai.orgs.models import Organisation
    from gongkai.records.models import DecisionCount, DisputeCase, SpendingFigure, StaffFigure
    from gongkai.reports.checks import check
    from gongkai.reports.tables import compute

    sizes = _built_sizes()
    sizes.update(organisations=Organisation.objects.count(), disputes=DisputeCase.objects.count(),
                 decision_counts=DecisionCount.objects.count(), staff_figures=StaffFigure.objects.count(),
                 spending_figures=SpendingFigure.objects.count())  # fmt: skip
    province = Organisation.objects.get(parent=None, name="湘中省人民政府")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queries: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):  # noqa: ANN001, ANN202 - Django's wrapper signature
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql))

    def run() -> tuple[float, float, Any, list]:
        started = time.perf_counter()
        report = compute(province, YEAR, rollup=True, template=args.template)
        middle = time.perf_counter()
        violations = check(report)
        return middle - started, time.perf_counter() - middle, report, violations

    with connection.execute_wrapper(timed):
        tracemalloc.start()
        compute_s, check_s, report, violations = run()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        first_queries = list(queries)
        queries.clear()
        again_compute_s, again_check_s, _r, _v = run()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    slowest = sorted(first_queries, key=lambda q: -q[0])[:4]
    figures = {}
    if "t3" in report.tables:
        figures = {"/".join(k): report.value(k) for k in (
            ("t3", "new", "total"), ("t3", "carried_in", "total"), ("t3", "closed", "total"),
            ("t3", "carried_out", "total"), ("t2", "normative", "issued"), ("t2", "normative", "in_force"),
            ("t2", "rule", "in_force"), ("t2", "licensing", "decisions"), ("t4", "review", "total"),
        ) if report.has(k)}  # fmt: skip
    total = compute_s + check_s
    return {
        "bench": "report",
        "db": connection.vendor,
        "n": sizes,
        "org_ids": len(report.org_ids),
        "year": YEAR,
        "template": args.template,
        "compute_seconds": round(compute_s, 2),
        "check_seconds": round(check_s, 2),
        "total_seconds": round(total, 2),
        "repeat_total_seconds": round(again_compute_s + again_check_s, 2),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "ru_maxrss_mb": round(rss / 1024, 1),
        "ru_maxrss_before_mb": round(rss_before / 1024, 1),
        "queries": len(first_queries),
        "slowest_queries": [[round(s, 2), " ".join(sql.split())[:90]] for s, sql in slowest],
        "violations": len(violations),
        "violated": sorted({v.rule for v in violations}),
        "r1_r5_passed": not violations,
        "figures": figures,
        "under_5s": total < 5,
        "under_500mb": rss / 1024 < 500,
    }


if __name__ == "__main__":
    main()
