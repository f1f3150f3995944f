"""E-supervision (电子监察): warning rules, alerts raised by the scan, cards, notes and chase notices.

The clock itself (gongkai.workdays.Clock) carries the stored warning date and level so the
scan is a handful of index-driven set updates; these tables keep the history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.workdays.models import ClockKind, ClockLevel


class WarningRule(models.Model):
    """The share of the limit after which a clock of this kind is in warning (预警)."""

    kind = models.CharField(_("clock kind"), max_length=16, choices=ClockKind.choices, unique=True)
    share = models.DecimalField(
        _("warning share"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.999"))],
        help_text=_("A share of the time limit between 0 and 1, e.g. 0.8 for 80%."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share__gt=0) & models.Q(share__lt=1), name="warning_share_between_0_and_1"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.share}"


class Alert(models.Model):
    """A clock reached a level (warning or alarm); one row per clock and level, never deleted."""

    # Few indexes: the first scan after a backlog writes an alert per overdue clock at once.
    # The unique (clock, level) serves look-ups by clock, (organisation, raised_on) those by unit.
    clock = models.ForeignKey(
        "workdays.Clock", on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    level = models.CharField(_("level"), max_length=8, choices=ClockLevel.choices)
    raised_on = models.DateField(_("raised on"))
    # Copied from the clock so figures count alerts per unit and kind without a join.
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
        db_index=False,
        # Always the clock's own unit (copied in the same statement), which the clock's foreign
        # key already guarantees; a second deferred check per alert doubled the commit of a
        # scan that writes a backlog of alerts.
        db_constraint=False,
    )
    kind = models.CharField(_("clock kind"), max_length=16, choices=ClockKind.choices)
    # The day the unit was told: set by the scan that wrote the alert (it sends the notice).
    notified_on = models.DateField(_("unit notified on"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [models.UniqueConstraint(fields=["clock", "level"], name="alert_once_per_clock_level")]
        indexes = [
            models.Index(fields=["organisation", "raised_on"]),
            models.Index(fields=["raised_on", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.clock_id} {self.raised_on}"


class CardColour(models.TextChoices):
    YELLOW = "yellow", _("Yellow card")  # 黄牌
    RED = "red", _("Red card")  # 红牌


class Card(models.Model):
    """A yellow or red card issued to a unit by a supervisor, optionally about one clock."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="supervision_cards",
        verbose_name=_("unit"),
    )
    colour = models.CharField(_("colour"), max_length=8, choices=CardColour.choices)
    reason = models.TextField(_("reason"))
    clock = models.ForeignKey(
        "workdays.Clock",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cards",
        verbose_name=_("case"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_on = models.DateField(_("issued on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        indexes = [models.Index(fields=["organisation", "issued_on"])]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} {self.organisation_id} {self.issued_on}"


class Note(models.Model):
    """A supervisor's note on a clock (监察意见)."""

    clock = models.ForeignKey("workdays.Clock", on_delete=models.CASCADE, related_name="supervision_notes")
    text = models.TextField(_("note"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name = _("supervision note")
        verbose_name_plural = _("supervision notes")

    def __str__(self) -> str:
        return self.text[:50]


class Chase(models.Model):
    """A chase notice (催办) sent by a supervisor to the staff of the clock's unit."""

    clock = models.ForeignKey("workdays.Clock", on_delete=models.CASCADE, related_name="supervision_chases")
    note = models.TextField(_("notice"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField(_("sent on"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("chase notice")
        verbose_name_plural = _("chase notices")

    def __str__(self) -> str:
        return f"{self.clock_id} {self.sent_on}"
