"""The records import pages: upload, every problem listed, nothing stored; templates."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.records.models import DisputeCase, SpendingFigure
from tests.office.test_records_support import BASE, YEAR


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def test_figures_import_page(world, as_):
    client = as_("clerk_a")
    assert client.get(f"{BASE}/import/figures/").status_code == 200
    bad = _csv([["单位", "年度", "项目", "数值"], [world.unit_a.name, YEAR, "经费", "-1"],
                [world.unit_b.name, YEAR, "经费", "5"]])  # fmt: skip
    response = client.post(f"{BASE}/import/figures/", {"file": SimpleUploadedFile("f.csv", bad)})
    page = response.content.decode()
    assert response.status_code == 200 and "the file has 2 problems" in page and "You are not allowed" in page
    assert not SpendingFigure.objects.exists()
    good = _csv([["单位", "年度", "项目", "数值"], [world.unit_a.name, YEAR, "经费", "1500"]])
    response = client.post(f"{BASE}/import/figures/", {"file": SimpleUploadedFile("f.csv", good)})
    assert response.status_code == 302 and response["Location"] == f"{BASE}/"
    figure = SpendingFigure.objects.get()
    assert (figure.source, figure.entered_by) == ("imported", world.clerk_a)


def test_disputes_import_page_and_templates(world, as_):
    client = as_("reviewer")
    data = _csv(
        [
            ["被申请单位", "类别", "案号", "事由", "受理日期"],
            [world.unit_a.name, "行政复议", "R-1", "s", f"{YEAR}-03-01"],
        ]
    )
    response = client.post(f"{BASE}/import/disputes/", {"file": SimpleUploadedFile("d.csv", data)})
    assert response.status_code == 302 and DisputeCase.objects.get().reference == "R-1"
    for kind in ("figures", "disputes"):
        for fmt in ("csv", "xlsx"):
            assert client.get(f"{BASE}/import/{kind}/template.{fmt}").status_code == 200
    assert client.get(f"{BASE}/import/other/").status_code == 404
    assert client.get(f"{BASE}/import/figures/template.exe").status_code == 404


def test_outsiders_cannot_import(world, as_):
    for persona in ("supervisor", "window", "citizen"):
        client = as_(persona)
        assert client.get(f"{BASE}/import/figures/").status_code == 403
        assert client.get(f"{BASE}/import/disputes/template.csv").status_code == 403
