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
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import multiprocessing
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")

YEAR = 2025  # the last year of records (and the annual report's year)
DEPARTMENTS = ["发展和改革局", "财政局", "教育局", "公安局", "民政局", "人力资源和社会保障局", "自然资源局",
               "住房和城乡建设局", "交通运输局", "农业农村局", "卫生健康局", "市场监督管理局", "司法局", "审计局",
               "统计局", "林业局", "水利局", "商务局", "文化旅游广电体育局", "应急管理局", "退役军人事务局",
               "生态环境分局", "医疗保障局", "城市管理和综合执法局", "科学技术局", "工业和信息化局", "档案局",
               "信访局", "行政审批服务局", "数据资源局"]  # fmt: skip
CHUNK = 20_000
STAGE_TABLE = "bench_dataset_stage"
PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"

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


class Progress:
    """A progress bar on stderr (redrawn at most a few times a second)."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.started, self.shown = label, max(total, 1), time.monotonic(), 0.0

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.shown < 0.5:
            return
        self.shown = now
        frac = min(done / self.total, 1.0)
        bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
        rate = done / max(now - self.started, 1e-6)
        print(f"\r{self.label:<13}[{bar}] {frac:4.0%} {done:>9}/{self.total} {rate:8.0f}/s", end="",
              file=sys.stderr, flush=True)  # fmt: skip

    def finish(self, done: int) -> None:
        self.update(done, force=True)
        print(file=sys.stderr, flush=True)


# --- bulk rows ---------------------------------------------------------------------------------------


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

    def load(
        self, rows: Iterator[tuple], *, skip: int = 0, progress: Callable[[int], None] | None = None,
        total: int = 0,
    ) -> int:  # fmt: skip
        """Write the rows after the first ``skip`` (already committed), CHUNK per transaction;
        ``progress(done)`` runs inside each chunk's transaction. Returns the rows written now."""
        from django.db import connection, transaction

        table = self.model._meta.db_table
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        for _ in zip(range(skip), rows, strict=False):
            pass  # regenerated (the serials and the random stream advance), not written again
        done, written = skip, 0
        bar = Progress(table.split("_", 1)[-1], total) if total else None
        while True:
            chunk = [r for _, r in zip(range(CHUNK), rows, strict=False)]
            if not chunk:
                if bar:
                    bar.finish(done)
                return written
            done += len(chunk)
            written += len(chunk)
            with transaction.atomic(), connection.cursor() as cursor:
                if self.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for r in chunk:
                            copy.write_row(r)
                else:
                    marks = ", ".join(["%s"] * len(self.fields))
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", chunk)
                if progress:
                    progress(done)
            if bar:
                bar.update(done)


