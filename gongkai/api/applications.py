"""/api/v1/applications: applications for disclosure (依申请公开), for staff tokens.

Everything is scoped by ``ApplicationPolicy``: the list holds the applications the caller's
roles reach ("view_office"), and an application outside them is a 404 for reads and writes
alike, so ids cannot be probed. Writes go through the actions in
``gongkai.applications.actions``: the same permissions (an action the caller's role may not
do on a visible application is a 403), validation (400 with the field named) and audit as the
back office. A read-only token is refused on every write (403) before anything runs.

The detail carries the clock (due date and how it was computed), corrections, consultations,
fees, and the metadata of letters and documents; never the tracking code's hash. The tracking
code itself is returned once, by the POST that registers the application.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gongkai.api.auth import require_staff
from gongkai.api.schemas import ID_RANGE, Message
from gongkai.api.schemas_applications import (
    ApplicationCreatedOut,
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationPage,
    AssignIn,
    ConfirmIn,
    ConsultationAnswerIn,
    ConsultationIn,
    CorrectionIn,
    CorrectionReceivedIn,
    DeliveryIn,
    DraftIn,
    ExtendIn,
    FeeNoticeIn,
    ForwardIn,
    LaterDateIn,
    PaymentIn,
    ReasonIn,
    ReplyIn,
    WaiverIn,
    WithdrawIn,
)
from gongkai.applications import actions, actions_base, actions_replies
from gongkai.applications.models import (
    OPEN_STATUSES,
    Application,
    Consultation,
    FeeNotice,
)
from gongkai.applications.models import Status as AppStatus
from gongkai.applications.policies import ApplicationPolicy
from gongkai.core.actions import ActionError
from gongkai.orgs.models import Organisation
from gongkai.orgs.policies import OrganisationPolicy
from gongkai.workdays import clock as clocks
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.engine import compute_due

router = Router(tags=["applications"])
policy = ApplicationPolicy()
MAX_PER_PAGE = 100
MAX_PAGE = 1000
RELATED = ("organisation", "clock", "assigned_unit", "assignee")

READ = {200: ApplicationDetailOut, 401: Message, 403: Message, 404: Message}
WRITE = {200: ApplicationDetailOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}
CREATED = {201: ApplicationDetailOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}


# --- helpers ----------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    require_staff(actor)
    return actor


def _queryset() -> QuerySet[Application]:
    return Application.objects.select_related(*RELATED)


def _get(actor: Any, app_id: int) -> Application:
    """An application the caller's roles reach, else 404 (forbidden and missing look the same)."""
    return policy.get(actor, "view_office", queryset=_queryset(), pk=app_id)


def _org(actor: Any, pk: int, field: str) -> Organisation:
    org = OrganisationPolicy().visible_to(actor).filter(pk=pk).first()
    if org is None:
        raise ActionError({field: [_("No such organisation.")]})
    return org


def _user(username: str, field: str) -> Any:
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None or getattr(user, "is_citizen", False):
        raise ActionError({field: [_("No active staff member with this user name.")]})
    return user


def _name(user: Any) -> str | None:
    return user.username if user is not None else None


def _today() -> date:
    return timezone.localdate()


def _overdue(app: Application, today: date) -> bool:
    due = app.clock.due_date if app.clock_id else None
    if app.status not in OPEN_STATUSES or due is None or due >= today:
        return False
    return app.later_date is None or app.later_date < today


def _summary(app: Application, today: date) -> dict[str, Any]:
    clock = app.clock if app.clock_id else None
    return {
        "id": app.pk,
        "case_number": app.case_number,
        "organisation_id": app.organisation_id,
        "organisation": app.organisation.name,
        "rule_set": app.rule_set,
        "channel": app.channel,
        "status": app.status,
        "applicant_type": app.applicant_type,
        "applicant_name": app.applicant_name,
        "info_title": app.info_title,
        "submitted_at": app.submitted_at,
        "received_on": app.received_on,
        "due_date": clock.due_date if clock else None,
        "provisional": bool(clock and clock.provisional),
        "paused": bool(clock and clock.status == "paused"),
        "later_date": app.later_date,
        "overdue": _overdue(app, today),
        "assigned_unit_id": app.assigned_unit_id,
        "assignee": _name(app.assignee),
        "outcome": app.outcome,
        "reply_type": app.reply_type,
        "replied_on": app.replied_on,
        "on_time": app.on_time,
    }


