"""Actions on service cases (办件): receipt, acceptance, 补齐补正, steps, fees, 办结."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, after_commit, authorize, snapshot
from gongkai.core.policies import policy_for
from gongkai.orgs.models import OrgKind, Role
from gongkai.orgs.scope import scope_ids
from gongkai.portal import cache as portal_cache
from gongkai.services.actions_base import (
    check_code,
    check_day,
    government_of,
    hash_code,
    new_code,
    next_case_number,
    notify_applicant,
    read_files,
    require_text,
    store_files,
)
from gongkai.services.models import (
    ApplicantKind,
    Appointment,
    AppointmentStatus,
    CaseChannel,
    CaseCorrection,
    CaseResult,
    CaseStatus,
    CaseStep,
    ServiceCase,
    ServiceItem,
    ServiceWindow,
    StepDecision,
)
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import ClockKind, PauseReason

STATE_FIELDS = [
    "status",
    "accepted_on",
    "result",
    "completed_on",
    "on_time",
    "agent_id",
    "fee_amount",
    "fee_receipt",
]


def _state(case: ServiceCase) -> dict[str, Any]:
    return snapshot(case, STATE_FIELDS)


def _locked(case: ServiceCase) -> ServiceCase:
    return ServiceCase.objects.select_for_update(of=("self",)).select_related("item", "clock").get(pk=case.pk)


def _require(case: ServiceCase, *statuses: str) -> None:
    if case.status not in statuses:
        raise ActionError(
            _("This cannot be done while the case is “%(status)s”.") % {"status": case.get_status_display()}
        )


def _applicant(applicant_kind: str, applicant_name: str, **contact: str) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if applicant_kind not in ApplicantKind.values:
        errors["applicant_kind"] = _("Choose the kind of applicant.")
    if not (applicant_name or "").strip():
        errors["applicant_name"] = _("Give the applicant's name.")
    if errors:
        raise ActionError(errors)
    data = {"applicant_kind": applicant_kind, "applicant_name": applicant_name.strip()[:200]}
    data.update({k: (v or "").strip() for k, v in contact.items()})
    if data.get("email"):
        try:
            validate_email(data["email"])
        except ValidationError as exc:
            raise ActionError({"email": _("Enter a valid e-mail address.")}) from exc
    return data


def _start(actor: Any, case: ServiceCase, on: date) -> None:
    """Day 0 is the day of acceptance; the promised limit is the case's clock (0 = due that day)."""
    case.clock = clocks.start_clock(
        actor=actor, kind=ClockKind.SERVICE_CASE, organisation=case.organisation, start_date=on,
        limit_days=case.item.promised_limit_days, subject=case, label=f"{case.case_number} {case.item.name}"[:200],
    )  # fmt: skip
    case.accepted_on = on


def _close_clock(actor: Any, case: ServiceCase, on: date) -> None:
    if case.clock_id is not None:
        clock = clocks.close_clock(actor=actor, clock=case.clock, on=on)
        case.clock = clock
        case.on_time = clock.on_time


def _new_case(
    *, actor: Any, item: ServiceItem, numbering: Any, data: dict[str, Any], **fields: Any
) -> tuple[ServiceCase, str]:
    code = new_code()
    now = timezone.now()
    # Numbered in the year of receipt (a case entered late keeps the year it was received in).
    number = next_case_number(numbering, fields["received_on"].year)
    case = ServiceCase(case_number=number, tracking_hash=hash_code(number, code), item=item,
                       organisation=item.organisation, submitted_at=now, **data, **fields)  # fmt: skip
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise ActionError(_("This form was already submitted.")) from exc
    return case, code


@action
def submit_case_online(
    *, actor: Any, item: ServiceItem, applicant_kind: str, applicant_name: str, id_number: str, phone: str,
    email: str = "", address: str = "", description: str = "", files: Any = (), submission_key: str = "",
    user: Any = None,
) -> tuple[ServiceCase, str]:  # fmt: skip
    """An online application (网上办理); it waits for acceptance, when its clock starts."""
    if not (item.published and item.is_active and item.online):
        raise ActionError({"item": _("This service cannot be applied for online.")})
    data = _applicant(applicant_kind, applicant_name, id_number=id_number, phone=phone, email=email,
                      address=address, description=description)  # fmt: skip
    errors = {}
    if not data["id_number"]:
        errors["id_number"] = _("Give the ID number or unified social credit code.")
    if not data["phone"]:
        errors["phone"] = _("Give a telephone number.")
    if errors:
        raise ActionError(errors)
    checked = read_files(files)
    if submission_key and ServiceCase.objects.filter(submission_key=submission_key).exists():
        raise ActionError(_("This form was already submitted."))
    owner = user if getattr(user, "is_authenticated", False) and getattr(user, "is_citizen", False) else None
    case, code = _new_case(actor=actor, item=item, numbering=government_of(item.organisation), data=data,
                           channel=CaseChannel.ONLINE, status=CaseStatus.SUBMITTED,
                           received_on=timezone.localdate(), user=owner, submission_key=submission_key)  # fmt: skip
    store_files(case, checked)
    record(actor=actor, verb="services.submit_case_online", obj=case, after=_state(case))
    return case, code


