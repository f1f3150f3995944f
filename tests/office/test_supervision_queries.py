"""The supervision pages issue a fixed number of queries, however many clocks they count or list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.office import test_supervision_support as support

BASE, PERIOD = support.BASE, support.PERIOD
clocks_data = support.clocks_data

pytestmark = pytest.mark.django_db


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["supervisor", "root"])
def test_pages_do_not_grow_with_the_number_of_clocks(world, as_, clocks_data, persona):
    client = as_(persona)
    pages = [
        f"/?{PERIOD}",
        f"/cases/?figure=received&{PERIOD}",
        f"/cases/?figure=on_time_rate&unit={world.unit_a.pk}&{PERIOD}",
        f"/cases/?figure=red_cards&kind=application&{PERIOD}",
        f"/cases/?figure=overdue_now&{PERIOD}",
        "/alerts/",
        "/cards/",
        f"/cards/?colour=red&unit={world.unit_a.pk}&{PERIOD}",
        f"/export.csv?{PERIOD}",
    ]
    support.grow(world, 3, "a")
    before = {page: count(client, BASE + page) for page in pages}
    support.grow(world, 9, "b")
    after = {page: count(client, BASE + page) for page in pages}
    assert after == before
    # The lists did grow: the same queries show more rows.
    assert client.get(f"{BASE}/cases/?figure=received&{PERIOD}").context["page"].paginator.count > 40


def test_dashboard_query_budget(world, as_, clocks_data, django_assert_max_num_queries):
    client = as_("supervisor")
    support.grow(world, 5, "a")
    client.get(f"{BASE}/?{PERIOD}")  # warm the per-process caches (content types, calendar)
    with django_assert_max_num_queries(16):
        client.get(f"{BASE}/?{PERIOD}")
