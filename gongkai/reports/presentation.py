"""What every rendering of an annual report reads: the document, its tables as in the official format.

:func:`document_of` turns a stored report (the working copy or a published version) into a
:class:`Document`; :func:`document_from_records` computes one from the records without storing it.
:func:`html_tables` lays the tables out as the official formats print them — merged header cells
(table 三's 自然人 | 法人或其他组织 | 总计, its result rows grouped under their headings; table 四
as one row of fifteen figures under a three-level header) — as plain rows of cells that the
HTML partial, the Word and the spreadsheet exports all walk, so the three agree by construction.
Every data cell names its header cells (``headers``/``id``), so a screen reader reads each figure
with its row and column, and carries the year-over-year change and the definition of the figure.
:func:`charts` gives the two charts (results of applications, this year against last year),
drawn by :mod:`gongkai.core.charts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongkai.core.charts import Bar, Chart, Group
from gongkai.orgs.models import Organisation
from gongkai.reports import provenance, tables
from gongkai.reports.figures import TOTAL

CellUrl = Callable[[str], "str | None"]
MINUS = "\u2212"

# --- the document -----------------------------------------------------------------------------------


@dataclass
class Document:
    """A report as it is shown and exported, whatever it was read from."""

    organisation: Organisation
    year: int
    template: str
    rollup: bool
    report: tables.Report
    previous: tables.Report
    sections: dict[str, str]
    checks: list[dict[str, Any]]
    status: str
    version: int | None = None
    correction_reason: str = ""
    published_at: datetime | None = None
    computed_at: datetime | None = None
    stored: bool = True  # False: computed from the records on the fly, never stored

    @property
    def title(self) -> str:
        return f"{self.organisation.name}{self.year}年政府信息公开工作年度报告"  # the official title

    @property
    def has_previous(self) -> bool:
        """Whether the year before has any figure at all: a year before the platform's records began
        (every cell zero or absent) gives no change to compare with (not "+3,051,000")."""
        return tables.has_figures(self.previous)


def document_of(content: Any) -> Document:
    """The document of an :class:`AnnualReport` (working copy) or a :class:`PublishedVersion`."""
    from gongkai.reports import stored
    from gongkai.reports.models import PublishedVersion, ReportStatus

    is_version = isinstance(content, PublishedVersion)
    report = content.report if is_version else content
    return Document(
        organisation=report.organisation,
        year=report.year,
        template=content.template,
        rollup=content.rollup,
        report=stored.as_report(content),
        previous=stored.previous_report(content),
        sections=dict(content.sections or {}),
        checks=list(content.checks or []),
        status=ReportStatus.PUBLISHED if is_version else report.status,
        version=content.number if is_version else None,
        correction_reason=content.correction_reason if is_version else "",
        published_at=content.published_at if is_version else report.published_at,
        computed_at=content.computed_at,
    )


def document_from_records(organisation: Organisation, year: int, template: str | None = None,
                          rollup: bool = True) -> Document:  # fmt: skip
    """A document computed from the records and drafted, not stored (a report nobody generated yet)."""
    from gongkai.reports import drafting, stored

    template = template or tables.default_template(year)
    report = tables.compute(organisation, year, rollup=rollup, template=template)
    previous = tables.compute(organisation, year - 1, rollup=rollup, template=template)
    sections = drafting.draft(report, previous if tables.has_figures(previous) else None)
    violations = [*stored.table_checks(report, previous), *stored.narrative_checks(report, sections)]
    return Document(
        organisation=organisation, year=year, template=template, rollup=rollup, report=report,
        previous=previous, sections=sections, checks=stored.serialise(violations), status="computed",
        computed_at=timezone.now(), stored=False,
    )  # fmt: skip


# --- formatting ---------------------------------------------------------------------------------------


def format_value(value: Any) -> str:
    """A figure as printed: integers plainly, decimals (万元, %) exactly as stored, absent as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def format_change(change: Any) -> str:
    """A year-over-year change with its sign (+3, −2, ±0); empty when either year is absent."""
    if change is None:
        return ""
    if change > 0:
        return f"+{format_value(change)}"
    if change < 0:
        return f"{MINUS}{format_value(-change)}"
    return f"±{format_value(change)}"


