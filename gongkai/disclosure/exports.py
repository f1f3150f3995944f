"""Exporting tables (CSV, XLSX, JSON): streaming writers, the registry of export kinds,
and the export of published disclosure items.

Writers take the columns and an iterator of rows, so nothing is held in memory
beyond one batch: CSV and JSON are produced chunk by chunk (for
``StreamingHttpResponse`` or a file), XLSX through openpyxl's write-only mode.
Text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) is prefixed with an apostrophe in CSV and
XLSX; the importer removes that apostrophe again.

Kinds: ``gongkai export KIND`` looks the kind up in :data:`EXPORTERS`; a module
adds one with an :class:`Exporter` subclass in ``<app>/exports.py`` decorated
with :func:`register_exporter`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.utils.module_loading import autodiscover_modules

from gongkai.disclosure.bulk import COLUMNS
from gongkai.disclosure.imports import FORMULA_PREFIXES, KIND_ZH, VALIDITY_ZH
from gongkai.disclosure.models import DisclosureItem, ItemStatus
from gongkai.disclosure.policies import DisclosureItemPolicy
from gongkai.orgs.models import Organisation

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
XLSX_MAX_CELL = 32767  # Excel refuses longer cells


@dataclass(frozen=True)
class ExportColumn:
    key: str  # the JSON key
    header: str  # the CSV / XLSX header
    json_only: bool = False


# --- writers ------------------------------------------------------------------------------------


def escape_formula(value: Any) -> Any:
    """``=1+1`` → ``'=1+1``: a spreadsheet shows the text instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _table_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return escape_formula(value)


def iter_csv(columns: list[ExportColumn], rows: Iterable[list[Any]], batch: int = 200) -> Iterator[bytes]:
    """CSV in UTF-8 with a BOM (so that Excel reads the Chinese), yielded in chunks."""
    shown = [i for i, c in enumerate(columns) if not c.json_only]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([columns[i].header for i in shown])
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    n = 0
    for row in rows:
        writer.writerow([_table_value(row[i]) for i in shown])
        n += 1
        if n % batch == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def iter_json(columns: list[ExportColumn], rows: Iterable[list[Any]], batch: int = 200) -> Iterator[bytes]:
    """A JSON array of objects keyed by the columns' keys, yielded in chunks."""
    keys = [c.key for c in columns]
    parts = ["["]
    first = True
    for n, row in enumerate(rows, start=1):
        obj = {k: _json_value(v) for k, v in zip(keys, row, strict=True)}
        parts.append(("\n" if first else ",\n") + json.dumps(obj, ensure_ascii=False))
        first = False
        if n % batch == 0:
            yield "".join(parts).encode()
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode()