class World:
    """The organisations and catalogue (read back from the database) and helpers for the bulk rows."""

    def __init__(self, spec: Spec, vendor: str) -> None:
        from gongkai.workdays.calendar import get_calendar

        self.spec, self.vendor = spec, vendor
        self.cal = get_calendar()
        self._due: dict[tuple[date, int], date] = {}
        self._stamps: dict[tuple[date, int], Any] = {}
        self.first_day, self.last_day = date(spec.first_year, 1, 1), date(YEAR, 12, 31)
        self.sliver_day = date(spec.first_year - 1, 12, 1)  # a few applications carried into the first year
        days = [self.first_day + timedelta(days=i) for i in range((self.last_day - self.first_day).days + 1)]
        self.workdays = [d for d in days if self.cal.is_workday(d)]
        self.days = days

    def rng(self, stage: str) -> random.Random:
        """A stage's own random stream: a resumed stage generates the same rows again."""
        return random.Random(f"{self.spec.seed}/{stage}")

    def load_orgs(self) -> None:
        """The organisation tree, windows, service items and channels, as the orgs stage made them."""
        from django.contrib.auth import get_user_model

        from gongkai.interaction.models import Category as LetterCategory
        from gongkai.interaction.models import Channel
        from gongkai.orgs.models import Organisation, OrgKind
        from gongkai.services.models import ServiceItem, ServiceWindow

        users = get_user_model().objects
        self.root, self.admin = users.get(username="bench_root"), users.get(username="bench_admin")
        orgs = list(Organisation.objects.order_by("pk"))
        children: dict[int | None, list[Any]] = defaultdict(list)
        for o in orgs:
            children[o.parent_id].append(o)
        self.province = children[None][0]  # the top government (the county itself at county scale)
        if self.spec.top:
            self.counties = [o for o in children[self.province.pk] if o.kind == OrgKind.GOVERNMENT]
            self.governments = [self.province, *self.counties]
        else:
            self.counties = self.governments = [self.province]
        self.departments = {g.pk: [o for o in children[g.pk] if o.kind == OrgKind.DEPARTMENT]
                            for g in self.governments}  # fmt: skip
        self.province_departments = self.departments[self.province.pk]
        self.townships = {g.pk: [o for o in children[g.pk] if o.kind == OrgKind.TOWNSHIP] for g in self.governments}
        self.centres = {c.pk: next(o for o in children[c.pk] if o.kind == OrgKind.CENTRE) for c in self.counties}
        self.windows = {w.centre_id: w for w in ServiceWindow.objects.order_by("pk")}
        self.items_of: dict[int, list[Any]] = defaultdict(list)
        for item in ServiceItem.objects.order_by("pk"):
            self.items_of[item.organisation_id].append(item)
        self.channels: dict[int, dict[str, Any]] = defaultdict(dict)
        for ch in Channel.objects.order_by("pk"):
            self.channels[ch.organisation_id][ch.kind] = ch
        self.letter_categories = list(LetterCategory.objects.order_by("pk").values_list("pk", flat=True))
        self.all_units = [o for g in self.governments for o in (g, *self.departments[g.pk], *self.townships[g.pk])]
        self.all_units += list(self.centres.values())

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

    def sorted_days(
        self, rng: random.Random, n: int, workdays_share: float = 0.95, start: date | None = None
    ) -> Iterator[date]:
        """``n`` days in order (most of them working days), as records arrive over the years."""
        picks = []
        extra = [] if start is None else [start + timedelta(days=i) for i in range((self.first_day - start).days)]
        for _ in range(n):
            if extra and rng.random() < 0.01:
                picks.append(rng.choice(extra))
            elif rng.random() < workdays_share:
                picks.append(rng.choice(self.workdays))
            else:
                picks.append(rng.choice(self.days))
        picks.sort()
        return iter(picks)

    @staticmethod
    def pick(rng: random.Random, weights: dict[str, int]) -> Callable[[], str]:
        """A drawer of keys by weight (cumulative weights computed once, not per draw)."""
        keys, cum = list(weights), list(accumulate(weights.values()))
        total = cum[-1]
        return lambda: keys[bisect.bisect_right(cum, rng.random() * total)]


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


def _progress(w: World) -> Callable[[int], None]:
    return lambda done: w.book.put(w.stage, done)


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


def disclosure_items(w: World) -> tuple[int, dict]:
    """Items and news published over the years; documents of the report's table 二 among them."""
    from gongkai.disclosure.models import Category, DisclosureItem, Genre
    from gongkai.orgs.models import OrgKind

    rng = w.rng("items")
    n_items = w.spec.items
    loader = Loader(DisclosureItem, w.vendor)
    genres = dict(Genre.objects.values_list("code", "pk"))
    categories = list(Category.objects.order_by("pk").values_list("pk", flat=True))
    other_genre = w.pick(rng, GENRES)
    weights = {OrgKind.GOVERNMENT: 6, OrgKind.DEPARTMENT: 2, OrgKind.TOWNSHIP: 1, OrgKind.CENTRE: 1}
    units = w.all_units
    unit_weights = list(accumulate(weights[o.kind] for o in units))
    serial: dict[tuple[int, int], int] = defaultdict(int)
    doc_serial: dict[tuple[int, int], int] = defaultdict(int)
    last = date(YEAR + 1, 10, 31)  # validity changes up to now
    issues_rules = bool(w.spec.top)  # 规章: a province's or city's government, never a county's

    def rows() -> Iterator[tuple]:
        days = w.sorted_days(rng, n_items, workdays_share=0.9)
        for n in range(n_items):
            published = next(days)
            org = rng.choices(units, cum_weights=unit_weights)[0]
            news = rng.random() < 0.2
            genre = None
            doc = False
            if not news:
                r = rng.random()
                if issues_rules and org.pk == w.province.pk and r < 0.05:
                    genre, doc = "rule", True
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

    written = w.skip + loader.load(rows(), skip=w.skip, progress=_progress(w), total=n_items)
    return written, {"index": {f"{o}/{y}": n for (o, y), n in serial.items()}}


