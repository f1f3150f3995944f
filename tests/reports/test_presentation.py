"""The report as the pages show it: tables laid out as the official formats, charts as inline SVG."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from gongkai.reports import actions, presentation
from gongkai.reports.presentation import document_from_records, document_of, format_change, format_value
from tests.reports import records


class Tables(HTMLParser):
    """The tables of a page: ``{id: [[(tag, attrs, text), …] per row]}`` (nested tables kept apart)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, dict[str, str], str]]]] = {}
        self.stack: list[str] = []
        self.cell: list[Any] | None = None
        self.svgs: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.stack.append(a.get("id", f"anon{len(self.tables)}"))
            self.tables[self.stack[-1]] = []
        elif tag == "tr" and self.stack:
            self.tables[self.stack[-1]].append([])
        elif tag in ("th", "td") and self.stack:
            self.cell = [tag, a, ""]
        elif tag == "svg":
            self.svgs.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.stack:
            self.stack.pop()
        elif tag in ("th", "td") and self.cell is not None and self.stack:
            self.tables[self.stack[-1]][-1].append((self.cell[0], self.cell[1], self.cell[2].strip()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[2] += data


def parse(html: str) -> Tables:
    p = Tables()
    p.feed(html)
    return p


@pytest.fixture
def report(year: Any) -> Any:
    w = year.world
    return actions.generate_report(actor=w.reviewer, organisation=w.county, year=2025)


def page(doc: Any, cell_url: Any = None) -> str:
    with translation.override("en"):  # the tests read the English labels
        return render_to_string("reports/_document.html", presentation.context(doc, cell_url=cell_url))


def spans(cell: tuple[str, dict[str, str], str]) -> tuple[int, int]:
    return int(cell[1].get("colspan", 1)), int(cell[1].get("rowspan", 1))


def test_table_three_has_the_official_two_level_header_and_grouped_rows(report: Any) -> None:
    with translation.override("en"):
        html = page(document_of(report))
    t3 = parse(html).tables["report-table-t3"]
    head = t3[:3]
    assert [spans(c) for c in head[0]] == [(3, 3), (7, 1)]
    assert [(c[2], spans(c)) for c in head[1]] == [
        ("Natural person", (1, 2)),
        ("Legal persons and other organisations (法人或其他组织)", (5, 1)),
        ("Total (总计)", (1, 2)),
    ]
    assert len(head[2]) == 5 and all(spans(c) == (1, 1) for c in head[2])
    body = t3[3:]
    assert len(body) == 2 + 21 + 1 + 1  # new, carried in, 21 result rows, （七）总计, carried out
    results = body[2]
    assert results[0][2].startswith("III. Results this year") and spans(results[0]) == (1, 22)
    refuse = body[4]  # （三）不予公开 with its eight sub-rows
    assert "(3) Not disclosed" in refuse[0][2] and spans(refuse[0]) == (1, 8)
    assert refuse[1][2].startswith("1. ")
    assert all(len([c for c in row if c[0] == "td"]) == 7 for row in body)
    # Every figure cell names its headers, and every header it names exists.
    ids = {c[1]["id"] for row in t3 for c in row if c[0] == "th"}
    for row in body:
        for cell in row:
            if cell[0] == "td":
                assert set(cell[1]["headers"].split()) <= ids
                assert len(cell[1]["headers"].split()) >= 3


def test_every_figure_is_the_stored_cell(report: Any) -> None:
    doc = document_of(report)
    stored = report.figures()
    html = page(doc)
    seen = 0
    for rows in parse(html).tables.values():
        for row in rows:
            for tag, attrs, text in row:
                if tag == "td" and "data-key" in attrs:
                    value = text.split()[0] if text else ""
                    assert value == format_value(stored[attrs["data-key"]])
                    seen += 1
    assert seen == len(stored)


def test_table_four_is_one_row_of_fifteen_under_a_three_level_header(report: Any) -> None:
    with translation.override("en"):
        t4 = parse(page(document_of(report))).tables["report-table-t4"]
    assert [(c[2], spans(c)) for c in t4[0]] == [
        ("Administrative review (行政复议)", (5, 1)),
        ("Administrative litigation (行政诉讼)", (10, 1)),
    ]
    assert [spans(c) for c in t4[1]] == [(1, 2)] * 5 + [(5, 1), (5, 1)]
    assert len(t4[2]) == 10
    assert len(t4) == 4 and [c[0] for c in t4[3]] == ["td"] * 15
    assert [c[1]["data-key"] for c in t4[3][:5]] == [
        f"t4/review/{r}" for r in ("maintained", "corrected", "other", "pending", "total")
    ]
    assert t4[3][4][2].split()[0] == str(report.figures()["t4/review/total"])


def test_table_two_prints_its_sections_and_the_fee_as_stored(report: Any) -> None:
    with translation.override("en"):
        t2 = parse(page(document_of(report))).tables["report-table-t2"]
    sections = [row[0] for row in t2 if len(row) == 1]
    assert len(sections) == 4 and all(spans(c) == (4, 1) for c in sections)
    fee = next(c for row in t2 for c in row if c[1].get("data-key") == "t2/fee/amount")
    assert fee[2].split()[0] == "1.2340" and spans(fee) == (3, 1)


def test_changes_links_and_absent_figures(report: Any) -> None:
    doc = document_of(report)
    tables = {t.code: t for t in presentation.html_tables(doc, cell_url=lambda key: f"/cell/{key}/")}
    new = next(c for c in tables["t3"].figures() if c.key == "t3/new/total")
    assert new.url == "/cell/t3/new/total/"
    assert new.change == new.value - new.previous
    assert new.change_text == format_change(new.change)
    assert format_change(3) == "+3" and format_change(-2) == "\u22122" and format_change(None) == ""
    html = page(doc, cell_url=lambda key: f"/cell/{key}/")
    assert 'href="/cell/t3/new/total/"' in html
    assert "report-change" in html and "change from the previous year" in html


def test_an_absent_figure_is_a_dash_that_says_why(year: Any) -> None:
    w = year.world
    stored = actions.generate_report(actor=w.reviewer, organisation=w.county, year=2020, template="2019")
    doc = document_of(stored)
    procurement = next(c for t in presentation.html_tables(doc) for c in t.figures()
                       if c.key == "t2/procurement/amount")  # fmt: skip
    assert procurement.absent and procurement.text == "—" and procurement.change_text == ""
    with translation.override("en"):
        html = page(doc)
    assert 'title="The records cannot give this figure."' in html
    t3 = parse(html).tables["report-table-t3"]
    assert len(t3) == 3 + 2 + 19 + 1 + 1  # 2019: （六）其他处理 is one row


def test_the_2008_report_prints_its_figures_as_two_columns(year: Any) -> None:
    w = year.world
    doc = document_from_records(w.county, 2025, template="2008")
    assert not doc.stored and doc.sections
    t = parse(page(doc)).tables["report-table-n"]
    assert all(len(row) == 2 for row in t)
    assert len(t) == 1 + len(doc.report.tables["n"].rows)


def test_charts_are_inline_svg_images_with_their_numbers_as_text(report: Any) -> None:
    doc = document_of(report)
    charts = presentation.charts(doc)
    assert len(charts) == 2
    by_result, years = charts
    assert sum(b.value or 0 for g in by_result.groups for b in g.bars) == report.figures()["t3/closed/total"]
    assert years.series == ["2025", "2024"]
    assert years.groups[0].bars[0].text == str(report.figures()["t3/new/total"])
    html = page(doc)
    parsed = parse(html)
    assert len(parsed.svgs) == 2
    for svg in parsed.svgs:
        assert svg["role"] == "img" and svg["aria-label"]
    for chart in charts:
        assert "<title" in chart.svg and "style=" not in chart.svg and "<script" not in chart.svg
        assert "href" not in chart.svg  # nothing fetched
    assert "<script" not in html and " style=" not in html
    assert len([k for k in parsed.tables if k.startswith("anon")]) == 2  # the charts' figures as tables


def test_a_published_correction_shows_its_reason(report: Any) -> None:
    version = publish(report)
    doc = document_of(version)
    assert doc.version == 1 and doc.status == "published"
    actions.reopen_report(actor=reviewer(report), report=report, reason="更正")
    actions.review_report(actor=reviewer(report), report=report)
    second = actions.publish_report(actor=reviewer(report), report=report, reason="更正表三数据")
    html = page(document_of(second))
    assert "更正表三数据" in html and document_of(second).title in html


def reviewer(report: Any) -> Any:
    from gongkai.accounts.models import User

    return User.objects.get(username="reviewer")


def publish(report: Any) -> Any:
    actions.review_report(actor=reviewer(report), report=report)
    return actions.publish_report(actor=reviewer(report), report=report)


def test_a_year_before_any_records_gives_no_changes_and_no_comparison_chart(world: Any) -> None:
    records.decision_count(world, world.unit_a, 2025, "penalty", 7)
    doc = document_from_records(world.county, 2025)
    assert not doc.has_previous  # 2024: every figure zero — the platform held nothing yet
    cells = [c for t in presentation.html_tables(doc) for row in t.body for c in row if not c.header]
    penalty = next(c for c in cells if c.key == "t2/penalty/decisions")
    assert penalty.text == "7" and penalty.change is None and penalty.change_text == ""
    assert [c.chart_id.rsplit("-", 1)[1] for c in presentation.charts(doc)] == ["results"]

    records.decision_count(world, world.unit_a, 2024, "penalty", 4)
    doc = document_from_records(world.county, 2025)
    assert doc.has_previous
    penalty = next(
        c for t in presentation.html_tables(doc) for row in t.body for c in row if c.key == penalty.key
    )
    assert penalty.change == 3 and penalty.change_text == "+3"
    assert len(presentation.charts(doc)) == 2
