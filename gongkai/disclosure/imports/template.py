"""The items table as an empty template: the header row, one example row and notes per column."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gongkai.disclosure.bulk import COLUMNS
from gongkai.disclosure.imports.columns import KIND_ZH, VALIDITY_ZH
from gongkai.disclosure.models import ItemKind, Validity
from gongkai.orgs.models import Organisation

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
