"""Portal pages issue a fixed number of queries, however many items, units and attachments there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.disclosure import actions
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
CATEGORIES = ["budget", "funds", "procurement", "education", "policy-county"]
GENRES = ["normative", "notice", "report"]


def grow(world, publish, n: int) -> None:
    """n published items spread over units, categories and genres, each with an attachment; news too."""
    orgs = [world.unit_a, world.unit_b, world.county]
    for i in range(n):
        item = publish.draft(org=orgs[i % 3], category=CATEGORIES[i % 5], genre=GENRES[i % 3])
        author = {world.unit_a.pk: world.clerk_a, world.unit_b.pk: world.clerk_b}.get(
            item.organisation_id, world.reviewer
        )
        actions.add_attachment(actor=author, item=item, name=f"附件{i}.pdf", data=PDF)
        actions.publish_item(actor=world.reviewer, item=item)
        if i % 3 == 0:
            publish(org=orgs[i % 3], kind="news")
    for i in range(n // 3):
        factories.make_org(actor=world.root, parent=world.county, name=f"攸县第{i}局")


def pages(world, item_pk: int) -> list[str]:
    return [
        "/",
        "/catalogue/",
        "/catalogue/?category=finance&genre=notice",
        f"/units/{world.unit_a.pk}/catalogue/",
        f"/units/{world.county.pk}/catalogue/?sub=1",
        f"/items/{item_pk}/",
        "/news/",
        f"/units/{world.unit_a.pk}/",
        f"/units/{world.unit_a.pk}/guide/",
        "/feeds/items.rss",
        "/feeds/items.atom",
        f"/units/{world.unit_a.pk}/feeds/items.atom",
        "/sitemap-items.xml",
    ]


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["anonymous", "clerk_a"])
def test_portal_pages_do_not_grow_with_the_number_of_items(
    world, publish, client, persona, django_assert_max_num_queries
):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    grow(world, publish, 3)
    item = publish.draft(category="budget", genre="normative")
    for i in range(3):
        actions.add_attachment(actor=world.clerk_a, item=item, name=f"附件{i}.pdf", data=PDF)
    item = actions.publish_item(actor=world.reviewer, item=item)
    small = {url: count(client, url) for url in pages(world, item.pk)}

    grow(world, publish, 30)
    for url in pages(world, item.pk):
        with django_assert_max_num_queries(small[url], info=url):
            assert client.get(url).status_code == 200


def test_the_main_pages_stay_under_a_fixed_budget(world, publish, client, django_assert_max_num_queries):
    grow(world, publish, 6)
    item = publish()
    budgets = {"/": 6, "/catalogue/": 8, f"/units/{world.unit_a.pk}/catalogue/": 9, f"/items/{item.pk}/": 4}
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget, info=url):
            assert client.get(url).status_code == 200


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner, without statistics")
def test_the_item_page_reads_only_through_selective_indexes_on_sqlite(world, publish, client):
    """No query of the item page walks every published item (a plan on status alone)."""
    item = publish()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/items/{item.pk}/").status_code == 200
    for query in ctx.captured_queries:
        if not query["sql"].startswith("SELECT"):
            continue
        with connection.cursor() as cur:
            cur.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = " ".join(row[-1] for row in cur.fetchall())
        assert "(status=?)" not in plan and "SCAN disclosure_disclosureitem" not in plan, (query["sql"], plan)
