"""Outsiders: other units' staff, window staff, citizens and the anonymous get nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.records import actions
from gongkai.records.models import DisputeCase, ReadingRoomVisit, StaffFigure
from tests.office.test_records_support import BASE, YEAR

LISTS = ["/", "/disputes/", "/rooms/", "/staff/", "/spending/", "/decisions/"]


@pytest.fixture
def records(world):
    day = dt.date.today()
    case = actions.save_dispute(actor=world.reviewer, organisation=world.unit_a, kind="review", reference="R-A",
                                subject="财政局的复议", filed_on=day)  # fmt: skip
    room = actions.save_reading_room(actor=world.clerk_a, organisation=world.unit_a, name="财政局查阅室")
    actions.set_staff_figure(
        actor=world.clerk_a, organisation=world.unit_a, year=YEAR, full_time=3, part_time=4
    )
    return {"case": case, "room": room}


@pytest.mark.parametrize("persona", ["window", "citizen"])
def test_no_records_role_no_pages(world, as_, records, persona):
    client = as_(persona)
    for url in LISTS[1:] + ["/disputes/new/", "/rooms/new/", "/import/figures/"]:
        assert client.get(f"{BASE}{url}").status_code == 403, url
    if persona == "window":  # staff reach the overview from the nav: it says their roles reach nothing
        page = client.get(f"{BASE}/").content.decode()
        assert "Your roles reach no unit's records." in page and "财政局查阅室" not in page
    else:
        assert client.get(f"{BASE}/").status_code == 403


def test_anonymous_is_sent_to_log_in(world, as_, records):
    client = as_("anonymous")
    for url in LISTS:
        assert client.get(f"{BASE}{url}").status_code == 302


@pytest.mark.parametrize("persona", ["clerk_b", "other_admin"])
def test_other_units_see_nothing_and_change_nothing(world, as_, records, persona):
    client = as_(persona)
    case, room = records["case"], records["room"]
    for url in LISTS:
        page = client.get(f"{BASE}{url}?year={YEAR}").content.decode()
        assert "R-A" not in page and "财政局查阅室" not in page and world.unit_a.name not in page, url
    for url in (f"/disputes/{case.pk}/", f"/disputes/{case.pk}/conclude/", f"/rooms/{room.pk}/",
                f"/rooms/{room.pk}/edit/"):  # fmt: skip
        assert client.get(f"{BASE}{url}").status_code == 404, url
    today = dt.date.today().isoformat()
    assert client.post(f"{BASE}/disputes/{case.pk}/conclude/", {"result": "other", "concluded_on": today}
                       ).status_code == 404  # fmt: skip
    assert client.post(f"{BASE}/rooms/{room.pk}/", {"day": today, "visitors": 5}).status_code == 404
    response = client.post(f"{BASE}/staff/", {"organisation": world.unit_a.pk, "year": YEAR, "full_time": 9,
                                             "part_time": 9})  # fmt: skip
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert DisputeCase.objects.get().result == "pending"
    assert not ReadingRoomVisit.objects.exists()
    assert StaffFigure.objects.get().full_time == 3


def test_a_supervisor_cannot_post(world, as_, records):
    client = as_("supervisor")
    case, room = records["case"], records["room"]
    today = dt.date.today().isoformat()
    assert client.post(f"{BASE}/disputes/{case.pk}/", {"organisation": world.unit_a.pk}).status_code == 403
    assert client.post(f"{BASE}/disputes/{case.pk}/conclude/", {"result": "other", "concluded_on": today}
                       ).status_code == 404  # fmt: skip
    assert client.post(f"{BASE}/rooms/{room.pk}/", {"day": today, "visitors": 5}).status_code == 403
    assert client.post(f"{BASE}/staff/", {"organisation": world.unit_a.pk, "year": YEAR, "full_time": 9,
                                         "part_time": 9}).status_code == 403  # fmt: skip
    assert client.get(f"{BASE}/disputes/new/").status_code == 403
    assert DisputeCase.objects.get().result == "pending" and StaffFigure.objects.get().full_time == 3


def test_the_history_of_a_record_follows_its_policy(world, as_, records):
    from django.contrib.contenttypes.models import ContentType

    case = records["case"]
    url = f"/office/history/{ContentType.objects.get_for_model(DisputeCase).pk}/{case.pk}/"
    assert as_("supervisor").get(url).status_code == 200
    assert "records.save_dispute" in as_("clerk_a").get(url).content.decode()
    for persona in ("clerk_b", "other_admin"):
        assert as_(persona).get(url).status_code == 404
