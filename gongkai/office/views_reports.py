"""Back office of the annual report (年度报告): the units against their deadlines, a report, its cells.

Thin views over ``gongkai.reports.actions`` and the report policy, like the rest of the back office:
a report is fetched through its policy (one the user may not read is a 404, exactly like a missing
one), a step the user's role does not allow is a 403, and every change is a POST that calls one
action whose errors go back onto the form that was sent. The list reads a fixed number of queries
however many units it shows; the detail page recomputes nothing unless asked (``?drift=1``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongkai.applications.documents import PdfUnavailable
from gongkai.core.policies import policy_for
from gongkai.office import forms_reports as forms
from gongkai.office.views import run_form, staff_required
from gongkai.orgs.models import Organisation
from gongkai.orgs.scope import scope_in
from gongkai.portal.downloads import content_disposition
from gongkai.reports import actions, deadlines, drafting, exports, presentation, provenance, stored, tables
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.policies import EDITORS, READERS

PAGE_SIZE = 50
# The office page of each kind of record behind a cell: (URL name, attribute holding the pk).
RECORD_PAGES: dict[str, tuple[str, str]] = {
    "applications.application": ("office:application_detail", "pk"),
    "disclosure.disclosureitem": ("office:item_detail", "pk"),
    "disclosure.attachment": ("office:item_detail", "item_id"),
    "disclosure.dailyviews": ("office:item_detail", "item_id"),
    "services.servicecase": ("office:service_case_detail", "pk"),
    "services.serviceitem": ("office:service_catalogue_edit", "pk"),
    "interaction.letter": ("office:letter_detail", "pk"),
    "records.disputecase": ("office:records_dispute", "pk"),
    "records.readingroom": ("office:records_room", "pk"),
    "records.readingroomvisit": ("office:records_room", "room_id"),
    "decisions.draftdecision": ("office:decision_detail", "pk"),
}


def today() -> date:
    """The day the deadlines are measured against (a function, so tests can move it)."""
    return timezone.localdate()


def _orgs(user: Any, roles: tuple[str, ...]) -> list[Organisation]:
    """Active organisations the user's roles reach (every one for a platform administrator)."""
    qs = Organisation.objects.filter(is_active=True).order_by("path", "sort_order", "pk")
    return list(qs if user.is_superuser else qs.filter(pk__in=scope_in(user, roles)))


def _report(request: HttpRequest, pk: int) -> AnnualReport:
    """The report through its policy: 404 for one the user may not read, as for a missing one."""
    qs = AnnualReport.objects.select_related("organisation", "generated_by", "reviewed_by")
    return policy_for(AnnualReport).get(request.user, "view_office", queryset=qs, pk=pk)


def _require(user: Any, verb: str, report: AnnualReport) -> None:
    if not policy_for(AnnualReport).can(user, verb, report):
        raise PermissionDenied


def _cell_url(report: AnnualReport, key: str | tuple[str, str, str]) -> str:
    parts = key.split("/") if isinstance(key, str) else list(key)
    return reverse("office:report_cell", args=[report.pk, *parts])


# --- the list of units against their deadlines ------------------------------------------------------


def _list_page(request: HttpRequest, generate_form: forms.GenerateForm | None = None) -> HttpResponse:
    user = request.user
    orgs = _orgs(user, READERS)
    if not orgs:
        # The nav links here for every member of staff; without a role that reads reports, say so.
        return render(request, "office/reports/list.html", {"no_scope": True})
    year_form = forms.YearForm(request.GET or None)
    year = year_form.chosen_year()
    day = today()
    visible = (
        policy_for(AnnualReport)
        .visible_to(user)
        .annotate(version_count=Count("versions"))
        .only("id", "organisation_id", "year", "status", "published_at", "template")
    )
    rows = []
    counts = {code: 0 for code in deadlines.LABELS}
    for org, report, standing in deadlines.unit_standings(orgs, year, day, visible):
        counts[standing.code] += 1
        rows.append({"organisation": org, "report": report, "standing": standing})
    editable = _orgs(user, EDITORS)
    if generate_form is None:
        generate_form = forms.GenerateForm(
            organisations=editable,
            initial={"year": year, "template": tables.default_template(year), "rollup": True},
        )
    return render(request, "office/reports/list.html", {
        "year_form": year_form, "year": year, "rows": rows, "today": day,
        "counts": [(code, label, counts[code]) for code, label in deadlines.LABELS.items()],
        "generate_form": generate_form if editable else None,
    })  # fmt: skip


