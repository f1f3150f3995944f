"""The consistency rules R1–R6 of RULES §4.1, tolerance 0.

``check(report, previous=None)`` runs R1–R5 over a computed report (R5 compares 上年结转 with the
previous year's 结转下年度; the previous year is computed when not given) and returns
:class:`Violation` s: the rule, the two sides (label, value, cells) and the records behind the
cells. ``check_narrative(text, report)`` is R6: it finds the figures a narrative quotes after a
known label and compares each with the cell the label names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from gongkai.applications import stats as app_stats
from gongkai.reports import figures
from gongkai.reports.figures import TOTAL
from gongkai.reports.provenance import records_in, result_rows
from gongkai.reports.tables import T3_COLUMNS, Key, Report


@dataclass
class Side:
    label: str
    value: Any
    cells: list[Key]


@dataclass
class Violation:
    rule: str
    message: str
    left: Side
    right: Side
    records: dict[Key, list[QuerySet[Any]]] = field(default_factory=dict)

    @property
    def cells(self) -> list[Key]:
        return [*self.left.cells, *self.right.cells]


def _violation(
    report: Report, rule: str, left: Side, right: Side, where: str, *, other: Report | None = None
) -> Violation:
    """``other``: the report the right side's cells belong to (R5: the previous year)."""
    records = {}
    for side, source in ((left, report), (right, other or report)):
        for key in side.cells:
            records[key] = records_in(source.organisation, source.org_ids, source.year, key, source.template)
    message = gettext("%(rule)s %(where)s: %(left)s = %(left_value)s but %(right)s = %(right_value)s") % {
        "rule": rule, "where": where, "left": left.label, "left_value": left.value, "right": right.label,
        "right_value": right.value,
    }  # fmt: skip
    return Violation(rule=rule, message=message, left=left, right=right, records=records)


def _sum(report: Report, keys: list[Key]) -> int:
    return sum(report.value(k) for k in keys)


def check(report: Report, previous: Report | None = None) -> list[Violation]:
    """R1–R5 over tables 三 and 四 (a 2008-format report has no tables: nothing to check)."""
    if "t3" not in report.tables:
        return []
    return [*check_tables(report), *check_carry_over(report, previous)]


def check_tables(report: Report) -> list[Violation]:
    """R1–R4: the report's own tables agree with each other (no other year needed)."""
    if "t3" not in report.tables:
        return []
    found: list[Violation] = []
    results = result_rows(report.template)
    for col in T3_COLUMNS:
        left = [("t3", "new", col), ("t3", "carried_in", col)]
        right = [("t3", "closed", col), ("t3", "carried_out", col)]
        if _sum(report, left) != _sum(report, right):
            found.append(_violation(report, "R1", Side("一+二", _sum(report, left), left),
                                    Side("三（七）+四", _sum(report, right), right), col))  # fmt: skip
    for row, _label in report.tables["t3"].rows:
        parts = [("t3", row, c) for c in app_stats.COLUMNS]
        total = ("t3", row, TOTAL)
        if report.value(total) != _sum(report, parts):
            found.append(_violation(report, "R2", Side("总计", report.value(total), [total]),
                                    Side("Σ columns", _sum(report, parts), parts), row))  # fmt: skip
    for col in T3_COLUMNS:
        parts = [("t3", r, col) for r in results]
        total = ("t3", "closed", col)
        if report.value(total) != _sum(report, parts):
            found.append(_violation(report, "R3", Side("（七）总计", report.value(total), [total]),
                                    Side("Σ results", _sum(report, parts), parts), col))  # fmt: skip
    for block in figures.T4_BLOCKS:
        parts = [("t4", block, r) for r in figures.T4_RESULTS]
        total = ("t4", block, TOTAL)
        if report.value(total) != _sum(report, parts):
            found.append(_violation(report, "R4", Side("总计", report.value(total), [total]),
                                    Side("Σ results", _sum(report, parts), parts), block))  # fmt: skip
    return found


def check_carry_over(report: Report, previous: Report | None = None) -> list[Violation]:
    """R5: 上年结转 of year N equals 结转下年度 of year N−1, column by column."""
    from gongkai.reports.tables import compute

    if previous is None:
        previous = compute(
            report.organisation, report.year - 1, rollup=report.rollup, template=report.template
        )
    found = []
    for col in T3_COLUMNS:
        now, before = ("t3", "carried_in", col), ("t3", "carried_out", col)
        if report.value(now) != previous.value(before):
            found.append(_violation(report, "R5", Side(f"{report.year} 二、上年结转", report.value(now), [now]),
                                    Side(f"{previous.year} 四、结转下年度", previous.value(before), [before]), col,
                                    other=previous))  # fmt: skip
    return found


# --- R6: figures quoted in the narrative -----------------------------------------------------------


@dataclass(frozen=True)
class Label:
    text: str
    key: Key
    unit: str = "count"  # count | wan (the cell is in 万元) | percent


