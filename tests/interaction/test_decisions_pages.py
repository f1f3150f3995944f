"""The pages of 决策公开: the back office runs the workflow; the portal shows what is public."""

from __future__ import annotations

from datetime import date, timedelta

from gongkai.interaction import actions_decisions as actions
from gongkai.interaction.models import Comment, DraftDecision
from tests.interaction.test_decisions import DRAFT


def test_the_office_runs_the_workflow(world, login) -> None:
    client = login(world.reviewer)
    assert client.get("/office/decisions/").status_code == 200
    response = client.post("/office/decisions/new/", {"organisation": world.county.pk, **DRAFT})
    decision = DraftDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/office/decisions/{decision.pk}/"
    today = date.today()
    response = client.post(f"/office/decisions/{decision.pk}/open/", {"opens_on": today, "closes_on": today})
    assert response.status_code == 200  # the period is too short: the form comes back
    client.post(
        f"/office/decisions/{decision.pk}/open/", {"opens_on": today, "closes_on": today + timedelta(7)}
    )
    comment = actions.submit_comment(actor=None, decision=decision, name="刘建国", contact="13907331001",
                                     text="建议增加夜间免费停车时段。")  # fmt: skip
    page = client.get(f"/office/decisions/{decision.pk}/").content.decode()
    assert "13907331001" in page  # staff see the contact
    client.post(f"/office/decisions/{decision.pk}/comments/{comment.pk}/", {"publish": "1"})
    client.post(f"/office/decisions/{decision.pk}/close/", {"reason": "已收集到足够意见"})
    client.post(f"/office/decisions/{decision.pk}/feedback/", {
        "summary": "共收到意见1条，已采纳。", "adopted": 1, "partly_adopted": 0, "not_adopted": 0,
    })  # fmt: skip
    decision.refresh_from_db()
    assert (decision.status, decision.comments_received, Comment.objects.get().status) == (
        "feedback",
        1,
        "published",
    )


def test_the_office_hides_other_governments_decisions(world, login) -> None:
    decision = actions.create_decision(actor=world.reviewer, organisation=world.county, **DRAFT)
    assert login(world.other_admin).get(f"/office/decisions/{decision.pk}/").status_code == 404
    assert login(world.clerk_a).get(f"/office/decisions/{decision.pk}/open/").status_code == 404


def _answer(client) -> dict[str, str]:
    """The token and the right answer of the check question the last page asked."""
    from gongkai.portal import captcha

    session = client.session
    token = list(session[captcha.SESSION_KEY])[-1]
    for n in range(0, 19):
        if session[captcha.SESSION_KEY][token][0] == captcha._digest(token, n):
            return {"captcha_token": token, "captcha_answer": str(n)}
    raise AssertionError("no answer")


def test_the_portal_shows_consultations_and_takes_comments(
    world, client, django_capture_on_commit_callbacks
) -> None:
    draft = actions.create_decision(actor=world.reviewer, organisation=world.county, **DRAFT)
    assert client.get(f"/consultations/{draft.pk}/").status_code == 404
    actions.open_for_comment(actor=world.reviewer, decision=draft, opens_on=date.today(),
                             closes_on=date.today() + timedelta(days=7))  # fmt: skip
    assert DRAFT["title"] in client.get("/consultations/").content.decode()
    assert client.get(f"/consultations/{draft.pk}/comment/").status_code == 200
    response = client.post(f"/consultations/{draft.pk}/comment/", {
        "name": "刘建国", "contact": "13907331001", "text": "建议增加夜间免费停车时段。", "captcha_answer": "999",
        "captcha_token": "x",
    })  # fmt: skip
    assert response.status_code == 200 and not Comment.objects.exists()  # the wrong answer
    client.get(f"/consultations/{draft.pk}/comment/")
    response = client.post(f"/consultations/{draft.pk}/comment/", {
        "name": "刘建国", "contact": "13907331001", "text": "建议增加夜间免费停车时段。", **_answer(client),
    })  # fmt: skip
    comment = Comment.objects.get()
    assert response.status_code == 200 and comment.contact == "13907331001"
    actions.moderate_comment(actor=world.reviewer, comment=comment, publish=True)
    page = client.get(f"/consultations/{draft.pk}/").content.decode()
    assert "建议增加夜间免费停车时段" in page and "刘**" in page
    assert "刘建国" not in page and "13907331001" not in page
    hearing = actions.create_hearing(actor=world.reviewer, organisation=world.county, title="停车收费听证会",
                                     date=date.today(), place="县政府三楼会议室", decision=draft)  # fmt: skip
    assert "停车收费听证会" not in client.get("/hearings/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the cached list is retired once committed
        actions.record_hearing(actor=world.reviewer, hearing=hearing, record="听证记录", outcome="听证结论")
    assert "听证结论" in client.get("/hearings/").content.decode()