@staff_required
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    """Every unit the user's roles reach, with its report's state against the year's deadline."""
    return _list_page(request)


@staff_required
@require_POST
def report_generate(request: HttpRequest) -> HttpResponse:
    user = request.user
    editable = _orgs(user, EDITORS)
    if not editable:
        raise PermissionDenied
    form = forms.GenerateForm(request.POST, organisations=editable)
    result = run_form(request, form, lambda d: actions.generate_report(
        actor=user, organisation=d["organisation"], year=d["year"], template=d["template"] or None,
        rollup=d["rollup"],
    ))  # fmt: skip
    if result:
        messages.success(request, _("The report of %(org)s for %(year)s was generated.") % {
            "org": result.organisation.display_name, "year": result.year})  # fmt: skip
        return redirect("office:report_detail", pk=result.pk)
    return _list_page(request, form)


# --- one report ---------------------------------------------------------------------------------------


def _document_context(report: AnnualReport) -> dict[str, Any]:
    """The whole document through the shared presentation, each figure linked to its records."""
    doc = presentation.document_of(report)
    return presentation.context(doc, cell_url=lambda key: _cell_url(report, key))


def _checks(report: AnnualReport) -> list[dict[str, Any]]:
    def side(s: dict[str, Any]) -> dict[str, Any]:
        return {**s, "links": [(c, _cell_url(report, c)) for c in s.get("cells", [])]}

    return [{**c, "left": side(c["left"]), "right": side(c["right"])} for c in report.checks]


def _drift(report: AnnualReport) -> list[dict[str, Any]]:
    return [
        {"key": key, "stored": was, "now": now, "url": _cell_url(report, key)}
        for key, (was, now) in sorted(stored.drift(report).items())
    ]


@staff_required
@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report = _report(request, pk)
    policy = policy_for(AnnualReport)
    versions = list(report.versions.select_related("published_by").order_by("-number"))
    draft = report.status == ReportStatus.DRAFT
    can_change = draft and policy.can(user, "change", report)
    can_review = draft and policy.can(user, "review", report)
    can_reopen = not draft and policy.can(user, "review", report)
    can_publish = report.status == ReportStatus.REVIEWED and policy.can(user, "publish", report)
    show_drift = request.GET.get("drift") == "1"
    return render(request, "office/reports/detail.html", {
        "report": report, "versions": versions, "checks": _checks(report),
        "standing": deadlines.standing(report.organisation, report.year, report, today()),
        "drift": _drift(report) if show_drift else None, "show_drift": show_drift,
        "formats": ("docx", "pdf", "xlsx", "json"),
        "can_change": can_change, "can_review": can_review, "can_reopen": can_reopen,
        "can_publish": can_publish, "is_correction": bool(versions),
        "refresh_form": forms.RefreshForm() if can_change else None,
        "reopen_form": forms.ReopenForm() if can_reopen else None,
        "publish_form": forms.PublishForm() if can_publish else None,
        **_document_context(report),
    })  # fmt: skip


def _step(request: HttpRequest, pk: int, verb: str, form_class: type, title: str, run: Any,
          done: str) -> HttpResponse:  # fmt: skip
    """One step on a report (a POST through its action); GET or an error shows the confirm page."""
    report = _report(request, pk)
    _require(request.user, verb, report)
    form = form_class(request.POST) if request.method == "POST" else form_class()
    if run_form(request, form, lambda d: run(report, d)):
        messages.success(request, done)
        return redirect("office:report_detail", pk=report.pk)
    return render(request, "office/confirm_reason.html", {
        "form": form, "object": report, "title": title,
        "cancel_url": reverse("office:report_detail", args=[report.pk]),
    })  # fmt: skip


@staff_required
def report_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _step(request, pk, "change", forms.RefreshForm, _("Compute the figures again"),
                 lambda report, d: actions.generate_report(
                     actor=user, organisation=report.organisation, year=report.year,
                     template=report.template, rollup=report.rollup, redraft=d["redraft"]),
                 _("The figures were computed again from the records."))  # fmt: skip


@staff_required
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _step(request, pk, "review", forms.ConfirmForm, _("Sign off the report"),
                 lambda report, d: actions.review_report(actor=user, report=report),
                 _("The report was signed off."))  # fmt: skip


@staff_required
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _step(request, pk, "review", forms.ReopenForm, _("Reopen the report"),
                 lambda report, d: actions.reopen_report(actor=user, report=report, reason=d["reason"]),
                 _("The report is a draft again."))  # fmt: skip


