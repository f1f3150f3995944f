"""/api/v1/records: the records the annual report needs that no other module holds (staff tokens).

Review, litigation and complaint cases (table 四), the figures of a unit's year (staff,
spending, decision counts kept in other systems) and reading rooms with their visits. Reads are
scoped by the records' policies ("view_office"): a record outside the caller's roles is a 404.
Every change goes through ``gongkai.records.actions``: the same permissions (the unit's clerks
and administrators, the disclosure office above it; a supervisor reads only, 403), validation
(400 naming the field) and audit as the back office.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gongkai.api.auth import require_staff
from gongkai.api.schemas import Message
from gongkai.api.schemas_reports import (
    ConcludeIn,
    DecisionCountIn,
    DisputeIn,
    DisputeOut,
    DisputePage,
    ReadingRoomIn,
    ReadingRoomOut,
    ReadingRoomPage,
    SpendingIn,
    StaffFigureIn,
    VisitIn,
    VisitOut,
    VisitPage,
    YearFiguresOut,
)
from gongkai.applications.policies import ApplicationPolicy
from gongkai.core.actions import ActionError
from gongkai.orgs.models import Organisation
from gongkai.orgs.policies import OrganisationPolicy
from gongkai.records import actions
from gongkai.records.models import (
    DecisionCount,
    DisputeCase,
    DisputeKind,
    DisputeResult,
    ReadingRoom,
    ReadingRoomVisit,
    SpendingFigure,
    StaffFigure,
)
from gongkai.records.policies import (
    DecisionCountPolicy,
    DisputeCasePolicy,
    ReadingRoomPolicy,
    ReadingRoomVisitPolicy,
    SpendingFigurePolicy,
    StaffFigurePolicy,
)

router = Router(tags=["records"])
disputes_policy = DisputeCasePolicy()
rooms_policy = ReadingRoomPolicy()
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_CODE_LENGTH = 18  # 统一社会信用代码

DISPUTE_READ = {200: DisputeOut, 401: Message, 403: Message, 404: Message}
DISPUTE_WRITE = {200: DisputeOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}
FIGURES_READ = {200: YearFiguresOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}
FIGURES_WRITE = {200: YearFiguresOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}


def _staff(request: HttpRequest) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    require_staff(actor)
    return actor


def _code(value: str | None) -> str:
    return (value or "").strip().upper()[:MAX_CODE_LENGTH]


def _organisation(actor: Any, code: str, field: str | None = "organisation_code") -> Organisation:
    """The organisation a write names (400 naming ``field``, or 404 for one in the path, if there is none);
    whether the caller may write there is the action's to say."""
    org = OrganisationPolicy().visible_to(actor).filter(code=_code(code)).first()
    if org is None:
        if field is None:
            raise Http404
        raise ActionError({field: [_("No such organisation.")]})
    return org


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices:
        raise ActionError(
            {
                field: [
                    _("Unknown value “%(value)s”; use one of: %(choices)s.")
                    % {"value": value, "choices": ", ".join(choices)}
                ]
            }
        )
    return value


def _page(qs: QuerySet, page: int, per_page: int, row: Any, **extra: Any) -> dict[str, Any]:
    offset = (page - 1) * per_page
    return {
        "count": qs.count(),
        "page": page,
        "per_page": per_page,
        **extra,
        "results": [row(obj) for obj in qs[offset : offset + per_page]],
    }


def _org_fields(org: Organisation) -> dict[str, Any]:
    return {"organisation_id": org.pk, "organisation_code": org.code, "organisation": org.name}


# --- review, litigation and complaint cases --------------------------------------------------------


def _dispute_row(case: DisputeCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        **_org_fields(case.organisation),
        "kind": case.kind,
        "reference": case.reference,
        "subject": case.subject,
        "body": case.body,
        "filed_on": case.filed_on,
        "concluded_on": case.concluded_on,
        "result": case.result,
        "application_id": case.application_id,
        "review_case_id": case.review_case_id,
        "note": case.note,
    }


def _dispute(actor: Any, case_id: int) -> DisputeCase:
    """A case the caller's roles reach, else 404 (forbidden and missing look the same)."""
    qs = DisputeCase.objects.select_related("organisation")
    return disputes_policy.get(actor, "view_office", queryset=qs, pk=case_id)