def _index_rows(batch: list[tuple[Any, list[str]]], vendor: str) -> list[list]:
    """The COPY rows of the index documents of ``(item, facets)`` pairs: segmenting and building
    the tsvector both in the worker (the main process only reads the items and copies)."""
    from gongkai.search.index import build_document, item_texts, segment_texts
    from gongkai.search.models import SearchDocument

    fields = [f.attname for f in SearchDocument._meta.concrete_fields]
    rows = []
    for item, facets in batch:
        doc = build_document(item, segment_texts(item_texts(item)), facets, vendor)
        rows.append([getattr(doc, f) for f in fields])
    return rows


def _init_worker() -> None:
    from gongkai.search.segment import warm_up

    warm_up()


def search_index(w: World) -> tuple[int, dict]:
    """Index rows of the published items (after the last one indexed), then the full-text index."""
    from django.db import connection, transaction

    from gongkai.disclosure.models import DisclosureItem, ItemStatus
    from gongkai.search import fts, index
    from gongkai.search.models import SearchDocument

    with connection.cursor() as cur:
        if w.vendor == "sqlite":
            for sql in fts.TRIGGERS_DROP:
                cur.execute(sql)
        else:
            cur.execute(f"DROP INDEX IF EXISTS {fts.GIN_INDEX}")
            # Statistics of the items just loaded: without them the planner took the batches'
            # "id > last ORDER BY id LIMIT n" for a few rows and read every remaining item per batch
            # (a bitmap scan and a sort; 900 items/s at province scale instead of 4,800).
            cur.execute(f"ANALYZE {DisclosureItem._meta.db_table}")
    qs = DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED).only(*index.ITEM_FIELDS).order_by("pk")
    total = qs.count()
    already = SearchDocument.objects.count()
    last = SearchDocument.objects.order_by("-item_id").values_list("item_id", flat=True).first() or 0
    facets = index.Facets(all_organisations=True)
    fields = list(SearchDocument._meta.concrete_fields)
    columns = ", ".join(f.column for f in fields)
    bar = Progress("index", total)
    done, written = already, 0
    batch_size = 4000
    connection.close()  # the workers are forked: they must not share the connection
    with multiprocessing.get_context("fork").Pool(w.processes, initializer=_init_worker) as pool:
        batch = list(qs.filter(pk__gt=last)[:batch_size])
        while batch:
            # The workers segment and build the documents; this process reads the next batch meanwhile.
            pairs = [(i, facets.of(i)) for i in batch]
            step = max(1, len(pairs) // (w.processes * 4))
            futures = [pool.apply_async(_index_rows, (pairs[k : k + step], w.vendor))
                       for k in range(0, len(pairs), step)]  # fmt: skip
            nxt = list(qs.filter(pk__gt=batch[-1].pk)[:batch_size])
            rows = [r for f in futures for r in f.get()]
            with transaction.atomic():
                if w.vendor == "postgresql":  # COPY: several times faster than INSERTs of large tsvectors
                    with (
                        connection.cursor() as cur,
                        cur.cursor.copy(f"COPY {fts.DOC_TABLE} ({columns}) FROM STDIN") as copy,
                    ):
                        for row in rows:
                            copy.write_row(row)
                else:
                    names = [f.attname for f in fields]
                    SearchDocument.objects.bulk_create(
                        [SearchDocument(**dict(zip(names, row, strict=True))) for row in rows], batch_size=1000
                    )
                done += len(rows)
                written += len(rows)
                w.book.put(w.stage, done)
            bar.update(done)
            batch = nxt
    bar.finish(done)
    print("index: building the full-text index …", file=sys.stderr, flush=True)
    with connection.cursor() as cur:
        if w.vendor == "postgresql":
            cur.execute(f"CREATE INDEX IF NOT EXISTS {fts.GIN_INDEX} ON {fts.DOC_TABLE} USING gin (vector)")
    if w.vendor == "sqlite":
        index.finish_rebuild()  # 'rebuild' replaces whatever the FTS5 table held
    return done, {}


def applications(w: World) -> tuple[int, dict]:
    """Applications received over the years and the December before, all replied by now."""
    from gongkai.applications.idcard import check_char
    from gongkai.applications.models import Application
    from gongkai.applications.outcomes import ALLOWED, PROVIDES_INFORMATION

    rng = w.rng("applications")
    n_apps = w.spec.applications
    loader = Loader(Application, w.vendor)
    channel, applicant, outcome = w.pick(rng, APP_CHANNELS), w.pick(rng, APPLICANTS), w.pick(rng, OUTCOMES)
    units = [o for o in w.all_units if o.kind != "centre"]
    unit_weights = list(
        accumulate(4 if o.kind == "government" else (2 if o.kind == "department" else 1) for o in units)
    )
    serial: dict[int, int] = defaultdict(int)
    replies = ALLOWED["2019"]
    # Valid identity card numbers (the check digit computed as the intake's check wants it).
    bodies = [f"430223{1960 + k % 40}0{1 + k % 9}{10 + k % 18}{k:03d}" for k in range(1000)]
    person_ids = [b + check_char(b) for b in bodies]

    def rows() -> Iterator[tuple]:
        days = w.sorted_days(rng, n_apps, start=w.sliver_day)
        for n in range(n_apps):
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

    written = w.skip + loader.load(rows(), skip=w.skip, progress=_progress(w), total=n_apps)
    return written, {"applications": {str(y): n for y, n in serial.items()}}


def letters(w: World) -> tuple[int, dict]:
    """Mailbox letters, hotline calls and forwarded cases of every government, handled to the end."""
    from gongkai.interaction.models import Letter

    rng = w.rng("letters")
    n_letters = w.spec.letters
    loader = Loader(Letter, w.vendor)
    kind_of = w.pick(rng, {"mailbox": 35, "hotline": 45, "forwarded": 20})
    govs = w.governments
    gov_weights = list(accumulate(3 if g.pk == w.province.pk and w.spec.top else 1 for g in govs))
    serial: dict[int, int] = defaultdict(int)
    cats = w.letter_categories

    def rows() -> Iterator[tuple]:
        days = w.sorted_days(rng, n_letters, workdays_share=0.7)
        for n in range(n_letters):
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

    written = w.skip + loader.load(rows(), skip=w.skip, progress=_progress(w), total=n_letters)
    return written, {"letters": {str(y): n for y, n in serial.items()}}


def service_cases(w: World) -> tuple[int, dict]:
    """Cases of every department's items at the centre, the townships' windows and online."""
    from gongkai.services.models import ServiceCase

    rng = w.rng("cases")
    n_cases = w.spec.cases
    loader = Loader(ServiceCase, w.vendor)
    how = w.pick(rng, {"window": 60, "township": 25, "online": 15})
    depts = [(c, d) for c in w.counties for d in w.departments[c.pk]]
    serial: dict[tuple[int, int], int] = defaultdict(int)
    prefixes: dict[int, str] = {}

    def rows() -> Iterator[tuple]:
        days = w.sorted_days(rng, n_cases, workdays_share=0.97)
        for n in range(n_cases):
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

    written = w.skip + loader.load(rows(), skip=w.skip, progress=_progress(w), total=n_cases)
    return written, {"cases": {f"{o}/{y}": n for (o, y), n in serial.items()}}


def year_records(w: World) -> tuple[int, dict]:
    """Disputes (table 四), decision counts, staff and spending per unit and year (one transaction)."""
    from django.db import transaction

    from gongkai.records.models import DecisionCount, DisputeCase, SpendingFigure, StaffFigure

    rng = w.rng("records")
    now = w.stamp(date(YEAR + 1, 1, 20), 10)
    units = [o for o in w.all_units if o.kind != "centre"]
    years = range(w.spec.first_year, YEAR + 1)
    end = date(YEAR + 1, 10, 31)
    disputes = Loader(DisputeCase, w.vendor)
    n_disputes = max(10, w.spec.applications // 20)

    def dispute_rows() -> Iterator[tuple]:
        kind_of = w.pick(rng, {"review": 60, "litigation_direct": 25, "litigation_after_review": 8,
                               "complaint": 7})  # fmt: skip
        result_of = w.pick(rng, {"maintained": 70, "corrected": 15, "other": 15})
        days = w.sorted_days(rng, n_disputes)
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

    counts, staff, spending = (Loader(m, w.vendor) for m in (DecisionCount, StaffFigure, SpendingFigure))
    common = {"source": "imported", "entered_at": now}

    def count_rows() -> Iterator[tuple]:
        for year in years:
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

    with transaction.atomic():  # all or nothing (small): a rerun starts again
        written = disputes.load(dispute_rows())
        written += counts.load(count_rows())
        written += staff.load(staff.row(organisation_id=u.pk, year=y, full_time=rng.randint(0, 2),
                                        part_time=rng.randint(1, 3), **common) for y in years for u in units)  # fmt: skip
        written += spending.load(spending.row(organisation_id=u.pk, year=y, amount=Decimal(rng.randint(5_000, 200_000)),
                                              purpose="宣传培训、网站建设", **common) for y in years for u in units)  # fmt: skip
    return written, {}


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
