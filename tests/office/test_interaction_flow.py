"""A letter's whole loop through the back-office pages: triage, assign, return, re-assign, draft, approve."""

from __future__ import annotations

import re

from gongkai.interaction import actions
from gongkai.interaction.models import Letter, LetterStatus
from tests.office import test_interaction_support as support
from tests.office.test_interaction_support import step

channels, category, submitted = support.channels, support.category, support.submitted  # fixtures

REPLY = "经核实，该路段已列入今年维修计划，将于下月施工。"


def test_the_whole_loop_through_the_pages(world, as_, submitted):
    letter = submitted
    reviewer = as_("reviewer")
    page = reviewer.get(f"/office/interaction/{letter.pk}/").content.decode()
    assert 'id="step-triage"' in page and 'id="step-assign"' not in page and "刘建国" in page
    response = step(reviewer, letter, "triage", {"valid": "yes"})
    assert response.status_code == 302
    page = reviewer.get(response.url).content.decode()
    assert "Accepted; it can now be assigned." in page and 'id="step-assign"' in page
    assert "How the due date was computed" in page

    response = step(
        reviewer, letter, "assign", {"lead_unit": world.unit_b.pk, "assist_units": [world.township.pk]}
    )
    assert response.status_code == 302, response.content.decode()
    letter.refresh_from_db()
    assert (letter.status, letter.lead_unit) == (LetterStatus.ASSIGNED, world.unit_b)

    clerk_b = as_("clerk_b")
    page = clerk_b.get(f"/office/interaction/{letter.pk}/").content.decode()
    assert 'id="step-return"' in page and 'id="step-draft"' in page and 'id="step-assign"' not in page
    response = step(clerk_b, letter, "return", {"reason": "道路维修不属于教育局职责"})
    assert response.status_code == 302 and response.url == "/office/interaction/"  # out of reach now
    assert clerk_b.get(f"/office/interaction/{letter.pk}/").status_code == 404

    reviewer = as_("reviewer")
    page = reviewer.get(f"/office/interaction/{letter.pk}/").content.decode()
    assert "道路维修不属于教育局职责" in page and 'id="step-assign"' in page
    assert step(reviewer, letter, "assign", {"lead_unit": world.unit_a.pk}).status_code == 302

    clerk_a = as_("clerk_a")
    assert step(clerk_a, letter, "approve", {"text": REPLY}).status_code == 403
    assert step(clerk_a, letter, "draft", {"text": REPLY}).status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.REVIEW

    reviewer = as_("reviewer")
    page = reviewer.get(f"/office/interaction/{letter.pk}/").content.decode()
    assert 'id="step-approve"' in page and 'id="step-send_back"' in page and REPLY in page
    response = step(reviewer, letter, "approve", {"text": REPLY, "publish": "on"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.status, letter.reply_unit, letter.on_time, letter.published) == (
        LetterStatus.CLOSED, world.unit_a, True, True,
    )  # fmt: skip
    page = reviewer.get(f"/office/interaction/{letter.pk}/").content.decode()
    assert "Reply approved; the letter is closed." in page
    assert letter.public_body in page and "刘**" in page
    assert 'id="step-unpublish"' in page and 'id="step-callback"' in page and 'id="step-publish"' not in page
    assert re.search(rf'href="/office/history/\d+/{letter.pk}/"', page)

    assert step(reviewer, letter, "callback", {"rating": "not", "note": "仍未施工"}).status_code == 302
    page = reviewer.get(f"/office/interaction/{letter.pk}/").content.decode()
    assert 'id="step-reopen"' in page
    assert step(reviewer, letter, "reopen", {"reason": "写信人不满意"}).status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ASSIGNED and letter.reopened == 1


def test_registering_a_call_shows_the_code_once(world, as_, channels, category):
    client = as_("reviewer")
    page = client.get("/office/interaction/new/").content.decode()
    assert "县长信箱" in page and "县政府热线" in page
    data = {**support.LETTER, "channel": channels["hotline"].pk, "category": category.pk, "audio_ref": "REC-1",
            "publish_consent": "on"}  # fmt: skip
    response = client.post("/office/interaction/new/", data)
    assert response.status_code == 302, response.content.decode()
    letter = Letter.objects.get()
    page = client.get(response.url).content.decode()
    assert letter.case_number in page and "Tracking code" in page
    again = client.get(response.url)
    assert again.status_code == 302 and again.url == f"/office/interaction/{letter.pk}/"


def test_a_call_answered_on_the_spot_and_published_by_the_reviewer(world, as_, channels, category):
    client = as_("reviewer")
    data = {**support.LETTER, "channel": channels["hotline"].pk, "category": category.pk,
            "answered_on_spot": "已告知办理地点和所需材料，请携带身份证前往。", "publish_consent": "on"}  # fmt: skip
    assert client.post("/office/interaction/new/", data).status_code == 302
    letter = Letter.objects.get()
    assert letter.status == LetterStatus.CLOSED
    page = client.get(f"/office/interaction/{letter.pk}/").content.decode()
    assert 'id="step-publish"' in page and "139****1001" in page  # the masked text, prefilled
    response = step(
        client,
        letter,
        "publish",
        {"subject": "道路破损", "body": "村里道路破损，请维修。", "reply": "已告知。"},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.published, letter.public_subject) == (True, "道路破损")
    assert step(client, letter, "unpublish", {"reason": "误发"}).status_code == 302
    letter.refresh_from_db()
    assert not letter.published


def test_a_forwarded_case_needs_its_facts(world, as_, channels, category):
    client = as_("reviewer")
    data = {**support.LETTER, "channel": channels["forwarded"].pk, "category": category.pk}
    response = client.post("/office/interaction/new/", data)
    assert response.status_code == 200 and "Give the higher hotline" in response.content.decode()
    data |= {"external_number": "12345-1", "forwarded_on": "2025-09-26", "external_limit_days": "5",
             "received_on": "2025-09-29"}  # fmt: skip
    assert client.post("/office/interaction/new/", data).status_code == 302
    assert Letter.objects.get().external_number == "12345-1"


def test_a_duplicate_links_to_its_original_and_pages_render_in_chinese(world, client, channels, category):
    first, _code = actions.submit_letter(
        actor=None, channel=channels["mailbox"], category=category, **support.LETTER
    )
    second, _code = actions.submit_letter(
        actor=None, channel=channels["mailbox"], category=category, **support.LETTER
    )
    client.force_login(world.root)
    response = step(
        client,
        second,
        "triage",
        {"valid": "no", "reason": "duplicate", "duplicate_of": first.case_number.lower()},
    )
    assert response.status_code == 302
    page = client.get(f"/office/interaction/{second.pk}/").content.decode()
    assert f'href="/office/interaction/{first.pk}/"' in page
    assert step(client, first, "triage", {"valid": "yes"}).status_code == 302
    for url in ("/office/interaction/", f"/office/interaction/{first.pk}/", "/office/interaction/channels/",
                "/office/interaction/new/"):  # fmt: skip
        assert client.get(url).status_code == 200, url
