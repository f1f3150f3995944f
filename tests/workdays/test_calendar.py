"""The calendar as data: seeding, loading a year from a file, validation, the command."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongkai.core.actions import ActionError
from gongkai.workdays import calendar as wcal
from gongkai.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

SCHEDULE_2027 = """# year: 2027
# notice: 国办发明电〔2026〕7号
date,type,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-13,makeup,春节
"""


def test_every_year_of_the_package_is_seeded_and_official():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert years >= set(range(2004, 2027))
    cal = wcal.get_calendar()
    assert cal.add_workdays(date(2025, 9, 26), 7) == date(2025, 10, 13)
    assert cal.add_workdays(date(2025, 9, 26), 20) == date(2025, 10, 30)
    assert cal.add_workdays(date(2025, 9, 26), 40) == date(2025, 11, 27)


def test_both_ends_of_the_package_range_match_the_package():
    import chinese_calendar as cc

    cal = wcal.get_calendar()
    for d in [date(2004, 1, 17), date(2004, 1, 22), date(2004, 10, 1), date(2004, 10, 9), date(2026, 2, 14),
              date(2026, 2, 17), date(2026, 10, 1), date(2026, 10, 10), date(2026, 12, 31)]:  # fmt: skip
        assert cal.is_workday(d) == cc.is_workday(d), d
    assert cal.add_workdays(date(2004, 1, 16), 5) == cc.find_workday(5, date(2004, 1, 16))
    assert cal.add_workdays(date(2026, 9, 24), 20) == cc.find_workday(20, date(2026, 9, 24))
    # 2026-09-25 is the Mid-Autumn Festival: received on a holiday, counting still starts the next day
    # (the package's find_workday would first move to the next working day and count it as day 0).
    assert not cal.is_workday(date(2026, 9, 25))
    assert cal.add_workdays(date(2026, 9, 25), 20) == date(2026, 10, 29)


def test_a_schedule_file_loads_a_new_year(world):
    year, notice, entries = wcal.parse_schedule(SCHEDULE_2027)
    assert year == 2027 and "国办" in notice and len(entries) == 5
    wcal.load_year(actor=world.root, year=year, entries=entries, notice=notice)
    assert CalendarYear.objects.get(year=2027).notice == notice
    cal = wcal.get_calendar()
    assert not cal.is_workday(date(2027, 2, 8)) and cal.is_workday(date(2027, 2, 13))


def test_the_json_format_is_accepted():
    text = (
        '{"year": 2027, "notice": "n", "days": [{"date": "2027-01-01", "type": "holiday", "name": "元旦"}]}'
    )
    assert wcal.parse_schedule(text)[0] == 2027


@pytest.mark.parametrize(
    "text",
    [
        "",
        "date,type,name\n2027-02-30,holiday,春节\n",  # impossible date
        "date,type,name\n2027-01-01,vacation,元旦\n",  # unknown type
        "date,type,name\n2027-01-04,makeup,元旦\n",  # a Monday cannot be a make-up day
        "date,type,name\n2027-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n",  # twice
        "# year: 2027\ndate,type,name\n2028-01-01,holiday,元旦\n",  # wrong year
        "# year: 3000\ndate,type,name\n",  # outside the supported range
        "when,what\n2027-01-01,holiday\n",  # no header
        '{"year": 2027}',  # JSON without days
        "{not json",
    ],
)
def test_a_bad_schedule_is_refused_with_a_message_and_changes_nothing(text):
    days = CalendarDay.objects.count()
    with pytest.raises(ActionError) as info:
        year, notice, entries = wcal.parse_schedule(text)
        wcal.load_year(actor=None, year=year, entries=entries)
    assert info.value.messages and all(m.strip() for m in info.value.messages)
    assert CalendarDay.objects.count() == days
    assert not CalendarYear.objects.filter(year__gte=2027).exists()


def test_the_calendar_load_command(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    out = StringIO()
    call_command("calendar", "load", str(path), stdout=out)
    assert "2027: 5 days loaded" in out.getvalue()
    assert CalendarYear.objects.filter(year=2027).exists()


def test_the_calendar_command_reports_bad_files_and_unknown_years(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,type,name\n2027-13-01,holiday,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2027-13-01"):
        call_command("calendar", "load", str(bad))
    with pytest.raises(CommandError, match="missing.csv"):
        call_command("calendar", "load", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError):
        call_command("calendar", "add", "1800-01-01", "5")
    out = StringIO()
    call_command("calendar", "add", "2031-03-02", "10", stdout=out)
    assert "provisional" in out.getvalue()


def test_removing_a_year_makes_it_provisional_again(world):
    wcal.remove_year(actor=world.root, year=2026, reason="测试")
    cal = wcal.get_calendar()
    assert not cal.is_official(2026)
    assert cal.is_workday(date(2026, 10, 1))  # a Thursday: weekends-only again
    with pytest.raises(ActionError):
        wcal.remove_year(actor=world.root, year=2026, reason="again")
