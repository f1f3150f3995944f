"""Applications for disclosure (依申请公开) and what happens to them (RULES §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongkai.applications.fees import FeeMode
from gongkai.applications.outcomes import Outcome, ReplyType
from gongkai.applications.rules import RuleSetCode, rule_set


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")  # 网上申请
    IN_PERSON = "in_person", _("In person")  # 当面申请
    REGISTERED_MAIL = "registered_mail", _("Registered mail")  # 挂号信、EMS
    ORDINARY_MAIL = "ordinary_mail", _("Ordinary mail")  # 平信
    FAX = "fax", _("Fax")  # 传真
    ORAL = "oral", _("Oral (form filled in by staff)")  # 口头申请，工作人员代填
    EMAIL = "email", _("E-mail")


class ApplicantType(models.TextChoices):
    """The columns of the annual report's table 三."""

    PERSON = "person", _("Natural person")  # 自然人
    BUSINESS = "business", _("Commercial enterprise")  # 商业企业
    RESEARCH = "research", _("Research institution")  # 科研机构
    NONPROFIT = "nonprofit", _("Public-interest organisation")  # 社会公益组织
    LEGAL = "legal", _("Legal services organisation")  # 法律服务机构
    OTHER_ORG = "other_org", _("Other organisation")  # 其他


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")  # 居民身份证
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    CREDIT_CODE = "credit_code", _("Unified social credit code")  # 统一社会信用代码 (organisations)
    OTHER = "other", _("Other document")


class InfoForm(models.TextChoices):
    PAPER = "paper", _("Paper")  # 纸质
    ELECTRONIC = "electronic", _("Electronic file")  # 电子文件
    DATA_COPY = "data_copy", _("Copy of electronic data (disc, USB)")  # 光盘、磁盘
    VIEW = "view", _("Inspect on site")  # 查阅


class Delivery(models.TextChoices):
    POST = "post", _("Post")  # 邮寄
    EMAIL = "email", _("E-mail")  # 电子邮件
    COLLECT = "collect", _("Collect in person")  # 当面领取
    DOWNLOAD = "download", _("Download with the tracking code")  # 网上下载


