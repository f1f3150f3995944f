"""The records pages issue a fixed number of queries, however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.office.test_records_support import BASE, YEAR, grow

PAGES = ["/", f"/?year={YEAR}", "/disputes/", "/disputes/?kind=review&result=pending", f"/rooms/?year={YEAR}",
         f"/staff/?year={YEAR}", f"/spending/?year={YEAR}", f"/decisions/?year={YEAR}"]  # fmt: skip


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["county_admin", "supervisor", "clerk_a", "root"])
def test_list_pages_do_not_grow_with_the_number_of_rows(world, as_, persona, django_assert_max_num_queries):
    client = as_(persona)
    grow(world, 2, "a")
    small = {url: count(client, f"{BASE}{url}") for url in PAGES}
    grow(world, 5, "b")
    for url in PAGES:
        with django_assert_max_num_queries(small[url], info=url):
            assert client.get(f"{BASE}{url}").status_code == 200


def test_a_room_register_does_not_grow(world, as_, django_assert_max_num_queries):
    import datetime as dt

    from gongkai.records import actions

    room = actions.save_reading_room(actor=world.clerk_a, organisation=world.unit_a, name="查阅室")
    client = as_("clerk_a")
    actions.record_visit(actor=world.clerk_a, room=room, day=dt.date(YEAR, 3, 1), visitors=1)
    small = count(client, f"{BASE}/rooms/{room.pk}/?year={YEAR}")
    for d in range(2, 20):
        actions.record_visit(actor=world.clerk_a, room=room, day=dt.date(YEAR, 3, d), visitors=d)
    with django_assert_max_num_queries(small):
        assert client.get(f"{BASE}/rooms/{room.pk}/?year={YEAR}").status_code == 200
