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

The organisations, windows, service items, channels and a few reference records of each kind
are created with the real actions; the bulk records with bulk inserts (COPY on PostgreSQL)
whose fields keep what the actions keep: a closed application has its result row, reply type
allowed for it, closing date and on-time flag from its 20-working-day limit (with extensions);
a completed service case its acceptance, result, completion date within or past its promised
limit, and the fee equal to the standard; a published item its 索引号, dates and validity; and
the serials (索引号, case numbers) continue after them. Not written for the bulk rows: clocks,
audit events, search-index rows, letters' assignments, correction and fee notices (nothing the
report reads). The build runs in a child process so the memory figures are the measurement's.

    .venv/bin/python bench/report.py [--db sqlite|postgres] [--scale 1.0] [--keep]
    .venv/bin/python bench/report.py --db postgres --reuse   # measure again what --keep left
    .venv/bin/python bench/report.py --scale 0.01            # a small run, in seconds
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")

YEAR = 2025  # the report's year; the records span YEAR - 1 and YEAR (and late December before)
FIRST_DAY, LAST_DAY = date(YEAR - 1, 1, 1), date(YEAR, 12, 31)
SLIVER_DAY = date(YEAR - 2, 12, 1)  # a few applications from here: carried into YEAR - 1
DEPARTMENTS = ["发展和改革局", "财政局", "教育局", "公安局", "民政局", "人力资源和社会保障局", "自然资源局",
               "住房和城乡建设局", "交通运输局", "农业农村局", "卫生健康局", "市场监督管理局"]  # fmt: skip
TOWNSHIPS = 8
CHUNK = 50_000
PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REFERENCE = {"items": 2, "applications": 3, "letters": 1, "cases": 1}  # made by reference_records
SIZES = {"items": 1_000_000, "applications": 100_000, "letters": 1_000_000, "cases": 2_000_000}

# Realistic mixes (weights), after the published annual reports of Chinese counties.
APP_CHANNELS = {"online": 45, "in_person": 20, "registered_mail": 10, "ordinary_mail": 6, "email": 10,
                "fax": 2, "oral": 7}  # fmt: skip
APPLICANTS = {"person": 850, "business": 100, "research": 5, "nonprofit": 5, "legal": 20, "other_org": 20}
OUTCOMES = {"open": 330, "partial": 80, "refuse_1": 2, "refuse_2": 8, "refuse_3": 5, "refuse_4": 15,
            "refuse_5": 15, "refuse_6": 25, "refuse_7": 8, "refuse_8": 12, "unable_1": 230, "unable_2": 30,
            "unable_3": 20, "noprocess_1": 25, "noprocess_2": 20, "noprocess_3": 5, "noprocess_4": 5,
            "noprocess_5": 5, "other_1": 50, "other_2": 5, "other_3": 80}  # fmt: skip
GENRES = {"document": 20, "notice": 30, "plan": 6, "report": 8, "budget": 6, "personnel": 8, "procurement": 6,
          "licensing": 4, "penalty": 3, "enforcement": 1, "fee": 1, "statistics": 3, "interpretation": 3,
          "other": 4}  # fmt: skip
TOPICS = ["部门预算", "财政决算", "房屋征收", "征地补偿", "安全生产", "食品安全", "生态环境", "义务教育", "医疗保障",
          "乡村振兴", "防汛抗旱", "城乡规划", "道路建设", "社会救助", "就业创业", "政府采购", "住房保障", "养老服务"]  # fmt: skip


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