class Status(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")  # 待确认 (online, fax, ordinary mail)
    PROCESSING = "processing", _("Being handled")  # 办理中
    CORRECTION = "correction", _("Awaiting correction")  # 待补正
    CONSULTING = "consulting", _("Consulting a third party")  # 征求意见中
    FEE = "fee", _("Awaiting fee payment")  # 待缴费
    REVIEW = "review", _("Reply under review")  # 答复待审核
    CLOSED = "closed", pgettext_lazy("case status", "Closed")  # 已办结
    DISCARDED = "discarded", _("Not registered")  # 未登记 (junk or duplicate submission; never counted)


OPEN_STATUSES = (Status.PROCESSING, Status.CORRECTION, Status.CONSULTING, Status.FEE, Status.REVIEW)


class ApplicationSerial(models.Model):
    """The last case number used in a year (row-locked to hand out the next)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Application(models.Model):
    """申请: one application for government information, from intake to the reply."""

    case_number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    tracking_hash = models.CharField(max_length=64, editable=False)
    # The public form's one-time token: a form submitted twice creates one application.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("agency applied to"),
    )
    rule_set = models.CharField(_("rule set"), max_length=4, choices=RuleSetCode.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)

    # Receipt (2019 Art. 31): the receipt date is day 0 of the reply period.
    submitted_at = models.DateTimeField(_("submitted at"))
    received_on = models.DateField(_("date of receipt"), null=True, blank=True)
    signed_for_on = models.DateField(_("signed for on"), null=True, blank=True)  # registered mail
    confirmed_on = models.DateField(_("confirmed with the applicant on"), null=True, blank=True)
    receipt_note = models.CharField(_("receipt note"), max_length=300, blank=True)

    # The applicant
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        verbose_name=_("citizen account"),
    )
    applicant_type = models.CharField(_("applicant type"), max_length=12, choices=ApplicantType.choices)
    applicant_name = models.CharField(_("name"), max_length=200)
    id_type = models.CharField(_("identity document"), max_length=12, choices=IdType.choices)
    id_number = models.CharField(_("document number"), max_length=40)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("telephone"), max_length=40)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("postal address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    # The applicant as the fee bands count them (same applicant, same agency, one month).
    applicant_key = models.CharField(max_length=64, editable=False, db_index=True)

    # What is asked for
    info_title = models.CharField(_("title of the information"), max_length=300)
    info_number = models.CharField(_("document number (文号)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    info_form = models.CharField(_("form wanted"), max_length=12, choices=InfoForm.choices)
    delivery = models.CharField(_("delivery"), max_length=12, choices=Delivery.choices)

    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )

    # Handling
    assigned_unit = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_applications",
        verbose_name=_("unit drafting the reply"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_applications",
        verbose_name=_("clerk"),
    )
    assigned_note = models.TextField(_("instructions"), blank=True)
    later_date = models.DateField(_("reasoned later reply date (Art. 35)"), null=True, blank=True)
    later_reason = models.TextField(_("reason for the later date"), blank=True)

    # The reply, drafted then decided
    draft_outcome = models.CharField(_("proposed result"), max_length=12, choices=Outcome.choices, blank=True)
    draft_reply_type = models.CharField(
        _("proposed reply type"), max_length=20, choices=ReplyType.choices, blank=True
    )
    draft_legal_basis = models.TextField(_("proposed legal basis"), blank=True)
    draft_text = models.TextField(_("draft reply"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drafted_at = models.DateTimeField(null=True, blank=True)

    outcome = models.CharField(_("result"), max_length=12, choices=Outcome.choices, blank=True, db_index=True)
    reply_type = models.CharField(_("reply type"), max_length=20, choices=ReplyType.choices, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    replied_on = models.DateField(_("closed on"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    delivery_note = models.CharField(_("delivery record"), max_length=300, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("application for disclosure")
        verbose_name_plural = _("applications for disclosure")
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "received_on"]),
            models.Index(fields=["organisation", "replied_on"]),
            models.Index(fields=["assigned_unit", "status"]),
            models.Index(fields=["applicant_key", "organisation", "received_on"]),
            # The back-office queue's orders: newest first (all, one status), last replied.
            models.Index(fields=["-submitted_at", "-id"], name="application_submitted_idx"),
            models.Index(fields=["status", "-submitted_at", "-id"], name="application_status_sub_idx"),
            models.Index(fields=["status", "-replied_on", "-id"], name="application_status_rep_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~models.Q(submission_key=""),
                name="application_submitted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.info_title}"[:200]

    @property
    def rules(self):  # type: ignore[no-untyped-def]
        return rule_set(self.rule_set)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in (Status.CLOSED, Status.DISCARDED)


class Correction(models.Model):
    """补正: one notice asking the applicant to correct or supplement the application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="corrections")
    requested_on = models.DateField(_("notice date"))
    items = models.TextField(_("what to correct"))
    period_days = models.PositiveSmallIntegerField(_("period (working days)"))
    due_on = models.DateField(_("correct by"))
    corrected_on = models.DateField(_("corrected on"), null=True, blank=True)
    corrected_text = models.TextField(_("correction"), blank=True)
    lapsed = models.BooleanField(_("period passed"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["requested_on", "id"]
        indexes = [models.Index(fields=["corrected_on", "lapsed", "due_on"])]

    def __str__(self) -> str:
        return f"{self.application_id} 补正 {self.requested_on}"


class ConsultationKind(models.TextChoices):
    THIRD_PARTY = "third_party", _("Third party (Art. 32)")  # 第三方
    OTHER_AGENCY = "other_agency", _("Other agency (Art. 34)")  # 其他机关


class ConsultationAnswer(models.TextChoices):
    CONSENT = "consent", _("Agrees to disclosure")
    OBJECTION = "objection", _("Objects to disclosure")
    NO_REPLY = "no_reply", _("No reply within the period")


class Consultation(models.Model):
    """征求意见: a third party or another agency asked for its view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="consultations")
    kind = models.CharField(_("consulted"), max_length=12, choices=ConsultationKind.choices)
    party = models.CharField(_("party consulted"), max_length=200)
    sent_on = models.DateField(_("sent on"))
    reply_due = models.DateField(_("reply due"))
    pauses_clock = models.BooleanField(default=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=10, choices=ConsultationAnswer.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["sent_on", "id"]

    def __str__(self) -> str:
        return f"{self.party} ({self.sent_on})"


class FeeStatus(models.TextChoices):
    DUE = "due", _("Awaiting payment")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
    LAPSED = "lapsed", _("Not paid in time")


class FeeNotice(models.Model):
    """收费通知: the information processing fee (2019) or the cost fee (2008) of one application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="fees")
    mode = models.CharField(_("charged"), max_length=16, choices=FeeMode.choices)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    position_in_month = models.PositiveIntegerField(
        _("application number in the month"), null=True, blank=True
    )
    search_cost = models.DecimalField(_("search"), max_digits=10, decimal_places=2, default=0)
    copy_cost = models.DecimalField(_("copying"), max_digits=10, decimal_places=2, default=0)
    postage = models.DecimalField(_("postage"), max_digits=10, decimal_places=2, default=0)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    basis = models.TextField(_("basis and rate"))
    payment_instructions = models.TextField(_("how to pay"))
    issued_on = models.DateField(_("issued on"))
    pay_by = models.DateField(_("pay by"))
    status = models.CharField(_("status"), max_length=8, choices=FeeStatus.choices, default=FeeStatus.DUE)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=60, blank=True)
    waiver_reason = models.TextField(_("reason for the waiver"), blank=True)

    class Meta:
        ordering = ["issued_on", "id"]
        indexes = [models.Index(fields=["status", "pay_by"])]

    def __str__(self) -> str:
        return f"{self.amount} ({self.get_status_display()})"


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt")  # 登记回执
    CORRECTION = "correction", _("Correction notice")  # 补正告知书
    EXTENSION = "extension", _("Extension notice")  # 延期答复告知书
    CONSULTATION = "consultation", _("Consultation letter")  # 征求意见函
    FEE = "fee", _("Fee notice")  # 收费通知书
    LATER_DATE = "later_date", _("Notice of a later reply date")  # Art. 35
    REPLY = "reply", _("Reply")  # 答复告知书


class LetterSerial(models.Model):
    """Per organisation and year, the last letter number used."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="letter_serial_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class Letter(models.Model):
    """告知书: a numbered letter to the applicant (or a consulted party), stored with the case."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(_("kind"), max_length=16, choices=LetterKind.choices)
    number = models.CharField(_("letter number"), max_length=60)
    issued_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["issued_on", "id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class LetterTemplate(models.Model):
    """An organisation's wording of one letter kind (the platform's default when none)."""

    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="letter_templates"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LetterKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Placeholders in braces, e.g. {case_number}."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="letter_template_once"),
            # NULLs are distinct in a unique constraint: the platform's own wording needs its own.
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(organisation__isnull=True),
                name="platform_letter_template_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class DocumentKind(models.TextChoices):
    APPLICANT = "applicant", _("From the applicant")  # ID copy, licence, supporting documents
    CORRECTION = "correction", _("Correction from the applicant")
    DISCLOSED = "disclosed", _("Information provided")  # delivered to the applicant
    INTERNAL = "internal", _("Internal working paper")


class Document(models.Model):
    """A file kept with the application. Only ``disclosed`` ones are downloadable by the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    file = models.FileField(upload_to="applications/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename
