"""/api/v1/letters: staff tokens, scoped by LetterPolicy, every step through the actions."""

from __future__ import annotations

import pytest

from gongkai.audit.models import AuditEvent
from gongkai.interaction import actions
from gongkai.interaction.models import Category, Letter

LETTER = {
    "writer_name": "刘建国",
    "phone": "13907331001",
    "subject": "网岭镇罗家坪村道路破损",
    "body": "县长您好，我是刘建国，家住网岭镇罗家坪村5组12号。村里道路破损严重，请尽快维修。电话13907331001。",
    "publish_consent": True,
}
REPLY = "经核实，该路段已列入今年维修计划，将于下月施工。"


@pytest.fixture
def channel(world):
    return actions.create_channel(actor=world.county_admin, organisation=world.county, kind="hotline",
                                  name="县政府服务热线", limit_days=5)  # fmt: skip


@pytest.fixture
def letter(world, channel) -> Letter:
    made, _code = actions.register_letter(actor=world.reviewer, channel=channel,
                                          category=Category.objects.get(code="complaint"), **LETTER)  # fmt: skip
    return made


def test_the_whole_loop_through_the_api(world, api, token, channel):
    raw = token("reviewer", "write")
    response = api.post("/letters", {"channel_id": channel.pk, "category": "complaint", **LETTER}, token=raw)
    assert response.status_code == 201, response.content
    data = response.json()
    assert len(data["tracking_code"]) == 10 and "tracking_hash" not in data
    assert data["status"] == "received" and data["case_number"].startswith("HD")
    pk = data["id"]
    letter = Letter.objects.get(pk=pk)
    assert actions.find_by_tracking(letter.case_number, data["tracking_code"]) == letter

    def step(name: str, body: dict, as_token: str = raw) -> dict:
        response = api.post(f"/letters/{pk}/{name}", body, token=as_token)
        assert response.status_code == 200, (name, response.content)
        return response.json()

    assert step("triage", {"valid": True})["status"] == "accepted"
    data = step("assign", {"lead_unit": world.unit_b.pk, "assist_units": [world.township.pk]})
    assert (data["status"], data["lead_unit_id"], data["assist_unit_ids"]) == (
        "assigned", world.unit_b.pk, [world.township.pk])  # fmt: skip
    assert data["due_date"] and data["limit_days"] == 5
    clerk_b = token("clerk_b", "write")
    assert step("return", {"reason": "不属于教育局职责"}, clerk_b)["status"] == "returned"
    step("assign", {"lead_unit": world.unit_a.pk})
    clerk_a = token("clerk_a", "write")
    step("chase", {"note": "请抓紧办理"})
    assert step("draft", {"text": REPLY}, clerk_a)["status"] == "review"
    assert step("send-back", {"reason": "请写明施工时间"})["status"] == "assigned"
    step("draft", {"text": REPLY + "施工时间为下月10日。"}, clerk_a)
    data = step("approve", {})
    assert (data["status"], data["on_time"], data["reply_unit_id"]) == ("closed", True, world.unit_a.pk)
    data = step("publish", {})
    assert (
        data["published"] and "13907331001" not in data["public_body"] and "刘建国" not in data["public_body"]
    )
    assert step("unpublish", {"reason": "写信人要求撤下"})["published"] is False
    assert step("rate", {"rating": "not", "note": "施工未按期"})["rating"] == "not"
    data = step("reopen", {"reason": "回访不满意"})
    assert data["status"] == "assigned" and data["reopened"] == 1
    assert [a["unit_id"] for a in data["assignments"]] == [
        world.unit_b.pk,
        world.township.pk,
        world.unit_a.pk,
    ]

    detail = api.get(f"/letters/{pk}", token=token("supervisor")).json()
    assert detail["id"] == pk and "tracking_code" not in detail and "tracking_hash" not in detail
    assert letter.tracking_hash not in api.get(f"/letters/{pk}", token=raw).content.decode()


