"""The annual report as files: Word, PDF, workbook and JSON agree with the stored cells."""

from __future__ import annotations

import io
import json
import re
import zlib
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from gongkai.reports import actions, exports, presentation
from gongkai.reports.presentation import document_from_records, document_of


@pytest.fixture
def report(year: Any) -> Any:
    w = year.world
    return actions.generate_report(actor=w.reviewer, organisation=w.county, year=2025)


@pytest.fixture
def published(report: Any) -> Any:
    reviewer = report.generated_by
    actions.review_report(actor=reviewer, report=report)
    return actions.publish_report(actor=reviewer, report=report)


def test_formats_and_file_names(report: Any) -> None:
    doc = document_of(report)
    assert set(exports.FORMATS) == {"docx", "pdf", "xlsx", "json"}
    for fmt, (_type, ext) in exports.FORMATS.items():
        name = exports.filename(doc, fmt)
        assert name.endswith(f"-2025.{ext}") and name.isascii()
    with pytest.raises(ValueError):
        exports.render(doc, "exe")


def test_word_copy_has_the_title_merged_headers_figures_and_charts(report: Any) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    doc = document_of(report)
    data = exports.render(doc, "docx")
    word = Document(io.BytesIO(data))
    title = word.paragraphs[0]
    assert title.text == "攸县人民政府2025年政府信息公开工作年度报告"
    assert title.alignment == 1  # centred
    fonts = title.runs[0]._r.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == exports.TITLE_FONT
    body_fonts = word.styles["Normal"].element.rPr.rFonts
    assert body_fonts.get(qn("w:eastAsia")) == exports.BODY_FONT
    assert word.styles["Normal"].font.size.pt == 16
    headings = [p for p in word.paragraphs if p.text.startswith("三、")]
    assert headings and headings[0].runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == exports.HEADING_FONT
    indented = [p for p in word.paragraphs if p.paragraph_format.first_line_indent]
    assert indented and indented[0].paragraph_format.first_line_indent.pt == 32

    assert len(word.tables) == 4  # 二, 三, 四 and the fees of 六
    t3 = word.tables[1]
    stored = report.figures()
    # The two-level header: 法人或其他组织 over five columns, 自然人 over two rows.
    row1 = t3.rows[1].cells
    assert row1[4]._tc is row1[8]._tc and row1[4]._tc is not row1[9]._tc
    assert t3.cell(1, 3)._tc is t3.cell(2, 3)._tc
    # 一、本年新收 in the first body row, its total in the last column.
    assert "一、本年新收政府信息公开申请数量" in t3.cell(3, 0).text and t3.cell(3, 0)._tc is t3.cell(3, 2)._tc
    assert t3.cell(3, 9).text == str(stored["t3/new/total"])
    t4 = word.tables[2]
    assert len(t4.rows) == 4 and t4.cell(3, 14).text == str(stored["t4/litigation_after_review/total"])
    assert t4.cell(0, 0)._tc is t4.cell(0, 4)._tc
    t2 = word.tables[0]
    assert any(c.text == "1.2340" for row in t2.rows for c in row.cells)
    images = [r for r in word.part.rels.values() if "image" in r.reltype]
    assert len(images) == 2
    assert word.core_properties.title == doc.title


def test_word_copy_of_a_correction_prints_its_reason(published: Any) -> None:
    from docx import Document

    report = published.report
    reviewer = report.generated_by
    actions.reopen_report(actor=reviewer, report=report, reason="更正")
    actions.review_report(actor=reviewer, report=report)
    second = actions.publish_report(actor=reviewer, report=report, reason="表三数据有误")
    word = Document(io.BytesIO(exports.render(document_of(second), "docx")))
    assert any("表三数据有误" in p.text for p in word.paragraphs[:4])
    assert exports.filename(document_of(second), "docx").endswith("-2025-v2.docx")


def test_chart_images_are_drawn_even_without_a_cjk_font(report: Any, monkeypatch: Any) -> None:
    from PIL import Image

    chart = presentation.charts(document_of(report))[1]
    with_labels = exports.chart_png(chart)
    monkeypatch.setattr(exports, "cjk_font", lambda: None)
    without = exports.chart_png(chart)
    for data in (with_labels, without):
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.width > 0
    assert with_labels != without


