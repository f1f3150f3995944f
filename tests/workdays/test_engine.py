"""Tests for the pure-Python working-day engine (no Django needed)."""

from datetime import date, datetime, timedelta

import chinese_calendar as cc
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gongkai.workdays.engine import (
    Calendar,
    HolidaySpan,
    MakeupDay,
    Pause,
    compute_due,
    explain,
    holiday_name_zh,
    workdays_used,
)

CAL = Calendar.from_chinese_calendar()
LAST_COVERED = max(CAL.official_years)
# database=None: hypothesis must not write an example database into the project tree.
PROPS = settings(database=None, deadline=None, max_examples=150)

RECEIVED = date(2025, 9, 26)  # a Friday, just before the 2025 National Day holiday

any_day = st.dates(date(2000, 1, 1), date(2035, 12, 31))
covered_day = st.dates(date(2004, 1, 1), date(LAST_COVERED, 6, 30))
counts = st.integers(0, 60)


@st.composite
def pauses(draw, start):
    """Closed pauses somewhere around `start` (some before it, most inside the counting)."""
    result = []
    for _ in range(draw(st.integers(0, 3))):
        p_start = start + timedelta(days=draw(st.integers(-15, 60)))
        result.append(Pause(p_start, p_start + timedelta(days=draw(st.integers(0, 30))), "x"))
    return result


# --- the worked example -----------------------------------------------------------------


def test_worked_example_7th_20th_and_40th_working_day():
    assert CAL.add_workdays(RECEIVED, 7) == date(2025, 10, 13)
    assert CAL.add_workdays(RECEIVED, 20) == date(2025, 10, 30)
    assert CAL.add_workdays(RECEIVED, 40) == date(2025, 11, 27)


def test_worked_example_make_up_days_count_and_holidays_do_not():
    assert CAL.is_workday(date(2025, 9, 28)) and CAL.is_workday(date(2025, 10, 11))
    assert not any(CAL.is_workday(date(2025, 10, d)) for d in range(1, 9))


def test_worked_example_compute_due_with_extension_and_explanation():
    r = compute_due(CAL, RECEIVED, 20, extensions=[20])
    assert (r.due, r.base_due, r.limit, r.base_limit, r.extension_days) == (
        date(2025, 11, 27),
        date(2025, 10, 30),
        40,
        20,
        20,
    )
    assert not r.paused and not r.provisional and r.projected_due is None
    assert r.holidays == (
        HolidaySpan("National Day, Mid-autumn Festival", date(2025, 10, 1), date(2025, 10, 8)),
    )
    assert r.makeup_days == (
        MakeupDay(date(2025, 9, 28), "National Day"),
        MakeupDay(date(2025, 10, 11), "National Day"),
    )
    zh = explain(r)
    assert zh.startswith("2025-09-26（星期五）收到；自次日起计算；10月1日至10月8日国庆节")
    assert "9月28日、10月11日调休上班，计入" in zh
    assert "第20个工作日为2025-10-30" in zh and "延长20个工作日" in zh and "第40个工作日为2025-11-27" in zh
    en = explain(r, "en")
    assert en.startswith("received 2025-09-26 (Fri); counting from the next day; 1–8 Oct National Day")
    assert "28 Sep and 11 Oct make-up working days counted" in en
    assert "40th working day: 2025-11-27" in en
    assert r.steps and "; ".join(r.steps) + "." == en


def test_worked_example_without_extension_reports_20th_day():
    r = compute_due(CAL, RECEIVED, 20)
    assert r.due == r.base_due == date(2025, 10, 30)
    assert explain(r).endswith("第20个工作日为2025-10-30。")
    assert "20th working day: 2025-10-30" in r.steps


# --- the package's range ----------------------------------------------------------------


def test_calendar_agrees_with_package_on_every_covered_day():
    d = date(min(CAL.official_years), 1, 1)
    while d.year <= LAST_COVERED:
        assert CAL.is_workday(d) == cc.is_workday(d), d
        d += timedelta(days=1)


