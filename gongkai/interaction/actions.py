"""The closed loop of a letter or call (RULES §5): 受理 → 交办 → 办理/回复 → 审核 → 办结 → 回访/评价.

Time limits are configuration (per channel, and per channel and category); the clock
counts working days from the day of receipt, or from the forwarding date with the higher
hotline's own limit for forwarded cases.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from gongkai.applications.actions_base import TRACKING_ALPHABET, TRACKING_LENGTH, check_tracking, hash_code
from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, after_commit, authorize, snapshot
from gongkai.interaction.masking import mask
from gongkai.interaction.models import (
    OPEN_LETTER_STATUSES,
    Assignment,
    Category,
    Channel,
    ChannelKind,
    InvalidReason,
    Letter,
    LetterSerial,
    LetterStatus,
    Rating,
    TimeLimit,
)
from gongkai.notifications.send import notify
from gongkai.orgs.models import Organisation
from gongkai.portal import cache as portal_cache
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import ClockKind

MIN_BODY, MAX_BODY = 10, 5000


def today() -> date:
    return timezone.localdate()


def _next_case_number(year: int) -> str:
    try:
        with transaction.atomic():
            LetterSerial.objects.get_or_create(year=year)
    except IntegrityError:
        pass
    serial = LetterSerial.objects.select_for_update().get(year=year)
    serial.last += 1
    serial.save(update_fields=["last"])
    return f"HD{year}{serial.last:06d}"


def find_by_tracking(case_number: str, code: str) -> Letter | None:
    letter = (
        Letter.objects.select_related("channel", "category", "reply_unit")
        .filter(case_number=(case_number or "").strip().upper())
        .first()
    )
    if letter is None or not check_tracking(letter, code):  # type: ignore[arg-type]
        return None
    return letter


def _clean(fields: dict[str, Any], *, body_required: bool = True) -> dict[str, Any]:
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    errors: dict[str, list[str]] = {}
    if not data.get("writer_name"):
        errors["writer_name"] = [_("Give your name.")]
    elif len(data["writer_name"]) > 100:
        errors["writer_name"] = [_("At most %(n)s characters.") % {"n": 100}]
    if not data.get("subject"):
        errors["subject"] = [_("Give a subject.")]
    elif len(data["subject"]) > 200:
        errors["subject"] = [_("At most %(n)s characters.") % {"n": 200}]
    body = data.get("body") or ""
    if body_required and len(body) < MIN_BODY:
        errors["body"] = [_("Write at least %(n)s characters.") % {"n": MIN_BODY}]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("At most %(n)s characters.") % {"n": MAX_BODY}]
    if data.get("email"):
        try:
            validate_email(data["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if len(data.get("phone") or "") > 40:
        errors["phone"] = [_("At most %(n)s characters.") % {"n": 40}]
    if len(data.get("address") or "") > 300:
        errors["address"] = [_("At most %(n)s characters.") % {"n": 300}]
    if errors:
        raise ActionError(errors)
    return data


def _create(*, actor: Any, channel: Channel, category: Category, received_at: Any, data: dict[str, Any],
            writer: Any = None, submission_key: str = "", **extra: Any) -> tuple[Letter, str]:  # fmt: skip
    if channel is None or not channel.is_active:
        raise ActionError({"channel": _("Choose an open channel.")})
    if category is None or not category.is_active:
        raise ActionError({"category": _("Choose a category.")})
    code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
    received_on = timezone.localtime(received_at).date()
    number = _next_case_number(received_on.year)
    letter = Letter(
        case_number=number, tracking_hash=hash_code(number, code), submission_key=submission_key, channel=channel,
        organisation_id=channel.organisation_id, category=category, received_at=received_at, received_on=received_on,
        writer=writer if getattr(writer, "is_citizen", False) else None, **data, **extra,
    )  # fmt: skip
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError as exc:
        raise ActionError(_("This form was already submitted.")) from exc
    record(actor=actor, verb="interaction.receive", obj=letter,
           after=snapshot(letter, ["case_number", "channel_id", "category_id", "status"]))  # fmt: skip
    return letter, code


WRITER_FIELDS = ("writer_name", "phone", "email", "address", "subject", "body", "publish_consent")


@action
def submit_letter(
    *, actor: Any, channel: Channel, category: Category, submission_key: str = "", **fields: Any
) -> tuple[Letter, str]:
    """A letter to a leader mailbox from the portal. Returns it and its tracking code."""
    if channel is not None and channel.kind != ChannelKind.MAILBOX:
        raise ActionError({"channel": _("Choose a mailbox.")})
    data = _clean({k: fields.get(k, "") for k in WRITER_FIELDS})
    data["publish_consent"] = bool(fields.get("publish_consent"))
    letter, code = _create(actor=actor, channel=channel, category=category, received_at=timezone.now(), data=data,
                           writer=actor, submission_key=submission_key)  # fmt: skip
    _notify(letter, N_("Letter received"),
            N_("Your letter %(case)s was received. Follow it with the case number and your tracking code."),
            {"case": letter.case_number})  # fmt: skip
    return letter, code


@action
def register_letter(
    *,
    actor: Any,
    channel: Channel,
    category: Category,
    received_on: date | None = None,
    answered_on_spot: str = "",
    audio_ref: str = "",
    external_number: str = "",
    forwarded_on: date | None = None,
    external_limit_days: int | None = None,
    **fields: Any,
) -> tuple[Letter, str]:
    """A call, a forwarded case or a posted letter entered by staff.

    ``answered_on_spot`` (the answer given) closes a call at once (当场答复).
    """
    authorize(actor, "handle", Letter(organisation_id=channel.organisation_id, channel=channel))
    received_on = received_on or today()
    if received_on > today():
        raise ActionError({"received_on": _("The date cannot be in the future.")})
    data = _clean({k: fields.get(k, "") for k in WRITER_FIELDS})
    data["publish_consent"] = bool(fields.get("publish_consent"))
    extra: dict[str, Any] = {"audio_ref": audio_ref.strip()[:200]}
    if channel.kind == ChannelKind.FORWARDED:
        if not external_number.strip():
            raise ActionError({"external_number": _("Give the higher hotline's case number.")})
        if forwarded_on is None or forwarded_on > received_on:
            raise ActionError({"forwarded_on": _("Give the forwarding date (not after receipt).")})
        if not external_limit_days or external_limit_days < 1:
            raise ActionError({"external_limit_days": _("Give the higher hotline's time limit.")})
        extra.update(external_number=external_number.strip()[:60], forwarded_on=forwarded_on,
                     external_limit_days=external_limit_days)  # fmt: skip
    if answered_on_spot and channel.kind != ChannelKind.HOTLINE:
        raise ActionError({"answered_on_spot": _("Only a call can be answered on the spot.")})
    at = timezone.now() if received_on == today() else timezone.make_aware(
        timezone.datetime.combine(received_on, timezone.datetime.min.time()))  # fmt: skip
    letter, code = _create(
        actor=actor, channel=channel, category=category, received_at=at, data=data, **extra
    )
    if answered_on_spot:
        letter.valid, letter.triaged_on = True, received_on
        letter.answered_on_spot, letter.on_time = True, True
        letter.reply, letter.reply_unit_id, letter.replied_on = (
            answered_on_spot.strip(),
            channel.organisation_id,
            received_on,
        )
        letter.status = LetterStatus.CLOSED
        letter.save()
        record(actor=actor, verb="interaction.answer_on_spot", obj=letter, after={"replied_on": received_on})
    return letter, code


def _locked(letter: Letter) -> Letter:
    return Letter.objects.select_for_update(of=("self",)).select_related("channel", "clock").get(pk=letter.pk)


def _require(letter: Letter, *statuses: str) -> None:
    if letter.status not in statuses:
        raise ActionError(
            _("Not possible while the letter is “%(status)s”.") % {"status": letter.get_status_display()}
        )


def _notify(letter: Letter, subject: str, body: str, params: dict[str, Any] | None = None) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject_text, body_text = _(subject), (_(body) % params if params else _(body))
    notify(obj=letter, subject=f"[{letter.case_number}] {subject_text}", body=body_text, email=letter.email,
           phone=letter.phone)  # fmt: skip


def limit_for(letter: Letter) -> int:
    if letter.external_limit_days:
        return letter.external_limit_days
    configured = TimeLimit.objects.filter(
        channel_id=letter.channel_id, category_id=letter.category_id
    ).first()
    return configured.days if configured else letter.channel.limit_days


@action
def triage_letter(
    *, actor: Any, letter: Letter, valid: bool, reason: str = "", note: str = "", duplicate_of: Letter | None = None,
    on: date | None = None,
) -> Letter:  # fmt: skip
    """受理: valid letters go on to be assigned; invalid ones are closed with their reason and not counted."""
    letter = _locked(letter)
    authorize(actor, "handle", letter)
    _require(letter, LetterStatus.RECEIVED)
    on = on or today()
    if on < letter.received_on or on > today():
        raise ActionError({"on": _("The date must lie between receipt and today.")})
    before = snapshot(letter, ["status", "valid", "invalid_reason"])
    if valid:
        letter.valid, letter.status = True, LetterStatus.ACCEPTED
        start = letter.forwarded_on or letter.received_on
        letter.clock = clocks.start_clock(actor=actor, kind=ClockKind.LETTER, organisation=letter.organisation,
                                          start_date=start, limit_days=limit_for(letter), subject=letter,
                                          label=letter.case_number)  # fmt: skip
    else:
        if reason not in InvalidReason.values:
            raise ActionError({"reason": _("Choose why the letter is not valid.")})
        if reason == InvalidReason.DUPLICATE:
            if (
                duplicate_of is None
                or duplicate_of.pk == letter.pk
                or duplicate_of.organisation_id != letter.organisation_id
            ):
                raise ActionError({"duplicate_of": _("Name the original letter of the same government.")})
            letter.duplicate_of = duplicate_of
        letter.valid, letter.invalid_reason, letter.status = False, reason, LetterStatus.INVALID
    letter.triage_note, letter.triaged_on = note.strip()[:300], on
    letter.save()
    record(actor=actor, verb="interaction.triage", obj=letter, before=before,
           after=snapshot(letter, ["status", "valid", "invalid_reason", "duplicate_of_id"]), reason=note)  # fmt: skip
    return letter


def _same_government(letter: Letter, unit: Organisation) -> bool:
    gov = letter.organisation
    return unit is not None and unit.is_active and unit.path.startswith(gov.path)


@action
def assign_letter(
    *, actor: Any, letter: Letter, lead_unit: Organisation, assist_units: list[Organisation] | tuple = (),
    limit_days: int | None = None, on: date | None = None, note: str = "",
) -> Letter:  # fmt: skip
    """交办: one lead unit, optional assisting units, within the letter's government."""
    letter = _locked(letter)
    authorize(actor, "handle", letter)
    _require(letter, LetterStatus.ACCEPTED, LetterStatus.RETURNED)
    on = on or today()
    if on < letter.received_on or on > today():
        raise ActionError({"on": _("The date must lie between receipt and today.")})
    if not _same_government(letter, lead_unit):
        raise ActionError({"lead_unit": _("Choose an active unit of this government.")})
    for unit in assist_units:
        if not _same_government(letter, unit) or unit.pk == lead_unit.pk:
            raise ActionError(
                {"assist_units": _("Assisting units must be other active units of this government.")}
            )
    days = limit_days or limit_for(letter)
    if days < 1 or days > 365:
        raise ActionError({"limit_days": _("Give a time limit of 1 to 365 working days.")})
    if letter.clock_id and letter.clock.limit_days != days:
        clocks.set_clock_limit(actor=actor, clock=letter.clock, limit_days=days,
                               reason=_("Time limit set on assignment"))  # fmt: skip
    letter.lead_unit = lead_unit
    letter.status = LetterStatus.ASSIGNED
    letter.save()
    letter.assist_units.set(assist_units)
    Assignment.objects.create(letter=letter, unit=lead_unit, lead=True, assigned_on=on, limit_days=days,
                              assigned_by=actor)  # fmt: skip
    Assignment.objects.bulk_create([Assignment(letter=letter, unit=u, lead=False, assigned_on=on, limit_days=days,
                                               assigned_by=actor) for u in assist_units])  # fmt: skip
    record(actor=actor, verb="interaction.assign", obj=letter,
           after={"lead_unit": lead_unit.pk, "assist_units": [u.pk for u in assist_units], "limit_days": days},
           reason=note)  # fmt: skip
    return letter


