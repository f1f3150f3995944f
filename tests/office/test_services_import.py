"""The back office's upload and download pages of the service catalogue and of service cases.

Imports are all or nothing with the table of problems (row, column, reason); exports hold what
the user may see: the catalogue through the items policy, cases through the cases policy.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongkai.audit.models import AuditEvent
from gongkai.services.imports import import_cases_file
from gongkai.services.models import ServiceCase, ServiceItem
from tests.office import test_services_support as support
from tests.office.test_services_support import BASE

svc = support.svc
pytestmark = pytest.mark.django_db

ITEMS = f"{BASE}/items/import/"
CASES = f"{BASE}/cases/import/"
HEADER = ["实施单位", "事项编码", "事项名称", "事项类型", "设定依据", "法定时限", "承诺时限", "是否收费", "收费标准",
          "计费单位", "网上办理", "是否公布"]  # fmt: skip
CASE_HEADER = ["事项编码", "实施单位", "办理渠道", "受理中心", "窗口", "申请人", "收件日期", "是否受理", "办结日期",
               "办理结果"]  # fmt: skip


def table(rows: list[list[Any]], header: list[str], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def workbook(rows: list[list[Any]], header: list[str]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def item_rows(unit: Any) -> list[list[Any]]:
    return [
        [unit.code, "CZ-201", "代理记账机构设立审批", "行政许可", "《会计法》第三十六条", 20, 10, "否", "", "", "是", "是"],
        [unit.name, "CZ-202", "会计人员信息采集", "公共服务", "《会计人员管理办法》", 5, 2, "是", "20.00", "件", "否", "否"],
    ]  # fmt: skip


def case_rows(svc: Any) -> list[list[Any]]:
    unit, centre = svc.world.unit_a.code, svc.centre.name
    return [
        ["CZ-001", unit, "中心窗口", centre, "A01", "王五", "2013-03-18", "是", "2013-03-22", "准予"],
        ["CZ-001", unit, "中心窗口", centre, "A01", "赵六", "2014-05-06", "是", "", ""],
    ]


def problems(body: str) -> list[tuple[str, str, str]]:
    return re.findall(r"<tr><td class=\"num\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", body)


def items_and_events() -> tuple[int, int]:
    return ServiceItem.objects.count(), AuditEvent.objects.count()


# --- who reaches the pages ----------------------------------------------------------------------


def test_unit_editors_reach_the_catalogue_import_others_do_not(world, as_, client):
    for persona in ("clerk_a", "reviewer", "county_admin", "root"):
        response = as_(persona).get(ITEMS)
        assert response.status_code == 200, persona
        assert b'enctype="multipart/form-data"' in response.content
        assert f'href="{ITEMS}template.xlsx"'.encode() in response.content
    for persona in ("window", "supervisor", "citizen"):
        assert as_(persona).get(ITEMS).status_code == 403, persona
        assert as_(persona).post(ITEMS, {"file": upload("a.csv", b"x")}).status_code == 403, persona
    client.logout()
    assert client.get(ITEMS).status_code == 302
    assert client.get(f"{BASE}/items/export.csv").status_code == 302
    assert as_("citizen").get(f"{BASE}/items/export.csv").status_code == 403


def test_window_staff_reach_the_cases_import_others_do_not(world, as_, client, svc):
    for user in (svc.centre_staff, svc.unit_window, world.window):
        response = as_(user).get(CASES)
        assert response.status_code == 200 and f'href="{CASES}template.csv"'.encode() in response.content
    for persona in ("clerk_a", "supervisor", "county_admin", "citizen"):
        assert as_(persona).get(CASES).status_code == 403, persona
    client.logout()
    assert client.get(CASES).status_code == 302
    assert client.get(f"{BASE}/cases/export.csv").status_code == 302
    assert as_("citizen").get(f"{BASE}/cases/export/").status_code == 403


def test_the_catalogue_list_links_to_import_and_export(world, as_, svc):
    body = as_("clerk_a").get(f"{BASE}/items/").content.decode()
    assert f'href="{ITEMS}"' in body and f'href="{BASE}/items/export/"' in body
    body = as_("supervisor").get(f"{BASE}/items/").content.decode()
    assert f'href="{ITEMS}"' not in body and f'href="{BASE}/items/export/"' in body


# --- importing the catalogue --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_clerk_imports_a_csv_in_utf8_or_gbk(world, as_, encoding):
    client = as_("clerk_a")
    before = AuditEvent.objects.count()
    data = table(item_rows(world.unit_a), HEADER, encoding)
    response = client.post(ITEMS, {"file": upload("事项.csv", data)})
    assert response.status_code == 302 and response["Location"] == f"{ITEMS}done/"
    first, second = ServiceItem.objects.get(code="CZ-201"), ServiceItem.objects.get(code="CZ-202")
    assert (
        first.organisation == world.unit_a and first.published and first.online and first.kind == "licensing"
    )
    assert not second.published and not second.fee_free and str(second.fee_amount) == "20.00"
    events = AuditEvent.objects.filter(pk__gt=0).order_by("pk")[before:]
    verbs = [e.verb for e in events]
    assert verbs.count("services.save_item") == 2 and verbs.count("services.set_item_published") == 1
    assert all(e.actor_id == world.clerk_a.pk for e in events)
    page = client.get(response["Location"]).content.decode()
    assert "2 service items created from 事项.csv." in page
    assert f'href="{BASE}/items/{first.pk}/"' in page and "CZ-202" in page
    # The same file again updates the items instead of duplicating them.
    response = client.post(ITEMS, {"file": upload("事项.csv", data)})
    assert response.status_code == 302 and ServiceItem.objects.count() == 2
    assert "0 service items created" in client.get(response["Location"]).content.decode()


def test_an_xlsx_workbook_is_imported(world, as_):
    response = as_("reviewer").post(
        ITEMS, {"file": upload("事项.xlsx", workbook(item_rows(world.unit_b), HEADER))}
    )
    assert response.status_code == 302
    assert set(ServiceItem.objects.values_list("organisation_id", flat=True)) == {world.unit_b.pk}


def test_one_bad_row_stores_nothing_and_shows_row_column_and_reason(world, as_):
    rows = item_rows(world.unit_a)
    rows.append(
        [world.unit_a.code, "CZ-203", "会计证补办", "行政许可", "依据", "十五", 5, "否", "", "", "否", "是"]
    )
    before = items_and_events()
    response = as_("clerk_a").post(ITEMS, {"file": upload("事项.csv", table(rows, HEADER))})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was imported: the file has 1 problem." in body
    found = problems(body)
    assert [(r, c) for r, c, _m in found] == [("4", "法定时限")]
    assert "Give a whole number from 0 to 32767." in found[0][2]
    assert items_and_events() == before


def test_a_rule_broken_by_the_action_is_listed_too(world, as_):
    """Cells fine, but promised beyond statutory: the action's refusal, under its column."""
    rows = item_rows(world.unit_a)
    rows[1][5], rows[1][6] = 5, 9
    before = items_and_events()
    body = as_("clerk_a").post(ITEMS, {"file": upload("a.csv", table(rows, HEADER))}).content.decode()
    assert [(r, c) for r, c, _m in problems(body)] == [("3", "承诺时限")]
    assert items_and_events() == before


