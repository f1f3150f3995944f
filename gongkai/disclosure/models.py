"""Proactive disclosure (主动公开): the catalogue of items and news articles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# 2008 Art. 18, 2019 Art. 26: published within 20 working days of being formed or changed.
PUBLICATION_LIMIT_DAYS = 20


class Category(models.Model):
    """主题分类: a tree of subject categories (机构职能, 政策法规, 财政资金 …)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.IntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("subject category")
        verbose_name_plural = _("subject categories")

    def __str__(self) -> str:
        return self.name


class ReportRow(models.TextChoices):
    """Which row of the annual report's table 二 an item's genre counts in."""

    NONE = "", _("Not counted")
    RULE = "rule", _("Rules (规章)")
    NORMATIVE = "normative", _("Normative documents (行政规范性文件)")
    LICENSING = "licensing", _("Administrative licensing (行政许可)")
    PENALTY = "penalty", _("Administrative penalty (行政处罚)")
    ENFORCEMENT = "enforcement", _("Administrative enforcement (行政强制)")
    FEE = "fee", _("Administrative fees (行政事业性收费)")


class Genre(models.Model):
    """体裁分类: the form of a document (规章, 行政规范性文件, 通知公告 …)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    report_row = models.CharField(
        _("annual report row"), max_length=12, choices=ReportRow.choices, blank=True
    )
    sort_order = models.IntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("genre")
        verbose_name_plural = _("genres")

    def __str__(self) -> str:
        return self.name


class ItemKind(models.TextChoices):
    ITEM = "item", _("Disclosure item")  # 政府信息
    NEWS = "news", _("News article")  # 政务动态


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", pgettext_lazy("item status", "Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Validity(models.TextChoices):
    VALID = "valid", _("In force")  # 有效
    AMENDED = "amended", _("Amended")  # 已修改
    REPEALED = "repealed", _("Repealed")  # 已废止
    EXPIRED = "expired", _("Expired")  # 已失效


class Channel(models.TextChoices):
    WEBSITE = "website", _("Government website")
    READING_ROOM = "reading_room", _("Reading room")
    GAZETTE = "gazette", _("Government gazette")
    MEDIA = "media", _("Press, radio and television")
    BULLETIN = "bulletin", _("Bulletin boards")
    SMS = "sms", _("Text messages")
    HOTLINE = "hotline", _("Hotline")


class DisclosureItem(models.Model):
    """One catalogue entry (政府信息) or news article (政务动态).

    The 索引号 is assigned when the item is first published and never changes.
    """

    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices, default=ItemKind.ITEM)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="disclosure_items",
        verbose_name=_("publishing organisation"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    index_no = models.CharField(
        _("index number"), max_length=40, unique=True, null=True, blank=True
    )  # 索引号
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)  # 内容概述
    body = models.TextField(_("body"), blank=True)  # sanitised HTML
    body_text = models.TextField(
        editable=False, blank=True
    )  # plain text of the body, for search and snippets
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)  # 文号
    written_on = models.DateField(_("date written"), null=True, blank=True)  # 成文日期
    formed_on = models.DateField(_("date formed or changed"))  # 生成/变更日期
    # When the item was last submitted for review; cleared when it is returned to its clerk.
    submitted_at = models.DateTimeField(_("submitted for review at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_on = models.DateField(_("date published"), null=True, blank=True)  # 发布日期
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("subject category"),
    )
    genre = models.ForeignKey(
        Genre, null=True, blank=True, on_delete=models.PROTECT, related_name="items", verbose_name=_("genre")
    )
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)  # 主题词
    channels = models.JSONField(_("channels"), default=list, blank=True)
    validity = models.CharField(
        _("validity"), max_length=10, choices=Validity.choices, default=Validity.VALID
    )
    validity_changed_on = models.DateField(_("validity changed on"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes",
        verbose_name=_("amended or repealed by"),
    )  # fmt: skip
    due_on = models.DateField(_("publication due"), null=True, blank=True)
    late = models.BooleanField(_("published late"), null=True, blank=True)
    clock = models.OneToOneField(
        "workdays.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    view_count = models.PositiveBigIntegerField(_("views"), default=0)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("disclosure item")
        verbose_name_plural = _("disclosure items")
        indexes = [
            models.Index(fields=["status", "kind", "published_on"]),
            # The public list of every kind, newest first: one ordered index scan, no sort.
            models.Index(fields=["status", "-published_on", "-id"], name="item_published_order_idx"),
            # The back office's list, last changed first: one ordered index scan, no sort.
            models.Index(fields=["-updated_at", "-id"], name="item_updated_order_idx"),
            models.Index(fields=["organisation", "status", "kind", "published_on"]),
            models.Index(fields=["category", "status", "published_on"]),
            models.Index(fields=["genre", "status", "published_on"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["doc_number"]),
        ]
        constraints = [
            # A 文号 names one document of one organisation.
            models.UniqueConstraint(
                fields=["organisation", "doc_number"],
                condition=~Q(doc_number="") & ~Q(status="withdrawn"),
                name="unique_doc_number_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == ItemStatus.PUBLISHED


class IndexSerial(models.Model):
    """The last 索引号 serial used per organisation and year (row-locked when incremented)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="unique_serial_per_org_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class AttachmentKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")


class Attachment(models.Model):
    item = models.ForeignKey(DisclosureItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="items/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    sort_order = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class DailyViews(models.Model):
    """Page views of one item on one day (view counts are buffered and flushed here)."""

    item = models.ForeignKey(DisclosureItem, on_delete=models.CASCADE, related_name="daily_views")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="unique_views_per_item_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.item_id} {self.day}: {self.count}"