def absent_text() -> str:
    return _("The records cannot give this figure.")


# --- tables as the official formats print them ----------------------------------------------------------


@dataclass
class Cell:
    """One cell of a printed table: a header (``th``) or a figure (``td``)."""

    text: str = ""
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    scope: str = ""  # col, colgroup, row, rowgroup (headers)
    id: str = ""  # headers: referenced by the figures' ``headers``
    headers: str = ""  # figures: the ids of their header cells
    # figures only:
    key: str = ""  # "t3/new/total"
    value: Any = None
    previous: Any = None
    change: Any = None
    change_text: str = ""
    absent: bool = False
    url: str | None = None
    definition: str = ""
    row_label: str = ""
    column_label: str = ""

    @property
    def is_figure(self) -> bool:
        return bool(self.key)


@dataclass
class HtmlTable:
    code: str  # t2, t3, t4, t6, n
    caption: str
    head: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)
    width: int = 0  # columns

    def figures(self) -> list[Cell]:
        return [c for row in self.body for c in row if c.is_figure]


def _label(pairs: list[tuple[str, Any]]) -> dict[str, str]:
    return {k: str(v) for k, v in pairs}


class _Builder:
    """Makes the cells of one table, numbering the header ids and reading figures from the document."""

    def __init__(self, doc: Document, code: str, cell_url: CellUrl | None) -> None:
        self.doc = doc
        self.code = code
        self.cell_url = cell_url
        self.layout = doc.report.tables.get(code) or tables.layout(doc.template)[code]
        self.rows = _label(self.layout.rows)
        self.columns = _label(self.layout.columns)
        self.changes = tables.changes(doc.report, doc.previous) if doc.has_previous else {}
        self.n = 0

    def th(self, text: Any, *, scope: str, colspan: int = 1, rowspan: int = 1) -> Cell:
        self.n += 1
        return Cell(text=str(text), header=True, scope=scope, colspan=colspan, rowspan=rowspan,
                    id=f"{self.code}-h{self.n}")  # fmt: skip

    def td(self, row: str, column: str, headers: list[Cell], colspan: int = 1) -> Cell:
        key = (self.code, row, column)
        name = "/".join(key)
        report, previous = self.doc.report, self.doc.previous
        present = report.has(key)
        value = report.value(key) if present else None
        before = previous.value(key) if previous.has(key) else None
        change = self.changes.get(key)
        definition = provenance.definition(key)
        return Cell(
            colspan=colspan, headers=" ".join(h.id for h in headers), key=name, value=value, previous=before,
            text=format_value(value), change=change, change_text=format_change(change), absent=value is None,
            url=(self.cell_url(name) if self.cell_url and present else None),
            definition=str(definition) if definition else "",
            row_label=self.rows.get(row, row), column_label=self.columns.get(column, column),
        )  # fmt: skip


# Headings of the official formats that are not a row or a column of their own.
ART20 = {
    "1": gettext_lazy("Article 20(1) (第二十条第（一）项)"),
    "5": gettext_lazy("Article 20(5) (第二十条第（五）项)"),
    "6": gettext_lazy("Article 20(6) (第二十条第（六）项)"),
    "8": gettext_lazy("Article 20(8) (第二十条第（八）项)"),
    "9": gettext_lazy("Article 20(9) (第二十条第（九）项)"),
}
CONTENT = gettext_lazy("Content (信息内容)")
T3_CORNER = gettext_lazy("Applications (本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)")
T3_APPLICANTS = gettext_lazy("Applicants (申请人情况)")
T3_ORGS = gettext_lazy("Legal persons and other organisations (法人或其他组织)")
T3_RESULTS = gettext_lazy("III. Results this year (三、本年度办理结果)")
T3_GROUPS = [
    ("open", gettext_lazy("(1) Disclosed (（一）予以公开)"), ["open"]),
    ("partial", gettext_lazy("(2) Partly disclosed (（二）部分公开（区分处理的，只计这一情形，不计其他情形）)"),
     ["partial"]),
    ("refuse", gettext_lazy("(3) Not disclosed (（三）不予公开)"), [f"refuse_{i}" for i in range(1, 9)]),
    ("unable", gettext_lazy("(4) Cannot provide (（四）无法提供)"), [f"unable_{i}" for i in range(1, 4)]),
    ("noprocess", gettext_lazy("(5) Not processed (（五）不予处理)"), [f"noprocess_{i}" for i in range(1, 6)]),
    ("other", gettext_lazy("(6) Other handling (（六）其他处理)"), [f"other_{i}" for i in range(1, 4)]),
]  # fmt: skip
T4_LITIGATION = gettext_lazy("Administrative litigation (行政诉讼)")
N_FIGURE = gettext_lazy("Figure (项目)")


