"""/api/v1/decisions: draft decisions, their comments and hearings (决策公开), for staff tokens.

Scoped by ``DraftDecisionPolicy``, ``CommentPolicy`` and ``HearingPolicy`` ("view_office"):
an object outside the caller's roles is a 404 for reads and writes alike. Every write goes
through ``gongkai.interaction.actions_decisions`` (403 for a step the caller's role may not
take on a visible object; 400 naming the field; audit). A read-only token is refused on
every write before anything runs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gongkai.api.auth import require_staff
from gongkai.api.schemas import ID_RANGE, Id, Message, Number
from gongkai.core.actions import ActionError
from gongkai.interaction import actions_decisions as actions
from gongkai.interaction.models_decisions import (
    Comment,
    CommentStatus,
    DecisionStatus,
    DraftDecision,
    Hearing,
    HearingStatus,
)
from gongkai.interaction.policies_decisions import CommentPolicy, DraftDecisionPolicy, HearingPolicy
from gongkai.orgs.models import Organisation
from gongkai.orgs.policies import OrganisationPolicy

router = Router(tags=["decisions"])
decision_policy = DraftDecisionPolicy()
comment_policy = CommentPolicy()
hearing_policy = HearingPolicy()
MAX_PER_PAGE = 100
MAX_PAGE = 1000

# --- schemas ----------------------------------------------------------------------------------


class DecisionOut(Schema):
    id: int
    organisation_id: int
    title: str
    summary: str
    body: str
    major: bool
    status: str
    opens_on: date | None
    closes_on: date | None
    published_at: datetime | None
    closed_at: datetime | None
    feedback_summary: str
    comments_received: int
    adopted: int
    partly_adopted: int
    not_adopted: int
    not_adopted_reasons: str
    feedback_published_at: datetime | None


class DecisionPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[DecisionOut]


class CommentOut(Schema):
    id: int
    decision_id: int
    name: str
    contact: str
    text: str
    submitted_at: datetime
    status: str
    reject_reason: str
    moderated_at: datetime | None


class HearingOut(Schema):
    id: int
    organisation_id: int
    decision_id: int | None
    title: str
    date: date
    place: str
    participants: str
    record: str
    outcome: str
    status: str


class DecisionIn(Schema):
    organisation_id: Id
    title: str = Field(..., max_length=200)
    summary: str = Field("", max_length=1000)
    body: str = Field(..., max_length=100000)
    major: bool = False


class PeriodIn(Schema):
    opens_on: date
    closes_on: date


class CloseIn(Schema):
    reason: str = Field("", max_length=300)


class FeedbackIn(Schema):
    summary: str = Field(..., max_length=10000)
    adopted: Number = Field(0, ge=0)
    partly_adopted: Number = Field(0, ge=0)
    not_adopted: Number = Field(0, ge=0)
    not_adopted_reasons: str = Field("", max_length=10000)
    comments_received: Number | None = Field(None, ge=0)


class CommentIn(Schema):
    text: str = Field(..., max_length=5000)
    name: str = Field("", max_length=200)
    contact: str = Field("", max_length=300)


class ModerateIn(Schema):
    publish: bool
    reason: str = Field("", max_length=500)


class HearingIn(Schema):
    organisation_id: Id
    title: str = Field(..., max_length=200)
    date: date
    place: str = Field(..., max_length=200)
    participants: str = Field("", max_length=5000)
    decision_id: Id | None = None


class RecordIn(Schema):
    record: str = Field(..., max_length=20000)
    outcome: str = Field(..., max_length=10000)
    held_on: date | None = None
    participants: str | None = Field(None, max_length=5000)


READ = {200: DecisionOut, 401: Message, 403: Message, 404: Message}
WRITE = {200: DecisionOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}

# --- helpers ----------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    require_staff(actor)
    return actor


def _decision(actor: Any, pk: int) -> DraftDecision:
    return decision_policy.get(actor, "view_office", pk=pk)


def _org(actor: Any, pk: int) -> Organisation:
    org = OrganisationPolicy().visible_to(actor).filter(pk=pk).first()
    if org is None:
        raise ActionError({"organisation_id": [_("No such organisation.")]})
    return org


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices:
        raise ActionError({field: [_("Unknown value “%(value)s”; use one of: %(choices)s.")
                                   % {"value": value, "choices": ", ".join(choices)}]})  # fmt: skip
    return value


# --- decisions --------------------------------------------------------------------------------


@router.get("", response={200: DecisionPage, 400: Message, 401: Message, 403: Message, 422: Message})
def list_decisions(
    request: HttpRequest,
    status: str | None = Query(None, description="draft, open, closed or feedback."),
    organisation: int | None = Query(None, **ID_RANGE, description="An organisation (id)."),
    q: str | None = Query(None, max_length=100, description="Words of the title."),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The draft decisions the caller's roles reach, newest first."""
    actor = _staff(request)
    qs = decision_policy.filter(actor, "view_office", DraftDecision.objects.all())
    if status:
        qs = qs.filter(status=_choice(status, DecisionStatus.values, "status"))
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if q and q.strip():
        qs = qs.filter(title__icontains=q.strip())
    qs = qs.distinct().order_by("-created_at", "-id")
    offset = (page - 1) * per_page
    return {"count": qs.count(), "page": page, "per_page": per_page,
            "results": list(qs[offset : offset + per_page])}  # fmt: skip


