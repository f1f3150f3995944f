"""Benchmark data: governments, their units and years of records, built fast and resumably.

    .venv/bin/python bench/dataset.py --scale county|city|province [--fresh] [--no-index] [--check]

builds into a database of its own beside ``DATABASE_URL`` — on PostgreSQL the database
``bench_dataset_<scale>`` (``--name``) on the same server, on SQLite ``var/bench_dataset_<scale>.sqlite3``
— and prints ONE JSON line: rows per table, seconds and rows/s per stage, the database URL (for
``bench/load.py``) and, with ``--check``, the audit chain's problems and the annual report's
R1–R5 violations (both must be 0).

Scales (``SCALES``): ``county`` — one county government with 30 departments, 18 townships and a
service centre (50 units), ten years (``YEAR - 9`` … ``YEAR``), ~30k disclosure items, ~3k
applications, ~30k letters and calls, ~60k service cases; ``city`` — a city government above 10
such counties, ×10; ``province`` — a province above 100 counties, ×100 (~3M items, ~300k
applications, ~3M letters, ~6M cases). ``bench/report.py`` builds its own shape (12 departments,
8 townships, two years) through the same functions.

What keeps the invariants the actions keep:

* organisations, users, windows, service items and channels are made with the real actions,
  and so are a few reference records of each kind at the end (after the serials);
* the bulk rows (COPY on PostgreSQL, executemany on SQLite) carry what the actions compute: 索引号
  unique per organisation and year and the serial tables (``IndexSerial``, ``ApplicationSerial``,
  ``LetterSerial``, ``CaseSerial``) continued after them; due dates, closing dates and on-time
  flags from the working-day calendar (``workdays``); results, reply types and fees as the
  actions allow them (see ``bench/report.py``);
* every published item is in the search index (``SearchDocument`` rows segmented with jieba in
  ``--processes`` workers; PostgreSQL: the GIN index dropped during the load and built after;
  SQLite: the FTS5 table rebuilt from the stored tokens, as ``gongkai search reindex`` does);
* the audit chain stays valid: the actions write their own events; each bulk stage appends ONE
  event (``bench.bulk_load``: table, rows, first and last id) through ``audit.log.record``
  instead of one per row — per-row events (~12M at province scale) would double the build and
  are not what the measurements read. Not written for the bulk rows either: clocks (closed
  cases need none to be reported; the dates they would hold are on the rows), letters'
  assignments, correction and fee notices.

Resumable: each stage records in the table ``bench_dataset_stage`` the rows it has committed
(in the same transaction as each batch) and, once finished, its seconds and the serials it
used. A rerun skips finished stages and continues a half-done one after its last committed
batch (the rows are generated again from the stage's own seeded random stream, so they are the
same rows). Progress bars go to stderr.

Modules: this file holds the command line, the spec and its scales (``Spec``, ``SCALES``), the
stage runner (``build``, the bookkeeping ``Stages``), the stages made with the actions
(``orgs``, ``serials``, ``reference``) and the ``--check``; ``bench/dataset_bulk.py`` holds the
bulk stages (``items``, ``index``, ``applications``, ``letters``, ``cases``, ``records``) and what
they share: ``World``, ``Loader``, the progress bars, ``YEAR`` and the realistic mixes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")

from dataset_bulk import (  # noqa: E402 - bench/dataset_bulk.py, beside this file
    YEAR,
    World,
    applications,
    disclosure_items,
    letters,
    search_index,
    service_cases,
    year_records,
)

DEPARTMENTS = ["发展和改革局", "财政局", "教育局", "公安局", "民政局", "人力资源和社会保障局", "自然资源局",
               "住房和城乡建设局", "交通运输局", "农业农村局", "卫生健康局", "市场监督管理局", "司法局", "审计局",
               "统计局", "林业局", "水利局", "商务局", "文化旅游广电体育局", "应急管理局", "退役军人事务局",
               "生态环境分局", "医疗保障局", "城市管理和综合执法局", "科学技术局", "工业和信息化局", "档案局",
               "信访局", "行政审批服务局", "数据资源局"]  # fmt: skip
STAGE_TABLE = "bench_dataset_stage"
PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Spec:
    """The shape of a dataset: governments and units, years, and the number of bulk records."""

    counties: int = 1
    departments: int = 30
    townships: int = 18
    top: str = ""  # the government above the counties ("" = the single county is the top)
    top_departments: int = 8
    first_year: int = YEAR - 9
    items: int = 30_000
    applications: int = 3_000
    letters: int = 30_000
    cases: int = 60_000
    seed: int = 20251231

    def sizes(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("items", "applications", "letters", "cases")}


COUNTY = Spec()
SCALES = {
    "county": COUNTY,
    "city": replace(COUNTY, counties=10, top="湘中市人民政府", items=300_000, applications=30_000,
                    letters=300_000, cases=600_000),
    "province": replace(COUNTY, counties=100, top="湘中省人民政府", items=3_000_000, applications=300_000,
                        letters=3_000_000, cases=6_000_000),
}  # fmt: skip
STAGES = ["orgs", "items", "index", "applications", "letters", "cases", "records", "serials", "reference",
          "analyze"]  # fmt: skip


# --- stage bookkeeping -------------------------------------------------------------------------------


class Stages:
    """Rows committed and completion of each stage, in a small table of the dataset's database."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {STAGE_TABLE} (name varchar(40) PRIMARY KEY, done bigint NOT NULL,"
                " finished integer NOT NULL, seconds real NOT NULL, state text NOT NULL)"
            )

    def get(self, name: str) -> tuple[int, bool, float, dict]:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(f"SELECT done, finished, seconds, state FROM {STAGE_TABLE} WHERE name = %s", [name])
            row = cur.fetchone()
        return (0, False, 0.0, {}) if row is None else (row[0], bool(row[1]), row[2], json.loads(row[3]))

    def put(self, name: str, done: int, finished: bool = False, seconds: float = 0.0, state: Any = None) -> None:
        """Record progress (call inside the batch's transaction, so the two commit together)."""
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {STAGE_TABLE} WHERE name = %s", [name])
            cur.execute(
                f"INSERT INTO {STAGE_TABLE} (name, done, finished, seconds, state) VALUES (%s, %s, %s, %s, %s)",
                [name, done, int(finished), seconds, json.dumps(state or {})],
            )


