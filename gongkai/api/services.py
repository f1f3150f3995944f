"""/api/v1/services: the service catalogue (public) and service cases (staff).

Items: the published, active catalogue is public (``ServiceItemPolicy`` "view"); staff tokens
also reach their units' unpublished items with ``drafts=true``. Creating and editing go
through ``save_item`` / ``set_item_published`` (the unit's clerks, reviewers and
administrators: 403 for others; 400 naming the field for bad input).

Cases: staff tokens only, scoped by ``ServiceCasePolicy`` ("view_office"); a case outside the
caller's roles is a 404. Receiving, accepting, refusing, fees and completion go through
``gongkai.services.actions`` (window staff of the centre or the unit; 403 for others on a case
they may see, e.g. supervisors). The tracking code is returned once, by the POST that
receives the case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gongkai.api.auth import require_staff
from gongkai.api.schemas import ID_RANGE, Message
from gongkai.api.schemas_services import (
    CompleteIn,
    DayIn,
    ReceiveIn,
    RejectIn,
    ServiceCaseCreatedOut,
    ServiceCaseOut,
    ServiceCasePage,
    ServiceFeeIn,
    ServiceItemIn,
    ServiceItemOut,
    ServiceItemPage,
    ServiceItemPatch,
)
from gongkai.core.actions import ActionError, authorize
from gongkai.orgs.models import Organisation
from gongkai.orgs.policies import OrganisationPolicy
from gongkai.services import actions
from gongkai.services.models import CaseChannel, CaseStatus, ItemKind, ServiceCase, ServiceItem, ServiceWindow
from gongkai.services.policies import ServiceCasePolicy, ServiceItemPolicy, ServiceWindowPolicy

router = Router(tags=["services"])
items_policy = ServiceItemPolicy()
cases_policy = ServiceCasePolicy()
MAX_PER_PAGE = 100
MAX_PAGE = 1000
OPEN = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED)
CASE_RELATED = ("item", "organisation", "centre", "window", "clock")

ITEM_READ = {200: ServiceItemOut, 401: Message, 403: Message, 404: Message}
ITEM_WRITE = {200: ServiceItemOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}
CASE_READ = {200: ServiceCaseOut, 401: Message, 403: Message, 404: Message}
CASE_WRITE = {200: ServiceCaseOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _staff(request: HttpRequest) -> Any:
    actor = _actor(request)
    require_staff(actor)
    return actor


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices:
        raise ActionError({field: [_("Unknown value “%(value)s”; use one of: %(choices)s.")
                                   % {"value": value, "choices": ", ".join(choices)}]})  # fmt: skip
    return value


def _page(qs: QuerySet, page: int, per_page: int, row: Any) -> dict[str, Any]:
    offset = (page - 1) * per_page
    return {"count": qs.count(), "page": page, "per_page": per_page,
            "results": [row(obj) for obj in qs[offset : offset + per_page]]}  # fmt: skip


# --- items ------------------------------------------------------------------------------------


def _item_summary(item: ServiceItem) -> dict[str, Any]:
    return {
        "id": item.pk, "organisation_id": item.organisation_id, "organisation": item.organisation.name,
        "code": item.code, "name": item.name, "kind": item.kind, "statutory_limit_days": item.statutory_limit_days,
        "promised_limit_days": item.promised_limit_days, "fee_free": item.fee_free, "fee_amount": item.fee_amount,
        "fee_unit": item.fee_unit, "online": item.online, "published": item.published, "is_active": item.is_active,
    }  # fmt: skip


def _item_detail(item: ServiceItem) -> dict[str, Any]:
    item = ServiceItem.objects.select_related("organisation", "window").get(pk=item.pk)
    return {
        **_item_summary(item), "legal_basis": item.legal_basis, "conditions": item.conditions,
        "materials": item.material_list(), "process": item.process_steps(), "fee_basis": item.fee_basis,
        "window_id": item.window_id, "window": str(item.window) if item.window_id else None,
        "location": item.location, "issues_certificate": item.issues_certificate,
        "certificate_name": item.certificate_name,
    }  # fmt: skip


def _window(actor: Any, pk: int | None, field: str = "window_id") -> ServiceWindow | None:
    if pk is None:
        return None
    window = ServiceWindowPolicy().visible_to(actor).select_related("centre").filter(pk=pk).first()
    if window is None:
        raise ActionError({field: [_("No such window.")]})
    return window


@router.get("/items", response={200: ServiceItemPage, 400: Message, 401: Message, 422: Message})
def list_items(
    request: HttpRequest,
    organisation: int | None = Query(None, **ID_RANGE, description="An implementing unit (id)."),
    under: int | None = Query(None, **ID_RANGE, description="This organisation and the units below it."),
    kind: str | None = Query(None, description="licensing, non_licensing, public_service or other."),
    online: bool | None = Query(None, description="Only items that can (or cannot) be applied for online."),
    charged: bool | None = Query(None, description="Only charged (or free) items."),
    q: str | None = Query(None, max_length=100, description="Part of the name or the item code."),
    drafts: bool = Query(False, description="Staff: the unpublished and inactive items they reach too."),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The service guide (办事指南): published, active items; public."""
    qs = items_policy.visible_to(_actor(request)).select_related("organisation")
    if not drafts:
        qs = qs.filter(published=True, is_active=True)
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if under is not None:
        path = Organisation.objects.filter(pk=under).values_list("path", flat=True).first()
        qs = qs.filter(organisation__path__startswith=path) if path else qs.none()
    if kind:
        qs = qs.filter(kind=_choice(kind, ItemKind.values, "kind"))
    if online is not None:
        qs = qs.filter(online=online)
    if charged is not None:
        qs = qs.filter(fee_free=not charged)
    if q and q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(code__iexact=q.strip()))
    return _page(qs.order_by("organisation__path", "code", "id"), page, per_page, _item_summary)


