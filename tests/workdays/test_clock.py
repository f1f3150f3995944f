"""The stored clock: actions, pauses, extensions, restarts, recomputation on calendar change."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.workdays import calendar as wcal
from gongkai.workdays.clock import (
    close_clock,
    explanation,
    extend_clock,
    pause_clock,
    recompute_open_clocks,
    restart_clock,
    resume_clock,
    start_clock,
    used,
)
from gongkai.workdays.models import CalendarYear, Clock, ClockKind, ClockStatus, DayKind, PauseReason

pytestmark = pytest.mark.django_db


def _clock(world, start=date(2025, 9, 26), limit=20, ext_limit=20):
    return start_clock(
        actor=world.reviewer, kind=ClockKind.APPLICATION, organisation=world.unit_a, start_date=start,
        limit_days=limit, extension_limit_days=ext_limit, label="依申请公开 2025-001",
    )  # fmt: skip


def test_it_computes_the_statutory_worked_example(world):
    clock = _clock(world)
    assert clock.due_date == date(2025, 10, 30)
    assert clock.status == ClockStatus.RUNNING and not clock.provisional
    text = explanation(clock, "zh")
    assert "国庆节" in text and "9月28日" in text and "10月11日" in text and "2025-10-30" in text
    assert "National Day" in explanation(clock, "en")


def test_an_approved_extension_moves_the_due_date_and_is_capped(world):
    clock = _clock(world)
    extend_clock(actor=world.reviewer, clock=clock, days=20, approved_by=world.county_admin,
                 approved_on=date(2025, 10, 20), reason="需要调取档案")  # fmt: skip
    clock.refresh_from_db()
    assert clock.due_date == date(2025, 11, 27)
    with pytest.raises(ActionError):
        extend_clock(actor=world.reviewer, clock=clock, days=1, approved_by=world.county_admin,
                     approved_on=date(2025, 10, 21), reason="再延")  # fmt: skip
    clock.refresh_from_db()
    assert clock.due_date == date(2025, 11, 27)
    assert clock.extensions.count() == 1


def test_a_pause_pushes_the_due_date_by_the_paused_working_days(world):
    clock = _clock(world)
    pause_clock(
        actor=world.reviewer,
        clock=clock,
        on=date(2025, 10, 9),
        reason=PauseReason.THIRD_PARTY,
        note="征求第三方意见",
    )
    clock.refresh_from_db()
    assert clock.status == ClockStatus.PAUSED and clock.due_date is None
    resume_clock(actor=world.reviewer, clock=clock, on=date(2025, 10, 15))
    clock.refresh_from_db()
    # 10/10, 10/11 (make-up day), 10/13, 10/14, 10/15 are not counted: five working days later.
    assert clock.status == ClockStatus.RUNNING
    assert clock.due_date == date(2025, 11, 6)
    assert "第三方" in explanation(clock, "zh") or "三方" in explanation(clock, "zh")


def test_pausing_twice_or_resuming_a_running_clock_is_refused(world):
    clock = _clock(world)
    with pytest.raises(ActionError):
        resume_clock(actor=world.reviewer, clock=clock, on=date(2025, 10, 9))
    pause_clock(actor=world.reviewer, clock=clock, on=date(2025, 10, 9), reason=PauseReason.CORRECTION)
    with pytest.raises(ActionError):
        pause_clock(actor=world.reviewer, clock=clock, on=date(2025, 10, 10), reason=PauseReason.CORRECTION)
    with pytest.raises(ActionError):
        resume_clock(actor=world.reviewer, clock=clock, on=date(2025, 10, 1))


def test_a_restart_counts_afresh_from_the_corrected_application(world):
    clock = _clock(world)
    pause_clock(actor=world.reviewer, clock=clock, on=date(2025, 9, 29), reason=PauseReason.CORRECTION)
    restart_clock(actor=world.reviewer, clock=clock, on=date(2025, 10, 9), reason="收到补正后的申请")
    clock.refresh_from_db()
    assert clock.start_date == date(2025, 10, 9) and clock.original_start_date == date(2025, 9, 26)
    assert clock.due_date == wcal.get_calendar().add_workdays(date(2025, 10, 9), 20)
    assert clock.status == ClockStatus.RUNNING


def test_closing_records_on_time_or_late(world):
    on_time = _clock(world)
    close_clock(actor=world.reviewer, clock=on_time, on=date(2025, 10, 30))
    on_time.refresh_from_db()
    assert on_time.status == ClockStatus.CLOSED and on_time.on_time is True
    assert used(on_time) == 20
    late = _clock(world)
    close_clock(actor=world.reviewer, clock=late, on=date(2025, 10, 31))
    late.refresh_from_db()
    assert late.on_time is False
    with pytest.raises(ActionError):
        close_clock(actor=world.reviewer, clock=late, on=date(2025, 11, 1))


def test_every_clock_change_is_audited(world):
    before = AuditEvent.objects.filter(verb__startswith="workdays.").count()
    clock = _clock(world)
    pause_clock(actor=world.reviewer, clock=clock, on=date(2025, 10, 9), reason=PauseReason.THIRD_PARTY)
    resume_clock(actor=world.reviewer, clock=clock, on=date(2025, 10, 10))
    close_clock(actor=world.reviewer, clock=clock, on=date(2025, 10, 31))
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="workdays.")
        .order_by("seq")
        .values_list("verb", flat=True)[before:]
    )
    assert verbs == [
        "workdays.start_clock",
        "workdays.pause_clock",
        "workdays.resume_clock",
        "workdays.close_clock",
    ]
    assert AuditEvent.objects.filter(verb="workdays.start_clock").first().actor == world.reviewer


def test_a_clock_into_a_year_without_schedule_is_provisional_until_it_is_loaded(world):
    assert not CalendarYear.objects.filter(year=2027).exists()
    clock = _clock(world, start=date(2026, 12, 21))
    assert clock.provisional
    weekends_only_due = clock.due_date
    # The State Council publishes 2027: New Year holiday Jan 1–3 (Fri–Sun), a make-up Saturday.
    entries = [
        wcal.DayEntry(date(2027, 1, 1), DayKind.HOLIDAY, "元旦"),
        wcal.DayEntry(date(2027, 1, 2), DayKind.HOLIDAY, "元旦"),
        wcal.DayEntry(date(2027, 1, 3), DayKind.HOLIDAY, "元旦"),
        wcal.DayEntry(date(2027, 1, 9), DayKind.MAKEUP, "元旦"),
    ]
    changed = wcal.load_year(actor=world.root, year=2027, entries=entries, notice="国办发明电〔2026〕测试号")
    assert changed == 1
    clock.refresh_from_db()
    assert not clock.provisional
    # Jan 1 (a Friday) is now a holiday, Jan 9 (a Saturday) a working day: the two cancel out.
    assert clock.due_date == weekends_only_due
    assert wcal.get_calendar().is_workday(date(2027, 1, 9))
    assert AuditEvent.objects.filter(verb="workdays.recompute_clock", object_id=str(clock.pk)).exists()


def test_editing_a_day_recomputes_open_clocks_but_not_closed_ones(world):
    open_clock = _clock(world)
    closed = _clock(world)
    close_clock(actor=world.reviewer, clock=closed, on=date(2025, 10, 20))
    closed.refresh_from_db()
    closed_due = closed.due_date
    # A (fictional) extra holiday on Thursday 2025-10-16 pushes open deadlines one day.
    wcal.set_day(
        actor=world.root, day=date(2025, 10, 16), kind=DayKind.HOLIDAY, name="测试假日", reason="test"
    )
    open_clock.refresh_from_db()
    closed.refresh_from_db()
    assert open_clock.due_date == date(2025, 10, 31)
    assert closed.due_date == closed_due


def test_recomputation_is_idempotent(world):
    _clock(world)
    _clock(world, start=date(2026, 12, 28))
    recompute_open_clocks(actor=None, reason="first")
    assert recompute_open_clocks(actor=None, reason="second") == 0


def test_only_platform_administrators_edit_the_calendar(world):
    from django.core.exceptions import PermissionDenied

    for outsider in (world.county_admin, world.clerk_a, world.citizen, world.anonymous):
        with pytest.raises(PermissionDenied):
            wcal.set_day(actor=outsider, day=date(2025, 10, 16), kind=DayKind.HOLIDAY, name="x")
    assert not wcal.get_calendar().holidays.get(date(2025, 10, 16))


def test_bad_clock_input_is_refused_and_changes_nothing(world):
    clock = _clock(world)
    count = Clock.objects.count()
    with pytest.raises(ActionError):
        start_clock(
            actor=None, kind="nonsense", organisation=world.unit_a, start_date=date(2025, 1, 1), limit_days=20
        )
    with pytest.raises(ActionError):
        extend_clock(
            actor=None,
            clock=clock,
            days=0,
            approved_by=world.county_admin,
            approved_on=date(2025, 10, 1),
            reason="x",
        )
    with pytest.raises(ActionError):
        pause_clock(actor=None, clock=clock, on=date(2025, 9, 1), reason=PauseReason.OTHER)
    assert Clock.objects.count() == count
    assert clock.pauses.count() == 0 and clock.extensions.count() == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 11, 1)),
    limit=st.integers(min_value=0, max_value=40),
    pause_at=st.integers(min_value=0, max_value=30),
    pause_len=st.integers(min_value=0, max_value=30),
)
def test_stored_due_dates_agree_with_the_engine_and_pauses_only_delay(
    world, start, limit, pause_at, pause_len
):
    from datetime import timedelta

    cal = wcal.get_calendar()
    clock = _clock(world, start=start, limit=limit)
    assert clock.due_date == cal.add_workdays(start, limit)
    plain_due = clock.due_date
    p_start = start + timedelta(days=pause_at)
    pause_clock(actor=None, clock=clock, on=p_start, reason=PauseReason.OTHER)
    resume_clock(actor=None, clock=clock, on=p_start + timedelta(days=pause_len))
    clock.refresh_from_db()
    assert clock.due_date >= plain_due


def test_an_extension_reason_longer_than_the_column_is_refused_not_a_database_error(world):
    from gongkai.workdays.clock import REASON_MAX

    clock = _clock(world)
    with pytest.raises(ActionError):
        extend_clock(actor=world.reviewer, clock=clock, days=5, approved_by=world.county_admin,
                     approved_on=date(2025, 10, 20), reason="理" * (REASON_MAX + 1))  # fmt: skip
    assert not clock.extensions.exists()
