"""The working-day endpoints, on the real 2025 National Day schedule."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("calendar_2025")


def test_twenty_working_days_from_the_friday_before_national_day(api):
    response = api.get("/workdays/add", start="2025-09-26", days=20)
    assert response.status_code == 200
    data = response.json()
    assert data["start"] == "2025-09-26" and data["days"] == 20
    assert data["due"] == "2025-10-30"
    assert data["provisional"] is False and data["provisional_years"] == []
    assert "国庆" in data["explanation_zh"]
    assert "National Day" in data["explanation_en"]


def test_forty_working_days_is_the_extended_deadline(api):
    data = api.get("/workdays/add", start="2025-09-26", days=40).json()
    assert data["due"] == "2025-11-27"


def test_the_seventh_working_day_counts_the_make_up_saturday(api):
    assert api.get("/workdays/add", start="2025-09-26", days=7).json()["due"] == "2025-10-13"


def test_zero_days_is_the_start_itself(api):
    assert api.get("/workdays/add", start="2025-09-26", days=0).json()["due"] == "2025-09-26"


def test_a_year_without_an_official_schedule_is_provisional(api):
    data = api.get("/workdays/add", start="2031-01-05", days=10).json()
    assert data["provisional"] is True
    assert 2031 in data["provisional_years"]


@pytest.mark.parametrize("start", ["2025-02-30", "abc", "2025-13-01", "", "26/09/2025"])
def test_a_bad_start_date_is_a_422_with_a_message(api, start):
    response = api.get("/workdays/add", start=start, days=20)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]


@pytest.mark.parametrize("days", ["-1", "1001", "twenty", ""])
def test_a_bad_number_of_days_is_a_422_with_a_message(api, days):
    response = api.get("/workdays/add", start="2025-09-26", days=days)
    assert response.status_code == 422
    assert "days" in response.json()["message"]


def test_a_missing_parameter_is_a_422_with_a_message(api):
    response = api.get("/workdays/add", start="2025-09-26")
    assert response.status_code == 422 and "days" in response.json()["message"]


@pytest.mark.parametrize("start", ["99999-01-01", "1800-01-01", "1948-12-31", "2101-01-01", "0001-01-01"])
def test_a_year_out_of_range_is_refused_with_a_message(api, start):
    response = api.get("/workdays/add", start=start, days=5)
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]


def test_counting_past_the_last_supported_year_is_refused_not_a_crash(api):
    response = api.get("/workdays/add", start="2100-12-20", days=1000)
    assert response.status_code == 400
    assert "2100" in response.json()["message"]


def test_is_workday_knows_holidays_and_make_up_days(api):
    assert api.get("/workdays/is-workday", date="2025-10-01").json() == {
        "date": "2025-10-01", "workday": False, "provisional": False,
    }  # fmt: skip
    assert api.get("/workdays/is-workday", date="2025-09-28").json()["workday"] is True  # a make-up Sunday
    assert api.get("/workdays/is-workday", date="2031-01-06").json()["provisional"] is True
    assert api.get("/workdays/is-workday", date="2025-02-30").status_code == 422


def test_the_calendar_of_a_year_lists_its_special_days(api):
    data = api.get("/workdays/calendar/2025").json()
    assert data["year"] == 2025 and data["official"] is True
    days = {d["date"]: d["kind"] for d in data["days"]}
    assert days["2025-10-01"] == "holiday" and days["2025-10-11"] == "makeup"
    assert api.get("/workdays/calendar/2031").json()["official"] is False
    for bad in ("1800", "99999"):
        response = api.get(f"/workdays/calendar/{bad}")
        assert response.status_code == 400 and response.json()["message"]
    assert api.get("/workdays/calendar/abc").status_code == 422
