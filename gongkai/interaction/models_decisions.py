"""决策公开: public consultation on draft decisions (征求意见) and hearings (听证会).

A draft decision is written by the organisation's staff, published for comment over a
period of dates, closed, and answered by a published feedback summary (采纳情况). Anyone
may comment while the period runs; comments are shown once a reviewer publishes them, with
the name masked and the contact never shown.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.interaction.masking import mask

__all__ = [
    "PUBLIC_DECISION_STATUSES",
    "Comment",
    "CommentStatus",
    "DecisionStatus",
    "DraftDecision",
    "Hearing",
    "HearingStatus",
]


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿
    OPEN = "open", _("Open for comment")  # 征求意见中
    CLOSED = "closed", _("Comment period closed")  # 征求意见结束
    FEEDBACK = "feedback", _("Feedback published")  # 已公布采纳情况


PUBLIC_DECISION_STATUSES = (DecisionStatus.OPEN, DecisionStatus.CLOSED, DecisionStatus.FEEDBACK)


class DraftDecision(models.Model):
    """征求意见稿: a draft decision published for public comment."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="draft_decisions",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(_("text of the draft"))
    major = models.BooleanField(_("major administrative decision"), default=False)  # 重大行政决策
    opens_on = models.DateField(_("comments open on"), null=True, blank=True)
    closes_on = models.DateField(_("comments close on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published for comment at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # 采纳情况
    feedback_summary = models.TextField(_("feedback on the comments"), blank=True)
    comments_received = models.PositiveIntegerField(_("comments received"), default=0)
    adopted = models.PositiveIntegerField(_("adopted"), default=0)
    partly_adopted = models.PositiveIntegerField(_("partly adopted"), default=0)
    not_adopted = models.PositiveIntegerField(_("not adopted"), default=0)
    not_adopted_reasons = models.TextField(_("reasons for not adopting"), blank=True)
    feedback_published_at = models.DateTimeField(_("feedback published at"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("draft decision")
        verbose_name_plural = _("draft decisions")
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["status", "published_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Comment(models.Model):
    """One comment on a draft decision. The contact is for the office only."""

    decision = models.ForeignKey(DraftDecision, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(_("name"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    text = models.TextField(_("comment"))
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    reject_reason = models.CharField(_("reason"), max_length=300, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["decision", "status"])]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.text[:40]}"

    @property
    def public_name(self) -> str:
        """The name as the portal shows it (masked)."""
        return mask(self.name, names=(self.name,)) if self.name else ""

    @property
    def public_text(self) -> str:
        """The text as the portal shows it: personal data masked."""
        return mask(self.text, names=(self.name,) if self.name else ())


class HearingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")


class Hearing(models.Model):
    """听证会: a hearing on a decision, planned, then held with its record and outcome."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="hearings", verbose_name=_("organisation")
    )
    decision = models.ForeignKey(
        DraftDecision,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hearings",
        verbose_name=_("draft decision"),
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    participants = models.TextField(_("participants"), blank=True)
    record = models.TextField(_("record"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=HearingStatus.choices, default=HearingStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title
