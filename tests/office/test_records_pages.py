"""The records pages: the overview, each form through its action, errors on the form, filters."""

from __future__ import annotations

import datetime as dt

from gongkai.records import actions
from gongkai.records.models import (
    DecisionCount,
    DisputeCase,
    ReadingRoom,
    ReadingRoomVisit,
    SpendingFigure,
    StaffFigure,
)
from tests.office.test_records_support import BASE, YEAR, grow


def test_the_overview_shows_the_years_records_with_who_entered_them(world, as_):
    grow(world, 2, "a")
    page = as_("reviewer").get(f"{BASE}/?year={YEAR}").content.decode()
    assert f"Records of {YEAR}" in page
    assert "county_admin" in page  # entered by
    assert "2 full-time, 3 part-time" in page
    assert "3000.00 yuan in all" in page  # the last year only: 1000 for each unit
    assert "9 visitors in the year" in page  # 3 units x (1 + 2)
    assert "Litigation after review" in page
    page = as_("clerk_a").get(f"{BASE}/?year={YEAR}").content.decode()
    assert "0 full-time, 1 part-time" in page  # clerk A sees unit A only
    page = as_("supervisor").get(f"{BASE}/?year={YEAR}&organisation={world.township.pk}").content.decode()
    assert "3 visitors in the year" in page


def test_a_dispute_is_entered_edited_and_concluded_through_the_pages(world, as_):
    client = as_("reviewer")
    assert client.get(f"{BASE}/disputes/new/").status_code == 200
    day = dt.date.today() - dt.timedelta(days=10)
    response = client.post(f"{BASE}/disputes/new/", {
        "organisation": world.unit_a.pk, "kind": "review", "reference": "攸政复字〔2026〕7号",
        "subject": "不予公开答复", "body": "攸县人民政府", "filed_on": day.isoformat(),
    })  # fmt: skip
    case = DisputeCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}/disputes/{case.pk}/"
    response = client.post(f"{BASE}/disputes/{case.pk}/", {
        "organisation": world.unit_a.pk, "kind": "review", "reference": case.reference,
        "subject": "新事由", "filed_on": day.isoformat(),
    })  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.subject == "新事由"
    # Bad input: the action's message lands on the form, nothing changes.
    response = client.post(f"{BASE}/disputes/{case.pk}/conclude/", {
        "result": "corrected", "concluded_on": (day - dt.timedelta(days=1)).isoformat()})  # fmt: skip
    assert (
        response.status_code == 200 and "cannot be concluded before it was filed" in response.content.decode()
    )
    case.refresh_from_db()
    assert case.result == "pending"
    response = client.post(f"{BASE}/disputes/{case.pk}/conclude/", {"result": "corrected",
                                                                    "concluded_on": day.isoformat()})  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.result == "corrected"
    page = client.get(f"{BASE}/disputes/?result=corrected").content.decode()
    assert "1 case" in page and case.reference in page
    assert "0 cases" in client.get(f"{BASE}/disputes/?result=pending").content.decode()


def test_a_dispute_form_with_bad_input_changes_nothing(world, as_):
    client = as_("reviewer")
    day = dt.date.today()
    cases = [
        ({"kind": "review", "reference": "", "subject": "s", "filed_on": day.isoformat()}, "This field is required"),
        ({"kind": "review", "reference": "R", "subject": "s", "filed_on": "2999-01-01"}, "cannot be in the future"),
        ({"kind": "review", "reference": "R", "subject": "s", "filed_on": day.isoformat(), "application": "NOPE"},
         "No application you can see"),
        ({"kind": "review", "reference": "R", "subject": "s", "filed_on": "yesterday"}, "Enter a valid date"),
    ]  # fmt: skip
    for data, message in cases:
        response = client.post(f"{BASE}/disputes/new/", {"organisation": world.unit_a.pk, **data})
        assert response.status_code == 200 and message in response.content.decode(), data
    # Another county's unit is not offered at all.
    response = client.post(f"{BASE}/disputes/new/", {"organisation": world.other_county.pk, "kind": "review",
                                                     "reference": "R", "subject": "s", "filed_on": day.isoformat()})  # fmt: skip
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not DisputeCase.objects.exists()


