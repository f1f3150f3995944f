"""Deadline reminders for the annual report: once when due soon, once when overdue, never after publishing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gongkai import tasks
from gongkai.notifications.models import Message
from gongkai.orgs.models import Organisation
from gongkai.reports import actions
from gongkai.reports.models import DeadlineReminder
from gongkai.reports.reminders import remind

pytestmark = pytest.mark.django_db


@pytest.fixture
def addresses(world: Any) -> dict[int, str]:
    """Each unit of the county has its office address (the other county has none: no message)."""
    found = {}
    for org in (world.county, world.unit_a, world.unit_b, world.township):
        Organisation.objects.filter(pk=org.pk).update(email=f"office{org.pk}@youxian.example.gov.cn")
        found[org.pk] = f"office{org.pk}@youxian.example.gov.cn"
    return found


def told(stage: str) -> set[int]:
    return set(DeadlineReminder.objects.filter(stage=stage).values_list("organisation_id", flat=True))


def test_departments_are_reminded_two_weeks_before_31_january_once(world: Any, addresses: dict) -> None:
    assert remind(date(2026, 1, 16)) == 0  # 15 days before: not yet
    assert remind(date(2026, 1, 17)) == 2
    assert told("soon") == {world.unit_a.pk, world.unit_b.pk}
    mail = Message.objects.filter(recipient=addresses[world.unit_a.pk])
    assert mail.count() == 1 and "2026-01-31" in mail.get().subject
    assert remind(date(2026, 1, 18)) == 0  # once per stage
    assert Message.objects.count() == 2


def test_governments_and_townships_are_reminded_before_31_march(world: Any, addresses: dict) -> None:
    remind(date(2026, 1, 20))
    # The county, its township and the other county are due soon; the departments are overdue.
    assert remind(date(2026, 3, 20)) == 5
    assert told("soon") == {world.unit_a.pk, world.unit_b.pk, world.county.pk, world.township.pk,
                            world.other_county.pk}  # fmt: skip
    assert told("overdue") == {world.unit_a.pk, world.unit_b.pk}
    assert "2025" in Message.objects.filter(recipient=addresses[world.county.pk]).get().body


def test_an_overdue_report_is_reminded_once_unless_published(world: Any, addresses: dict, year: Any) -> None:
    report = actions.generate_report(actor=world.reviewer, organisation=world.unit_b, year=2025)
    actions.publish_report(
        actor=world.reviewer, report=actions.review_report(actor=world.reviewer, report=report)
    )
    departments = set(
        Organisation.objects.filter(kind__in=["department", "centre", "other"]).values_list("pk", flat=True)
    )
    assert remind(date(2026, 2, 2)) == len(departments) - 1
    assert world.unit_a.pk in told("overdue")
    assert told("overdue") == departments - {world.unit_b.pk}  # unit B published (late, but published)
    assert remind(date(2026, 2, 3)) == 0
    assert remind(date(2026, 4, 2)) == 3  # the governments' 31 March has passed too
    assert told("overdue") - departments == {world.county.pk, world.township.pk, world.other_county.pk}
    assert remind(date(2026, 6, 1)) == 0  # more than 60 days after both deadlines: nothing more


def test_a_reminder_another_worker_sent_is_not_sent_again(world: Any, addresses: dict) -> None:
    DeadlineReminder.objects.create(organisation=world.unit_a, year=2025, stage="soon", due=date(2026, 1, 31))
    assert remind(date(2026, 1, 20)) == 1
    assert not Message.objects.filter(recipient=addresses[world.unit_a.pk]).exists()


def test_the_reminder_is_a_daily_job_of_the_worker() -> None:
    job = tasks.JOBS["reports.remind_deadlines"]
    assert job.every.days == 1 and job.func == "gongkai.reports.reminders.remind_job"
