"""决策公开: the workflow of a draft decision published for comment, and of hearings.

草稿 → 征求意见 (open, over a period of dates) → 征求意见结束 (closed) → 公布采纳情况
(feedback). Comments are received only while a decision is open and the day falls within
its period; they show on the portal once a reviewer publishes them. Throttling of
submissions is the portal's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.audit import log
from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, after_commit, authorize, changes, snapshot
from gongkai.interaction.models_decisions import (
    Comment,
    CommentStatus,
    DecisionStatus,
    DraftDecision,
    Hearing,
    HearingStatus,
)
from gongkai.orgs.models import Organisation

MIN_COMMENT, MAX_COMMENT = 5, 3000
MIN_PERIOD = timedelta(days=1)
DECISION_FIELDS = ("title", "summary", "body", "major")
HEARING_FIELDS = ("title", "date", "place", "participants", "decision")


def today() -> date:
    return timezone.localdate()


def _portal_changed() -> None:
    from gongkai.portal import cache

    after_commit(cache.bump)  # cached public pages show the change once it is committed


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _clean_decision(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if not data["title"]:
        errors["title"] = [_("Give a title.")]
    elif len(data["title"]) > 200:
        errors["title"] = [_("At most %(n)s characters.") % {"n": 200}]
    if len(data["summary"]) > 1000:
        errors["summary"] = [_("At most %(n)s characters.") % {"n": 1000}]
    if not data["body"]:
        errors["body"] = [_("Give the text of the draft.")]
    if errors:
        raise ActionError(errors)
    return data


def _locked(decision: DraftDecision) -> DraftDecision:
    return DraftDecision.objects.select_for_update().get(pk=decision.pk)


@action
def create_decision(
    *, actor: Any, organisation: Organisation, title: str, body: str, summary: str = "", major: bool = False
) -> DraftDecision:
    """A draft decision of ``organisation``, not yet public."""
    data = _clean_decision(
        {"title": _text(title), "summary": _text(summary), "body": _text(body), "major": bool(major)}
    )
    decision = DraftDecision(organisation=organisation, **data)
    authorize(actor, "edit", decision)
    decision.save()
    record(actor=actor, verb="interaction.create_decision", obj=decision,
           after=snapshot(decision, ["organisation_id", *DECISION_FIELDS, "status"]))  # fmt: skip
    return decision


@action
def update_decision(*, actor: Any, decision: DraftDecision, reason: str = "", **fields: Any) -> DraftDecision:
    """Change the title, summary, text or major flag of a draft not yet published for comment."""
    authorize(actor, "edit", decision)
    decision = _locked(decision)
    if decision.status != DecisionStatus.DRAFT:
        raise ActionError(_("Only a draft not yet published for comment can be changed."))
    unknown = set(fields) - set(DECISION_FIELDS)
    if unknown:
        raise TypeError(f"update_decision: unknown fields {sorted(unknown)}")
    before = snapshot(decision, DECISION_FIELDS)
    data = {name: getattr(decision, name) for name in DECISION_FIELDS}
    data.update({k: (bool(v) if k == "major" else _text(v)) for k, v in fields.items()})
    for name, value in _clean_decision(data).items():
        setattr(decision, name, value)
    decision.save()
    b, a = changes(before, snapshot(decision, DECISION_FIELDS))
    if a:
        record(
            actor=actor, verb="interaction.update_decision", obj=decision, before=b, after=a, reason=reason
        )
    return decision


@action
def open_for_comment(
    *, actor: Any, decision: DraftDecision, opens_on: date, closes_on: date, historical: bool = False
) -> DraftDecision:
    """Publish the draft for comment from ``opens_on`` to ``closes_on`` (both included).

    ``historical`` records a consultation that already took place (migration, the demo): its
    period may lie in the past and it counts as published on its first day.
    """
    authorize(actor, "approve", decision)
    decision = _locked(decision)
    if decision.status != DecisionStatus.DRAFT:
        raise ActionError(_("This decision was already published for comment."))
    if opens_on is None:
        raise ActionError({"opens_on": _("Give the first day of the comment period.")})
    if closes_on is None or closes_on - opens_on < MIN_PERIOD:
        raise ActionError({"closes_on": _("The comment period must end at least one day after it starts.")})
    if closes_on < today() and not historical:
        raise ActionError({"closes_on": _("The comment period cannot end in the past.")})
    if historical and closes_on >= today():
        raise ActionError({"closes_on": _("A consultation recorded as past must have ended.")})
    before = snapshot(decision, ["status", "opens_on", "closes_on"])
    decision.status, decision.opens_on, decision.closes_on = DecisionStatus.OPEN, opens_on, closes_on
    decision.published_at = (
        timezone.make_aware(timezone.datetime.combine(opens_on, timezone.datetime.min.time()))
        if historical
        else timezone.now()
    )
    decision.save()
    record(actor=actor, verb="interaction.open_for_comment", obj=decision, before=before,
           after=snapshot(decision, ["status", "opens_on", "closes_on", "published_at"]))  # fmt: skip
    _portal_changed()
    return decision


@action
def close_comments(*, actor: Any, decision: DraftDecision, reason: str = "") -> DraftDecision:
    """End the comment period (when it has run, or early with a reason)."""
    authorize(actor, "approve", decision)
    decision = _locked(decision)
    if decision.status != DecisionStatus.OPEN:
        raise ActionError(_("Only a decision open for comment can be closed."))
    if decision.closes_on and decision.closes_on >= today() and not _text(reason):
        raise ActionError({"reason": _("Give the reason for closing before the end of the period.")})
    decision.status, decision.closed_at = DecisionStatus.CLOSED, timezone.now()
    decision.save(update_fields=["status", "closed_at", "updated_at"])
    record(actor=actor, verb="interaction.close_comments", obj=decision, before={"status": "open"},
           after={"status": decision.status}, reason=_text(reason))  # fmt: skip
    _portal_changed()
    return decision


@action
def publish_feedback(
    *,
    actor: Any,
    decision: DraftDecision,
    summary: str,
    adopted: int = 0,
    partly_adopted: int = 0,
    not_adopted: int = 0,
    not_adopted_reasons: str = "",
    comments_received: int | None = None,
) -> DraftDecision:
    """采纳情况: how many comments were received, adopted, partly adopted and not adopted, and why.

    ``comments_received`` defaults to the comments received through the portal (all but
    the rejected); give it when comments also came by post or at meetings.
    """
    authorize(actor, "approve", decision)
    decision = _locked(decision)
    if decision.status != DecisionStatus.CLOSED:
        raise ActionError(_("Publish the feedback once the comment period is closed."))
    if comments_received is None:
        comments_received = decision.comments.exclude(status=CommentStatus.REJECTED).count()
    errors: dict[str, list[str]] = {}
    counts = {"comments_received": comments_received, "adopted": adopted, "partly_adopted": partly_adopted,
              "not_adopted": not_adopted}  # fmt: skip
    for name, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = [_("Give a number, zero or more.")]
    if not errors and adopted + partly_adopted + not_adopted > comments_received:
        errors["not_adopted"] = [_("More comments are accounted for than were received.")]
    summary, not_adopted_reasons = _text(summary), _text(not_adopted_reasons)
    if not summary:
        errors["summary"] = [_("Summarise the comments and how they were taken into account.")]
    if not errors and (partly_adopted or not_adopted) and not not_adopted_reasons:
        errors["not_adopted_reasons"] = [_("Give the reasons for not adopting comments.")]
    if errors:
        raise ActionError(errors)
    decision.feedback_summary, decision.not_adopted_reasons = summary, not_adopted_reasons
    for name, value in counts.items():
        setattr(decision, name, value)
    decision.status, decision.feedback_published_at = DecisionStatus.FEEDBACK, timezone.now()
    decision.save()
    record(actor=actor, verb="interaction.publish_feedback", obj=decision, before={"status": "closed"},
           after={"status": decision.status, **counts})  # fmt: skip
    _portal_changed()
    return decision


@action
def submit_comment(
    *, actor: Any, decision: DraftDecision, text: str, name: str = "", contact: str = ""
) -> Comment:
    """A comment from anyone while the decision is open and the day is within its period."""
    decision = DraftDecision.objects.get(pk=decision.pk)
    on = today()
    if (
        decision.status != DecisionStatus.OPEN
        or decision.opens_on is None
        or decision.closes_on is None
        or not decision.opens_on <= on <= decision.closes_on
    ):
        raise ActionError(_("This draft is not open for comment."))
    text, name, contact = _text(text), _text(name), _text(contact)
    errors: dict[str, list[str]] = {}
    if len(text) < MIN_COMMENT:
        errors["text"] = [_("Write at least %(n)s characters.") % {"n": MIN_COMMENT}]
    elif len(text) > MAX_COMMENT:
        errors["text"] = [_("At most %(n)s characters.") % {"n": MAX_COMMENT}]
    if len(name) > 100:
        errors["name"] = [_("At most %(n)s characters.") % {"n": 100}]
    if len(contact) > 200:
        errors["contact"] = [_("At most %(n)s characters.") % {"n": 200}]
    if errors:
        raise ActionError(errors)
    comment = Comment.objects.create(decision=decision, name=name, contact=contact, text=text,
                                     submitted_at=timezone.now())  # fmt: skip
    # The audit trail records that a comment arrived, not who sent it or how to reach them.
    record(actor=actor, verb="interaction.submit_comment", obj=comment, organisation=decision.organisation_id,
           after={"decision_id": decision.pk, "status": comment.status})  # fmt: skip
    return comment


@action
def moderate_comment(*, actor: Any, comment: Comment, publish: bool, reason: str = "") -> Comment:
    """Publish a comment on the portal, or reject it with a reason."""
    authorize(actor, "moderate", comment)
    comment = Comment.objects.select_for_update().select_related("decision").get(pk=comment.pk)
    reason = _text(reason)
    if not publish and not reason:
        raise ActionError({"reason": _("Give the reason for rejecting the comment.")})
    if len(reason) > 300:
        raise ActionError({"reason": _("At most %(n)s characters.") % {"n": 300}})
    before = snapshot(comment, ["status", "reject_reason"])
    comment.status = CommentStatus.PUBLISHED if publish else CommentStatus.REJECTED
    comment.reject_reason = "" if publish else reason
    comment.moderated_at = timezone.now()
    comment.save(update_fields=["status", "reject_reason", "moderated_at"])
    b, a = changes(before, snapshot(comment, ["status", "reject_reason"]))
    record(actor=actor, verb="interaction.moderate_comment", obj=comment, before=b, after=a, reason=reason,
           organisation=comment.decision.organisation_id)  # fmt: skip
    _portal_changed()
    return comment


def _clean_hearing(data: dict[str, Any], organisation_id: int) -> None:
    errors: dict[str, list[str]] = {}
    if not data["title"]:
        errors["title"] = [_("Give a title.")]
    elif len(data["title"]) > 200:
        errors["title"] = [_("At most %(n)s characters.") % {"n": 200}]
    if not isinstance(data["date"], date):
        errors["date"] = [_("Give the date of the hearing.")]
    if not data["place"]:
        errors["place"] = [_("Give the place of the hearing.")]
    elif len(data["place"]) > 200:
        errors["place"] = [_("At most %(n)s characters.") % {"n": 200}]
    decision = data.get("decision")
    if decision is not None and decision.organisation_id != organisation_id:
        errors["decision"] = [_("Choose a decision of the same organisation.")]
    if errors:
        raise ActionError(errors)


@action
def create_hearing(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    date: date,
    place: str,
    participants: str = "",
    decision: DraftDecision | None = None,
) -> Hearing:
    """A planned hearing (听证会), on a draft decision or on its own."""
    data = {"title": _text(title), "date": date, "place": _text(place), "participants": _text(participants),
            "decision": decision}  # fmt: skip
    hearing = Hearing(organisation=organisation, **data)
    authorize(actor, "edit", hearing)
    _clean_hearing(data, organisation.pk)
    hearing.save()
    record(actor=actor, verb="interaction.create_hearing", obj=hearing,
           after=snapshot(hearing, ["organisation_id", "title", "date", "place", "decision_id", "status"]))  # fmt: skip
    return hearing


@action
def record_hearing(
    *, actor: Any, hearing: Hearing, record: str, outcome: str, held_on: date | None = None,
    participants: str | None = None,
) -> Hearing:  # fmt: skip
    """The hearing was held: its record and outcome (and the actual date, not in the future)."""
    authorize(actor, "edit", hearing)
    hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
    if hearing.status == HearingStatus.HELD:
        raise ActionError(_("This hearing was already recorded."))
    held_on = held_on or hearing.date
    errors: dict[str, list[str]] = {}
    if held_on > today():
        errors["held_on"] = [_("The date cannot be in the future.")]
    if not _text(record):
        errors["record"] = [_("Give the record of the hearing.")]
    if not _text(outcome):
        errors["outcome"] = [_("Give the outcome of the hearing.")]
    if errors:
        raise ActionError(errors)
    before = snapshot(hearing, ["status", "date"])
    hearing.status, hearing.date = HearingStatus.HELD, held_on
    hearing.record, hearing.outcome = _text(record), _text(outcome)
    if participants is not None:
        hearing.participants = _text(participants)
    hearing.save()
    log.record(actor=actor, verb="interaction.record_hearing", obj=hearing, before=before,
           after=snapshot(hearing, ["status", "date"]))  # fmt: skip
    _portal_changed()
    return hearing


def decision_counts(year: int, organisation_ids: Iterable[int]) -> dict[str, int]:
    """The 决策公开 figures of an annual report for ``year`` and the given organisations.

    Decisions count in the year they were published for comment; comments in the year
    they were received (rejected ones left out); hearings in the year they were held.
    """
    ids = list(organisation_ids)
    start = timezone.make_aware(timezone.datetime(year, 1, 1))
    end = timezone.make_aware(timezone.datetime(year + 1, 1, 1))
    decisions = DraftDecision.objects.filter(
        organisation_id__in=ids, published_at__gte=start, published_at__lt=end
    ).aggregate(decisions_published=Count("pk"), major_decisions=Count("pk", filter=Q(major=True)))
    comments = Comment.objects.filter(
        decision__organisation_id__in=ids, submitted_at__gte=start, submitted_at__lt=end
    ).aggregate(comments=Count("pk", filter=~Q(status=CommentStatus.REJECTED)))
    hearings = Hearing.objects.filter(
        organisation_id__in=ids, status=HearingStatus.HELD, date__year=year
    ).aggregate(hearings=Count("pk"))
    return {**decisions, **comments, **hearings}
