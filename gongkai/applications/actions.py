"""Every step of an application for disclosure (RULES §2), as actions.

The rule set (2008 or 2019 text) is chosen by the date of receipt and decides the reply
period, the extension cap, the 补正 notice limit, whether consulting another agency stops the
clock, whether Art. 35 exists, and which fees and reply types apply.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from gongkai.applications import fees as feemod
from gongkai.applications import idcard, letters
from gongkai.applications.models import (
    OPEN_STATUSES,
    ApplicantType,
    Application,
    ApplicationSerial,
    Channel,
    Consultation,
    ConsultationAnswer,
    ConsultationKind,
    Correction,
    Delivery,
    Document,
    DocumentKind,
    FeeNotice,
    FeeStatus,
    IdType,
    InfoForm,
    LetterKind,
    Status,
)
from gongkai.applications.outcomes import Outcome, ReplyType, allowed_reply_types
from gongkai.applications.rules import NotInForce, RuleSet, rule_set_for
from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, authorize, snapshot
from gongkai.core.files import check_upload
from gongkai.core.policies import policy_for
from gongkai.notifications.send import notify
from gongkai.orgs.codes import validate_org_code
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.scope import scope_ids
from gongkai.workdays import clock as clocks
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.engine import compute_due
from gongkai.workdays.models import ClockKind, PauseReason

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TRACKING_LENGTH = 10
# Channels whose receipt date is the day both sides confirm (2019 Art. 31).
CONFIRMED_CHANNELS = (Channel.ONLINE, Channel.FAX, Channel.EMAIL)

APPLICANT_FIELDS = (
    "applicant_type", "applicant_name", "id_type", "id_number", "legal_representative", "contact_person",
    "phone", "email", "address", "postcode", "info_title", "info_number", "description", "purpose",
    "info_form", "delivery",
)  # fmt: skip


def today() -> date:
    return timezone.localdate()


# --- identity, numbers and codes ---------------------------------------------------------------------


def hash_code(case_number: str, code: str) -> str:
    return hashlib.sha256(f"{case_number}:{code.strip().upper()}".encode()).hexdigest()


def check_tracking(application: Application, code: str) -> bool:
    return bool(code) and hmac.compare_digest(
        application.tracking_hash, hash_code(application.case_number, code)
    )


def find_by_tracking(case_number: str, code: str) -> Application | None:
    """The application with this case number if the code matches; None otherwise (same for both)."""
    app = (
        Application.objects.select_related("organisation", "clock")
        .exclude(status=Status.DISCARDED)
        .filter(case_number=(case_number or "").strip().upper())
        .first()
    )
    if app is None or not check_tracking(app, code):
        return None
    return app


def applicant_key(id_type: str, id_number: str, name: str, phone: str) -> str:
    """Who the applicant is for the monthly fee bands: the document number, else name and phone."""
    raw = f"{id_type}:{idcard.normalise(id_number)}" if id_number else f"name:{name.strip()}:{phone.strip()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _next_case_number(year: int) -> str:
    try:
        with transaction.atomic():
            ApplicationSerial.objects.get_or_create(year=year)
    except IntegrityError:  # created concurrently: it exists now
        pass
    serial = ApplicationSerial.objects.select_for_update().get(year=year)
    serial.last += 1
    serial.save(update_fields=["last"])
    return f"YSQ{year}{serial.last:06d}"


def rules_for(received_on: date) -> RuleSet:
    try:
        return rule_set_for(received_on)
    except NotInForce as exc:
        raise ActionError(
            {
                "submitted_on": _(
                    "No regulation on disclosure applied before 1 May 2008; check the date of receipt."
                )
            }
        ) from exc


# --- validation --------------------------------------------------------------------------------------


def clean_applicant(fields: dict[str, Any], rules: RuleSet, *, on: date | None = None) -> dict[str, Any]:
    """Check what the applicant supplied against the rule set's required contents; raise per field."""
    unknown = set(fields) - set(APPLICANT_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
    data = {k: (fields.get(k) or "").strip() if isinstance(fields.get(k, ""), str) else fields.get(k)
            for k in APPLICANT_FIELDS}  # fmt: skip
    errors: dict[str, list[str]] = {}

    def need(field: str, message: str) -> None:
        if not data.get(field):
            errors.setdefault(field, []).append(message)

    def choice(field: str, choices: type) -> None:
        if data.get(field) and data[field] not in choices.values:
            errors.setdefault(field, []).append(_("Choose one of the listed options."))

    need("applicant_type", _("Say whether you apply as a person or an organisation."))
    choice("applicant_type", ApplicantType)
    need("applicant_name", _("Give your name (or your organisation's name)."))
    need("info_title", _("Say which information you want (its title or a description)."))
    need("info_form", _("Choose the form in which you want the information."))
    choice("info_form", InfoForm)
    need("delivery", _("Choose how you want to receive it."))
    choice("delivery", Delivery)
    choice("id_type", IdType)
    if not (data.get("phone") or data.get("email") or data.get("address")):
        errors.setdefault("phone", []).append(
            _("Give a telephone number, e-mail or postal address to reach you.")
        )
    # 2019 Art. 29: proof of identity is required; under 2008 Art. 20 it is not.
    if rules.code == "2019":
        need("id_type", _("Choose your identity document (2019 Art. 29 requires proof of identity)."))
        need("id_number", _("Give the number of your identity document."))
    if data.get("id_number"):
        if data.get("id_type") == IdType.RESIDENT_ID:
            problem = idcard.problem(data["id_number"], today=on)
            if problem is not None:
                messages = {
                    "format": _("An identity card number has 18 characters (17 digits and a digit or X)."),
                    "date": _("The date of birth in this identity card number is not a real date."),
                    "check": _(
                        "This identity card number's last character does not match: check for a typo."
                    ),
                    "area": _("This identity card number does not start with a region code."),
                }
                errors.setdefault("id_number", []).append(messages[problem])
            else:
                data["id_number"] = idcard.normalise(data["id_number"])
        elif data.get("id_type") == IdType.CREDIT_CODE:
            try:
                validate_org_code(data["id_number"])
                data["id_number"] = data["id_number"].strip().upper()
            except ValidationError as exc:
                errors.setdefault("id_number", []).extend(exc.messages)
        elif len(data["id_number"]) > 40:
            errors.setdefault("id_number", []).append(_("The document number is too long."))
    if data.get("applicant_type") == ApplicantType.PERSON and data.get("id_type") == IdType.CREDIT_CODE:
        errors.setdefault("id_type", []).append(_("A person proves identity with a personal document."))
    if data.get("email"):
        try:
            validate_email(data["email"])
        except ValidationError:
            errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
    if data.get("delivery") == Delivery.EMAIL and not data.get("email"):
        errors.setdefault("email", []).append(_("Give the e-mail address to send the information to."))
    if data.get("delivery") == Delivery.POST and not data.get("address"):
        errors.setdefault("address", []).append(_("Give the postal address to send the information to."))
    if data.get("postcode") and not (
        len(data["postcode"]) == 6 and data["postcode"].isascii() and data["postcode"].isdigit()
    ):
        errors.setdefault("postcode", []).append(_("A postcode has 6 digits."))
    limits = {"applicant_name": 200, "phone": 40, "address": 300, "info_title": 300, "info_number": 120,
              "legal_representative": 100, "contact_person": 100}  # fmt: skip
    for field, limit in limits.items():
        if len(data.get(field) or "") > limit:
            errors.setdefault(field, []).append(_("At most %(n)s characters.") % {"n": limit})
    if errors:
        raise ActionError(errors)
    return data


def receipt_date(
    channel: str, *, submitted_on: date, signed_for_on: date | None = None, confirmed_on: date | None = None
) -> date | None:
    """The day of receipt by 2019 Art. 31, or None while the office has not confirmed it."""
    if channel in (Channel.IN_PERSON, Channel.ORAL):
        return submitted_on
    if channel == Channel.REGISTERED_MAIL:
        if signed_for_on is None:
            raise ActionError(
                {"signed_for_on": _("Registered mail is received on the day it is signed for.")}
            )
        return signed_for_on
    if channel == Channel.ORDINARY_MAIL:
        if confirmed_on is None:
            raise ActionError(
                {
                    "confirmed_on": _(
                        "Ordinary mail is received on the day the office confirms it with the applicant."
                    )
                }
            )
        return confirmed_on
    return confirmed_on


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


def _documents(
    actor: Any, app: Application, kind: str, files: list[tuple[str, bytes]] | None
) -> list[Document]:
    # Every file is checked before any is stored: a refused third file must not leave the first two
    # in storage after the transaction rolls back.
    checked = [(name, data, check_upload(data, name)) for name, data in (files or [])]
    return [_store_document(actor, app, kind, name, data, verdict) for name, data, verdict in checked]


def _store_document(
    actor: Any, app: Application, kind: str, name: str, data: bytes, verdict: tuple | None = None
) -> Document:
    sniffed, digest = verdict or check_upload(data, name)
    clean = (name or "file").replace("/", "_").replace("\\", "_").strip()[:150] or "file"
    stem = clean.rsplit(".", 1)[0] if "." in clean else clean
    doc = Document(application=app, kind=kind, filename=f"{stem}.{sniffed.extension}",
                   content_type=sniffed.content_type, size=len(data),
                   uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)  # fmt: skip
    doc.file.save(f"{digest[:16]}.{sniffed.extension}", ContentFile(data), save=False)
    doc.save()
    return doc


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


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation", "clock")
        .get(pk=application.pk)
    )


