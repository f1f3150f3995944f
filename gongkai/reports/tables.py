"""The annual report's data: tables of cells, each cell with a stable key (RULES §4).

``compute(organisation, year, rollup=True, template="2021")`` returns a :class:`Report`:
``report.tables`` maps a table code to a :class:`Table` (rows and columns in the format's
order, with labels) and ``report.value((table, row, column))`` reads one cell. Keys:

- 2021 / 2019 table 二: ``("t2", "rule"|"normative"|"licensing"|…, column)``;
- table 三: ``("t3", "new"|"carried_in"|<outcome>|"closed"|"carried_out", <applicant column>|"total")``
  (2019: the three 其他处理 rows are one row ``"other"``);
- table 四: ``("t4", "review"|"litigation_direct"|"litigation_after_review", <result>|"total")``;
- 2008 narrative: ``("n", <figure>, "value")`` (see :mod:`gongkai.reports.narrative`).

A cell holding ``None`` is a figure the records cannot give (shown as absent, never invented).
Every figure is counted by grouped aggregates: a report is a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongkai.applications import stats as app_stats
from gongkai.applications.models import ApplicantType
from gongkai.applications.outcomes import Outcome
from gongkai.orgs.models import Organisation
from gongkai.records.models import DecisionKind, DisputeKind, DisputeResult
from gongkai.reports import figures
from gongkai.reports.figures import TOTAL

Key = tuple[str, str, str]
TEMPLATES = ("2021", "2019", "2008")

T3_COLUMNS = [*app_stats.COLUMNS, TOTAL]
OTHER_OUTCOMES = (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID, Outcome.OTHER)


@dataclass
class Table:
    code: str
    title: Any
    rows: list[tuple[str, Any]]  # (row key, label) in the format's order
    columns: list[tuple[str, Any]]
    cells: dict[tuple[str, str], Any] = field(default_factory=dict)

    def value(self, row: str, column: str) -> Any:
        return self.cells[(row, column)]


@dataclass
class Report:
    organisation: Organisation
    year: int
    template: str
    rollup: bool
    org_ids: list[int]
    tables: dict[str, Table] = field(default_factory=dict)

    def value(self, key: Key) -> Any:
        table, row, column = key
        return self.tables[table].cells[(row, column)]

    def has(self, key: Key) -> bool:
        table, row, column = key
        return table in self.tables and (row, column) in self.tables[table].cells

    def cells(self) -> Iterator[tuple[Key, Any]]:
        for code, table in self.tables.items():
            for (row, column), value in table.cells.items():
                yield (code, row, column), value

    def as_dict(self) -> dict[str, Any]:
        """Every cell by its key (``table/row/column``), for JSON exports and comparisons."""
        return {"/".join(k): v for k, v in self.cells()}


# --- labels -----------------------------------------------------------------------------------------

T2_DOC_ROWS = [("rule", _("Rules (规章)")), ("normative", _("Normative documents (行政规范性文件)"))]
T2_2021_DOC_COLUMNS = [
    ("issued", _("Issued this year (本年制发件数)")),
    ("repealed", _("Repealed this year (本年废止件数)")),
    ("in_force", _("In force (现行有效件数)")),
]
T2_2019_DOC_COLUMNS = [
    ("made", _("Made this year (本年新制作数量)")),
    ("published", _("Published this year (本年新公开数量)")),
    ("public_total", _("Total published (对外公开总数量)")),
]
DECISIONS = ("decisions", _("Decisions this year (本年处理决定数量)"))
T2_2021_DECISION_ROWS = [
    ("licensing", _("Administrative licensing (行政许可)")),
    ("penalty", _("Administrative penalty (行政处罚)")),
    ("enforcement", _("Administrative enforcement (行政强制)")),
]
FEE_ROW = ("fee", _("Administrative fees (行政事业性收费)"))
AMOUNT = ("amount", _("Amount collected this year, 10,000 yuan (本年收费金额（单位：万元）)"))
PREVIOUS_ITEMS = ("previous_items", _("Items last year (上一年项目数量)"))
CHANGE = ("change", _("Change this year (本年增/减)"))
T2_2019_SERVICE_ROWS = [
    ("licensing", _("Administrative licensing (行政许可)")),
    ("other_service", _("Other management and service items (其他对外管理服务事项)")),
    ("penalty", _("Administrative penalty (行政处罚)")),
    ("enforcement", _("Administrative enforcement (行政强制)")),
]
PROCUREMENT_ROW = ("procurement", _("Government central procurement (政府集中采购)"))
PROCUREMENT_COLUMNS = [
    ("projects", _("Procurement projects (采购项目数量)")),
    ("amount", _("Total procurement amount (采购总金额)")),
]

T3_COLUMN_LABELS = [(c.value, c.label) for c in ApplicantType] + [(TOTAL, _("Total (总计)"))]
T3_HEAD = [
    ("new", _("I. New applications this year (一、本年新收政府信息公开申请数量)")),
    ("carried_in", _("II. Carried over from last year (二、上年结转政府信息公开申请数量)")),
]
T3_TAIL = [
    ("closed", _("(7) Total (（七）总计)")),
    ("carried_out", _("IV. Carried over to next year (四、结转下年度继续办理)")),
]
T3_OTHER_2019 = ("other", _("(6) Other handling (（六）其他处理)"))

T4_BLOCK_LABELS = [
    (DisputeKind.REVIEW.value, _("Administrative review (行政复议)")),
    (DisputeKind.LITIGATION_DIRECT.value, _("Litigation without review (未经复议直接起诉)")),
    (DisputeKind.LITIGATION_AFTER_REVIEW.value, _("Litigation after review (复议后起诉)")),
]
T4_RESULT_LABELS = [
    (DisputeResult.MAINTAINED.value, _("Maintained (结果维持)")),
    (DisputeResult.CORRECTED.value, _("Corrected (结果纠正)")),
    (DisputeResult.OTHER.value, _("Other result (其他结果)")),
    (DisputeResult.PENDING.value, _("Not yet concluded (尚未审结)")),
    (TOTAL, _("Total (总计)")),
]


def t3_rows(template: str) -> list[tuple[str, Any]]:
    if template == "2019":
        results = [(o.value, o.label) for o in Outcome if o not in OTHER_OUTCOMES] + [T3_OTHER_2019]
    else:
        results = [(o.value, o.label) for o in Outcome]
    return [*T3_HEAD, *results, *T3_TAIL]


# --- the empty tables of each format ---------------------------------------------------------------

T2_TITLE = _("Proactive disclosure (二、主动公开政府信息情况)")
T3_TITLE = _("Applications received and handled (三、收到和处理政府信息公开申请情况)")
T4_TITLE = _("Administrative review and litigation (四、政府信息公开行政复议、行政诉讼情况)")
T6_TITLE = _("Other matters (六、其他需要报告的事项)")
# Fees for processing information (信息处理费, 国办函〔2020〕109号), reported under the sixth section.
T6_ROWS = [
    ("fees_charged", _("Information-processing fees collected, yuan (收取信息处理费（元）)")),
    ("fee_applications", _("Applications charged a fee (收取信息处理费的申请)")),
]
T6_COLUMNS = [("value", _("Value"))]


def layout(template: str) -> dict[str, Table]:
    """The tables of ``template`` with their rows and columns and no cells (a stored report's frame)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}")
    if template == "2008":
        from gongkai.reports import narrative

        return {"n": Table("n", narrative.TITLE, rows=list(narrative.ROWS), columns=list(narrative.COLUMNS))}
    if template == "2021":
        t2 = Table("t2", T2_TITLE, rows=[*T2_DOC_ROWS, *T2_2021_DECISION_ROWS, FEE_ROW],
                   columns=[*T2_2021_DOC_COLUMNS, DECISIONS, AMOUNT])  # fmt: skip
    else:
        t2 = Table("t2", T2_TITLE, rows=[*T2_DOC_ROWS, *T2_2019_SERVICE_ROWS, FEE_ROW, PROCUREMENT_ROW],
                   columns=[*T2_2019_DOC_COLUMNS, PREVIOUS_ITEMS, CHANGE, DECISIONS, *PROCUREMENT_COLUMNS])  # fmt: skip
    return {
        "t2": t2,
        "t3": Table("t3", T3_TITLE, rows=t3_rows(template), columns=T3_COLUMN_LABELS),
        "t4": Table("t4", T4_TITLE, rows=T4_BLOCK_LABELS, columns=T4_RESULT_LABELS),
        "t6": Table("t6", T6_TITLE, rows=T6_ROWS, columns=T6_COLUMNS),
    }


def default_template(year: int) -> str:
    """The format a year's report is written in (RULES §4): 2021 onwards, 2019–2020, up to 2018."""
    return "2021" if year >= 2021 else "2019" if year >= 2019 else "2008"


def from_cells(organisation: Organisation, year: int, template: str, rollup: bool, org_ids: list[int],
               cells: dict[str, Any]) -> Report:  # fmt: skip
    """A report rebuilt from stored cells (``as_dict`` form); cells the layout lacks are ignored."""
    report = Report(organisation=organisation, year=year, template=template, rollup=rollup, org_ids=org_ids)
    report.tables = layout(template)
    for code, table in report.tables.items():
        for row, _label in table.rows:
            for column, _l in table.columns:
                name = f"{code}/{row}/{column}"
                if name in cells:
                    table.cells[(row, column)] = cells[name]
    return report


# --- building the tables ----------------------------------------------------------------------------


def table_two_2021(org_ids: list[int], year: int) -> Table:
    docs = figures.document_counts(org_ids, year)
    entered = figures.entered_decisions(org_ids, year)
    services = figures.service_figures(org_ids, year)
    t = layout("2021")["t2"]
    for row, _label in T2_DOC_ROWS:
        for col, _l in T2_2021_DOC_COLUMNS:
            t.cells[(row, col)] = docs[row][col]
    t.cells[("licensing", "decisions")] = services["licensing"] + entered[DecisionKind.LICENSING]
    t.cells[("penalty", "decisions")] = entered[DecisionKind.PENALTY]
    t.cells[("enforcement", "decisions")] = entered[DecisionKind.ENFORCEMENT]
    t.cells[("fee", "amount")] = figures.wan(services["fees"])
    return t


def table_two_2019(org_ids: list[int], year: int) -> Table:
    docs = figures.document_counts(org_ids, year)
    entered = figures.entered_decisions(org_ids, year)
    services = figures.service_figures(org_ids, year)
    items = figures.item_counts(org_ids, year)
    t = layout("2019")["t2"]
    for row, _label in T2_DOC_ROWS:
        for col, _l in T2_2019_DOC_COLUMNS:
            t.cells[(row, col)] = docs[row][col]
    for group in ("licensing", "other_service"):
        for col in ("previous_items", "change"):
            t.cells[(group, col)] = items[group][col]
    t.cells[("licensing", "decisions")] = services["licensing"] + entered[DecisionKind.LICENSING]
    t.cells[("other_service", "decisions")] = services["other"]
    for row in ("penalty", "enforcement"):
        # No catalogue of penalty or enforcement items exists in the platform: absent, not zero.
        t.cells[(row, "previous_items")] = None
        t.cells[(row, "change")] = None
        t.cells[(row, "decisions")] = entered[row]
    t.cells[("fee", "previous_items")] = items["fee"]["previous_items"]
    t.cells[("fee", "change")] = items["fee"]["change"]
    t.cells[("procurement", "projects")] = None  # held by the procurement system, not here
    t.cells[("procurement", "amount")] = None
    return t


def table_three(org_ids: list[int], year: int, template: str) -> Table:
    data = app_stats.table3(year, org_ids)
    t = layout(template)["t3"]
    rows: dict[str, dict[str, int]] = {"new": data.new, "carried_in": data.carried_in,
                                       "carried_out": data.carried_out}  # fmt: skip
    rows.update(data.results)
    rows["closed"] = {c: data.results_total(c) for c in T3_COLUMNS}
    if template == "2019":
        rows["other"] = {c: sum(data.results[o][c] for o in OTHER_OUTCOMES) for c in T3_COLUMNS}
    for row, _label in t.rows:
        for col in T3_COLUMNS:
            t.cells[(row, col)] = rows[row][col]
    return t


def table_four(org_ids: list[int], year: int) -> Table:
    counts = figures.dispute_counts(org_ids, year)
    t = layout("2021")["t4"]
    for block, _label in T4_BLOCK_LABELS:
        for result, _l in T4_RESULT_LABELS:
            t.cells[(block, result)] = counts[block][result]
    return t


def has_figures(report: Report) -> bool:
    """Whether any figure is more than zero: a year before the platform held records has none, and
    a change against it would be no change at all."""
    return any(v not in (None, 0) for _k, v in report.cells())


def table_six(org_ids: list[int], year: int) -> Table:
    t = layout("2021")["t6"]
    fees = figures.fee_figures(org_ids, year)
    t.cells[("fees_charged", "value")] = fees["amount"]
    t.cells[("fee_applications", "value")] = fees["applications"]
    return t


def changes(report: Report, previous: Report) -> dict[Key, Any]:
    """Year-over-year change of every numeric cell present in both reports (None where either is absent)."""
    out: dict[Key, Any] = {}
    for key, value in report.cells():
        before = previous.value(key) if previous.has(key) else None
        out[key] = None if value is None or before is None else value - before
    return out


def compute(organisation: Organisation, year: int, *, rollup: bool = True, template: str = "2021") -> Report:
    """Every figure of ``template`` for ``organisation`` (and, with ``rollup``, every unit below it)."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}")
    ids = figures.scope_ids(organisation, rollup)
    report = Report(organisation=organisation, year=year, template=template, rollup=rollup, org_ids=ids)
    if template == "2008":
        from gongkai.reports import narrative

        report.tables["n"] = narrative.table(organisation, ids, year)
        return report
    report.tables["t2"] = table_two_2021(ids, year) if template == "2021" else table_two_2019(ids, year)
    report.tables["t3"] = table_three(ids, year, template)
    report.tables["t4"] = table_four(ids, year)
    report.tables["t6"] = table_six(ids, year)
    return report