# --- the build ---------------------------------------------------------------------------------------


def build(spec: Spec, *, stages: list[str] | None = None, processes: int = 2) -> dict:
    """Run the stages not finished yet; returns the seconds of every stage and its rows."""
    from django.db import connection, transaction

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    book = Stages()
    w = World(spec, connection.vendor)
    w.processes = processes
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    for name in stages or STAGES:
        done, finished, took, state = book.get(name)
        if name != "orgs" and not hasattr(w, "root"):
            w.load_orgs()
        if finished:
            seconds[name], rows[name] = took, done
            print(f"{name}: finished before ({took} s)", file=sys.stderr, flush=True)
            continue
        started = time.perf_counter()
        w.book, w.stage, w.skip = book, name, done
        total, state = BUILDERS[name](w)  # the stage's rows in all (resumed ones: with the earlier)
        if name == "orgs":
            w.load_orgs()
        took = round(time.perf_counter() - started, 2)  # of this run (a resumed stage: its rest)
        with transaction.atomic():
            if name in BULK_MODELS and total:
                _audit_bulk(name, total)
            book.put(name, total, finished=True, seconds=took, state=state)
        seconds[name], rows[name] = took, total
        print(f"{name}: {took} s, {total} rows", file=sys.stderr, flush=True)
    return {"seconds": seconds, "rows": rows}


def _audit_bulk(stage: str, rows: int) -> None:
    """One audit event for a bulk stage (inside the caller's transaction)."""
    from gongkai.audit.log import record

    model = _model(BULK_MODELS[stage])
    ids = model.objects.order_by("pk").values_list("pk", flat=True)
    record(actor=None, verb="bench.bulk_load", reason="benchmark dataset (bench/dataset.py)",
           after={"table": model._meta.db_table, "rows": rows, "first_id": ids.first(),
                  "last_id": ids.last()})  # fmt: skip


def _model(label: str) -> Any:
    from django.apps import apps

    return apps.get_model(label)