def _require(app: Application, *statuses: str) -> None:
    if app.status not in statuses:
        if app.status == Status.CLOSED:
            raise ActionError(_("This application is closed."))
        raise ActionError(
            _("Not possible while the application is “%(status)s”.") % {"status": app.get_status_display()}
        )


def _check_date(app: Application, on: date, field: str = "on") -> None:
    if on > today():
        raise ActionError({field: _("The date cannot be in the future.")})
    if app.received_on and on < app.received_on:
        raise ActionError({field: _("The date cannot be before the application was received.")})


class _Untranslated(str):
    """A message id given as a parameter of a notice, translated with the notice."""


def _due(app: Application) -> str:
    """The reply's due date for a notice, or what stands for it while the clock is paused."""
    due = app.clock.due_date
    return due.isoformat() if due else _Untranslated(N_("a date set once the paused period ends"))


def _notify(app: Application, subject: str, body: str, params: dict[str, Any] | None = None) -> None:
    """Tell the applicant, in the platform's language (not the language the staff member browses in)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject_text = _(subject)
        params = {k: (_(v) if isinstance(v, _Untranslated) else v) for k, v in (params or {}).items()}
        body_text = _(body) % params if params else _(body)
    notify(
        obj=app,
        subject=f"[{app.case_number}] {subject_text}",
        body=body_text,
        email=app.email,
        phone=app.phone,
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


def _authorize_applicant_or_staff(actor: Any, app: Application, tracking_code: str) -> None:
    if tracking_code:
        if not check_tracking(app, tracking_code):
            raise ActionError(_("The tracking code does not match this application."))
        return
    if getattr(actor, "is_authenticated", False) and app.citizen_id == actor.pk:
        return
    authorize(actor, "handle", app)


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


# --- time: extension and Art. 35 -----------------------------------------------------------------------


@action
def extend_application(
    *, actor: Any, application: Application, days: int, reason: str, approved_by: Any, on: date | None = None
) -> Application:
    """Extend with the office head's approval: at most 15 (2008) or 20 (2019) working days; applicant told."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, *OPEN_STATUSES)
    on = on or today()
    _check_date(app, on)
    if approved_by is None or not policy_for(app).can(approved_by, "approve", app):
        raise ActionError(
            {"approved_by": _("An extension needs the approval of the head of the disclosure office.")}
        )
    if app.clock.due_date is not None and on > app.clock.due_date:
        raise ActionError(
            {"on": _("The reply period has already ended; an extension must be decided within it.")}
        )
    try:
        clocks.extend_clock(actor=actor, clock=app.clock, days=days, approved_by=approved_by, approved_on=on,
                            reason=reason)  # fmt: skip
    except ActionError as exc:  # the clock's refusals are about the days or the reason asked for
        about_reason = not reason.strip() or len(reason) > clocks.REASON_MAX
        raise ActionError({"reason" if about_reason else "days": exc.messages}) from exc
    app.clock.refresh_from_db()
    record(actor=actor, verb="applications.extend", obj=app,
           after={"days": days, "approved_by": approved_by.pk, "due_date": app.clock.due_date}, reason=reason)  # fmt: skip
    letters.issue(application=app, kind=LetterKind.EXTENSION, on=on, actor=actor, reason=reason, days=days)
    _notify(
        app,
        N_("Reply period extended"),
        N_("The reply period was extended by %(days)s working days; the reply is due by %(due)s."),
        {"days": days, "due": _due(app)},
    )
    return app


