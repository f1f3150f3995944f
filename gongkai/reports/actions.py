"""Actions on annual reports: generate, edit the narrative, sign off, publish, reopen.

``generate_report`` computes every figure from the records and stores them with the year
before (for the changes and R5), drafts the narrative from the figures and runs R1–R6. The
office edits the narrative of a draft (R6 runs again on every edit); a reviewer signs the
report off once no check fails and every section is written, and publishes it: publishing
freezes a numbered version. Reopening a published report and publishing again makes a
correction, which needs its reason.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, after_commit, authorize
from gongkai.orgs.models import Organisation
from gongkai.reports import drafting, stored, tables
from gongkai.reports.models import AnnualReport, PublishedVersion, ReportStatus, dump_cells

FIRST_YEAR = 2008  # the first year of the Regulations on Open Government Information
MAX_SECTION_CHARS = 20_000
MAX_REASON_CHARS = 2_000
CONTENT_FIELDS = (
    "template",
    "rollup",
    "org_ids",
    "cells",
    "previous_cells",
    "sections",
    "checks",
    "computed_at",
)


def _check_year(year: Any) -> int:
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    if isinstance(year, bool) or not isinstance(year, int):
        raise ActionError({"year": _("Enter a year.")})
    last = timezone.localdate().year
    if not FIRST_YEAR <= year <= last:
        raise ActionError(
            {"year": _("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": last}}
        )
    return year


def _check_template(template: Any, year: int) -> str:
    if template in (None, ""):
        return tables.default_template(year)
    if template not in tables.TEMPLATES:
        raise ActionError({"template": _("Choose one of the formats: %(formats)s.") % {
            "formats": ", ".join(tables.TEMPLATES)}})  # fmt: skip
    return str(template)


def _checks(report: tables.Report, previous: tables.Report, sections: dict[str, str]) -> list[dict[str, Any]]:
    return stored.serialise(
        [*stored.table_checks(report, previous), *stored.narrative_checks(report, sections)]
    )


@action
def generate_report(
    *,
    actor: Any,
    organisation: Organisation,
    year: Any,
    template: str | None = None,
    rollup: bool = True,
    redraft: bool = False,
) -> AnnualReport:
    """Create the year's report, or compute the figures of a draft again from the records.

    A new report gets a narrative drafted from its figures; an existing draft keeps the office's
    text unless ``redraft`` (which keeps the free-text sections the office wrote).
    """
    year = _check_year(year)
    template = _check_template(template, year)
    authorize(actor, "change", AnnualReport(organisation=organisation, year=year))
    existing = AnnualReport.objects.select_for_update().filter(organisation=organisation, year=year).first()
    if existing is not None and existing.status != ReportStatus.DRAFT:
        raise ActionError(_("This report has been signed off: reopen it before computing its figures again."))
    report = tables.compute(organisation, year, rollup=rollup, template=template)
    previous = tables.compute(organisation, year - 1, rollup=rollup, template=template)
    obj = existing or AnnualReport(organisation=organisation, year=year)
    template_changed = existing is not None and existing.template != template
    drafted = drafting.draft(report, previous if tables.has_figures(previous) else None)
    if existing is None or redraft or template_changed:
        kept = {k: v for k, v in (obj.sections or {}).items() if k in drafting.FREE_TEXT and v.strip()}
        sections = {**drafted, **({} if template_changed else kept)}
    else:
        sections = {k: obj.sections.get(k, drafted[k]) for k, _h in drafting.SECTIONS[template]}
    obj.template, obj.rollup, obj.org_ids = template, rollup, list(report.org_ids)
    obj.cells = dump_cells(report.as_dict())
    obj.previous_cells = dump_cells(previous.as_dict())
    obj.sections = sections
    obj.checks = _checks(report, previous, sections)
    obj.computed_at = timezone.now()
    obj.generated_by = actor if getattr(actor, "is_authenticated", False) else None
    obj.save()
    record(actor=actor, verb="report.generate", obj=obj, organisation=organisation,
           after={"template": template, "rollup": rollup, "violations": len(obj.checks), "redraft": redraft})  # fmt: skip
    return obj


@action
def edit_narrative(*, actor: Any, report: AnnualReport, sections: dict[str, Any]) -> AnnualReport:
    """Replace the text of some sections of a draft; R6 runs again over the whole narrative."""
    authorize(actor, "change", report)
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        raise ActionError(_("Only a draft can be edited: reopen the report first."))
    known = dict(drafting.SECTIONS[report.template])
    errors = {}
    cleaned = {}
    for key, text in sections.items():
        if key not in known:
            errors[key] = _("This format has no such section.")
        elif not isinstance(text, str):
            errors[key] = _("Enter text.")
        elif len(text) > MAX_SECTION_CHARS:
            errors[key] = _("Keep a section under %(max)s characters.") % {"max": MAX_SECTION_CHARS}
        else:
            cleaned[key] = text.replace("\r\n", "\n").strip()
    if errors:
        raise ActionError(errors)
    before = {k: report.sections.get(k, "") for k in cleaned if report.sections.get(k, "") != cleaned[k]}
    if not before:
        return report
    report.sections = {**report.sections, **cleaned}
    figures = stored.as_report(report)
    tables_only = [c for c in report.checks if c["rule"] != "R6"]
    report.checks = tables_only + stored.serialise(stored.narrative_checks(figures, report.sections))
    report.save(update_fields=["sections", "checks", "updated_at"])
    record(actor=actor, verb="report.edit", obj=report, organisation=report.organisation_id,
           before=before, after={k: cleaned[k] for k in before})  # fmt: skip
    return report


@action
def review_report(*, actor: Any, report: AnnualReport) -> AnnualReport:
    """Sign a draft off (审核): every check passes and every section is written."""
    authorize(actor, "review", report)
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        raise ActionError(_("Only a draft can be signed off."))
    if report.checks:
        raise ActionError(_("The report fails %(count)s check(s): %(first)s") % {
            "count": len(report.checks), "first": report.checks[0]["message"]})  # fmt: skip
    missing = [
        str(h) for k, h in drafting.SECTIONS[report.template] if not report.sections.get(k, "").strip()
    ]
    if missing:
        raise ActionError(_("Write these sections first: %(sections)s") % {"sections": "、".join(missing)})
    report.status = ReportStatus.REVIEWED
    report.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    record(actor=actor, verb="report.review", obj=report, organisation=report.organisation_id,
           before={"status": ReportStatus.DRAFT}, after={"status": report.status})  # fmt: skip
    return report


@action
def reopen_report(*, actor: Any, report: AnnualReport, reason: str = "") -> AnnualReport:
    """Return a signed-off or published report to draft (a published version stays as it is)."""
    authorize(actor, "review", report)
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status == ReportStatus.DRAFT:
        raise ActionError(_("The report is already a draft."))
    before = report.status
    report.status = ReportStatus.DRAFT
    report.reviewed_by, report.reviewed_at = None, None
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    record(actor=actor, verb="report.reopen", obj=report, organisation=report.organisation_id,
           before={"status": before}, after={"status": report.status}, reason=(reason or "").strip())  # fmt: skip
    return report


@action
def publish_report(*, actor: Any, report: AnnualReport, reason: str = "") -> PublishedVersion:
    """Publish a signed-off report: its figures and narrative are frozen as a new version."""
    authorize(actor, "publish", report)
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.REVIEWED:
        raise ActionError(_("Only a report that has been signed off can be published."))
    if report.checks:  # signed off before a change that failed a check cannot happen, but never publish one
        raise ActionError(_("The report fails %(count)s check(s).") % {"count": len(report.checks)})
    number = report.versions.count() + 1
    reason = (reason or "").strip()
    if number > 1 and not reason:
        raise ActionError({"reason": _("A correction needs its reason, shown beside the new version.")})
    if len(reason) > MAX_REASON_CHARS:
        raise ActionError(
            {"reason": _("Keep the reason under %(max)s characters.") % {"max": MAX_REASON_CHARS}}
        )
    now = timezone.now()
    version = PublishedVersion.objects.create(
        report=report, number=number, correction_reason=reason, published_by=actor if getattr(
            actor, "is_authenticated", False) else None, published_at=now,
        **{f: getattr(report, f) for f in CONTENT_FIELDS},
    )  # fmt: skip
    report.status = ReportStatus.PUBLISHED
    report.published_at = report.published_at or now
    report.save(update_fields=["status", "published_at", "updated_at"])
    record(actor=actor, verb="report.publish", obj=report, organisation=report.organisation_id,
           after={"version": number}, reason=reason)  # fmt: skip
    from gongkai.portal import cache as portal_cache

    after_commit(portal_cache.bump)
    return version