@action
def receive_case(
    *, actor: Any, item: ServiceItem, window: ServiceWindow, applicant_kind: str, applicant_name: str,
    id_number: str = "", phone: str = "", email: str = "", address: str = "", description: str = "",
    appointment: Appointment | None = None, agency: bool = False, agent: Any = None, on: date | None = None,
) -> tuple[ServiceCase, str]:  # fmt: skip
    """A case received and accepted at a window: its clock starts with ``on`` as day 0."""
    centre = window.centre
    channel = {OrgKind.CENTRE: CaseChannel.WINDOW, OrgKind.TOWNSHIP: CaseChannel.TOWNSHIP}.get(centre.kind)
    if channel is None:
        raise ActionError({"window": _("Windows belong to a service centre or a township centre.")})
    authorize(
        actor, "process", ServiceCase(item=item, organisation=item.organisation, centre=centre, window=window)
    )
    if not window.is_active:
        raise ActionError({"window": _("This window is closed.")})
    if not item.is_active:
        raise ActionError({"item": _("This service is no longer offered.")})
    on = check_day(on)
    data = _applicant(applicant_kind, applicant_name, id_number=id_number, phone=phone, email=email,
                      address=address, description=description)  # fmt: skip
    if appointment is not None:
        appointment = Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
        if appointment.status != AppointmentStatus.BOOKED or appointment.slot.window.centre_id != centre.pk:
            raise ActionError({"appointment": _("This appointment cannot be used here.")})
        if appointment.item_id != item.pk:
            raise ActionError({"appointment": _("The appointment was for another service.")})
    if agent is not None:
        _check_agent(agent, centre, item)
    case, code = _new_case(actor=actor, item=item, numbering=centre, data=data, centre=centre, window=window,
                           channel=channel, status=CaseStatus.ACCEPTED, received_on=on, appointment=appointment,
                           agency=bool(agency or agent), agent=agent)  # fmt: skip
    _start(actor, case, on)
    case.save(update_fields=["clock", "accepted_on", "updated_at"])
    if appointment is not None:
        appointment.status = AppointmentStatus.ATTENDED
        appointment.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="services.receive_case", obj=case, after=_state(case))
    _accepted_notice(case)
    return case, code


def _accepted_notice(case: ServiceCase) -> None:
    notify_applicant(case, N_("Application accepted"),
                     N_("Your application %(case)s for “%(item)s” was accepted on %(date)s. Follow it with the case "
                        "number and your tracking code."),
                     {"case": case.case_number, "item": case.item.name, "date": case.accepted_on.isoformat()})  # fmt: skip


def _check_agent(agent: Any, centre: Any, item: ServiceItem) -> None:
    reach = scope_ids(agent, (Role.WINDOW, Role.ADMIN))
    if getattr(agent, "is_citizen", True) or not (
        (centre is not None and centre.pk in reach) or item.organisation_id in reach
    ):
        raise ActionError({"agent": _("The agent must be staff of the centre or of the unit.")})


@action
def accept_case(*, actor: Any, case: ServiceCase, on: date | None = None) -> ServiceCase:
    """Accept an online case: day 0 of its clock is the day of acceptance."""
    authorize(actor, "process", case)
    case = _locked(case)
    _require(case, CaseStatus.SUBMITTED)
    on = check_day(on, not_before=case.received_on)
    before = _state(case)
    case.status = CaseStatus.ACCEPTED
    _start(actor, case, on)
    case.save()
    record(actor=actor, verb="services.accept_case", obj=case, before=before, after=_state(case))
    _accepted_notice(case)
    return case


@action
def reject_case(*, actor: Any, case: ServiceCase, reason: str, on: date | None = None) -> ServiceCase:
    """不予受理, with the reason the applicant is told."""
    authorize(actor, "process", case)
    case = _locked(case)
    _require(case, CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED)
    reason = require_text(reason, "reason", _("Give the reason for not accepting the application."))
    on = check_day(on, not_before=case.received_on)
    before = _state(case)
    case.status = CaseStatus.REJECTED
    case.rejection_reason = reason
    case.completed_on = on  # the day the case ended (bulk imports and figures rely on it)
    _close_clock(actor, case, on)
    case.save()
    record(
        actor=actor, verb="services.reject_case", obj=case, before=before, after=_state(case), reason=reason
    )
    notify_applicant(case, N_("Application not accepted"),
                     N_("Your application %(case)s was not accepted: %(reason)s"),
                     {"case": case.case_number, "reason": reason})  # fmt: skip
    return case


