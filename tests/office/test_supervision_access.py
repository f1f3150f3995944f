"""Who may open the supervision pages: supervisors and administrators of the units, nobody else.

Clerks, window staff and citizens get a 403 on every page; anonymous visitors are sent to the
sign-in page; a supervisor of another county sees only that county, and a clock, card or unit
of ours is a 404 to them, exactly like a missing one. Changes are POST only, with the CSRF token.
"""

from __future__ import annotations

import pytest
from django.test import Client

from gongkai.orgs.models import Role
from gongkai.supervision.models import Card, Chase, Note, WarningRule
from tests import factories
from tests.office import test_supervision_support as support

BASE, PERIOD = support.BASE, support.PERIOD
clocks_data = support.clocks_data

pytestmark = pytest.mark.django_db

PAGES = ["/", f"/cases/?figure=received&{PERIOD}", "/alerts/", "/cards/", "/warning-shares/", "/export.csv",
         "/export.xlsx"]  # fmt: skip


@pytest.fixture
def other_supervisor(world):
    return factories.make_staff(
        actor=world.root, organisation=world.other_county, role=Role.SUPERVISOR, username="other_supervisor"
    )


def posts(data):
    c3, yellow = data["c3"], data["yellow"]
    return [
        (f"/clocks/{c3.pk}/note/", {"text": "注意"}),
        (f"/clocks/{c3.pk}/chase/", {"note": "请尽快办理"}),
        (f"/clocks/{c3.pk}/card/", {"colour": "red", "reason": "严重逾期"}),
        (f"/cards/{yellow.pk}/withdraw/", {"reason": "已整改"}),
        ("/cards/", {"organisation": str(data["c3"].organisation_id), "colour": "yellow", "reason": "x"}),
        ("/warning-shares/letter/", {"share": "0.5"}),
    ]


def state():
    return (Card.objects.count(), Card.objects.exclude(withdrawn_on=None).count(), Note.objects.count(),
            Chase.objects.count(), WarningRule.objects.count())  # fmt: skip


@pytest.mark.parametrize("persona", ["supervisor", "county_admin", "root"])
def test_supervisors_and_administrators_open_every_page(world, as_, clocks_data, persona):
    client = as_(persona)
    for page in [*PAGES, f"/clocks/{clocks_data['c3'].pk}/", f"/cards/{clocks_data['yellow'].pk}/withdraw/"]:
        assert client.get(BASE + page).status_code == 200, page


@pytest.mark.parametrize("persona", ["clerk_a", "window", "reviewer", "citizen"])
def test_staff_without_a_supervising_role_and_citizens_are_refused(world, as_, clocks_data, persona):
    client = as_(persona)
    for page in PAGES:
        assert client.get(BASE + page).status_code == 403, page
    assert client.get(f"{BASE}/clocks/{clocks_data['c3'].pk}/").status_code in (403, 404)
    before = state()
    for url, data in posts(clocks_data):
        assert client.post(BASE + url, data).status_code in (403, 404), url
    assert state() == before


def test_anonymous_visitors_are_sent_to_sign_in(world, client, clocks_data):
    for page in PAGES:
        response = client.get(BASE + page)
        assert response.status_code == 302 and "/office/login/" in response["Location"], page
    before = state()
    for url, data in posts(clocks_data):
        assert client.post(BASE + url, data).status_code == 302
    assert state() == before


def test_a_supervisor_of_another_county_sees_only_that_county(world, as_, clocks_data, other_supervisor):
    client = as_(other_supervisor)
    response = client.get(f"{BASE}/?{PERIOD}")
    assert response.status_code == 200
    html = response.content.decode()
    assert world.unit_a.name not in html and world.other_county.name in html
    assert client.get(f"{BASE}/cases/?figure=received&unit={world.unit_a.pk}&{PERIOD}").status_code == 404
    listing = client.get(f"{BASE}/cases/?figure=overdue_now&{PERIOD}")
    assert listing.context["page"].paginator.count == 0
    assert client.get(f"{BASE}/alerts/").context["page"].paginator.count == 0
    assert world.unit_a.name not in client.get(f"{BASE}/export.csv").content.decode("utf-8-sig")
    assert client.get(f"{BASE}/clocks/{clocks_data['c3'].pk}/").status_code == 404
    assert client.get(f"{BASE}/cards/{clocks_data['yellow'].pk}/withdraw/").status_code == 404
    before = state()
    for url, data in posts(clocks_data):
        response = client.post(BASE + url, data)
        if url == "/cards/":  # their own cards page: our unit is not among the choices
            assert response.status_code == 200 and response.context["form"].errors["organisation"]
        else:
            assert response.status_code in (403, 404), url
    assert state() == before


def test_only_platform_administrators_change_warning_shares(world, as_):
    client = as_("county_admin")
    page = client.get(f"{BASE}/warning-shares/")
    assert page.status_code == 200 and '<form method="post" action=' not in page.content.decode()
    assert client.post(f"{BASE}/warning-shares/letter/", {"share": "0.5"}).status_code == 403
    assert not WarningRule.objects.exists()


def test_changes_need_post_and_the_csrf_token(world, clocks_data):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.supervisor)
    before = state()
    for url, data in posts(clocks_data):
        assert client.post(BASE + url, data).status_code == 403, url
    c3 = clocks_data["c3"]
    for url in ("note", "chase", "card"):
        assert client.get(f"{BASE}/clocks/{c3.pk}/{url}/").status_code == 405
    assert client.get(f"{BASE}/warning-shares/letter/").status_code == 405
    assert client.post(f"{BASE}/?{PERIOD}").status_code in (403, 405)
    assert state() == before


@pytest.mark.parametrize(
    ("persona", "shown"), [("supervisor", True), ("county_admin", True), ("clerk_a", False)]
)
def test_the_supervision_link_is_shown_to_those_who_supervise(world, persona, shown):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(world, persona))
    html = client.get("/office/").content.decode()
    assert ('href="/office/supervision/"' in html) is shown
