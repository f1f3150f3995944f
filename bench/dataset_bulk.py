"""The bulk stages of ``bench/dataset.py``: items, their search index, applications, letters,
service cases and the year records (disputes, decision counts, staff, spending).

Each stage generates its rows from its own seeded random stream (``World.rng``) and writes them
with ``Loader`` (COPY on PostgreSQL, executemany on SQLite), CHUNK rows per transaction with the
stage's progress; it returns its rows in all and the serials it used, which the ``serials`` stage
continues. ``World`` is the organisations and catalogue read back from the database, with the
working-day calendar and the helpers the rows share.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import multiprocessing
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataset import Spec

YEAR = 2025  # the last year of records (and the annual report's year)
CHUNK = 20_000

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


# --- the bulk stages ---------------------------------------------------------------------------------


def _progress(w: World) -> Callable[[int], None]:
    return lambda done: w.book.put(w.stage, done)


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
