"""Supervision actions: cards to units, notes and chase notices on clocks, the warning shares."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _

from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, authorize, snapshot
from gongkai.notifications.send import notify
from gongkai.supervision.models import Card, CardColour, Chase, Note, WarningRule
from gongkai.supervision.policies import supervision_policy
from gongkai.supervision.scan import unit_recipients
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import Clock, ClockKind, ClockStatus

MAX_TEXT = 2000


def _text(value: Any, field: str, missing: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ActionError({field: [missing]})
    if len(text) > MAX_TEXT:
        raise ActionError({field: [_("Keep it under %(max)s characters.") % {"max": MAX_TEXT}]})
    return text


def _day(on: date | None) -> date:
    day = on or clocks.today()
    if day > clocks.today():
        raise ActionError({"on": [_("The date cannot be in the future.")]})
    return day


def _supervise(actor: Any, clock: Clock) -> None:
    if not supervision_policy.can(actor, "supervise", clock):
        raise PermissionDenied("not allowed: supervise")


def _tell_unit(clock_or_card: Any, organisation_id: int, subject: str, body: str) -> int:
    emails = unit_recipients([organisation_id]).get(organisation_id, [])
    for email in emails:
        notify(obj=clock_or_card, subject=subject, body=body, email=email)
    return len(emails)


@action
def issue_card(
    *,
    actor: Any,
    organisation: Any,
    colour: str,
    reason: str,
    clock: Clock | None = None,
    on: date | None = None,
) -> Card:
    """A yellow (黄牌) or red card (红牌) to a unit, optionally about one of its clocks."""
    card = Card(organisation=organisation, colour=colour, clock=clock)
    authorize(actor, "issue", card)
    card.issued_by = actor
    if colour not in CardColour.values:
        raise ActionError({"colour": [_("Choose a yellow or a red card.")]})
    card.reason = _text(reason, "reason", _("Give the reason for the card."))
    if clock is not None and clock.organisation_id != organisation.pk:
        raise ActionError({"clock": [_("The case belongs to another unit.")]})
    card.issued_on = _day(on)
    card.save()
    record(actor=actor, verb="supervision.issue_card", obj=card, after=snapshot(card), reason=card.reason)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("E-supervision: %(card)s issued to your unit") % {"card": card.get_colour_display()}
    _tell_unit(card, organisation.pk, subject, card.reason)
    return card


@action
def withdraw_card(*, actor: Any, card: Card, reason: str, on: date | None = None) -> Card:
    card = Card.objects.select_for_update().get(pk=card.pk)
    authorize(actor, "withdraw", card)
    if card.withdrawn_on is not None:
        raise ActionError(_("The card has already been withdrawn."))
    text = _text(reason, "reason", _("Give the reason for withdrawing the card."))
    day = _day(on)
    if day < card.issued_on:
        raise ActionError({"on": [_("A card cannot be withdrawn before it was issued.")]})
    before = snapshot(card, ["withdrawn_on"])
    card.withdrawn_on, card.withdrawn_by, card.withdrawal_reason = day, actor, text
    card.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_reason"])
    record(actor=actor, verb="supervision.withdraw_card", obj=card, before=before,
           after=snapshot(card, ["withdrawn_on"]), reason=text)  # fmt: skip
    return card


@action
def add_note(*, actor: Any, clock: Clock, text: str) -> Note:
    """A supervisor's note (监察意见) on a clock; seen by supervisors, kept with the case."""
    _supervise(actor, clock)
    note = Note.objects.create(clock=clock, text=_text(text, "text", _("Write the note.")), written_by=actor)
    record(actor=actor, verb="supervision.add_note", obj=clock, after={"note": note.pk}, reason=note.text)
    return note


@action
def chase_clock(*, actor: Any, clock: Clock, note: str, on: date | None = None) -> Chase:
    """催办: a notice to the staff of the clock's unit, recorded with the number of recipients."""
    _supervise(actor, clock)
    if clock.status == ClockStatus.CLOSED:
        raise ActionError(_("The case is closed; there is nothing to chase."))
    text = _text(note, "note", _("Write the chase notice."))
    chase = Chase.objects.create(clock=clock, note=text, sent_by=actor, sent_on=_day(on))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Chase notice (催办): %(case)s") % {"case": str(clock)[:100]}
    chase.recipients = _tell_unit(clock, clock.organisation_id, subject, text)
    chase.save(update_fields=["recipients"])
    record(actor=actor, verb="supervision.chase_clock", obj=clock,
           after={"chase": chase.pk, "recipients": chase.recipients}, reason=text)  # fmt: skip
    return chase


def _share(value: Any) -> Decimal:
    try:
        share = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ActionError({"share": [_("Give the share as a number between 0 and 1, e.g. 0.8.")]}) from None
    if not share.is_finite() or not Decimal(0) < share < Decimal(1):
        raise ActionError({"share": [_("The share must lie strictly between 0 and 1.")]})
    if share != share.quantize(Decimal("0.001")):
        raise ActionError({"share": [_("Give the share with at most three decimals.")]})
    return share


@action
def set_warning_share(*, actor: Any, kind: str, share: Any, reason: str = "") -> WarningRule:
    """Set the warning share of a clock kind and recompute the open clocks of that kind."""
    rule = WarningRule.objects.select_for_update().filter(kind=kind).first() or WarningRule(kind=kind)
    authorize(actor, "change", rule)
    if kind not in ClockKind.values:
        raise ActionError({"kind": [_("Unknown clock kind.")]})
    value = _share(share)
    before = {"share": str(rule.share)} if rule.pk else {}
    rule.share, rule.updated_by = value, actor
    rule.save()
    changed = clocks.recompute_warn_dates(kind)
    record(actor=actor, verb="supervision.set_warning_share", obj=rule, before=before,
           after={"kind": kind, "share": str(value), "clocks_recomputed": changed}, reason=reason)  # fmt: skip
    return rule
