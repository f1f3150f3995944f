"""/api/v1/records: disputes, year figures and reading rooms, for staff tokens, through the actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from gongkai.audit.models import AuditEvent
from gongkai.records import actions
from gongkai.records.models import (
    DecisionCount,
    DisputeCase,
    ReadingRoom,
    ReadingRoomVisit,
    SpendingFigure,
    StaffFigure,
)

pytestmark = pytest.mark.django_db

YEAR = 2025
MODELS = (DisputeCase, ReadingRoom, ReadingRoomVisit, StaffFigure, SpendingFigure, DecisionCount, AuditEvent)


@pytest.fixture(autouse=True)
def _english(client: Any) -> Any:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def day() -> dt.date:
    """A past day every case can be filed on."""
    return timezone.localdate() - dt.timedelta(days=30)


@pytest.fixture
def case(world: Any, day: dt.date) -> DisputeCase:
    return actions.save_dispute(
        actor=world.reviewer,
        organisation=world.unit_a,
        kind="review",
        reference="攸政复字〔2026〕1号",
        subject="不予公开答复",
        filed_on=day,
        body="攸县人民政府",
    )


@pytest.fixture
def room(world: Any) -> ReadingRoom:
    return actions.save_reading_room(actor=world.county_admin, organisation=world.unit_a, name="财政局查阅点")


def counts() -> tuple[int, ...]:
    """What a refused request must leave as it was (audit events included)."""
    return tuple(model.objects.count() for model in MODELS)


def dispute_body(world: Any, day: dt.date, **kw: Any) -> dict[str, Any]:
    return {
        "organisation_code": world.unit_a.code,
        "kind": "litigation_direct",
        "reference": "(2026)湘0223行初5号",
        "subject": "政府信息公开答复",
        "filed_on": day.isoformat(),
        "body": "攸县人民法院",
        **kw,
    }


# --- disputes -----------------------------------------------------------------------------------------


def test_staff_record_and_conclude_a_case(
    api: Any, world: Any, day: dt.date, case: DisputeCase, token: Any
) -> None:
    raw = token("clerk_a", "write")
    created = api.post("/records/disputes", dispute_body(world, day), token=raw)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["result"] == "pending" and body["organisation_code"] == world.unit_a.code
    after = api.post(
        "/records/disputes",
        dispute_body(
            world,
            day,
            kind="litigation_after_review",
            reference="(2026)湘0223行初6号",
            review_case_id=case.pk,
        ),
        token=token("reviewer", "write"),
    )
    assert after.status_code == 201 and after.json()["review_case_id"] == case.pk

    path = f"/records/disputes/{body['id']}"
    concluded = api.post(
        f"{path}/conclude", {"result": "corrected", "concluded_on": day.isoformat()}, token=raw
    )
    assert concluded.status_code == 200 and concluded.json()["result"] == "corrected"
    assert api.get(path, token=raw).json()["concluded_on"] == day.isoformat()
    again = api.post(f"{path}/conclude", {"result": "maintained", "concluded_on": day.isoformat()}, token=raw)
    assert again.status_code == 400 and "result" in again.json()["errors"]
    assert DisputeCase.objects.get(pk=body["id"]).result == "corrected"
    verbs = list(AuditEvent.objects.filter(verb__startswith="records.").values_list("verb", flat=True))
    assert verbs.count("records.save_dispute") == 3 and verbs.count("records.conclude_dispute") == 1


def test_the_list_of_cases_is_scoped_and_filtered(
    api: Any, world: Any, day: dt.date, case: DisputeCase, token: Any
) -> None:
    actions.save_dispute(
        actor=world.reviewer,
        organisation=world.unit_b,
        kind="complaint",
        reference="申诉1号",
        subject="未答复",
        filed_on=dt.date(YEAR, 3, 2),
    )
    old = actions.save_dispute(
        actor=world.reviewer,
        organisation=world.unit_a,
        kind="review",
        reference="攸政复字〔2025〕9号",
        subject="不予公开",
        filed_on=dt.date(YEAR, 3, 2),
    )
    actions.conclude_dispute(
        actor=world.reviewer, case=old, result="maintained", concluded_on=dt.date(YEAR, 5, 6)
    )
    sup = token("supervisor")
    assert api.get("/records/disputes", token=sup).json()["count"] == 3
    assert api.get("/records/disputes", token=sup, kind="complaint").json()["count"] == 1
    assert [
        r["id"] for r in api.get("/records/disputes", token=sup, result="maintained").json()["results"]
    ] == [old.pk]
    assert api.get("/records/disputes", token=sup, year=YEAR).json()["count"] == 2
    assert api.get("/records/disputes", token=sup, org=world.unit_a.code).json()["count"] == 2
    assert api.get("/records/disputes", token=token("clerk_a")).json()["count"] == 2  # their unit's only
    assert api.get("/records/disputes", token=token("other_admin")).json()["count"] == 0
    assert api.get("/records/disputes", token=sup, kind="bogus").status_code == 400
    assert api.get("/records/disputes", token=sup, result="bogus").status_code == 400
    assert api.get("/records/disputes", token=sup, year="abc").status_code == 422
    assert api.get("/records/disputes").status_code == 401


def test_outsiders_cannot_read_or_change_cases(
    api: Any, world: Any, day: dt.date, case: DisputeCase, token: Any, login: Any
) -> None:
    tokens = {p: token(p, "write") for p in ("clerk_b", "other_admin", "window", "supervisor")}
    read = token("reviewer", "read")
    before = counts()
    path = f"/records/disputes/{case.pk}"
    conclude = {"result": "maintained", "concluded_on": day.isoformat()}
    for outsider in ("clerk_b", "other_admin", "window"):
        assert api.get(path, token=tokens[outsider]).status_code == 404
        assert api.post(f"{path}/conclude", conclude, token=tokens[outsider]).status_code == 404
    for outsider in ("clerk_b", "other_admin"):
        assert (
            api.post("/records/disputes", dispute_body(world, day), token=tokens[outsider]).status_code == 403
        )
    assert api.get(path, token=tokens["supervisor"]).status_code == 200  # reads, changes nothing
    assert api.post(f"{path}/conclude", conclude, token=tokens["supervisor"]).status_code == 403
    assert (
        api.post("/records/disputes", dispute_body(world, day), token=tokens["supervisor"]).status_code == 403
    )
    assert api.post(f"{path}/conclude", conclude, token=read).status_code == 403
    assert api.post("/records/disputes", dispute_body(world, day), token=read).status_code == 403
    assert api.post("/records/disputes", dispute_body(world, day)).status_code == 401
    assert api.get(path).status_code == 401
    login(world.citizen)
    assert api.get(path).status_code == 403
    assert counts() == before
    assert DisputeCase.objects.get(pk=case.pk).result == "pending"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"subject": None}, 422, None),
        ({"filed_on": "not a date"}, 422, None),
        ({"filed_on": "1900-02-30"}, 422, None),
        ({"kind": "appeal"}, 400, "kind"),
        ({"subject": "  "}, 400, "subject"),
        ({"organisation_code": "NOSUCHCODE"}, 400, "organisation_code"),
        ({"review_case_id": 999999}, 400, "review_case_id"),
        ({"application_id": 999999}, 400, "application_id"),
        ({"reference": "攸政复字〔2026〕1号", "kind": "review"}, 400, "reference"),  # the fixture's case
        ("future", 400, "filed_on"),
    ],
)
def test_bad_cases_are_refused_and_change_nothing(
    api: Any,
    world: Any,
    day: dt.date,
    case: DisputeCase,
    token: Any,
    change: Any,
    status: int,
    field: str | None,
) -> None:
    raw = token("reviewer", "write")
    if change == "future":
        change = {"filed_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}
    body = {k: v for k, v in {**dispute_body(world, day), **change}.items() if v is not None}
    before = counts()
    response = api.post("/records/disputes", body, token=raw)
    assert response.status_code == status and response.json()["message"]
    if field:
        assert field in response.json()["errors"]
    assert counts() == before


def test_bad_conclusions_are_refused(
    api: Any, world: Any, day: dt.date, case: DisputeCase, token: Any
) -> None:
    raw = token("reviewer", "write")
    path = f"/records/disputes/{case.pk}/conclude"
    before = counts()
    assert (
        api.post(path, {"result": "pending", "concluded_on": day.isoformat()}, token=raw).status_code == 400
    )
    early = api.post(path, {"result": "maintained", "concluded_on": "2000-01-01"}, token=raw)
    assert early.status_code == 400 and "concluded_on" in early.json()["errors"]
    assert api.post(path, {"result": "maintained"}, token=raw).status_code == 422
    assert (
        api.post(
            "/records/disputes/999999/conclude",
            {"result": "maintained", "concluded_on": day.isoformat()},
            token=raw,
        ).status_code
        == 404
    )
    assert counts() == before


# --- figures of a unit's year --------------------------------------------------------------------------


def test_a_unit_enters_its_year_figures(api: Any, world: Any, token: Any) -> None:
    raw = token("clerk_a", "write")
    base = f"/records/figures/{world.unit_a.code}/{YEAR}"
    empty = api.get(base, token=raw).json()
    assert empty == {
        "organisation_code": world.unit_a.code,
        "organisation": world.unit_a.name,
        "year": YEAR,
        "staff": None,
        "spending": None,
        "decisions": [],
    }
    staff = api.send("put", f"{base}/staff", {"full_time": 2, "part_time": 3}, token=raw)
    assert staff.status_code == 200, staff.content
    assert staff.json()["staff"]["full_time"] == 2 and staff.json()["staff"]["source"] == "entered"
    spending = api.send("put", f"{base}/spending", {"amount": "12345.60", "purpose": "网站建设"}, token=raw)
    assert spending.status_code == 200 and Decimal(spending.json()["spending"]["amount"]) == Decimal(
        "12345.60"
    )
    assert api.send("put", f"{base}/decisions/penalty", {"count": 12}, token=raw).status_code == 200
    assert (
        api.send("put", f"{base}/decisions/penalty", {"count": 14, "note": "补录"}, token=raw).status_code
        == 200
    )
    body = api.send("put", f"{base}/decisions/enforcement", {"count": 4}, token=raw).json()
    assert [(d["kind"], d["count"]) for d in body["decisions"]] == [("enforcement", 4), ("penalty", 14)]
    assert DecisionCount.objects.get(organisation=world.unit_a, year=YEAR, kind="penalty").note == "补录"
    assert api.get(base, token=token("supervisor")).json() == body
    assert AuditEvent.objects.filter(verb="records.set_decision_count").count() == 3


def test_the_figures_of_a_year_feed_the_report(api: Any, world: Any, token: Any) -> None:
    raw = token("reviewer", "write")
    api.send(
        "put", f"/records/figures/{world.unit_a.code}/{YEAR}/decisions/penalty", {"count": 12}, token=raw
    )
    draft = api.post(
        "/reports/drafts", {"organisation_code": world.unit_a.code, "year": YEAR}, token=raw
    ).json()
    figures = {c["key"]: c["value"] for c in draft["document"]["cells"]}
    assert figures["t2/penalty/decisions"] == 12


def test_outsiders_cannot_read_or_enter_year_figures(api: Any, world: Any, token: Any, login: Any) -> None:
    actions.set_staff_figure(
        actor=world.county_admin, organisation=world.unit_a, year=YEAR, full_time=1, part_time=1
    )
    tokens = {p: token(p, "write") for p in ("clerk_b", "other_admin", "window", "supervisor")}
    read = token("clerk_a", "read")
    before = counts()
    base = f"/records/figures/{world.unit_a.code}/{YEAR}"
    for outsider in ("clerk_b", "other_admin", "window"):
        assert api.get(base, token=tokens[outsider]).status_code == 404
        assert (
            api.send(
                "put", f"{base}/staff", {"full_time": 9, "part_time": 9}, token=tokens[outsider]
            ).status_code
            == 403
        )
        assert (
            api.send("put", f"{base}/decisions/penalty", {"count": 9}, token=tokens[outsider]).status_code
            == 403
        )
    assert api.get(base, token=tokens["supervisor"]).json()["staff"]["full_time"] == 1
    assert api.send("put", f"{base}/spending", {"amount": "1"}, token=tokens["supervisor"]).status_code == 403
    assert api.get(base, token=read).status_code == 200
    assert api.send("put", f"{base}/staff", {"full_time": 9, "part_time": 9}, token=read).status_code == 403
    assert api.send("put", f"{base}/staff", {"full_time": 9, "part_time": 9}).status_code == 401
    assert api.get(base).status_code == 401
    login(world.citizen)
    assert api.get(base).status_code == 403
    assert counts() == before
    assert StaffFigure.objects.get(organisation=world.unit_a, year=YEAR).full_time == 1


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/1900/staff", {"full_time": 1, "part_time": 1}, 400, "year"),
        ("/2999/staff", {"full_time": 1, "part_time": 1}, 400, "year"),
        ("/YEAR/staff", {"full_time": -1, "part_time": 1}, 400, "full_time"),
        ("/YEAR/staff", {"full_time": 100_000, "part_time": 1}, 400, "full_time"),
        ("/YEAR/staff", {"full_time": "two", "part_time": 1}, 422, None),
        ("/YEAR/staff", {"part_time": 1}, 422, None),
        ("/YEAR/spending", {"amount": "-5"}, 400, "amount"),
        ("/YEAR/spending", {"amount": "1.234"}, 400, "amount"),
        ("/YEAR/spending", {"amount": "lots"}, 422, None),
        ("/YEAR/decisions/bribes", {"count": 1}, 400, "kind"),
        ("/YEAR/decisions/penalty", {"count": -1}, 400, "count"),
        ("/YEAR/decisions/penalty", {"count": 1.5}, 422, None),
    ],
)
def test_bad_year_figures_are_refused_and_change_nothing(
    api: Any, world: Any, token: Any, path: str, body: dict, status: int, field: str | None
) -> None:
    raw = token("clerk_a", "write")
    before = counts()
    response = api.send(
        "put", f"/records/figures/{world.unit_a.code}{path.replace('YEAR', str(YEAR))}", body, token=raw
    )
    assert response.status_code == status and response.json()["message"]
    if field:
        assert field in response.json()["errors"]
    assert counts() == before


def test_reading_year_figures_of_a_bad_year_or_unknown_unit(api: Any, world: Any, token: Any) -> None:
    raw = token("clerk_a", "write")
    before = counts()
    assert api.get(f"/records/figures/{world.unit_a.code}/1900", token=raw).status_code == 400
    assert api.get(f"/records/figures/NOSUCHCODE/{YEAR}", token=raw).status_code == 404
    assert api.get(f"/records/figures/{world.unit_a.code}/abc", token=raw).status_code == 404  # no such route
    assert (
        api.send(
            "put", f"/records/figures/NOSUCHCODE/{YEAR}/staff", {"full_time": 1, "part_time": 1}, token=raw
        ).status_code
        == 404
    )
    assert counts() == before


# --- reading rooms and visits ----------------------------------------------------------------------------


def test_a_unit_opens_a_reading_room_and_registers_visits(
    api: Any, world: Any, day: dt.date, token: Any
) -> None:
    raw = token("clerk_a", "write")
    created = api.post(
        "/records/rooms",
        {
            "organisation_code": world.unit_a.code,
            "name": "财政局查阅点",
            "address": "攸县联星路1号",
            "opening_hours": "工作日 8:00–17:30",
        },
        token=raw,
    )
    assert created.status_code == 201, created.content
    room_id = created.json()["id"]
    assert api.get(f"/records/rooms/{room_id}", token=raw).json()["address"] == "攸县联星路1号"
    for offset, visitors in ((0, 3), (1, 2)):
        on = (day + dt.timedelta(days=offset)).isoformat()
        visit = api.post(
            f"/records/rooms/{room_id}/visits",
            {"day": on, "visitors": visitors, "purpose": "预算公开"},
            token=raw,
        )
        assert visit.status_code == 201 and visit.json()["visitors"] == visitors
    visits = api.get(f"/records/rooms/{room_id}/visits", token=raw).json()
    assert visits["count"] == 2 and visits["visitors"] == 5 and visits["results"][0]["visitors"] == 2
    one_day = api.get(
        f"/records/rooms/{room_id}/visits", token=raw, day_from=day.isoformat(), day_to=day.isoformat()
    )
    assert one_day.json()["visitors"] == 3
    actions.save_reading_room(
        actor=world.county_admin, organisation=world.unit_b, name="教育局查阅点", is_active=False
    )
    sup = token("supervisor")
    assert api.get("/records/rooms", token=sup).json()["count"] == 2
    assert api.get("/records/rooms", token=sup, active="true").json()["count"] == 1
    assert (
        api.get("/records/rooms", token=sup, org=world.unit_b.code).json()["results"][0]["is_active"] is False
    )
    assert api.get("/records/rooms", token=raw).json()["count"] == 1
    assert AuditEvent.objects.filter(verb="records.record_visit").count() == 2


def test_outsiders_cannot_read_or_change_reading_rooms(
    api: Any, world: Any, day: dt.date, room: ReadingRoom, token: Any
) -> None:
    tokens = {p: token(p, "write") for p in ("clerk_b", "other_admin", "window", "supervisor")}
    read = token("clerk_a", "read")
    before = counts()
    visit = {"day": day.isoformat(), "visitors": 1}
    new_room = {"organisation_code": world.unit_a.code, "name": "第二查阅点"}
    for outsider in ("clerk_b", "other_admin", "window"):
        assert api.get(f"/records/rooms/{room.pk}", token=tokens[outsider]).status_code == 404
        assert api.get(f"/records/rooms/{room.pk}/visits", token=tokens[outsider]).status_code == 404
        assert api.post(f"/records/rooms/{room.pk}/visits", visit, token=tokens[outsider]).status_code == 404
        assert api.get("/records/rooms", token=tokens[outsider]).json()["count"] == 0
    for outsider in ("clerk_b", "other_admin", "supervisor"):
        assert api.post("/records/rooms", new_room, token=tokens[outsider]).status_code == 403
    assert api.post(f"/records/rooms/{room.pk}/visits", visit, token=tokens["supervisor"]).status_code == 403
    assert api.post(f"/records/rooms/{room.pk}/visits", visit, token=read).status_code == 403
    assert api.post("/records/rooms", new_room, token=read).status_code == 403
    assert api.post("/records/rooms", new_room).status_code == 401
    assert api.get("/records/rooms").status_code == 401
    assert counts() == before


@pytest.mark.parametrize(
    ("url", "body", "status", "field"),
    [
        ("rooms", {"organisation_code": "CODE", "name": "财政局查阅点"}, 400, "name"),  # the same name again
        ("rooms", {"organisation_code": "CODE", "name": " "}, 400, "name"),
        ("rooms", {"organisation_code": "NOSUCHCODE", "name": "x"}, 400, "organisation_code"),
        ("rooms", {"organisation_code": "CODE"}, 422, None),
        ("visits", {"day": "DAY", "visitors": 0}, 400, "visitors"),
        ("visits", {"day": "DAY", "visitors": "many"}, 422, None),
        ("visits", {"day": "FUTURE", "visitors": 1}, 400, "day"),
        ("visits", {"visitors": 1}, 422, None),
    ],
)
def test_bad_rooms_and_visits_are_refused_and_change_nothing(
    api: Any,
    world: Any,
    day: dt.date,
    room: ReadingRoom,
    token: Any,
    url: str,
    body: dict,
    status: int,
    field: str | None,
) -> None:
    raw = token("clerk_a", "write")
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    swap = {"CODE": world.unit_a.code, "DAY": day.isoformat(), "FUTURE": future}
    body = {k: swap.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    path = "/records/rooms" if url == "rooms" else f"/records/rooms/{room.pk}/visits"
    before = counts()
    response = api.post(path, body, token=raw)
    assert response.status_code == status and response.json()["message"]
    if field:
        assert field in response.json()["errors"]
    assert counts() == before