def test_workbook_has_merged_headers_and_numbers(report: Any) -> None:
    from openpyxl import load_workbook

    stored = report.figures()
    wb = load_workbook(io.BytesIO(exports.render(document_of(report), "xlsx")))
    assert wb.sheetnames == ["t2", "t3", "t4", "t6", "narrative", "checks"]
    t3 = wb["t3"]
    merged = {str(r) for r in t3.merged_cells.ranges}
    assert "A2:C4" in merged  # the corner over three rows and three columns
    assert "E3:I3" in merged  # 法人或其他组织 over five columns
    assert "D3:D4" in merged and "J3:J4" in merged
    assert t3["J5"].value == stored["t3/new/total"] and isinstance(t3["J5"].value, int)
    t4 = wb["t4"]
    assert {"A2:E2", "F2:O2", "F3:J3", "K3:O3", "A3:A4"} <= {str(r) for r in t4.merged_cells.ranges}
    assert [t4.cell(row=5, column=c).value for c in range(1, 6)] == [
        stored[f"t4/review/{r}"] for r in ("maintained", "corrected", "other", "pending", "total")
    ]
    fee = next(c for row in wb["t2"].iter_rows() for c in row if c.number_format == "0.0000")
    assert Decimal(str(fee.value)) == Decimal("1.2340")
    narrative = [row for row in wb["narrative"].iter_rows(values_only=True)]
    assert narrative[1][0] == "overview" and narrative[1][2] == report.sections["overview"]
    assert wb["checks"].max_row >= 2


def test_json_has_every_cell_with_labels_definitions_and_sources(report: Any) -> None:
    with translation.override("en"):
        data = json.loads(exports.render(document_of(report), "json"))
    assert data["organisation"]["name"] == "攸县人民政府"
    assert data["year"] == 2025 and data["template"] == "2021" and data["version"] is None
    assert set(data["sections"]) == set(report.sections)
    cells = {c["key"]: c for c in data["cells"]}
    assert {k: c["value"] for k, c in cells.items()} == report.cells  # decimals as the stored strings
    assert cells["t2/fee/amount"]["value"] == "1.2340"
    new = cells["t3/new/total"]
    assert new["row_label"].startswith("I. New applications") and new["column_label"] == "Total (总计)"
    assert new["definition"] == "Applications received in the year."
    assert new["sources"] == [f"t3/new/{c}" for c in ("person", "business", "research", "nonprofit", "legal",
                                                    "other_org")]  # fmt: skip
    assert new["previous"] == report.previous_cells["t3/new/total"]
    assert new["change"] == new["value"] - new["previous"]
    assert cells["t3/closed/person"]["sources"][0] == "t3/open/person"
    assert data["checks"] == report.checks


def test_json_of_a_published_version(published: Any) -> None:
    data = json.loads(exports.render(document_of(published), "json"))
    assert data["version"] == 1 and data["published_at"]
    assert {c["key"]: c["value"] for c in data["cells"]} == published.cells


def test_pdf_has_pages(report: Any) -> None:
    from gongkai.applications.documents import PdfUnavailable

    try:
        data = exports.render(document_of(report), "pdf")
    except PdfUnavailable:
        pytest.skip("WeasyPrint or a Chinese font is missing on this machine")
    assert data.startswith(b"%PDF")
    assert pages(data) >= 2


def pages(pdf: bytes) -> int:
    """Page objects in a PDF, looking inside its compressed object streams too."""
    text = pdf
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            continue
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", text))


def test_the_2008_report_exports_its_figures(year: Any) -> None:
    from docx import Document
    from openpyxl import load_workbook

    doc = document_from_records(year.world.county, 2025, template="2008")
    word = Document(io.BytesIO(exports.render(doc, "docx")))
    assert len(word.tables) == 1 and len(word.tables[0].columns) == 2
    wb = load_workbook(io.BytesIO(exports.render(doc, "xlsx")))
    assert wb.sheetnames[0] == "n"
    data = json.loads(exports.render(doc, "json"))
    assert {c["key"] for c in data["cells"]} == set(doc.report.as_dict())
    rate = next(c for c in data["cells"] if c["row"] == "applications_on_time_rate")
    assert rate["sources"] == ["n/applications_on_time/value", "n/applications_replied/value"]