class Loader:
    """Bulk rows of one model: every concrete column, defaults filled in, COPY or executemany."""

    def __init__(self, model: Any, vendor: str) -> None:
        from django.db.models import JSONField

        self.model, self.vendor = model, vendor
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.base: dict[str, Any] = {}
        for f in self.fields:
            value = f.get_default() if f.has_default() else (None if f.null else "")
            self.base[f.attname] = json.dumps(value) if isinstance(f, JSONField) else value
        self.checked = False

    def row(self, **values: Any) -> tuple:
        row = {**self.base, **values}
        if not self.checked:  # the first row: every non-text column was given a value
            from django.db.models import CharField, TextField

            for f in self.fields:
                if row[f.attname] == "" and not isinstance(f, CharField | TextField):
                    raise ValueError(f"{self.model.__name__}.{f.attname} needs a value")
            unknown = set(values) - set(self.base)
            if unknown:
                raise ValueError(f"{self.model.__name__}: unknown fields {sorted(unknown)}")
            self.checked = True
        return tuple(row[f.attname] for f in self.fields)

    def load(self, rows: Iterator[tuple]) -> int:
        from django.db import connection, transaction

        table = self.model._meta.db_table
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        done = 0
        while True:
            chunk = [r for _, r in zip(range(CHUNK), rows, strict=False)]
            if not chunk:
                return done
            done += len(chunk)
            with transaction.atomic(), connection.cursor() as cursor:
                if self.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for r in chunk:
                            copy.write_row(r)
                else:
                    marks = ", ".join(["%s"] * len(self.fields))
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", chunk)


class World:
    """The organisations and catalogue made through the actions, and helpers for the bulk rows."""

    def __init__(self, args: argparse.Namespace, vendor: str) -> None:
        from gongkai.workdays.calendar import get_calendar

        self.args, self.vendor = args, vendor
        self.rng = random.Random(args.seed)
        self.cal = get_calendar()
        self._due: dict[tuple[date, int], date] = {}
        self._stamps: dict[tuple[date, int], Any] = {}
        days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
        self.workdays = [d for d in days if self.cal.is_workday(d)]
        self.days = days

    def add(self, start: date, n: int) -> date:
        key = (start, n)
        if key not in self._due:
            self._due[key] = self.cal.add_workdays(start, n)
        return self._due[key]

    def stamp(self, day: date, hour: int = 9) -> Any:
        """A moment of ``day`` (Beijing time) as the database column takes it."""
        key = (day, hour)
        if key not in self._stamps:
            moment = datetime(day.year, day.month, day.day, hour, 30) - timedelta(hours=8)  # UTC
            self._stamps[key] = (
                moment.replace(tzinfo=UTC)
                if self.vendor == "postgresql"
                else moment.isoformat(" ", timespec="seconds")
            )
        return self._stamps[key]

    def sorted_days(self, n: int, workdays_share: float = 0.95, start: date | None = None) -> Iterator[date]:
        """``n`` days in order (most of them working days), as records arrive over the years."""
        rng = self.rng
        picks = []
        extra = [] if start is None else [start + timedelta(days=i) for i in range((FIRST_DAY - start).days)]
        for _ in range(n):
            if extra and rng.random() < 0.01:
                picks.append(rng.choice(extra))
            elif rng.random() < workdays_share:
                picks.append(rng.choice(self.workdays))
            else:
                picks.append(rng.choice(self.days))
        picks.sort()
        return iter(picks)

    def pick(self, weights: dict[str, int]) -> Callable[[], str]:
        """A drawer of keys by weight (cumulative weights computed once, not per draw)."""
        keys, cum = list(weights), list(accumulate(weights.values()))
        total, rng = cum[-1], self.rng
        return lambda: keys[bisect.bisect_right(cum, rng.random() * total)]


