"""List pages issue a bounded number of queries, however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.orgs.models import OrgKind, Role
from tests import factories

PAGES = [
    "/office/",
    "/office/organisations/",
    "/office/organisations/{county}/",
    "/office/users/",
    "/office/users/{me}/",
    "/office/audit/",
    "/office/tokens/",
    "/office/calendar/",
]


def grow(world, n: int = 30) -> None:
    """n more departments under the county, each with a clerk; and a few units elsewhere."""
    roles = [Role.CLERK, Role.WINDOW, Role.REVIEWER]
    for i in range(n):
        org = factories.make_org(actor=world.root, parent=world.county, name=f"攸县第{i}局")
        factories.make_staff(actor=world.root, organisation=org, role=roles[i % 3])
    for i in range(5):
        factories.make_org(
            actor=world.root, parent=world.other_county, name=f"茶陵县第{i}局", kind=OrgKind.TOWNSHIP
        )


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["root", "county_admin", "reviewer", "clerk_a"])
def test_list_pages_do_not_grow_with_the_number_of_rows(world, as_, persona, django_assert_max_num_queries):
    client = as_(persona)
    urls = [u.format(county=world.county.pk, me=getattr(world, persona).pk) for u in PAGES]
    if persona == "clerk_a":
        urls = [u for u in urls if f"/{world.county.pk}/" not in u]
    small = {url: count(client, url) for url in urls}
    grow(world)
    for url in urls:
        with django_assert_max_num_queries(small[url], info=url):
            assert client.get(url).status_code == 200


def test_the_list_pages_stay_under_a_fixed_budget(world, as_, django_assert_max_num_queries):
    grow(world, 10)
    client = as_("county_admin")
    for url in ("/office/organisations/", "/office/users/", "/office/audit/", "/office/"):
        with django_assert_max_num_queries(15, info=url):
            client.get(url)


def test_the_grown_lists_do_show_the_new_rows(world, as_):
    grow(world, 30)
    client = as_("county_admin")
    orgs = client.get("/office/organisations/").content.decode()
    assert "攸县第29局" in orgs and "茶陵县第0局" not in orgs
    users = client.get("/office/users/").content.decode()
    assert users.count("/office/users/") >= 30


def test_the_public_organisation_api_list_does_not_grow_either(world, client, django_assert_max_num_queries):
    small = count(client, "/api/v1/organisations")
    grow(world)
    with django_assert_max_num_queries(small):
        response = client.get("/api/v1/organisations")
    assert response.json()["count"] == 5 + 30 + 5
