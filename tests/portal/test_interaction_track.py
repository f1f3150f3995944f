"""Following a letter (/mailbox/track/): look-up, what the writer sees, rating once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from gongkai.core.actions import ActionError
from gongkai.interaction import actions
from gongkai.interaction.models import Category, Letter
from tests.interaction.conftest import LETTER

pytestmark = pytest.mark.django_db

REPLY = "经核实，该路段已列入今年维修计划，将于下月施工。"


@pytest.fixture
def mailbox(world: Any) -> Any:
    return actions.create_channel(
        actor=world.county_admin, organisation=world.county, kind="mailbox", name="县长信箱"
    )


@pytest.fixture
def category(db: Any) -> Category:
    return Category.objects.get(code="complaint")


def page(response: Any) -> str:
    return response.content.decode()


def en_client(**extra: Any) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", **extra)


def send(mailbox: Any, category: Any, **fields: Any) -> tuple[Letter, str]:
    return actions.submit_letter(actor=None, channel=mailbox, category=category, **{**LETTER, **fields})


def answer(world: Any, letter: Letter, *, publish: bool = False) -> Letter:
    actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
    actions.assign_letter(actor=world.reviewer, letter=letter, lead_unit=world.unit_a)
    actions.draft_letter_reply(actor=world.clerk_a, letter=letter, text=REPLY)
    actions.approve_reply(actor=world.reviewer, letter=letter, publish=publish)
    letter.refresh_from_db()
    return letter


def same(html: str, case_number: str) -> str:
    """The page without what differs between any two requests: the case number and the CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html.replace(case_number, "X"))


def look_up(client: Client, case_number: str, code: str) -> Any:
    return client.post("/mailbox/track/", {"case_number": case_number, "tracking_code": code})


def with_code(letter: Letter, code: str) -> Client:
    client = en_client()
    response = look_up(client, letter.case_number, code)
    assert response.status_code == 302 and response["Location"] == f"/mailbox/track/{letter.case_number}/"
    return client


def test_the_look_up_form_is_private(world, en):
    response = en.get("/mailbox/track/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert 'name="csrfmiddlewaretoken"' in page(response)


def test_a_wrong_code_and_an_unknown_case_look_the_same(world, mailbox, category, en):
    letter, code = send(mailbox, category)
    wrong = look_up(en, letter.case_number, "ABCDEFGHJK")
    unknown = look_up(en, "HD2099999999", code)
    assert wrong.status_code == unknown.status_code == 200
    message = "No letter matches this case number and tracking code."
    assert message in page(wrong) and message in page(unknown)
    assert letter.subject not in page(wrong)
    # The detail page without the code: the look-up form, the same for an existing and a missing case.
    there, missing = en.get(f"/mailbox/track/{letter.case_number}/"), en.get("/mailbox/track/HD2099999999/")
    assert there.status_code == missing.status_code == 404
    assert letter.subject not in page(there)
    assert same(page(there), letter.case_number) == same(page(missing), "HD2099999999")


def test_another_letters_code_sees_nothing(world, mailbox, category):
    first, _code = send(mailbox, category)
    second, code2 = send(mailbox, category, subject="另一封信的主题")
    client = with_code(second, code2)
    assert look_up(client, first.case_number, code2).status_code == 200  # refused: the form again
    response = client.get(f"/mailbox/track/{first.case_number}/")
    assert response.status_code == 404
    assert "网岭镇罗家坪村道路破损" not in page(response) and "To triage" not in page(response)
    response = client.post(f"/mailbox/track/{first.case_number}/rate/", {"rating-rating": "satisfied"})
    assert response.status_code == 404


def test_failed_look_ups_are_throttled(world, mailbox, category, en, settings):
    settings.TRACK_FAILURES_PER_HOUR = 2
    letter, code = send(mailbox, category)
    for _ in range(2):
        assert look_up(en, letter.case_number, "WRONGWRONG").status_code == 200
    response = look_up(en, letter.case_number, code)  # even the right code, once paused
    assert response.status_code == 429 and "look-ups are paused" in page(response)
    assert look_up(en_client(REMOTE_ADDR="10.9.9.9"), letter.case_number, code).status_code == 302


def test_the_writer_sees_the_status_and_masked_personal_data(world, mailbox, category):
    letter, code = send(mailbox, category)
    client = with_code(letter, code)
    response = client.get(f"/mailbox/track/{letter.case_number}/")
    html = page(response)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "To triage" in html and letter.received_on.isoformat() in html
    assert "There is no reply yet" in html and 'name="rating-rating"' not in html
    for private in ("刘建国", "13907331001", "liu@example.com"):
        assert private not in html, private
    assert "刘**" in html and "139****1001" in html


def test_the_reply_is_shown_with_its_unit_and_date_and_can_be_rated_once(world, mailbox, category):
    letter, code = send(mailbox, category)
    letter = answer(world, letter)
    client = with_code(letter, code)
    html = page(client.get(f"/mailbox/track/{letter.case_number}/"))
    assert (
        "Closed" in html and REPLY in html and "攸县财政局" in html and letter.replied_on.isoformat() in html
    )
    assert 'name="rating-rating"' in html and "Basically satisfied" in html
    url = f"/mailbox/track/{letter.case_number}/rate/"
    response = client.post(url, {"rating-rating": "basic", "rating-note": "回复及时"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.rating, letter.rating_note, letter.rated_by_callback) == ("basic", "回复及时", False)
    html = page(client.get(f"/mailbox/track/{letter.case_number}/"))
    assert "Your rating was recorded" in html or "your rating was recorded" in html
    assert "Basically satisfied" in html and 'name="rating-rating"' not in html and "回复及时" in html
    # A second rating is refused: the first one stays.
    response = client.post(url, {"rating-rating": "not"}, follow=True)
    assert "already been rated" in page(response)
    letter.refresh_from_db()
    assert letter.rating == "basic"


def test_a_rating_needs_a_choice_and_a_reply(world, mailbox, category):
    letter, code = send(mailbox, category)
    client = with_code(letter, code)
    url = f"/mailbox/track/{letter.case_number}/rate/"
    response = client.post(url, {"rating-rating": "satisfied"})
    assert response.status_code == 200 and "Not possible while the letter is" in page(response)
    answer(world, letter)
    response = client.post(url, {"rating-rating": "delighted"})
    assert response.status_code == 200 and 'id="id_rating-rating_error"' in page(response)
    letter.refresh_from_db()
    assert letter.rating == ""


def test_a_wrong_code_cannot_rate(world, mailbox, category):
    letter, code = send(mailbox, category)
    letter = answer(world, letter)
    with pytest.raises(ActionError):
        actions.rate_letter(actor=None, letter=letter, rating="satisfied", tracking_code="ABCDEFGHJK")
    stranger = en_client()
    look_up(stranger, letter.case_number, "ABCDEFGHJK")
    response = stranger.post(f"/mailbox/track/{letter.case_number}/rate/", {"rating-rating": "satisfied"})
    assert response.status_code == 404
    letter.refresh_from_db()
    assert letter.rating == ""


def test_closing_the_letter_on_this_device_forgets_the_code(world, mailbox, category):
    letter, code = send(mailbox, category)
    client = with_code(letter, code)
    assert client.post(f"/mailbox/track/{letter.case_number}/forget/").status_code == 302
    assert client.get(f"/mailbox/track/{letter.case_number}/").status_code == 404
