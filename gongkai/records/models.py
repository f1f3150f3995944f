"""Records the annual report needs that no other module holds (DESIGN §2.6).

Administrative review, litigation and complaint cases about disclosure (table 四), reading
rooms and their visits, staff, spending on disclosure work, and decision counts kept in
other systems (行政处罚, 行政强制), entered or imported per unit and year.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DisputeKind(models.TextChoices):
    REVIEW = "review", _("Administrative review")  # 行政复议
    LITIGATION_DIRECT = "litigation_direct", _("Litigation without review")  # 未经复议直接起诉
    LITIGATION_AFTER_REVIEW = "litigation_after_review", _("Litigation after review")  # 复议后起诉
    COMPLAINT = "complaint", _("Complaint")  # 申诉 (2008-era reports)


class DisputeResult(models.TextChoices):
    MAINTAINED = "maintained", _("Maintained")  # 结果维持
    CORRECTED = "corrected", _("Corrected")  # 结果纠正
    OTHER = "other", _("Other result")  # 其他结果
    PENDING = "pending", _("Not yet concluded")  # 尚未审结


class DisputeCase(models.Model):
    """A review, lawsuit or complaint about an organisation's disclosure (table 四)."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="dispute_cases",
        verbose_name=_("respondent organisation"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DisputeKind.choices)
    reference = models.CharField(_("case reference"), max_length=100, help_text=_("e.g. 攸政复字〔2021〕3号"))
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
        verbose_name=_("application in dispute"),
    )
    review_case = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lawsuits",
        verbose_name=_("the review before the lawsuit"),
    )
    subject = models.CharField(_("what is disputed"), max_length=300)
    body = models.CharField(_("review body or court"), max_length=200, blank=True)
    filed_on = models.DateField(_("filed on"))
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=12, choices=DisputeResult.choices, default=DisputeResult.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("review, litigation or complaint case")
        verbose_name_plural = _("review, litigation and complaint cases")
        indexes = [
            models.Index(fields=["organisation", "kind", "filed_on"]),
            models.Index(fields=["kind", "concluded_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="pending", concluded_on__isnull=True)
                | (~Q(result="pending") & Q(concluded_on__isnull=False)),
                name="dispute_concluded_with_result",
            ),
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(concluded_on__gte=models.F("filed_on")),
                name="dispute_concluded_after_filed",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ReadingRoom(models.Model):
    """A public reading room or look-up point (查阅场所 / 查阅点) for government information."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="reading_rooms",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=60, blank=True)
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation_id", "name"]
        verbose_name = _("reading room")
        verbose_name_plural = _("reading rooms")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="reading_room_once")]

    def __str__(self) -> str:
        return self.name


class ReadingRoomVisit(models.Model):
    """The visit register: visitors received on one day (人次), with what they looked for."""

    room = models.ForeignKey(
        ReadingRoom, on_delete=models.PROTECT, related_name="visits", verbose_name=_("room")
    )
    day = models.DateField(_("date"))
    visitors = models.PositiveIntegerField(_("visitors"), validators=[MinValueValidator(1)])
    purpose = models.CharField(_("information asked for"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("reading-room visit")
        verbose_name_plural = _("reading-room visits")
        indexes = [models.Index(fields=["room", "day"])]

    def __str__(self) -> str:
        return f"{self.room_id} {self.day}: {self.visitors}"


class Source(models.TextChoices):
    ENTERED = "entered", _("Entered by hand")
    IMPORTED = "imported", _("Imported from a file")


class YearFigure(models.Model):
    """Common fields of a figure entered per organisation and year, with who entered it and when."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ENTERED)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        abstract = True


class StaffFigure(YearFigure):
    """Staff doing disclosure work in a unit in a year (工作人员配备)."""

    full_time = models.PositiveSmallIntegerField(_("full-time staff"))
    part_time = models.PositiveSmallIntegerField(_("part-time staff"))

    class Meta:
        ordering = ["-year", "organisation_id"]
        verbose_name = _("staff figure")
        verbose_name_plural = _("staff figures")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="staff_figure_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.full_time}+{self.part_time}"


class SpendingFigure(YearFigure):
    """Money spent on disclosure work by a unit in a year (财政投入), in yuan."""

    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    purpose = models.CharField(
        _("spent on"), max_length=200, blank=True, help_text=_("e.g. 宣传培训、网站建设、设备配备")
    )

    class Meta:
        ordering = ["-year", "organisation_id"]
        verbose_name = _("spending figure")
        verbose_name_plural = _("spending figures")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="spending_figure_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.amount}"


class DecisionKind(models.TextChoices):
    PENALTY = "penalty", _("Administrative penalty")  # 行政处罚
    ENFORCEMENT = "enforcement", _("Administrative enforcement")  # 行政强制
    LICENSING = "licensing", _("Administrative licensing (held elsewhere)")  # 行政许可 outside the centre


class DecisionCount(YearFigure):
    """Decisions a unit made in a year that another system holds (table 二, 第二十条第（五）（六）项)."""

    kind = models.CharField(_("kind"), max_length=12, choices=DecisionKind.choices)
    count = models.PositiveIntegerField(_("decisions"))

    class Meta:
        ordering = ["-year", "organisation_id", "kind"]
        verbose_name = _("decision count")
        verbose_name_plural = _("decision counts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "kind"], name="decision_count_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year} {self.kind}: {self.count}"
