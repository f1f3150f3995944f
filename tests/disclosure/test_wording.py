"""English source strings: counts take their plural form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongkai.disclosure import actions
from gongkai.disclosure.bulk import MAX_LISTED_ERRORS, ImportRejected, RowError
from gongkai.disclosure.imports import FileRejected, importers, read_table
from tests.disclosure.conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


def test_the_import_summary_counts_in_the_singular_and_the_plural(world):
    summary = importers()["items"].run(
        data=csv_bytes([row(world.unit_a, 1)]), filename="x.csv", actor=world.reviewer,
        options={"publish": True}, progress=lambda *a: None,
    )  # fmt: skip
    assert summary == [
        "1 item imported.",
        "1 item published.",
        "0 items stored as drafts.",
        "Items of 1 organisation.",
        "0 items published later than 20 working days after being formed.",
    ]


def test_limits_and_overflows_count_in_the_singular_too():
    table = read_table(csv_bytes([{"名称": "一"}, {"名称": "二"}]), "x.csv", max_rows=1)
    with pytest.raises(FileRejected, match="more than 1 row\\."):
        list(table.rows)
    one_more = ImportRejected([RowError(n, "名称", "x") for n in range(MAX_LISTED_ERRORS + 1)])
    assert one_more.messages[-1] == "… and 1 more problem."
    two_more = ImportRejected([RowError(n, "名称", "x") for n in range(MAX_LISTED_ERRORS + 2)])
    assert two_more.messages[-1] == "… and 2 more problems."


def test_the_pages_show_the_plural_forms(world, as_):
    formed = timezone.localdate() - timedelta(days=2)
    actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title="草稿", formed_on=formed)
    body = as_("reviewer").get("/office/items/timeliness/").content.decode()
    assert "Information is to be published within 20 working days of being formed or changed." in body
    assert "Due within 5 working days" in body
    page = as_("reviewer").get("/office/items/").content.decode()
    assert ">Published <span" in page  # the status tab, through its "item status" context