def build(args: argparse.Namespace) -> None:
    """Organisations and catalogue (actions), the bulk records, then reference records (actions)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    w = World(args, connection.vendor)
    timings: dict[str, float] = {}

    def step(name: str, fn: Callable[[World], Any]) -> None:
        started = time.perf_counter()
        fn(w)
        timings[name] = round(time.perf_counter() - started, 1)
        print(f"build {name}: {timings[name]} s", file=sys.stderr, flush=True)

    step("organisations", organisations)
    step("items", disclosure_items)
    step("applications", applications)
    step("letters", letters)
    step("cases", service_cases)
    step("records", year_records)
    step("serials", serials)
    step("reference", reference_records)
    step("analyze", analyze)
    connection.close()


def organisations(w: World) -> None:
    """Province → counties → departments, townships, a centre; windows, service items, channels."""
    from gongkai.interaction.actions import create_channel
    from gongkai.interaction.models import Category as LetterCategory
    from gongkai.orgs.models import OrgKind, Role
    from gongkai.services.actions_catalogue import save_item, save_window
    from gongkai.services.models import ItemKind
    from tests import factories

    root = factories.make_platform_admin("bench_root")
    province = factories.make_org(actor=root, parent=None, name="湘中省人民政府", kind=OrgKind.GOVERNMENT)
    w.root, w.province = root, province
    w.governments = [province]  # every government: the province and its counties
    w.departments: dict[int, list[Any]] = {}  # government id -> its departments
    w.townships: dict[int, list[Any]] = {}
    w.centres: dict[int, Any] = {}
    w.windows: dict[int, Any] = {}  # centre or township id -> its window
    w.items_of: dict[int, list[Any]] = {}  # department id -> its service items
    w.channels: dict[int, dict[str, Any]] = {}  # government id -> kind -> channel
    w.letter_categories = list(LetterCategory.objects.values_list("pk", flat=True))
    w.province_departments = [
        factories.make_org(actor=root, parent=province, name=f"湘中省{d[:-1]}厅") for d in DEPARTMENTS[:8]
    ]
    w.departments[province.pk] = w.province_departments
    w.townships[province.pk] = []
    for c in range(w.args.counties):
        name = f"第{c + 1:03d}县"
        county = factories.make_org(
            actor=root, parent=province, name=f"{name}人民政府", kind=OrgKind.GOVERNMENT
        )
        w.governments.append(county)
        depts = [factories.make_org(actor=root, parent=county, name=f"{name}{d}") for d in DEPARTMENTS]
        towns = [factories.make_org(actor=root, parent=county, name=f"{name}第{t + 1}镇", kind=OrgKind.TOWNSHIP)
                 for t in range(TOWNSHIPS)]  # fmt: skip
        centre = factories.make_org(
            actor=root, parent=county, name=f"{name}政务服务中心", kind=OrgKind.CENTRE
        )
        w.departments[county.pk], w.townships[county.pk], w.centres[county.pk] = depts, towns, centre
    # The administrator's scope is computed once per user: made after the last organisation.
    admin = w.admin = factories.make_staff(actor=root, organisation=province, role=Role.ADMIN,
                                           username="bench_admin")  # fmt: skip
    for county in w.governments[1:]:
        name = county.name.removesuffix("人民政府")
        depts, towns, centre = w.departments[county.pk], w.townships[county.pk], w.centres[county.pk]
        w.windows[centre.pk] = save_window(actor=admin, centre=centre, number="A01", name="综合受理窗口",
                                           units=depts)  # fmt: skip
        for town in towns:
            w.windows[town.pk] = save_window(actor=admin, centre=town, number="1", name="便民服务窗口",
                                             units=depts)  # fmt: skip
        for i, dept in enumerate(depts):
            other_kind = (ItemKind.NON_LICENSING, ItemKind.PUBLIC_SERVICE, ItemKind.OTHER)[i % 3]
            charged = i % 3 == 1
            w.items_of[dept.pk] = [
                save_item(actor=admin, organisation=dept, window=w.windows[centre.pk], code=f"XK-{i:03d}",
                          name=f"{dept.name[len(name):]}行政许可", kind=ItemKind.LICENSING,
                          legal_basis="《中华人民共和国行政许可法》", materials="申请书\n身份证明",
                          process="受理\n审核\n决定", statutory_limit_days=20, promised_limit_days=7,
                          online=True, published=True, issues_certificate=True, certificate_name="许可证"),
                save_item(actor=admin, organisation=dept, window=w.windows[centre.pk], code=f"FW-{i:03d}",
                          name=f"{dept.name[len(name):]}便民服务", kind=other_kind, legal_basis="有关规定",
                          statutory_limit_days=10, promised_limit_days=0 if i % 2 else 3, online=i % 2 == 0,
                          published=True, fee_free=not charged,
                          fee_amount=Decimal(10 * (1 + i % 5)) if charged else None,
                          fee_unit="件" if charged else ""),
            ]  # fmt: skip
    for gov in w.governments:
        w.channels[gov.pk] = {
            kind: create_channel(actor=admin, organisation=gov, kind=kind, name=label, limit_days=limit)
            for kind, label, limit in (("mailbox", "县长信箱", 15), ("hotline", "政务服务热线", 15),
                                       ("forwarded", "12345热线转办", 10))
        }  # fmt: skip
    w.all_units = [o for g in w.governments for o in (g, *w.departments[g.pk], *w.townships[g.pk])]
    w.all_units += list(w.centres.values())


def disclosure_items(w: World) -> None:
    """Items and news published over the two years; documents of the report's table 二 among them."""
    from gongkai.disclosure.models import Category, DisclosureItem, Genre
    from gongkai.orgs.models import OrgKind

    rng = w.rng
    loader = Loader(DisclosureItem, w.vendor)
    genres = dict(Genre.objects.values_list("code", "pk"))
    categories = list(Category.objects.values_list("pk", flat=True))
    other_genre = w.pick(GENRES)
    weights = {OrgKind.GOVERNMENT: 6, OrgKind.DEPARTMENT: 2, OrgKind.TOWNSHIP: 1, OrgKind.CENTRE: 1}
    units = w.all_units
    unit_weights = list(accumulate(weights[o.kind] for o in units))
    serial: dict[tuple[int, int], int] = defaultdict(int)
    doc_serial: dict[tuple[int, int], int] = defaultdict(int)
    w.index_serials = serial
    last = date(YEAR + 1, 10, 31)  # validity changes up to now

    def rows() -> Iterator[tuple]:
        days = w.sorted_days(w.args.items, workdays_share=0.9)
        for n in range(w.args.items):
            published = next(days)
            org = rng.choices(units, cum_weights=unit_weights)[0]
            news = rng.random() < 0.2
            genre = None
            doc = False
            if not news:
                r = rng.random()
                if org.pk == w.province.pk and r < 0.05:
                    genre, doc = "rule", True  # 规章: the province government's
                elif org.kind != OrgKind.CENTRE and r < (0.06 if org.kind != OrgKind.TOWNSHIP else 0.01):
                    genre, doc = "normative", True
                else:
                    genre = other_genre()
            formed = published - timedelta(days=min(int(rng.expovariate(1 / 4)), 40))
            due = w.add(formed, 20)
            status = "published"
            r = rng.random()
            if r < 0.015:
                status = "draft"
            elif r < 0.02:
                status = "submitted"
            elif r < 0.03:
                status = "withdrawn"
            live = status in ("published", "withdrawn")
            year = published.year
            index_no = None
            if live:
                serial[(org.pk, year)] += 1
                index_no = f"{org.code}/{year}-{serial[(org.pk, year)]:05d}"
            doc_number = ""
            if doc or (not news and rng.random() < 0.15):
                doc_serial[(org.pk, year)] += 1
                doc_number = f"{org.name[:2]}发〔{year}〕{doc_serial[(org.pk, year)]}号"
            validity, changed = "valid", None
            if doc and live:
                r = rng.random()
                if r < 0.09:
                    validity = "repealed" if r < 0.05 else ("expired" if r < 0.07 else "amended")
                    changed = min(published + timedelta(days=rng.randint(30, 600)), last)
            topic = TOPICS[n % len(TOPICS)]
            title = f"{org.name}关于{year}年{topic}工作的{'通知' if doc else '公告'}"
            body_text = (
                f"为做好{topic}工作，根据有关规定，现将{year}年{topic}有关事项公开如下。" * rng.randint(2, 6)
            )
            yield loader.row(
                kind="news" if news else "item", organisation_id=org.pk, status=status, index_no=index_no,
                title=title, summary=f"{year}年{topic}", body=f"<p>{body_text}</p>", body_text=body_text,
                doc_number=doc_number, written_on=formed if doc_number else None, formed_on=formed,
                submitted_at=w.stamp(formed, 10) if status != "draft" else None,
                published_at=w.stamp(published, 0) if live else None, published_on=published if live else None,
                category_id=categories[n % len(categories)], genre_id=genres[genre] if genre else None,
                keywords=topic, channels='["website"]', validity=validity, validity_changed_on=changed,
                due_on=due, late=(published > due) if live else None,
                created_at=w.stamp(formed, 9), updated_at=w.stamp(published, 11),
            )  # fmt: skip

    loader.load(rows())