@action
def return_letter(*, actor: Any, letter: Letter, reason: str, on: date | None = None) -> Letter:
    """The lead unit returns a wrongly assigned letter with a reason; the office re-assigns."""
    letter = _locked(letter)
    authorize(actor, "draft", letter)
    _require(letter, LetterStatus.ASSIGNED)
    if not reason.strip():
        raise ActionError({"reason": _("Say why the letter is not for this unit.")})
    on = on or today()
    Assignment.objects.filter(letter=letter, unit_id=letter.lead_unit_id, returned_on__isnull=True).update(
        returned_on=on, return_reason=reason.strip()[:300]
    )
    before = {"lead_unit": letter.lead_unit_id}
    letter.lead_unit, letter.status = None, LetterStatus.RETURNED
    letter.save()
    letter.assist_units.clear()
    record(actor=actor, verb="interaction.return", obj=letter, before=before, after={"status": letter.status},
           reason=reason)  # fmt: skip
    return letter


@action
def draft_letter_reply(*, actor: Any, letter: Letter, text: str) -> Letter:
    letter = _locked(letter)
    authorize(actor, "draft", letter)
    _require(letter, LetterStatus.ASSIGNED, LetterStatus.REVIEW)
    if len(text.strip()) < MIN_BODY or len(text) > MAX_BODY:
        raise ActionError(
            {"text": _("A reply has %(min)s to %(max)s characters.") % {"min": MIN_BODY, "max": MAX_BODY}}
        )
    letter.draft_reply, letter.drafted_by, letter.status = text.strip(), actor, LetterStatus.REVIEW
    letter.save()
    record(actor=actor, verb="interaction.draft_reply", obj=letter)
    return letter


