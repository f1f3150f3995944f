"""/api/v1/letters: letters, calls and forwarded cases (互动交流), for staff tokens.

Scoped by ``LetterPolicy``: the list holds the letters the caller's roles reach
("view_office"), and a letter outside them is a 404 for reads and writes alike. Every write
goes through ``gongkai.interaction.actions`` (same permissions: 403 for a step the caller's
role may not take on a visible letter; validation: 400 naming the field; audit). A read-only
token is refused on every write before anything runs.

The detail never carries the tracking code's hash; the code itself is returned once, by the
POST that registers the letter.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gongkai.api.auth import require_staff
from gongkai.api.schemas import ID_RANGE, Id, Message
from gongkai.core.actions import ActionError
from gongkai.interaction import actions
from gongkai.interaction.models import (
    OPEN_LETTER_STATUSES,
    Category,
    ChannelKind,
    Letter,
    LetterStatus,
)
from gongkai.interaction.policies import ChannelPolicy, LetterPolicy
from gongkai.orgs.models import Organisation
from gongkai.orgs.policies import OrganisationPolicy

router = Router(tags=["letters"])
policy = LetterPolicy()
MAX_PER_PAGE = 100
MAX_PAGE = 1000
RELATED = ("organisation", "channel", "category", "clock", "lead_unit", "reply_unit")

# --- schemas ----------------------------------------------------------------------------------


class LetterListOut(Schema):
    id: int
    case_number: str
    organisation_id: int
    channel_id: int
    channel: str
    channel_kind: str
    category: str
    status: str
    received_on: date
    writer_name: str
    subject: str
    valid: bool | None
    lead_unit_id: int | None
    lead_unit: str | None
    due_date: date | None
    overdue: bool
    replied_on: date | None
    on_time: bool | None
    rating: str
    published: bool


class AssignmentOut(Schema):
    unit_id: int
    unit: str
    lead: bool
    assigned_on: date
    limit_days: int
    returned_on: date | None
    return_reason: str


class LetterDetailOut(LetterListOut):
    received_at: datetime
    phone: str
    email: str
    address: str
    body: str
    publish_consent: bool
    audio_ref: str
    external_number: str
    forwarded_on: date | None
    external_limit_days: int | None
    invalid_reason: str
    triage_note: str
    duplicate_of_id: int | None
    triaged_on: date | None
    assist_unit_ids: list[int]
    chase_count: int
    answered_on_spot: bool
    draft_reply: str
    reply: str
    reply_unit_id: int | None
    reopened: int
    rated_on: date | None
    rating_note: str
    rated_by_callback: bool
    public_subject: str
    public_body: str
    public_reply: str
    published_at: datetime | None
    limit_days: int | None
    assignments: list[AssignmentOut]


class LetterCreatedOut(LetterDetailOut):
    tracking_code: str


class LetterPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[LetterListOut]


class LetterIn(Schema):
    channel_id: Id
    category: str = Field(..., max_length=20, description="A category code (consult, complaint …).")
    received_on: date | None = None
    writer_name: str = Field(..., max_length=100)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    subject: str = Field(..., max_length=200)
    body: str = Field(..., max_length=5000)
    publish_consent: bool = False
    answered_on_spot: str = Field("", max_length=5000, description="The answer given: closes a call at once.")
    audio_ref: str = Field("", max_length=200)
    external_number: str = Field("", max_length=60)
    forwarded_on: date | None = None
    external_limit_days: int | None = Field(None, ge=1, le=365)


class TriageIn(Schema):
    valid: bool
    reason: str = Field("", max_length=14)
    note: str = Field("", max_length=300)
    duplicate_of: Id | None = Field(None, description="The original letter's id (duplicates).")
    on: date | None = None


class LetterAssignIn(Schema):
    lead_unit: Id
    assist_units: list[Id] = Field(default_factory=list, max_length=20)
    limit_days: int | None = Field(None, ge=1, le=365)
    on: date | None = None
    note: str = Field("", max_length=300)


class ReturnIn(Schema):
    reason: str = Field(..., max_length=300)
    on: date | None = None


class TextIn(Schema):
    text: str = Field(..., max_length=5000)


class LetterReasonIn(Schema):
    reason: str = Field(..., max_length=500)


class ApproveIn(Schema):
    text: str = Field("", max_length=5000)
    on: date | None = None
    publish: bool = False


class ChaseIn(Schema):
    note: str = Field(..., max_length=500)


class RateIn(Schema):
    rating: str = Field(..., max_length=10)
    note: str = Field("", max_length=500)


class LetterPublishIn(Schema):
    subject: str = Field("", max_length=200)
    body: str = Field("", max_length=5000)
    reply: str = Field("", max_length=5000)


READ = {200: LetterDetailOut, 401: Message, 403: Message, 404: Message}
WRITE = {200: LetterDetailOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}

# --- helpers ----------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    require_staff(actor)
    return actor


def _queryset() -> QuerySet[Letter]:
    return Letter.objects.select_related(*RELATED)


def _get(actor: Any, letter_id: int) -> Letter:
    """A letter the caller's roles reach, else 404 (forbidden and missing look the same)."""
    return policy.get(actor, "view_office", queryset=_queryset(), pk=letter_id)


