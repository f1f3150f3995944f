"""/api/v1/reports: annual reports (年度报告), published (public) and in preparation (staff).

Published: anyone reads the latest published version of each report, or an earlier one with
``?version=N``, as the same JSON as the report's JSON download
(:func:`gongkai.reports.exports.as_data`). A published version is frozen, so the figures stay as
published whatever happens to the records since; the office's working copy never shows here.

Working copies (``/reports/drafts``): staff tokens only, scoped by ``AnnualReportPolicy``
("view_office"); a report outside the caller's roles is a 404. Generating, editing the
narrative, signing off, reopening and publishing go through ``gongkai.reports.actions`` (the
same permissions: a supervisor reads but changes nothing, 403; bad input or a wrong state is a
400 with the message).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Exists, Max, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gongkai.api.auth import require_staff
from gongkai.api.schemas import Message
from gongkai.api.schemas_reports import (
    DraftOut,
    DraftPage,
    GenerateIn,
    NarrativeIn,
    PublishedReportPage,
    ReportDocumentOut,
    ReportReasonIn,
)
from gongkai.core.actions import ActionError
from gongkai.orgs.models import Organisation
from gongkai.orgs.policies import OrganisationPolicy
from gongkai.portal.queries import public_units
from gongkai.reports import actions, exports, presentation
from gongkai.reports.models import AnnualReport, PublishedVersion, ReportStatus
from gongkai.reports.policies import AnnualReportPolicy, PublishedVersionPolicy

router = Router(tags=["reports"])
report_policy = AnnualReportPolicy()
version_policy = PublishedVersionPolicy()
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_CODE_LENGTH = 18  # 统一社会信用代码

DRAFT_READ = {200: DraftOut, 401: Message, 403: Message, 404: Message}
DRAFT_WRITE = {200: DraftOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: Message}


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _staff(request: HttpRequest) -> Any:
    actor = _actor(request)
    require_staff(actor)
    return actor


def _code(value: str | None) -> str:
    return (value or "").strip().upper()[:MAX_CODE_LENGTH]


def _page(qs: QuerySet, page: int, per_page: int, row: Any) -> dict[str, Any]:
    offset = (page - 1) * per_page
    return {
        "count": qs.count(),
        "page": page,
        "per_page": per_page,
        "results": [row(obj) for obj in qs[offset : offset + per_page]],
    }


# --- working copies (staff) ---------------------------------------------------------------------------


def _drafts(actor: Any) -> QuerySet[AnnualReport]:
    qs = AnnualReport.objects.select_related("organisation").annotate(latest_version=Max("versions__number"))
    return report_policy.filter(actor, "view_office", qs)


def _draft_summary(report: AnnualReport) -> dict[str, Any]:
    org = report.organisation
    return {
        "id": report.pk,
        "organisation_id": org.pk,
        "organisation_code": org.code,
        "organisation": org.name,
        "year": report.year,
        "template": report.template,
        "rollup": report.rollup,
        "status": report.status,
        "violations": len(report.checks or []),
        "latest_version": getattr(report, "latest_version", None),
        "computed_at": report.computed_at,
        "reviewed_at": report.reviewed_at,
        "published_at": report.published_at,
    }


def _draft_detail(actor: Any, report: AnnualReport) -> dict[str, Any]:
    """The working copy as the office sees it: its state and the whole document (checks included)."""
    report = _drafts(actor).get(pk=report.pk)
    return {**_draft_summary(report), "document": exports.as_data(presentation.document_of(report))}


def _draft(actor: Any, draft_id: int) -> AnnualReport:
    """A report the caller's roles reach, else 404 (forbidden and missing look the same)."""
    return report_policy.get(
        actor, "view_office", queryset=AnnualReport.objects.select_related("organisation"), pk=draft_id
    )


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


@router.get("/drafts", response={200: DraftPage, 400: Message, 401: Message, 403: Message, 422: Message})
def list_drafts(
    request: HttpRequest,
    year: int | None = Query(None, ge=1, le=9999),
    status: str | None = Query(None, description="draft, reviewed or published."),
    org: str | None = Query(None, max_length=40, description="An organisation's code."),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The working copies of the reports the caller's roles reach, newest year first."""
    actor = _staff(request)
    qs = _drafts(actor).defer(
        "cells", "previous_cells", "sections", "org_ids"
    )  # the figures are the detail's
    if year is not None:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=_choice(status, ReportStatus.values, "status"))
    if org:
        qs = qs.filter(organisation__code=_code(org))
    return _page(qs.order_by("-year", "organisation__path", "id"), page, per_page, _draft_summary)


@router.get("/drafts/{int:draft_id}", response=DRAFT_READ)
def get_draft(request: HttpRequest, draft_id: int) -> Any:
    actor = _staff(request)
    return _draft_detail(actor, _draft(actor, draft_id))


