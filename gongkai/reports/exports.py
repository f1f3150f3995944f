"""The annual report as files: Word in the layout of an official document, PDF, a workbook and JSON.

Every format walks the same :func:`gongkai.reports.presentation.html_tables` (so a merged header
in the page is a merged cell in Word and in the workbook) and prints the figures exactly as
stored: integers as numbers, 万元 decimals with their four places, an absent figure as a dash
(JSON: ``null``). The Word copy follows GB/T 9704: a centred title in 小标宋, the body in 仿宋
三号 with a two-character first-line indent, section headings in 黑体; the two charts are drawn as
PNG images with Pillow. The PDF is the HTML partial rendered by WeasyPrint with the fonts and
the no-network fetcher of the application letters (:mod:`gongkai.applications.documents`).
"""

from __future__ import annotations

import functools
import io
import json
import logging
import re
import shutil
import subprocess
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gongkai.core.charts import Chart
from gongkai.reports import presentation, provenance
from gongkai.reports.presentation import Document, HtmlTable, format_value

log = logging.getLogger("gongkai.reports")

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# fmt -> (content type, file extension)
FORMATS: dict[str, tuple[str, str]] = {
    "docx": (DOCX_TYPE, "docx"),
    "pdf": ("application/pdf", "pdf"),
    "xlsx": (XLSX_TYPE, "xlsx"),
    "json": ("application/json", "json"),
}

# Word: the fonts of government documents, each with the font Word falls back to where it is missing.
LATIN_FONT = "Times New Roman"
TITLE_FONT, TITLE_FALLBACK = "方正小标宋简体", "宋体"
BODY_FONT, BODY_FALLBACK = "仿宋_GB2312", "仿宋"
HEADING_FONT = "黑体"
TABLE_FONT_PT = 10.5  # 五号
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: Any) -> str:
    return _XML_INVALID.sub("", str(text))


def filename(doc: Document, fmt: str) -> str:
    """A plain ASCII name: organisation code (else id), year, version."""
    ext = FORMATS[fmt][1] if fmt in FORMATS else fmt
    code = re.sub(r"[^A-Za-z0-9_-]+", "", getattr(doc.organisation, "code", "") or "") or str(
        doc.organisation.pk
    )
    version = f"-v{doc.version}" if doc.version else ""
    return f"annual-report-{code}-{doc.year}{version}.{ext}"