def _org(actor: Any, pk: int, field: str) -> Organisation:
    org = OrganisationPolicy().visible_to(actor).filter(pk=pk).first()
    if org is None:
        raise ActionError({field: [_("No such organisation.")]})
    return org


def _today() -> date:
    return timezone.localdate()


def _overdue(letter: Letter, today: date) -> bool:
    due = letter.clock.due_date if letter.clock_id else None
    return letter.status in OPEN_LETTER_STATUSES and due is not None and due < today


def _summary(letter: Letter, today: date) -> dict[str, Any]:
    return {
        "id": letter.pk,
        "case_number": letter.case_number,
        "organisation_id": letter.organisation_id,
        "channel_id": letter.channel_id,
        "channel": letter.channel.name,
        "channel_kind": letter.channel.kind,
        "category": letter.category.code,
        "status": letter.status,
        "received_on": letter.received_on,
        "writer_name": letter.writer_name,
        "subject": letter.subject,
        "valid": letter.valid,
        "lead_unit_id": letter.lead_unit_id,
        "lead_unit": letter.lead_unit.name if letter.lead_unit_id else None,
        "due_date": letter.clock.due_date if letter.clock_id else None,
        "overdue": _overdue(letter, today),
        "replied_on": letter.replied_on,
        "on_time": letter.on_time,
        "rating": letter.rating,
        "published": letter.published,
    }


DETAIL_FIELDS = (
    "received_at", "phone", "email", "address", "body", "publish_consent", "audio_ref", "external_number",
    "forwarded_on", "external_limit_days", "invalid_reason", "triage_note", "duplicate_of_id", "triaged_on",
    "chase_count", "answered_on_spot", "draft_reply", "reply", "reply_unit_id", "reopened", "rated_on",
    "rating_note", "rated_by_callback", "public_subject", "public_body", "public_reply", "published_at",
)  # fmt: skip


def _detail(letter: Letter) -> dict[str, Any]:
    """Everything about one letter for the staff handling it; never the tracking hash."""
    letter = _queryset().get(pk=letter.pk)
    data = _summary(letter, _today())
    data.update({name: getattr(letter, name) for name in DETAIL_FIELDS})
    data["assist_unit_ids"] = sorted(letter.assist_units.values_list("pk", flat=True))
    data["limit_days"] = letter.clock.limit_days if letter.clock_id else None
    data["assignments"] = [
        {"unit_id": a.unit_id, "unit": a.unit.name, "lead": a.lead, "assigned_on": a.assigned_on,
         "limit_days": a.limit_days, "returned_on": a.returned_on, "return_reason": a.return_reason}
        for a in letter.assignments.select_related("unit").order_by("assigned_on", "id")
    ]  # fmt: skip
    return data


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices:
        raise ActionError({field: [_("Unknown value “%(value)s”; use one of: %(choices)s.")
                                   % {"value": value, "choices": ", ".join(choices)}]})  # fmt: skip
    return value


# --- reading ----------------------------------------------------------------------------------

