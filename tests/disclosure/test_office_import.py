"""The back office's import page, templates and exports."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongkai.disclosure.imports import import_items_file
from gongkai.disclosure.models import DisclosureItem, ItemStatus
from gongkai.orgs.actions import update_organisation
from tests.disclosure.conftest import csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db
URL = "/office/items/import/"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_writers_reach_the_page_others_do_not(world, as_, client):
    for persona in ("clerk_a", "reviewer", "county_admin", "root"):
        response = as_(persona).get(URL)
        assert response.status_code == 200, persona
        assert b'enctype="multipart/form-data"' in response.content
    for persona in ("window", "supervisor", "citizen"):
        assert as_(persona).get(URL).status_code == 403, persona
    client.logout()
    assert client.get(URL).status_code == 302


def test_the_organisation_choices_are_the_users_writable_units(world, as_):
    body = as_("clerk_a").get(URL).content.decode()
    assert f'value="{world.unit_a.pk}"' in body and f'value="{world.unit_b.pk}"' not in body


def test_a_good_file_is_imported_and_summarised(world, as_):
    client = as_("reviewer")
    data = xlsx_bytes([row(world.unit_a, 1), row(world.unit_b, 2)])
    response = client.post(URL, {"file": upload("目录.xlsx", data), "mode": "publish", "organisation": ""})
    assert response.status_code == 302 and response["Location"] == "/office/items/import/done/"
    assert DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "2 items imported from 目录.xlsx." in page
    item = DisclosureItem.objects.get(doc_number="攸财发〔2013〕1号")
    assert f'href="/office/items/{item.pk}/"' in page and item.index_no in page


def test_a_bad_file_shows_the_table_of_problems_and_stores_nothing(world, as_):
    client = as_("reviewer")
    data = csv_bytes(
        [row(world.unit_a, 1), row(world.unit_a, 2, 发布日期="2013-02-30"), row(world.unit_b, 3, 名称="")]
    )
    response = client.post(URL, {"file": upload("目录.csv", data), "mode": "publish"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing was imported: the file has 2 problems." in body
    cells = re.findall(r"<tr><td class=\"num\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", body)
    assert [(r, c) for r, c, _m in cells] == [("3", "发布日期"), ("4", "名称")]
    assert "is not a valid date" in cells[0][2]
    assert not DisclosureItem.objects.exists()


def test_the_draft_mode_and_the_default_organisation(world, as_):
    client = as_("clerk_a")
    header = ["名称", "生成日期"]
    data = csv_bytes([{"名称": "草稿甲", "生成日期": "2013-04-01"}], header=header)
    response = client.post(
        URL, {"file": upload("a.csv", data), "mode": "draft", "organisation": world.unit_a.pk}
    )
    assert response.status_code == 302
    item = DisclosureItem.objects.get()
    assert (
        item.status == ItemStatus.DRAFT
        and item.organisation == world.unit_a
        and item.created_by == world.clerk_a
    )
    # a clerk of a unit with review cannot publish
    data = csv_bytes([{"名称": "草稿乙", "生成日期": "2013-04-01"}], header=header)
    response = client.post(
        URL, {"file": upload("b.csv", data), "mode": "publish", "organisation": world.unit_a.pk}
    )
    assert (
        response.status_code == 200
        and "You may not publish items of 攸县财政局." in response.content.decode()
    )
    # nor choose another unit as the default
    response = client.post(
        URL, {"file": upload("b.csv", data), "mode": "draft", "organisation": world.unit_b.pk}
    )
    assert response.status_code == 200 and DisclosureItem.objects.count() == 1


def test_a_broken_workbook_is_reported(world, as_):
    response = as_("reviewer").post(URL, {"file": upload("x.xlsx", b"\x00garbage" * 50), "mode": "publish"})
    assert (
        response.status_code == 200 and "The file is not a valid XLSX workbook." in response.content.decode()
    )


def test_the_upload_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.reviewer)
    data = {"file": upload("a.csv", csv_bytes([row(world.unit_a, 1)])), "mode": "publish"}
    assert client.post(URL, data).status_code == 403
    client.get(URL)
    data = {"file": upload("a.csv", csv_bytes([row(world.unit_a, 1)])), "mode": "publish",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value}  # fmt: skip
    assert client.post(URL, data).status_code == 302
    assert DisclosureItem.objects.count() == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_download(world, as_, fmt):
    response = as_("clerk_a").get(f"/office/items/import/template.{fmt}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert world.unit_a.name.encode() in response.content or fmt == "xlsx"
    assert as_("clerk_a").get("/office/items/import/template.exe").status_code == 404


def test_the_pages_have_no_inline_script_or_style(world, as_):
    client = as_("reviewer")
    import_items_file(csv_bytes([row(world.unit_a, 1)]), "a.csv", actor=world.reviewer)
    pages = [client.get(URL), client.get("/office/items/export/"),
             client.post(URL, {"file": upload("x.csv", b"a,b\n1,2\n"), "mode": "publish"})]  # fmt: skip
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert "<script" not in body and " style=" not in body and "<style" not in body
        assert "unsafe-inline" not in response["Content-Security-Policy"]


# --- exports -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(world):
    rows = [row(world.unit_a, 1, 名称="=1+2"), row(world.unit_a, 2, 类型="政务动态"), row(world.unit_b, 3)]
    import_items_file(csv_bytes(rows), "a.csv", actor=world.reviewer)
    import_items_file(
        csv_bytes([row(world.unit_a, 9, 名称="草稿")]), "b.csv", actor=world.clerk_a, publish=False
    )


def test_export_page_counts_with_the_filters(world, as_, catalogue):
    client = as_("clerk_b")
    assert "3 published items match." in client.get("/office/items/export/").content.decode()
    body = client.get(
        "/office/items/export/", {"organisation": world.unit_a.pk, "kind": "news"}
    ).content.decode()
    assert "1 published item matches." in body
    assert 'formaction="/office/items/export.xlsx"' in body


def test_exports_stream_the_published_items_with_the_filters(world, as_, catalogue):
    client = as_("clerk_b")
    response = client.get("/office/items/export.csv", {"organisation": world.unit_a.pk})
    assert (
        response.status_code == 200 and response.streaming and response["Content-Type"].startswith("text/csv")
    )
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 2 and "草稿" not in text and {r["名称"] for r in table} >= {"'=1+2"}

    response = client.get(
        "/office/items/export.json", {"organisation": world.county.pk, "below": "on", "q": "第3项"}
    )
    data = json.loads(b"".join(response.streaming_content))
    assert [d["organisation_code"] for d in data] == [world.unit_b.code]

    response = client.get("/office/items/export.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws.max_row == 4 and all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    assert client.get("/office/items/export.pdf").status_code == 404


def test_exports_need_a_staff_login(world, as_, client, catalogue):
    client.logout()
    assert client.get("/office/items/export.csv").status_code == 302
    assert as_("citizen").get("/office/items/export.csv").status_code == 403


def test_a_self_publishing_clerk_publishes_through_the_page(world, as_):
    update_organisation(actor=world.root, organisation=world.unit_a, self_publish=True)
    client = as_(world.fresh(world.clerk_a))
    response = client.post(
        URL, {"file": upload("a.csv", csv_bytes([row(world.unit_a, 1)])), "mode": "publish"}
    )
    assert response.status_code == 302
    assert DisclosureItem.objects.get().published_by == world.clerk_a