def test_official_years_span_the_package():
    assert min(CAL.official_years) == 2004 and LAST_COVERED == max(cc.holidays).year
    assert CAL.official_years == frozenset(range(2004, LAST_COVERED + 1))


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2004, 1, 16), 7, date(2004, 1, 30)),  # Spring Festival 2004, make-up 17/18 Jan
        (date(2004, 9, 30), 4, date(2004, 10, 11)),  # National Day 2004, make-up 9/10 Oct
        (date(2026, 2, 13), 7, date(2026, 3, 2)),  # Spring Festival 2026, make-up 14/28 Feb
        (date(2026, 9, 30), 4, date(2026, 10, 12)),  # National Day 2026, make-up 10 Oct
    ],
)
def test_first_and_last_covered_years_match_package(start, n, due):
    assert CAL.add_workdays(start, n) == due
    assert cc.find_workday(n - 1, start + timedelta(days=1)) == due
    assert not compute_due(CAL, start, n).provisional


def test_spring_festival_2026_explanation():
    r = compute_due(CAL, date(2026, 2, 13), 7)
    assert r.holidays == (HolidaySpan("Spring Festival", date(2026, 2, 15), date(2026, 2, 23)),)
    assert [m.day for m in r.makeup_days] == [date(2026, 2, 14), date(2026, 2, 28)]
    assert "2月15日至2月23日春节假期不计" in explain(r)


def test_late_december_of_last_covered_year_running_into_next_year_is_provisional():
    start = date(LAST_COVERED, 12, 24)
    r = compute_due(CAL, start, 20)
    assert r.provisional and r.provisional_years == (LAST_COVERED + 1,)
    assert f"{LAST_COVERED + 1}: no official schedule, weekends only — provisional" in r.steps
    assert f"{LAST_COVERED + 1}年尚无官方放假安排" in explain(r)
    assert not compute_due(CAL, start, 3).provisional  # stays inside the covered year


def test_year_2031_is_provisional_and_counted_by_weekends():
    r = compute_due(CAL, date(2031, 3, 7), 10)  # a Friday
    assert r.due == date(2031, 3, 21) and r.provisional and r.provisional_years == (2031,)
    assert CAL.is_workday(date(2031, 10, 1))  # no schedule yet: never NotImplementedError


def test_weekends_only_calendar_is_provisional_everywhere():
    cal = Calendar.weekends_only()
    assert cal.add_workdays(RECEIVED, 20) == date(2025, 10, 24)
    assert compute_due(cal, RECEIVED, 20).provisional_years == (2025,)


def test_zero_limit_is_due_on_receipt():
    assert CAL.add_workdays(date(2025, 10, 4), 0) == date(2025, 10, 4)
    assert compute_due(CAL, RECEIVED, 0).due == RECEIVED


def test_holiday_names_translate_and_unknown_names_pass_through():
    assert holiday_name_zh("Mid-autumn Festival, National Day") == "中秋节、国庆节"
    assert holiday_name_zh("Anti-Fascist 70th Day").startswith("中国人民抗日战争")
    assert holiday_name_zh("Some Local Day") == "Some Local Day"


# --- pauses -----------------------------------------------------------------------------


def test_pause_pushes_due_later_by_exactly_the_working_days_inside_it():
    consult = Pause(date(2025, 10, 9), date(2025, 10, 15), "third-party consultation")
    r = compute_due(CAL, RECEIVED, 20, pauses=[consult])
    assert r.pauses[0].workdays == CAL.workdays_between(consult.start, consult.end) == 5
    assert r.due == CAL.add_workdays(date(2025, 10, 30), 5) == date(2025, 11, 6)
    assert "2025-10-09 to 2025-10-15 paused: third-party consultation, 5 working days not counted" in r.steps
    assert "2025-10-09至2025-10-15暂停（third-party consultation），5个工作日不计" in explain(r)