@action
def set_later_date(
    *, actor: Any, application: Application, later_date: date, reason: str, on: date | None = None
) -> Application:
    """2019 Art. 35: a massive application, reasonable but impossible in time, gets a reasoned later date."""
    app = _locked(application)
    authorize(actor, "approve", app)
    _require(app, *OPEN_STATUSES)
    if not app.rules.massive_applications_rule:
        raise ActionError(_("The 2008 text has no rule on massive applications (2019 Art. 35)."))
    on = on or today()
    _check_date(app, on)
    if app.clock.due_date is None or later_date <= app.clock.due_date:
        raise ActionError({"later_date": _("The later date must come after the current due date.")})
    if not reason.strip():
        raise ActionError({"reason": _("Give the reasons for the later date.")})
    app.later_date = later_date
    app.later_reason = reason.strip()
    app.save(update_fields=["later_date", "later_reason", "updated_at"])
    record(
        actor=actor, verb="applications.later_date", obj=app, after={"later_date": later_date}, reason=reason
    )
    letters.issue(application=app, kind=LetterKind.LATER_DATE, on=on, actor=actor, later_date=later_date,
                  reason=reason.strip())  # fmt: skip
    return app


# --- assignment and drafting -----------------------------------------------------------------------------


@action
def assign_application(
    *, actor: Any, application: Application, unit: Organisation, assignee: Any = None, note: str = ""
) -> Application:
    """Ask a unit (and optionally one of its clerks) to draft the reply."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, *OPEN_STATUSES)
    if unit is None or not unit.is_active or unit.path.split("/")[1] != app.organisation.path.split("/")[1]:
        raise ActionError({"unit": _("Choose an active unit of the same government.")})
    if assignee is not None and unit.pk not in scope_ids(assignee, (Role.CLERK, Role.REVIEWER, Role.ADMIN)):
        raise ActionError({"assignee": _("This person does not work for that unit.")})
    before = {"assigned_unit": app.assigned_unit_id, "assignee": app.assignee_id}
    app.assigned_unit = unit
    app.assignee = assignee
    app.assigned_note = note
    app.save()
    record(actor=actor, verb="applications.assign", obj=app, before=before,
           after={"assigned_unit": unit.pk, "assignee": getattr(assignee, "pk", None)}, reason=note)  # fmt: skip
    return app


def check_reply(app: Application, outcome: str, reply_type: str, legal_basis: str, text: str) -> None:
    if outcome not in Outcome.values:
        raise ActionError({"outcome": _("Choose the result.")})
    allowed = allowed_reply_types(app.rule_set, outcome)
    if not allowed:
        raise ActionError(
            {"outcome": _("This result does not exist under the %(rules)s.") % {"rules": app.rules.label}}
        )
    if reply_type not in allowed:
        raise ActionError({"reply_type": _("This reply type is not allowed for this result under the %(rules)s.")
                           % {"rules": app.rules.label}})  # fmt: skip
    needs_basis = outcome == Outcome.PARTIAL or outcome.startswith(("refuse_", "noprocess_"))
    if needs_basis and not legal_basis.strip():
        raise ActionError({"legal_basis": _("Give the legal ground for what is withheld or not processed.")})
    if not text.strip():
        raise ActionError({"text": _("Write the reply.")})


@action
def draft_reply(
    *, actor: Any, application: Application, outcome: str, reply_type: str, legal_basis: str = "", text: str
) -> Application:
    app = _locked(application)
    authorize(actor, "draft", app)
    _require(app, Status.PROCESSING, Status.REVIEW)
    check_reply(app, outcome, reply_type, legal_basis, text)
    if outcome in (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID):
        raise ActionError(
            {"outcome": _("This result follows from a missed correction or fee period, not a reply.")}
        )
    app.draft_outcome, app.draft_reply_type = outcome, reply_type
    app.draft_legal_basis, app.draft_text = legal_basis.strip(), text.strip()
    app.drafted_by, app.drafted_at = actor, timezone.now()
    app.status = Status.REVIEW
    app.save()
    record(actor=actor, verb="applications.draft_reply", obj=app,
           after={"outcome": outcome, "reply_type": reply_type})  # fmt: skip
    return app


@action
def return_draft(*, actor: Any, application: Application, reason: str) -> Application:
    app = _locked(application)
    authorize(actor, "reply", app)
    _require(app, Status.REVIEW)
    if not reason.strip():
        raise ActionError({"reason": _("Say what to change in the draft.")})
    app.status = Status.PROCESSING
    app.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="applications.return_draft", obj=app, reason=reason)
    return app


# --- closing ----------------------------------------------------------------------------------------------

DECISION_TEXT = {
    Outcome.OPEN: "经审查，您申请获取的信息属于公开范围，本机关予以公开。",
    Outcome.PARTIAL: "经审查，您申请获取的信息中部分内容不应当公开，本机关对可以公开的部分予以公开。",
}


def _decision_text(outcome: str) -> str:
    if outcome in DECISION_TEXT:
        return DECISION_TEXT[outcome]
    label = str(Outcome(outcome).label)
    return "经审查，" + (label.split("(")[-1].rstrip(")") if "(" in label else label) + "。"


def _close(
    actor: Any, app: Application, *, outcome: str, reply_type: str, legal_basis: str, text: str, on: date,
    letter: bool = True,
) -> Application:  # fmt: skip
    before = snapshot(app, ["status", "outcome", "reply_type", "replied_on"])
    if app.clock_id:
        clocks.close_clock(actor=actor, clock=app.clock, on=on)
        app.clock.refresh_from_db()
        app.on_time = bool(app.clock.on_time) or (app.later_date is not None and on <= app.later_date)
    app.outcome, app.reply_type = outcome, reply_type
    app.legal_basis, app.reply_text = legal_basis.strip(), text.strip()
    app.replied_on = on
    app.replied_by = actor if getattr(actor, "is_authenticated", False) else None
    app.status = Status.CLOSED
    app.save()
    record(actor=actor, verb="applications.close", obj=app, before=before,
           after=snapshot(app, ["status", "outcome", "reply_type", "replied_on", "on_time"]))  # fmt: skip
    if letter:
        obtain = ""
        if outcome in (Outcome.OPEN, Outcome.PARTIAL):
            obtain = {
                Delivery.DOWNLOAD: "所提供的信息可凭案件编号和查询码在本机关门户网站下载。",
                Delivery.EMAIL: "所提供的信息已通过电子邮件发送至您预留的邮箱。",
                Delivery.POST: "所提供的信息将邮寄至您预留的地址。",
                Delivery.COLLECT: "请携带身份证明到本机关政府信息公开工作机构领取所提供的信息。",
            }[app.delivery] + "\n\n"
        letters.issue(application=app, kind=LetterKind.REPLY, on=on, actor=actor, decision=_decision_text(outcome),
                      reply_text=text.strip(), legal_basis=legal_basis.strip() or "《中华人民共和国政府信息公开条例》",
                      how_to_obtain=obtain)  # fmt: skip
    _notify(
        app,
        N_("Reply to your application"),
        N_(
            "Your application %(case)s has been answered: %(result)s. See the reply letter on the tracking page."
        ),
        {"case": app.case_number, "result": Outcome(app.outcome).label},
    )
    return app


@action
def reply_application(
    *,
    actor: Any,
    application: Application,
    outcome: str,
    reply_type: str,
    legal_basis: str = "",
    text: str,
    on: date | None = None,
    documents: list[tuple[str, bytes]] | None = None,
) -> Application:
    """The office's decision: one result row of table 三 and the reply type; the reply letter is issued."""
    app = _locked(application)
    authorize(actor, "reply", app)
    _require(app, Status.PROCESSING, Status.REVIEW)
    on = on or today()
    _check_date(app, on)
    check_reply(app, outcome, reply_type, legal_basis, text)
    if outcome in (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID):
        raise ActionError(
            {"outcome": _("This result follows from a missed correction or fee period, not a reply.")}
        )
    if documents and outcome not in (Outcome.OPEN, Outcome.PARTIAL):
        raise ActionError({"documents": _("Only information that is disclosed can be attached.")})
    _documents(actor, app, DocumentKind.DISCLOSED, documents)
    return _close(
        actor, app, outcome=outcome, reply_type=reply_type, legal_basis=legal_basis, text=text, on=on
    )


@action
def withdraw_application(
    *, actor: Any, application: Application, reason: str = "", tracking_code: str = "", on: date | None = None
) -> Application:
    """The applicant withdraws (counted as 其他处理 3 in table 三)."""
    app = _locked(application)
    _authorize_applicant_or_staff(actor, app, tracking_code)
    _require(app, Status.PENDING, *OPEN_STATUSES)
    on = on or today()
    if app.status == Status.PENDING:
        # Never received: not a case, nothing to count.
        app.status = Status.DISCARDED
        app.save(update_fields=["status", "updated_at"])
        record(
            actor=actor, verb="applications.withdraw", obj=app, after={"status": app.status}, reason=reason
        )
        return app
    _check_date(app, on)
    rt = ReplyType.R19_WITHDRAWN if app.rule_set == "2019" else ReplyType.R08_WITHDRAWN
    for fee in app.fees.filter(status=FeeStatus.DUE):
        fee.status = FeeStatus.LAPSED
        fee.save(update_fields=["status"])
    return _close(actor, app, outcome=Outcome.OTHER, reply_type=rt, legal_basis="",
                  text=reason.strip() or "申请人撤回申请。", on=on, letter=False)  # fmt: skip


@action
def record_delivery(*, actor: Any, application: Application, on: date, note: str) -> Application:
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, Status.CLOSED)
    if app.replied_on and (on < app.replied_on or on > today()):
        raise ActionError({"on": _("The date must lie between the reply and today.")})
    app.delivered_on, app.delivery_note = on, note.strip()[:300]
    app.save(update_fields=["delivered_on", "delivery_note", "updated_at"])
    record(actor=actor, verb="applications.deliver", obj=app, after={"on": on, "note": note})
    return app


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