def _t2_sections(template: str) -> list[tuple[Any, list[str], list[str]]]:
    if template == "2021":
        return [
            (ART20["1"], ["issued", "repealed", "in_force"], ["rule", "normative"]),
            (ART20["5"], ["decisions"], ["licensing"]),
            (ART20["6"], ["decisions"], ["penalty", "enforcement"]),
            (ART20["8"], ["amount"], ["fee"]),
        ]
    return [
        (ART20["1"], ["made", "published", "public_total"], ["rule", "normative"]),
        (ART20["5"], ["previous_items", "change", "decisions"], ["licensing", "other_service"]),
        (ART20["6"], ["previous_items", "change", "decisions"], ["penalty", "enforcement"]),
        (ART20["8"], ["previous_items", "change"], ["fee"]),
        (ART20["9"], ["projects", "amount"], ["procurement"]),
    ]


def _table_two(b: _Builder) -> HtmlTable:
    width = 4
    t = HtmlTable("t2", str(b.layout.title), width=width)
    for heading, columns, rows in _t2_sections(b.doc.template):
        section = b.th(heading, scope="colgroup", colspan=width)
        t.body.append([section])
        content = b.th(CONTENT, scope="col")
        spans = [1] * len(columns)
        spans[-1] += width - 1 - len(columns)  # the last column takes the rest, as in the format
        col_heads = [b.th(b.columns[c], scope="col", colspan=s) for c, s in zip(columns, spans, strict=True)]
        t.body.append([content, *col_heads])
        for row in rows:
            row_head = b.th(b.rows[row], scope="row")
            cells = [
                b.td(row, c, [section, h, row_head], colspan=s)
                for c, h, s in zip(columns, col_heads, spans, strict=True)
            ]
            t.body.append([row_head, *cells])
    return t


def _table_three(b: _Builder) -> HtmlTable:
    columns = [c for c, _l in b.layout.columns]  # person, 5 organisations, total
    t = HtmlTable("t3", str(b.layout.title), width=3 + len(columns))
    corner = b.th(T3_CORNER, scope="col", colspan=3, rowspan=3)
    applicants = b.th(T3_APPLICANTS, scope="colgroup", colspan=len(columns))
    person = b.th(b.columns[columns[0]], scope="col", rowspan=2)
    orgs = b.th(T3_ORGS, scope="colgroup", colspan=len(columns) - 2)
    total = b.th(b.columns[columns[-1]], scope="col", rowspan=2)
    org_heads = [b.th(b.columns[c], scope="col") for c in columns[1:-1]]
    t.head = [[corner, applicants], [person, orgs, total], org_heads]
    col_headers = {columns[0]: [applicants, person], columns[-1]: [applicants, total]}
    for c, h in zip(columns[1:-1], org_heads, strict=True):
        col_headers[c] = [applicants, orgs, h]

    def figures(row: str, row_heads: list[Cell]) -> list[Cell]:
        return [b.td(row, c, [*col_headers[c], *row_heads]) for c in columns]

    for row in ("new", "carried_in"):
        head = b.th(b.rows[row], scope="row", colspan=3)
        t.body.append([head, *figures(row, [head])])
    groups = list(T3_GROUPS)
    if b.doc.template == "2019":
        groups[-1] = ("other", tables.T3_OTHER_2019[1], ["other"])
    n_rows = sum(len(rows) for _k, _l, rows in groups) + 1  # + （七）总计
    results = b.th(T3_RESULTS, scope="rowgroup", rowspan=n_rows)
    first = True
    for _key, label, rows in groups:
        lead = [results] if first else []
        first = False
        if len(rows) == 1:
            head = b.th(label, scope="row", colspan=2)
            t.body.append([*lead, head, *figures(rows[0], [results, head])])
            continue
        group = b.th(label, scope="rowgroup", rowspan=len(rows))
        for i, row in enumerate(rows, start=1):
            head = b.th(f"{i}. {b.rows[row]}", scope="row")
            t.body.append([*lead, *([group] if i == 1 else []), head, *figures(row, [results, group, head])])
            lead = []
    closed = b.th(b.rows["closed"], scope="row", colspan=2)
    t.body.append([closed, *figures("closed", [results, closed])])
    out = b.th(b.rows["carried_out"], scope="row", colspan=3)
    t.body.append([out, *figures("carried_out", [out])])
    return t