@action
def send_back_reply(*, actor: Any, letter: Letter, reason: str) -> Letter:
    letter = _locked(letter)
    authorize(actor, "approve", letter)
    _require(letter, LetterStatus.REVIEW)
    if not reason.strip():
        raise ActionError({"reason": _("Say what to change in the draft.")})
    letter.status = LetterStatus.ASSIGNED
    letter.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="interaction.send_back", obj=letter, reason=reason)
    return letter


@action
def approve_reply(
    *, actor: Any, letter: Letter, text: str = "", on: date | None = None, publish: bool = False
) -> Letter:
    """The office approves the unit's reply: the letter is closed (办结) and the writer told."""
    letter = _locked(letter)
    authorize(actor, "approve", letter)
    _require(letter, LetterStatus.REVIEW)
    on = on or today()
    if on < letter.received_on or on > today():
        raise ActionError({"on": _("The date must lie between receipt and today.")})
    reply = (text or letter.draft_reply).strip()
    if len(reply) < MIN_BODY:
        raise ActionError({"text": _("Write at least %(n)s characters.") % {"n": MIN_BODY}})
    clocks.close_clock(actor=actor, clock=letter.clock, on=on)
    letter.clock.refresh_from_db()
    letter.reply, letter.reply_unit_id, letter.replied_on = reply, letter.lead_unit_id, on
    letter.on_time, letter.status = letter.clock.on_time, LetterStatus.CLOSED
    letter.save()
    record(actor=actor, verb="interaction.approve_reply", obj=letter,
           after={"replied_on": on, "on_time": letter.on_time})  # fmt: skip
    if publish and letter.publish_consent:  # without the writer's consent the reply stays unpublished
        _publish(actor, letter)
    _notify(letter, N_("Reply to your letter"),
            N_("Your letter %(case)s has been answered. Read the reply and rate it with your tracking code."),
            {"case": letter.case_number})  # fmt: skip
    return letter


