"""Reading a table file: CSV or XLSX, sniffed from the content, within size limits.

:func:`read_table` sniffs the content (an XLSX workbook is a zip; anything else
is CSV, decoded as UTF-8 with or without a BOM, else GB18030, which covers
GBK), enforces the size limits and yields numbered rows (the header is row 1,
as a spreadsheet shows it).
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongkai.disclosure.bulk import ImportRejected, RowError

MAX_BYTES = 50 * 1024 * 1024  # a county catalogue of ~30,000 items with bodies is about 30 MB
MAX_ROWS = 100_000
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # an XLSX is a zip: refuse one that unpacks to more than this
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

csv.field_size_limit(MAX_BYTES)


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
            raise FileRejected(
                ngettext("The file has more than %(n)s row.", "The file has more than %(n)s rows.", max_rows)
                % {"n": max_rows}
            )
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
    # NotImplementedError: a zip version or feature the module lacks; EOFError, RuntimeError: damaged.
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError, RuntimeError) as exc:
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
