"""Public pages of the annual reports (年度报告): the published reports by year, one report, its files.

Only published versions are public (``PublishedVersion``, through its policy); the office's
working copy never shows here, not even once it has been published: a report reopened for a
correction keeps showing its last published version until the correction is published. A
published version is frozen, so the page shows the figures as they were published whatever
happened to the records since. Nothing of the office's working shows: not who published, not
the records behind a cell (the public has no access to them), not the checks.

The list and the report pages are cached whole for anonymous readers (``anonymous_page``);
publishing bumps the cache generation. A downloaded file is rendered once per version, format,
language and organisation edit and kept in Django's cache: a published version never changes, and
a PDF is slow to make.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gongkai.applications.documents import PdfUnavailable
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.portal.cache import anonymous_page
from gongkai.portal.downloads import DOWNLOAD_CSP, content_disposition
from gongkai.portal.queries import public_units
from gongkai.reports import exports, presentation
from gongkai.reports.models import PublishedVersion
from gongkai.reports.policies import PublishedVersionPolicy

log = logging.getLogger("gongkai.portal")
version_policy = PublishedVersionPolicy()

# The county government first, then its departments, townships and the other bodies.
KIND_ORDER = [OrgKind.GOVERNMENT, OrgKind.DEPARTMENT, OrgKind.TOWNSHIP, OrgKind.CENTRE, OrgKind.OTHER]
EXPORT_SECONDS = 7 * 24 * 3600  # a published version never changes; the key moves with the organisation
MAX_CODE_LENGTH = 18  # 统一社会信用代码
MAX_NUMBER_DIGITS = 5  # versions are small integers; anything longer is not one
LIST_FIELDS = (
    "number", "published_at", "report__year",
    *(f"report__organisation__{f}" for f in ("name", "short_name", "code", "kind", "path", "sort_order")),
)  # fmt: skip


def org_sort_key(org: Organisation) -> tuple[Any, ...]:
    """Each government's tree together (its top organisation's id), the government first, then by kind."""
    top = org.path.strip("/").split("/")[0] if org.path else ""
    kind = KIND_ORDER.index(org.kind) if org.kind in KIND_ORDER else len(KIND_ORDER)
    return (int(top) if top.isdigit() else 0, kind, org.path.count("/"), org.sort_order, org.name)


def _public_versions(user: Any) -> QuerySet[PublishedVersion]:
    """The published versions the reader may see, of organisations shown on the portal."""
    return version_policy.visible_to(user).filter(report__organisation__in=public_units(user))


@dataclass
class Entry:
    """One organisation's report for one year in the list: its latest published version."""

    organisation: Organisation
    year: int
    number: int
    published_at: datetime
    corrected: bool
    url: str


def _entries(user: Any) -> list[Entry]:
    """Every public report's latest version, in one query (no figures or narrative read)."""
    later = PublishedVersion.objects.filter(report=OuterRef("report"), number__gt=OuterRef("number"))
    rows = (
        _public_versions(user)
        .filter(~Exists(later))
        .select_related("report__organisation")
        .only(*LIST_FIELDS)
        .order_by()
    )
    entries = []
    for v in rows:
        org = v.report.organisation
        entries.append(Entry(
            organisation=org, year=v.report.year, number=v.number, published_at=v.published_at,
            corrected=v.number > 1, url=reverse("portal:annual_report", args=[org.code, v.report.year]),
        ))  # fmt: skip
    entries.sort(key=lambda e: (-e.year, org_sort_key(e.organisation)))
    return entries


@require_safe
@anonymous_page
def report_list(request: HttpRequest) -> HttpResponse:
    """年度报告: the published reports, newest year first, filtered by year and organisation."""
    entries = _entries(request.user)
    years = sorted({e.year for e in entries}, reverse=True)
    orgs = sorted({e.organisation.code: e.organisation for e in entries}.values(), key=org_sort_key)
    errors = {}
    year_arg = request.GET.get("year", "").strip()
    org_arg = request.GET.get("org", "").strip()
    year = int(year_arg) if year_arg.isascii() and year_arg.isdigit() and len(year_arg) == 4 else None
    if year_arg and year not in years:
        errors["year"] = _("No report has been published for that year; choose one from the list.")
        year = None
    org = next((o for o in orgs if o.code == org_arg), None)
    if org_arg and org is None:  # a unit's page links here whether or not it has published one yet
        org = public_units(request.user).filter(code=org_arg[:MAX_CODE_LENGTH]).first()
        if org is None:
            errors["org"] = _("There is no such organisation; choose one from the list.")
    shown = [
        e for e in entries if (year is None or e.year == year) and (org is None or e.organisation == org)
    ]
    by_year: dict[int, list[Entry]] = {}
    for e in shown:
        by_year.setdefault(e.year, []).append(e)
    return render(request, "portal/reports/list.html", {
        "nav": "annual_reports",
        "groups": sorted(by_year.items(), reverse=True),
        "years": years,
        "orgs": orgs,
        "year": year,
        "org": org,
        "errors": errors,
        "filtered": year is not None or org is not None,
        "total": len(entries),
    })  # fmt: skip


