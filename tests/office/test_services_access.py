"""Who reaches which service pages and steps: outsiders get a 404 (or 403/redirect), never a hint."""

from __future__ import annotations

import pytest

from gongkai.services import actions
from gongkai.services.models import CaseStatus, ServiceCase, ServiceItem, ServiceWindow
from tests.office import test_services_support as support
from tests.office.test_services_support import BASE, step

svc, received, online, slot = support.svc, support.received, support.online, support.slot

STEPS = ["accept", "request_materials", "supply_materials", "add_step", "collect_fee", "complete", "reject",
         "set_agent", "withdraw"]  # fmt: skip
STEP_DATA = {"reason": "x", "missing": "x", "note": "x", "name": "审核", "decision": "agree", "quantity": "1",
             "amount": "10.00", "receipt": "R-1", "result": "denied"}  # fmt: skip


@pytest.mark.parametrize("persona", ["window", "clerk_b", "other_admin"])
def test_outsiders_get_a_404_for_the_case_and_its_steps(world, as_, svc, received, persona):
    client = as_(persona)
    base = f"{BASE}/cases/{received.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/received/").status_code == 404
    for name in STEPS:
        assert step(client, received, name, STEP_DATA).status_code == 404, name
    page = client.get(f"{BASE}/cases/").content.decode()
    assert received.case_number not in page and "No cases match." in page
    assert received.case_number not in client.get(f"{BASE}/").content.decode()
    received.refresh_from_db()
    assert received.status == CaseStatus.ACCEPTED and received.fee_collected_on is None


def test_a_citizen_and_a_stranger_are_kept_out(world, as_, client, svc, received):
    citizen = as_("citizen")
    for url in (
        "/",
        "/cases/",
        f"/cases/{received.pk}/",
        "/cases/new/",
        "/items/",
        "/windows/",
        "/appointments/",
    ):
        assert citizen.get(f"{BASE}{url}").status_code == 403, url
    assert step(citizen, received, "withdraw", {"reason": "x"}).status_code == 403
    client.logout()
    for url in ("/", "/cases/", f"/cases/{received.pk}/", "/items/new/", f"/windows/{svc.window.pk}/slots/"):
        response = client.get(f"{BASE}{url}")
        assert response.status_code == 302 and "/login/" in response.url, url
    assert step(client, received, "complete", {"result": "denied", "reason": "x"}).status_code == 302
    received.refresh_from_db()
    assert received.status == CaseStatus.ACCEPTED


def test_insiders_see_it_but_only_their_steps(world, as_, svc, received):
    base = f"{BASE}/cases/{received.pk}/"
    # Unit A's clerk and the supervisor see the case; the clerk records approval steps only.
    clerk = as_("clerk_a")
    page = clerk.get(base).content.decode()
    assert received.case_number in page and 'id="step-add_step"' in page and 'id="step-complete"' not in page
    assert step(clerk, received, "complete", {"result": "denied", "reason": "x"}).status_code == 403
    supervisor = as_("supervisor")
    page = supervisor.get(base).content.decode()
    assert received.case_number in page and 'id="step-' not in page
    assert step(supervisor, received, "add_step", {"name": "审核", "decision": "agree"}).status_code == 403
    assert received.case_number in supervisor.get(f"{BASE}/cases/").content.decode()
    # Unit A's window staff process the unit's cases wherever they were received.
    assert 'id="step-complete"' in as_(svc.unit_window).get(base).content.decode()


def test_a_missing_case_looks_like_a_forbidden_one(world, as_, svc, received):
    client = as_(svc.centre_staff)
    assert client.get(f"{BASE}/cases/{received.pk + 1000}/").status_code == 404
    assert step(client, ServiceCase(pk=received.pk + 1000), "accept").status_code == 404
    assert client.post(f"{BASE}/cases/{received.pk}/nothing/").status_code == 404