def _template(kind: str, fmt: str) -> HttpResponse:
    from gongkai.disclosure.exports import CONTENT_TYPES
    from gongkai.services.imports import case_template, item_template

    data = (item_template if kind == "services" else case_template)(fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response


FORMAT = Query("csv", pattern="^(csv|xlsx)$", description="csv or xlsx")


@router.get("/items/template", response={200: None, 422: Message})
def item_template(request: HttpRequest, format: str = FORMAT) -> Any:  # noqa: A002
    """The import template (``gongkai import services FILE``): the header and one example row."""
    return _template("services", format)


@router.get("/cases/template", response={200: None, 422: Message})
def case_template(request: HttpRequest, format: str = FORMAT) -> Any:  # noqa: A002
    """The import template (``gongkai import cases FILE``): the header and one example row."""
    return _template("cases", format)


@router.get("/items/{int:item_id}", response=ITEM_READ)
def get_item(request: HttpRequest, item_id: int) -> Any:
    return _item_detail(items_policy.get(_actor(request), "view", pk=item_id))


@router.post("/items", response={201: ServiceItemOut, 400: Message, 401: Message, 403: Message, 422: Message})
def create_item(request: HttpRequest, payload: ServiceItemIn) -> Any:
    actor = _staff(request)
    data = payload.dict()
    org = OrganisationPolicy().visible_to(actor).filter(pk=data.pop("organisation_id")).first()
    if org is None:
        raise ActionError({"organisation_id": [_("No such organisation.")]})
    published = data.pop("published")
    data["window"] = _window(actor, data.pop("window_id"))
    item = actions.save_item(actor=actor, organisation=org, **data)
    if published:
        item = actions.set_item_published(actor=actor, item=item, published=True)
    return Status(201, _item_detail(item))


@router.patch("/items/{int:item_id}", response=ITEM_WRITE)
def update_item(request: HttpRequest, item_id: int, payload: ServiceItemPatch) -> Any:
    actor = _staff(request)
    item = items_policy.get(actor, "view", pk=item_id)
    data = payload.dict(exclude_unset=True)
    published = data.pop("published", None)
    # Even an empty change is a change: who may not make one is told so, not shown the item as saved.
    authorize(actor, "publish" if published is not None and not data else "change", item)
    if "window_id" in data:
        data["window"] = _window(actor, data.pop("window_id"))
    if data:
        item = actions.save_item(actor=actor, organisation=item.organisation, item=item, **data)
    if published is not None:
        item = actions.set_item_published(actor=actor, item=item, published=published)
    return _item_detail(item)


# --- cases ------------------------------------------------------------------------------------


def _case_summary(case: ServiceCase, today: date) -> dict[str, Any]:
    due = case.clock.due_date if case.clock_id else None
    return {
        "id": case.pk, "case_number": case.case_number, "item_id": case.item_id, "item": case.item.name,
        "organisation_id": case.organisation_id, "organisation": case.organisation.name, "channel": case.channel,
        "centre_id": case.centre_id, "centre": case.centre.name if case.centre_id else None,
        "window_id": case.window_id, "window": str(case.window) if case.window_id else None,
        "status": case.status, "applicant_kind": case.applicant_kind, "applicant_name": case.applicant_name,
        "received_on": case.received_on, "accepted_on": case.accepted_on, "completed_on": case.completed_on,
        "result": case.result, "due_date": due, "overdue": case.is_open and due is not None and due < today,
        "on_time": case.on_time, "fee_amount": case.fee_amount,
    }  # fmt: skip


DETAIL = ("id_number", "phone", "email", "address", "description", "rejection_reason", "result_reason",
          "certificate_number", "fee_quantity", "fee_receipt", "fee_collected_on", "agency")  # fmt: skip


def _case_detail(case: ServiceCase) -> dict[str, Any]:
    """Everything about one case for the staff handling it; never the tracking hash."""
    case = ServiceCase.objects.select_related(*CASE_RELATED).get(pk=case.pk)
    data = _case_summary(case, timezone.localdate())
    data.update({name: getattr(case, name) for name in DETAIL})
    data["limit_days"] = case.clock.limit_days if case.clock_id else None
    data["used_days"] = getattr(case.clock, "used_days", None) if case.clock_id else None
    return data


def _case(actor: Any, number: str) -> ServiceCase:
    """A case the caller's roles reach, else 404 (forbidden and missing look the same)."""
    qs = ServiceCase.objects.select_related(*CASE_RELATED)
    return cases_policy.get(actor, "view_office", queryset=qs, case_number=(number or "").strip().upper())


STATUS_FILTERS = ("open", *CaseStatus.values)
RECEIVED_FROM = Query(None, description="Received on or after.")
RECEIVED_TO = Query(None, description="Received on or before.")


@router.get("/cases", response={200: ServiceCasePage, 400: Message, 401: Message, 403: Message, 422: Message})
def list_cases(
    request: HttpRequest,
    status: str | None = Query(None, description="A status, or “open” for every case still being handled."),
    channel: str | None = Query(None, description="window, township or online."),
    item: int | None = Query(None, **ID_RANGE, description="A service item (id)."),
    organisation: int | None = Query(None, **ID_RANGE, description="An implementing unit (id)."),
    centre: int | None = Query(None, **ID_RANGE, description="The centre that received the case (id)."),
    received_from: date | None = RECEIVED_FROM,
    received_to: date | None = RECEIVED_TO,
    overdue: bool | None = Query(None, description="Open and past the due date."),
    q: str | None = Query(None, max_length=100, description="Case number or applicant."),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The cases the caller's roles reach, newest first."""
    actor = _staff(request)
    qs = cases_policy.filter(actor, "view_office", ServiceCase.objects.select_related(*CASE_RELATED))
    today = timezone.localdate()
    if status:
        _choice(status, STATUS_FILTERS, "status")
        qs = qs.filter(status__in=OPEN) if status == "open" else qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=_choice(channel, CaseChannel.values, "channel"))
    for name, value in (("item_id", item), ("organisation_id", organisation), ("centre_id", centre)):
        if value is not None:
            qs = qs.filter(**{name: value})
    if received_from and received_to and received_from > received_to:
        raise ActionError({"received_to": [_("The end of the period comes before its start.")]})
    if received_from:
        qs = qs.filter(received_on__gte=received_from)
    if received_to:
        qs = qs.filter(received_on__lte=received_to)
    late = Q(status__in=OPEN, clock__due_date__lt=today)
    if overdue is True:
        qs = qs.filter(late)
    elif overdue is False:
        qs = qs.exclude(late)
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(Q(case_number__icontains=text) | Q(applicant_name__icontains=text))
    qs = qs.order_by("-received_on", "-id")
    return _page(qs, page, per_page, lambda case: _case_summary(case, today))


@router.get("/cases/{case_number}", response=CASE_READ)
def get_case(request: HttpRequest, case_number: str) -> Any:
    return _case_detail(_case(_staff(request), case_number))


@router.post(
    "/cases", response={201: ServiceCaseCreatedOut, 400: Message, 401: Message, 403: Message, 422: Message}
)
def receive(request: HttpRequest, payload: ReceiveIn) -> Any:
    """A case received at a window (受理): its clock starts. The tracking code is shown this once."""
    actor = _staff(request)
    data = payload.dict()
    item = (
        items_policy.visible_to(actor).select_related("organisation").filter(pk=data.pop("item_id")).first()
    )
    if item is None:
        raise ActionError({"item_id": [_("No such service item.")]})
    window = _window(actor, data.pop("window_id"))
    case, code = actions.receive_case(actor=actor, item=item, window=window, **data)
    return Status(201, {**_case_detail(case), "tracking_code": code})


@router.post("/cases/{case_number}/accept", response=CASE_WRITE)
def accept(request: HttpRequest, case_number: str, payload: DayIn) -> Any:
    """Accept an online case: its clock starts."""
    actor = _staff(request)
    return _case_detail(actions.accept_case(actor=actor, case=_case(actor, case_number), on=payload.on))


@router.post("/cases/{case_number}/reject", response=CASE_WRITE)
def reject(request: HttpRequest, case_number: str, payload: RejectIn) -> Any:
    """不予受理, with the reason the applicant is told."""
    actor = _staff(request)
    case = _case(actor, case_number)
    return _case_detail(actions.reject_case(actor=actor, case=case, reason=payload.reason, on=payload.on))


@router.post("/cases/{case_number}/fee", response=CASE_WRITE)
def fee(request: HttpRequest, case_number: str, payload: ServiceFeeIn) -> Any:
    """The fee paid: the fee standard x the quantity exactly, with the receipt number."""
    actor = _staff(request)
    case = _case(actor, case_number)
    return _case_detail(actions.collect_fee(actor=actor, case=case, amount=payload.amount, receipt=payload.receipt,
                                            quantity=payload.quantity, on=payload.on))  # fmt: skip


@router.post("/cases/{case_number}/complete", response=CASE_WRITE)
def complete(request: HttpRequest, case_number: str, payload: CompleteIn) -> Any:
    """办结: the result (and the certificate number, or the reason for not approving)."""
    actor = _staff(request)
    case = _case(actor, case_number)
    return _case_detail(actions.complete_case(actor=actor, case=case, result=payload.result, reason=payload.reason,
                                              certificate_number=payload.certificate_number, on=payload.on))  # fmt: skip


__all__ = ["router"]