def organisations(w: World) -> tuple[int, dict]:
    """Top government → counties → departments, townships, a centre; windows, service items, channels."""
    from django.db import transaction

    from gongkai.interaction.actions import create_channel
    from gongkai.orgs.models import OrgKind, Role
    from gongkai.services.actions_catalogue import save_item, save_window
    from gongkai.services.models import ItemKind
    from tests import factories

    spec = w.spec
    with transaction.atomic():  # all or nothing: a rerun starts the stage again
        root = factories.make_platform_admin("bench_root")
        top_name = spec.top or "第001县人民政府"
        top = factories.make_org(actor=root, parent=None, name=top_name, kind=OrgKind.GOVERNMENT)
        counties = [top]
        if spec.top:
            prefix = spec.top.removesuffix("人民政府")
            for d in DEPARTMENTS[: spec.top_departments]:
                factories.make_org(actor=root, parent=top, name=f"{prefix}{d[:-1]}{'厅' if '省' in prefix else '局'}")
            counties = []
            for c in range(spec.counties):
                counties.append(factories.make_org(actor=root, parent=top, name=f"第{c + 1:03d}县人民政府",
                                                   kind=OrgKind.GOVERNMENT))  # fmt: skip
        units: dict[int, tuple[list[Any], list[Any], Any]] = {}
        for county in counties:
            name = county.name.removesuffix("人民政府")
            depts = [factories.make_org(actor=root, parent=county, name=f"{name}{d}")
                     for d in DEPARTMENTS[: spec.departments]]  # fmt: skip
            towns = [factories.make_org(actor=root, parent=county, name=f"{name}第{t + 1}镇", kind=OrgKind.TOWNSHIP)
                     for t in range(spec.townships)]  # fmt: skip
            centre = factories.make_org(actor=root, parent=county, name=f"{name}政务服务中心", kind=OrgKind.CENTRE)
            units[county.pk] = (depts, towns, centre)
        # The administrator's scope is computed once per user: made after the last organisation.
        admin = factories.make_staff(actor=root, organisation=top, role=Role.ADMIN, username="bench_admin")
        for county in counties:
            name = county.name.removesuffix("人民政府")
            depts, towns, centre = units[county.pk]
            window = save_window(actor=admin, centre=centre, number="A01", name="综合受理窗口", units=depts)
            for town in towns:
                save_window(actor=admin, centre=town, number="1", name="便民服务窗口", units=depts)
            for i, dept in enumerate(depts):
                other_kind = (ItemKind.NON_LICENSING, ItemKind.PUBLIC_SERVICE, ItemKind.OTHER)[i % 3]
                charged = i % 3 == 1
                save_item(actor=admin, organisation=dept, window=window, code=f"XK-{i:03d}",
                          name=f"{dept.name[len(name):]}行政许可", kind=ItemKind.LICENSING,
                          legal_basis="《中华人民共和国行政许可法》", materials="申请书\n身份证明",
                          process="受理\n审核\n决定", statutory_limit_days=20, promised_limit_days=7,
                          online=True, published=True, issues_certificate=True, certificate_name="许可证")  # fmt: skip
                save_item(actor=admin, organisation=dept, window=window, code=f"FW-{i:03d}",
                          name=f"{dept.name[len(name):]}便民服务", kind=other_kind, legal_basis="有关规定",
                          statutory_limit_days=10, promised_limit_days=0 if i % 2 else 3, online=i % 2 == 0,
                          published=True, fee_free=not charged,
                          fee_amount=Decimal(10 * (1 + i % 5)) if charged else None,
                          fee_unit="件" if charged else "")  # fmt: skip
        for gov in dict.fromkeys([top, *counties]):
            for kind, label, limit in (("mailbox", "县长信箱", 15), ("hotline", "政务服务热线", 15),
                                       ("forwarded", "12345热线转办", 10)):  # fmt: skip
                create_channel(actor=admin, organisation=gov, kind=kind, name=label, limit_days=limit)
    from gongkai.orgs.models import Organisation

    return Organisation.objects.count(), {}


def serials(w: World) -> tuple[int, dict]:
    """The serials continue after the bulk rows, as if the actions had numbered them."""
    from django.db import transaction

    from gongkai.applications.models import ApplicationSerial
    from gongkai.disclosure.models import IndexSerial
    from gongkai.interaction.models import LetterSerial
    from gongkai.services.models import CaseSerial

    used = {name: w.book.get(name)[3] for name in ("items", "applications", "letters", "cases")}

    def pairs(state: dict, key: str) -> list[tuple[int, int, int]]:
        return [(int(k.split("/")[0]), int(k.split("/")[1]), n) for k, n in state.get(key, {}).items()]

    with transaction.atomic():
        made = IndexSerial.objects.bulk_create(
            [IndexSerial(organisation_id=o, year=y, last=n) for o, y, n in pairs(used["items"], "index")],
            batch_size=2000,
        )
        made += CaseSerial.objects.bulk_create(
            [CaseSerial(organisation_id=o, year=y, last=n) for o, y, n in pairs(used["cases"], "cases")],
            batch_size=2000,
        )
        made += ApplicationSerial.objects.bulk_create(
            [ApplicationSerial(year=int(y), last=n) for y, n in used["applications"].get("applications", {}).items()]
        )
        made += LetterSerial.objects.bulk_create(
            [LetterSerial(year=int(y), last=n) for y, n in used["letters"].get("letters", {}).items()]
        )
    return len(made), {}


