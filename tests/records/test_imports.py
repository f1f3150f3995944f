"""``gongkai import figures|disputes``: all or nothing, problems by row and column, GBK and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gongkai.audit.models import AuditEvent
from gongkai.disclosure.bulk import ImportRejected
from gongkai.disclosure.imports import importers, read_table
from gongkai.disclosure.imports.tables import FileRejected
from gongkai.records.imports import (
    dispute_template,
    figure_template,
    import_disputes_file,
    import_figures_file,
)
from gongkai.records.models import DecisionCount, DisputeCase, SpendingFigure, StaffFigure

FIGURES = ["单位", "年度", "项目", "数值", "备注"]
DISPUTES = ["被申请单位", "类别", "案号", "事由", "受理机关", "受理日期", "结果", "审结日期", "复议案号"]


def _csv(header: list[str], rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _figure_rows(world: Any) -> list[list[Any]]:
    return [
        [world.unit_a.code, 2013, "专职人员", 0, ""],
        [world.unit_a.name, 2013, "兼职人员", 1, "信息员兼任"],
        [world.unit_a.name, 2013, "经费", "26,000.50", ""],
        [world.unit_b.name, "2013", "行政处罚", 12, ""],
        [world.township.name, 2013, "行政强制", 3, ""],
    ]


def test_kinds_are_registered():
    assert {"figures", "disputes"} <= set(importers())


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_figures_are_imported_and_marked(world, encoding):
    done = import_figures_file(
        _csv(FIGURES, _figure_rows(world), encoding), "f.csv", actor=world.county_admin
    )
    assert (done.staff, done.spending, done.decisions) == (1, 1, 2)
    staff = StaffFigure.objects.get()
    assert (staff.full_time, staff.part_time, staff.source, staff.entered_by) == (
        0,
        1,
        "imported",
        world.county_admin,
    )
    assert staff.note == "信息员兼任"
    assert SpendingFigure.objects.get().amount == Decimal("26000.50")
    assert set(DecisionCount.objects.values_list("kind", "count", "source")) == {
        ("penalty", 12, "imported"), ("enforcement", 3, "imported")}  # fmt: skip


def test_figures_from_xlsx_update_the_stored_ones(world):
    from gongkai.records import actions

    actions.set_staff_figure(
        actor=world.clerk_a, organisation=world.unit_a, year=2013, full_time=2, part_time=5
    )
    data = _xlsx(FIGURES, [[world.unit_a.name, 2013, "兼职人员", 1, ""]])
    import_figures_file(data, "f.xlsx", actor=world.county_admin)
    staff = StaffFigure.objects.get()
    assert (staff.full_time, staff.part_time, staff.source) == (2, 1, "imported")


def test_a_bad_figures_file_stores_nothing_and_names_every_problem(world):
    rows = [
        *_figure_rows(world),
        ["没有这个单位", 2013, "经费", 1, ""],
        [world.unit_a.name, 1800, "经费", 1, ""],
        [world.unit_a.name, 2013, "奖金", 1, ""],
        [world.unit_b.name, 2013, "经费", "-5", ""],
        [world.unit_b.name, 2013, "行政处罚", 13, ""],  # the same figure as row 5
        [world.other_county.name, 2013, "经费", 1, ""],  # not the importer's county
    ]
    with pytest.raises(ImportRejected) as exc:
        import_figures_file(_csv(FIGURES, rows), "f.csv", actor=world.county_admin)
    problems = {(e.row, e.column) for e in exc.value.errors}
    assert problems == {(7, "单位"), (8, "年度"), (9, "项目"), (10, "数值"), (11, "项目"), (12, "单位")}
    assert not (
        StaffFigure.objects.exists() or SpendingFigure.objects.exists() or DecisionCount.objects.exists()
    )
    assert not AuditEvent.objects.filter(verb__startswith="records.").exists()


def test_a_missing_column_or_actor_rejects_the_file(world):
    with pytest.raises(ImportRejected) as exc:
        import_figures_file(_csv(["单位", "年度", "数值"], [[world.unit_a.name, 2013, 1]]), "f.csv",
                            actor=world.county_admin)  # fmt: skip
    assert [e.column for e in exc.value.errors] == ["项目"]
    with pytest.raises(FileRejected):
        import_figures_file(_csv(FIGURES, _figure_rows(world)), "f.csv", actor=None)


def test_outsiders_import_nothing(world):
    with pytest.raises(ImportRejected) as exc:
        import_figures_file(_csv(FIGURES, _figure_rows(world)), "f.csv", actor=world.clerk_b)
    assert {e.row for e in exc.value.errors} == {2, 4, 6}  # unit A (staff, spending) and the township
    assert not StaffFigure.objects.exists() and not DecisionCount.objects.exists()


def test_the_command(world, tmp_path):
    path = tmp_path / "figures.csv"
    path.write_bytes(_csv(FIGURES, _figure_rows(world)))
    out = io.StringIO()
    with translation.override("en"):  # the command speaks the platform's language, Chinese by default
        call_command(
            "import", "figures", str(path), "--actor", "county_admin", stdout=out, stderr=io.StringIO()
        )
    assert "2 decision counts stored." in out.getvalue()
    path.write_bytes(_csv(FIGURES, [[world.unit_a.name, 2013, "经费", "x", ""]]))
    with pytest.raises(CommandError):
        call_command("import", "figures", str(path), "--actor", "county_admin", stdout=io.StringIO(),
                     stderr=io.StringIO())  # fmt: skip


def test_templates_read_back():
    for template, header in ((figure_template, FIGURES[:4]), (dispute_template, DISPUTES[:4])):
        for fmt in ("csv", "xlsx"):
            table = read_table(template(fmt), f"t.{fmt}")
            assert table.header[:4] == header


def _dispute_rows(world: Any) -> list[list[Any]]:
    a = world.unit_a.name
    return [
        [a, "行政复议", "攸政复字〔2025〕1号", "不予公开", "攸县人民政府", "2025-03-01", "维持", "2025-04-20", ""],
        [a, "复议后起诉", "(2025)湘0223行初5号", "不予公开", "攸县人民法院", "2025/5/6", "", "", "攸政复字〔2025〕1号"],
        [world.unit_b.name, "直接起诉", "(2025)湘0223行初9号", "逾期答复", "攸县人民法院", "2025年6月1日", "纠正",
         "2025-09-30", ""],
        [world.township.name, "申诉", "申-1", "公开不全", "", dt.date(2025, 7, 1), "尚未审结", "", ""],
    ]  # fmt: skip


def test_disputes_are_imported_and_concluded(world):
    done = import_disputes_file(_csv(DISPUTES, _dispute_rows(world)), "d.csv", actor=world.reviewer)
    assert (done.created, done.updated, done.concluded) == (4, 0, 2)
    review = DisputeCase.objects.get(kind="review")
    suit = DisputeCase.objects.get(kind="litigation_after_review")
    assert suit.review_case == review and review.result == "maintained"
    assert DisputeCase.objects.get(kind="litigation_direct").concluded_on == dt.date(2025, 9, 30)
    # The same file again updates the cases and concludes nothing twice.
    again = import_disputes_file(_xlsx(DISPUTES, _dispute_rows(world)), "d.xlsx", actor=world.reviewer)
    assert (again.created, again.updated, again.concluded) == (0, 4, 0)
    assert DisputeCase.objects.count() == 4


def test_a_bad_disputes_file_stores_nothing(world):
    rows = [
        *_dispute_rows(world),
        [world.unit_a.name, "复议后起诉", "L-2", "s", "", "2025-05-06", "", "", "没有的复议"],
        [world.unit_a.name, "仲裁", "X-1", "s", "", "2025-05-06", "", "", ""],
        [world.unit_a.name, "行政复议", "X-2", "s", "", "2025-05-06", "维持", "", ""],
        [world.unit_a.name, "行政复议", "X-3", "s", "", "2025-05-06", "纠正", "2025-05-01", ""],
        [world.unit_a.name, "行政复议", "X-4", "s", "", "2999-01-01", "", "", ""],
    ]
    with pytest.raises(ImportRejected) as exc:
        import_disputes_file(_csv(DISPUTES, rows), "d.csv", actor=world.reviewer)
    problems = {(e.row, e.column) for e in exc.value.errors}
    assert problems == {(6, "复议案号"), (7, "类别"), (8, "审结日期"), (9, "审结日期"), (10, "受理日期")}
    assert not DisputeCase.objects.exists()
    with pytest.raises(ImportRejected):
        import_disputes_file(_csv(DISPUTES, _dispute_rows(world)), "d.csv", actor=world.supervisor)
    assert not DisputeCase.objects.exists()