def applications(w: World) -> None:
    """Applications received over the two years and the December before, all replied by now."""
    from gongkai.applications.idcard import check_char
    from gongkai.applications.models import Application
    from gongkai.applications.outcomes import ALLOWED, PROVIDES_INFORMATION

    rng = w.rng
    loader = Loader(Application, w.vendor)
    channel, applicant, outcome = w.pick(APP_CHANNELS), w.pick(APPLICANTS), w.pick(OUTCOMES)
    units = [o for o in w.all_units if o.kind != "centre"]
    unit_weights = list(
        accumulate(4 if o.kind == "government" else (2 if o.kind == "department" else 1) for o in units)
    )
    serial: dict[int, int] = defaultdict(int)
    w.application_serials = serial
    replies = ALLOWED["2019"]
    # Valid identity card numbers (the check digit computed as the intake's check wants it).
    bodies = [f"430223{1960 + k % 40}0{1 + k % 9}{10 + k % 18}{k:03d}" for k in range(1000)]
    person_ids = [b + check_char(b) for b in bodies]

    def rows() -> Iterator[tuple]:
        days = w.sorted_days(w.args.applications, start=SLIVER_DAY)
        for n in range(w.args.applications):
            received = next(days)
            org = rng.choices(units, cum_weights=unit_weights)[0]
            kind = applicant()
            result = outcome()
            r = rng.random()
            if r < 0.90:
                used, extended = rng.randint(1, 20), False
            elif r < 0.96:
                used, extended = rng.randint(21, 40), True  # extended by 20 working days: on time
            else:
                used, extended = rng.randint(21, 30), False  # late
            due = w.add(received, 40 if extended else 20)
            replied = w.add(received, used)
            serial[received.year] += 1
            number = f"YSQ{received.year}{serial[received.year]:06d}"
            person = kind == "person"
            id_number = person_ids[n % 1000] if person else f"9143{n:014d}"
            yield loader.row(
                case_number=number, tracking_hash=hashlib.sha256(number.encode()).hexdigest(),
                organisation_id=org.pk, rule_set="2019", channel=channel(), status="closed",
                submitted_at=w.stamp(received, 9), received_on=received, applicant_type=kind,
                applicant_name="李某" if person else "某某有限公司", id_type="resident_id" if person else "credit_code",
                id_number=id_number, phone="13800000000",
                applicant_key=hashlib.sha256(f"{id_number}/{org.pk}".encode()).hexdigest(),
                info_title=f"{received.year}年{TOPICS[n % len(TOPICS)]}有关信息", description="请提供相关文件",
                info_form="electronic", delivery="email", outcome=result, reply_type=replies[result][0],
                legal_basis="《中华人民共和国政府信息公开条例》", reply_text="经审查，现答复如下。", replied_on=replied,
                on_time=replied <= due, delivered_on=replied if result in PROVIDES_INFORMATION else None,
                created_at=w.stamp(received, 9), updated_at=w.stamp(replied, 16),
            )  # fmt: skip

    loader.load(rows())


