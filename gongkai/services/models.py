"""Government services (政务服务): the service-item catalogue, windows, appointments and cases.

A service item (事项) is what a unit does for the public, with its legal basis,
materials, process, time limits and fee standard (the "五公开"). A case (办件) is
one application for an item, received at a window of the county centre or a
township centre, or online, and handled to a result under a working-day clock.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    LICENSING = "licensing", _("Administrative licensing")  # 行政许可
    NON_LICENSING = "non_licensing", _("Non-licensing approval")  # 非行政许可审批
    PUBLIC_SERVICE = "public_service", _("Public service")  # 公共服务
    OTHER = "other", _("Other")  # 其他


class ServiceWindow(models.Model):
    """A window (窗口) of a service centre (the county centre or a township centre)."""

    centre = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="service_windows",
        verbose_name=_("centre"),
    )
    number = models.CharField(_("window number"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    units = models.ManyToManyField(
        "orgs.Organisation", blank=True, related_name="windows_served", verbose_name=_("units served")
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["centre_id", "sort_order", "number"]
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="window_number_once")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class ServiceItem(models.Model):
    """事项: one service of an implementing unit, with everything the guide (办事指南) shows."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="service_items",
        verbose_name=_("implementing unit"),
    )
    code = models.CharField(_("item code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    legal_basis = models.TextField(_("legal basis"))
    conditions = models.TextField(_("conditions"), blank=True)
    materials = models.TextField(_("materials"), blank=True, help_text=_("One material per line."))
    process = models.TextField(_("process"), blank=True, help_text=_("One step per line."))
    statutory_limit_days = models.PositiveSmallIntegerField(_("statutory time limit (working days)"))
    promised_limit_days = models.PositiveSmallIntegerField(
        _("promised time limit (working days)"), help_text=_("0 means handled on the spot (即办).")
    )
    fee_free = models.BooleanField(_("free of charge"), default=True)
    fee_amount = models.DecimalField(
        _("fee standard (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    fee_unit = models.CharField(_("fee unit"), max_length=20, blank=True, help_text=_("e.g. 件, 平方米, 户"))
    fee_basis = models.TextField(_("fee basis"), blank=True)
    window = models.ForeignKey(
        ServiceWindow,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        verbose_name=_("window"),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    online = models.BooleanField(_("can be applied for online"), default=False)
    issues_certificate = models.BooleanField(_("issues a certificate"), default=False)
    certificate_name = models.CharField(_("certificate"), max_length=100, blank=True)
    published = models.BooleanField(_("published in the service guide"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation_id", "code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="service_item_code_once"),
            models.CheckConstraint(
                condition=Q(promised_limit_days__lte=F("statutory_limit_days")),
                name="promised_within_statutory",
            ),
            models.CheckConstraint(
                condition=Q(fee_free=True) | Q(fee_amount__isnull=False), name="fee_standard_when_charged"
            ),
        ]
        indexes = [
            models.Index(fields=["published", "kind"]),
            models.Index(fields=["organisation", "is_active"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def on_the_spot(self) -> bool:
        return self.promised_limit_days == 0

    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    def process_steps(self) -> list[str]:
        return [line.strip() for line in self.process.splitlines() if line.strip()]


class AppointmentSlot(models.Model):
    """A time slot at a window that citizens can book, with its capacity."""

    window = models.ForeignKey(ServiceWindow, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField(_("date"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    class Meta:
        ordering = ["date", "start", "window_id"]
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        constraints = [
            models.UniqueConstraint(fields=["window", "date", "start"], name="slot_once"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_not_overbooked"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="slot_starts_before_end"),
        ]
        indexes = [models.Index(fields=["date", "window"])]

    def __str__(self) -> str:
        return f"{self.window} {self.date} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def free(self) -> int:
        return self.capacity - self.booked


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Did not come")


class Appointment(models.Model):
    """预约: a booking of a slot for an item."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    tracking_hash = models.CharField(max_length=64, editable=False)
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("service")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("mobile phone"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot__date", "slot__start", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["slot", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.slot}"


class CaseSerial(models.Model):
    """The last case number used per centre (or government, for online cases) and year."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="case_serial_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class CaseChannel(models.TextChoices):
    WINDOW = "window", _("Service centre window")  # 政务服务中心窗口
    TOWNSHIP = "township", _("Township service centre")  # 乡镇（街道）便民服务中心
    ONLINE = "online", _("Online")  # 网上办理


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted online, awaiting acceptance")
    CORRECTION = "correction", _("Waiting for missing materials")  # 补齐补正
    ACCEPTED = "accepted", _("Accepted, in process")  # 已受理
    REJECTED = "rejected", _("Not accepted")  # 不予受理
    COMPLETED = "completed", _("Completed")  # 已办结
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseResult(models.TextChoices):
    APPROVED = "approved", _("Approved")  # 准予
    DENIED = "denied", _("Not approved")  # 不予批准


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Natural person")
    ORGANISATION = "organisation", _("Legal person or other organisation")


class ServiceCase(models.Model):
    """办件: one application for a service item, from receipt to result."""

    case_number = models.CharField(_("case number"), max_length=24, unique=True, editable=False)
    tracking_hash = models.CharField(max_length=64, editable=False)
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service")
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="service_cases",
        verbose_name=_("implementing unit"),
    )
    centre = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="centre_cases",
        verbose_name=_("received at"),
    )
    window = models.ForeignKey(
        ServiceWindow,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("window"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=CaseChannel.choices)
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="case"
    )

    applicant_kind = models.CharField(
        _("applicant"), max_length=12, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = models.CharField(_("applicant name"), max_length=200)
    id_number = models.CharField(_("ID or credit code"), max_length=30, blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_cases",
    )
    description = models.TextField(_("what is applied for"), blank=True)
    # 全程代办: an agent of the centre handles the case for the applicant.
    agency = models.BooleanField(_("handled by an agent"), default=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agent_cases",
        verbose_name=_("agent"),
    )

    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    received_on = models.DateField(_("date received"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for not accepting"), blank=True)
    result = models.CharField(_("result"), max_length=10, choices=CaseResult.choices, blank=True)
    result_reason = models.TextField(_("reason"), blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    # 收费 (reported as 行政事业性收费)
    fee_quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    fee_amount = models.DecimalField(_("fee (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    fee_receipt = models.CharField(_("receipt number"), max_length=40, blank=True)
    fee_collected_on = models.DateField(_("fee collected on"), null=True, blank=True)
    fee_collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="service_case"
    )
    on_time = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("service case")
        verbose_name_plural = _("service cases")
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["centre", "received_on"]),
            models.Index(fields=["window", "status"]),
            models.Index(fields=["status", "received_on"]),
            # Covers the annual report's count of decisions and fees per kind of item: the report
            # of a province reads this index, not two million rows of the table.
            models.Index(
                fields=["item", "completed_on", "organisation", "status", "fee_collected_on", "fee_amount"],
                name="service_case_report_cover",
            ),
            models.Index(fields=["channel", "received_on"]),
            models.Index(fields=["fee_collected_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"], condition=~Q(submission_key=""), name="service_case_submitted_once"
            ),
            models.UniqueConstraint(
                fields=["fee_receipt"], condition=~Q(fee_receipt=""), name="fee_receipt_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.item.name}"[:200] if self.item_id else self.case_number

    @property
    def is_open(self) -> bool:
        return self.status in {CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED}


class StepDecision(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")


class CaseStep(models.Model):
    """An approval step (承办 → 审核 → 批准) with the official's opinion."""

    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("step"), max_length=60)
    decision = models.CharField(_("decision"), max_length=10, choices=StepDecision.choices)
    opinion = models.TextField(_("opinion"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name} {self.decision}"


class CaseCorrection(models.Model):
    """补齐补正: what the window asked for, and when the applicant supplied it."""

    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="corrections")
    requested_on = models.DateField(_("requested on"))
    missing = models.TextField(_("missing materials"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    supplied_on = models.DateField(_("supplied on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["requested_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.requested_on}"


class CaseMaterial(models.Model):
    """A file the applicant handed in (online upload or scanned at the window)."""

    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="material_files")
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(upload_to="cases/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    correction = models.ForeignKey(
        CaseCorrection, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name
