"""What the steps of an application stand on: codes, the applicant's fields, guards and notices.

Tracking codes and case numbers, the check of what the applicant supplied against the rule set's
required contents, the day of receipt and the rule set it selects; then the pieces every action
shares: locking the case, the status and date guards, the notice to the applicant (in the
platform's language) and the storing of uploaded documents. The actions themselves are in
``gongkai.applications.actions`` and ``gongkai.applications.actions_replies``.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from gongkai.applications import idcard
from gongkai.applications.models import (
    ApplicantType,
    Application,
    ApplicationSerial,
    Channel,
    Delivery,
    Document,
    IdType,
    InfoForm,
    Status,
)
from gongkai.applications.rules import NotInForce, RuleSet, rule_set_for
from gongkai.core.actions import ActionError, authorize
from gongkai.core.files import check_upload
from gongkai.notifications.send import notify
from gongkai.orgs.codes import validate_org_code

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


# --- shared by the steps: locking, guards, notices, files ---------------------------------------------


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


def _authorize_applicant_or_staff(actor: Any, app: Application, tracking_code: str) -> None:
    if tracking_code:
        if not check_tracking(app, tracking_code):
            raise ActionError(_("The tracking code does not match this application."))
        return
    if getattr(actor, "is_authenticated", False) and app.citizen_id == actor.pk:
        return
    authorize(actor, "handle", app)