def test_steps_are_posts_with_a_csrf_token(world, as_, svc, received, client):
    from django.test import Client

    assert as_(svc.centre_staff).get(f"{BASE}/cases/{received.pk}/complete/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(svc.centre_staff)
    response = strict.post(f"{BASE}/cases/{received.pk}/withdraw/", {"reason": "x"})
    assert response.status_code == 403
    for url in (
        "/cases/new/",
        "/items/new/",
        "/windows/",
        f"/windows/{svc.window.pk}/slots/",
        f"/items/{svc.item.pk}/publish/",
    ):
        assert strict.post(f"{BASE}{url}", {}).status_code == 403, url
    received.refresh_from_db()
    assert received.status == CaseStatus.ACCEPTED
    page = as_(svc.centre_staff).get(f"{BASE}/cases/{received.pk}/").content.decode()
    assert page.count("csrfmiddlewaretoken") >= 5


def test_receiving_is_for_window_staff(world, as_, svc):
    for persona in ("clerk_a", "reviewer", "supervisor", "county_admin"):
        assert as_(persona).get(f"{BASE}/cases/new/").status_code == 403, persona
    # The township's window staff are offered only the township's window.
    page = as_("window").get(f"{BASE}/cases/new/").content.decode()
    assert "综合窗口" in page and "财政窗口" not in page
    # Posting another centre's window is refused like an unknown choice; nothing is created.
    response = as_("window").post(f"{BASE}/cases/new/", {"window": svc.window.pk, "item": svc.item.pk,
                                                           "applicant_kind": "person", "applicant_name": "x"})  # fmt: skip
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ServiceCase.objects.exists()


def test_the_catalogue_is_for_the_unit(world, as_, svc):
    item_url = f"{BASE}/items/{svc.item.pk}/"
    for persona in ("clerk_b", "other_admin", "window"):
        assert as_(persona).get(item_url).status_code == 404, persona
        assert as_(persona).post(f"{item_url}publish/", {"published": "0"}).status_code in (403, 404), persona
    assert as_("clerk_b").get(f"{BASE}/items/new/").status_code == 200  # for unit B's own items
    assert as_("window").get(f"{BASE}/items/new/").status_code == 403
    assert as_("supervisor").get(f"{BASE}/items/new/").status_code == 403
    assert ServiceItem.objects.get(pk=svc.item.pk).published
    # Unit B's clerk sees none of unit A's items; the township's window staff see those served there.
    assert svc.item.code not in as_("clerk_b").get(f"{BASE}/items/").content.decode()
    assert as_("clerk_a").get(item_url).status_code == 200
    # Unit B's clerk cannot create an item for unit A.
    response = as_("clerk_b").post(f"{BASE}/items/new/", {"organisation": world.unit_a.pk, "code": "X", "name": "X",
                                                           "kind": "other", "legal_basis": "x",
                                                           "statutory_limit_days": 5, "promised_limit_days": 5})  # fmt: skip
    assert response.status_code == 200 and ServiceItem.objects.count() == 2


def test_windows_and_slots_are_for_the_centre(world, as_, svc):
    edit = f"{BASE}/windows/{svc.window.pk}/"
    slots = f"{edit}slots/"
    for persona in ("window", "clerk_a", "other_admin"):
        assert as_(persona).get(edit).status_code == 404, persona
        assert as_(persona).get(slots).status_code == 404, persona
    # Window staff of the centre open slots but do not set up windows.
    assert as_(svc.centre_staff).get(slots).status_code == 200
    assert as_(svc.centre_staff).get(edit).status_code == 404
    assert as_(svc.centre_staff).post(f"{BASE}/windows/", {"centre": svc.centre.pk, "number": "B1",
                                                             "name": "x"}).status_code == 403  # fmt: skip
    assert as_("county_admin").get(edit).status_code == 200
    assert ServiceWindow.objects.count() == 2


def test_appointments_are_for_the_centre(world, as_, svc, slot):
    appointment, _code = actions.book_appointment(actor=None, slot=slot, item=svc.item, name="王五",
                                                  phone="13900000000")  # fmt: skip
    assert appointment.reference in as_(svc.centre_staff).get(f"{BASE}/appointments/").content.decode()
    for persona in ("window", "clerk_b", "other_admin"):
        client = as_(persona)
        assert appointment.reference not in client.get(f"{BASE}/appointments/").content.decode(), persona
        assert appointment.reference not in client.get(f"{BASE}/").content.decode(), persona
        assert client.post(f"{BASE}/appointments/{appointment.pk}/cancel/").status_code == 404, persona
    # The supervisor sees the booking but cannot cancel it.
    assert as_("supervisor").post(f"{BASE}/appointments/{appointment.pk}/cancel/").status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    response = as_(svc.centre_staff).post(f"{BASE}/appointments/{appointment.pk}/cancel/")
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