@router.post(
    "/drafts", response={200: DraftOut, 201: DraftOut, 400: Message, 401: Message, 403: Message, 422: Message}
)
def generate(request: HttpRequest, payload: GenerateIn) -> Any:
    """Compute a report from the records (201), or a draft's figures again (200)."""
    actor = _staff(request)
    org = OrganisationPolicy().visible_to(actor).filter(code=_code(payload.organisation_code)).first()
    if org is None:
        raise ActionError({"organisation_code": [_("No such organisation.")]})
    existed = AnnualReport.objects.filter(organisation=org, year=payload.year).exists()
    report = actions.generate_report(
        actor=actor,
        organisation=org,
        year=payload.year,
        template=payload.template,
        rollup=payload.rollup,
        redraft=payload.redraft,
    )
    detail = _draft_detail(actor, report)
    return detail if existed else Status(201, detail)


@router.patch("/drafts/{int:draft_id}/narrative", response=DRAFT_WRITE)
def edit_narrative(request: HttpRequest, draft_id: int, payload: NarrativeIn) -> Any:
    """Replace the text of some sections; the checks of the narrative (R6) run again."""
    actor = _staff(request)
    report = actions.edit_narrative(actor=actor, report=_draft(actor, draft_id), sections=payload.sections)
    return _draft_detail(actor, report)


@router.post("/drafts/{int:draft_id}/review", response=DRAFT_WRITE)
def review(request: HttpRequest, draft_id: int) -> Any:
    """Sign the draft off (审核): every check passes and every section is written."""
    actor = _staff(request)
    return _draft_detail(actor, actions.review_report(actor=actor, report=_draft(actor, draft_id)))


@router.post("/drafts/{int:draft_id}/reopen", response=DRAFT_WRITE)
def reopen(request: HttpRequest, draft_id: int, payload: ReportReasonIn) -> Any:
    """Back to draft; a published version stays public as it is until the next one."""
    actor = _staff(request)
    report = actions.reopen_report(actor=actor, report=_draft(actor, draft_id), reason=payload.reason)
    return _draft_detail(actor, report)


@router.post("/drafts/{int:draft_id}/publish", response=DRAFT_WRITE)
def publish(request: HttpRequest, draft_id: int, payload: ReportReasonIn) -> Any:
    """Publish a signed-off report as a new frozen version (a correction needs its reason)."""
    actor = _staff(request)
    version = actions.publish_report(actor=actor, report=_draft(actor, draft_id), reason=payload.reason)
    return _draft_detail(actor, version.report)


# --- published reports (public) ---------------------------------------------------------------------


def _public_versions(user: Any) -> QuerySet[PublishedVersion]:
    """The published versions the reader may see, of organisations shown on the portal."""
    return version_policy.visible_to(user).filter(report__organisation__in=public_units(user))


def _published_row(version: PublishedVersion) -> dict[str, Any]:
    org = version.report.organisation
    return {
        "organisation_code": org.code,
        "organisation": org.name,
        "year": version.report.year,
        "version": version.number,
        "corrected": version.number > 1,
        "published_at": version.published_at,
    }


@router.get("", response={200: PublishedReportPage, 400: Message, 422: Message})
def list_published(
    request: HttpRequest,
    org: str | None = Query(None, max_length=40, description="An organisation's code."),
    year: int | None = Query(None, ge=1, le=9999),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """The published annual reports, the latest version of each, newest year first; public."""
    later = PublishedVersion.objects.filter(report=OuterRef("report"), number__gt=OuterRef("number"))
    qs = (
        _public_versions(_actor(request))
        .filter(~Exists(later))
        .select_related("report__organisation")
        .only(
            "number",
            "published_at",
            "report__year",
            "report__organisation__name",
            "report__organisation__code",
            "report__organisation__path",
        )
    )
    if org:
        found: Organisation | None = public_units(_actor(request)).filter(code=_code(org)).first()
        if found is None:
            raise ActionError({"org": [_("There is no such organisation.")]})
        qs = qs.filter(report__organisation=found)
    if year is not None:
        qs = qs.filter(report__year=year)
    qs = qs.order_by("-report__year", "report__organisation__path", "id")
    return _page(qs, page, per_page, _published_row)


@router.get("/{code}/{int:year}", response={200: ReportDocumentOut, 404: Message, 422: Message})
def get_published(
    request: HttpRequest,
    code: str,
    year: int,
    version: int | None = Query(
        None, ge=1, le=9999, description="An earlier version; the latest if not given."
    ),
) -> Any:
    """One organisation's published report for a year, as its JSON download; public."""
    org = public_units(_actor(request)).filter(code=_code(code)).first()
    if org is None or not 1 <= year <= 9999:
        raise Http404
    versions = (
        _public_versions(_actor(request))
        .select_related("report")
        .filter(report__organisation=org, report__year=year)
    )
    chosen = (
        versions.filter(number=version) if version is not None else versions.order_by("-number")
    ).first()
    if chosen is None:
        raise Http404
    chosen.report.organisation = org
    doc = presentation.document_of(chosen)
    # A published version passed every check; the lists of the office's working stay in the office.
    return exports.as_data(dataclasses.replace(doc, checks=[]))


__all__ = ["router"]
