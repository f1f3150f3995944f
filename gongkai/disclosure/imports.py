"""Importing tables (CSV or XLSX): the generic reader, the registry of import kinds,
and the disclosure items import.

Reading a file: :func:`read_table` sniffs the content (an XLSX workbook is a zip;
anything else is CSV, decoded as UTF-8 with or without a BOM, else GB18030,
which covers GBK), enforces the size limits and yields numbered rows (the
header is row 1, as a spreadsheet shows it).

Kinds: ``gongkai import KIND FILE`` looks the kind up in :data:`IMPORTERS`. A module
adds its own kind by defining an :class:`Importer` subclass in ``<app>/imports.py``
decorated with :func:`register_importer`; every app's ``imports`` module is
imported when the registry is first asked (:func:`importers`).

Items: :func:`parse_item_rows` turns the rows into :class:`~gongkai.disclosure.bulk.ItemRow`
values, checking every cell; :func:`import_items_file` then stores them through
the :func:`~gongkai.disclosure.bulk.import_items` action. Either every row is
stored or none, and every problem is reported with its row, column and reason.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from gongkai.disclosure.bulk import (
    COLUMNS,
    ImportRejected,
    ImportResult,
    ItemRow,
    Progress,
    RowError,
    import_items,
    validate_rows,
)
from gongkai.disclosure.models import Category, Channel, Genre, ItemKind, Validity
from gongkai.orgs.codes import normalise_code
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.scope import scope_ids
from gongkai.workdays.models import MAX_YEAR, MIN_YEAR

MAX_BYTES = 50 * 1024 * 1024  # a county catalogue of ~30,000 items with bodies is about 30 MB
MAX_ROWS = 100_000
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # an XLSX is a zip: refuse one that unpacks to more than this
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

csv.field_size_limit(MAX_BYTES)

# --- reading tables ---------------------------------------------------------------------------


class FileRejected(ImportRejected):
    """The file as a whole cannot be read (wrong type, too large, no header …)."""

    def __init__(self, message: str) -> None:
        super().__init__([RowError(None, "", message)])


@dataclass
class Table:
    format: str  # "csv" or "xlsx"
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (row number, cells); blank rows are skipped


def sniff_format(data: bytes, filename: str = "") -> str:
    """``"xlsx"`` or ``"csv"``, from the content; a name ending in .xlsx must be a workbook."""
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith(".xls"):
        raise FileRejected(_("This is an old Excel (.xls) file; save it as .xlsx or CSV."))
    if name.endswith((".xlsx", ".xlsm")):
        raise FileRejected(_("The file is not a valid XLSX workbook."))
    return "csv"


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else GB18030 (a superset of GBK and GB2312)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(_("The file could not be read as text: save it as UTF-8 or GBK."))


def unescape_cell(value: Any) -> Any:
    """Undo the apostrophe that exports put before a formula-like text (``'=1+1`` → ``=1+1``)."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _limited(rows: Iterator[tuple[int, list[Any]]], max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    count = 0
    for number, cells in rows:
        if _blank(cells):
            continue
        count += 1
        if count > max_rows:
            raise FileRejected(_("The file has more than %(n)s rows.") % {"n": max_rows})
        yield number, [unescape_cell(c) for c in cells]


def _csv_rows(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    text = decode_text(data)
    if "\x00" in text:
        raise FileRejected(_("The file is not a CSV table (it contains binary data)."))
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count) if any(d in first for d in ",\t;") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise FileRejected(_("The file is not a valid CSV table: %(error)s") % {"error": exc}) from exc
    if header is None:
        raise FileRejected(_("The file is empty."))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileRejected(
                    _("Row %(row)s is not valid CSV: %(error)s") % {"row": number + 1, "error": exc}
                ) from exc
            number += 1
            yield number, cells

    return header, rows()


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(_("The file is not a valid XLSX workbook.")) from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected(_("The file is not a valid XLSX workbook."))
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise FileRejected(_("The workbook is too large when unpacked."))


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _xlsx_rows(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    import openpyxl

    _check_zip(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        raw = sheet.iter_rows(min_row=1, values_only=True)  # read-only sheets yield gaps as empty rows
        header = None
        start = 0
        for values in raw:  # the first non-blank row is the header
            start += 1
            if not _blank(list(values)):
                header = ["" if v is None else str(v) for v in values]
                break
    except FileRejected:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged workbook
        raise FileRejected(_("The file is not a valid XLSX workbook.")) from exc
    if header is None:
        raise FileRejected(_("The file is empty."))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = start  # row number of the header
        try:
            for values in raw:
                number += 1
                yield number, [_cell(v) for v in values]
        except FileRejected:
            raise
        except Exception as exc:
            raise FileRejected(_("The file is not a valid XLSX workbook.")) from exc
        finally:
            workbook.close()

    return header, rows()


def read_table(
    data: bytes, filename: str = "", *, max_bytes: int | None = None, max_rows: int | None = None
) -> Table:
    """Open a CSV or XLSX table; blank rows are skipped, row numbers are the file's own."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_rows = MAX_ROWS if max_rows is None else max_rows
    if len(data) > max_bytes:
        raise FileRejected(_("The file is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)})
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    fmt = sniff_format(data, filename)
    header, rows = _xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data)
    return Table(fmt, [str(h) for h in header], _limited(rows, max_rows))


# --- columns ----------------------------------------------------------------------------------


def normalise_header(text: Any) -> str:
    value = unicodedata.normalize("NFKC", str(text or "")).replace("\ufeff", "").strip()
    value = re.sub(r"[*＊]|[（(]\s*(必填|选填|可选|required|optional)\s*[)）]", "", value, flags=re.I)
    return re.sub(r"[\s_\-]+", "_", value).strip("_").casefold()


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the canonical (Chinese) header
    aliases: tuple[str, ...] = ()
    required: bool = False
    ignored: bool = False  # accepted in a file, not imported (e.g. 索引号, assigned on publication)


def map_header(
    header: list[str], columns: list[Column]
) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """The index of each known column, the header text used for it, and the problems."""
    lookup: dict[str, Column] = {}
    for col in columns:
        for name in (col.header, col.field, *col.aliases):
            lookup[normalise_header(name)] = col
    index: dict[str, int] = {}
    used: dict[str, str] = {}
    errors: list[RowError] = []
    for i, text in enumerate(header):
        key = normalise_header(text)
        if not key:
            continue
        col = lookup.get(key)
        if col is None:
            errors.append(RowError(None, str(text).strip(), _("Unknown column.")))
        elif col.field in index:
            errors.append(RowError(None, str(text).strip(), _("The column appears twice.")))
        else:
            index[col.field] = i
            used[col.field] = str(text).strip()
    return index, used, errors


# --- the registry of import kinds -----------------------------------------------------------


class Importer:
    """One kind of import (``gongkai import KIND FILE``). Subclass and register."""

    kind: str = ""
    help: str = ""

    def add_arguments(self, parser: Any) -> None:
        """Options of ``gongkai import KIND`` beyond the file."""

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        """Import the file; return the lines of the summary. Raise ImportRejected on bad input."""
        raise NotImplementedError

    def template(self, fmt: str) -> bytes:
        """An empty file with the header row and one example row, as CSV or XLSX."""
        raise NotImplementedError


IMPORTERS: dict[str, Importer] = {}


def register_importer(cls: type[Importer]) -> type[Importer]:
    IMPORTERS[cls.kind] = cls()
    return cls


def importers() -> dict[str, Importer]:
    """Every registered import kind (each installed app's ``imports`` module is loaded first)."""
    autodiscover_modules("imports")
    return dict(sorted(IMPORTERS.items()))


# --- disclosure items ---------------------------------------------------------------------------

ITEM_COLUMNS = [
    Column("index_no", COLUMNS["index_no"], ("index_number", "index"), ignored=True),
    Column("title", COLUMNS["title"], ("标题", "name", "title"), required=True),
    Column("doc_number", COLUMNS["doc_number"], ("发文字号", "发文文号", "document_number", "doc_no")),
    Column(
        "organisation",
        COLUMNS["organisation"],
        ("发文机关", "发布单位", "organisation", "organization", "org", "publisher"),
    ),
    Column(
        "organisation_code",
        COLUMNS["organisation_code"],
        ("organisation_code", "organization_code", "org_code"),
    ),
    Column("category", COLUMNS["category"], ("subject_category", "subject", "category")),
    Column("genre", COLUMNS["genre"], ("genre", "form")),
    Column("kind", COLUMNS["kind"], ("信息类型", "kind", "type")),
    Column("written_on", COLUMNS["written_on"], ("成文时间", "date_written", "written")),
    Column(
        "formed_on",
        COLUMNS["formed_on"],
        ("生成时间", "变更日期", "生成/变更日期", "date_formed", "formed"),
        required=True,
    ),
    Column(
        "published_on",
        COLUMNS["published_on"],
        ("发布时间", "公开日期", "date_published", "published", "publication_date"),
    ),
    Column("validity", COLUMNS["validity"], ("效力状态", "validity")),
    Column("validity_changed_on", COLUMNS["validity_changed_on"], ("validity_changed", "validity_date")),
    Column("keywords", COLUMNS["keywords"], ("关键词", "keywords", "subject_words")),
    Column("channels", COLUMNS["channels"], ("公开方式", "公开渠道", "channels")),
    Column("summary", COLUMNS["summary"], ("摘要", "summary", "abstract", "description")),
    Column("body", COLUMNS["body"], ("内容", "body", "content", "text")),
    Column("id", "ID", ignored=True),  # in JSON-shaped tables converted to CSV
]

VALIDITY_ZH = {
    Validity.VALID: "有效",
    Validity.AMENDED: "已修改",
    Validity.REPEALED: "已废止",
    Validity.EXPIRED: "已失效",
}
KIND_ZH = {ItemKind.ITEM: "公开信息", ItemKind.NEWS: "政务动态"}
_VALIDITY_WORDS = {
    **{v: k for k, v in VALIDITY_ZH.items()},
    "现行有效": Validity.VALID, "修改": Validity.AMENDED, "废止": Validity.REPEALED, "失效": Validity.EXPIRED,
    "in force": Validity.VALID,
}  # fmt: skip
_KIND_WORDS = {
    **{v: k for k, v in KIND_ZH.items()},
    "政府信息": ItemKind.ITEM, "信息公开": ItemKind.ITEM, "动态": ItemKind.NEWS, "新闻": ItemKind.NEWS,
    "工作动态": ItemKind.NEWS,
}  # fmt: skip

_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: Any) -> date | None:
    """A date from a cell: a real date, ``2013-02-05``, ``2013/2/5``, ``2013年2月5日``, ``20130205``
    or an Excel serial number. Blank is None; anything else raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            return parse_date(str(int(value)))
        if not 1 <= value < 2958466:
            raise ValueError(value)
        from openpyxl.utils.datetime import from_excel

        day = from_excel(value).date()
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        match = _DATE.match(text) or _COMPACT_DATE.match(text)
        if not match:
            raise ValueError(value)
        day = date(*(int(g) for g in match.groups()))
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(value)
    return day


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


class _Names:
    """Resolve a cell to one object by code or name; report unknown and ambiguous names."""

    def __init__(self) -> None:
        self.by_code: dict[str, Any] = {}
        self.by_name: dict[str, list[Any]] = {}

    def add(self, obj: Any, code: str, *names: str) -> None:
        self.by_code[_key(code)] = obj
        for name in dict.fromkeys(n for n in names if n):
            self.by_name.setdefault(_key(name), []).append(obj)

    def find(self, text: str, prefer: Callable[[Any], bool] | None = None) -> list[Any]:
        key = _key(text)
        if key in self.by_code:
            return [self.by_code[key]]
        found = self.by_name.get(key, [])
        if len(found) > 1 and prefer is not None:
            found = [o for o in found if prefer(o)] or found
        return found


def _organisations(actor: Any) -> tuple[_Names, Callable[[Any], bool]]:
    from gongkai.orgs.policies import OrganisationPolicy

    qs = Organisation.objects.all() if actor is None else OrganisationPolicy().visible_to(actor)
    names = _Names()
    for org in qs.order_by("path", "id"):
        names.add(org, normalise_code(org.code), org.name, org.short_name)
    if actor is None or getattr(actor, "is_superuser", False):
        return names, lambda org: True
    writable = scope_ids(actor, (Role.CLERK, Role.REVIEWER, Role.ADMIN))
    return names, lambda org: org.pk in writable


def _vocabulary(model: type[Category] | type[Genre]) -> _Names:
    names = _Names()
    for obj in model.objects.all():
        names.add(obj, obj.code, obj.name)
    return names


CHANNEL_WORDS = {
    "政府网站": Channel.WEBSITE, "网站": Channel.WEBSITE, "门户网站": Channel.WEBSITE,
    "查阅场所": Channel.READING_ROOM, "查阅点": Channel.READING_ROOM, "阅览室": Channel.READING_ROOM,
    "政府公报": Channel.GAZETTE, "公报": Channel.GAZETTE,
    "报刊广播电视": Channel.MEDIA, "新闻媒体": Channel.MEDIA, "媒体": Channel.MEDIA,
    "公开栏": Channel.BULLETIN, "公告栏": Channel.BULLETIN, "宣传栏": Channel.BULLETIN,
    "短信": Channel.SMS, "手机短信": Channel.SMS, "热线": Channel.HOTLINE, "热线电话": Channel.HOTLINE,
}  # fmt: skip


def _channel_words() -> dict[str, str]:
    words = {_key(c): c for c in Channel.values} | {_key(k): v for k, v in CHANNEL_WORDS.items()}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            words.update({_key(str(label)): value for value, label in Channel.choices})
    return words


@dataclass
class ParsedItems:
    rows: list[ItemRow]
    errors: list[RowError]
    labels: dict[str, str]  # field → the header used in the file


def parse_item_rows(
    data: bytes, filename: str = "", *, actor: Any, default_organisation: Organisation | None = None,
    progress: Progress | None = None,
) -> ParsedItems:  # fmt: skip
    """Read an items table; every cell is checked and every problem is collected."""
    table = read_table(data, filename)
    index, used, errors = map_header(table.header, ITEM_COLUMNS)
    labels = {**COLUMNS, **used}
    for col in ITEM_COLUMNS:
        if col.required and col.field not in index:
            errors.append(RowError(None, col.header, _("The column is missing.")))
    if "organisation" not in index and "organisation_code" not in index and default_organisation is None:
        errors.append(RowError(None, COLUMNS["organisation"],
                               _("The column is missing (or choose a default organisation).")))  # fmt: skip
    if errors:
        raise ImportRejected(errors)

    orgs, prefer = _organisations(actor)
    categories, genres = _vocabulary(Category), _vocabulary(Genre)
    channel_words = _channel_words()
    rows: list[ItemRow] = []

    def cell(cells: list[Any], name: str) -> Any:
        i = index.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    for number, cells in table.rows:
        problems: list[RowError] = []

        def bad(name: str, message: str, number: int = number, problems: list[RowError] = problems) -> None:
            problems.append(RowError(number, labels[name], message))

        def text(name: str) -> str:
            return _text(cell(cells, name))  # noqa: B023 (used within this iteration only)

        def day(name: str) -> date | None:
            raw = cell(cells, name)  # noqa: B023
            try:
                return parse_date(raw)
            except (ValueError, OverflowError):
                bad(name, _("“%(value)s” is not a valid date (use YYYY-MM-DD).") % {"value": _text(raw)})
                return None

        org = _resolve_org(
            text("organisation"), text("organisation_code"), orgs, prefer, default_organisation, bad
        )
        category = _resolve(
            text("category"), categories, "category", _("Unknown subject category “%(value)s”."), bad
        )
        genre = _resolve(text("genre"), genres, "genre", _("Unknown genre “%(value)s”."), bad)

        kind = ItemKind.ITEM
        if raw := text("kind"):
            kind = _KIND_WORDS.get(raw) or next((k for k in ItemKind.values if _key(k) == _key(raw)), None)
            if kind is None:
                bad("kind", _("Unknown type “%(value)s” (use 公开信息 or 政务动态).") % {"value": raw})
        validity = Validity.VALID
        if raw := text("validity"):
            validity = _VALIDITY_WORDS.get(_key(raw)) or _VALIDITY_WORDS.get(raw) \
                or next((v for v in Validity.values if v == _key(raw)), None)  # fmt: skip
            if validity is None:
                bad(
                    "validity",
                    _("Unknown validity “%(value)s” (use 有效, 已修改, 已废止 or 已失效).") % {"value": raw},
                )
        channels: list[str] = []
        if raw := text("channels"):
            for word in filter(None, (w.strip() for w in re.split(r"[,，、;；/]", raw))):
                if _key(word) in channel_words:
                    channels.append(channel_words[_key(word)])
                else:
                    bad("channels", _("Unknown channel “%(value)s”.") % {"value": word})

        title = text("title")
        if not title:
            bad("title", _("This value is required."))
        formed_on = day("formed_on")
        if formed_on is None and not any(p.column == labels["formed_on"] for p in problems):
            bad("formed_on", _("This value is required."))
        written_on, published_on, changed_on = (
            day("written_on"),
            day("published_on"),
            day("validity_changed_on"),
        )

        if problems or org is None:  # (no organisation is always reported)
            errors.extend(problems)
            continue
        rows.append(ItemRow(
            row=number, organisation=org, title=title, formed_on=formed_on, kind=kind or ItemKind.ITEM,
            summary=text("summary"), body=_text(cell(cells, "body")), doc_number=text("doc_number"),
            written_on=written_on, category=category, genre=genre, keywords=text("keywords"), channels=channels,
            published_on=published_on, validity=validity or Validity.VALID, validity_changed_on=changed_on,
        ))  # fmt: skip
        if progress and number % 5000 == 0:
            progress("read", len(rows), 0)
    if not rows and not errors:
        raise FileRejected(_("The file has a header but no rows."))
    return ParsedItems(rows, errors, labels)


def _resolve(text: str, names: _Names, name: str, message: str, bad: Callable[[str, str], None]) -> Any:
    if not text:
        return None
    found = names.find(text)
    if len(found) == 1:
        return found[0]
    if not found:
        bad(name, message % {"value": text})
    else:
        bad(name, _("“%(value)s” is ambiguous; give the code.") % {"value": text})
    return None


def _resolve_org(
    name: str, code: str, orgs: _Names, prefer: Callable[[Any], bool], default: Organisation | None,
    bad: Callable[[str, str], None],
) -> Organisation | None:  # fmt: skip
    by_code = None
    if code:
        by_code = orgs.by_code.get(_key(normalise_code(code)))
        if by_code is None:
            bad("organisation_code", _("Unknown organisation “%(value)s”.") % {"value": code})
            return None
    if name:
        found = orgs.find(name, prefer)
        if not found and _key(normalise_code(name)) in orgs.by_code:  # a code in the name column
            found = [orgs.by_code[_key(normalise_code(name))]]
        if by_code is not None:
            if by_code not in found:
                bad("organisation", _("The organisation does not match the organisation code."))
                return None
            return by_code
        if not found:
            bad("organisation", _("Unknown organisation “%(value)s”.") % {"value": name})
            return None
        if len(found) > 1:
            bad(
                "organisation",
                _("“%(value)s” names more than one organisation; give its code.") % {"value": name},
            )
            return None
        return found[0]
    if by_code is not None:
        return by_code
    if default is None:
        bad("organisation", _("Give the publishing organisation."))
    return default


def import_items_file(
    data: bytes,
    filename: str = "",
    *,
    actor: Any,
    publish: bool = True,
    default_organisation: Organisation | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult | None:
    """Read, check and store an items table; all or nothing.

    Raises :class:`ImportRejected` with every problem (cells, then the rules of
    the actions: permissions, dates, duplicate 文号 …). With ``dry_run`` only
    checks and returns None.
    """
    parsed = parse_item_rows(
        data, filename, actor=actor, default_organisation=default_organisation, progress=progress
    )
    if parsed.errors or dry_run:
        # Check the readable rows against the actions' rules too, so the report is complete.
        _prepared, more = validate_rows(
            actor=actor, rows=parsed.rows, publish=publish, column_labels=parsed.labels
        )
        if parsed.errors or more:
            raise ImportRejected([*parsed.errors, *more])
        return None
    return import_items(
        actor=actor, rows=parsed.rows, publish=publish, column_labels=parsed.labels, progress=progress,
        reason=_("Imported from %(file)s") % {"file": filename} if filename else "",
    )  # fmt: skip


# --- templates ----------------------------------------------------------------------------------

TEMPLATE_FIELDS = [
    "title", "doc_number", "organisation", "category", "genre", "kind", "written_on", "formed_on", "published_on",
    "validity", "keywords", "summary", "body",
]  # fmt: skip


def item_template(fmt: str, organisation: Organisation | None = None) -> bytes:
    """The items table with its header row and one example row (CSV in UTF-8 with a BOM, or XLSX)."""
    example = {
        "title": "关于做好2024年春季农田水利建设工作的通知",
        "doc_number": "攸政发〔2024〕1号",
        "organisation": organisation.name if organisation else "攸县人民政府",
        "category": "县政府文件",
        "genre": "通知公告",
        "kind": KIND_ZH[ItemKind.ITEM],
        "written_on": date(2024, 2, 1),
        "formed_on": date(2024, 2, 2),
        "published_on": date(2024, 2, 5),
        "validity": VALIDITY_ZH[Validity.VALID],
        "keywords": "农田水利 春季",
        "summary": "部署2024年春季农田水利建设工作。",
        "body": "<p>各乡镇人民政府，县直各单位：</p><p>现将有关事项通知如下……</p>",
    }
    header = [COLUMNS[f] for f in TEMPLATE_FIELDS]
    values = [example[f] for f in TEMPLATE_FIELDS]
    if fmt == "xlsx":
        return _template_xlsx(header, values)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerow([v.isoformat() if isinstance(v, date) else v for v in values])
    return buffer.getvalue().encode("utf-8-sig")


def column_notes() -> list[tuple[str, str]]:
    """What each column of the items table holds (for the template's notes and the upload page)."""
    return [
        (COLUMNS["title"], _("Required.")),
        (COLUMNS["doc_number"], _("Optional; unique within the organisation.")),
        (
            COLUMNS["organisation"],
            _("The organisation's name or code; optional when a default organisation is chosen."),
        ),
        (
            COLUMNS["organisation_code"],
            _("Optional; the organisation's code, used instead of or together with its name."),
        ),
        (COLUMNS["category"], _("Optional; the category's name or code.")),
        (COLUMNS["genre"], _("Optional; the genre's name or code.")),
        (COLUMNS["kind"], _("公开信息 (the default) or 政务动态.")),
        (COLUMNS["written_on"], _("Optional date, YYYY-MM-DD.")),
        (
            COLUMNS["formed_on"],
            _("Required date, YYYY-MM-DD; the 20 working days for publication count from it."),
        ),
        (
            COLUMNS["published_on"],
            _("Date of publication for historic items; today if empty. Ignored for drafts."),
        ),
        (COLUMNS["validity"], _("有效 (the default), 已修改, 已废止 or 已失效. Ignored for drafts.")),
        (COLUMNS["validity_changed_on"], _("Optional date the validity changed. Ignored for drafts.")),
        (COLUMNS["keywords"], _("Optional.")),
        (COLUMNS["channels"], _("Optional; channels separated by commas.")),
        (COLUMNS["summary"], _("Optional.")),
        (COLUMNS["body"], _("Optional; HTML is cleaned of scripts and styles.")),
        (COLUMNS["index_no"], _("Ignored: the index number is assigned on publication.")),
    ]


def _template_xlsx(header: list[str], values: list[Any]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "items"
    sheet.append(header)
    sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width = (
            40 if name in ("名称", "正文", "内容概述") else 16
        )
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("notes")
    notes.append([_("Column"), _("What it holds")])
    for column, note in column_notes():
        notes.append([column, note])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@register_importer
class ItemsImporter(Importer):
    kind = "items"
    help = "disclosure items (主动公开目录) from CSV or XLSX"

    def add_arguments(self, parser: Any) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--publish", dest="publish", action="store_true", default=True,
                          help="publish every item (the default); rows may carry their 发布日期")  # fmt: skip
        mode.add_argument("--draft", dest="publish", action="store_false", help="store every item as a draft")
        parser.add_argument(
            "--org", dest="default_org", help="default organisation (id or code) for rows without one"
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file, store nothing")

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        default = None
        if options.get("default_org"):
            raw = str(options["default_org"])
            default = Organisation.objects.filter(code=normalise_code(raw)).first()  # a code, else an id
            if default is None and raw.isascii() and raw.isdigit():
                default = Organisation.objects.filter(pk=int(raw)).first()
            if default is None:
                raise FileRejected(_("Unknown organisation “%(value)s”.") % {"value": raw})
        result = import_items_file(
            data, filename, actor=actor, publish=options.get("publish", True), default_organisation=default,
            dry_run=options.get("dry_run", False), progress=progress,
        )  # fmt: skip
        if result is None:
            return [_("The file is valid; nothing was stored (dry run).")]
        return [
            _("%(n)s items imported: %(published)s published, %(drafts)s drafts, %(orgs)s organisations.")
            % {
                "n": result.created,
                "published": result.published,
                "drafts": result.drafts,
                "orgs": result.organisations,
            },
            _("%(n)s published later than 20 working days after being formed.") % {"n": result.late},
        ]

    def template(self, fmt: str) -> bytes:
        return item_template(fmt)
