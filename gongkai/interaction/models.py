"""Interaction (互动交流): leader mailboxes, hotline calls, forwarded cases and letters (RULES §5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChannelKind(models.TextChoices):
    MAILBOX = "mailbox", _("Leader mailbox")  # 领导信箱 on the portal
    HOTLINE = "hotline", _("Hotline")  # calls entered by operators
    FORWARDED = "forwarded", _("Forwarded by a higher hotline")  # 市长热线 / 12345
    POST = "post", _("Letters by post")


class Channel(models.Model):
    """A named way in: 县长信箱, 书记信箱, the county hotline, 市长热线转办 … (configured per government)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="channels")
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    limit_days = models.PositiveSmallIntegerField(
        _("time limit (working days)"), default=15, help_text=_("Unless a category sets its own.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["organisation_id", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="channel_name_once")]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """咨询, 求助, 投诉, 举报, 建议, 表扬 … (data, not code)."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=30)
    sort_order = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class TimeLimit(models.Model):
    """The working days a unit has for a channel's letters of one category."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="time_limits")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    days = models.PositiveSmallIntegerField(_("working days"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "category"], name="time_limit_once")]

    def __str__(self) -> str:
        return f"{self.channel} / {self.category}: {self.days}"


class LetterStatus(models.TextChoices):
    RECEIVED = "received", _("To triage")  # 待受理
    ACCEPTED = "accepted", _("To assign")  # 已受理，待交办
    ASSIGNED = "assigned", _("Being handled")  # 已交办，办理中
    RETURNED = "returned", _("Returned by the unit")  # 退回，待重新交办
    REVIEW = "review", _("Reply under review")  # 答复待审核
    CLOSED = "closed", pgettext_lazy("case status", "Closed")  # 已办结
    INVALID = "invalid", _("Not valid")  # 无效件


OPEN_LETTER_STATUSES = (
    LetterStatus.ACCEPTED,
    LetterStatus.ASSIGNED,
    LetterStatus.RETURNED,
    LetterStatus.REVIEW,
)


class InvalidReason(models.TextChoices):
    SPAM = "spam", _("Spam or test")
    DUPLICATE = "duplicate", _("Duplicate (merged into the original)")
    ABUSIVE = "abusive", _("Abusive")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    PETITION = "petition", _("A petition (信访) to be redirected")
    EMPTY = "empty", _("No content")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASIC = "basic", _("Basically satisfied")  # 基本满意
    NOT = "not", _("Not satisfied")  # 不满意


class LetterSerial(models.Model):
    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Letter(models.Model):
    """来信来电: one letter, call or forwarded case, from receipt to rating."""

    case_number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    tracking_hash = models.CharField(max_length=64, editable=False)
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="letters")
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="letters", verbose_name=_("government")
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="letters")
    status = models.CharField(
        _("status"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("date received"), db_index=True)

    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    writer_name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    publish_consent = models.BooleanField(_("the writer agrees to publication"), default=False)

    # Calls and forwarded cases
    audio_ref = models.CharField(_("recording reference"), max_length=200, blank=True)
    external_number = models.CharField(_("external case number"), max_length=60, blank=True)
    forwarded_on = models.DateField(_("forwarded on"), null=True, blank=True)
    external_limit_days = models.PositiveSmallIntegerField(
        _("their time limit (working days)"), null=True, blank=True
    )

    # Triage
    valid = models.BooleanField(_("valid"), null=True, blank=True)
    invalid_reason = models.CharField(_("reason"), max_length=14, choices=InvalidReason.choices, blank=True)
    triage_note = models.CharField(_("note"), max_length=300, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    triaged_on = models.DateField(null=True, blank=True)

    # Handling
    lead_unit = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="led_letters"
    )
    assist_units = models.ManyToManyField("orgs.Organisation", blank=True, related_name="assisted_letters")
    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.PROTECT, related_name="letter"
    )
    chase_count = models.PositiveSmallIntegerField(default=0)
    last_chased_on = models.DateField(null=True, blank=True)
    answered_on_spot = models.BooleanField(_("answered on the spot"), default=False)
    draft_reply = models.TextField(_("draft reply"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply = models.TextField(_("reply"), blank=True)
    reply_unit = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="replied_letters"
    )
    replied_on = models.DateField(_("replied on"), null=True, blank=True, db_index=True)
    on_time = models.BooleanField(null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(default=0)

    # Rating and call-back
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices, blank=True)
    rated_on = models.DateField(null=True, blank=True)
    rating_note = models.CharField(_("comment"), max_length=500, blank=True)
    rated_by_callback = models.BooleanField(default=False)

    # Publication as Q&A, personal data masked (and checked by the reviewer)
    published = models.BooleanField(_("published"), default=False)
    public_subject = models.CharField(max_length=200, blank=True)
    public_body = models.TextField(blank=True)
    public_reply = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["channel", "received_on"]),
            models.Index(fields=["published", "replied_on"]),
            # The back-office queue's orders: newest first (all letters, one status), last replied.
            models.Index(fields=["-received_at", "-id"], name="letter_received_order_idx"),
            models.Index(fields=["status", "-received_at", "-id"], name="letter_status_received_idx"),
            models.Index(fields=["status", "-replied_on", "-id"], name="letter_status_replied_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~models.Q(submission_key=""),
                name="letter_submitted_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.subject}"[:200]


class Assignment(models.Model):
    """交办: one assignment of a letter to a unit (lead or assisting), and its return if any."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    lead = models.BooleanField(default=True)
    assigned_on = models.DateField()
    limit_days = models.PositiveSmallIntegerField()
    returned_on = models.DateField(null=True, blank=True)
    return_reason = models.CharField(max_length=300, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assigned_on", "id"]

    def __str__(self) -> str:
        return f"{self.letter_id} → {self.unit_id}"


from gongkai.interaction.models_decisions import *  # noqa: E402,F403
