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