def write_xlsx(
    out: IO[bytes], columns: list[ExportColumn], rows: Iterable[list[Any]], title: str = "export"
) -> None:
    """An XLSX workbook in write-only mode (rows go to a temporary file as they come)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    shown = [i for i, c in enumerate(columns) if not c.json_only]
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    header = []
    for i in shown:
        cell = WriteOnlyCell(sheet, value=columns[i].header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for i in shown:
            value = row[i]
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd" if not isinstance(value, datetime) else "yyyy-mm-dd hh:mm"
                cells.append(cell)
                continue
            value = _table_value(value)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL]
            cells.append(value)
        sheet.append(cells)
    workbook.save(out)


def write_export(
    out: IO[bytes], fmt: str, columns: list[ExportColumn], rows: Iterable[list[Any]], title: str = "export"
) -> None:
    if fmt == "xlsx":
        write_xlsx(out, columns, rows, title)
        return
    for chunk in (iter_csv if fmt == "csv" else iter_json)(columns, rows):
        out.write(chunk)


# --- the registry of export kinds ---------------------------------------------------------------


class Exporter:
    """One kind of export (``gongkai export KIND``). Subclass and register."""

    kind: str = ""
    help: str = ""
    formats: tuple[str, ...] = FORMATS

    def add_arguments(self, parser: Any) -> None:
        """Options of ``gongkai export KIND`` beyond --format and -o."""

    def columns(self, fmt: str) -> list[ExportColumn]:
        raise NotImplementedError

    def rows(self, *, actor: Any, options: dict[str, Any], fmt: str) -> Iterator[list[Any]]:
        """The rows, streamed (use ``QuerySet.iterator()``)."""
        raise NotImplementedError


EXPORTERS: dict[str, Exporter] = {}


def register_exporter(cls: type[Exporter]) -> type[Exporter]:
    EXPORTERS[cls.kind] = cls()
    return cls


def exporters() -> dict[str, Exporter]:
    autodiscover_modules("exports")
    return dict(sorted(EXPORTERS.items()))


# --- disclosure items ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilters:
    """The filters of the published items lists (API, back office exports, command)."""

    organisation_id: int | None = None
    include_subunits: bool = False
    category_id: int | None = None
    genre_id: int | None = None
    kind: str | None = None
    validity: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def published_items(user: Any, filters: ItemFilters | None = None) -> QuerySet[DisclosureItem]:
    """Published items the user may see, filtered; newest first.

    An unknown (or invisible) organisation, category or genre simply matches nothing.
    """
    f = filters or ItemFilters()
    qs = DisclosureItemPolicy().visible_to(user).filter(status=ItemStatus.PUBLISHED)
    if f.organisation_id is not None:
        if f.include_subunits:
            path = Organisation.objects.filter(pk=f.organisation_id).values_list("path", flat=True).first()
            qs = qs.filter(organisation__path__startswith=path) if path else qs.none()
        else:
            qs = qs.filter(organisation_id=f.organisation_id)
    if f.category_id is not None:
        qs = qs.filter(Q(category_id=f.category_id) | Q(category__parent_id=f.category_id))
    if f.genre_id is not None:
        qs = qs.filter(genre_id=f.genre_id)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.validity:
        qs = qs.filter(validity=f.validity)
    if f.date_from:
        qs = qs.filter(published_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(published_on__lte=f.date_to)
    return qs.order_by("-published_on", "-id")


ITEM_EXPORT_FIELDS = [
    "index_no", "title", "doc_number", "organisation", "organisation_code", "category", "genre", "kind",
    "written_on", "formed_on", "published_on", "validity", "validity_changed_on", "keywords", "channels",
    "summary", "body",
]  # fmt: skip


def item_columns(fmt: str = "csv") -> list[ExportColumn]:
    """The columns of the items import format; JSON adds the id and the workflow facts (whether the
    item was published late, when it was submitted for review), which the tables leave out so that
    an exported table imports again as it is."""
    columns = [ExportColumn(f, COLUMNS[f]) for f in ITEM_EXPORT_FIELDS]
    if fmt == "json":
        columns = [
            ExportColumn("id", "ID", json_only=True),
            *columns,
            ExportColumn("late", "late", json_only=True),
            ExportColumn("submitted_at", "submitted_at", json_only=True),
        ]
    return columns


def item_rows(
    items: QuerySet[DisclosureItem], fmt: str = "csv", chunk_size: int = 1000
) -> Iterator[list[Any]]:
    """Stream the rows of ``items`` (the queryset is iterated, never loaded whole)."""
    table = fmt != "json"
    qs = items.select_related("organisation", "category", "genre")
    for item in qs.iterator(chunk_size=chunk_size):
        row = [
            item.index_no, item.title, item.doc_number, item.organisation.name, item.organisation.code,
            item.category.name if item.category else "", item.genre.name if item.genre else "",
            KIND_ZH.get(item.kind, item.kind) if table else item.kind,
            item.written_on, item.formed_on, item.published_on,
            VALIDITY_ZH.get(item.validity, item.validity) if table else item.validity,
            item.validity_changed_on, item.keywords, list(item.channels or []), item.summary, item.body,
        ]  # fmt: skip
        if not table:
            row = [item.pk, *row, item.late, item.submitted_at]
        yield row


@register_exporter
class ItemsExporter(Exporter):
    kind = "items"
    help = "published disclosure items (主动公开目录)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", type=int, help="only this organisation (id)")
        parser.add_argument("--subunits", action="store_true", help="with --org: the units below it too")
        parser.add_argument(
            "--from", dest="date_from", type=date.fromisoformat, help="published on or after (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--to", dest="date_to", type=date.fromisoformat, help="published on or before (YYYY-MM-DD)"
        )

    def columns(self, fmt: str) -> list[ExportColumn]:
        return item_columns(fmt)

    def rows(self, *, actor: Any, options: dict[str, Any], fmt: str) -> Iterator[list[Any]]:
        filters = ItemFilters(
            organisation_id=options.get("org"), include_subunits=bool(options.get("subunits")),
            date_from=options.get("date_from"), date_to=options.get("date_to"),
        )  # fmt: skip
        # Published items are public: the command exports them all (no actor needed).
        from django.contrib.auth.models import AnonymousUser

        return item_rows(published_items(actor or AnonymousUser(), filters), fmt)