def letters(w: World) -> None:
    """Mailbox letters, hotline calls and forwarded cases of every government, handled to the end."""
    from gongkai.interaction.models import Letter

    rng = w.rng
    loader = Loader(Letter, w.vendor)
    kind_of = w.pick({"mailbox": 35, "hotline": 45, "forwarded": 20})
    govs = w.governments
    gov_weights = list(accumulate(3 if g.pk == w.province.pk else 1 for g in govs))
    serial: dict[int, int] = defaultdict(int)
    w.letter_serials = serial
    cats = w.letter_categories

    def rows() -> Iterator[tuple]:
        days = w.sorted_days(w.args.letters, workdays_share=0.7)
        for n in range(w.args.letters):
            received = next(days)
            gov = rng.choices(govs, cum_weights=gov_weights)[0]
            kind = kind_of()
            channel = w.channels[gov.pk][kind]
            serial[received.year] += 1
            number = f"HD{received.year}{serial[received.year]:06d}"
            values: dict[str, Any] = {}
            r = rng.random()
            if r < 0.08:  # not valid: spam, duplicates, petitions …
                values = {"status": "invalid", "valid": False, "invalid_reason": "out_of_scope",
                          "triaged_on": received}  # fmt: skip
                replied = received
            elif kind == "hotline" and r < 0.45:  # answered on the spot (当场答复)
                values = {"status": "closed", "valid": True, "answered_on_spot": True, "reply": "已当场答复。",
                          "triaged_on": received, "replied_on": received, "on_time": True}  # fmt: skip
                replied = received
            else:
                limit = 10 if kind == "forwarded" else 15
                used = rng.randint(1, limit) if rng.random() < 0.93 else rng.randint(limit + 1, limit + 10)
                replied = w.add(received, used)
                lead = rng.choice(w.departments[gov.pk])
                values = {"status": "closed", "valid": True, "triaged_on": received, "lead_unit_id": lead.pk,
                          "reply": "您反映的问题已转相关部门办理，现答复如下。", "reply_unit_id": lead.pk,
                          "replied_on": replied, "on_time": used <= limit,
                          "rating": ("satisfied", "satisfied", "basic", "not")[n % 4], "rated_on": replied}  # fmt: skip
            if kind == "forwarded":
                values.update(external_number=f"12345-{received.year}-{n:07d}", forwarded_on=received,
                              external_limit_days=10)  # fmt: skip
            yield loader.row(
                case_number=number, tracking_hash=hashlib.sha256(number.encode()).hexdigest(),
                channel_id=channel.pk, organisation_id=gov.pk, category_id=cats[n % len(cats)],
                received_at=w.stamp(received, 10), received_on=received, writer_name="王某",
                phone="139****0000", subject=f"关于{TOPICS[n % len(TOPICS)]}的问题",
                body="我想反映一个问题，请有关部门尽快处理并答复，谢谢。", created_at=w.stamp(received, 10),
                updated_at=w.stamp(replied, 17), **values,
            )  # fmt: skip

    loader.load(rows())