@action
def request_materials(
    *, actor: Any, case: ServiceCase, missing: str, on: date | None = None
) -> CaseCorrection:
    """补齐补正: tell the applicant what is missing; the clock waits."""
    authorize(actor, "process", case)
    case = _locked(case)
    _require(case, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)
    missing = require_text(missing, "missing", _("List the missing materials."))
    on = check_day(on, not_before=case.accepted_on or case.received_on)
    before = _state(case)
    if case.clock_id is not None:
        clocks.pause_clock(
            actor=actor, clock=case.clock, on=on, reason=PauseReason.MATERIALS, note=missing[:200]
        )
    correction = CaseCorrection.objects.create(
        case=case, requested_on=on, missing=missing, requested_by=actor
    )
    case.status = CaseStatus.CORRECTION
    case.save()
    record(
        actor=actor,
        verb="services.request_materials",
        obj=case,
        before=before,
        after=_state(case),
        reason=missing,
    )
    notify_applicant(case, N_("Materials needed"),
                     N_("Your application %(case)s needs these materials before it can continue: %(missing)s"),
                     {"case": case.case_number, "missing": missing})  # fmt: skip
    return correction


def _applicant_or_staff(actor: Any, case: ServiceCase, code: str) -> bool:
    """True for the case's staff; the applicant proves the case with the code or their account."""
    if policy_for(case).can(actor, "process", case):
        return True
    own = getattr(actor, "is_authenticated", False) and case.user_id == actor.pk
    if own or check_code(case.case_number, case.tracking_hash, code):
        return False
    raise PermissionDenied("not allowed")


@action
def supply_materials(
    *, actor: Any, case: ServiceCase, files: Any = (), note: str = "", on: date | None = None, code: str = ""
) -> CaseCorrection:
    """The missing materials arrived: the case continues and its clock resumes."""
    case = _locked(case)
    _applicant_or_staff(actor, case, code)
    _require(case, CaseStatus.CORRECTION)
    correction = case.corrections.filter(supplied_on__isnull=True).order_by("-id").first()
    on = check_day(on, not_before=correction.requested_on if correction else case.received_on)
    checked = read_files(files)
    if not checked and not (note or "").strip():
        raise ActionError({"files": _("Upload the missing materials or note what was handed in.")})
    before = _state(case)
    if correction is not None:
        correction.supplied_on = on
        correction.note = (note or "").strip()[:300]
        correction.save(update_fields=["supplied_on", "note"])
    store_files(case, checked, correction)
    if case.clock_id is not None:
        clocks.resume_clock(actor=actor, clock=case.clock, on=on)
    case.status = CaseStatus.ACCEPTED if case.accepted_on else CaseStatus.SUBMITTED
    case.save()
    record(actor=actor, verb="services.supply_materials", obj=case, before=before, after=_state(case))
    return correction


@action
def add_step(
    *, actor: Any, case: ServiceCase, name: str, decision: str, opinion: str = "", on: date | None = None
) -> CaseStep:
    authorize(actor, "add_step", case)
    case = _locked(case)
    _require(case, CaseStatus.ACCEPTED)
    name = require_text(name, "name", _("Name the step."))[:60]
    if decision not in StepDecision.values:
        raise ActionError({"decision": _("Choose agree or disagree.")})
    on = check_day(on, not_before=case.accepted_on)
    step = CaseStep.objects.create(case=case, name=name, decision=decision, opinion=(opinion or "").strip(),
                                   actor=actor, on=on)  # fmt: skip
    record(
        actor=actor, verb="services.add_step", obj=case, after={"step": name, "decision": decision, "on": on}
    )
    return step


@action
def collect_fee(
    *,
    actor: Any,
    case: ServiceCase,
    amount: Any,
    receipt: str,
    quantity: Any = Decimal(1),
    on: date | None = None,
) -> ServiceCase:
    """Record the fee paid; it must match the item's fee standard exactly."""
    authorize(actor, "process", case)
    case = _locked(case)
    _require(case, CaseStatus.ACCEPTED)
    item = case.item
    if item.fee_free or item.fee_amount is None:
        raise ActionError({"amount": _("This service is free of charge.")})
    if case.fee_collected_on is not None:
        raise ActionError({"amount": _("The fee for this case was already collected.")})
    try:
        amount, quantity = Decimal(str(amount)), Decimal(str(quantity))
    except InvalidOperation as exc:
        raise ActionError({"amount": _("Enter the amount in yuan.")}) from exc
    if not quantity.is_finite() or quantity <= 0:
        raise ActionError({"quantity": _("The quantity must be positive.")})
    expected = (item.fee_amount * quantity).quantize(Decimal("0.01"))
    if not amount.is_finite() or amount != expected:
        raise ActionError({"amount": _("The amount must be the fee standard times the quantity: %(expected)s yuan.")
                           % {"expected": expected}})  # fmt: skip
    receipt = require_text(receipt, "receipt", _("Give the receipt number."))[:40]
    if ServiceCase.objects.filter(fee_receipt=receipt).exists():
        raise ActionError({"receipt": _("This receipt number was already used.")})
    on = check_day(on, not_before=case.received_on)
    before = _state(case)
    case.fee_amount, case.fee_quantity, case.fee_receipt = expected, quantity, receipt
    case.fee_collected_on, case.fee_collected_by = on, actor
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise ActionError({"receipt": _("This receipt number was already used.")}) from exc
    record(actor=actor, verb="services.collect_fee", obj=case, before=before, after=_state(case))
    return case


