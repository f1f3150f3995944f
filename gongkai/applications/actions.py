"""Every step of an application for disclosure (RULES §2), as actions.

The rule set (2008 or 2019 text) is chosen by the date of receipt and decides the reply
period, the extension cap, the 补正 notice limit, whether consulting another agency stops the
clock, whether Art. 35 exists, and which fees and reply types apply.

The actions live in two modules. This one has receipt (an online submission, registration by
the office, confirmation, discarding, forwarding), the steps that wait on someone else (补正,
consultation, fees) with the daily job that closes a case whose correction or fee period
passed, and adding documents. ``actions_replies`` has the time the office takes (extension,
Art. 35 later date), assignment, drafting and review, and closing (reply, withdrawal,
delivery). What both share (tracking codes, the applicant's fields and their checks, the rule
set, guards and notices) is in ``actions_base``.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from gongkai.applications import fees as feemod
from gongkai.applications import letters
from gongkai.applications.actions_base import (
    APPLICANT_FIELDS,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    _authorize_applicant_or_staff,
    _check_date,
    _documents,
    _due,
    _locked,
    _next_case_number,
    _notify,
    _require,
    _store_document,
    applicant_key,
    clean_applicant,
    hash_code,
    receipt_date,
    rules_for,
    today,
)
from gongkai.applications.actions_replies import _close
from gongkai.applications.models import (
    Application,
    Channel,
    Consultation,
    ConsultationAnswer,
    ConsultationKind,
    Correction,
    Document,
    DocumentKind,
    FeeNotice,
    FeeStatus,
    LetterKind,
    Status,
)
from gongkai.applications.outcomes import Outcome, ReplyType
from gongkai.applications.rules import RuleSet
from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, authorize, snapshot
from gongkai.orgs.models import Organisation
from gongkai.workdays import clock as clocks
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.engine import compute_due
from gongkai.workdays.models import ClockKind, PauseReason

# --- intake -------------------------------------------------------------------------------------------


def _check_target(organisation: Organisation) -> None:
    if organisation is None or not organisation.is_active:
        raise ActionError({"organisation": _("Choose the agency you apply to.")})


def _create(
    *, actor: Any, organisation: Organisation, channel: str, data: dict[str, Any], submitted_at: Any,
    rules: RuleSet, citizen: Any = None, submission_key: str = "", receipt_note: str = "",
    signed_for_on: date | None = None,
) -> tuple[Application, str]:  # fmt: skip
    code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    case_number = _next_case_number(timezone.localtime(submitted_at).year)
    app = Application(
        case_number=case_number,
        tracking_hash=hash_code(case_number, code),
        organisation=organisation,
        rule_set=rules.code,
        channel=channel,
        status=Status.PENDING,
        submitted_at=submitted_at,
        signed_for_on=signed_for_on,
        receipt_note=receipt_note,
        # Only a citizen account keeps a list of its applications; staff entering one are not the applicant.
        citizen=citizen
        if getattr(citizen, "is_authenticated", False) and getattr(citizen, "is_citizen", False)
        else None,
        applicant_key=applicant_key(
            data["id_type"], data["id_number"], data["applicant_name"], data["phone"]
        ),
        submission_key=submission_key,
        **data,
    )
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError as exc:
        raise ActionError(_("This form was already submitted.")) from exc
    record(actor=actor, verb="applications.submit", obj=app,
           after={**snapshot(app, ["case_number", "organisation_id", "channel", "rule_set", "status"])})  # fmt: skip
    return app, code


@action
def submit_application(
    *,
    actor: Any,
    organisation: Organisation,
    submission_key: str = "",
    documents: list[tuple[str, bytes]] | None = None,
    **fields: Any,
) -> tuple[Application, str]:
    """An online application from the portal (no account needed). Returns it and its tracking code.

    It waits for the office to confirm it: the day both sides confirm is the day of receipt.
    """
    _check_target(organisation)
    now = timezone.now()
    rules = rules_for(timezone.localtime(now).date())  # provisional until receipt is confirmed
    data = clean_applicant(fields, rules, on=timezone.localtime(now).date())
    if submission_key and Application.objects.filter(submission_key=submission_key).exists():
        raise ActionError(_("This form was already submitted."))
    app, code = _create(actor=actor, organisation=organisation, channel=Channel.ONLINE, data=data,
                        submitted_at=now, rules=rules, citizen=actor, submission_key=submission_key)  # fmt: skip
    _documents(actor, app, DocumentKind.APPLICANT, documents)
    _notify(app, N_("Application submitted"),
            N_("Your application %(case)s was submitted. The office will confirm receipt; the reply period counts "
              "from that day. Follow it with the case number and your tracking code."), {"case": app.case_number})  # fmt: skip
    return app, code


@action
def register_application(
    *,
    actor: Any,
    organisation: Organisation,
    channel: str,
    submitted_on: date,
    signed_for_on: date | None = None,
    confirmed_on: date | None = None,
    receipt_note: str = "",
    documents: list[tuple[str, bytes]] | None = None,
    **fields: Any,
) -> tuple[Application, str]:
    """An application handed in, posted, faxed or made orally, entered by the office's staff."""
    _check_target(organisation)
    authorize(actor, "handle", Application(organisation=organisation))
    # Online here means one entered by staff (or migrated) with its dates, e.g. from an older system.
    if channel not in Channel.values:
        raise ActionError({"channel": _("Choose how the application arrived.")})
    if submitted_on > today():
        raise ActionError({"submitted_on": _("The date cannot be in the future.")})
    received = receipt_date(
        channel, submitted_on=submitted_on, signed_for_on=signed_for_on, confirmed_on=confirmed_on
    )
    for name, value in (("signed_for_on", signed_for_on), ("confirmed_on", confirmed_on)):
        if value is not None and (value < submitted_on or value > today()):
            raise ActionError({name: _("This date must lie between the day it was sent and today.")})
    rules = rules_for(received or submitted_on)
    data = clean_applicant(fields, rules, on=submitted_on)
    submitted_at = timezone.make_aware(timezone.datetime.combine(submitted_on, timezone.datetime.min.time()))
    if submitted_on == today():
        submitted_at = timezone.now()
    app, code = _create(actor=actor, organisation=organisation, channel=channel, data=data,
                        submitted_at=submitted_at, rules=rules, receipt_note=receipt_note,
                        signed_for_on=signed_for_on)  # fmt: skip
    _documents(actor, app, DocumentKind.APPLICANT, documents)
    if received is not None:
        _receive(actor, app, received, confirmed_on=confirmed_on)
    return app, code