def service_cases(w: World) -> None:
    """Cases of every department's items at the centre, the townships' windows and online."""
    from gongkai.services.models import ServiceCase

    rng = w.rng
    loader = Loader(ServiceCase, w.vendor)
    how = w.pick({"window": 60, "township": 25, "online": 15})
    counties = w.governments[1:]
    depts = [(c, d) for c in counties for d in w.departments[c.pk]]
    serial: dict[tuple[int, int], int] = defaultdict(int)
    w.case_serials = serial
    prefixes: dict[int, str] = {}

    def rows() -> Iterator[tuple]:
        days = w.sorted_days(w.args.cases, workdays_share=0.97)
        for n in range(w.args.cases):
            received = next(days)
            county, dept = depts[rng.randrange(len(depts))]
            item = w.items_of[dept.pk][0 if rng.random() < 0.45 else 1]
            channel = how()
            if channel == "online" and not item.online:
                channel = "window"
            if channel == "window":
                centre = w.centres[county.pk]
            elif channel == "township":
                centre = rng.choice(w.townships[county.pk])
            else:
                centre = None
            numbering = centre or county
            if numbering.pk not in prefixes:
                prefixes[numbering.pk] = numbering.code[-6:].upper()
            serial[(numbering.pk, received.year)] += 1
            number = f"{prefixes[numbering.pk]}-{received.year}-{serial[(numbering.pk, received.year)]:06d}"
            values: dict[str, Any] = {}
            if rng.random() < 0.02:
                values = {"status": "rejected", "rejection_reason": "材料不符合法定形式"}
                closed = received
            else:
                accepted = received if channel != "online" else w.add(received, rng.randint(0, 1))
                limit = item.promised_limit_days
                used = rng.randint(0, limit) if rng.random() < 0.96 else limit + rng.randint(1, 3)
                closed = w.add(accepted, used)
                approved = rng.random() < 0.97
                values = {"status": "completed", "accepted_on": accepted, "completed_on": closed,
                          "result": "approved" if approved else "denied", "on_time": used <= limit}  # fmt: skip
                if approved and item.issues_certificate:
                    values["certificate_number"] = f"ZS{number}"
                if not approved:
                    values["result_reason"] = "不符合法定条件"
                if not item.fee_free:
                    values.update(fee_quantity=Decimal(1), fee_amount=item.fee_amount, fee_receipt=f"R{number}",
                                  fee_collected_on=closed)  # fmt: skip
            yield loader.row(
                case_number=number, tracking_hash=hashlib.sha256(number.encode()).hexdigest(), item_id=item.pk,
                organisation_id=dept.pk, centre_id=centre.pk if centre else None,
                window_id=w.windows[centre.pk].pk if centre else None, channel=channel,
                applicant_kind="person" if n % 5 else "organisation", applicant_name="张某",
                id_number="430223199001011234", phone="13907330000", submitted_at=w.stamp(received, 10),
                received_on=received, created_at=w.stamp(received, 10), updated_at=w.stamp(closed, 16),
                **values,
            )  # fmt: skip

    loader.load(rows())


