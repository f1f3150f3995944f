"""``gongkai import services|cases`` and ``gongkai export services|cases``: all or nothing,
problems by row and column, GBK and XLSX, the template, and a round trip."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from gongkai.disclosure.bulk import ImportRejected
from gongkai.disclosure.imports import importers, read_table
from gongkai.services.exports import ServicesExporter
from gongkai.services.imports import (
    CASE_COLUMNS,
    ITEM_COLUMNS,
    case_template,
    import_cases_file,
    import_items_file,
    item_template,
)
from gongkai.services.models import CaseStatus, ServiceCase, ServiceItem
from tests.services.conftest import audit_count

HEADER = ["实施单位", "事项编码", "事项名称", "事项类型", "设定依据", "法定时限", "承诺时限", "是否收费", "收费标准",
          "计费单位", "网上办理", "办理结果证件", "是否公布"]  # fmt: skip


def _csv(rows: list[list[Any]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rows(svc: Any) -> list[list[Any]]:
    unit = svc.world.unit_a
    return [
        [unit.code, "CZ-101", "代理记账机构设立审批", "行政许可", "《会计法》第三十六条", 20, 10, "否", "", "", "是", "", "是"],
        [unit.name, "CZ-102", "会计从业资格证书换发", "公共服务", "《会计从业资格管理办法》", 10, 5, "是", "20.00", "件", "否",
         "会计从业资格证书", "否"],
    ]  # fmt: skip


def test_the_registry_knows_both_kinds() -> None:
    kinds = importers()
    assert {"services", "cases"} <= set(kinds)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_services_csv_in_utf8_or_gbk_creates_the_items_through_the_actions(svc: Any, encoding: str) -> None:
    before = audit_count()
    result = import_items_file(_csv(_rows(svc), encoding=encoding), "items.csv", actor=svc.world.clerk_a)
    assert (result.created, result.updated, result.published) == (2, 0, 1)
    first = ServiceItem.objects.get(code="CZ-101")
    assert (
        first.organisation == svc.world.unit_a
        and first.kind == "licensing"
        and first.published
        and first.online
    )
    assert (first.statutory_limit_days, first.promised_limit_days, first.fee_free) == (20, 10, True)
    second = ServiceItem.objects.get(code="CZ-102")
    assert second.fee_amount == Decimal("20.00") and not second.fee_free and second.issues_certificate
    assert not second.published
    assert audit_count() - before == 3  # two saves and one publication, as the actions record them


def test_services_xlsx_and_a_second_import_updates_instead_of_duplicating(svc: Any) -> None:
    import_items_file(_xlsx(_rows(svc)), "items.xlsx", actor=svc.world.clerk_a)
    rows = _rows(svc)
    rows[0][2] = "代理记账机构设立审批（新）"
    again = import_items_file(_xlsx(rows), "items.xlsx", actor=svc.world.clerk_a)
    assert (again.created, again.updated) == (0, 2)
    assert ServiceItem.objects.get(code="CZ-101").name == "代理记账机构设立审批（新）"


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_stored(svc: Any) -> None:
    rows = _rows(svc)
    rows.append(
        [svc.world.unit_a.code, "CZ-103", "某事项", "许可证", "", -1, "x", "", "", "", "也许", "", ""]
    )
    rows.append(
        [svc.world.unit_a.code, "CZ-104", "某事项", "行政许可", "依据", 5, 10, "", "", "", "", "", ""]
    )
    rows.append(["不存在的单位", "CZ-105", "某事项", "行政许可", "依据", 5, 1, "", "", "", "", "", ""])
    count, before = ServiceItem.objects.count(), audit_count()
    with pytest.raises(ImportRejected) as exc:
        import_items_file(_csv(rows), "items.csv", actor=svc.world.clerk_a)
    found = {(e.row, e.column) for e in exc.value.errors}
    assert {(4, "事项类型"), (4, "法定时限"), (4, "承诺时限"), (4, "网上办理"), (6, "实施单位")} <= found
    # Row 5 passes the cells but the action refuses it, under the column of the field it named.
    assert (5, "承诺时限") in found
    assert all(e.row in (4, 5, 6) for e in exc.value.errors)
    assert "第" in str(exc.value.errors[0]) or "Row" in str(exc.value.errors[0])
    assert ServiceItem.objects.count() == count and audit_count() == before


def test_an_outsider_cannot_import_another_units_items(svc: Any) -> None:
    count = ServiceItem.objects.count()
    with pytest.raises(ImportRejected) as exc:
        import_items_file(_csv(_rows(svc)), "items.csv", actor=svc.world.clerk_b)
    assert {e.row for e in exc.value.errors} == {2, 3}
    assert ServiceItem.objects.count() == count
    with pytest.raises(ImportRejected):
        import_items_file(_csv(_rows(svc)), "items.csv", actor=None)


def test_a_missing_column_or_an_unreadable_file_rejects_the_file(svc: Any) -> None:
    with pytest.raises(ImportRejected) as exc:
        import_items_file(_csv([["x"]], header=["事项名称"]), "items.csv", actor=svc.world.clerk_a)
    assert {e.column for e in exc.value.errors} >= {"实施单位", "事项编码", "事项类型"}
    with pytest.raises(ImportRejected):
        import_items_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "items.xls", actor=svc.world.clerk_a)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_templates_carry_every_column(fmt: str) -> None:
    for data, columns in ((item_template(fmt), ITEM_COLUMNS), (case_template(fmt), CASE_COLUMNS)):
        table = read_table(data, f"template.{fmt}")
        assert table.header == [c.header for c in columns if not c.ignored]
        assert len(list(table.rows)) == 1


def test_export_then_import_is_a_round_trip(svc: Any, tmp_path: Any) -> None:
    out = tmp_path / "services.xlsx"
    call_command("export", "services", "--format", "xlsx", "-o", str(out), "--all", verbosity=0)
    result = import_items_file(out.read_bytes(), "services.xlsx", actor=svc.world.clerk_a)
    assert (result.created, result.updated) == (0, ServiceItem.objects.count())
    rows = list(ServicesExporter().rows(actor=None, options={}, fmt="json"))
    assert {r[2] for r in rows} == {"CZ-001", "CZ-002"}


def test_export_json_and_csv_through_the_command(svc: Any) -> None:
    buffer = io.StringIO()
    call_command("export", "services", "--format", "json", stdout=buffer, verbosity=0)
    data = json.loads(buffer.getvalue())
    assert {d["code"] for d in data} == {"CZ-001", "CZ-002"} and data[0]["kind"] == "licensing"
    buffer = io.StringIO()
    call_command("export", "services", "--template", stdout=buffer, verbosity=0)
    table = read_table(buffer.getvalue().encode(), "template.csv")
    assert table.header[:3] == ["实施单位", "事项编码", "事项名称"] and len(list(table.rows)) == 1


# --- cases --------------------------------------------------------------------------------------

CASE_HEADER = ["事项编码", "实施单位", "办理渠道", "受理中心", "窗口", "申请人", "收件日期", "是否受理", "不予受理原因",
               "办结日期", "办理结果", "不予批准理由", "证件编号", "收费数量", "收费金额", "收费票据号"]  # fmt: skip


def _case_rows(svc: Any) -> list[list[Any]]:
    unit, centre = svc.world.unit_a.code, svc.centre.name
    return [
        ["CZ-001", unit, "中心窗口", centre, "A01", "王五", "2013-03-18", "是", "", "2013-03-22", "准予", "", "", "", "",
         ""],
        ["CZ-002", unit, "窗口", centre, "", "李四", "2013年4月1日", "", "", "2013-04-03", "准予", "", "ZS-1", 2, "20.00",
         "R-0001"],
        ["CZ-001", unit, "乡镇便民服务中心", svc.world.township.name, "1", "赵六", "2013-05-06", "", "", "2013-05-20",
         "不予批准", "材料不齐", "", "", "", ""],
        ["CZ-001", unit, "网上办理", "", "", "钱七", "2013-12-30", "是", "", "", "", "", "", "", "", ""],
        ["CZ-001", unit, "网上办理", "", "", "孙八", "2013-06-03", "否", "不属于本单位职责", "", "", "", "", "", "", ""],
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["gbk", "xlsx"])
def test_cases_import_stores_every_state(svc: Any, fmt: str) -> None:
    rows = _case_rows(svc)
    data = _xlsx(rows, CASE_HEADER) if fmt == "xlsx" else _csv(rows, CASE_HEADER, encoding="gbk")
    result = import_cases_file(data, f"cases.{'xlsx' if fmt == 'xlsx' else 'csv'}", actor=None)
    assert (result.created, result.completed, result.open) == (5, 3, 1)
    assert result.fees == Decimal("20.00")
    by_name = {c.applicant_name: c for c in ServiceCase.objects.select_related("clock")}
    assert by_name["王五"].channel == "window" and by_name["王五"].on_time is True
    assert by_name["李四"].window == svc.window  # the centre's window serving the item
    assert by_name["赵六"].channel == "township" and by_name["赵六"].result == "denied"
    assert by_name["钱七"].status == CaseStatus.ACCEPTED and by_name["钱七"].clock.closed_on is None
    assert by_name["孙八"].status == CaseStatus.REJECTED and by_name["孙八"].clock is None
    assert by_name["王五"].case_number.endswith("-2013-000001")


def test_bad_cases_are_listed_and_nothing_is_stored(svc: Any) -> None:
    rows = _case_rows(svc)
    rows[1][14] = "15.00"  # not the standard x quantity
    rows[0][5] = ""  # no applicant
    rows[2][9] = "2013-05-01"  # completed before received
    rows[3][6] = "2999-01-01"  # future
    rows.append(["CZ-999", svc.world.unit_a.code, "网上办理", "", "", "某", "2013-01-04", "", "", "", "", "", "", "", "",
                 ""])  # fmt: skip
    before = audit_count()
    with pytest.raises(ImportRejected) as exc:
        import_cases_file(_csv(rows, CASE_HEADER), "cases.csv", actor=None)
    found = {(e.row, e.column) for e in exc.value.errors}
    assert {(2, "申请人"), (5, "收件日期"), (7, "事项编码")} <= found
    # Cells fine but rules broken: reported by the bulk path once the cells pass.
    rows = _case_rows(svc)
    rows[1][14] = "15.00"
    rows[2][9] = "2013-05-01"
    with pytest.raises(ImportRejected) as exc:
        import_cases_file(_csv(rows, CASE_HEADER), "cases.csv", actor=None)
    assert {(e.row, e.column) for e in exc.value.errors} == {(3, "收费金额"), (4, "办结日期")}
    assert not ServiceCase.objects.exists() and audit_count() == before


def test_cases_command_reports_problems_and_dry_run_stores_nothing(svc: Any, tmp_path: Any) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(_csv(_case_rows(svc), CASE_HEADER))
    out = io.StringIO()
    call_command("import", "cases", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert not ServiceCase.objects.exists() and "5" in out.getvalue()
    call_command("import", "cases", str(path), stdout=out, stderr=io.StringIO())
    assert ServiceCase.objects.count() == 5
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([["CZ-001", svc.world.unit_a.code, "网上", "", "", "", "2013-01-04"]], CASE_HEADER))
    with pytest.raises(CommandError):
        call_command("import", "cases", str(bad), stdout=out, stderr=io.StringIO())
    buffer = io.StringIO()
    call_command("export", "cases", "--format", "json", "--year", "2013", stdout=buffer, verbosity=0)
    assert len(json.loads(buffer.getvalue())) == 5


def test_an_outsider_actor_cannot_import_cases_of_the_centre(svc: Any) -> None:
    with pytest.raises(ImportRejected) as exc:
        import_cases_file(_csv(_case_rows(svc)[:1], CASE_HEADER), "cases.csv", actor=svc.world.clerk_b)
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "受理中心")]
    result = import_cases_file(_csv(_case_rows(svc)[:2], CASE_HEADER), "cases.csv", actor=svc.centre_staff)
    assert result.created == 2 and all(c.fee_collected_by in (None, svc.centre_staff) for c in result.cases)
    assert dt.date(2013, 3, 18) in {c.received_on for c in result.cases}


def test_services_command_imports_as_the_actor_and_needs_one(svc: Any, tmp_path: Any) -> None:
    path = tmp_path / "services.csv"
    path.write_bytes(_csv(_rows(svc), encoding="gbk"))
    out = io.StringIO()
    call_command("import", "services", str(path), "--actor", "clerk_a", "--dry-run", stdout=out)
    assert not ServiceItem.objects.filter(code="CZ-101").exists()
    call_command("import", "services", str(path), "--actor", "clerk_a", stdout=out)
    assert ServiceItem.objects.filter(code__in=["CZ-101", "CZ-102"]).count() == 2
    with pytest.raises(CommandError):
        call_command("import", "services", str(path), stdout=out, stderr=io.StringIO())  # no --actor
    with pytest.raises(CommandError):
        call_command("import", "services", str(path), "--actor", "clerk_b", stdout=out, stderr=io.StringIO())


def test_an_english_charged_header_means_charged() -> None:
    """The 是否收费 column answers "is it charged?"; no header may read it the other way round."""
    from gongkai.services.imports import ITEM_COLUMNS

    charged = next(c for c in ITEM_COLUMNS if c.header == "是否收费")
    assert "fee_free" not in {charged.field, *charged.aliases}
