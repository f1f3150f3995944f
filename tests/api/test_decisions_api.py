"""/api/v1/decisions: staff tokens, scoped by the decision policies, every step through the actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongkai.audit.models import AuditEvent
from gongkai.interaction import actions_decisions as actions
from gongkai.interaction.models_decisions import Comment, DraftDecision, Hearing

DRAFT = {
    "title": "城区停车管理办法（征求意见稿）",
    "summary": "规范城区停车秩序。",
    "body": "第一条 为规范停车秩序，制定本办法。",
}


@pytest.fixture
def decision(world) -> DraftDecision:
    return actions.create_decision(actor=world.reviewer, organisation=world.county, **DRAFT)


def test_the_whole_consultation_through_the_api(world, api, token):
    raw = token("reviewer", "write")
    today = timezone.localdate()
    response = api.post("/decisions", {"organisation_id": world.county.pk, **DRAFT, "major": True}, token=raw)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["major"]) == ("draft", True)
    pk = data["id"]

    def step(path: str, body: dict, expected: int = 200) -> dict:
        response = api.post(path, body, token=raw)
        assert response.status_code == expected, (path, response.content)
        return response.json()

    period = {"opens_on": today.isoformat(), "closes_on": (today + timedelta(days=10)).isoformat()}
    assert step(f"/decisions/{pk}/open", period)["status"] == "open"
    comment = step(f"/decisions/{pk}/comments", {"text": "建议增加夜间临时停车位。", "name": "王先生"}, 201)
    assert comment["status"] == "pending" and Comment.objects.get(pk=comment["id"]).decision_id == pk
    listed = api.get(f"/decisions/{pk}/comments", token=raw).json()
    assert [c["id"] for c in listed] == [comment["id"]]
    assert step(f"/decisions/comments/{comment['id']}/moderate", {"publish": True})["status"] == "published"
    assert step(f"/decisions/{pk}/close", {"reason": "提前完成征求意见"})["status"] == "closed"
    data = step(f"/decisions/{pk}/feedback", {"summary": "采纳了增设停车位的建议。", "adopted": 1})
    assert (data["status"], data["comments_received"], data["adopted"]) == ("feedback", 1, 1)
    assert api.get(f"/decisions/{pk}", token=token("reviewer")).json()["status"] == "feedback"
    assert [d["id"] for d in api.get("/decisions", token=raw, status="feedback").json()["results"]] == [pk]

    hearing = step("/decisions/hearings", {"organisation_id": world.county.pk, "title": "停车收费听证会",
                                           "date": today.isoformat(), "place": "县政府三楼会议室",
                                           "decision_id": pk}, 201)  # fmt: skip
    assert (hearing["status"], hearing["decision_id"]) == ("planned", pk)
    assert [h["id"] for h in api.get("/decisions/hearings", token=raw).json()] == [hearing["id"]]
    data = step(
        f"/decisions/hearings/{hearing['id']}/record", {"record": "十二名代表发言。", "outcome": "同意方案。"}
    )
    assert data["status"] == "held" and Hearing.objects.get(pk=hearing["id"]).outcome == "同意方案。"


def test_outsiders_get_a_404_and_an_empty_list(world, api, token, decision):
    hearing = actions.create_hearing(actor=world.reviewer, organisation=world.county, title="听证会",
                                     date=timezone.localdate(), place="会议室")  # fmt: skip
    raw = token("other_admin", "write")
    assert api.get(f"/decisions/{decision.pk}", token=raw).status_code == 404
    assert api.get("/decisions", token=raw).json()["count"] == 0
    assert api.get("/decisions/hearings", token=raw).json() == []
    before = AuditEvent.objects.count()
    today = timezone.localdate()
    period = {"opens_on": today.isoformat(), "closes_on": (today + timedelta(days=5)).isoformat()}
    assert api.post(f"/decisions/{decision.pk}/open", period, token=raw).status_code == 404
    body = {"record": "记录", "outcome": "结果"}
    assert api.post(f"/decisions/hearings/{hearing.pk}/record", body, token=raw).status_code == 404
    assert AuditEvent.objects.count() == before
    assert DraftDecision.objects.get(pk=decision.pk).status == "draft"


def test_a_read_only_token_is_refused_on_writes(world, api, token, decision):
    raw = token("reviewer", "read")
    assert api.get(f"/decisions/{decision.pk}", token=raw).status_code == 200
    response = api.post(f"/decisions/{decision.pk}/close", {"reason": "x"}, token=raw)
    assert response.status_code == 403 and "read-only" in response.json()["message"]
    response = api.post("/decisions", {"organisation_id": world.county.pk, **DRAFT}, token=raw)
    assert response.status_code == 403 and DraftDecision.objects.count() == 1


def test_bad_input_is_a_400_naming_the_field(world, api, token, decision):
    raw = token("reviewer", "write")
    today = timezone.localdate().isoformat()
    response = api.post(f"/decisions/{decision.pk}/open", {"opens_on": today, "closes_on": today}, token=raw)
    assert response.status_code == 400 and "closes_on" in response.json()["message"]
    response = api.post(f"/decisions/{decision.pk}/comments", {"text": "好的建议内容"}, token=raw)
    assert response.status_code == 400  # not open for comment
    response = api.post(
        "/decisions", {"organisation_id": world.county.pk, "title": " ", "body": "x"}, token=raw
    )
    assert response.status_code == 400 and "title" in response.json()["message"]