def _chase(actor: Any, letter: Letter, note: str, on: date | None = None) -> Letter:
    letter.chase_count += 1
    letter.last_chased_on = on or today()
    letter.save(update_fields=["chase_count", "last_chased_on", "updated_at"])
    record(
        actor=actor,
        verb="interaction.chase",
        obj=letter,
        after={"chase_count": letter.chase_count},
        reason=note,
    )
    unit = letter.lead_unit
    if unit is not None and unit.email:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Chase notice: letter %(case)s") % {"case": letter.case_number}
        notify(obj=letter, subject=subject, body=note, email=unit.email)
    return letter


@action
def chase_letter(*, actor: Any, letter: Letter, note: str) -> Letter:
    """督办: a chase notice to the lead unit (due soon or overdue)."""
    letter = _locked(letter)
    authorize(actor, "handle", letter)
    _require(letter, LetterStatus.ASSIGNED, LetterStatus.REVIEW)
    if not note.strip():
        raise ActionError({"note": _("Write the chase notice.")})
    return _chase(actor, letter, note.strip())


@action
def chase_due_letters(*, actor: Any = None, as_of: date | None = None) -> int:
    """The daily 督办: every assigned letter due within a working day or overdue gets one notice a day.

    Idempotent for a day: a letter chased today is not chased again.
    """
    from gongkai.workdays.calendar import get_calendar
    from gongkai.workdays.engine import compute_due

    as_of = as_of or today()
    horizon = compute_due(get_calendar(), as_of, 1).due
    due = Letter.objects.filter(status=LetterStatus.ASSIGNED, clock__due_date__lte=horizon).exclude(
        last_chased_on__gte=as_of
    )
    count = 0
    for letter in due.select_related("lead_unit", "clock").iterator(chunk_size=200):
        letter = _locked(letter)
        overdue = letter.clock.due_date < as_of
        with translation.override(settings.LANGUAGE_CODE):
            note = (
                _("Overdue since %(date)s: reply now.") if overdue else _("Due on %(date)s: reply in time.")
            ) % {"date": letter.clock.due_date.isoformat()}
        _chase(actor, letter, note, on=as_of)
        count += 1
    return count