def _n(row: str) -> Key:
    return ("n", row, "value")


LABELS_2008 = [
    Label("主动公开政府信息", _n("items_total")),
    Label("县政府和县直各部门单位主动公开政府信息", _n("items_government")),
    Label("乡镇政府主动公开政府信息", _n("items_townships")),
    Label("共发布各类信息", _n("portal_total")),
    Label("图片、视频", _n("images_videos")),
    Label("年点击量", _n("page_views")),
    Label("接待公众查阅政府信息", _n("reading_room_visits")),
    Label("受理政府信息公开申请", _n("applications_received")),
    Label("通过网络渠道申请的", _n("applications_online")),
    Label("书面申请的", _n("applications_written")),
    Label("按期答复率", _n("applications_on_time_rate"), "percent"),
    Label("收到信件", _n("mailbox_received")),
    Label("有效信件", _n("mailbox_valid")),
    Label("交办的信件", _n("forwarded_received")),
    Label("有效电话", _n("hotline_valid")),
    Label("重大决策", _n("decisions_published")),
    Label("听证会", _n("hearings")),
    Label("进驻中心的单位有", _n("centre_units")),
    Label("工作人员", _n("centre_staff")),
    Label("核定审批事项", _n("centre_items")),
    Label("办理各类事项", _n("centre_received")),
    Label("完成收费", _n("centre_fees"), "wan"),
    Label("系统收件", _n("online_received")),
    Label("办结", _n("online_completed")),
    Label("全职工作人员为", _n("staff_full_time")),
    Label("兼职人员为", _n("staff_part_time_average")),
    Label("设备配备等方面的费用", _n("spending_total"), "wan"),
    Label("县政府", _n("spending_government"), "wan"),
    Label("包括政务中心", _n("spending_departments"), "wan"),
    Label("乡镇政府", _n("spending_townships"), "wan"),
    Label("以其他方式申请的", _n("applications_other")),
    Label("答复政府信息公开申请", _n("applications_replied")),
    Label("按期答复", _n("applications_on_time")),
    Label("收取信息处理费", _n("fees_charged")),
    Label("信件办结率", _n("mailbox_completion_rate"), "percent"),
    Label("接听热线电话", _n("hotline_received")),
    Label("行政复议案件", _n("reviews")),
    Label("行政诉讼案件", _n("litigations")),
    Label("申诉案件", _n("complaints")),
    Label("办件办结率", _n("centre_completion_rate"), "percent"),
    Label("乡镇便民服务中心", _n("township_centres")),
    Label("系统办公的单位", _n("online_units")),
    Label("系统办结率", _n("online_completion_rate"), "percent"),
]

LABELS_2021 = [
    Label("本年新收政府信息公开申请", ("t3", "new", TOTAL)),
    Label("上年结转政府信息公开申请", ("t3", "carried_in", TOTAL)),
    Label("结转下年度继续办理", ("t3", "carried_out", TOTAL)),
    Label("予以公开", ("t3", "open", TOTAL)),
    Label("部分公开", ("t3", "partial", TOTAL)),
    Label("本年制发规章", ("t2", "rule", "issued")),
    Label("现行有效规章", ("t2", "rule", "in_force")),
    Label("本年制发行政规范性文件", ("t2", "normative", "issued")),
    Label("废止行政规范性文件", ("t2", "normative", "repealed")),
    Label("现行有效行政规范性文件", ("t2", "normative", "in_force")),
    Label("行政许可决定", ("t2", "licensing", "decisions")),
    Label("行政处罚决定", ("t2", "penalty", "decisions")),
    Label("行政强制决定", ("t2", "enforcement", "decisions")),
    Label("行政事业性收费", ("t2", "fee", "amount"), "wan"),
    Label("行政复议案件", ("t4", "review", TOTAL)),
    Label("未经复议直接起诉", ("t4", "litigation_direct", TOTAL)),
    Label("复议后起诉", ("t4", "litigation_after_review", TOTAL)),
    Label("废止规章", ("t2", "rule", "repealed")),
    Label("办结政府信息公开申请", ("t3", "closed", TOTAL)),
    Label("属于国家秘密", ("t3", "refuse_1", TOTAL)),
    Label("其他法律行政法规禁止公开", ("t3", "refuse_2", TOTAL)),
    Label("危及“三安全一稳定”", ("t3", "refuse_3", TOTAL)),
    Label("保护第三方合法权益", ("t3", "refuse_4", TOTAL)),
    Label("属于三类内部事务信息", ("t3", "refuse_5", TOTAL)),
    Label("属于四类过程性信息", ("t3", "refuse_6", TOTAL)),
    Label("属于行政执法案卷", ("t3", "refuse_7", TOTAL)),
    Label("属于行政查询事项", ("t3", "refuse_8", TOTAL)),
    Label("本机关不掌握相关政府信息", ("t3", "unable_1", TOTAL)),
    Label("没有现成信息需要另行制作", ("t3", "unable_2", TOTAL)),
    Label("补正后申请内容仍不明确", ("t3", "unable_3", TOTAL)),
    Label("信访举报投诉类申请", ("t3", "noprocess_1", TOTAL)),
    Label("重复申请", ("t3", "noprocess_2", TOTAL)),
    Label("要求提供公开出版物", ("t3", "noprocess_3", TOTAL)),
    Label("无正当理由大量反复申请", ("t3", "noprocess_4", TOTAL)),
    Label("要求行政机关确认或重新出具已获取信息", ("t3", "noprocess_5", TOTAL)),
    Label("逾期不补正", ("t3", "other_1", TOTAL)),
    Label("逾期未按收费通知要求缴纳费用", ("t3", "other_2", TOTAL)),
    Label("其他情形", ("t3", "other_3", TOTAL)),
    Label("其他处理", ("t3", "other", TOTAL)),  # 2019: the three rows of 其他处理 are one
    Label("新制作规章", ("t2", "rule", "made")),
    Label("新公开规章", ("t2", "rule", "published")),
    Label("对外公开规章总数", ("t2", "rule", "public_total")),
    Label("新制作规范性文件", ("t2", "normative", "made")),
    Label("新公开规范性文件", ("t2", "normative", "published")),
    Label("对外公开规范性文件总数", ("t2", "normative", "public_total")),
    Label("其他对外管理服务事项处理决定", ("t2", "other_service", "decisions")),
    Label("收取信息处理费", ("t6", "fees_charged", "value")),
    Label("涉及收费申请", ("t6", "fee_applications", "value")),
]

