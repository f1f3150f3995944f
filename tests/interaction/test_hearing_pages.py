"""The back office plans hearings (听证会) and records them once held, through the actions."""

from __future__ import annotations

from datetime import date, timedelta

from gongkai.interaction import actions_decisions as actions
from gongkai.interaction.models_decisions import Hearing
from tests.interaction.test_decisions import DRAFT


def test_the_office_plans_and_records_a_hearing(world, login) -> None:
    decision = actions.create_decision(actor=world.reviewer, organisation=world.county, **DRAFT)
    client = login(world.reviewer)
    assert client.get("/office/decisions/hearings/new/").status_code == 200
    response = client.post("/office/decisions/hearings/new/", {
        "organisation": world.county.pk, "title": "停车收费听证会", "date": date.today(), "place": "",
    })  # fmt: skip
    assert response.status_code == 200 and not Hearing.objects.exists()  # no place: the form comes back
    response = client.post("/office/decisions/hearings/new/", {
        "organisation": world.county.pk, "title": "停车收费听证会", "date": date.today(),
        "place": "县政府三楼会议室", "participants": "消费者代表5名", "decision": decision.pk,
    })  # fmt: skip
    assert response.status_code == 302
    hearing = Hearing.objects.get()
    assert (hearing.status, hearing.decision_id) == ("planned", decision.pk)
    page = client.get("/office/decisions/").content.decode()
    assert f"/office/decisions/hearings/{hearing.pk}/record/" in page

    url = f"/office/decisions/hearings/{hearing.pk}/record/"
    response = client.post(
        url, {"held_on": date.today() + timedelta(days=3), "record": "记录", "outcome": "同意"}
    )
    assert response.status_code == 200  # a date in the future: the form comes back
    response = client.post(url, {"record": "十二名代表发言。", "outcome": "同意调整方案。"})
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert (hearing.status, hearing.outcome, hearing.participants) == (
        "held",
        "同意调整方案。",
        "消费者代表5名",
    )


def test_other_governments_cannot_record_the_hearing(world, login) -> None:
    hearing = actions.create_hearing(actor=world.reviewer, organisation=world.county, title="听证会",
                                     date=date.today(), place="会议室")  # fmt: skip
    client = login(world.other_admin)
    response = client.post(
        f"/office/decisions/hearings/{hearing.pk}/record/", {"record": "记录", "outcome": "同意"}
    )
    assert response.status_code == 404
    assert Hearing.objects.get(pk=hearing.pk).status == "planned"
