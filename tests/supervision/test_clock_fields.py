"""The clock's stored supervision fields: warning date, level, working days used."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.supervision import actions
from gongkai.supervision.models import WarningRule
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import Clock, ClockKind, ClockLevel, PauseReason
from tests.supervision.helpers import MON, set_today, start

pytestmark = pytest.mark.django_db


def test_warning_date_is_eighty_percent_of_the_limit_by_default(world, monkeypatch):
    set_today(monkeypatch, MON)
    clock = start(world.unit_a, limit=10)
    assert clock.due_date == date(2024, 3, 18)
    assert clock.warn_date == date(2024, 3, 14)  # the 8th working day
    assert clock.level == ClockLevel.NORMAL
    assert clock.used_days is None


@pytest.mark.parametrize("limit", [0, 1])
def test_a_tiny_limit_warns_on_the_due_date(world, monkeypatch, limit):
    set_today(monkeypatch, MON)
    clock = start(world.unit_a, limit=limit)
    assert clock.warn_date == clock.due_date


def test_share_rounds_up_exactly(world, monkeypatch):
    # 10 x 0.7 is 7.000000000000001 in floating point; the share is a decimal, so 7 days.
    set_today(monkeypatch, MON)
    actions.set_warning_share(actor=world.root, kind=ClockKind.APPLICATION, share="0.7")
    assert clocks.warning_limit(10, WarningRule.objects.get().share) == 7
    clock = start(world.unit_a, limit=10)
    assert clock.warn_date == date(2024, 3, 13)


def test_pauses_and_extensions_move_the_warning_date(world, monkeypatch):
    set_today(monkeypatch, MON + timedelta(days=3))
    clock = start(world.unit_a, limit=10)
    clocks.pause_clock(actor=None, clock=clock, on=date(2024, 3, 5), reason=PauseReason.CORRECTION)
    clocks.resume_clock(actor=None, clock=clock, on=date(2024, 3, 7))
    clock.refresh_from_db()
    assert (clock.warn_date, clock.due_date) == (date(2024, 3, 18), date(2024, 3, 20))
    clocks.extend_clock(actor=None, clock=clock, days=5, approved_by=world.reviewer,
                        approved_on=date(2024, 3, 7), reason="复杂")  # fmt: skip
    clock.refresh_from_db()
    # 15 working days in all, warning after ceil(12) of them; the pause still counts.
    assert clock.due_date == date(2024, 3, 27)
    assert clock.warn_date == date(2024, 3, 22)


def test_closing_sets_the_working_days_used(world, monkeypatch):
    set_today(monkeypatch, date(2024, 3, 12))
    clock = start(world.unit_a, limit=10)
    clocks.pause_clock(actor=None, clock=clock, on=date(2024, 3, 5), reason=PauseReason.CORRECTION)
    clocks.resume_clock(actor=None, clock=clock, on=date(2024, 3, 7))
    clocks.close_clock(actor=None, clock=clock, on=date(2024, 3, 12))
    clock.refresh_from_db()
    assert clock.used_days == 4  # 5th, 8th, 11th, 12th (6th and 7th paused)
    assert clock.used_days == clocks.used(clock)


def test_open_pause_before_the_warning_leaves_no_dates(world, monkeypatch):
    set_today(monkeypatch, date(2024, 3, 6))
    clock = start(world.unit_a, limit=10)
    clocks.pause_clock(actor=None, clock=clock, on=date(2024, 3, 5), reason=PauseReason.MATERIALS)
    clock.refresh_from_db()
    assert clock.due_date is None and clock.warn_date is None


def test_recompute_open_clocks_fills_in_missing_warning_dates(world, monkeypatch):
    set_today(monkeypatch, MON)
    clock = start(world.unit_a, limit=10)
    Clock.objects.filter(pk=clock.pk).update(warn_date=None)  # e.g. clocks made before this release
    assert clocks.recompute_open_clocks(actor=None, reason="test") == 1
    clock.refresh_from_db()
    assert clock.warn_date == date(2024, 3, 14)
    assert clocks.recompute_open_clocks(actor=None, reason="test") == 0


def test_changing_the_share_recomputes_open_clocks_of_that_kind_only(world, monkeypatch):
    set_today(monkeypatch, MON)
    open_clock = start(world.unit_a, limit=10)
    closed = start(world.unit_a, limit=10)
    clocks.close_clock(actor=None, clock=closed, on=MON)
    letter = start(world.unit_a, limit=10, kind=ClockKind.LETTER)
    actions.set_warning_share(actor=world.root, kind=ClockKind.APPLICATION, share="0.5", reason="试行")
    for c in (open_clock, closed, letter):
        c.refresh_from_db()
    assert open_clock.warn_date == date(2024, 3, 11)  # the 5th working day
    assert closed.warn_date == date(2024, 3, 14)
    assert letter.warn_date == date(2024, 3, 14)
    event = AuditEvent.objects.filter(verb="supervision.set_warning_share").get()
    assert event.after["clocks_recomputed"] == 1
    # New clocks of the kind use the new share too.
    assert start(world.unit_a, limit=10).warn_date == date(2024, 3, 11)


def test_a_later_warning_date_lowers_a_warned_clock(world, monkeypatch):
    set_today(monkeypatch, date(2024, 3, 14))
    clock = start(world.unit_a, limit=10)
    Clock.objects.filter(pk=clock.pk).update(level=ClockLevel.WARNING)
    actions.set_warning_share(actor=world.root, kind=ClockKind.APPLICATION, share="0.9")
    clock.refresh_from_db()
    assert clock.warn_date == date(2024, 3, 15)
    assert clock.level == ClockLevel.NORMAL


@pytest.mark.parametrize("share", ["0", "1", "1.5", "-0.2", "abc", "0.1234", "NaN", ""])
def test_bad_share_changes_nothing(world, share):
    with pytest.raises(ActionError) as err:
        actions.set_warning_share(actor=world.root, kind=ClockKind.APPLICATION, share=share)
    assert "share" in err.value.message_dict
    assert not WarningRule.objects.exists()


def test_unknown_kind_is_refused(world):
    with pytest.raises(ActionError):
        actions.set_warning_share(actor=world.root, kind="nope", share="0.5")
    assert not WarningRule.objects.exists()


@pytest.mark.parametrize(
    "who", ["county_admin", "supervisor", "clerk_a", "other_admin", "citizen", "anonymous"]
)
def test_only_platform_administrators_change_the_share(world, who):
    with pytest.raises(PermissionDenied):
        actions.set_warning_share(actor=getattr(world, who), kind=ClockKind.APPLICATION, share="0.5")
    assert not WarningRule.objects.exists()
