"""The working-day calendar pages: everyone reads, only platform administrators edit."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.audit.models import AuditEvent
from gongkai.workdays.models import CalendarDay, CalendarYear


def errors(response) -> str:
    return " ".join(re.findall(r'role="alert">(.*?)</div>', response.content.decode(), re.S))


def calendar_state():
    return (
        list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name")),
        list(CalendarYear.objects.order_by("year").values_list("year", "notice")),
        AuditEvent.objects.count(),
    )


SCHEDULE = "# year: 2031\n# notice: 国办发明电〔2030〕1号\ndate,type,name\n2031-01-01,holiday,元旦\n"


@pytest.mark.parametrize("persona", ["clerk_a", "window", "supervisor", "root"])
def test_staff_read_the_calendar(world, as_, persona):
    client = as_(persona)
    assert client.get("/office/calendar/").status_code == 200
    assert client.get("/office/calendar/2025/").status_code == 200


@pytest.mark.parametrize("year", [1800, 1948, 2101, 99999])
def test_years_outside_the_supported_range_are_not_found(world, as_, year):
    assert as_("root").get(f"/office/calendar/{year}/").status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({"date": "2025-02-30", "kind": "holiday", "name": "x", "reason": "r"}, "valid date"),
        ({"date": "2025-13-01", "kind": "holiday", "name": "x", "reason": "r"}, "valid date"),
        ({"date": "abc", "kind": "holiday", "name": "x", "reason": "r"}, "valid date"),
        ({"date": "2026-05-04", "kind": "holiday", "name": "x", "reason": "r"}, "must be in 2025"),
        ({"date": "2025-05-06", "kind": "makeup", "name": "x", "reason": "r"}, "only a Saturday or Sunday"),
        ({"date": "2025-05-06", "kind": "party", "name": "x", "reason": "r"}, "valid choice"),
        ({"date": "2025-05-06", "kind": "holiday", "name": "x", "reason": ""}, "required"),
    ],
)
def test_bad_calendar_days_are_re_shown_with_errors_and_change_nothing(world, as_, data, message):
    before = calendar_state()
    response = as_("root").post("/office/calendar/2025/", data)
    assert response.status_code == 200
    assert message in errors(response)
    assert calendar_state() == before
    assert f'value="{data["date"]}"' in response.content.decode()  # what was typed is kept


def test_the_platform_administrator_marks_a_day(world, as_):
    response = as_("root").post(
        "/office/calendar/2031/",
        {"date": "2031-05-02", "kind": "holiday", "name": "劳动节", "reason": "国办通知"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date="2031-05-02").name == "劳动节"
    assert AuditEvent.objects.filter(verb="workdays.set_day").exists()


@pytest.mark.parametrize("persona", ["county_admin", "reviewer", "clerk_a"])
def test_only_the_platform_administrator_edits_days(world, as_, persona):
    before = calendar_state()
    response = as_(persona).post(
        "/office/calendar/2031/", {"date": "2031-05-02", "kind": "holiday", "name": "劳动节", "reason": "x"}
    )
    assert response.status_code == 403
    assert calendar_state() == before


@pytest.mark.parametrize("persona", ["county_admin", "supervisor", "clerk_a"])
def test_calendar_upload_by_anyone_but_the_platform_administrator_is_refused(world, as_, persona):
    before = calendar_state()
    upload = SimpleUploadedFile("2031.csv", SCHEDULE.encode(), content_type="text/csv")
    response = as_(persona).post("/office/calendar/upload/", {"file": upload, "reason": "x"})
    assert response.status_code == 403
    assert calendar_state() == before


def test_the_platform_administrator_uploads_a_schedule(world, as_):
    upload = SimpleUploadedFile("2031.csv", SCHEDULE.encode(), content_type="text/csv")
    response = as_("root").post("/office/calendar/upload/", {"file": upload, "reason": "新年度"})
    assert response.status_code == 302 and response["Location"] == "/office/calendar/2031/"
    assert CalendarYear.objects.get(year=2031).notice == "国办发明电〔2030〕1号"


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00bad", b"date,type,name\n2031-02-30,holiday,x\n", b"{not json", b"x" * 300_000],
    ids=["empty", "not utf-8", "impossible date", "broken json", "too large"],
)
def test_a_bad_schedule_file_is_refused_with_a_message(world, as_, content):
    before = calendar_state()
    client = as_("root")
    upload = SimpleUploadedFile("bad.csv", content, content_type="text/csv")
    response = client.post("/office/calendar/upload/", {"file": upload, "reason": "x"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/office/calendar/"
    assert '<p class="message error">' in response.content.decode()
    assert calendar_state() == before


def test_the_deadline_calculator_answers_and_explains_bad_input(world, as_):
    client = as_("clerk_a")
    ok = client.get("/office/calendar/compute/", {"start": "2025-09-26", "days": "20"})
    assert ok.status_code == 200
    for start, days in (("2025-02-30", "20"), ("abc", "20"), ("2025-09-26", "x"), ("2025-09-26", "-1"),
                        ("2025-09-26", "5000"), ("1800-01-01", "3")):  # fmt: skip
        response = client.get("/office/calendar/compute/", {"start": start, "days": days})
        assert response.status_code == 200, (start, days)
        assert (
            "YYYY-MM-DD" in response.content.decode() or "year must be between" in response.content.decode()
        )