def reference_records(w: World) -> tuple[int, dict]:
    """A few records of each kind made by the actions themselves, beside the bulk ones."""
    from django.db import transaction

    from gongkai.applications import actions as app_actions
    from gongkai.applications import actions_replies
    from gongkai.disclosure import actions as item_actions
    from gongkai.disclosure.models import Genre
    from gongkai.interaction.actions import register_letter
    from gongkai.interaction.models import Category as LetterCategory
    from gongkai.orgs.models import Role
    from gongkai.records import actions as rec_actions
    from gongkai.services import actions as svc_actions
    from tests import factories
    from tests.applications.conftest import PERSON

    county = w.counties[0]
    dept = w.departments[county.pk][0]
    top_dept = w.province_departments[0]
    with transaction.atomic():  # all or nothing: a rerun starts the stage again
        reviewer = factories.make_staff(actor=w.root, organisation=w.province, role=Role.REVIEWER,
                                        username="bench_reviewer")  # fmt: skip
        staff = factories.make_staff(actor=w.root, organisation=w.centres[county.pk], role=Role.WINDOW,
                                     username="bench_window")  # fmt: skip
        factories.make_staff(actor=w.root, organisation=dept, role=Role.CLERK, username="bench_clerk")
        for received, replied, outcome in ((date(YEAR - 1, 12, 23), date(YEAR, 1, 8), "open"),
                                           (date(YEAR, 3, 3), date(YEAR, 3, 10), "partial"),
                                           (date(YEAR, 12, 22), date(YEAR + 1, 1, 6), "unable_1")):  # fmt: skip
            app, _code = app_actions.register_application(actor=reviewer, organisation=dept, channel="in_person",
                                                          submitted_on=received, **PERSON)  # fmt: skip
            actions_replies.reply_application(actor=reviewer, application=app, outcome=outcome,
                                              reply_type={"open": "r19_provide", "partial": "r19_partial",
                                                          "unable_1": "r19_nonexistent"}[outcome],
                                              legal_basis="第三十六条", text="答复如下", on=replied)  # fmt: skip
        made = [("normative", date(YEAR, 2, 10), county)]
        if w.spec.top:
            made.append(("rule", date(YEAR - 1, 5, 6), w.province))
        for genre, written, org in made:
            item = item_actions.create_item(actor=w.admin, organisation=org, title="关于印发管理办法的通知",
                                            summary="管理办法", body="<p>正文</p>", written_on=written,
                                            formed_on=written, genre=Genre.objects.get(code=genre))  # fmt: skip
            item_actions.publish_item(actor=w.admin, item=item, published_on=written + timedelta(days=3))
        item = w.items_of[dept.pk][0]
        case, _code = svc_actions.receive_case(actor=staff, item=item, window=w.windows[w.centres[county.pk].pk],
                                               applicant_kind="person", applicant_name="李四", on=date(YEAR, 4, 1))  # fmt: skip
        svc_actions.complete_case(actor=staff, case=case, result="approved", certificate_number="ZS-REF-1",
                                  on=date(YEAR, 4, 3))  # fmt: skip
        review = rec_actions.save_dispute(actor=reviewer, organisation=dept, kind="review", reference="复字〔参〕1号",
                                          subject="不予公开决定", filed_on=date(YEAR, 5, 6))  # fmt: skip
        rec_actions.conclude_dispute(actor=reviewer, case=review, result="corrected", concluded_on=date(YEAR, 7, 1))
        rec_actions.save_dispute(actor=reviewer, organisation=dept, kind="litigation_after_review",
                                 reference="行初字〔参〕2号", subject="不予公开决定", filed_on=date(YEAR, 8, 1),
                                 review_case=review)  # fmt: skip
        rec_actions.set_decision_count(actor=w.admin, organisation=top_dept, year=YEAR, kind="penalty", count=17)
        rec_actions.set_staff_figure(actor=w.admin, organisation=top_dept, year=YEAR, full_time=1, part_time=2)
        rec_actions.set_spending(actor=w.admin, organisation=top_dept, year=YEAR, amount="80000")
        register_letter(actor=w.admin, channel=w.channels[county.pk]["hotline"],
                        category=LetterCategory.objects.order_by("pk").first(), received_on=date(YEAR, 6, 2),
                        answered_on_spot="已当场答复办理时间。", writer_name="赵某", subject="咨询办事时间",
                        body="请问政务服务中心周六是否办公？")  # fmt: skip
    return 10 + len(made), {}


def analyze(w: World) -> tuple[int, dict]:
    from django.db import connection

    connection.close()  # VACUUM must run outside a transaction: a fresh autocommit connection
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if w.vendor == "postgresql" else "ANALYZE")
    return 0, {}