def test_reading_rooms_and_visits_through_the_pages(world, as_):
    client = as_("clerk_a")
    response = client.post(f"{BASE}/rooms/new/", {"organisation": world.unit_a.pk, "name": "财政局查阅室",
                                                  "opening_hours": "工作日", "is_active": "on"})  # fmt: skip
    room = ReadingRoom.objects.get()
    assert response.status_code == 302 and room.is_active
    day = dt.date.today()
    response = client.post(f"{BASE}/rooms/{room.pk}/", {"day": day.isoformat(), "visitors": "4"})
    assert response.status_code == 302
    response = client.post(f"{BASE}/rooms/{room.pk}/", {"day": day.isoformat(), "visitors": "0"})
    assert response.status_code == 200 and "cannot be less than 1" in response.content.decode()
    assert list(ReadingRoomVisit.objects.values_list("visitors", flat=True)) == [4]
    page = client.get(f"{BASE}/rooms/{room.pk}/").content.decode()
    assert "4 visitors" in page and "clerk_a" in page
    response = client.post(
        f"{BASE}/rooms/{room.pk}/edit/", {"organisation": world.unit_a.pk, "name": "阅览室"}
    )
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.name == "阅览室" and not room.is_active
    assert "阅览室" in client.get(f"{BASE}/rooms/").content.decode()


def test_year_figures_through_the_pages(world, as_):
    client = as_("clerk_a")
    ok = [
        ("staff", {"full_time": "0", "part_time": "1"}),
        ("spending", {"amount": "2500.50", "purpose": "培训"}),
        ("decisions", {"kind": "penalty", "count": "17"}),
    ]
    for which, data in ok:
        response = client.post(f"{BASE}/{which}/", {"organisation": world.unit_a.pk, "year": YEAR, **data})
        assert response.status_code == 302, response.content.decode()
        page = client.get(response["Location"]).content.decode()
        assert "1 figure" in page and "clerk_a" in page and world.unit_a.name in page
    assert StaffFigure.objects.get().part_time == 1
    assert str(SpendingFigure.objects.get().amount) == "2500.50"
    assert DecisionCount.objects.get().count == 17
    bad = [
        ("staff", {"year": YEAR, "full_time": "-1", "part_time": "1"}, "cannot be less than 0"),
        ("spending", {"year": YEAR, "amount": "-3"}, "cannot be negative"),
        ("spending", {"year": YEAR, "amount": "1.001"}, "at most two decimals"),
        ("decisions", {"year": YEAR + 5, "kind": "penalty", "count": "1"}, "Give a year from"),
    ]
    for which, data, message in bad:
        response = client.post(f"{BASE}/{which}/", {"organisation": world.unit_a.pk, **data})
        assert response.status_code == 200 and message in response.content.decode(), (which, data)
    assert StaffFigure.objects.get().part_time == 1 and DecisionCount.objects.get().count == 17
    assert str(SpendingFigure.objects.get().amount) == "2500.50"


def test_the_nav_links_to_records(world, as_):
    page = as_("clerk_a").get("/office/").content.decode()
    assert f'href="{BASE}/"' in page


def test_a_supervisor_reads_but_gets_no_forms(world, as_):
    review = actions.save_dispute(actor=world.reviewer, organisation=world.unit_a, kind="review", reference="R-1",
                                  subject="s", filed_on=dt.date.today())  # fmt: skip
    client = as_("supervisor")
    page = client.get(f"{BASE}/disputes/{review.pk}/").content.decode()
    assert "R-1" in page and 'name="reference"' not in page
    page = client.get(f"{BASE}/staff/").content.decode()
    assert "Enter a figure" not in page