def test_pause_start_day_counts_and_end_day_is_a_new_day_zero():
    start = date(2025, 11, 3)  # Monday; no holidays in November 2025
    assert compute_due(CAL, start, 5).due == date(2025, 11, 10)
    r = compute_due(CAL, start, 5, pauses=[Pause(date(2025, 11, 5), date(2025, 11, 7))])
    assert r.due == date(2025, 11, 12) and r.pauses[0].workdays == 2
    assert (
        workdays_used(CAL, start, date(2025, 11, 7), pauses=[Pause(date(2025, 11, 5), date(2025, 11, 7))])
        == 2
    )


def test_open_pause_leaves_due_unknown_and_projects_from_today():
    open_pause = Pause(date(2025, 10, 9), None, "征求第三方意见")
    r = compute_due(CAL, RECEIVED, 20, pauses=[open_pause])
    assert (r.due, r.paused, r.projected_due) == (None, True, None)
    assert "期限待暂停结束后确定" in explain(r)
    today = date(2025, 10, 20)
    r = compute_due(CAL, RECEIVED, 20, pauses=[open_pause], today=today)
    closed = compute_due(CAL, RECEIVED, 20, pauses=[Pause(open_pause.start, today)])
    assert r.due is None and r.paused and r.projected_due == closed.due == date(2025, 11, 11)
    assert r.pauses[0].end is None and r.pauses[0].assumed_end == today and r.pauses[0].workdays == 8
    assert "尚未恢复" in explain(r) and "第20个工作日预计为2025-11-11" in explain(r)


def test_open_pause_starting_after_due_date_does_not_block():
    r = compute_due(CAL, RECEIVED, 7, pauses=[Pause(date(2025, 10, 20), None)])
    assert r.due == date(2025, 10, 13) and not r.paused and r.pauses == ()


def test_pause_before_start_has_no_effect():
    early = [Pause(date(2025, 9, 1), date(2025, 9, 20)), Pause(date(2025, 9, 20), RECEIVED)]
    r = compute_due(CAL, RECEIVED, 20, pauses=early)
    assert r.due == date(2025, 10, 30) and r.pauses == ()


def test_overlapping_pauses_are_merged():
    a = Pause(date(2025, 10, 9), date(2025, 10, 15), "a")
    b = Pause(date(2025, 10, 13), date(2025, 10, 20), "b")
    r = compute_due(CAL, RECEIVED, 20, pauses=[b, a])
    single = compute_due(CAL, RECEIVED, 20, pauses=[Pause(date(2025, 10, 9), date(2025, 10, 20))])
    assert r.due == single.due and len(r.pauses) == 1
    assert r.pauses[0].reasons == ("a", "b") and r.pauses[0].workdays == single.paused_workdays == 8


# --- properties -------------------------------------------------------------------------


@PROPS
@given(covered_day, st.integers(1, 40))
def test_add_workdays_agrees_with_package_find_workday(start, n):
    assert CAL.add_workdays(start, n) == cc.find_workday(n - 1, start + timedelta(days=1))


@PROPS
@given(any_day, counts, counts)
def test_add_workdays_is_monotonic_in_n(start, a, b):
    a, b = sorted((a, b))
    assert CAL.add_workdays(start, a) <= CAL.add_workdays(start, b)
    if a < b:
        assert CAL.add_workdays(start, a) < CAL.add_workdays(start, b)


@PROPS
@given(any_day, any_day, counts)
def test_add_workdays_is_monotonic_in_start(s1, s2, n):
    s1, s2 = sorted((s1, s2))
    assert CAL.add_workdays(s1, n) <= CAL.add_workdays(s2, n)


@PROPS
@given(any_day, counts)
def test_workdays_between_inverts_add_workdays(start, n):
    assert CAL.workdays_between(start, CAL.add_workdays(start, n)) == n