def _table_four(b: _Builder) -> HtmlTable:
    blocks = [k for k, _l in b.layout.rows]  # review, litigation_direct, litigation_after_review
    results = [k for k, _l in b.layout.columns]
    n = len(results)
    t = HtmlTable("t4", str(b.layout.title), width=n * len(blocks))
    review = b.th(b.rows[blocks[0]], scope="colgroup", colspan=n)
    litigation = b.th(T4_LITIGATION, scope="colgroup", colspan=n * (len(blocks) - 1))
    review_results = [b.th(b.columns[r], scope="col", rowspan=2) for r in results]
    kinds = [b.th(b.rows[k], scope="colgroup", colspan=n) for k in blocks[1:]]
    kind_results = [[b.th(b.columns[r], scope="col") for r in results] for _k in blocks[1:]]
    t.head = [[review, litigation], [*review_results, *kinds], [c for heads in kind_results for c in heads]]
    row = [b.td(blocks[0], r, [review, h]) for r, h in zip(results, review_results, strict=True)]
    for kind, kind_head, heads in zip(blocks[1:], kinds, kind_results, strict=True):
        row += [b.td(kind, r, [litigation, kind_head, h]) for r, h in zip(results, heads, strict=True)]
    t.body = [row]
    return t


def _two_columns(b: _Builder) -> HtmlTable:
    """A figure per row (the 2008 narrative's figures, the fees of section 六)."""
    t = HtmlTable(b.code, str(b.layout.title), width=2)
    figure, value = b.th(N_FIGURE, scope="col"), b.th(b.columns["value"], scope="col")
    t.head = [[figure, value]]
    for row, _label in b.layout.rows:
        head = b.th(b.rows[row], scope="row")
        t.body.append([head, b.td(row, "value", [value, head])])
    return t


BUILDERS = {"t2": _table_two, "t3": _table_three, "t4": _table_four, "t6": _two_columns, "n": _two_columns}


def html_tables(doc: Document, cell_url: CellUrl | None = None) -> list[HtmlTable]:
    """The document's tables as the official format prints them (``cell_url(key)`` links each figure)."""
    return [BUILDERS[code](_Builder(doc, code, cell_url)) for code in tables.layout(doc.template)]


def all_figures(doc: Document) -> list[Cell]:
    """Every figure of the document with its labels, in the order of the printed tables."""
    return [c for t in html_tables(doc) for c in t.figures()]


# --- charts -----------------------------------------------------------------------------------------------


def _value(report: tables.Report, key: tuple[str, str, str]) -> Any:
    return report.value(key) if report.has(key) else None


def _sum(report: tables.Report, keys: list[tuple[str, str, str]]) -> Any:
    values = [_value(report, k) for k in keys]
    return None if not values or any(v is None for v in values) else sum(values)


def _bar(value: Any) -> Bar:
    return Bar(None if value is None else float(value), format_value(value))


def _result_keys(template: str) -> list[tuple[Any, list[tuple[str, str, str]]]]:
    groups = list(T3_GROUPS)
    if template == "2019":
        groups[-1] = ("other", T3_GROUPS[-1][1], ["other"])
    return [(label, [("t3", r, TOTAL) for r in rows]) for _k, label, rows in groups]