def _clock(app: Application) -> dict[str, Any] | None:
    if not app.clock_id:
        return None
    clock = app.clock
    extensions = list(clock.extensions.select_related("approved_by").order_by("approved_on", "id"))
    return {
        "start_date": clock.start_date,
        "original_start_date": clock.original_start_date,
        "limit_days": clock.limit_days,
        "extension_days": sum(e.days for e in extensions),
        "extension_limit_days": clock.extension_limit_days,
        "status": clock.status,
        "due_date": clock.due_date,
        "provisional": clock.provisional,
        "closed_on": clock.closed_on,
        "on_time": clock.on_time,
        "explanation_zh": clocks.explanation(clock, "zh"),
        "explanation_en": clocks.explanation(clock, "en"),
        "pauses": [
            {"start": p.start, "end": p.end, "reason": p.reason, "note": p.note}
            for p in clock.pauses.order_by("start", "id")
        ],
        "extensions": [
            {
                "days": e.days,
                "approved_by": _name(e.approved_by),
                "approved_on": e.approved_on,
                "reason": e.reason,
            }
            for e in extensions
        ],  # fmt: skip
    }


DETAIL_FIELDS = (
    "receipt_note", "signed_for_on", "confirmed_on", "citizen_id", "id_type", "id_number", "legal_representative",
    "contact_person", "phone", "email", "address", "postcode", "info_number", "description", "purpose",
    "info_form", "delivery", "assigned_note", "later_reason", "draft_outcome", "draft_reply_type",
    "draft_legal_basis", "draft_text", "drafted_at", "legal_basis", "reply_text", "delivered_on", "delivery_note",
)  # fmt: skip


def _detail(app: Application) -> dict[str, Any]:
    """Everything about one application for the staff handling it; never the tracking hash."""
    app = _queryset().select_related("drafted_by", "replied_by").get(pk=app.pk)
    data = _summary(app, _today())
    data.update({name: getattr(app, name) for name in DETAIL_FIELDS})
    data.update(
        correction_notice_by=actions.correction_notice_deadline(app),
        drafted_by=_name(app.drafted_by),
        replied_by=_name(app.replied_by),
        clock=_clock(app),
        corrections=list(app.corrections.order_by("requested_on", "id")),
        consultations=list(app.consultations.order_by("sent_on", "id")),
        fees=list(app.fees.order_by("issued_on", "id")),
        letters=list(
            app.letters.order_by("issued_on", "id").only("id", "kind", "number", "issued_on", "title")
        ),
        documents=list(
            app.documents.order_by("uploaded_at", "id").only(
                "id", "kind", "filename", "content_type", "size", "uploaded_at"
            )
        ),
    )
    return data


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices:
        raise ActionError({field: [_("Unknown value “%(value)s”; use one of: %(choices)s.")
                                   % {"value": value, "choices": ", ".join(choices)}]})  # fmt: skip
    return value


# --- reading ----------------------------------------------------------------------------------

STATUS_FILTERS = ("open", *AppStatus.values)
RECEIVED_FROM = Query(None, description="Received on or after.")
RECEIVED_TO = Query(None, description="Received on or before.")


@router.get("", response={200: ApplicationPage, 400: Message, 401: Message, 403: Message, 404: Message,
                          422: Message})  # fmt: skip
