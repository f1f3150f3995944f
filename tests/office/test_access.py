"""Who may open the back office at all, and which endpoints take only POST."""

from __future__ import annotations

import pytest
from django.test import Client

STAFF = ("root", "county_admin", "reviewer", "supervisor", "clerk_a", "clerk_b", "window", "other_admin")


def pages(world) -> list[str]:
    a = world.unit_a.pk
    return [
        "/office/",
        "/office/organisations/",
        f"/office/organisations/{a}/",
        f"/office/organisations/{a}/edit/",
        f"/office/organisations/new/?parent={a}",
        f"/office/organisations/{a}/active/",
        "/office/users/",
        "/office/users/new/",
        f"/office/users/{world.clerk_a.pk}/",
        f"/office/users/{world.clerk_a.pk}/password/",
        "/office/calendar/",
        "/office/calendar/2025/",
        "/office/calendar/compute/",
        "/office/audit/",
        "/office/audit/verify/",
        "/office/tokens/",
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    for url in pages(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/office/login/?next="), url


def test_citizens_are_refused_every_back_office_page(world, as_):
    client = as_("citizen")
    for url in pages(world):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("persona", STAFF)
def test_every_staff_member_reaches_the_dashboard(world, as_, persona):
    response = as_(persona).get("/office/")
    assert response.status_code == 200
    assert "Dashboard" in response.content.decode()


def test_the_dashboard_lists_the_users_roles(world, as_):
    body = as_("clerk_a").get("/office/").content.decode()
    assert "攸县财政局" in body and "Clerk" in body
    assert "攸县教育局" not in body


@pytest.mark.parametrize(
    "url",
    [
        "/office/logout/",
        "/office/users/{clerk}/roles/",
        "/office/roles/1/revoke/",
        "/office/calendar/upload/",
        "/office/tokens/1/revoke/",
    ],
)
def test_post_only_endpoints_refuse_get(world, as_, url):
    response = as_("county_admin").get(url.format(clerk=world.clerk_a.pk))
    assert response.status_code == 405


def test_forms_are_protected_against_cross_site_posts(world):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.county_admin)
    data = {"reason": "test"}
    url = f"/office/organisations/{world.township.pk}/active/"
    assert client.post(url, data).status_code == 403
    world.township.refresh_from_db()
    assert world.township.is_active
    client.get(url)  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    world.township.refresh_from_db()
    assert not world.township.is_active


def test_back_office_pages_carry_a_strict_content_security_policy(world, as_):
    response = as_("clerk_a").get("/office/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_the_back_office_speaks_chinese_by_default(world, client):
    client.force_login(world.clerk_a)
    body = client.get("/office/").content.decode()
    assert '<html lang="zh-Hans">' in body
    assert "工作台" in body