BUILDERS: dict[str, Callable[[World], tuple[int, dict]]] = {
    "orgs": organisations, "items": disclosure_items, "index": search_index, "applications": applications,
    "letters": letters, "cases": service_cases, "records": year_records, "serials": serials,
    "reference": reference_records, "analyze": analyze,
}  # fmt: skip
BULK_MODELS = {"items": "disclosure.DisclosureItem", "index": "search.SearchDocument",
               "applications": "applications.Application", "letters": "interaction.Letter",
               "cases": "services.ServiceCase", "records": "records.DisputeCase"}  # fmt: skip


# --- figures and checks ------------------------------------------------------------------------------


def table_rows() -> dict[str, int]:
    """Rows of the tables the dataset fills."""
    from gongkai.applications.models import Application
    from gongkai.audit.models import AuditEvent
    from gongkai.disclosure.models import DisclosureItem
    from gongkai.interaction.models import Letter
    from gongkai.orgs.models import Organisation
    from gongkai.records.models import DisputeCase
    from gongkai.search.models import SearchDocument
    from gongkai.services.models import ServiceCase

    return {m._meta.db_table: m.objects.count() for m in (Organisation, DisclosureItem, SearchDocument, Application,
                                                          Letter, ServiceCase, DisputeCase, AuditEvent)}  # fmt: skip


def check(spec: Spec) -> dict:
    """The audit chain's problems and the top government's annual report's R1–R5 violations."""
    from gongkai.audit.log import verify
    from gongkai.orgs.models import Organisation
    from gongkai.reports.checks import check as check_report
    from gongkai.reports.tables import compute

    started = time.perf_counter()
    problems = verify()
    top = Organisation.objects.get(parent=None)
    violations = check_report(compute(top, YEAR, rollup=True, template="2021"))
    return {"audit_problems": len(problems), "report_violations": len(violations),
            "violated": sorted({v.rule for v in violations}), "check_seconds": round(time.perf_counter() - started, 1)}  # fmt: skip


# --- the command line --------------------------------------------------------------------------------


def open_database(name: str, *, fresh: bool) -> str:
    """Point Django at the dataset's own database (created and migrated if missing); its URL."""
    from django.db import connection

    base = Path(__file__).resolve().parent.parent
    settings = connection.settings_dict
    test = settings.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test["NAME"] = str(base / "var" / f"{name}.sqlite3")
    else:
        test["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=not fresh)
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432
    auth = user if not settings.get("PASSWORD") else f"{user}:{settings['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{settings['NAME']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", choices=list(SCALES), default="county")
    parser.add_argument("--name", help="The database's name (default bench_dataset_<scale>).")
    parser.add_argument("--fresh", action="store_true", help="Drop what an earlier run built and start again.")
    parser.add_argument("--no-index", action="store_true", help="Skip the search index stage.")
    parser.add_argument("--check", action="store_true", help="Verify the audit chain and R1–R5 afterwards.")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2, help="Segmenting workers.")
    parser.add_argument("--seed", type=int, default=Spec.seed)
    parser.add_argument("--fraction", type=float, default=1.0, help="Multiplies the records (0.05: a quick try).")
    args = parser.parse_args()
    spec = SCALES[args.scale]
    sizes = {k: max(100, round(n * args.fraction)) for k, n in spec.sizes().items()}
    spec = replace(spec, seed=args.seed, **sizes)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # stdout: the JSON line only
    url = open_database(args.name or f"bench_dataset_{args.scale}", fresh=args.fresh)
    started = time.perf_counter()
    stages = [s for s in STAGES if not (args.no_index and s == "index")]
    built = build(spec, stages=stages, processes=args.processes)
    wall = time.perf_counter() - started
    rows = table_rows()
    bulk = sum(built["rows"].get(s, 0) for s in BULK_MODELS)
    stage_seconds = sum(built["seconds"].values())
    result = {
        "bench": "dataset", "scale": args.scale, "db": connection.vendor, "database_url": url,
        "spec": asdict(spec), "rows": rows,
        "stages": {s: {"seconds": built["seconds"][s], "rows": built["rows"][s],
                       "rows_per_s": round(built["rows"][s] / built["seconds"][s]) if built["seconds"][s] else None}
                   for s in built["seconds"]},
        "seconds_this_run": round(wall, 1), "seconds_all_stages": round(stage_seconds, 1),
        "bulk_rows_per_s": round(bulk / stage_seconds) if stage_seconds else None,
    }  # fmt: skip
    if args.check:
        result["check"] = check(spec)
    connection.close()
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