def year_records(w: World) -> None:
    """Disputes (table 四), decision counts, staff and spending per unit and year."""
    from gongkai.records.models import DecisionCount, DisputeCase, SpendingFigure, StaffFigure

    rng = w.rng
    now = w.stamp(date(YEAR + 1, 1, 20), 10)
    units = [o for o in w.all_units if o.kind != "centre"]
    end = date(YEAR + 1, 10, 31)
    disputes = Loader(DisputeCase, w.vendor)
    n_disputes = max(10, w.args.applications // 20)

    def dispute_rows() -> Iterator[tuple]:
        kind_of = w.pick(
            {"review": 60, "litigation_direct": 25, "litigation_after_review": 8, "complaint": 7}
        )
        result_of = w.pick({"maintained": 70, "corrected": 15, "other": 15})
        days = w.sorted_days(n_disputes)
        for n in range(n_disputes):
            filed = next(days)
            kind = kind_of()
            concluded = filed + timedelta(days=rng.randint(30, 200))
            done = concluded <= end and rng.random() < 0.97
            yield disputes.row(
                organisation_id=rng.choice(units).pk, kind=kind, reference=f"复字〔{filed.year}〕{n + 1}号",
                subject="政府信息公开答复", body="省人民政府" if kind == "review" else "人民法院", filed_on=filed,
                concluded_on=concluded if done else None, result=result_of() if done else "pending",
                created_at=w.stamp(filed), updated_at=w.stamp(concluded if done else filed),
            )  # fmt: skip

    disputes.load(dispute_rows())
    counts, staff, spending = (Loader(m, w.vendor) for m in (DecisionCount, StaffFigure, SpendingFigure))
    common = {"source": "imported", "entered_at": now}

    def count_rows() -> Iterator[tuple]:
        for year in (YEAR - 1, YEAR):
            for unit in units:
                if unit.kind != "department":
                    continue
                yield counts.row(organisation_id=unit.pk, year=year, kind="penalty", count=rng.randint(0, 800),
                                 **common)  # fmt: skip
                if rng.random() < 0.5:
                    yield counts.row(organisation_id=unit.pk, year=year, kind="enforcement",
                                     count=rng.randint(0, 60), **common)  # fmt: skip
                if rng.random() < 0.2:
                    yield counts.row(organisation_id=unit.pk, year=year, kind="licensing",
                                     count=rng.randint(0, 300), **common)  # fmt: skip

    counts.load(count_rows())
    staff.load(staff.row(organisation_id=u.pk, year=y, full_time=rng.randint(0, 2), part_time=rng.randint(1, 3),
                         **common) for y in (YEAR - 1, YEAR) for u in units)  # fmt: skip
    spending.load(spending.row(organisation_id=u.pk, year=y, amount=Decimal(rng.randint(5_000, 200_000)),
                               purpose="宣传培训、网站建设", **common) for y in (YEAR - 1, YEAR) for u in units)  # fmt: skip


def serials(w: World) -> None:
    """The serials continue after the bulk rows, as if the actions had numbered them."""
    from gongkai.applications.models import ApplicationSerial
    from gongkai.disclosure.models import IndexSerial
    from gongkai.interaction.models import LetterSerial
    from gongkai.services.models import CaseSerial

    IndexSerial.objects.bulk_create(
        [IndexSerial(organisation_id=o, year=y, last=n) for (o, y), n in w.index_serials.items()],
        batch_size=2000,
    )
    CaseSerial.objects.bulk_create(
        [CaseSerial(organisation_id=o, year=y, last=n) for (o, y), n in w.case_serials.items()],
        batch_size=2000,
    )
    ApplicationSerial.objects.bulk_create(
        [ApplicationSerial(year=y, last=n) for y, n in w.application_serials.items()]
    )
    LetterSerial.objects.bulk_create([LetterSerial(year=y, last=n) for y, n in w.letter_serials.items()])


def reference_records(w: World) -> None:
    """A few records of each kind made by the actions themselves, beside the bulk ones."""
    from gongkai.applications import actions as app_actions
    from gongkai.disclosure import actions as item_actions
    from gongkai.disclosure.models import Genre
    from gongkai.interaction.actions import register_letter
    from gongkai.interaction.models import Category as LetterCategory
    from gongkai.orgs.models import Role
    from gongkai.records import actions as rec_actions
    from gongkai.services import actions as svc_actions
    from tests import factories
    from tests.applications.conftest import PERSON

    county = w.governments[1]
    dept = w.departments[county.pk][0]
    reviewer = factories.make_staff(actor=w.root, organisation=w.province, role=Role.REVIEWER,
                                    username="bench_reviewer")  # fmt: skip
    staff = factories.make_staff(actor=w.root, organisation=w.centres[county.pk], role=Role.WINDOW,
                                 username="bench_window")  # fmt: skip
    for received, replied, outcome in ((date(YEAR - 1, 12, 23), date(YEAR, 1, 8), "open"),
                                       (date(YEAR, 3, 3), date(YEAR, 3, 10), "partial"),
                                       (date(YEAR, 12, 22), date(YEAR + 1, 1, 6), "unable_1")):  # fmt: skip
        app, _code = app_actions.register_application(actor=reviewer, organisation=dept, channel="in_person",
                                                      submitted_on=received, **PERSON)  # fmt: skip
        app_actions.reply_application(actor=reviewer, application=app, outcome=outcome,
                                      reply_type={"open": "r19_provide", "partial": "r19_partial",
                                                  "unable_1": "r19_nonexistent"}[outcome],
                                      legal_basis="第三十六条", text="答复如下", on=replied)  # fmt: skip
    for genre, written in (("normative", date(YEAR, 2, 10)), ("rule", date(YEAR - 1, 5, 6))):
        org = county if genre == "normative" else w.province
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
    rec_actions.conclude_dispute(
        actor=reviewer, case=review, result="corrected", concluded_on=date(YEAR, 7, 1)
    )
    rec_actions.save_dispute(actor=reviewer, organisation=dept, kind="litigation_after_review",
                             reference="行初字〔参〕2号", subject="不予公开决定", filed_on=date(YEAR, 8, 1),
                             review_case=review)  # fmt: skip
    rec_actions.set_decision_count(actor=w.admin, organisation=w.province_departments[0], year=YEAR,
                                   kind="penalty", count=17)  # fmt: skip
    rec_actions.set_staff_figure(actor=w.admin, organisation=w.province_departments[0], year=YEAR, full_time=1,
                                 part_time=2)  # fmt: skip
    rec_actions.set_spending(actor=w.admin, organisation=w.province_departments[0], year=YEAR, amount="80000")
    register_letter(actor=w.admin, channel=w.channels[county.pk]["hotline"],
                    category=LetterCategory.objects.order_by("pk").first(), received_on=date(YEAR, 6, 2),
                    answered_on_spot="已当场答复办理时间。", writer_name="赵某", subject="咨询办事时间",
                    body="请问政务服务中心周六是否办公？")  # fmt: skip


def analyze(w: World) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if w.vendor == "postgresql" else "ANALYZE")


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
