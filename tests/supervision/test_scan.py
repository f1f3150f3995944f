"""The supervision scan: set-based, idempotent, safe to run twice at once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections

from gongkai.notifications.models import Message
from gongkai.supervision import scan as scanning
from gongkai.supervision.models import Alert
from gongkai.tasks import JOBS
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import Clock, ClockLevel, PauseReason
from tests import factories
from tests.supervision.helpers import MON, set_today, start

ZERO = {"lowered": 0, "warnings": 0, "alarms": 0, "warning_alerts": 0, "alarm_alerts": 0,
        "units_notified": 0, "changes": 0}  # fmt: skip


def counts(result):
    return {k: v for k, v in result.items() if k != "today"}


def levels():
    return dict(Clock.objects.values_list("label", "level"))


@pytest.fixture
def units(world):
    # Units with an address for the scan's notice.
    a = factories.make_org(actor=world.root, parent=world.county, name="攸县民政局", email="mz@example.com")
    b = factories.make_org(actor=world.root, parent=world.county, name="攸县水利局", email="sl@example.com")
    return a, b


@pytest.fixture
def mix(units, monkeypatch):
    a, b = units
    set_today(monkeypatch, MON)
    start(a, label="fresh", on=date(2024, 3, 13))  # due 3-27, warn 3-25
    start(a, label="warned", on=MON)  # due 3-18, warn 3-14
    start(a, label="overdue", on=date(2024, 2, 26))  # due 3-11
    start(b, label="overdue_b", on=date(2024, 2, 26))
    closed = start(b, label="closed_late", on=date(2024, 2, 26))
    clocks.close_clock(actor=None, clock=closed, on=date(2024, 3, 14))
    paused = start(b, label="paused", on=MON)
    clocks.pause_clock(actor=None, clock=paused, on=date(2024, 3, 5), reason=PauseReason.MATERIALS)
    return a, b


@pytest.mark.django_db
def test_scan_raises_levels_writes_alerts_and_second_run_changes_nothing(mix, monkeypatch):
    a, b = mix
    day = date(2024, 3, 15)
    set_today(monkeypatch, day)
    # The querysets (for pages) name the same clocks as the scan's SQL.
    due_alarm, due_warning = set(scanning.to_alarm(day)), set(scanning.to_warning(day))
    first = scanning.scan()
    assert {c.label for c in due_alarm} == {"overdue", "overdue_b"} and {c.label for c in due_warning} == {
        "warned"
    }
    assert counts(first) == {"lowered": 0, "warnings": 1, "alarms": 2, "warning_alerts": 1, "alarm_alerts": 2,
                             "units_notified": 2, "changes": 8}  # fmt: skip
    assert levels() == {"fresh": "normal", "warned": "warning", "overdue": "alarm", "overdue_b": "alarm",
                        "closed_late": "normal", "paused": "normal"}  # fmt: skip
    assert set(Alert.objects.values_list("clock__label", "level", "raised_on", "organisation_id")) == {
        ("warned", "warning", day, a.pk),
        ("overdue", "alarm", day, a.pk),
        ("overdue_b", "alarm", day, b.pk),
    }
    # One notice per unit, however many of its clocks were raised.
    assert sorted(Message.objects.values_list("recipient", flat=True)) == ["mz@example.com", "sl@example.com"]
    assert "1" in Message.objects.get(recipient="mz@example.com").body
    assert counts(scanning.scan(day)) == ZERO
    assert Alert.objects.count() == 3 and Message.objects.count() == 2


@pytest.mark.django_db
def test_a_clock_goes_from_normal_to_warning_to_alarm(units, monkeypatch):
    a, _b = units
    set_today(monkeypatch, MON)
    clock = start(a, label="c")
    for day, level in [(date(2024, 3, 13), "normal"), (date(2024, 3, 14), "warning"),
                       (date(2024, 3, 18), "warning"), (date(2024, 3, 19), "alarm")]:  # fmt: skip
        set_today(monkeypatch, day)
        scanning.scan()
        clock.refresh_from_db()
        assert clock.level == level, day
    assert list(Alert.objects.order_by("raised_on").values_list("level", "raised_on")) == [
        ("warning", date(2024, 3, 14)),
        ("alarm", date(2024, 3, 19)),
    ]
    assert Message.objects.count() == 2  # one per new alert, on two scans


@pytest.mark.django_db
def test_an_extension_lowers_the_level_and_keeps_the_history(world, units, monkeypatch):
    a, _b = units
    set_today(monkeypatch, MON)
    clock = start(a, label="c")
    set_today(monkeypatch, date(2024, 3, 20))
    scanning.scan()
    clock.refresh_from_db()
    assert clock.level == ClockLevel.ALARM
    clocks.extend_clock(actor=None, clock=clock, days=10, approved_by=world.reviewer,
                        approved_on=date(2024, 3, 20), reason="复杂")  # fmt: skip
    clock.refresh_from_db()
    assert clock.due_date == date(2024, 4, 1)
    assert clock.level == ClockLevel.NORMAL  # lowered at once by the clock operation
    result = scanning.scan()
    clock.refresh_from_db()
    # 20 working days, warning after 16: 3-26; not reached yet on 3-20.
    assert clock.warn_date == date(2024, 3, 26)
    assert clock.level == ClockLevel.NORMAL
    assert result["changes"] == 0
    assert Alert.objects.filter(clock=clock, level="alarm").exists()  # history kept


@pytest.mark.django_db
def test_scan_lowers_clocks_whose_dates_moved_without_a_clock_operation(units, monkeypatch):
    a, _b = units
    set_today(monkeypatch, MON)
    clock = start(a, label="c")
    set_today(monkeypatch, date(2024, 3, 20))
    scanning.scan()
    # e.g. a calendar edit written by a bulk path: the scan itself lowers and re-raises.
    Clock.objects.filter(pk=clock.pk).update(due_date=date(2024, 3, 22))
    result = scanning.scan()
    assert (result["lowered"], result["warnings"], result["alarms"]) == (1, 1, 0)
    clock.refresh_from_db()
    assert clock.level == ClockLevel.WARNING
    assert Alert.objects.filter(clock=clock).count() == 2
    assert scanning.scan()["changes"] == 0


@pytest.mark.django_db
def test_raising_twice_writes_and_announces_once(mix, monkeypatch):
    a, b = mix
    day = date(2024, 3, 15)
    set_today(monkeypatch, day)
    assert scanning.raise_level(ClockLevel.ALARM, day) == (2, {a.pk: 1, b.pk: 1})
    assert scanning.raise_level(ClockLevel.ALARM, day) == (0, {})
    result = scanning.scan(day)
    assert (result["alarms"], result["warnings"], result["alarm_alerts"], result["warning_alerts"]) == (
        0,
        1,
        0,
        1,
    )
    assert result["units_notified"] == 1 and Message.objects.count() == 1  # the raise alone told no one
    assert Alert.objects.count() == 3


@pytest.mark.django_db
def test_a_level_reached_again_is_not_alerted_again(units, monkeypatch):
    a, _b = units
    set_today(monkeypatch, MON)
    clock = start(a, label="c")
    set_today(monkeypatch, date(2024, 3, 19))
    assert scanning.scan()["alarm_alerts"] == 1
    Clock.objects.filter(pk=clock.pk).update(level=ClockLevel.NORMAL)  # lowered by some later correction
    result = scanning.scan()
    assert (result["alarms"], result["alarm_alerts"], result["units_notified"]) == (1, 0, 0)
    assert Alert.objects.count() == 1 and Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_scans_in_parallel_threads(mix, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the interleaved test covers it")
    day = date(2024, 3, 15)
    results = []
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        try:
            results.append(scanning.scan(day))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    assert sum(r["alarms"] for r in results) == 2
    assert sum(r["warnings"] for r in results) == 1
    assert sum(r["alarm_alerts"] + r["warning_alerts"] for r in results) == 3
    assert sum(r["units_notified"] for r in results) == 2
    assert Alert.objects.count() == 3 and Message.objects.count() == 2


@pytest.mark.django_db
def test_scan_is_a_registered_job(mix, monkeypatch):
    set_today(monkeypatch, date(2024, 3, 15))
    job = JOBS["supervision.scan"]
    from gongkai.tasks import run_job

    assert run_job(job) == "ok"
    assert Alert.objects.count() == 3


@pytest.mark.django_db
def test_scan_query_count_does_not_grow_with_clocks(units, monkeypatch, django_assert_max_num_queries):
    a, _b = units
    set_today(monkeypatch, MON)
    for i in range(30):
        start(a, label=f"c{i}", on=date(2024, 2, 1))
    set_today(monkeypatch, date(2024, 3, 15))
    with django_assert_max_num_queries(25):
        assert scanning.scan()["alarms"] == 30
