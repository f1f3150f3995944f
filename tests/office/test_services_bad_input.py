"""Bad input on the service pages: a clear message on the form, and nothing changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongkai.core.actions import ActionError
from gongkai.services import actions
from gongkai.services.models import AppointmentSlot, CaseStatus, ServiceCase, ServiceItem, ServiceWindow
from tests.office import test_services_support as support
from tests.office.test_services_support import BASE, ITEM, audit_count, step

svc, received, online, slot = support.svc, support.received, support.online, support.slot


def _fails(response, *texts):
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    for text in texts:
        assert text in page, text
    return page


def test_a_fee_that_does_not_match_the_standard(world, as_, svc, received):
    client = as_(svc.centre_staff)
    before = audit_count()
    page = _fails(step(client, received, "collect_fee", {"quantity": "2", "amount": "10.00", "receipt": "R-1"}),
                  "fee standard times the quantity: 20.00 yuan")  # fmt: skip
    assert 'value="10.00"' in page and 'value="R-1"' in page  # what was typed is kept
    assert 'id="step-collect_fee" open' in page
    _fails(step(client, received, "collect_fee", {"quantity": "1", "amount": "abc", "receipt": "R-1"}))
    _fails(
        step(client, received, "collect_fee", {"quantity": "0", "amount": "0", "receipt": "R-1"}), "positive"
    )
    received.refresh_from_db()
    assert received.fee_collected_on is None and received.fee_receipt == "" and audit_count() == before
    # Completing an approved charged case before the fee is collected is refused.
    _fails(step(client, received, "complete", {"result": "approved", "certificate_number": "Z-1"}),
           "Collect the fee before completing the case.")  # fmt: skip
    # A receipt number used twice.
    other, _code = svc.receive(item=svc.charged)
    assert (
        step(client, other, "collect_fee", {"quantity": "1", "amount": "10.00", "receipt": "R-9"}).status_code
        == 302
    )
    _fails(step(client, received, "collect_fee", {"quantity": "1", "amount": "10.00", "receipt": "R-9"}),
           "This receipt number was already used.")  # fmt: skip
    received.refresh_from_db()
    assert received.status == CaseStatus.ACCEPTED and received.fee_collected_on is None


def test_closing_twice_and_missing_facts(world, as_, svc, received):
    client = as_(svc.centre_staff)
    step(client, received, "collect_fee", {"quantity": "1", "amount": "10.00", "receipt": "R-1"})
    _fails(
        step(client, received, "complete", {"result": "approved"}),
        "Give the number of the certificate issued.",
    )
    _fails(step(client, received, "complete", {"result": "denied"}), "Give the reason for not approving.")
    _fails(step(client, received, "complete", {}), "This field is required.")
    received.refresh_from_db()
    assert received.status == CaseStatus.ACCEPTED
    assert (
        step(client, received, "complete", {"result": "approved", "certificate_number": "Z-1"}).status_code
        == 302
    )
    received.refresh_from_db()
    completed_on, before = received.completed_on, audit_count()
    # Closing again: the step is gone and the action's refusal is shown as a message.
    response = step(client, received, "complete", {"result": "denied", "reason": "再次办结"}, follow=False)
    page = response.content.decode()
    assert response.status_code == 200 and "already completed" in page
    received.refresh_from_db()
    assert received.result == "approved" and received.completed_on == completed_on and audit_count() == before
    page = step(client, received, "withdraw", {"reason": "x"}).content.decode()
    assert "The case is closed." in page and 'class="message error"' in page
    assert ServiceCase.objects.get(pk=received.pk).status == CaseStatus.COMPLETED


def test_steps_without_their_facts(world, as_, svc, received, online):
    client = as_(svc.centre_staff)
    _fails(step(client, received, "reject", {"reason": ""}), "This field is required.")
    _fails(step(client, received, "request_materials", {"missing": " "}))
    _fails(step(client, received, "add_step", {"name": "审核", "decision": "maybe"}))
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    _fails(step(client, received, "add_step", {"name": "审核", "decision": "agree", "on": future}),
           "The date cannot be in the future.")  # fmt: skip
    _fails(step(client, received, "set_agent", {"agent": world.clerk_b.pk}), "Select a valid choice")
    received.refresh_from_db()
    assert received.status == CaseStatus.ACCEPTED and not received.steps.exists() and received.agent is None
    step(client, received, "request_materials", {"missing": "身份证复印件"})
    _fails(
        step(client, received, "supply_materials", {}),
        "Upload the missing materials or note what was handed in.",
    )
    assert ServiceCase.objects.get(pk=received.pk).status == CaseStatus.CORRECTION


def test_receiving_without_the_applicant(world, as_, svc):
    client = as_(svc.centre_staff)
    before = audit_count()
    page = _fails(client.post(f"{BASE}/cases/new/", {"window": svc.window.pk, "item": svc.item.pk,
                                                     "applicant_kind": "person", "phone": "139"}),
                  "Give the applicant&#x27;s name.")  # fmt: skip
    assert 'value="139"' in page
    _fails(client.post(f"{BASE}/cases/new/", {"window": svc.window.pk, "item": svc.item.pk, "applicant_kind": "person",
                                              "applicant_name": "李四", "email": "not-an-address"}),
           "Enter a valid e-mail address.")  # fmt: skip
    assert not ServiceCase.objects.exists() and audit_count() == before


def test_a_negative_or_inconsistent_time_limit(world, as_, svc):
    client = as_("clerk_a")
    data = {**ITEM, "organisation": world.unit_a.pk, "code": "CZ-009", "fee_free": "on", "is_active": "on",
            "statutory_limit_days": "-5", "promised_limit_days": "-1"}  # fmt: skip
    before = audit_count()
    page = _fails(client.post(f"{BASE}/items/new/", data), "The time limit cannot be negative.")
    assert 'value="CZ-009"' in page
    _fails(client.post(f"{BASE}/items/new/", {**data, "statutory_limit_days": "5", "promised_limit_days": "9"}),
           "The promised time limit cannot be longer than the statutory one.")  # fmt: skip
    _fails(client.post(f"{BASE}/items/new/", {**data, "statutory_limit_days": "5", "promised_limit_days": "1.5"}),
           "Enter a whole number.")  # fmt: skip
    _fails(client.post(f"{BASE}/items/new/", {**data, "statutory_limit_days": "5", "promised_limit_days": "3",
                                              "fee_free": ""}),
           "A charged item needs its fee standard.")  # fmt: skip
    _fails(client.post(f"{BASE}/items/new/", {**data, "statutory_limit_days": "5", "promised_limit_days": "3",
                                              "code": svc.item.code}))  # fmt: skip
    assert ServiceItem.objects.count() == 2 and audit_count() == before
    # Editing an item with a negative limit leaves it as it was.
    edit = {**data, "code": svc.item.code, "statutory_limit_days": "20", "promised_limit_days": "-3"}
    _fails(client.post(f"{BASE}/items/{svc.item.pk}/", edit), "The time limit cannot be negative.")
    assert ServiceItem.objects.get(pk=svc.item.pk).promised_limit_days == ITEM["promised_limit_days"]


def test_slots_over_capacity_or_out_of_range(world, as_, svc):
    client = as_(svc.centre_staff)
    url = f"{BASE}/windows/{svc.window.pk}/slots/"
    today = timezone.localdate()
    good = {"first_day": (today + timedelta(days=1)).isoformat(), "last_day": (today + timedelta(days=7)).isoformat(),
            "times": "09:00-10:00", "capacity": "5"}  # fmt: skip
    _fails(client.post(url, {**good, "capacity": "0"}), "The capacity must be a whole number from 1 to 1000.")
    _fails(
        client.post(url, {**good, "capacity": "-3"}), "The capacity must be a whole number from 1 to 1000."
    )
    _fails(
        client.post(url, {**good, "capacity": "5000"}), "The capacity must be a whole number from 1 to 1000."
    )
    _fails(
        client.post(url, {**good, "last_day": today.isoformat()}), "The last day cannot be before the first."
    )
    _fails(client.post(url, {**good, "first_day": (today - timedelta(days=3)).isoformat()}),
           "Slots cannot be opened in the past.")  # fmt: skip
    _fails(client.post(url, {**good, "times": "nine to ten"}), "Line 1 is not a time range like 09:00-10:00.")
    _fails(client.post(url, {**good, "times": "10:00-09:00"}), "Each time slot must start before it ends.")
    assert not AppointmentSlot.objects.exists()
    response = client.post(url, {**good, "times": "09:00-10:00\n14:30-15:30"})
    assert response.status_code == 302
    created = AppointmentSlot.objects.count()
    assert created >= 2 and created % 2 == 0
    # Opening the same range again keeps the slots (and their bookings) as they are.
    assert client.post(url, {**good, "times": "09:00-10:00\n14:30-15:30", "capacity": "1"}).status_code == 302
    assert (
        AppointmentSlot.objects.count() == created and not AppointmentSlot.objects.filter(capacity=1).exists()
    )


def test_a_full_slot_cannot_be_booked_and_a_used_appointment_cannot_be_reused(world, as_, svc, slot):
    first, _code = actions.book_appointment(actor=None, slot=slot, item=svc.item, name="甲", phone="1")
    actions.book_appointment(actor=None, slot=slot, item=svc.item, name="乙", phone="2")
    with pytest.raises(ActionError, match="fully booked"):
        actions.book_appointment(actor=None, slot=slot, item=svc.item, name="丙", phone="3")
    slot.refresh_from_db()
    assert slot.booked == 2 and slot.capacity == 2
    client = as_(svc.centre_staff)
    data = {"window": svc.window.pk, "item": svc.charged.pk, "appointment": first.pk, "applicant_kind": "person",
            "applicant_name": "甲"}  # fmt: skip
    _fails(client.post(f"{BASE}/cases/new/", data), "The appointment was for another service.")
    assert not ServiceCase.objects.exists()


def test_windows_with_bad_input(world, as_, svc):
    client = as_("county_admin")
    before = audit_count()
    _fails(client.post(f"{BASE}/windows/", {"centre": svc.centre.pk, "number": "A01", "name": "重复"}))
    _fails(client.post(f"{BASE}/windows/", {"centre": world.unit_a.pk, "number": "Z1", "name": "x"}),
           "Select a valid choice")  # fmt: skip
    assert ServiceWindow.objects.count() == 2 and audit_count() == before
    _fails(
        client.post(f"{BASE}/windows/{svc.window.pk}/", {"centre": svc.centre.pk, "number": "", "name": "x"})
    )
    assert ServiceWindow.objects.get(pk=svc.window.pk).number == "A01"