# What may stand between a label and its figure, and the figure itself: 22000余条, 超过300万次,
# 2306.4万元, 100%.
FILLER = r"(?:共|为|约|达|有|了|计|是|总计|合计|超过|多于|近|\s|:|：|,|，)*?"
NUMBER = r"(?P<num>\d[\d,]*(?:\.\d+)?)(?P<wan>万)?(?P<more>余|多)?(?P<pct>%|％)?"
APPROX_BEFORE = ("约", "超过", "近", "多于")


@dataclass
class Quote:
    label: Label
    start: int
    text: str  # the label and the figure as written
    value: Decimal
    approximate: bool
    precision: Decimal  # the step of the last significant digit written


def _precision(num: str, multiplier: int) -> Decimal:
    if "." in num:
        return Decimal(1).scaleb(-len(num.split(".")[1])) * multiplier
    digits = num.replace(",", "")
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    return Decimal(10) ** zeros * multiplier


def find_quotes(text: str, labels: list[Label]) -> list[Quote]:
    """Every figure written right after a known label (the longest label wins where they overlap)."""
    found: list[Quote] = []
    for label in labels:
        pattern = re.compile(re.escape(label.text) + f"(?P<filler>{FILLER})" + NUMBER)
        for m in pattern.finditer(text):
            try:
                value = Decimal(m["num"].replace(",", ""))
            except InvalidOperation:
                continue
            multiplier = 10000 if m["wan"] and label.unit == "count" else 1
            if label.unit == "wan" and not m["wan"]:
                value = value / 10000  # written in yuan
            approx = bool(m["more"]) or any(w in m["filler"] for w in APPROX_BEFORE)
            found.append(Quote(label, m.start(), m.group(0), value * multiplier, approx,
                               _precision(m["num"], multiplier)))  # fmt: skip
    # A label inside a longer label at the same figure (主动公开政府信息 in 乡镇政府主动公开政府信息).
    kept = []
    for q in found:
        end = q.start + len(q.text)
        inside = any(o is not q and o.start <= q.start and o.start + len(o.text) >= end
                     and len(o.label.text) > len(q.label.text) for o in found)  # fmt: skip
        if not inside:
            kept.append(q)
    return sorted(kept, key=lambda q: q.start)


def _matches(quote: Quote, cell: Any) -> bool:
    if cell is None:
        return False
    cell = Decimal(cell)
    if not quote.approximate:
        return cell.quantize(quote.precision) == quote.value if quote.precision < 1 else cell == quote.value
    if any(w in quote.text for w in ("余", "多", "超过", "多于")):
        return quote.value <= cell < quote.value + quote.precision
    return abs(cell - quote.value) <= quote.precision / 2  # 约, 近: rounded


def check_narrative(text: str, report: Report, labels: list[Label] | None = None) -> list[Violation]:
    """R6: every figure quoted after a known label equals the cell the label names."""
    if labels is None:
        labels = LABELS_2008 if report.template == "2008" else LABELS_2021
    found = []
    for quote in find_quotes(text, labels):
        key = quote.label.key
        if not report.has(key):
            continue
        cell = report.value(key)
        if not _matches(quote, cell):
            found.append(_violation(report, "R6", Side(f"«{quote.text}»", quote.value, []),
                                    Side("/".join(key), cell, [key]), quote.label.text))  # fmt: skip
    return found