@router.get("/{int:decision_id}", response=READ)
def get_decision(request: HttpRequest, decision_id: int) -> Any:
    return _decision(_staff(request), decision_id)


@router.post("", response={201: DecisionOut, 400: Message, 401: Message, 403: Message, 422: Message})
def create_decision(request: HttpRequest, payload: DecisionIn) -> Any:
    """A new draft decision, not yet public."""
    actor = _staff(request)
    data = payload.dict()
    org = _org(actor, data.pop("organisation_id"))
    return Status(201, actions.create_decision(actor=actor, organisation=org, **data))


@router.post("/{int:decision_id}/open", response=WRITE)
def open_for_comment(request: HttpRequest, decision_id: int, payload: PeriodIn) -> Any:
    """Publish the draft for comment over the given period (both days included)."""
    actor = _staff(request)
    return actions.open_for_comment(actor=actor, decision=_decision(actor, decision_id),
                                    opens_on=payload.opens_on, closes_on=payload.closes_on)  # fmt: skip


@router.post("/{int:decision_id}/close", response=WRITE)
def close_comments(request: HttpRequest, decision_id: int, payload: CloseIn) -> Any:
    """End the comment period; a reason is needed before its last day."""
    actor = _staff(request)
    return actions.close_comments(actor=actor, decision=_decision(actor, decision_id), reason=payload.reason)


@router.post("/{int:decision_id}/feedback", response=WRITE)
def publish_feedback(request: HttpRequest, decision_id: int, payload: FeedbackIn) -> Any:
    """采纳情况: how the comments were taken into account."""
    actor = _staff(request)
    return actions.publish_feedback(actor=actor, decision=_decision(actor, decision_id), **payload.dict())


# --- comments ---------------------------------------------------------------------------------


@router.get("/{int:decision_id}/comments", response={200: list[CommentOut], 400: Message, 401: Message,
                                                     403: Message, 404: Message, 422: Message})  # fmt: skip
def list_comments(request: HttpRequest, decision_id: int, status: str | None = None) -> Any:
    """Every comment on the decision, with the contact (for the office only)."""
    actor = _staff(request)
    decision = _decision(actor, decision_id)
    qs = comment_policy.filter(actor, "view_office", Comment.objects.filter(decision=decision))
    if status:
        qs = qs.filter(status=_choice(status, CommentStatus.values, "status"))
    return list(qs.distinct().order_by("submitted_at", "id"))


@router.post("/{int:decision_id}/comments", response={201: CommentOut, 400: Message, 401: Message,
                                                      403: Message, 404: Message, 422: Message})  # fmt: skip
def submit_comment(request: HttpRequest, decision_id: int, payload: CommentIn) -> Any:
    """A comment taken down by the caller (by post, at a meeting) while the period runs."""
    actor = _staff(request)
    decision = _decision(actor, decision_id)
    return Status(201, actions.submit_comment(actor=actor, decision=decision, **payload.dict()))


@router.post("/comments/{int:comment_id}/moderate", response={200: CommentOut, 400: Message, 401: Message,
                                                              403: Message, 404: Message, 422: Message})  # fmt: skip
def moderate_comment(request: HttpRequest, comment_id: int, payload: ModerateIn) -> Any:
    """Publish the comment on the portal, or reject it with a reason."""
    actor = _staff(request)
    comment = comment_policy.get(actor, "view_office", pk=comment_id)
    return actions.moderate_comment(actor=actor, comment=comment, publish=payload.publish,
                                    reason=payload.reason)  # fmt: skip


# --- hearings ---------------------------------------------------------------------------------


@router.get("/hearings", response={200: list[HearingOut], 400: Message, 401: Message, 403: Message,
                                   422: Message})  # fmt: skip
def list_hearings(request: HttpRequest, status: str | None = None, decision: Id | None = None) -> Any:
    """The hearings the caller's roles reach, latest first."""
    actor = _staff(request)
    qs = hearing_policy.filter(actor, "view_office", Hearing.objects.all())
    if status:
        qs = qs.filter(status=_choice(status, HearingStatus.values, "status"))
    if decision is not None:
        qs = qs.filter(decision_id=decision)
    return list(qs.distinct().order_by("-date", "-id")[:MAX_PAGE])


@router.post("/hearings", response={201: HearingOut, 400: Message, 401: Message, 403: Message, 422: Message})
def create_hearing(request: HttpRequest, payload: HearingIn) -> Any:
    """A planned hearing (听证会), on a draft decision or on its own."""
    actor = _staff(request)
    data = payload.dict()
    org = _org(actor, data.pop("organisation_id"))
    decision_id = data.pop("decision_id")
    decision = None
    if decision_id is not None:
        decision = (
            decision_policy.filter(actor, "view_office", DraftDecision.objects.all())
            .filter(pk=decision_id)
            .first()
        )
        if decision is None:
            raise ActionError({"decision_id": [_("No such decision.")]})
    return Status(201, actions.create_hearing(actor=actor, organisation=org, decision=decision, **data))


@router.post("/hearings/{int:hearing_id}/record", response={200: HearingOut, 400: Message, 401: Message,
                                                            403: Message, 404: Message, 422: Message})  # fmt: skip
def record_hearing(request: HttpRequest, hearing_id: int, payload: RecordIn) -> Any:
    """The hearing was held: its record and outcome."""
    actor = _staff(request)
    hearing = hearing_policy.get(actor, "view_office", pk=hearing_id)
    return actions.record_hearing(actor=actor, hearing=hearing, **payload.dict())


__all__ = ["router"]
