"""The working-day calendar as data, and the clock every time-limited case uses."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_YEAR = 1949
MAX_YEAR = 2100


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")  # 法定节假日（含放假的周末）
    MAKEUP = "makeup", _("Make-up working day")  # 调休上班


class SourceKind(models.TextChoices):
    PACKAGE = "package", _("National schedule shipped with the platform")
    FILE = "file", _("Loaded from a file")
    MANUAL = "manual", _("Entered by an administrator")


class CalendarYear(models.Model):
    """A year whose official holiday schedule has been entered.

    A year without a row is provisional: weekends only, and every deadline
    that reaches into it is marked provisional until the schedule arrives.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=10, choices=SourceKind.choices)
    notice = models.CharField(
        _("notice"),
        max_length=200,
        blank=True,
        help_text=_("The State Council General Office notice, e.g. 国办发明电〔2024〕12号"),
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from the plain weekend rule, or a named holiday day."""

    date = models.DateField(_("date"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarState(models.Model):
    """One row whose version changes with every calendar edit (invalidates caches).

    A random token rather than a counter: a rolled-back edit must never leave a
    cached calendar under a version number that a later edit reuses.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.CharField(max_length=32, default="initial")

    def __str__(self) -> str:
        return f"calendar v{self.version}"


class ClockKind(models.TextChoices):
    APPLICATION = "application", _("Application for disclosure")
    LETTER = "letter", _("Letter or call")
    SERVICE_CASE = "service_case", _("Service case")
    DISCLOSURE = "disclosure", _("Proactive disclosure")
    OTHER = "other", _("Other")


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class PauseReason(models.TextChoices):
    CORRECTION = "correction", _("Waiting for correction (补正)")
    THIRD_PARTY = "third_party", _("Third-party consultation")
    OTHER_AGENCY = "other_agency", _("Consultation with another agency")
    FEE = "fee", _("Waiting for fee payment")
    MATERIALS = "materials", _("Waiting for materials (补齐补正)")
    OTHER = "other", _("Other")


class ClockLevel(models.TextChoices):
    """The supervision level of a clock (电子监察): raised by the scan, lowered when the due date moves."""

    NORMAL = "normal", _("Normal")
    WARNING = "warning", _("Warning")  # 预警
    ALARM = "alarm", _("Alarm")  # 报警


_OPEN = models.Q(status__in=["running", "paused"])
_BELOW_ALARM = models.Q(level__in=["normal", "warning"])
_NORMAL = models.Q(level="normal")
_WARNING = models.Q(level="warning")
_ALARM = models.Q(level="alarm")


class Clock(models.Model):
    """A working-day time limit: start (day 0), limit, pauses, extensions, due, closed.

    ``due_date`` and ``provisional`` are stored so that lists and supervision
    filter on them with an index; they are recomputed whenever the clock or the
    calendar changes.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ClockKind.choices)
    # No single-column indexes on these two: the composite indexes below start with them, and
    # every index is one more write for each clock the supervision scan raises.
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="clocks",
        verbose_name=_("responsible unit"),
        db_index=False,
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    object_id = models.CharField(max_length=64, blank=True)
    label = models.CharField(_("case"), max_length=200, blank=True)
    start_date = models.DateField(_("start (day 0)"))
    original_start_date = models.DateField(_("first start"))
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"))
    extension_limit_days = models.PositiveSmallIntegerField(
        _("maximum extension (working days)"), null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ClockStatus.choices, default=ClockStatus.RUNNING
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    provisional = models.BooleanField(_("provisional"), default=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True)
    # Supervision: the day the warning share of the limit is reached (computed like due_date),
    # the level the scan raised the clock to, and the working days used once closed.
    warn_date = models.DateField(_("warning date"), null=True, blank=True)
    level = models.CharField(
        _("supervision level"), max_length=8, choices=ClockLevel.choices, default=ClockLevel.NORMAL
    )
    used_days = models.PositiveIntegerField(_("working days used"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["organisation", "status", "due_date"]),
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["content_type", "object_id"]),
            # The supervision scan: one small partial index per step, over open clocks only, so
            # each step reads just its candidates and a raised clock enters one index, not two.
            models.Index(fields=["due_date"], name="clock_to_alarm", condition=_OPEN & _BELOW_ALARM),
            models.Index(fields=["warn_date"], name="clock_to_warning", condition=_OPEN & _NORMAL),
            models.Index(fields=["due_date"], name="clock_in_alarm", condition=_OPEN & _ALARM),
            models.Index(fields=["warn_date"], name="clock_in_warning", condition=_OPEN & _WARNING),
        ]

    def __str__(self) -> str:
        return self.label or f"clock {self.pk}"

    @property
    def extension_days(self) -> int:
        return sum(e.days for e in self.extensions.all())


class ClockPause(models.Model):
    """Working days after ``start`` up to and including ``end`` are not counted."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    start = models.DateField(_("paused from"))
    end = models.DateField(_("resumed on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=PauseReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["start", "id"]

    def __str__(self) -> str:
        return f"{self.start}–{self.end or '…'} {self.get_reason_display()}"


class ClockExtension(models.Model):
    """An approved extension of the limit (延期), with the approving official."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("working days"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    approved_on = models.DateField(_("approved on"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["approved_on", "id"]

    def __str__(self) -> str:
        return f"+{self.days}"