@PROPS
@given(any_day, st.integers(1, 60))
def test_due_is_always_a_working_day(start, n):
    assert CAL.is_workday(CAL.add_workdays(start, n))


@PROPS
@given(any_day, counts, st.data())
def test_compute_due_is_deterministic(start, limit, data):
    ps = data.draw(pauses(start))
    exts = data.draw(st.lists(st.integers(1, 20), max_size=2))
    first = compute_due(CAL, start, limit, pauses=ps, extensions=exts)
    again = compute_due(CAL, start, limit, pauses=list(reversed(ps)), extensions=exts)
    assert first == again and explain(first) == explain(again)


@PROPS
@given(any_day, counts, st.data())
def test_pauses_never_make_due_earlier_and_shift_by_paused_days(start, limit, data):
    ps = data.draw(pauses(start))
    plain = compute_due(CAL, start, limit)
    r = compute_due(CAL, start, limit, pauses=ps)
    assert r.due >= plain.due
    assert r.due == CAL.add_workdays(start, limit + r.paused_workdays)
    assert workdays_used(CAL, start, r.due, pauses=ps) == limit


@PROPS
@given(any_day, st.integers(1, 40), st.dates(date(2000, 1, 1), date(2036, 12, 31)), st.data())
def test_open_pause_projection_equals_pause_closed_today(start, limit, today, data):
    p_start = start + timedelta(days=data.draw(st.integers(-5, 30)))
    assume(today >= p_start)
    r = compute_due(CAL, start, limit, pauses=[Pause(p_start, None)], today=today)
    closed = compute_due(CAL, start, limit, pauses=[Pause(p_start, today)])
    assert (r.due or r.projected_due) == closed.due
    assert r.paused == (r.due is None)


@PROPS
@given(any_day, counts, st.integers(1, 40))
def test_extension_continues_from_base_due(start, a, b):
    base = compute_due(CAL, start, a).due
    extended = compute_due(CAL, start, a, extensions=[b])
    assert extended.due == CAL.add_workdays(base, b) == compute_due(CAL, start, a + b).due
    assert extended.base_due == base and extended.limit == a + b


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.add_workdays(RECEIVED, -1),
        lambda: compute_due(CAL, RECEIVED, -1),
        lambda: compute_due(CAL, RECEIVED, 5, extensions=[0]),
        lambda: compute_due(CAL, RECEIVED, 5, extensions=[10, -3]),
        lambda: Pause(date(2025, 10, 9), date(2025, 10, 8)),
        lambda: CAL.is_workday(date(1948, 12, 31)),
        lambda: compute_due(CAL, date(2101, 1, 3), 5),
        lambda: CAL.add_workdays(date(2100, 12, 20), 30),  # counting would leave the supported range
        lambda: workdays_used(CAL, date(1900, 1, 1), RECEIVED),
        lambda: explain(compute_due(CAL, RECEIVED, 5), lang="fr"),
        lambda: Calendar(holidays={RECEIVED: "x"}, makeup_workdays={RECEIVED: "x"}),
    ],
)
def test_invalid_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_non_dates_and_non_integers_raise_type_error():
    with pytest.raises(TypeError):
        CAL.is_workday(datetime(2025, 9, 26, 9, 0))
    with pytest.raises(TypeError):
        compute_due(CAL, RECEIVED, 2.5)


def test_calendar_without_working_days_stops_instead_of_looping():
    start = date(2030, 1, 1)
    every_day = {start + timedelta(days=i): "strike" for i in range(20 * 366)}
    with pytest.raises(ValueError, match="working days found"):
        Calendar(holidays=every_day).add_workdays(start, 1)


def test_calendar_is_read_only_and_hashable():
    with pytest.raises(TypeError):
        CAL.holidays[RECEIVED] = "x"
    assert hash(CAL) == hash(Calendar.from_chinese_calendar())