def _receive(actor: Any, app: Application, on: date, *, confirmed_on: date | None = None) -> None:
    rules = rules_for(on)
    before = snapshot(app, ["status", "received_on", "rule_set"])
    app.received_on = on
    app.confirmed_on = confirmed_on
    app.rule_set = rules.code
    app.status = Status.PROCESSING
    app.clock = clocks.start_clock(actor=actor, kind=ClockKind.APPLICATION, organisation=app.organisation,
                                   start_date=on, limit_days=rules.reply_days, subject=app,
                                   label=app.case_number, extension_limit_days=rules.extension_days)  # fmt: skip
    app.save()
    record(actor=actor, verb="applications.receive", obj=app, before=before,
           after=snapshot(app, ["status", "received_on", "rule_set"]))  # fmt: skip
    letters.issue(application=app, kind=LetterKind.ACKNOWLEDGEMENT, on=on, actor=actor)
    _notify(
        app,
        N_("Application received"),
        N_("Your application %(case)s was received on %(on)s. The reply is due by %(due)s."),
        {"case": app.case_number, "on": on.isoformat(), "due": _due(app)},
    )


@action
def confirm_receipt(
    *, actor: Any, application: Application, on: date | None = None, note: str = ""
) -> Application:
    """The office confirms an online, fax or e-mail application: that day is the day of receipt."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, Status.PENDING)
    on = on or today()
    if on < timezone.localtime(app.submitted_at).date() or on > today():
        raise ActionError({"on": _("The confirmation date must lie between submission and today.")})
    rules = rules_for(on)
    if rules.code != app.rule_set:  # submitted under one text, received under the other
        clean_applicant({k: getattr(app, k) for k in APPLICANT_FIELDS}, rules, on=on)
    if note:
        app.receipt_note = note[:300]
    _receive(actor, app, on, confirmed_on=on)
    return app


@action
def discard_submission(*, actor: Any, application: Application, reason: str) -> Application:
    """An online submission that is junk or a duplicate is not registered (and never counted)."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, Status.PENDING)
    if not reason.strip():
        raise ActionError({"reason": _("Say why the submission is not registered.")})
    app.status = Status.DISCARDED
    app.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="applications.discard", obj=app, before={"status": Status.PENDING},
           after={"status": app.status}, reason=reason)  # fmt: skip
    return app


