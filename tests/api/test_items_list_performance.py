"""/api/v1/items without a search: newest first through one index, a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.disclosure import actions
from gongkai.disclosure.exports import published_items
from gongkai.disclosure.models import DisclosureItem

pytestmark = pytest.mark.django_db

FIRST = date(2013, 3, 1)


def _publish(world, n: int, start: int = 0) -> list[DisclosureItem]:
    """``n`` published items, two a day (so dates tie and the id decides), every other one a draft between."""
    items = []
    for i in range(start, start + n):
        org = world.unit_a if i % 2 else world.unit_b
        item = actions.create_item(
            actor=world.root, organisation=org, title=f"攸县公开事项{i}", formed_on=FIRST
        )
        items.append(
            actions.publish_item(actor=world.root, item=item, published_on=FIRST + timedelta(days=i // 2))
        )
        actions.create_item(actor=world.root, organisation=org, title=f"草稿{i}", formed_on=FIRST)
    return items


def _ids(api, token=None, **params) -> list[int]:
    response = api.get("/items", token=token, **params)
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def test_pages_run_newest_first_with_ties_broken_by_the_latest_id(world, api):
    items = _publish(world, 7)
    expected = [i.pk for i in sorted(items, key=lambda i: (i.published_on, i.pk), reverse=True)]
    pages = [_ids(api, page=p, per_page=3) for p in (1, 2, 3)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert pages[0] + pages[1] + pages[2] == expected
    assert api.get("/items", per_page=3).json()["count"] == 7


@pytest.mark.parametrize("persona", [None, "reviewer", "clerk_a"])
def test_the_list_takes_the_same_number_of_queries_however_many_items(world, api, token, persona):
    raw = token(persona) if persona else None
    _publish(world, 3)

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert len(_ids(api, raw, **params)) >= 1
        return len(ctx.captured_queries)

    queries()  # a token's first use records when it was used
    small = [queries(), queries(page=2, per_page=2)]
    _publish(world, 9, start=3)
    assert [queries(), queries(page=2, per_page=2)] == small
    if persona is None:
        assert small == [2, 2]  # the count and the page


def test_the_newest_first_order_has_its_own_index():
    found = connection.introspection.get_constraints(connection.cursor(), DisclosureItem._meta.db_table)
    index = found.get("item_published_order_idx")
    assert index is not None and index["index"]
    assert index["columns"] == ["status", "published_on", "id"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan is stable on a small table")
def test_sqlite_reads_a_page_in_index_order_without_sorting(world):
    _publish(world, 4)
    plan = published_items(world.anonymous)[:20].explain()
    assert "item_published_order_idx" in plan and "TEMP B-TREE" not in plan, plan


def test_the_count_runs_as_far_as_can_be_paged_through_and_then_says_so(world, api, monkeypatch):
    from gongkai.api import disclosure

    _publish(world, 7)
    monkeypatch.setattr(disclosure, "MAX_PAGE", 2)
    body = api.get("/items", per_page=3).json()  # 2 pages of 3: 6 can be paged through
    assert (body["count"], body["count_exact"]) == (6, False)
    body = api.get("/items", per_page=4).json()  # 2 pages of 4 hold all 7
    assert (body["count"], body["count_exact"]) == (7, True)