@staff_required
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user

    def publish(report: AnnualReport, d: dict[str, Any]) -> Any:
        version = actions.publish_report(actor=user, report=report, reason=d["reason"])
        messages.info(request, _("Version %(n)s is on the portal.") % {"n": version.number})
        return version

    return _step(request, pk, "publish", forms.PublishForm, _("Publish the report"), publish,
                 _("The report was published."))  # fmt: skip


# --- the narrative --------------------------------------------------------------------------------------


@staff_required
def report_narrative(request: HttpRequest, pk: int) -> HttpResponse:
    """One textarea per section of the format; the figures quoted are checked against the tables (R6)."""
    user = request.user
    report = _report(request, pk)
    _require(user, "change", report)
    sections = list(drafting.SECTIONS[report.template])
    initial = {key: report.sections.get(key, "") for key, _h in sections}
    form = forms.NarrativeForm(request.POST or None, sections=sections, initial=initial)
    result = run_form(request, form, lambda d: actions.edit_narrative(
        actor=user, report=report, sections={**d, **form.extra_sections()}))  # fmt: skip
    if result:
        failing = [c for c in result.checks if c["rule"] == "R6"]
        if failing:
            messages.warning(request, _("Saved, but %(n)s figure(s) in the text disagree with the tables.") % {
                "n": len(failing)})  # fmt: skip
        else:
            messages.success(request, _("The narrative was saved."))
        return redirect("office:report_detail", pk=report.pk)
    return render(request, "office/reports/narrative.html", {
        "report": report, "form": form, "editable": report.status == ReportStatus.DRAFT,
    })  # fmt: skip


# --- the records behind a cell ----------------------------------------------------------------------------


def _record_url(obj: Any) -> str | None:
    page = RECORD_PAGES.get(obj._meta.label_lower)
    if page is not None:
        try:
            return reverse(page[0], args=[getattr(obj, page[1])])
        except NoReverseMatch:
            return None
    url = getattr(obj, "get_absolute_url", None)
    return url() if callable(url) else None


@staff_required
@require_safe
def report_cell(request: HttpRequest, pk: int, table: str, row: str, column: str) -> HttpResponse:
    user = request.user
    report = _report(request, pk)
    layout = tables.layout(report.template)
    frame = layout.get(table)
    if frame is None:
        raise Http404
    rows, columns = dict(frame.rows), dict(frame.columns)
    if row not in rows or column not in columns:
        raise Http404
    key = (table, row, column)
    name = "/".join(key)
    figures = report.figures()
    try:
        groups = provenance.records_visible_to(user, report.organisation, report.year, key,
                                               rollup=report.rollup, template=report.template)  # fmt: skip
    except KeyError:
        groups = []
    page_number = request.GET.get("page")
    listed = []
    for qs in groups:
        page = Paginator(qs.order_by("-pk"), PAGE_SIZE).get_page(page_number)
        listed.append({
            "model": qs.model._meta.verbose_name_plural, "page": page,
            "records": [(obj, _record_url(obj)) for obj in page],
        })  # fmt: skip
    sources = [
        {"key": "/".join(s), "label": _cell_label(layout, s), "value": figures.get("/".join(s)),
         "url": _cell_url(report, s)}
        for s in provenance.sources_of(key, report.template)
    ]  # fmt: skip
    return render(request, "office/reports/cell.html", {
        "report": report, "key": name, "table_title": frame.title, "row_label": rows[row],
        "column_label": columns[column], "value": figures.get(name), "stored": name in figures,
        "definition": provenance.definition(key), "sources": sources, "groups": listed,
    })  # fmt: skip


def _cell_label(layout: dict[str, Any], key: tuple[str, str, str]) -> str:
    table, row, column = key
    frame = layout.get(table)
    if frame is None:
        return "/".join(key)
    return f"{dict(frame.rows).get(row, row)} · {dict(frame.columns).get(column, column)}"


# --- downloads ---------------------------------------------------------------------------------------------


@staff_required
@require_safe
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The working copy as a file: Word, PDF, Excel or JSON."""
    report = _report(request, pk)
    if fmt not in exports.FORMATS:
        raise Http404
    doc = presentation.document_of(report)
    try:
        data = exports.render(doc, fmt)
    except PdfUnavailable as exc:  # this server cannot make PDFs; the other formats still work
        messages.error(request, exc.message)
        return redirect("office:report_detail", pk=report.pk)
    response = HttpResponse(data, content_type=exports.FORMATS[fmt][0])
    response["Content-Disposition"] = content_disposition(exports.filename(doc, fmt), f"annual-report-{pk}")
    return response