def test_the_list_filters(world, api, token, channel, letter):
    other, _ = actions.register_letter(actor=world.reviewer, channel=channel, category=Category.objects.get(
        code="consult"), answered_on_spot="已当场告知办理地点。", **{**LETTER, "subject": "社保咨询"})  # fmt: skip
    raw = token("reviewer")

    def ids(**params) -> list[int]:
        response = api.get("/letters", token=raw, **params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert set(ids()) == {letter.pk, other.pk}
    assert ids(status="closed") == [other.pk] and ids(status="received") == [letter.pk]
    assert ids(category="consult") == [other.pk] and set(ids(channel=channel.pk)) == {letter.pk, other.pk}
    assert ids(q="社保") == [other.pk] and ids(q=letter.case_number) == [letter.pk]
    assert ids(received_from="2000-01-01", received_to="2000-12-31") == []
    assert ids(overdue=True) == []
    response = api.get("/letters", token=raw, status="nonsense")
    assert response.status_code == 400 and "status" in response.json()["message"]


@pytest.mark.parametrize("persona", ["other_admin", "clerk_a", "window"])
def test_outsiders_get_a_404_and_an_empty_list(world, api, token, letter, persona):
    raw = token(persona, "write")
    assert api.get(f"/letters/{letter.pk}", token=raw).status_code == 404
    assert api.get("/letters", token=raw).json()["count"] == 0
    before = AuditEvent.objects.count()
    response = api.post(f"/letters/{letter.pk}/triage", {"valid": True}, token=raw)
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before and Letter.objects.get(pk=letter.pk).status == "received"


def test_a_read_only_token_is_refused_on_writes(world, api, token, channel, letter):
    raw = token("reviewer", "read")
    response = api.post(f"/letters/{letter.pk}/triage", {"valid": True}, token=raw)
    assert response.status_code == 403 and "read-only" in response.json()["message"]
    response = api.post("/letters", {"channel_id": channel.pk, "category": "complaint", **LETTER}, token=raw)
    assert response.status_code == 403 and Letter.objects.count() == 1


def test_a_step_the_role_may_not_take_is_a_403(world, api, token, letter):
    actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
    actions.assign_letter(actor=world.reviewer, letter=letter, lead_unit=world.unit_a)
    response = api.post(f"/letters/{letter.pk}/triage", {"valid": True}, token=token("clerk_a", "write"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("", {"channel_id": 0, "category": "complaint", **LETTER}, "channel_id"),
        ("", {"category": "nonsense", **LETTER}, "category"),
        ("", {"category": "complaint", **{**LETTER, "body": "太短"}}, "body"),
        ("", {"category": "complaint", **LETTER, "received_on": "2999-01-01"}, "received_on"),
        ("/{pk}/triage", {"valid": False, "reason": "nonsense"}, "reason"),
        ("/{pk}/triage", {"valid": False, "reason": "duplicate", "duplicate_of": 999999}, "duplicate_of"),
        ("/{pk}/triage", {"valid": True, "on": "2000-01-01"}, "on"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, api, token, channel, letter, path, payload, field):
    raw = token("reviewer", "write")
    if path == "":
        payload = {"channel_id": channel.pk, **payload}
    before = (Letter.objects.count(), AuditEvent.objects.count())
    response = api.post("/letters" + path.format(pk=letter.pk), payload, token=raw)
    assert response.status_code == 400, response.content
    assert field in response.json()["message"]
    assert (Letter.objects.count(), AuditEvent.objects.count()) == before


def test_bad_steps_are_400s(world, api, token, letter):
    raw = token("reviewer", "write")
    actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
    other_unit = world.other_county
    response = api.post(f"/letters/{letter.pk}/assign", {"lead_unit": other_unit.pk}, token=raw)
    assert response.status_code == 400 and "lead_unit" in response.json()["message"]
    response = api.post(f"/letters/{letter.pk}/approve", {}, token=raw)
    assert response.status_code == 400
    actions.assign_letter(actor=world.reviewer, letter=letter, lead_unit=world.unit_a)
    response = api.post(f"/letters/{letter.pk}/draft", {"text": "短"}, token=token("clerk_a", "write"))
    assert response.status_code == 400 and "text" in response.json()["message"]
    response = api.post(f"/letters/{letter.pk}/assign", {"lead_unit": world.unit_b.pk}, token=raw)
    assert response.status_code == 400  # already assigned