def chase_job() -> str:
    return f"chased {chase_due_letters(actor=None)} letters due soon or overdue"


@action
def rate_letter(
    *,
    actor: Any,
    letter: Letter,
    rating: str,
    note: str = "",
    tracking_code: str = "",
    callback: bool = False,
    on: date | None = None,
) -> Letter:
    """评价 by the writer (with the tracking code) or 回访 recorded by an operator; once per reply."""
    letter = _locked(letter)
    if callback:
        authorize(actor, "handle", letter)
    elif not check_tracking(letter, tracking_code):  # type: ignore[arg-type]
        raise ActionError(_("The tracking code does not match this letter."))
    _require(letter, LetterStatus.CLOSED)
    if letter.answered_on_spot is False and not letter.reply:
        raise ActionError(_("There is no reply to rate."))
    if letter.rating:
        raise ActionError(_("This reply has already been rated."))
    if rating not in Rating.values:
        raise ActionError({"rating": _("Choose a rating.")})
    letter.rating, letter.rating_note = rating, note.strip()[:500]
    on = on or today()
    if letter.replied_on and (on < letter.replied_on or on > today()):
        raise ActionError({"on": _("The date must lie between the reply and today.")})
    letter.rated_on, letter.rated_by_callback = on, callback
    letter.save()
    record(actor=actor, verb="interaction.rate", obj=letter, after={"rating": rating, "callback": callback})
    return letter


@action
def reopen_letter(*, actor: Any, letter: Letter, reason: str) -> Letter:
    """A "not satisfied" rating can reopen the letter once; it goes back to the lead unit."""
    letter = _locked(letter)
    authorize(actor, "handle", letter)
    _require(letter, LetterStatus.CLOSED)
    if letter.rating != Rating.NOT:
        raise ActionError(_("Only a letter rated “not satisfied” can be reopened."))
    if letter.reopened:
        raise ActionError(_("A letter can be reopened only once."))
    if letter.lead_unit_id is None or letter.clock_id is None:
        raise ActionError(_("A letter answered on the spot cannot be reopened."))
    before = snapshot(letter, ["status", "rating", "reply"])
    letter.reopened += 1
    letter.status, letter.rating, letter.rated_on = LetterStatus.ASSIGNED, "", None
    letter.save()
    _reopen_clock(letter)
    record(actor=actor, verb="interaction.reopen", obj=letter, before=before, after={"status": letter.status},
           reason=reason)  # fmt: skip
    return letter