@action
def complete_case(
    *, actor: Any, case: ServiceCase, result: str, reason: str = "", certificate_number: str = "",
    on: date | None = None,
) -> ServiceCase:  # fmt: skip
    """办结: the decision is made; the clock closes and says whether it was on time."""
    authorize(actor, "process", case)
    case = _locked(case)
    if case.status == CaseStatus.COMPLETED:
        raise ActionError(_("This case is already completed."))
    _require(case, CaseStatus.ACCEPTED)
    item = case.item
    errors: dict[str, str] = {}
    if result not in CaseResult.values:
        errors["result"] = _("Choose the result.")
    elif result == CaseResult.APPROVED:
        if item.issues_certificate and not (certificate_number or "").strip():
            errors["certificate_number"] = _("Give the number of the certificate issued.")
        if not item.fee_free and case.fee_collected_on is None:
            errors["result"] = _("Collect the fee before completing the case.")
    elif not (reason or "").strip():
        errors["reason"] = _("Give the reason for not approving.")
    if errors:
        raise ActionError(errors)
    on = check_day(on, not_before=case.accepted_on)
    before = _state(case)
    case.status = CaseStatus.COMPLETED
    case.result = result
    case.result_reason = (reason or "").strip()
    case.certificate_number = (certificate_number or "").strip()[:60] if result == CaseResult.APPROVED else ""
    case.completed_on = on
    _close_clock(actor, case, on)
    case.save()
    record(actor=actor, verb="services.complete_case", obj=case, before=before, after=_state(case))
    after_commit(portal_cache.bump)  # the item's page lists its recent results (办结公示)
    notify_applicant(case, N_("Application completed"),
                     N_("Your application %(case)s for “%(item)s” was completed on %(date)s: %(result)s."),
                     {"case": case.case_number, "item": item.name, "date": on.isoformat(),
                      "result": case.get_result_display()})  # fmt: skip
    return case


@action
def set_agent(*, actor: Any, case: ServiceCase, agent: Any) -> ServiceCase:
    """全程代办: an agent of the centre handles the case for the applicant (None ends it)."""
    authorize(actor, "process", case)
    case = _locked(case)
    if not case.is_open:
        raise ActionError(_("The case is closed."))
    if agent is not None:
        _check_agent(agent, case.centre, case.item)
    before = _state(case)
    case.agent = agent
    case.agency = agent is not None
    case.save(update_fields=["agent", "agency", "updated_at"])
    record(actor=actor, verb="services.set_agent", obj=case, before=before, after=_state(case))
    return case


@action
def withdraw_case(*, actor: Any, case: ServiceCase, reason: str, code: str = "") -> ServiceCase:
    """The applicant withdraws (with the code or their account, or through the window staff)."""
    case = _locked(case)
    _applicant_or_staff(actor, case, code)
    if not case.is_open:
        raise ActionError(_("The case is closed."))
    reason = require_text(reason, "reason", _("Give the reason for withdrawing."))
    on = timezone.localdate()
    before = _state(case)
    case.status = CaseStatus.WITHDRAWN
    case.result_reason = reason
    _close_clock(actor, case, max(on, case.clock.start_date) if case.clock_id else on)
    case.save()
    record(
        actor=actor, verb="services.withdraw_case", obj=case, before=before, after=_state(case), reason=reason
    )
    return case


def find_case(case_number: str, code: str) -> ServiceCase | None:
    """The case with this number if the code matches; None otherwise (the same answer for both)."""
    case = (
        ServiceCase.objects.select_related("item", "organisation", "clock")
        .filter(case_number=(case_number or "").strip().upper())
        .first()
    )
    if case is None:
        # Compare anyway, so a wrong number takes as long as a wrong code.
        check_code("", "0" * 64, code or "x")
        return None
    return case if check_code(case.case_number, case.tracking_hash, code) else None
