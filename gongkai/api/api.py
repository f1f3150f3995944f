"""The JSON API at /api/v1/ (django-ninja). Endpoints call the same policies and
actions as the back office; errors are JSON with a ``message``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from gongkai.accounts.models import TokenScope
from gongkai.api.applications import router as applications_router
from gongkai.api.auth import ApiCredentials, require_staff
from gongkai.api.decisions import router as decisions_router
from gongkai.api.disclosure import router as items_router
from gongkai.api.interaction import router as letters_router
from gongkai.api.records import router as records_router
from gongkai.api.reports import router as reports_router
from gongkai.api.schemas import (
    ID_RANGE,
    MAX_NUMBER,
    CalendarYearOut,
    Id,
    IsWorkdayOut,
    MeOut,
    Message,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    OrganisationPatch,
    WorkdayAddOut,
)
from gongkai.api.services import router as services_router
from gongkai.core.actions import ActionError
from gongkai.orgs import actions as org_actions
from gongkai.orgs.models import OrgKind
from gongkai.orgs.policies import OrganisationPolicy
from gongkai.workdays.calendar import check_year, get_calendar
from gongkai.workdays.engine import compute_due, explain
from gongkai.workdays.models import CalendarDay, CalendarYear

SAFE = {"get", "head", "options"}


class GongkaiAPI(NinjaAPI):
    """NinjaAPI whose schema also names the answers every operation can give through the shared
    authentication and validation, so that no operation has to repeat them (ApiCredentials)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"]["schemas"].setdefault(
            "Message", Message.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        message = {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                answers = operation["responses"]
                # A malformed or unknown token is refused on every operation.
                answers.setdefault(401, {"description": "Unauthorized", "content": message})
                if method in SAFE:
                    # Reads work without credentials (public endpoints answer, staff ones refuse).
                    operation["security"] = [{}, *operation.get("security", [])]
                else:
                    # A read-only token is refused on every write.
                    answers.setdefault(403, {"description": "Forbidden", "content": message})
                # Malformed parameters or body, and text with a NUL character anywhere in the request.
                answers.setdefault(422, {"description": "Unprocessable Content", "content": message})
                operation["responses"] = dict(sorted(answers.items(), key=lambda kv: str(kv[0])))
        return schema

    @property
    def urls(self) -> Any:
        patterns, app_name, namespace = super().urls
        # Last: a path under /api/v1/ that names no operation (an id that is not a number, say)
        # is a JSON 404 like any other, not the portal's HTML page (newlines included).
        return [*patterns, re_path(r"^[\s\S]*$", _unknown_path)], app_name, namespace


@csrf_exempt  # like every operation: the API authenticates by token, never by cookie
def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return JsonResponse({"message": "Not found."}, status=404)


api = GongkaiAPI(
    title="Gongkai API",
    version="1",
    description="Open-government platform: organisations, working days, and (as modules land) disclosure, "
    "applications, letters, services and reports. Authenticate with `Authorization: Bearer <token>`; "
    "tokens are created in the back office (read-only or read-write).",
    auth=ApiCredentials(),
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, message: str, errors: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "Authentication required.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "You are not allowed to do this.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    flat = (
        "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        if isinstance(errors, dict)
        else "; ".join(errors)
    )
    return _error(request, 400, flat or "Invalid input.", errors)


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    parts = []
    for err in exc.errors:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body", "path"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return _error(request, 422, "; ".join(parts) or "Invalid input.", exc.errors)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- who am I -------------------------------------------------------------------------------


@api.get("/me", response={200: MeOut, 401: Message}, tags=["accounts"])
def me(request: HttpRequest) -> Any:
    actor = _actor(request)
    if not getattr(actor, "is_authenticated", False):
        raise HttpError(401, "This endpoint needs an API token or a signed-in session.")
    roles = [
        {"organisation_id": a.organisation_id, "organisation": a.organisation.name, "role": a.role,
         "covers_subunits": a.covers_subunits}
        for a in actor.role_assignments.select_related("organisation")
    ]  # fmt: skip
    token = getattr(request, "api_token", None)
    return {
        "username": actor.username,
        "display_name": actor.display_name,
        "kind": actor.kind,
        "roles": roles,
        "token_scope": token.scope if token else None,
    }


# --- organisations --------------------------------------------------------------------------


@api.get("/organisations", response={200: OrganisationPage, 404: Message}, tags=["organisations"])
def list_organisations(
    request: HttpRequest,
    kind: OrgKind | None = None,
    parent: Id | None = None,
    under: int | None = Query(None, **ID_RANGE, description="Only this organisation and the units below it."),
    q: str | None = Query(None, max_length=100),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_NUMBER),
) -> Any:
    qs = OrganisationPolicy().visible_to(_actor(request))
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if under is not None:
        root = OrganisationPolicy().get(_actor(request), pk=under)
        qs = qs.filter(path__startswith=root.path)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(short_name__icontains=q) | qs.filter(code=q.upper())
    qs = qs.order_by("path", "sort_order", "id")
    return {"count": qs.count(), "results": list(qs[offset : offset + limit])}


@api.get("/organisations/{org_id}", response={200: OrganisationOut, 404: Message}, tags=["organisations"])
def get_organisation(request: HttpRequest, org_id: int) -> Any:
    return OrganisationPolicy().get(_actor(request), pk=org_id)


@api.post(
    "/organisations",
    response={201: OrganisationOut, 400: Message, 401: Message, 403: Message},
    tags=["organisations"],
)
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Any:
    actor = _actor(request)
    require_staff(actor)
    data = payload.dict()
    parent_id = data.pop("parent_id")
    parent = None
    if parent_id is not None:
        parent = OrganisationPolicy().visible_to(actor).filter(pk=parent_id).first()
        if parent is None:
            raise ActionError({"parent_id": ["No such organisation."]})
    if data["kind"] not in OrgKind.values:
        raise ActionError({"kind": [f"Unknown kind; use one of {', '.join(OrgKind.values)}."]})
    org = org_actions.create_organisation(actor=actor, parent=parent, **data)
    return Status(201, org)


@api.patch("/organisations/{org_id}", response={200: OrganisationOut, 400: Message, 403: Message, 404: Message},
           tags=["organisations"])  # fmt: skip
def update_organisation(request: HttpRequest, org_id: int, payload: OrganisationPatch) -> Any:
    actor = _actor(request)
    require_staff(actor)
    org = OrganisationPolicy().get(actor, "change", pk=org_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    reason = data.pop("reason", "")
    return org_actions.update_organisation(actor=actor, organisation=org, reason=reason, **data)


# --- working days ---------------------------------------------------------------------------


@api.get("/workdays/add", response={200: WorkdayAddOut, 400: Message, 422: Message}, tags=["workdays"])
def workdays_add(request: HttpRequest, start: date, days: int = Query(..., ge=0, le=1000)) -> Any:
    """The ``days``-th working day after ``start`` (day 0), with how it was computed."""
    check_year(start.year)
    try:
        result = compute_due(get_calendar(), start, days)
    except ValueError as exc:
        raise ActionError(str(exc)) from exc
    return {
        "start": start,
        "days": days,
        "due": result.due,
        "provisional": result.provisional,
        "provisional_years": list(result.provisional_years),
        "explanation_zh": explain(result, "zh"),
        "explanation_en": explain(result, "en"),
    }


@api.get("/workdays/is-workday", response={200: IsWorkdayOut, 400: Message, 422: Message}, tags=["workdays"])
def is_workday(request: HttpRequest, date: date) -> Any:  # noqa: A002 (the query parameter is called date)
    check_year(date.year)
    cal = get_calendar()
    return {"date": date, "workday": cal.is_workday(date), "provisional": not cal.is_official(date.year)}


@api.get("/workdays/calendar/{year}", response={200: CalendarYearOut, 400: Message}, tags=["workdays"])
def calendar_year(request: HttpRequest, year: int) -> Any:
    year = check_year(year)
    cy = CalendarYear.objects.filter(year=year).first()
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date").values("date", "kind", "name"))
    return {
        "year": year,
        "official": cy is not None,
        "source": cy.source if cy else "",
        "notice": cy.notice if cy else "",
        "days": days,
    }


api.add_router("/items", items_router)
api.add_router("/applications", applications_router)
api.add_router("/letters", letters_router)
api.add_router("/decisions", decisions_router)
api.add_router("/services", services_router)
api.add_router("/reports", reports_router)
api.add_router("/records", records_router)

__all__ = ["api", "TokenScope", "get_object_or_404"]