def test_a_clerk_cannot_import_another_units_items(world, as_):
    before = items_and_events()
    body = as_("clerk_a").post(ITEMS, {"file": upload("a.csv", table(item_rows(world.unit_b), HEADER))})
    found = problems(body.content.decode())
    assert {(r, c) for r, c, _m in found} == {("2", "实施单位"), ("3", "实施单位")}
    assert all(m == "You are not allowed to do this." for _r, _c, m in found)
    assert items_and_events() == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("事项.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 40, "is a program"),
        ("事项.xlsx", b"\x7fELF\x02\x01\x01\x00" + bytes(64), "is a program"),
        ("事项.csv", b"\x00\x01\x02" + bytes(range(256)) * 8, "could not be read as text"),
        ("事项.csv", b"abc,\x00def\n" * 20, "binary data"),
        ("事项.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64), "The file is not a valid XLSX workbook."),
        ("事项.xlsx", b"PK\x03\x04" + bytes(200), "The file is not a valid XLSX workbook."),
        ("setup.exe", b"MZ\x90\x00" + bytes(64), "Upload a CSV or XLSX table"),
        ("事项.csv", b"", "The submitted file is empty."),
    ],
)
def test_a_program_or_binary_is_refused_cleanly(world, as_, name, data, message):
    before = items_and_events()
    response = as_("clerk_a").post(ITEMS, {"file": upload(name, data)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert items_and_events() == before


def test_a_missing_or_unknown_column_rejects_the_file(world, as_):
    body = as_("clerk_a").post(ITEMS, {"file": upload("a.csv", b"name,kind\nx,y\n")}).content.decode()
    assert "The column is missing." in body and "实施单位" in body and not ServiceItem.objects.exists()
    data = table([[*r, "x"] for r in item_rows(world.unit_a)], [*HEADER, "备注栏"])
    body = as_("clerk_a").post(ITEMS, {"file": upload("a.csv", data)}).content.decode()
    assert "<td>备注栏</td><td>Unknown column.</td>" in body and not ServiceItem.objects.exists()


def test_the_upload_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.clerk_a)
    data = table(item_rows(world.unit_a), HEADER)
    assert client.post(ITEMS, {"file": upload("a.csv", data)}).status_code == 403
    assert not ServiceItem.objects.exists()
    client.get(ITEMS)
    token = client.cookies["csrftoken"].value
    response = client.post(ITEMS, {"file": upload("a.csv", data), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and ServiceItem.objects.count() == 2


def test_the_done_page_without_an_import_goes_back(world, as_):
    assert as_("clerk_a").get(f"{ITEMS}done/")["Location"] == ITEMS
    client = as_("clerk_a")
    client.post(ITEMS, {"file": upload("a.csv", table(item_rows(world.unit_a), HEADER))})
    assert client.get(f"{ITEMS}done/").status_code == 200
    assert client.post(f"{ITEMS}done/").status_code == 405


@pytest.mark.parametrize(("kind", "fmt"), [("items", "csv"), ("items", "xlsx"), ("cases", "csv"),
                                           ("cases", "xlsx")])  # fmt: skip
def test_templates_download(world, as_, kind, fmt):
    response = as_("clerk_a").get(f"{BASE}/{kind}/import/template.{fmt}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        header = response.content.decode("utf-8-sig").splitlines()[0]
        assert header.startswith("实施单位,事项编码" if kind == "items" else "事项编码,实施单位")
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row == 2
    assert as_("clerk_a").get(f"{BASE}/{kind}/import/template.exe").status_code == 404


def test_the_pages_have_no_inline_script_or_style(world, as_, svc):
    client = as_("county_admin")
    pages = [client.get(ITEMS), client.get(f"{BASE}/items/export/"), client.get(f"{BASE}/cases/export/"),
             client.post(ITEMS, {"file": upload("x.csv", b"a,b\n1,2\n")}),
             as_(svc.centre_staff).get(CASES)]  # fmt: skip
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert "<script" not in body and " style=" not in body and "<style" not in body


# --- exporting the catalogue --------------------------------------------------------------------


@pytest.fixture
def drafts(world: Any, svc: Any) -> Any:
    """Unit A's published items (from svc) and one draft of unit A (unpublished)."""
    return svc.make_item(publish=False, code="CZ-DRAFT", name="内部草稿事项")


def _csv_of(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_holds_the_catalogue_the_user_may_see(world, as_, svc, drafts):
    mine = _csv_of(as_("clerk_a").get(f"{BASE}/items/export.csv"))
    assert {r["事项编码"] for r in mine} == {"CZ-001", "CZ-002", "CZ-DRAFT"}
    charged = next(r for r in mine if r["事项编码"] == "CZ-002")
    assert (charged["实施单位"], charged["是否收费"], charged["收费标准"], charged["是否公布"]) == (
        world.unit_a.code, "是", "10.00", "是",
    )  # fmt: skip
    # Another unit's clerk: the published catalogue, never our draft.
    theirs = as_("clerk_b").get(f"{BASE}/items/export.csv")
    assert theirs.status_code == 200 and theirs["Cache-Control"] == "private, no-store"
    assert {r["事项编码"] for r in _csv_of(theirs)} == {"CZ-001", "CZ-002"}
    assert (
        "0 service items match."
        in as_("clerk_b").get(f"{BASE}/items/export/", {"published": "no"}).content.decode()
    )
    # Another county's administrator sees the same public catalogue and nothing else.
    data = json.loads(b"".join(as_("other_admin").get(f"{BASE}/items/export.json").streaming_content))
    assert {d["code"] for d in data} == {"CZ-001", "CZ-002"}


def test_the_export_filters_and_formats(world, as_, svc, drafts):
    client = as_("clerk_a")
    body = client.get(f"{BASE}/items/export/", {"published": "no"}).content.decode()
    assert "1 service item matches." in body
    assert f'formaction="{BASE}/items/export.xlsx"' in body
    rows = _csv_of(client.get(f"{BASE}/items/export.csv", {"q": "补办"}))
    assert [r["事项编码"] for r in rows] == ["CZ-002"]
    data = json.loads(
        b"".join(client.get(f"{BASE}/items/export.json", {"kind": "licensing"}).streaming_content)
    )
    assert {d["code"] for d in data} == {"CZ-001", "CZ-DRAFT"} and all("id" in d for d in data)
    response = client.get(f"{BASE}/items/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 4 and sheet.cell(1, 1).value == "实施单位"
    assert client.get(f"{BASE}/items/export.pdf").status_code == 404


def test_an_exported_catalogue_imports_again(world, as_, svc):
    client = as_("clerk_a")
    exported = b"".join(client.get(f"{BASE}/items/export.csv").streaming_content)
    response = client.post(ITEMS, {"file": upload("export.csv", exported)})
    assert response.status_code == 302 and ServiceItem.objects.count() == 2
    assert "0 service items created" in client.get(response["Location"]).content.decode()


def test_the_export_page_has_a_constant_number_of_queries(world, as_, svc):
    client = as_("clerk_a")
    client.get(f"{BASE}/items/export/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}/items/export/")
    for n in range(5):
        svc.make_item(code=f"CZ-1{n:02d}")
    with CaptureQueriesContext(connection) as many:
        client.get(f"{BASE}/items/export/")
    assert len(many) == len(few)


# --- cases --------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_window_staff_import_cases(world, as_, svc, encoding):
    client = as_(svc.centre_staff)
    before = AuditEvent.objects.filter(verb="services.import_case").count()
    response = client.post(CASES, {"file": upload("办件.csv", table(case_rows(svc), CASE_HEADER, encoding))})
    assert response.status_code == 302 and response["Location"] == f"{CASES}done/"
    cases = {c.applicant_name: c for c in ServiceCase.objects.all()}
    assert set(cases) == {"王五", "赵六"} and cases["王五"].result == "approved" and cases["赵六"].is_open
    assert AuditEvent.objects.filter(verb="services.import_case").count() == before + 2
    page = client.get(response["Location"]).content.decode()
    assert "2 cases imported from 办件.csv." in page
    assert f'href="{BASE}/cases/{cases["王五"].pk}/"' in page and cases["王五"].case_number in page


def test_a_bad_case_row_stores_nothing(world, as_, svc):
    rows = case_rows(svc)
    rows[1][8], rows[1][9] = "2014-05-01", "准予"  # completed before it was received
    before = AuditEvent.objects.count()
    body = (
        as_(svc.centre_staff)
        .post(CASES, {"file": upload("a.csv", table(rows, CASE_HEADER))})
        .content.decode()
    )
    assert "Nothing was imported: the file has 1 problem." in body
    assert [(r, c) for r, c, _m in problems(body)] == [("3", "办结日期")]
    assert not ServiceCase.objects.exists() and AuditEvent.objects.count() == before


def test_window_staff_of_another_centre_cannot_import_our_cases(world, as_, svc):
    body = as_(world.window).post(CASES, {"file": upload("a.csv", table(case_rows(svc), CASE_HEADER))})
    found = problems(body.content.decode())
    assert {(r, c) for r, c, _m in found} == {("2", "受理中心"), ("3", "受理中心")}
    assert "You may not process these cases." in found[0][2]
    assert not ServiceCase.objects.exists()


def test_the_cases_upload_needs_the_csrf_token(world, svc):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(svc.centre_staff)
    assert (
        client.post(CASES, {"file": upload("a.csv", table(case_rows(svc), CASE_HEADER))}).status_code == 403
    )
    assert not ServiceCase.objects.exists()


@pytest.fixture
def imported(svc: Any) -> list[ServiceCase]:
    return import_cases_file(table(case_rows(svc), CASE_HEADER), "a.csv", actor=svc.centre_staff).cases


def test_the_cases_export_by_unit_and_year(world, as_, svc, imported):
    client = as_(svc.centre_staff)
    assert "2 cases match." in client.get(f"{BASE}/cases/export/").content.decode()
    body = client.get(
        f"{BASE}/cases/export/", {"year": "2013", "organisation": world.unit_a.pk}
    ).content.decode()
    assert "1 case matches." in body and f'formaction="{BASE}/cases/export.csv"' in body
    response = client.get(f"{BASE}/cases/export.csv", {"year": "2013"})
    assert response["Cache-Control"] == "private, no-store"
    rows = _csv_of(response)
    assert [(r["申请人"], r["办理结果"], r["受理中心"], r["窗口"]) for r in rows] == [
        ("王五", "准予", svc.centre.code, "A01")
    ]
    assert rows[0]["办件编号"] == imported[0].case_number
    data = json.loads(b"".join(client.get(f"{BASE}/cases/export.json").streaming_content))
    assert {d["status"] for d in data} == {"completed", "accepted"}
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(f"{BASE}/cases/export.xlsx").streaming_content))
    ).active
    assert sheet.max_row == 3
    assert client.get(f"{BASE}/cases/export.exe").status_code == 404
    assert client.post(f"{BASE}/cases/export.csv").status_code == 405
    # A bad filter is shown and ignored.
    body = client.get(
        f"{BASE}/cases/export/", {"year": "二〇一三", "organisation": "999999"}
    ).content.decode()
    assert "2 cases match." in body and body.count('role="alert"') == 2
    # The unit's officials and the county's supervisor see them too.
    for persona in ("clerk_a", "supervisor"):
        assert len(_csv_of(as_(persona).get(f"{BASE}/cases/export.csv"))) == 2, persona


def test_outsiders_export_none_of_our_cases(world, as_, svc, imported):
    for user in (world.clerk_b, world.window, world.other_admin):
        client = as_(user)
        assert "0 cases match." in client.get(f"{BASE}/cases/export/").content.decode()
        assert _csv_of(client.get(f"{BASE}/cases/export.csv")) == []
        # Naming our unit in the filter does not reach it either.
        assert _csv_of(client.get(f"{BASE}/cases/export.csv", {"organisation": world.unit_a.pk})) == []


def test_the_cases_export_page_has_a_constant_number_of_queries(world, as_, svc, imported):
    client = as_(svc.centre_staff)
    client.get(f"{BASE}/cases/export/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}/cases/export/")
    import_cases_file(table(case_rows(svc) * 3, CASE_HEADER), "b.csv", actor=svc.centre_staff)
    with CaptureQueriesContext(connection) as many:
        client.get(f"{BASE}/cases/export/")
    assert len(many) == len(few)
