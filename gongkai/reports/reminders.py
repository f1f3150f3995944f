"""Reminding units of their annual report's deadline (2019 Art. 49: 31 January / 31 March).

A daily job: every active unit whose report for last year is not published is told once when
the deadline is ``SOON_DAYS`` days or less away, and once when it has passed (within
``OVERDUE_DAYS`` of it, so a unit created later in the year is not told about a report that
was due before it existed). The reminder row is written first (unique per unit, year and stage),
so two workers running the job at once send one notice.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongkai.notifications.send import notify
from gongkai.orgs.models import Organisation
from gongkai.reports.deadlines import due_date
from gongkai.reports.models import AnnualReport, DeadlineReminder, ReminderStage
from gongkai.supervision.scan import unit_recipients

SOON_DAYS = 14
OVERDUE_DAYS = 60


def stage_on(due: date, today: date) -> str | None:
    days = (due - today).days
    if days < -OVERDUE_DAYS:
        return None
    if days < 0:
        return ReminderStage.OVERDUE
    return ReminderStage.SOON if days <= SOON_DAYS else None


def remind(today: date | None = None) -> int:
    """Send the reminders due ``today``; returns how many units were told."""
    today = today or timezone.localdate()
    year = today.year - 1
    published = set(
        AnnualReport.objects.filter(year=year, published_at__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    sent = set(DeadlineReminder.objects.filter(year=year).values_list("organisation_id", "stage"))
    todo = []
    for unit in Organisation.objects.filter(is_active=True).only("pk", "kind", "name"):
        due = due_date(unit, year)
        stage = stage_on(due, today)
        if stage is not None and unit.pk not in published and (unit.pk, stage) not in sent:
            todo.append((unit, stage, due))
    if not todo:
        return 0
    recipients = unit_recipients([u.pk for u, _s, _d in todo])
    told = 0
    with translation.override(settings.LANGUAGE_CODE):
        for unit, stage, due in todo:
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(organisation=unit, year=year, stage=stage, due=due)
                    _notify(unit, year, stage, due, recipients.get(unit.pk, []))
            except IntegrityError:  # another worker sent this one
                continue
            told += 1
    return told


def _notify(unit: Organisation, year: int, stage: str, due: date, emails: list[str]) -> None:
    values = {"org": unit.name, "year": year, "due": due.isoformat()}
    if stage == ReminderStage.SOON:
        subject = _("Annual report for %(year)s due by %(due)s") % values
        body = _("The %(year)s annual report on government information disclosure of %(org)s is due by "
                 "%(due)s and has not been published yet.") % values  # fmt: skip
    else:
        subject = _("Annual report for %(year)s overdue since %(due)s") % values
        body = _("The %(year)s annual report on government information disclosure of %(org)s was due by "
                 "%(due)s and has not been published.") % values  # fmt: skip
    unit.organisation_id = unit.pk  # type: ignore[attr-defined]  # notify() files it under the unit
    for email in emails:
        notify(obj=unit, subject=subject, body=body, email=email)


def remind_job() -> str:
    return f"units reminded {remind()}"