def render(doc: Document, fmt: str) -> bytes:
    """The document as ``fmt`` bytes (ValueError for an unknown format; PdfUnavailable without WeasyPrint)."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}")
    return RENDERERS[fmt](doc)


def render_html(doc: Document) -> str:
    """A standalone HTML page of the document (the PDF's source; nothing external)."""
    return render_to_string("reports/pdf.html", presentation.context(doc))


# --- the grid of a table ------------------------------------------------------------------------------


def grid(table: HtmlTable) -> list[tuple[int, int, presentation.Cell]]:
    """Every cell of the table placed at (row, column) of the full grid, rowspans and colspans resolved."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate([*table.head, *table.body]):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return out


def _rows(table: HtmlTable) -> int:
    return len(table.head) + len(table.body)


# --- JSON -------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def as_data(doc: Document) -> dict[str, Any]:
    """The document as JSON-ready data: every figure with its labels, definition and sources."""
    from gongkai.reports import drafting

    cells = []
    for table in presentation.html_tables(doc):
        for cell in table.figures():
            code, row, column = cell.key.split("/")
            cells.append({
                "key": cell.key, "table": code, "row": row, "column": column,
                "table_label": table.caption, "row_label": cell.row_label, "column_label": cell.column_label,
                "value": _plain(cell.value), "previous": _plain(cell.previous), "change": _plain(cell.change),
                "definition": cell.definition or None,
                "sources": ["/".join(k) for k in provenance.sources_of((code, row, column), doc.template)],
            })  # fmt: skip
    return {
        "organisation": {"code": doc.organisation.code or None, "name": doc.organisation.name},
        "year": doc.year,
        "title": doc.title,
        "template": doc.template,
        "rollup": doc.rollup,
        "status": str(doc.status),
        "version": doc.version,
        "correction_reason": doc.correction_reason or None,
        "published_at": doc.published_at.isoformat() if doc.published_at else None,
        "computed_at": doc.computed_at.isoformat() if doc.computed_at else None,
        "sections": {
            key: {"heading": str(heading), "text": doc.sections.get(key, "")}
            for key, heading in drafting.SECTIONS[doc.template]
        },
        "cells": cells,
        "checks": doc.checks,
    }


def render_json(doc: Document) -> bytes:
    return json.dumps(as_data(doc), ensure_ascii=False, indent=2).encode()


# --- XLSX -------------------------------------------------------------------------------------------


def _sheet_name(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", text)[:31]


def render_xlsx(doc: Document) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    wb.remove(wb.active)
    for table in presentation.html_tables(doc):
        ws = wb.create_sheet(_sheet_name(table.code))
        ws.cell(row=1, column=1, value=_clean(table.caption)).font = Font(bold=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=table.width)
        top = 2  # the table starts below its caption
        for r, c, cell in grid(table):
            row, col = top + r, 1 + c
            target = ws.cell(row=row, column=col)
            if cell.header:
                target.value = _clean(cell.text)
                target.font = Font(bold=True)
            elif cell.absent:
                target.value = "—"
            else:
                target.value = cell.value  # int or Decimal: a number in the sheet
                if isinstance(cell.value, Decimal):
                    places = max(-cell.value.as_tuple().exponent, 0)
                    target.number_format = "0." + "0" * places if places else "0"
            target.alignment = Alignment(wrap_text=True, vertical="center",
                                         horizontal="left" if cell.header else "right")  # fmt: skip
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    ws.cell(row=row + dr, column=col + dc).border = border
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(start_row=row, start_column=col, end_row=row + cell.rowspan - 1,
                               end_column=col + cell.colspan - 1)  # fmt: skip
        for i in range(1, table.width + 1):
            ws.column_dimensions[get_column_letter(i)].width = 16
    from gongkai.reports import drafting

    ws = wb.create_sheet("narrative")
    ws.append([_("Section"), _("Heading"), _("Text")])
    for key, heading in drafting.SECTIONS[doc.template]:
        ws.append([key, _clean(heading), _clean(doc.sections.get(key, ""))])
    ws.column_dimensions["C"].width = 100
    ws = wb.create_sheet("checks")
    ws.append([_("Rule"), _("Message"), _("Left"), _("Left value"), _("Right"), _("Right value"), _("Cells")])
    for check in doc.checks:
        left, right = check.get("left") or {}, check.get("right") or {}
        cells = [*left.get("cells", []), *right.get("cells", [])]
        ws.append([check.get("rule"), _clean(check.get("message", "")), _clean(left.get("label", "")),
                   _cell_value(left.get("value")), _clean(right.get("label", "")), _cell_value(right.get("value")),
                   ", ".join(cells)])  # fmt: skip
    if not doc.checks:
        ws.append(["", _("Every check passes.")])
    props = wb.properties
    props.title = doc.title[:255]
    props.creator = doc.organisation.name[:255]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, int | float | Decimal):
        return value
    return _clean(value)


# --- charts as images -------------------------------------------------------------------------------------


@functools.cache
def cjk_font() -> tuple[str, int] | None:
    """The Noto CJK font file (and face index) fontconfig knows, or None (charts drawn without labels)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run([fc_match, "-f", "%{file}|%{index}", "Noto Sans CJK SC"], capture_output=True,
                               text=True, timeout=20, check=False).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    path, _sep, index = found.partition("|")
    if "CJK" not in path:  # fontconfig's substitute for a missing font would show empty boxes
        return None
    return path, int(index or 0)


def chart_png(chart: Chart) -> bytes:
    """A chart as a PNG image: horizontal bars with the figure after each, as the page's SVG."""
    from PIL import Image, ImageDraw, ImageFont

    from gongkai.core import charts as svg

    scale = 2  # drawn at twice the SVG's size for a sharp print
    found = cjk_font()
    font: Any = None
    if found is not None:
        try:
            font = ImageFont.truetype(found[0], svg.FONT * scale, index=found[1])
        except OSError:
            font = None
    n_series = max(len(chart.series), 1)
    group_height = n_series * (svg.BAR_HEIGHT + svg.BAR_GAP) - svg.BAR_GAP + svg.GROUP_GAP
    legend = svg.LEGEND_HEIGHT if n_series > 1 else 0
    height = svg.TOP * 2 + legend + max(len(chart.groups), 1) * group_height
    image = Image.new("RGB", (svg.WIDTH * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    label_width = svg.LABEL_WIDTH if font else 10
    area = svg.WIDTH - label_width - svg.VALUE_WIDTH
    top = svg._scale(chart)

    def text(x: float, y: float, value: str, anchor: str = "la") -> None:
        if font is not None:
            draw.text((x * scale, y * scale), value, fill="#1b1b1b", font=font, anchor=anchor)

    if legend:
        x = label_width
        for i, name in enumerate(chart.series):
            colour = svg.PALETTE[i % len(svg.PALETTE)]
            draw.rectangle(
                [x * scale, svg.TOP * scale, (x + 12) * scale, (svg.TOP + 12) * scale], fill=colour
            )
            text(x + 16, svg.TOP, name)
            x += 32 + svg.text_width(name)
    y = svg.TOP + legend
    for group in chart.groups:
        mid = y + (group_height - svg.GROUP_GAP) / 2
        text(label_width - 6, mid, svg._short(group.label), anchor="rm")
        for i, bar in enumerate(group.bars):
            colour = svg.PALETTE[i % len(svg.PALETTE)]
            width = 0.0 if bar.value is None else max(0.0, min(1.0, float(bar.value) / top)) * area
            if width > 0:
                draw.rectangle([label_width * scale, y * scale, (label_width + width) * scale,
                                (y + svg.BAR_HEIGHT) * scale], fill=colour)  # fmt: skip
            text(label_width + width + 4, y + svg.BAR_HEIGHT / 2, bar.text, anchor="lm")
            y += svg.BAR_HEIGHT + svg.BAR_GAP
        y += svg.GROUP_GAP - svg.BAR_GAP
    draw.line([label_width * scale, (svg.TOP + legend) * scale, label_width * scale, (height - svg.TOP) * scale],
              fill="#4a4a4a", width=scale)  # fmt: skip
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- DOCX -------------------------------------------------------------------------------------------


def _set_fonts(element: Any, east_asian: str) -> None:
    """Latin and East Asian font names on a style's or run's properties (w:rFonts), no theme fonts."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _font_fallbacks(document: Any) -> None:
    """Name the font Word uses where 方正小标宋简体 or 仿宋_GB2312 is not installed (w:altName)."""
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for part in document.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        try:
            root = etree.fromstring(part.blob)
            for name, alt in (
                (TITLE_FONT, TITLE_FALLBACK),
                (BODY_FONT, BODY_FALLBACK),
                (HEADING_FONT, "SimHei"),
            ):
                font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
                etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
                etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
                etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "auto"})
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        except (etree.XMLSyntaxError, AttributeError):  # a template without a usable font table
            log.warning("font table left as it is", exc_info=True)


def _paragraph(document: Any, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
               align: Any = None, indent: bool = True, space_after: float = 0) -> Any:  # fmt: skip
    from docx.shared import Pt

    p = document.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)  # two characters
    p.paragraph_format.space_after = Pt(space_after)
    run = p.add_run(_clean(text))
    run.bold = bold
    run.font.size = Pt(size)
    _set_fonts(run._r, font)
    return p


def _docx_table(document: Any, table: HtmlTable) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    _paragraph(document, table.caption, font=HEADING_FONT, size=12, align=WD_ALIGN_PARAGRAPH.CENTER,
               indent=False, space_after=4)  # fmt: skip
    out = document.add_table(rows=_rows(table), cols=table.width)
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, c, cell in grid(table):
        target = out.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(out.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        p = target.paragraphs[0]
        p.paragraph_format.first_line_indent = Pt(0)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (cell.header and cell.scope.startswith("col")) or not \
            cell.header else WD_ALIGN_PARAGRAPH.LEFT  # fmt: skip
        run = p.add_run(_clean(cell.text if cell.header else format_value(cell.value)))
        run.font.size = Pt(TABLE_FONT_PT)
        run.bold = cell.header and cell.scope.endswith("group")
        _set_fonts(run._r, HEADING_FONT if cell.header and cell.scope.endswith("group") else BODY_FONT)
    document.add_paragraph()


def render_docx(doc: Document) -> bytes:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Docx()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, margins of GB/T 9704
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.size = Pt(16)  # 三号
    _set_fonts(normal.element, BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = Pt(28)
    _font_fallbacks(document)

    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, doc.title, font=TITLE_FONT, size=22, align=centre, indent=False, space_after=12)
    if doc.version:
        on = f"{doc.published_at:%Y-%m-%d}" if doc.published_at else ""
        _paragraph(document, _("Version %(number)s %(on)s") % {"number": doc.version, "on": on}, size=12,
                   align=centre, indent=False)  # fmt: skip
    if doc.correction_reason:
        _paragraph(document, _("Correction: %(reason)s") % {"reason": doc.correction_reason}, size=14,
                   align=centre, indent=False, space_after=12)  # fmt: skip
    parts, rest = presentation.parts(doc, presentation.html_tables(doc))
    for part in parts:
        _paragraph(document, part.heading, font=HEADING_FONT)
        for text in part.paragraphs:
            _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        for table in part.tables:
            _docx_table(document, table)
    for table in rest:
        _docx_table(document, table)
    for chart in presentation.charts(doc):
        _paragraph(document, chart.title, font=HEADING_FONT, size=12, align=centre, indent=False)
        document.add_picture(io.BytesIO(chart_png(chart)), width=Mm(150))
        document.paragraphs[-1].alignment = centre

    props = document.core_properties
    props.title = doc.title[:255]
    props.author = props.last_modified_by = doc.organisation.name[:255]
    props.comments = ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------


def render_pdf(doc: Document) -> bytes:
    """WeasyPrint over ``reports/pdf.html``; raises PdfUnavailable where the server cannot make PDFs."""
    from gongkai.applications import documents as letters

    weasyprint = letters.weasyprint_module()
    if not letters.chinese_font_installed():
        raise letters.PdfUnavailable(f"no Chinese font known to fontconfig (install {letters.CJK_FONT_HINT})")
    html = weasyprint.HTML(string=render_html(doc), url_fetcher=letters.no_network_fetcher(weasyprint))
    return html.write_pdf()


RENDERERS = {"docx": render_docx, "pdf": render_pdf, "xlsx": render_xlsx, "json": render_json}