def list_applications(
    request: HttpRequest,
    status: str | None = Query(None, description="A status, or “open” for every status still being handled."),
    organisation: int | None = Query(None, **ID_RANGE, description="The agency applied to (id)."),
    below: bool = Query(False, description="With organisation: the units below it too."),
    received_from: date | None = RECEIVED_FROM,
    received_to: date | None = RECEIVED_TO,
    due_within: int | None = Query(
        None, ge=0, le=250, description="Open and due within this many working days from today."
    ),
    overdue: bool | None = Query(
        None, description="Open and past the due date (and any Art. 35 later date)."
    ),
    q: str | None = Query(None, max_length=100, description="Case number, applicant, title or 文号."),
    sort: str = Query("submitted", pattern="^(submitted|received|due)$"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The applications the caller's roles reach, newest first (or by date received or due)."""
    actor = _staff(request)
    qs = policy.filter(actor, "view_office", _queryset())
    today = _today()
    if status:
        _choice(status, STATUS_FILTERS, "status")
        qs = qs.filter(status__in=OPEN_STATUSES) if status == "open" else qs.filter(status=status)
    if organisation is not None:
        org = OrganisationPolicy().visible_to(actor).filter(pk=organisation).first()
        if org is None:
            raise Http404
        qs = qs.filter(organisation__path__startswith=org.path) if below else qs.filter(organisation=org)
    if received_from and received_to and received_from > received_to:
        raise ActionError({"received_to": [_("The end of the period comes before its start.")]})
    if received_from:
        qs = qs.filter(received_on__gte=received_from)
    if received_to:
        qs = qs.filter(received_on__lte=received_to)
    if due_within is not None:
        limit = compute_due(get_calendar(), today, due_within).due if due_within else today
        qs = qs.filter(status__in=OPEN_STATUSES, clock__due_date__gte=today, clock__due_date__lte=limit)
    late = Q(status__in=OPEN_STATUSES, clock__due_date__lt=today) & (
        Q(later_date__isnull=True) | Q(later_date__lt=today)
    )
    if overdue is True:
        qs = qs.filter(late)
    elif overdue is False:
        qs = qs.exclude(late)
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(
            Q(case_number__icontains=text) | Q(applicant_name__icontains=text) | Q(info_title__icontains=text)
            | Q(info_number__icontains=text)
        )  # fmt: skip
    order = {
        "submitted": ("-submitted_at", "-id"),
        "received": ("-received_on", "-id"),
        "due": ("clock__due_date", "id"),
    }[sort]
    qs = qs.order_by(*order)
    offset = (page - 1) * per_page
    return {
        "count": qs.count(),
        "page": page,
        "per_page": per_page,
        "results": [_summary(app, today) for app in qs[offset : offset + per_page]],
    }


@router.get("/{int:app_id}", response=READ)
def get_application(request: HttpRequest, app_id: int) -> Any:
    return _detail(_get(_staff(request), app_id))


# --- intake -----------------------------------------------------------------------------------


@router.post("", response={**CREATED, 201: ApplicationCreatedOut})
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    """Register an application handed in, posted, faxed, e-mailed or made orally.

    The response carries the tracking code for the applicant; it is shown this once.
    """
    actor = _staff(request)
    data = payload.dict()
    organisation = _org(actor, data.pop("organisation_id"), "organisation_id")
    app, code = actions.register_application(actor=actor, organisation=organisation, **data)
    return Status(201, {**_detail(app), "tracking_code": code})


@router.post("/{int:app_id}/confirm", response=WRITE)
def confirm(request: HttpRequest, app_id: int, payload: ConfirmIn) -> Any:
    """Confirm receipt of a fax, e-mail or online application: that day is day 0."""
    actor = _staff(request)
    app = actions.confirm_receipt(
        actor=actor, application=_get(actor, app_id), on=payload.on, note=payload.note
    )
    return _detail(app)


@router.post("/{int:app_id}/discard", response=WRITE)
def discard(request: HttpRequest, app_id: int, payload: ReasonIn) -> Any:
    """A submission awaiting confirmation that is junk or a duplicate: not registered."""
    actor = _staff(request)
    return _detail(
        actions.discard_submission(actor=actor, application=_get(actor, app_id), reason=payload.reason)
    )


@router.post("/{int:app_id}/forward", response=WRITE)
def forward(request: HttpRequest, app_id: int, payload: ForwardIn) -> Any:
    """Pass the application to the agency of the same government that holds the information."""
    actor = _staff(request)
    app = _get(actor, app_id)
    to = _org(actor, payload.to, "to")
    return _detail(actions.forward_application(actor=actor, application=app, to=to, reason=payload.reason))


# --- correction and consultation --------------------------------------------------------------


@router.post("/{int:app_id}/correction", response=WRITE)
def request_correction(request: HttpRequest, app_id: int, payload: CorrectionIn) -> Any:
    """One 补正 notice: what to correct and the period; the clock stops."""
    actor = _staff(request)
    app = _get(actor, app_id)
    actions.request_correction(
        actor=actor, application=app, items=payload.items, period_days=payload.period_days, on=payload.on
    )
    return _detail(app)


@router.post("/{int:app_id}/correction-received", response=WRITE)
def correction_received(request: HttpRequest, app_id: int, payload: CorrectionReceivedIn) -> Any:
    """The corrected application arrived: the reply period counts afresh from that day."""
    actor = _staff(request)
    app = _get(actor, app_id)
    unknown = sorted(set(payload.fields) - set(actions_base.APPLICANT_FIELDS))
    if unknown:
        raise ActionError({"fields": [_("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}]})
    return _detail(
        actions.submit_correction(
            actor=actor, application=app, text=payload.text, on=payload.on, **payload.fields
        )
    )


@router.post("/{int:app_id}/consultations", response=CREATED)
def start_consultation(request: HttpRequest, app_id: int, payload: ConsultationIn) -> Any:
    """Consult a third party (Art. 32) or another agency (Art. 34): 15 working days to answer."""
    actor = _staff(request)
    app = _get(actor, app_id)
    actions.start_consultation(
        actor=actor, application=app, kind=payload.kind, party=payload.party, on=payload.on
    )
    return Status(201, _detail(app))


@router.post("/{int:app_id}/consultations/{int:consultation_id}/answer", response=WRITE)
def answer_consultation(
    request: HttpRequest, app_id: int, consultation_id: int, payload: ConsultationAnswerIn
) -> Any:
    actor = _staff(request)
    app = _get(actor, app_id)
    consultation = Consultation.objects.filter(application=app, pk=consultation_id).first()
    if consultation is None:
        raise Http404
    actions.record_consultation_answer(
        actor=actor, consultation=consultation, answer=payload.answer, on=payload.on, note=payload.note
    )
    return _detail(app)


# --- time ---------------------------------------------------------------------------------------


@router.post("/{int:app_id}/extend", response=WRITE)
def extend(request: HttpRequest, app_id: int, payload: ExtendIn) -> Any:
    """Extend the reply period with the office head's approval (at most 15 or 20 working days)."""
    actor = _staff(request)
    app = _get(actor, app_id)
    if payload.days < 1:
        raise ActionError({"days": [_("An extension must be at least one working day.")]})
    if app.clock_id:
        cap, already = app.rules.extension_days, app.clock.extension_days
        if already + payload.days > cap:
            raise ActionError({"days": [
                _("The %(rules)s allows at most %(max)s working days of extension in total (%(used)s already "
                  "granted).") % {"rules": app.rules.label, "max": cap, "used": already}
            ]})  # fmt: skip
    approver = _user(payload.approved_by, "approved_by") if payload.approved_by else actor
    app = actions_replies.extend_application(
        actor=actor, application=app, days=payload.days, reason=payload.reason, approved_by=approver, on=payload.on
    )  # fmt: skip
    return _detail(app)


@router.post("/{int:app_id}/later-date", response=WRITE)
def later_date(request: HttpRequest, app_id: int, payload: LaterDateIn) -> Any:
    """2019 Art. 35: a reasoned later reply date for a massive application."""
    actor = _staff(request)
    app = actions_replies.set_later_date(actor=actor, application=_get(actor, app_id), later_date=payload.later_date,
                                         reason=payload.reason, on=payload.on)  # fmt: skip
    return _detail(app)


# --- drafting and replying ----------------------------------------------------------------------


@router.post("/{int:app_id}/assign", response=WRITE)
def assign(request: HttpRequest, app_id: int, payload: AssignIn) -> Any:
    """Ask a unit (and optionally one of its clerks) to draft the reply."""
    actor = _staff(request)
    app = _get(actor, app_id)
    unit = _org(actor, payload.unit, "unit")
    assignee = _user(payload.assignee, "assignee") if payload.assignee else None
    return _detail(
        actions_replies.assign_application(
            actor=actor, application=app, unit=unit, assignee=assignee, note=payload.note
        )
    )


def _check_reply_choices(payload: DraftIn) -> None:
    from gongkai.applications.outcomes import Outcome, ReplyType

    _choice(payload.outcome, Outcome.values, "outcome")
    _choice(payload.reply_type, ReplyType.values, "reply_type")


@router.post("/{int:app_id}/draft", response=WRITE)
def draft(request: HttpRequest, app_id: int, payload: DraftIn) -> Any:
    """Propose the reply (result, reply type, legal basis, text) for the office head to decide."""
    actor = _staff(request)
    app = _get(actor, app_id)
    _check_reply_choices(payload)
    return _detail(actions_replies.draft_reply(actor=actor, application=app, outcome=payload.outcome,
                                              reply_type=payload.reply_type, legal_basis=payload.legal_basis,
                                              text=payload.text))  # fmt: skip


@router.post("/{int:app_id}/return-draft", response=WRITE)
def return_draft(request: HttpRequest, app_id: int, payload: ReasonIn) -> Any:
    actor = _staff(request)
    return _detail(
        actions_replies.return_draft(actor=actor, application=_get(actor, app_id), reason=payload.reason)
    )


@router.post("/{int:app_id}/reply", response=WRITE)
def reply(request: HttpRequest, app_id: int, payload: ReplyIn) -> Any:
    """The decision: the result and the reply type allowed by the case's rule set; the case closes."""
    actor = _staff(request)
    app = _get(actor, app_id)
    _check_reply_choices(payload)
    return _detail(actions_replies.reply_application(actor=actor, application=app, outcome=payload.outcome,
                                                    reply_type=payload.reply_type, legal_basis=payload.legal_basis,
                                                    text=payload.text, on=payload.on))  # fmt: skip


# --- fees ---------------------------------------------------------------------------------------


def _fee(app: Application, fee_id: int) -> FeeNotice:
    fee = FeeNotice.objects.filter(application=app, pk=fee_id).select_related("application").first()
    if fee is None:
        raise Http404
    return fee


@router.post("/{int:app_id}/fees", response=CREATED)
def issue_fee(request: HttpRequest, app_id: int, payload: FeeNoticeIn) -> Any:
    """A fee notice within the reply period; the clock stops until it is paid or waived."""
    actor = _staff(request)
    app = _get(actor, app_id)
    actions.issue_fee_notice(actor=actor, application=app, mode=payload.mode, instructions=payload.instructions,
                             pages=payload.pages, search_cost=payload.search_cost, copy_cost=payload.copy_cost,
                             postage=payload.postage, on=payload.on)  # fmt: skip
    return Status(201, _detail(app))


@router.post("/{int:app_id}/fees/{int:fee_id}/payment", response=WRITE)
def fee_payment(request: HttpRequest, app_id: int, fee_id: int, payload: PaymentIn) -> Any:
    actor = _staff(request)
    app = _get(actor, app_id)
    actions.record_payment(
        actor=actor, fee=_fee(app, fee_id), on=payload.on, receipt_number=payload.receipt_number
    )
    return _detail(app)


@router.post("/{int:app_id}/fees/{int:fee_id}/waiver", response=WRITE)
def fee_waiver(request: HttpRequest, app_id: int, fee_id: int, payload: WaiverIn) -> Any:
    actor = _staff(request)
    app = _get(actor, app_id)
    actions.waive_fee(actor=actor, fee=_fee(app, fee_id), reason=payload.reason, on=payload.on)
    return _detail(app)


# --- the end ------------------------------------------------------------------------------------


@router.post("/{int:app_id}/withdraw", response=WRITE)
def withdraw(request: HttpRequest, app_id: int, payload: WithdrawIn) -> Any:
    """The applicant withdrew (counted as 其他处理 in table 三)."""
    actor = _staff(request)
    app = actions_replies.withdraw_application(
        actor=actor, application=_get(actor, app_id), reason=payload.reason, on=payload.on
    )
    return _detail(app)


@router.post("/{int:app_id}/delivery", response=WRITE)
def delivery(request: HttpRequest, app_id: int, payload: DeliveryIn) -> Any:
    """Record how and when the reply reached the applicant."""
    actor = _staff(request)
    app = actions_replies.record_delivery(
        actor=actor, application=_get(actor, app_id), on=payload.on, note=payload.note
    )
    return _detail(app)


__all__ = ["router"]
