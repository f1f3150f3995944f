"""Service items and cases through the real actions: receipt, clock, 补齐补正, fees, 办结."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.core.actions import ActionError
from gongkai.notifications.models import Message
from gongkai.services import actions
from gongkai.services.models import (
    AppointmentStatus,
    CaseChannel,
    CaseResult,
    CaseStatus,
    ServiceCase,
    ServiceItem,
)
from gongkai.workdays.models import ClockKind, ClockStatus, PauseReason
from tests.services.conftest import APPLICANT, ITEM, audit_count

D = dt.date


# --- service items ---------------------------------------------------------------------------------


def test_save_item_creates_and_updates_with_audit(svc: Any) -> None:
    w = svc.world
    before = audit_count()
    item = actions.save_item(actor=w.clerk_a, organisation=w.unit_a, **{**ITEM, "code": "CZ-009"})
    assert item.pk and item.promised_limit_days == 7 and not item.published
    item = actions.save_item(actor=w.clerk_a, organisation=w.unit_a, item=item, promised_limit_days="5")
    assert ServiceItem.objects.get(pk=item.pk).promised_limit_days == 5
    assert audit_count() == before + 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"promised_limit_days": -1}, "promised_limit_days"),
        ({"statutory_limit_days": -3}, "statutory_limit_days"),
        ({"promised_limit_days": 2.5}, "promised_limit_days"),
        ({"promised_limit_days": "abc"}, "promised_limit_days"),
        ({"promised_limit_days": 30}, "promised_limit_days"),
        ({"fee_free": False, "fee_amount": None}, "fee_amount"),
        ({"fee_free": False, "fee_amount": "-1"}, "fee_amount"),
        ({"issues_certificate": True, "certificate_name": ""}, "certificate_name"),
    ],
)
def test_save_item_refuses_bad_input_and_changes_nothing(svc: Any, fields: dict, field: str) -> None:
    w = svc.world
    items, events = ServiceItem.objects.count(), audit_count()
    with pytest.raises(ActionError) as exc:
        actions.save_item(actor=w.clerk_a, organisation=w.unit_a, **{**ITEM, "code": "CZ-010", **fields})
    assert field in exc.value.message_dict
    with pytest.raises(ActionError) as exc:
        actions.save_item(actor=w.clerk_a, organisation=w.unit_a, item=svc.item, **fields)
    assert field in exc.value.message_dict
    assert ServiceItem.objects.count() == items and audit_count() == events
    svc.item.refresh_from_db()
    assert svc.item.promised_limit_days == 7 and svc.item.fee_free


def test_duplicate_item_code_is_a_clear_error(svc: Any) -> None:
    with pytest.raises(ActionError):
        actions.save_item(actor=svc.world.clerk_a, organisation=svc.world.unit_a, **ITEM)


@pytest.mark.parametrize("who", ["clerk_b", "window", "supervisor", "citizen", "other_admin"])
def test_outsiders_cannot_edit_or_publish_items(svc: Any, who: str) -> None:
    actor = getattr(svc.world, who)
    with pytest.raises(PermissionDenied):
        actions.save_item(actor=actor, organisation=svc.world.unit_a, **{**ITEM, "code": "X-1"})
    with pytest.raises(PermissionDenied):
        actions.save_item(actor=actor, organisation=svc.world.unit_a, item=svc.item, name="改")
    with pytest.raises(PermissionDenied):
        actions.set_item_published(actor=actor, item=svc.item, published=False)


def test_reviewer_above_reaches_down_to_items(svc: Any) -> None:
    item = actions.set_item_published(actor=svc.world.reviewer, item=svc.item, published=False)
    assert item.published is False


# --- receipt, clock and completion ----------------------------------------------------------------


def test_receive_case_starts_the_clock_and_notifies(svc: Any) -> None:
    case, code = svc.receive(on=D(2025, 9, 26))
    assert case.status == CaseStatus.ACCEPTED and case.channel == CaseChannel.WINDOW
    assert case.centre == svc.centre and case.organisation == svc.world.unit_a
    assert case.case_number == f"{svc.centre.code[-6:].upper()}-2025-000001"
    assert len(code) == 10 and code not in case.tracking_hash
    clock = case.clock
    assert clock.kind == ClockKind.SERVICE_CASE and clock.organisation == svc.world.unit_a
    assert clock.limit_days == 7 and clock.start_date == D(2025, 9, 26)
    # National Day 2025: 10-01..10-08 off, 09-28 and 10-11 make-up working days.
    assert clock.due_date == D(2025, 10, 13)
    assert svc.item.name in clock.label and case.case_number in clock.label
    assert Message.objects.filter(topic__endswith=f":{case.pk}", recipient="lisi@example.com").exists()
    second, _ = svc.receive(on=D(2025, 12, 1))
    assert second.case_number.endswith("-2025-000002")


def test_township_window_gives_township_channel(svc: Any) -> None:
    case, _ = svc.receive(actor=svc.world.window, window=svc.township_window)
    assert case.channel == CaseChannel.TOWNSHIP and case.centre == svc.world.township


def test_on_the_spot_item_is_due_the_same_day(svc: Any) -> None:
    item = svc.make_item(code="CZ-003", name="即办事项", promised_limit_days=0)
    case, _ = svc.receive(item=item, on=D(2025, 9, 26))
    assert case.clock.due_date == D(2025, 9, 26)
    case = actions.complete_case(
        actor=svc.centre_staff, case=case, result=CaseResult.APPROVED, on=D(2025, 9, 26)
    )
    assert case.on_time is True


def test_complete_case_closes_clock_and_sets_on_time(svc: Any) -> None:
    case, _ = svc.receive(on=D(2025, 9, 26))
    actions.add_step(actor=svc.world.clerk_a, case=case, name="审核", decision="agree", on=D(2025, 9, 29))
    case = actions.complete_case(
        actor=svc.centre_staff, case=case, result=CaseResult.APPROVED, on=D(2025, 10, 14)
    )
    assert case.status == CaseStatus.COMPLETED and case.completed_on == D(2025, 10, 14)
    assert case.clock.status == ClockStatus.CLOSED and case.on_time is False
    assert ServiceCase.objects.get(pk=case.pk).on_time is False
    assert (
        Message.objects.filter(topic__endswith=f":{case.pk}", subject__contains=case.case_number).count() >= 2
    )


def test_closing_twice_is_refused_and_changes_nothing(svc: Any) -> None:
    case, _ = svc.receive(on=D(2025, 9, 26))
    actions.complete_case(actor=svc.centre_staff, case=case, result=CaseResult.APPROVED, on=D(2025, 10, 9))
    events = audit_count()
    with pytest.raises(ActionError):
        actions.complete_case(actor=svc.centre_staff, case=case, result=CaseResult.DENIED, reason="x")
    with pytest.raises(ActionError):
        actions.reject_case(actor=svc.centre_staff, case=case, reason="x")
    case.refresh_from_db()
    assert case.result == CaseResult.APPROVED and case.completed_on == D(2025, 10, 9) and case.on_time is True
    assert audit_count() == events


def test_completion_needs_certificate_reason_and_fee(svc: Any) -> None:
    case, _ = svc.receive(item=svc.charged)
    events = audit_count()
    with pytest.raises(ActionError) as exc:
        actions.complete_case(actor=svc.centre_staff, case=case, result=CaseResult.APPROVED)
    assert {"certificate_number", "result"} <= set(exc.value.message_dict)
    with pytest.raises(ActionError) as exc:
        actions.complete_case(actor=svc.centre_staff, case=case, result=CaseResult.DENIED)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ActionError):
        actions.complete_case(actor=svc.centre_staff, case=case, result="maybe")
    assert audit_count() == events
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.clock.status == ClockStatus.RUNNING
    actions.collect_fee(actor=svc.centre_staff, case=case, amount="20.00", quantity=2, receipt="NO.0001")
    case = actions.complete_case(actor=svc.centre_staff, case=case, result=CaseResult.APPROVED,
                                 certificate_number="ZS-2025-1")  # fmt: skip
    assert case.certificate_number == "ZS-2025-1" and case.fee_amount == Decimal("20.00")


def test_fee_not_matching_the_standard_is_refused(svc: Any) -> None:
    case, _ = svc.receive(item=svc.charged)
    events = audit_count()
    for amount, quantity in [("9.99", 1), ("10.00", 2), ("abc", 1), ("10", 0), ("-10", -1)]:
        with pytest.raises(ActionError):
            actions.collect_fee(
                actor=svc.centre_staff, case=case, amount=amount, quantity=quantity, receipt="R1"
            )
    case.refresh_from_db()
    assert case.fee_amount is None and case.fee_receipt == "" and case.fee_collected_on is None
    assert audit_count() == events
    actions.collect_fee(actor=svc.centre_staff, case=case, amount=Decimal("10"), receipt="R1")
    with pytest.raises(ActionError):  # second collection
        actions.collect_fee(actor=svc.centre_staff, case=case, amount=Decimal("10"), receipt="R2")
    other, _ = svc.receive(item=svc.charged)
    with pytest.raises(ActionError) as exc:  # duplicate receipt
        actions.collect_fee(actor=svc.centre_staff, case=other, amount=Decimal("10"), receipt="R1")
    assert "receipt" in exc.value.message_dict
    free, _ = svc.receive()
    with pytest.raises(ActionError):
        actions.collect_fee(actor=svc.centre_staff, case=free, amount=Decimal("10"), receipt="R3")


def test_request_and_supply_materials_pause_and_resume_the_clock(svc: Any) -> None:
    case, code = svc.receive(on=D(2025, 9, 22))
    assert case.clock.due_date == D(2025, 9, 30)
    correction = actions.request_materials(actor=svc.centre_staff, case=case, missing="营业执照复印件",
                                           on=D(2025, 9, 24))  # fmt: skip
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION and case.clock.status == ClockStatus.PAUSED
    assert case.clock.pauses.get().reason == PauseReason.MATERIALS
    assert Message.objects.filter(topic__endswith=f":{case.pk}", body__contains="营业执照复印件").exists()
    with pytest.raises(PermissionDenied):  # a wrong code
        actions.supply_materials(
            actor=svc.world.anonymous, case=case, note="已交", code="WRONG", on=D(2025, 9, 25)
        )
    actions.supply_materials(actor=svc.world.anonymous, case=case, note="已交", code=code, on=D(2025, 9, 26))
    case.refresh_from_db()
    correction.refresh_from_db()
    assert correction.supplied_on == D(2025, 9, 26) and case.status == CaseStatus.ACCEPTED
    # 09-25 and 09-26 are not counted; 09-28 is a make-up working day, 10-01..10-08 are off.
    assert case.clock.status == ClockStatus.RUNNING and case.clock.due_date == D(2025, 10, 10)


def test_online_case_is_accepted_then_counted(svc: Any) -> None:
    w = svc.world
    case, code = actions.submit_case_online(actor=w.citizen, item=svc.item, user=w.citizen, submission_key="k1",
                                            **{**APPLICANT})  # fmt: skip
    assert case.status == CaseStatus.SUBMITTED and case.clock is None and case.user == w.citizen
    assert case.case_number.startswith(w.county.code[-6:].upper())
    assert actions.find_case(case.case_number, code) == case
    assert actions.find_case(case.case_number, "WRONG") is None and actions.find_case("nope", code) is None
    with pytest.raises(ActionError):
        actions.submit_case_online(actor=w.citizen, item=svc.item, submission_key="k1", **APPLICANT)
    with pytest.raises(PermissionDenied):  # the centre's window staff do not process online cases of unit_a
        actions.accept_case(actor=w.window, case=case)
    case = actions.accept_case(actor=svc.unit_window, case=case)
    assert case.status == CaseStatus.ACCEPTED and case.clock.limit_days == 7


def test_online_submission_refuses_bad_items_and_files(svc: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = svc.world
    offline = svc.make_item(code="CZ-004", online=False)
    cases, events = ServiceCase.objects.count(), audit_count()
    with pytest.raises(ActionError):
        actions.submit_case_online(actor=w.citizen, item=offline, **APPLICANT)
    bad = SimpleUploadedFile("a.pdf", b"MZ\x90\x00 executable", content_type="application/pdf")
    with pytest.raises(ActionError) as exc:
        actions.submit_case_online(actor=w.citizen, item=svc.item, files=[bad], **APPLICANT)
    assert "files" in exc.value.message_dict
    with pytest.raises(ActionError):
        actions.submit_case_online(actor=w.citizen, item=svc.item, **{**APPLICANT, "applicant_name": " "})
    assert ServiceCase.objects.count() == cases and audit_count() == events
    good = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    case, _ = actions.submit_case_online(actor=w.citizen, item=svc.item, files=[good], **APPLICANT)
    material = case.material_files.get()
    assert material.name == "申请书.pdf" and material.content_type == "application/pdf"


def test_reject_and_withdraw(svc: Any) -> None:
    case, code = svc.receive()
    with pytest.raises(ActionError):
        actions.reject_case(actor=svc.centre_staff, case=case, reason=" ")
    case = actions.reject_case(actor=svc.centre_staff, case=case, reason="不属于本单位职权")
    assert case.status == CaseStatus.REJECTED and case.clock.status == ClockStatus.CLOSED
    other, code = svc.receive()
    with pytest.raises(PermissionDenied):
        actions.withdraw_case(actor=svc.world.anonymous, case=other, reason="不办了", code="WRONG")
    other = actions.withdraw_case(actor=svc.world.anonymous, case=other, reason="不办了", code=code)
    assert other.status == CaseStatus.WITHDRAWN and other.clock.status == ClockStatus.CLOSED


@pytest.mark.parametrize("who", ["window", "clerk_b", "supervisor", "citizen", "other_admin", "anonymous"])
def test_outsiders_cannot_process_cases(svc: Any, who: str) -> None:
    actor = getattr(svc.world, who)
    case, _ = svc.receive()
    with pytest.raises(PermissionDenied):
        svc.receive(actor=actor)
    for call in (
        lambda: actions.complete_case(actor=actor, case=case, result=CaseResult.APPROVED),
        lambda: actions.request_materials(actor=actor, case=case, missing="x"),
        lambda: actions.reject_case(actor=actor, case=case, reason="x"),
        lambda: actions.set_agent(actor=actor, case=case, agent=None),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_unit_window_staff_process_their_units_cases(svc: Any) -> None:
    case, _ = svc.receive()
    case = actions.complete_case(
        actor=svc.unit_window, case=case, result=CaseResult.DENIED, reason="条件不符"
    )
    assert case.result == CaseResult.DENIED


def test_agent_must_be_staff_of_the_centre(svc: Any) -> None:
    case, _ = svc.receive()
    with pytest.raises(ActionError):
        actions.set_agent(actor=svc.centre_staff, case=case, agent=svc.world.citizen)
    case = actions.set_agent(actor=svc.centre_staff, case=case, agent=svc.centre_staff)
    assert case.agency and case.agent == svc.centre_staff


def test_future_date_is_refused(svc: Any) -> None:
    from django.utils import timezone

    cases = ServiceCase.objects.count()
    with pytest.raises(ActionError):
        svc.receive(on=timezone.localdate() + dt.timedelta(days=3))
    assert ServiceCase.objects.count() == cases


def test_appointment_attended_on_receipt(svc: Any) -> None:
    from tests.services.conftest import next_workday

    day = next_workday(n=2)
    actions.open_slots(actor=svc.centre_staff, window=svc.window, first_day=day, last_day=day,
                       times=[(dt.time(9), dt.time(10))], capacity=2)  # fmt: skip
    slot = svc.window.slots.get()
    appointment, _ = actions.book_appointment(actor=svc.world.citizen, slot=slot, item=svc.item, name="李四",
                                              phone="13907330000")  # fmt: skip
    case, _ = svc.receive(appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ATTENDED and case.appointment == appointment


def test_citizen_supplies_materials_to_their_own_case(svc: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = svc.world
    case, _ = actions.submit_case_online(actor=w.citizen, item=svc.item, user=w.citizen, **APPLICANT)
    actions.request_materials(actor=svc.unit_window, case=case, missing="身份证复印件")
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION and case.clock is None
    events = audit_count()
    with pytest.raises(ActionError):  # nothing handed in
        actions.supply_materials(actor=w.citizen, case=case)
    with pytest.raises(PermissionDenied):  # someone else's case, no code
        actions.supply_materials(actor=w.clerk_b, case=case, note="x")
    assert audit_count() == events
    scan = SimpleUploadedFile("身份证.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
    correction = actions.supply_materials(actor=w.citizen, case=case, files=[scan])
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and correction.files.count() == 1
    case = actions.accept_case(actor=svc.unit_window, case=case)
    assert (
        Message.objects.filter(topic__endswith=f":{case.pk}", subject__contains=case.case_number).count() >= 2
    )


def test_bad_email_is_refused_at_the_window(svc: Any) -> None:
    cases, events = ServiceCase.objects.count(), audit_count()
    with pytest.raises(ActionError) as exc:
        svc.receive(email="not-an-address")
    assert "email" in exc.value.message_dict
    with pytest.raises(ActionError) as exc:
        svc.receive(applicant_kind="robot")
    assert "applicant_kind" in exc.value.message_dict
    assert ServiceCase.objects.count() == cases and audit_count() == events