def _main_figures(template: str) -> list[tuple[Any, list[tuple[str, str, str]]]]:
    if template == "2008":
        from gongkai.reports import narrative

        labels = _label(narrative.ROWS)
        keys = ["items_total", "news", "applications_received", "applications_replied", "mailbox_received",
                "reviews", "litigations"]  # fmt: skip
        return [(labels[k], [("n", k, "value")]) for k in keys]
    made = "issued" if template == "2021" else "made"
    rows = _label(tables.t3_rows(template))
    return [
        (rows["new"], [("t3", "new", TOTAL)]),
        (rows["open"], [("t3", "open", TOTAL)]),
        (rows["partial"], [("t3", "partial", TOTAL)]),
        (gettext_lazy("Administrative reviews (行政复议)"), [("t4", "review", TOTAL)]),
        (T4_LITIGATION, [("t4", "litigation_direct", TOTAL), ("t4", "litigation_after_review", TOTAL)]),
        (_label(tables.T2_DOC_ROWS)["rule"], [("t2", "rule", made)]),
        (_label(tables.T2_DOC_ROWS)["normative"], [("t2", "normative", made)]),
    ]


def charts(doc: Document) -> list[Chart]:
    """Results of the year's applications and the main figures against the year before."""
    out = []
    slug = f"report-{doc.organisation.pk}-{doc.year}"
    if doc.template == "2008":
        from gongkai.reports import narrative

        labels = _label(narrative.ROWS)
        rows = ["applications_online", "applications_written", "applications_other"]
        out.append(Chart(
            chart_id=f"{slug}-results", title=_("Applications by channel"),
            description=_("Applications received in %(year)s by channel.") % {"year": doc.year}, series=[],
            groups=[Group(labels[r], [_bar(_value(doc.report, ("n", r, "value")))]) for r in rows],
        ))  # fmt: skip
    else:
        out.append(Chart(
            chart_id=f"{slug}-results", title=_("Applications by result"),
            description=_("Applications closed in %(year)s by result (table III).") % {"year": doc.year},
            series=[], groups=[Group(str(label), [_bar(_sum(doc.report, keys))])
                               for label, keys in _result_keys(doc.template)],
        ))  # fmt: skip
    this, last = str(doc.year), str(doc.year - 1)
    if doc.has_previous:
        out.append(Chart(
            chart_id=f"{slug}-years", title=_("%(year)s against %(last)s") % {"year": this, "last": last},
            description=_("The main figures of %(year)s beside those of %(last)s.") % {"year": this, "last": last},
            series=[this, last],
            groups=[Group(str(label), [_bar(_sum(doc.report, keys)), _bar(_sum(doc.previous, keys))])
                    for label, keys in _main_figures(doc.template)],
        ))  # fmt: skip
    for chart in out:  # name the image directly too (aria-label), besides its <title> and <desc>
        labelled = chart.svg.replace('role="img"', f'role="img" aria-label="{escape(chart.title)}"', 1)
        chart.svg = mark_safe(labelled)  # noqa: S308 (the title is escaped; the rest was escaped by render_svg)
    return out


# --- the template's context ---------------------------------------------------------------------------


@dataclass
class Part:
    """A section of the narrative: its heading, paragraphs and the table printed after it."""

    key: str
    heading: str
    paragraphs: list[str]
    tables: list[HtmlTable]


def parts(doc: Document, html: list[HtmlTable]) -> tuple[list[Part], list[HtmlTable]]:
    """The narrative's sections in order with their tables, and the tables no section names."""
    from gongkai.reports import drafting

    by_code = {t.code: t for t in html}
    of_section = getattr(drafting, "TABLE_OF_SECTION", {}) if doc.template != "2008" else {}
    placed: set[str] = set()
    out = []
    for key, heading in drafting.SECTIONS[doc.template]:
        text = doc.sections.get(key, "") or ""
        paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
        code = of_section.get(key)
        here = [by_code[code]] if code in by_code else []
        placed.update(t.code for t in here)
        out.append(Part(key=key, heading=str(heading), paragraphs=paragraphs, tables=here))
    return out, [t for t in html if t.code not in placed]


def context(doc: Document, cell_url: CellUrl | None = None) -> dict[str, Any]:
    """The context of ``reports/_document.html``: ``doc``, ``tables``, ``charts``, ``parts``, ``other_tables``."""
    html = html_tables(doc, cell_url)
    sections, rest = parts(doc, html)
    return {"doc": doc, "tables": html, "charts": charts(doc), "parts": sections, "other_tables": rest,
            "absent_text": absent_text()}  # fmt: skip