def _reopen_clock(letter: Letter):  # type: ignore[no-untyped-def]
    """A closed clock cannot restart: the reopened letter gets a fresh one."""
    letter.clock = clocks.start_clock(actor=None, kind=ClockKind.LETTER, organisation=letter.organisation,
                                      start_date=today(), limit_days=limit_for(letter), subject=letter,
                                      label=letter.case_number)  # fmt: skip
    letter.save(update_fields=["clock", "updated_at"])
    return letter.clock


def _publish(actor: Any, letter: Letter, subject: str = "", body: str = "", reply: str = "") -> None:
    if not letter.publish_consent:
        raise ActionError(_("The writer did not agree to publication."))
    names = (letter.writer_name,)
    letter.public_subject = subject.strip() or mask(letter.subject, names=names)
    letter.public_body = body.strip() or mask(letter.body, names=names)
    letter.public_reply = reply.strip() or mask(letter.reply, names=names)
    letter.published, letter.published_at = True, timezone.now()
    letter.save()
    record(actor=actor, verb="interaction.publish", obj=letter)
    after_commit(portal_cache.bump)


@action
def publish_letter(
    *, actor: Any, letter: Letter, subject: str = "", body: str = "", reply: str = ""
) -> Letter:
    """Publish the Q&A with personal data masked (the reviewer may correct the masked texts)."""
    letter = _locked(letter)
    authorize(actor, "approve", letter)
    _require(letter, LetterStatus.CLOSED)
    if not letter.reply:
        raise ActionError(_("There is no reply to publish."))
    _publish(actor, letter, subject, body, reply)
    return letter


@action
def unpublish_letter(*, actor: Any, letter: Letter, reason: str) -> Letter:
    letter = _locked(letter)
    authorize(actor, "approve", letter)
    if not letter.published:
        raise ActionError(_("The letter is not published."))
    letter.published = False
    letter.save(update_fields=["published", "updated_at"])
    after_commit(portal_cache.bump)  # a letter taken down for privacy must leave the cached pages at once
    record(actor=actor, verb="interaction.unpublish", obj=letter, reason=reason)
    return letter


def open_letters() -> Any:
    return Letter.objects.filter(status__in=OPEN_LETTER_STATUSES)


# --- configuration -------------------------------------------------------------------------------------


@action
def create_channel(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    name: str,
    limit_days: int = 15,
    description: str = "",
) -> Channel:
    """A mailbox, hotline or other way in of a government, with its default time limit."""
    channel = Channel(organisation=organisation, kind=kind, name=name.strip(), limit_days=limit_days,
                      description=description.strip())  # fmt: skip
    authorize(actor, "configure", channel)
    if kind not in ChannelKind.values:
        raise ActionError({"kind": _("Choose the kind of channel.")})
    if not channel.name:
        raise ActionError({"name": _("Give the channel a name.")})
    if not 1 <= limit_days <= 365:
        raise ActionError({"limit_days": _("Give a time limit of 1 to 365 working days.")})
    if Channel.objects.filter(organisation=organisation, name=channel.name).exists():
        raise ActionError({"name": _("This government already has a channel of that name.")})
    channel.sort_order = Channel.objects.filter(organisation=organisation).count()
    channel.save()
    record(actor=actor, verb="interaction.create_channel", obj=channel, after=snapshot(channel))
    return channel


@action
def set_time_limit(*, actor: Any, channel: Channel, category: Category, days: int) -> TimeLimit:
    authorize(actor, "configure", channel)
    if not 1 <= days <= 365:
        raise ActionError({"days": _("Give a time limit of 1 to 365 working days.")})
    limit, _created = TimeLimit.objects.update_or_create(
        channel=channel, category=category, defaults={"days": days}
    )
    record(
        actor=actor,
        verb="interaction.set_time_limit",
        obj=channel,
        after={"category": category.pk, "days": days},
    )
    return limit