@action
def forward_application(
    *, actor: Any, application: Application, to: Organisation, reason: str
) -> Application:
    """Pass the application to the agency of the same government that holds the information."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, Status.PENDING, Status.PROCESSING)
    if to is None or not to.is_active or to.pk == app.organisation_id:
        raise ActionError({"to": _("Choose another active agency.")})
    if to.path.split("/")[1] != app.organisation.path.split("/")[1]:
        raise ActionError({"to": _("Applications are forwarded within the same government only.")})
    if not reason.strip():
        raise ActionError({"reason": _("Give the reason for forwarding.")})
    before = {"organisation": app.organisation_id}
    app.organisation = to
    app.assigned_unit = None
    app.assignee = None
    app.save()
    if app.clock_id:
        type(app.clock).objects.filter(pk=app.clock_id).update(organisation=to)
    record(actor=actor, verb="applications.forward", obj=app, before=before, after={"organisation": to.pk},
           reason=reason)  # fmt: skip
    return app


# --- correction (补正) --------------------------------------------------------------------------------


def correction_notice_deadline(app: Application) -> date | None:
    """The last day for a 补正 notice: 7 working days after receipt under 2019 Art. 30."""
    days = app.rules.correction_notice_days
    if days is None or app.received_on is None:
        return None
    return compute_due(get_calendar(), app.received_on, days).due


@action
def request_correction(
    *, actor: Any, application: Application, items: str, period_days: int, on: date | None = None
) -> Correction:
    """One notice listing what to correct and a period; the clock stops until the correction arrives."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, Status.PROCESSING)
    on = on or today()
    _check_date(app, on)
    if not items.strip():
        raise ActionError({"items": _("List what the applicant must correct or supplement.")})
    if not 1 <= period_days <= 60:
        raise ActionError({"period_days": _("Give a reasonable period of 1 to 60 working days.")})
    if app.rule_set == "2019":
        if app.corrections.exists():
            raise ActionError(_("The 2019 text allows one single correction notice (Art. 30)."))
        limit = correction_notice_deadline(app)
        if limit is not None and on > limit:
            raise ActionError(
                {
                    "on": _(
                        "Under the 2019 text the correction notice is due within 7 working days of receipt "
                        "(by %(date)s, Art. 30)."
                    )
                    % {"date": limit.isoformat()}
                }  # fmt: skip
            )
    due_on = compute_due(get_calendar(), on, period_days).due
    correction = Correction.objects.create(application=app, requested_on=on, items=items.strip(),
                                           period_days=period_days, due_on=due_on, requested_by=actor)  # fmt: skip
    clocks.pause_clock(actor=actor, clock=app.clock, on=on, reason=PauseReason.CORRECTION, note=items[:200])
    app.status = Status.CORRECTION
    app.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="applications.request_correction", obj=app,
           after={"requested_on": on, "period_days": period_days, "due_on": due_on, "items": items})  # fmt: skip
    letters.issue(application=app, kind=LetterKind.CORRECTION, on=on, actor=actor, items=items.strip(),
                  period_days=period_days, correct_by=due_on)  # fmt: skip
    _notify(
        app,
        N_("Please correct your application"),
        N_("Please correct or supplement your application by %(date)s: %(items)s"),
        {"date": due_on.isoformat(), "items": items.strip()},
    )
    return correction


@action
def submit_correction(
    *,
    actor: Any,
    application: Application,
    text: str,
    tracking_code: str = "",
    on: date | None = None,
    documents: list[tuple[str, bytes]] | None = None,
    **fields: Any,
) -> Application:
    """The corrected application arrives (from the applicant, or entered by staff): the clock restarts."""
    app = _locked(application)
    _authorize_applicant_or_staff(actor, app, tracking_code)
    _require(app, Status.CORRECTION)
    on = on or today()
    _check_date(app, on)
    correction = app.corrections.filter(corrected_on__isnull=True, lapsed=False).last()
    if correction is None:
        raise ActionError(_("There is no open correction notice."))
    if not text.strip() and not documents and not fields:
        raise ActionError({"text": _("Write the correction or attach a document.")})
    if fields:
        merged = {k: getattr(app, k) for k in APPLICANT_FIELDS} | fields
        data = clean_applicant(merged, app.rules, on=on)
        for key, value in data.items():
            setattr(app, key, value)
    correction.corrected_on = on
    correction.corrected_text = text.strip()
    correction.save()
    _documents(actor, app, DocumentKind.CORRECTION, documents)
    clocks.restart_clock(actor=actor, clock=app.clock, on=on,
                         reason=_("Corrected application received (2019 Art. 30)"))  # fmt: skip
    app.status = Status.PROCESSING
    app.save()
    app.clock.refresh_from_db()
    record(actor=actor, verb="applications.submit_correction", obj=app,
           after={"corrected_on": on, "text": text.strip(), "changed": sorted(fields)})  # fmt: skip
    _notify(
        app,
        N_("Correction received"),
        N_("Your correction was received on %(on)s. The reply is now due by %(due)s."),
        {"on": on.isoformat(), "due": _due(app)},
    )
    return app