STATUS_FILTERS = ("open", *LetterStatus.values)
RECEIVED_FROM = Query(None, description="Received on or after.")
RECEIVED_TO = Query(None, description="Received on or before.")


@router.get("", response={200: LetterPage, 400: Message, 401: Message, 403: Message, 422: Message})
def list_letters(
    request: HttpRequest,
    status: str | None = Query(None, description="A status, or “open” for every status still being handled."),
    channel: int | None = Query(None, **ID_RANGE, description="A channel (id)."),
    channel_kind: str | None = Query(None, description="mailbox, hotline, forwarded or post."),
    category: str | None = Query(None, description="A category code."),
    received_from: date | None = RECEIVED_FROM,
    received_to: date | None = RECEIVED_TO,
    overdue: bool | None = Query(None, description="Open and past the due date."),
    q: str | None = Query(
        None, max_length=100, description="Case number, external number, writer or subject."
    ),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The letters the caller's roles reach, newest first."""
    actor = _staff(request)
    qs = policy.filter(actor, "view_office", _queryset())
    today = _today()
    if status:
        _choice(status, STATUS_FILTERS, "status")
        qs = qs.filter(status__in=OPEN_LETTER_STATUSES) if status == "open" else qs.filter(status=status)
    if channel is not None:
        qs = qs.filter(channel_id=channel)
    if channel_kind:
        qs = qs.filter(channel__kind=_choice(channel_kind, ChannelKind.values, "channel_kind"))
    if category:
        qs = qs.filter(category__code=category)
    if received_from and received_to and received_from > received_to:
        raise ActionError({"received_to": [_("The end of the period comes before its start.")]})
    if received_from:
        qs = qs.filter(received_on__gte=received_from)
    if received_to:
        qs = qs.filter(received_on__lte=received_to)
    late = Q(status__in=OPEN_LETTER_STATUSES, clock__due_date__lt=today)
    if overdue is True:
        qs = qs.filter(late)
    elif overdue is False:
        qs = qs.exclude(late)
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(
            Q(case_number__icontains=text) | Q(external_number__icontains=text)
            | Q(writer_name__icontains=text) | Q(subject__icontains=text)
        )  # fmt: skip
    qs = qs.distinct().order_by("-received_at", "-id")
    offset = (page - 1) * per_page
    return {
        "count": qs.count(),
        "page": page,
        "per_page": per_page,
        "results": [_summary(letter, today) for letter in qs[offset : offset + per_page]],
    }


@router.get("/{int:letter_id}", response=READ)
def get_letter(request: HttpRequest, letter_id: int) -> Any:
    return _detail(_get(_staff(request), letter_id))


# --- intake -----------------------------------------------------------------------------------


@router.post("", response={201: LetterCreatedOut, 400: Message, 401: Message, 403: Message, 404: Message,
                           422: Message})  # fmt: skip
def create_letter(request: HttpRequest, payload: LetterIn) -> Any:
    """Register a call, a forwarded case or a posted letter. The tracking code is shown this once."""
    actor = _staff(request)
    data = payload.dict()
    channel = ChannelPolicy().visible_to(actor).filter(pk=data.pop("channel_id")).first()
    if channel is None:
        raise ActionError({"channel_id": [_("No such channel.")]})
    category = Category.objects.filter(code=data.pop("category"), is_active=True).first()
    if category is None:
        raise ActionError({"category": [_("Choose a category.")]})
    letter, code = actions.register_letter(actor=actor, channel=channel, category=category, **data)
    return Status(201, {**_detail(letter), "tracking_code": code})


# --- the loop ---------------------------------------------------------------------------------


@router.post("/{int:letter_id}/triage", response=WRITE)
def triage(request: HttpRequest, letter_id: int, payload: TriageIn) -> Any:
    """受理: valid letters go on to be assigned; invalid ones close with their reason."""
    actor = _staff(request)
    letter = _get(actor, letter_id)
    original = None
    if payload.duplicate_of is not None:
        original = (
            policy.filter(actor, "view_office", Letter.objects.all()).filter(pk=payload.duplicate_of).first()
        )
        if original is None:
            raise ActionError({"duplicate_of": [_("No such letter.")]})
    return _detail(actions.triage_letter(actor=actor, letter=letter, valid=payload.valid, reason=payload.reason,
                                         note=payload.note, duplicate_of=original, on=payload.on))  # fmt: skip


@router.post("/{int:letter_id}/assign", response=WRITE)
def assign(request: HttpRequest, letter_id: int, payload: LetterAssignIn) -> Any:
    """交办 to a lead unit, with optional assisting units."""
    actor = _staff(request)
    letter = _get(actor, letter_id)
    lead = _org(actor, payload.lead_unit, "lead_unit")
    assist = [_org(actor, pk, "assist_units") for pk in payload.assist_units]
    return _detail(actions.assign_letter(actor=actor, letter=letter, lead_unit=lead, assist_units=assist,
                                         limit_days=payload.limit_days, on=payload.on, note=payload.note))  # fmt: skip


@router.post("/{int:letter_id}/return", response=WRITE)
def return_(request: HttpRequest, letter_id: int, payload: ReturnIn) -> Any:
    """The lead unit returns a wrongly assigned letter."""
    actor = _staff(request)
    letter = _get(actor, letter_id)
    return _detail(actions.return_letter(actor=actor, letter=letter, reason=payload.reason, on=payload.on))


@router.post("/{int:letter_id}/draft", response=WRITE)
def draft(request: HttpRequest, letter_id: int, payload: TextIn) -> Any:
    actor = _staff(request)
    return _detail(actions.draft_letter_reply(actor=actor, letter=_get(actor, letter_id), text=payload.text))


@router.post("/{int:letter_id}/send-back", response=WRITE)
def send_back(request: HttpRequest, letter_id: int, payload: LetterReasonIn) -> Any:
    actor = _staff(request)
    return _detail(actions.send_back_reply(actor=actor, letter=_get(actor, letter_id), reason=payload.reason))


@router.post("/{int:letter_id}/approve", response=WRITE)
def approve(request: HttpRequest, letter_id: int, payload: ApproveIn) -> Any:
    """Approve the reply: the letter closes (办结); optionally publish the masked Q&A."""
    actor = _staff(request)
    letter = _get(actor, letter_id)
    return _detail(actions.approve_reply(actor=actor, letter=letter, text=payload.text, on=payload.on,
                                         publish=payload.publish))  # fmt: skip


@router.post("/{int:letter_id}/chase", response=WRITE)
def chase(request: HttpRequest, letter_id: int, payload: ChaseIn) -> Any:
    actor = _staff(request)
    return _detail(actions.chase_letter(actor=actor, letter=_get(actor, letter_id), note=payload.note))


@router.post("/{int:letter_id}/rate", response=WRITE)
def rate(request: HttpRequest, letter_id: int, payload: RateIn) -> Any:
    """回访: the rating an operator recorded on calling the writer back."""
    actor = _staff(request)
    letter = _get(actor, letter_id)
    return _detail(actions.rate_letter(actor=actor, letter=letter, rating=payload.rating, note=payload.note,
                                       callback=True))  # fmt: skip


@router.post("/{int:letter_id}/reopen", response=WRITE)
def reopen(request: HttpRequest, letter_id: int, payload: LetterReasonIn) -> Any:
    actor = _staff(request)
    return _detail(actions.reopen_letter(actor=actor, letter=_get(actor, letter_id), reason=payload.reason))


@router.post("/{int:letter_id}/publish", response=WRITE)
def publish(request: HttpRequest, letter_id: int, payload: LetterPublishIn) -> Any:
    """Publish the Q&A, personal data masked (the texts given replace the masked ones)."""
    actor = _staff(request)
    letter = _get(actor, letter_id)
    return _detail(actions.publish_letter(actor=actor, letter=letter, subject=payload.subject, body=payload.body,
                                          reply=payload.reply))  # fmt: skip


@router.post("/{int:letter_id}/unpublish", response=WRITE)
def unpublish(request: HttpRequest, letter_id: int, payload: LetterReasonIn) -> Any:
    actor = _staff(request)
    return _detail(
        actions.unpublish_letter(actor=actor, letter=_get(actor, letter_id), reason=payload.reason)
    )


__all__ = ["router"]
