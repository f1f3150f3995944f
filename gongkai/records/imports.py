"""Importing the records behind the annual report (``gongkai import figures|disputes FILE``).

Both read CSV (UTF-8 or GBK) or XLSX through the shared reader and report every problem with its
row, column and reason; both are all or nothing and store through the records actions.

- ``figures``: one row per unit, year and figure (单位, 年度, 项目, 数值): 专职人员 and 兼职人员
  (staff), 经费 (spending, yuan), 行政处罚, 行政强制 and 行政许可 (decision counts). The figures
  are marked as imported, with who imported them and when.
- ``disputes``: one row per review, lawsuit or complaint (table 四), matched to a stored case of
  the same unit, kind and reference (updated) or created; a result other than 尚未审结 concludes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongkai.core.actions import ActionError, action
from gongkai.disclosure.bulk import ImportRejected, Progress, RowError
from gongkai.disclosure.imports import Column, FileRejected, Importer, register_importer
from gongkai.records.models import DisputeCase, DisputeKind, DisputeResult, Source, StaffFigure
from gongkai.services.imports import Cells, Units, _key, _words, action_errors, read_rows, write_template

# --- figures ---------------------------------------------------------------------------------------

FULL_TIME, PART_TIME, SPENDING = "full_time", "part_time", "spending"
ITEM_ZH = {
    FULL_TIME: "专职人员",
    PART_TIME: "兼职人员",
    SPENDING: "经费",
    "penalty": "行政处罚",
    "enforcement": "行政强制",
    "licensing": "行政许可",
}
ITEM_WORDS = _words(ITEM_ZH, {"全职人员": FULL_TIME, "专职": FULL_TIME, "兼职": PART_TIME, "财政投入": SPENDING,
                              "经费投入": SPENDING, "费用": SPENDING, "处罚": "penalty", "强制": "enforcement",
                              "许可": "licensing"})  # fmt: skip
FIGURE_COLUMNS = [
    Column("organisation", "单位", ("organisation", "unit", "单位代码", "单位名称", "organisation_code"), required=True),
    Column("year", "年度", ("year", "年份"), required=True),
    Column("item", "项目", ("item", "指标", "figure"), required=True),
    Column("value", "数值", ("value", "数量", "金额", "amount", "count"), required=True),
    Column("note", "备注", ("note", "说明")),
]  # fmt: skip
FIGURE_HEADERS = {c.field: c.header for c in FIGURE_COLUMNS}
# The action's field names that a refusal may name, and the column they come from.
FIGURE_FIELD_COLUMNS = {"organisation": "organisation", "year": "year", "kind": "item", "amount": "value",
                        "count": "value", "full_time": "value", "part_time": "value", "note": "note"}  # fmt: skip


@dataclass
class FigureRow:
    row: int
    organisation: Any
    year: int
    item: str
    value: Any
    note: str


@dataclass
class FiguresImported:
    staff: int = 0
    spending: int = 0
    decisions: int = 0


def parse_figure_rows(
    data: bytes, filename: str = ""
) -> tuple[list[FigureRow], dict[str, str], list[RowError]]:
    """Read a figures table; every cell is checked and every problem collected."""
    table, index, labels = read_rows(data, filename, FIGURE_COLUMNS)
    units = Units()
    rows: list[FigureRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, int, str], int] = {}
    this_year = timezone.localdate().year
    for number, cells in table.rows:
        c = Cells(number, cells, index, labels)
        org = units.find(c.text("organisation", required=True))
        if org is None and not c.has("organisation"):
            c.bad("organisation", _("No single active organisation with that code or name."))
        year = c.integer("year", low=1990, high=this_year)
        if year is None and not c.has("year"):
            c.bad("year", _("Required."))
        item = c.choice("item", ITEM_WORDS)
        if not item and not c.has("item"):
            c.bad("item", _("Required."))
        value: Any = None
        if item == SPENDING:
            value = c.amount("value")
        elif item:
            value = c.integer("value", high=10_000_000)
        if value is None and item and not c.has("value"):
            c.bad("value", _("Required."))
        note = c.text("note", 300)
        if org is not None and year is not None and item:
            key = (org.pk, year, item)
            if key in seen:
                c.bad("item", _("The same figure is already given in row %(row)s.") % {"row": seen[key]})
            seen[key] = number
        if c.problems:
            errors.extend(c.problems)
        else:
            rows.append(FigureRow(number, org, year, item, value, note))  # type: ignore[arg-type]
    if not rows and not errors:
        errors.append(RowError(None, "", _("There is nothing to import.")))
    return rows, labels, errors


def _store_figures(actor: Any, rows: list[FigureRow], labels: dict[str, str]) -> FiguresImported:
    from gongkai.records import actions

    col = {name: labels.get(c, FIGURE_HEADERS[c]) for name, c in FIGURE_FIELD_COLUMNS.items()}
    col["organisation"] = labels.get("organisation", FIGURE_HEADERS["organisation"])
    errors: list[RowError] = []
    done = FiguresImported()
    # Full-time and part-time staff are one figure: a unit's two rows go into one upsert.
    staff: dict[tuple[int, int], dict[str, Any]] = {}
    for row in rows:
        if row.item in (FULL_TIME, PART_TIME):
            entry = staff.setdefault((row.organisation.pk, row.year), {"row": row, "notes": []})
            entry[row.item] = row.value
            entry["notes"].append(row.note)
    for row in rows:
        try:
            with transaction.atomic():  # a refused row leaves nothing; the others go on being checked
                if row.item == SPENDING:
                    actions.set_spending(actor=actor, organisation=row.organisation, year=row.year, amount=row.value,
                                         source=Source.IMPORTED, note=row.note)  # fmt: skip
                    done.spending += 1
                elif row.item in (FULL_TIME, PART_TIME):
                    entry = staff[(row.organisation.pk, row.year)]
                    if entry["row"] is not row:
                        continue
                    stored = StaffFigure.objects.filter(organisation=row.organisation, year=row.year).first()
                    actions.set_staff_figure(
                        actor=actor, organisation=row.organisation, year=row.year,
                        full_time=entry.get(FULL_TIME, stored.full_time if stored else 0),
                        part_time=entry.get(PART_TIME, stored.part_time if stored else 0),
                        source=Source.IMPORTED, note="；".join(n for n in entry["notes"] if n)[:300],
                    )  # fmt: skip
                    done.staff += 1
                else:
                    actions.set_decision_count(actor=actor, organisation=row.organisation, year=row.year,
                                               kind=row.item, count=row.value, source=Source.IMPORTED,
                                               note=row.note)  # fmt: skip
                    done.decisions += 1
        except (ActionError, PermissionDenied) as exc:
            errors.extend(action_errors(row.row, exc, col, "organisation"))
    if errors:
        raise ImportRejected(errors)
    return done


@action
def import_figures(
    *, actor: Any, rows: list[FigureRow], labels: dict[str, str] | None = None, dry_run: bool = False
) -> FiguresImported:
    """Store every figure row through the year-figure actions; all or nothing."""
    if not rows:
        raise ActionError(_("There is nothing to import."))
    done = _store_figures(actor, rows, {**FIGURE_HEADERS, **(labels or {})})
    if dry_run:
        transaction.set_rollback(True)
    return done


def _require_actor(actor: Any, what: str) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise FileRejected(
            _("%(what)s are imported as a user: give --actor (a clerk or administrator of the units the file "
              "names).") % {"what": what}
        )  # fmt: skip


def import_figures_file(
    data: bytes, filename: str = "", *, actor: Any, dry_run: bool = False
) -> FiguresImported:
    """Read, check and store a figures table; all or nothing, every problem reported."""
    _require_actor(actor, _("Figures"))
    rows, labels, errors = parse_figure_rows(data, filename)
    if errors:
        if rows:  # the good rows still meet the actions (rolled back), so one report lists everything
            try:
                import_figures(actor=actor, rows=rows, labels=labels, dry_run=True)
            except ImportRejected as exc:
                errors.extend(exc.errors)
        raise ImportRejected(errors)
    return import_figures(actor=actor, rows=rows, labels=labels, dry_run=dry_run)


FIGURE_EXAMPLE = {"organisation": "攸县财政局", "year": 2013, "item": "兼职人员", "value": 1, "note": ""}


def figure_template(fmt: str) -> bytes:
    return write_template([c.header for c in FIGURE_COLUMNS], [FIGURE_EXAMPLE.get(c.field, "") for c in FIGURE_COLUMNS],
                          "figures", fmt)  # fmt: skip


class DryRunMixin:
    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="check the file, store nothing")


@register_importer
class FiguresImporter(DryRunMixin, Importer):
    kind = "figures"
    help = ("staff, spending and decision counts per unit and year (单位, 年度, 项目, 数值), "
            "from CSV or XLSX")  # fmt: skip

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        dry = options.get("dry_run", False)
        done = import_figures_file(data, filename, actor=actor, dry_run=dry)
        lines = [
            ngettext("%(n)s staff figure stored.", "%(n)s staff figures stored.", done.staff)
            % {"n": done.staff},
            ngettext("%(n)s spending figure stored.", "%(n)s spending figures stored.", done.spending)
            % {"n": done.spending},
            ngettext("%(n)s decision count stored.", "%(n)s decision counts stored.", done.decisions)
            % {"n": done.decisions},
        ]
        if dry:
            lines.insert(0, _("The file is valid; nothing was stored (dry run)."))
        return lines

    def template(self, fmt: str) -> bytes:
        return figure_template(fmt)


# --- disputes --------------------------------------------------------------------------------------

KIND_ZH = {
    DisputeKind.REVIEW: "行政复议",
    DisputeKind.LITIGATION_DIRECT: "未经复议直接起诉",
    DisputeKind.LITIGATION_AFTER_REVIEW: "复议后起诉",
    DisputeKind.COMPLAINT: "申诉",
}
KIND_WORDS = _words(KIND_ZH, {"复议": DisputeKind.REVIEW, "直接起诉": DisputeKind.LITIGATION_DIRECT,
                              "行政诉讼": DisputeKind.LITIGATION_DIRECT, "诉讼": DisputeKind.LITIGATION_DIRECT,
                              "复议后诉讼": DisputeKind.LITIGATION_AFTER_REVIEW})  # fmt: skip
RESULT_ZH = {
    DisputeResult.MAINTAINED: "维持",
    DisputeResult.CORRECTED: "纠正",
    DisputeResult.OTHER: "其他",
    DisputeResult.PENDING: "尚未审结",
}
RESULT_WORDS = _words(RESULT_ZH, {"结果维持": DisputeResult.MAINTAINED, "结果纠正": DisputeResult.CORRECTED,
                                  "其他结果": DisputeResult.OTHER, "未审结": DisputeResult.PENDING,
                                  "审理中": DisputeResult.PENDING})  # fmt: skip
DISPUTE_COLUMNS = [
    Column("organisation", "被申请单位", ("organisation", "单位", "被告", "被申请人", "单位代码"), required=True),
    Column("kind", "类别", ("kind", "案件类别", "类型"), required=True),
    Column("reference", "案号", ("reference", "文号", "编号"), required=True),
    Column("subject", "事由", ("subject", "争议事项", "案由"), required=True),
    Column("body", "受理机关", ("body", "复议机关", "法院", "court")),
    Column("filed_on", "受理日期", ("filed_on", "filed", "申请日期", "立案日期"), required=True),
    Column("result", "结果", ("result", "审结结果")),
    Column("concluded_on", "审结日期", ("concluded_on", "concluded", "结案日期")),
    Column("review", "复议案号", ("review", "review_reference", "原复议案号")),
    Column("application", "申请编号", ("application", "application_number", "申请案号")),
    Column("note", "备注", ("note", "说明")),
]  # fmt: skip
DISPUTE_HEADERS = {c.field: c.header for c in DISPUTE_COLUMNS}


@dataclass
class DisputeRow:
    row: int
    organisation: Any
    fields: dict[str, Any]
    result: str
    concluded_on: date | None
    review: str
    case: DisputeCase | None = None


@dataclass
class DisputesImported:
    created: int = 0
    updated: int = 0
    concluded: int = 0
    cases: list[DisputeCase] = field(default_factory=list)


def parse_dispute_rows(
    data: bytes, filename: str = ""
) -> tuple[list[DisputeRow], dict[str, str], list[RowError]]:
    from gongkai.applications.models import Application

    table, index, labels = read_rows(data, filename, DISPUTE_COLUMNS)
    units = Units()
    today = timezone.localdate()
    rows: list[DisputeRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, str, str], int] = {}
    for number, cells in table.rows:
        c = Cells(number, cells, index, labels)
        org = units.find(c.text("organisation", required=True))
        if org is None and not c.has("organisation"):
            c.bad("organisation", _("No single active organisation with that code or name."))
        kind = c.choice("kind", KIND_WORDS)
        if not kind and not c.has("kind"):
            c.bad("kind", _("Required."))
        fields: dict[str, Any] = {
            "kind": kind,
            "reference": c.text("reference", 100, required=True),
            "subject": c.text("subject", 300, required=True),
            "body": c.text("body", 200),
            "note": c.text("note"),
            "filed_on": c.day("filed_on", today),
        }
        if fields["filed_on"] is None and not c.has("filed_on"):
            c.bad("filed_on", _("Required."))
        result = c.choice("result", RESULT_WORDS, DisputeResult.PENDING)
        concluded_on = c.day("concluded_on", today)
        if result != DisputeResult.PENDING and concluded_on is None and not c.has("concluded_on"):
            c.bad("concluded_on", _("A concluded case needs the date it was concluded."))
        if result == DisputeResult.PENDING and concluded_on is not None:
            c.bad("result", _("Give the result of a concluded case."))
        number_text = c.text("application")
        fields["application"] = None
        if number_text:
            fields["application"] = (
                Application.objects.select_related("organisation").filter(case_number=number_text).first()
            )
            if fields["application"] is None:
                c.bad("application", _("No application with this case number."))
        review = c.text("review", 100)
        if org is not None and kind and fields["reference"]:
            key = (org.pk, kind, _key(fields["reference"]))
            if key in seen:
                c.bad("reference", _("The same case is already given in row %(row)s.") % {"row": seen[key]})
            seen[key] = number
        if c.problems:
            errors.extend(c.problems)
        else:
            rows.append(DisputeRow(number, org, fields, result, concluded_on, review))
    if rows:
        orgs = {r.organisation.pk for r in rows}
        stored = {(d.organisation_id, d.kind, _key(d.reference)): d
                  for d in DisputeCase.objects.filter(organisation_id__in=orgs)}  # fmt: skip
        for r in rows:
            r.case = stored.get((r.organisation.pk, r.fields["kind"], _key(r.fields["reference"])))
    if not rows and not errors:
        errors.append(RowError(None, "", _("There is nothing to import.")))
    return rows, labels, errors


@action
def import_disputes(
    *, actor: Any, rows: list[DisputeRow], labels: dict[str, str] | None = None, dry_run: bool = False
) -> DisputesImported:
    """Store every case row through ``save_dispute`` (and ``conclude_dispute``); all or nothing."""
    from gongkai.records import actions

    labels = {**DISPUTE_HEADERS, **(labels or {})}
    labels["review_case"] = labels["review"]
    if not rows:
        raise ActionError(_("There is nothing to import."))
    errors: list[RowError] = []
    done = DisputesImported()
    for row in rows:
        try:
            with transaction.atomic():  # a refused row leaves nothing; the others go on being checked
                review = None
                if row.review:
                    review = DisputeCase.objects.filter(organisation=row.organisation, kind=DisputeKind.REVIEW,
                                                        reference=row.review).first()  # fmt: skip
                    if review is None:
                        raise ActionError({"review_case": _("No review of this unit with this reference (list the "
                                                            "review in an earlier row).")})  # fmt: skip
                case = actions.save_dispute(actor=actor, organisation=row.organisation, review_case=review,
                                            case=row.case, **row.fields)  # fmt: skip
                if row.result != DisputeResult.PENDING and case.result != row.result:
                    case = actions.conclude_dispute(actor=actor, case=case, result=row.result,
                                                    concluded_on=row.concluded_on)  # fmt: skip
                    done.concluded += 1
                elif row.result == DisputeResult.PENDING and case.result != DisputeResult.PENDING:
                    raise ActionError({"result": _("This case has already been concluded.")})
        except (ActionError, PermissionDenied) as exc:
            errors.extend(action_errors(row.row, exc, labels, "organisation"))
            continue
        done.cases.append(case)
        if row.case is None:
            done.created += 1
        else:
            done.updated += 1
    if errors:
        raise ImportRejected(errors)
    if dry_run:
        transaction.set_rollback(True)
    return done


def import_disputes_file(
    data: bytes, filename: str = "", *, actor: Any, dry_run: bool = False
) -> DisputesImported:
    """Read, check and store a table of review, litigation and complaint cases; all or nothing."""
    _require_actor(actor, _("Review and litigation cases"))
    rows, labels, errors = parse_dispute_rows(data, filename)
    if errors:
        if rows:
            try:
                import_disputes(actor=actor, rows=rows, labels=labels, dry_run=True)
            except ImportRejected as exc:
                errors.extend(exc.errors)
        raise ImportRejected(errors)
    return import_disputes(actor=actor, rows=rows, labels=labels, dry_run=dry_run)


DISPUTE_EXAMPLE = {
    "organisation": "攸县国土资源局", "kind": "行政复议", "reference": "攸政复字〔2021〕3号",
    "subject": "对不予公开答复不服", "body": "攸县人民政府", "filed_on": date(2021, 3, 2), "result": "纠正",
    "concluded_on": date(2021, 4, 28), "review": "", "application": "", "note": "",
}  # fmt: skip


def dispute_template(fmt: str) -> bytes:
    return write_template([c.header for c in DISPUTE_COLUMNS],
                          [DISPUTE_EXAMPLE.get(c.field, "") for c in DISPUTE_COLUMNS], "disputes", fmt)  # fmt: skip


@register_importer
class DisputesImporter(DryRunMixin, Importer):
    kind = "disputes"
    help = (
        "administrative review, litigation and complaint cases about disclosure (table 四), from CSV or XLSX"
    )

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        dry = options.get("dry_run", False)
        done = import_disputes_file(data, filename, actor=actor, dry_run=dry)
        lines = [
            ngettext("%(n)s case created.", "%(n)s cases created.", done.created) % {"n": done.created},
            ngettext("%(n)s case updated.", "%(n)s cases updated.", done.updated) % {"n": done.updated},
            ngettext("%(n)s case concluded.", "%(n)s cases concluded.", done.concluded)
            % {"n": done.concluded},
        ]
        if dry:
            lines.insert(0, _("The file is valid; nothing was stored (dry run)."))
        return lines

    def template(self, fmt: str) -> bytes:
        return dispute_template(fmt)