# --- consultation (征求意见) ----------------------------------------------------------------------------


@action
def start_consultation(
    *, actor: Any, application: Application, kind: str, party: str, on: date | None = None
) -> Consultation:
    """Ask a third party (Art. 32) or another agency (Art. 34); 15 working days to answer."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, Status.PROCESSING, Status.CONSULTING)
    on = on or today()
    _check_date(app, on)
    if kind not in ConsultationKind.values:
        raise ActionError({"kind": _("Choose whom you consult.")})
    if not party.strip():
        raise ActionError({"party": _("Name the party consulted.")})
    rules = app.rules
    reply_due = compute_due(get_calendar(), on, rules.consultation_days).due
    # The time spent consulting is not counted: third parties under both texts, other agencies under 2019 only.
    pauses = kind == ConsultationKind.THIRD_PARTY or rules.other_agency_pauses
    if pauses and app.consultations.filter(answered_on__isnull=True, pauses_clock=True).exists():
        pauses = False  # the clock is already stopped by an open consultation
    consultation = Consultation.objects.create(application=app, kind=kind, party=party.strip()[:200], sent_on=on,
                                               reply_due=reply_due, pauses_clock=pauses)  # fmt: skip
    if pauses:
        reason = PauseReason.THIRD_PARTY if kind == ConsultationKind.THIRD_PARTY else PauseReason.OTHER_AGENCY
        clocks.pause_clock(actor=actor, clock=app.clock, on=on, reason=reason, note=party[:200])
    app.status = Status.CONSULTING
    app.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="applications.start_consultation", obj=app,
           after={"kind": kind, "party": party, "sent_on": on, "reply_due": reply_due, "pauses_clock": pauses})  # fmt: skip
    letters.issue(
        application=app, kind=LetterKind.CONSULTATION, on=on, actor=actor, party=party.strip(), reply_due=reply_due,
        consultation_days=rules.consultation_days,
        consultation_reason="损害你方合法权益" if kind == ConsultationKind.THIRD_PARTY else "涉及你机关职责",
        silence_rule=("逾期未提出意见的，由本机关依照条例规定决定是否公开。" if kind == ConsultationKind.THIRD_PARTY
                      else "逾期未提出意见的，视为同意公开。"),
    )  # fmt: skip
    return consultation


@action
def record_consultation_answer(
    *, actor: Any, consultation: Consultation, answer: str, on: date | None = None, note: str = ""
) -> Consultation:
    app = _locked(consultation.application)
    authorize(actor, "handle", app)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.answered_on is not None:
        raise ActionError(_("This consultation already has its answer."))
    if answer not in ConsultationAnswer.values:
        raise ActionError({"answer": _("Choose the answer.")})
    on = on or today()
    if on < consultation.sent_on or on > today():
        raise ActionError({"on": _("The date must lie between sending and today.")})
    if answer == ConsultationAnswer.NO_REPLY and on <= consultation.reply_due:
        raise ActionError({"answer": _("The period for answering runs until %(date)s.")
                           % {"date": consultation.reply_due.isoformat()}})  # fmt: skip
    consultation.answered_on = on
    consultation.answer = answer
    consultation.note = note
    consultation.save()
    if consultation.pauses_clock:
        clocks.resume_clock(actor=actor, clock=app.clock, on=on, note=consultation.get_answer_display())
    if not app.consultations.filter(answered_on__isnull=True).exists():
        app.status = Status.PROCESSING
        app.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="applications.consultation_answer", obj=app,
           after={"consultation": consultation.pk, "answer": answer, "on": on}, reason=note)  # fmt: skip
    return consultation


# --- documents ----------------------------------------------------------------------------------------


@action
def add_document(*, actor: Any, application: Application, kind: str, name: str, data: bytes) -> Document:
    app = _locked(application)
    authorize(actor, "draft", app)
    if kind not in DocumentKind.values:
        raise ActionError({"kind": _("Choose the kind of document.")})
    if app.status == Status.DISCARDED:
        raise ActionError(_("This submission was not registered."))
    doc = _store_document(actor, app, kind, name, data)
    record(actor=actor, verb="applications.add_document", obj=app,
           after={"document": doc.pk, "kind": kind, "name": doc.filename, "size": doc.size})  # fmt: skip
    return doc


# --- fees ------------------------------------------------------------------------------------------------


def position_in_month(app: Application) -> int:
    """This application's place among the applicant's applications to this agency in its month."""
    start = app.received_on.replace(day=1)
    same = Application.objects.filter(
        applicant_key=app.applicant_key, organisation_id=app.organisation_id,
        received_on__gte=start, received_on__year=start.year, received_on__month=start.month,
    ).exclude(status=Status.DISCARDED)  # fmt: skip
    return same.filter(
        Q(received_on__lt=app.received_on) | Q(received_on=app.received_on, pk__lte=app.pk)
    ).count()


@action
def issue_fee_notice(
    *,
    actor: Any,
    application: Application,
    mode: str,
    instructions: str,
    pages: int | None = None,
    search_cost: Decimal = Decimal(0),
    copy_cost: Decimal = Decimal(0),
    postage: Decimal = Decimal(0),
    on: date | None = None,
) -> FeeNotice:
    """A fee notice inside the reply period; the period for paying does not count towards the reply."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, Status.PROCESSING)
    on = on or today()
    _check_date(app, on)
    if app.clock.due_date is not None and on > app.clock.due_date:
        raise ActionError({"on": _("A fee notice must be sent within the reply period.")})
    if app.fees.exclude(status=FeeStatus.LAPSED).exists():
        raise ActionError(
            _("This application already has a fee notice: a fee is charged once, never both ways.")
        )
    if not instructions.strip():
        raise ActionError({"instructions": _("Say how to pay.")})
    rules = app.rules
    position = None
    if rules.progressive_fees:
        if mode == feemod.FeeMode.PER_APPLICATION:
            position = position_in_month(app)
            amount = feemod.fee_for_nth_application(position)
            if not amount:
                raise ActionError({"mode": _("This is the applicant's application no. %(n)s this month: the first 10 "
                                             "are free.") % {"n": position}})  # fmt: skip
        elif mode == feemod.FeeMode.PER_PAGE:
            if not pages or pages < 0:
                raise ActionError({"pages": _("Give the number of pages.")})
            amount = feemod.fee_for_pages(pages)
            if not amount:
                raise ActionError({"pages": _("Up to 30 pages are free.")})
        else:
            raise ActionError(
                {"mode": _("Under the 2019 text the fee is charged per application or per page.")}
            )
        basis = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
    else:
        if mode != feemod.FeeMode.COST:
            raise ActionError(
                {"mode": _("Under the 2008 text only the cost of search, copying and postage is charged.")}
            )
        costs = [Decimal(search_cost or 0), Decimal(copy_cost or 0), Decimal(postage or 0)]
        if any(c < 0 for c in costs) or not sum(costs):
            raise ActionError({"search_cost": _("Give the costs (not negative, not all zero).")})
        amount = sum(costs, Decimal(0))
        basis = "《中华人民共和国政府信息公开条例》（2008年）第二十七条"
    pay_by = compute_due(get_calendar(), on, rules.fee_payment_days).due
    fee = FeeNotice.objects.create(
        application=app, mode=mode, pages=pages if mode == feemod.FeeMode.PER_PAGE else None,
        position_in_month=position, search_cost=search_cost or 0, copy_cost=copy_cost or 0, postage=postage or 0,
        amount=amount, basis=basis, payment_instructions=instructions.strip(), issued_on=on, pay_by=pay_by,
    )  # fmt: skip
    clocks.pause_clock(actor=actor, clock=app.clock, on=on, reason=PauseReason.FEE, note=str(amount))
    app.status = Status.FEE
    app.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="applications.fee_notice", obj=app,
           after={"mode": mode, "amount": amount, "pages": pages, "position": position, "pay_by": pay_by})  # fmt: skip
    letters.issue(application=app, kind=LetterKind.FEE, on=on, actor=actor, fee_basis=basis,
                  fee_rate=feemod.describe_bands(mode), amount=f"{amount:.2f}", instructions=instructions.strip(),
                  payment_days=rules.fee_payment_days, pay_by=pay_by)  # fmt: skip
    _notify(
        app,
        N_("Fee notice"),
        N_("A fee of %(amount)s yuan applies; please pay by %(date)s."),
        {"amount": f"{amount:.2f}", "date": pay_by.isoformat()},
    )
    return fee