def _organisation(user: Any, code: str) -> Organisation:
    org = public_units(user).filter(code=code).first()
    if org is None:
        raise Http404
    return org


def _versions(user: Any, org: Organisation, year: int) -> list[PublishedVersion]:
    """The report's published versions, newest first (no content read), or 404 if it has none."""
    if not 1 <= year <= 9999:
        raise Http404
    versions = list(
        _public_versions(user)
        .filter(report__organisation=org, report__year=year)
        .only("number", "published_at", "correction_reason", "report")
        .order_by("-number")
    )
    if not versions:
        raise Http404
    return versions


def _chosen(request: HttpRequest, versions: list[PublishedVersion]) -> PublishedVersion:
    """The version asked for with ``?version=N``, else the latest; an unknown or malformed one is a 404."""
    raw = request.GET.get("version")
    if raw is None or raw == "":
        return versions[0]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_NUMBER_DIGITS):
        raise Http404
    found = next((v for v in versions if v.number == int(raw)), None)
    if found is None:
        raise Http404
    return found


def _document(pk: int, org: Organisation) -> Any:
    """The version's document, with nothing of the office's working in it."""
    version = PublishedVersion.objects.select_related("report").get(pk=pk)
    version.report.organisation = org  # already read (and checked) by the view
    # A published version passed its checks; their record lists stay in the office.
    return dataclasses.replace(presentation.document_of(version), checks=[])


@require_safe
@anonymous_page
def report_page(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """One organisation's report for one year: the latest published version, or ``?version=N``."""
    org = _organisation(request.user, code)
    versions = _versions(request.user, org, year)
    chosen = _chosen(request, versions)
    doc = _document(chosen.pk, org)
    latest = versions[0]
    query = "" if chosen.number == latest.number else f"?version={chosen.number}"
    base = reverse("portal:annual_report", args=[org.code, year])
    downloads = [
        {"fmt": fmt, "label": fmt.upper(),
         "url": reverse("portal:annual_report_download", args=[org.code, year, fmt]) + query}
        for fmt in exports.FORMATS
    ]  # fmt: skip
    history = [
        {"number": v.number, "published_at": v.published_at, "reason": v.correction_reason,
         "current": v.number == chosen.number,
         "url": base if v.number == latest.number else f"{base}?version={v.number}"}
        for v in versions
    ]  # fmt: skip
    return render(request, "portal/reports/report.html", {
        "nav": "annual_reports",
        "org": org,
        "year": year,
        "version": chosen,
        "latest": latest,
        "is_latest": chosen.number == latest.number,
        "latest_url": base,
        "history": history,
        "earlier": [h for h in history if h["number"] < chosen.number],
        "downloads": downloads,
        **presentation.context(doc),
    })  # fmt: skip


def _export_key(version: PublishedVersion, org: Organisation, fmt: str) -> str:
    edited = int(org.updated_at.timestamp()) if org.updated_at else 0
    return f"portal:report-file:{version.pk}:{fmt}:{get_language()}:{org.pk}:{edited}"


@require_safe
def download(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    """The report (latest or ``?version=N``) as a DOCX, PDF, XLSX or JSON file."""
    if fmt not in exports.FORMATS:
        raise Http404
    org = _organisation(request.user, code)
    chosen = _chosen(request, _versions(request.user, org, year))
    key = _export_key(chosen, org, fmt)
    try:
        cached = cache.get(key)
    except Exception:  # a cache outage must not stop the download
        log.warning("cache unavailable for a report file", exc_info=True)
        cached = None
    if cached is None:
        doc = _document(chosen.pk, org)
        try:
            cached = (exports.render(doc, fmt), exports.filename(doc, fmt))
        except PdfUnavailable as exc:  # this server cannot make PDFs; the other formats still work
            return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
        try:
            cache.set(key, cached, EXPORT_SECONDS)
        except Exception:
            log.warning("cache unavailable for a report file", exc_info=True)
    data, name = cached
    response = HttpResponse(data, content_type=exports.FORMATS[fmt][0])
    response["Content-Disposition"] = content_disposition(
        name, f"annual-report-{org.code}-{year}-v{chosen.number}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "public, max-age=300"
    return response