@router.get("/disputes", response={200: DisputePage, 400: Message, 401: Message, 403: Message, 422: Message})
def list_disputes(
    request: HttpRequest,
    kind: str | None = Query(
        None, description="review, litigation_direct, litigation_after_review or complaint."
    ),
    result: str | None = Query(None, description="maintained, corrected, other or pending."),
    year: int | None = Query(None, ge=1, le=9999, description="Filed in this year."),
    org: str | None = Query(None, max_length=40, description="The respondent organisation's code."),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The cases about the organisations the caller's roles reach, newest first."""
    actor = _staff(request)
    qs = disputes_policy.filter(actor, "view_office", DisputeCase.objects.select_related("organisation"))
    if kind:
        qs = qs.filter(kind=_choice(kind, DisputeKind.values, "kind"))
    if result:
        qs = qs.filter(result=_choice(result, DisputeResult.values, "result"))
    if year is not None:
        qs = qs.filter(filed_on__year=year)
    if org:
        qs = qs.filter(organisation__code=_code(org))
    return _page(qs.order_by("-filed_on", "-id"), page, per_page, _dispute_row)


@router.get("/disputes/{int:case_id}", response=DISPUTE_READ)
def get_dispute(request: HttpRequest, case_id: int) -> Any:
    return _dispute_row(_dispute(_staff(request), case_id))


@router.post("/disputes", response={201: DisputeOut, 400: Message, 401: Message, 403: Message, 422: Message})
def create_dispute(request: HttpRequest, payload: DisputeIn) -> Any:
    """Record a review, lawsuit or complaint about an organisation's disclosure."""
    actor = _staff(request)
    data = payload.dict()
    org = _organisation(actor, data.pop("organisation_code"))
    application_id, review_id = data.pop("application_id"), data.pop("review_case_id")
    application = None
    if application_id is not None:
        application = ApplicationPolicy().filter(actor, "view_office").filter(pk=application_id).first()
        if application is None:
            raise ActionError({"application_id": [_("No such application.")]})
    review_case = None
    if review_id is not None:
        review_case = disputes_policy.filter(actor, "view_office").filter(pk=review_id).first()
        if review_case is None:
            raise ActionError({"review_case_id": [_("No such review case.")]})
    case = actions.save_dispute(
        actor=actor, organisation=org, application=application, review_case=review_case, **data
    )
    return Status(201, _dispute_row(_dispute(actor, case.pk)))


@router.post("/disputes/{int:case_id}/conclude", response=DISPUTE_WRITE)
def conclude_dispute(request: HttpRequest, case_id: int, payload: ConcludeIn) -> Any:
    """The result of a case (maintained, corrected or other); a case is concluded once."""
    actor = _staff(request)
    case = actions.conclude_dispute(
        actor=actor,
        case=_dispute(actor, case_id),
        result=payload.result,
        concluded_on=payload.concluded_on,
        note=payload.note,
    )
    return _dispute_row(_dispute(actor, case.pk))


# --- figures of a unit's year ------------------------------------------------------------------------


def _year(year: int) -> int:
    last = timezone.localdate().year
    if not actions.FIRST_YEAR <= year <= last:
        raise ActionError(
            {
                "year": [
                    _("Give a year from %(first)s to %(last)s.") % {"first": actions.FIRST_YEAR, "last": last}
                ]
            }
        )
    return year


def _figure_org(actor: Any, code: str, year: int) -> Organisation:
    """The organisation of the path, if the caller may read its records, else 404."""
    org = OrganisationPolicy().visible_to(actor).filter(code=_code(code)).first()
    if org is None or not StaffFigurePolicy().can(
        actor, "view_office", StaffFigure(organisation=org, year=year)
    ):
        raise Http404
    return org


def _figures(actor: Any, org: Organisation, year: int) -> dict[str, Any]:
    def one(policy: Any, model: Any) -> Any:
        return policy.filter(actor, "view_office", model.objects.filter(organisation=org, year=year)).first()

    staff = one(StaffFigurePolicy(), StaffFigure)
    spending = one(SpendingFigurePolicy(), SpendingFigure)
    decisions = DecisionCountPolicy().filter(
        actor, "view_office", DecisionCount.objects.filter(organisation=org, year=year)
    )
    meta = ("source", "note", "entered_at")
    return {
        "organisation_code": org.code,
        "organisation": org.name,
        "year": year,
        "staff": {
            "full_time": staff.full_time,
            "part_time": staff.part_time,
            **{f: getattr(staff, f) for f in meta},
        }
        if staff
        else None,
        "spending": {
            "amount": spending.amount,
            "purpose": spending.purpose,
            **{f: getattr(spending, f) for f in meta},
        }
        if spending
        else None,
        "decisions": [
            {"kind": d.kind, "count": d.count, **{f: getattr(d, f) for f in meta}}
            for d in decisions.order_by("kind")
        ],
    }


@router.get("/figures/{code}/{int:year}", response=FIGURES_READ)
def get_figures(request: HttpRequest, code: str, year: int) -> Any:
    """Staff, spending and decision counts entered for a unit's year (null or empty where none)."""
    actor = _staff(request)
    year = _year(year)
    return _figures(actor, _figure_org(actor, code, year), year)


@router.put("/figures/{code}/{int:year}/staff", response=FIGURES_WRITE)
def put_staff(request: HttpRequest, code: str, year: int, payload: StaffFigureIn) -> Any:
    """The full-time and part-time staff of disclosure work."""
    actor = _staff(request)
    org = _organisation(actor, code, None)
    actions.set_staff_figure(
        actor=actor,
        organisation=org,
        year=year,
        full_time=payload.full_time,
        part_time=payload.part_time,
        note=payload.note,
    )
    return _figures(actor, org, year)


@router.put("/figures/{code}/{int:year}/spending", response=FIGURES_WRITE)
def put_spending(request: HttpRequest, code: str, year: int, payload: SpendingIn) -> Any:
    """What the unit spent on disclosure work, in yuan."""
    actor = _staff(request)
    org = _organisation(actor, code, None)
    actions.set_spending(
        actor=actor,
        organisation=org,
        year=year,
        amount=payload.amount,
        purpose=payload.purpose,
        note=payload.note,
    )
    return _figures(actor, org, year)


@router.put("/figures/{code}/{int:year}/decisions/{kind}", response=FIGURES_WRITE)
def put_decisions(request: HttpRequest, code: str, year: int, kind: str, payload: DecisionCountIn) -> Any:
    """How many decisions of one kind (penalty, enforcement, licensing) another system holds."""
    actor = _staff(request)
    org = _organisation(actor, code, None)
    actions.set_decision_count(
        actor=actor, organisation=org, year=year, kind=kind, count=payload.count, note=payload.note
    )
    return _figures(actor, org, year)


# --- reading rooms and their visits ------------------------------------------------------------------


def _room_row(room: ReadingRoom) -> dict[str, Any]:
    return {
        "id": room.pk,
        **_org_fields(room.organisation),
        "name": room.name,
        "address": room.address,
        "opening_hours": room.opening_hours,
        "phone": room.phone,
        "is_active": room.is_active,
    }


def _room(actor: Any, room_id: int) -> ReadingRoom:
    qs = ReadingRoom.objects.select_related("organisation")
    return rooms_policy.get(actor, "view_office", queryset=qs, pk=room_id)


@router.get("/rooms", response={200: ReadingRoomPage, 401: Message, 403: Message, 422: Message})
def list_rooms(
    request: HttpRequest,
    org: str | None = Query(None, max_length=40, description="An organisation's code."),
    active: bool | None = Query(None, description="Only open (or closed) rooms."),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The reading rooms (查阅场所) of the organisations the caller's roles reach."""
    actor = _staff(request)
    qs = rooms_policy.filter(actor, "view_office", ReadingRoom.objects.select_related("organisation"))
    if org:
        qs = qs.filter(organisation__code=_code(org))
    if active is not None:
        qs = qs.filter(is_active=active)
    return _page(qs.order_by("organisation__path", "name", "id"), page, per_page, _room_row)


@router.get("/rooms/{int:room_id}", response={200: ReadingRoomOut, 401: Message, 403: Message, 404: Message})
def get_room(request: HttpRequest, room_id: int) -> Any:
    return _room_row(_room(_staff(request), room_id))


@router.post("/rooms", response={201: ReadingRoomOut, 400: Message, 401: Message, 403: Message, 422: Message})
def create_room(request: HttpRequest, payload: ReadingRoomIn) -> Any:
    actor = _staff(request)
    data = payload.dict()
    org = _organisation(actor, data.pop("organisation_code"))
    room = actions.save_reading_room(actor=actor, organisation=org, **data)
    return Status(201, _room_row(_room(actor, room.pk)))


DAY_FROM = Query(None, description="On or after.")
DAY_TO = Query(None, description="On or before.")


def _visit_row(visit: ReadingRoomVisit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "room_id": visit.room_id,
        "day": visit.day,
        "visitors": visit.visitors,
        "purpose": visit.purpose,
    }


@router.get(
    "/rooms/{int:room_id}/visits",
    response={200: VisitPage, 401: Message, 403: Message, 404: Message, 422: Message},
)
def list_visits(
    request: HttpRequest,
    room_id: int,
    day_from: date | None = DAY_FROM,
    day_to: date | None = DAY_TO,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The visit register of a room, newest first, with the visitors of every matching day."""
    actor = _staff(request)
    room = _room(actor, room_id)
    qs = ReadingRoomVisitPolicy().filter(actor, "view_office", ReadingRoomVisit.objects.filter(room=room))
    if day_from:
        qs = qs.filter(day__gte=day_from)
    if day_to:
        qs = qs.filter(day__lte=day_to)
    total = qs.aggregate(n=Sum("visitors"))["n"] or 0
    return _page(qs.order_by("-day", "-id"), page, per_page, _visit_row, visitors=total)


@router.post(
    "/rooms/{int:room_id}/visits",
    response={201: VisitOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message},
)
def record_visit(request: HttpRequest, room_id: int, payload: VisitIn) -> Any:
    """Register the visitors a room received on one day (人次)."""
    actor = _staff(request)
    visit = actions.record_visit(
        actor=actor,
        room=_room(actor, room_id),
        day=payload.day,
        visitors=payload.visitors,
        purpose=payload.purpose,
    )
    return Status(201, _visit_row(visit))


__all__ = ["router"]
