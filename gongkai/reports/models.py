"""Stored annual reports (年度报告): the office's working copy and its published versions.

An :class:`AnnualReport` is one organisation's report for one year: the figures computed from
the records (stored, so the office reviews what it will publish), the narrative the office
edits, and the result of the checks R1–R6. It moves draft → reviewed → published. Publishing
freezes a :class:`PublishedVersion`: a copy of the figures, narrative and checks that never
changes afterwards, whatever happens to the records. A correction is a later version with its
reason shown beside it.

Cells are stored as ``{"table/row/column": value}``: integers, decimals as strings, ``None``
for a figure the records cannot give.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.reports.tables import TEMPLATES


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    REVIEWED = "reviewed", _("Reviewed")  # 已审核
    PUBLISHED = "published", _("Published")  # 已发布


TEMPLATE_CHOICES = [
    ("2021", _("2021 standard format (国办公开办函〔2021〕30号)")),
    ("2019", _("2019 trial format (国办公开办函〔2019〕60号)")),
    ("2008", _("2008-era narrative report")),
]
assert [t for t, _label in TEMPLATE_CHOICES] == list(TEMPLATES)


def dump_cells(cells: dict[str, Any]) -> dict[str, Any]:
    """Cells in a JSON-safe form (decimals as strings, so no float rounding creeps in)."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in cells.items()}


def load_cells(cells: dict[str, Any]) -> dict[str, Any]:
    return {k: Decimal(v) if isinstance(v, str) else v for k, v in (cells or {}).items()}


class ReportContent(models.Model):
    """What the working copy and a published version both hold."""

    template = models.CharField(_("format"), max_length=4, choices=TEMPLATE_CHOICES)
    rollup = models.BooleanField(_("with the units below"), default=True)
    org_ids = models.JSONField(default=list, editable=False)  # the organisations counted
    cells = models.JSONField(default=dict, editable=False)
    previous_cells = models.JSONField(default=dict, editable=False)  # the year before, for changes
    sections = models.JSONField(_("narrative"), default=dict)  # section key -> text
    checks = models.JSONField(default=list, editable=False)  # violations: rule, message, cells
    computed_at = models.DateTimeField(_("figures computed at"), null=True, editable=False)

    class Meta:
        abstract = True

    def figures(self) -> dict[str, Any]:
        return load_cells(self.cells)

    def previous_figures(self) -> dict[str, Any]:
        return load_cells(self.previous_cells)


class AnnualReport(ReportContent):
    """An organisation's annual report for a year: the copy the office generates, edits and signs off."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="annual_reports",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-year", "organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_report_per_org_year")
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    @property
    def has_violations(self) -> bool:
        return bool(self.checks)

    def latest_version(self) -> PublishedVersion | None:
        return self.versions.order_by("-number").first()


class PublishedVersion(ReportContent):
    """A published, frozen copy of an annual report (a correction is a later version)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_version_number")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    @property
    def organisation(self) -> Any:
        return self.report.organisation

    @property
    def year(self) -> int:
        return self.report.year


class ReminderStage(models.TextChoices):
    SOON = "soon", _("Due soon")  # 即将到期
    OVERDUE = "overdue", _("Overdue")  # 已逾期


class DeadlineReminder(models.Model):
    """A unit was told its annual report is due soon, or overdue: once per stage and year."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    stage = models.CharField(_("stage"), max_length=8, choices=ReminderStage.choices)
    due = models.DateField(_("due date"))
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "stage"], name="one_reminder_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year} {self.stage}"