def _settle(actor: Any, fee: FeeNotice, status: str, on: date, **extra: Any) -> FeeNotice:
    app = _locked(fee.application)
    authorize(actor, "handle", app)
    fee = FeeNotice.objects.select_for_update().get(pk=fee.pk)
    if fee.status != FeeStatus.DUE:
        raise ActionError(_("This fee notice is already settled."))
    if on < fee.issued_on or on > today():
        raise ActionError({"on": _("The date must lie between the notice and today.")})
    fee.status = status
    for key, value in extra.items():
        setattr(fee, key, value)
    fee.save()
    clocks.resume_clock(actor=actor, clock=app.clock, on=on, note=fee.get_status_display())
    app.status = Status.PROCESSING
    app.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb=f"applications.fee_{status}", obj=app, after={"fee": fee.pk, "on": on, **extra})
    return fee


@action
def record_payment(*, actor: Any, fee: FeeNotice, on: date, receipt_number: str) -> FeeNotice:
    if not receipt_number.strip():
        raise ActionError({"receipt_number": _("Give the receipt number.")})
    if on > fee.pay_by:
        raise ActionError(
            {"on": _("The payment period ended on %(date)s.") % {"date": fee.pay_by.isoformat()}}
        )
    return _settle(actor, fee, FeeStatus.PAID, on, paid_on=on, receipt_number=receipt_number.strip()[:60])


@action
def waive_fee(*, actor: Any, fee: FeeNotice, reason: str, on: date | None = None) -> FeeNotice:
    if not reason.strip():
        raise ActionError({"reason": _("Give the reason for the waiver.")})
    return _settle(actor, fee, FeeStatus.WAIVED, on or today(), waiver_reason=reason.strip())


# --- periods that pass without the applicant ---------------------------------------------------------------


@action
def lapse_overdue(*, actor: Any = None, as_of: date | None = None) -> dict[str, int]:
    """Close cases whose correction or fee period passed (其他处理 1 and 2). Idempotent."""
    as_of = as_of or today()
    closed = {"correction": 0, "fee": 0}
    for correction in Correction.objects.filter(
        corrected_on__isnull=True, lapsed=False, due_on__lt=as_of, application__status=Status.CORRECTION
    ).select_related("application"):
        app = _locked(correction.application)
        if app.status != Status.CORRECTION:
            continue
        correction.lapsed = True
        correction.save(update_fields=["lapsed"])
        rt = ReplyType.R19_NO_CORRECTION if app.rule_set == "2019" else ReplyType.R08_UNCLEAR
        _close(actor, app, outcome=Outcome.OTHER_NO_CORRECTION, reply_type=rt, legal_basis="",
               text="申请人无正当理由逾期未补正，视为放弃申请，本机关不再处理该政府信息公开申请。",
               on=correction.due_on, letter=False)  # fmt: skip
        closed["correction"] += 1
    for fee in FeeNotice.objects.filter(
        status=FeeStatus.DUE, pay_by__lt=as_of, application__status=Status.FEE
    ):
        app = _locked(fee.application)
        if app.status != Status.FEE:
            continue
        fee.status = FeeStatus.LAPSED
        fee.save(update_fields=["status"])
        rt = ReplyType.R19_FEE_UNPAID if app.rule_set == "2019" else ReplyType.R08_OTHER
        _close(actor, app, outcome=Outcome.OTHER_FEE_UNPAID, reply_type=rt, legal_basis="",
               text="申请人逾期未按收费通知要求缴纳费用，本机关不再处理该政府信息公开申请。", on=fee.pay_by,
               letter=False)  # fmt: skip
        closed["fee"] += 1
    return closed


def lapse_job() -> str:
    result = lapse_overdue(actor=None)
    return f"closed {result['correction']} after the correction period, {result['fee']} after the fee period"
