"""The leader mailbox's letter form (/mailbox/<id>/write/): check question, throttling, double
submission, errors kept on the fields, and the one-time confirmation."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from gongkai.interaction import actions
from gongkai.interaction.models import Category, Letter, LetterStatus
from tests.interaction.conftest import LETTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels(world: Any) -> dict[str, Any]:
    """A mailbox and a hotline of the county (as tests/interaction/conftest.py makes them)."""
    make = actions.create_channel
    return {
        "mailbox": make(actor=world.county_admin, organisation=world.county, kind="mailbox", name="县长信箱"),
        "hotline": make(
            actor=world.county_admin, organisation=world.county, kind="hotline", name="县政府热线"
        ),
    }


@pytest.fixture
def category(db: Any) -> Category:
    return Category.objects.get(code="complaint")


def page(response: Any) -> str:
    return response.content.decode()


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return unescape(match.group(1))


def solve(html: str) -> str:
    match = re.search(r"\((\d+) ([+−]) (\d+) = \?\)", html)
    assert match, "no check question on the page"
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    return str(a + b if op == "+" else a - b)


def form_data(html: str, cat: Any, *, answer: str | None = None, **overrides: Any) -> dict[str, Any]:
    data = {**LETTER, "category": str(cat.pk), "submission_key": hidden(html, "submission_key")}
    data["publish_consent"] = "on"
    if 'name="captcha_token"' in html:
        data["captcha_token"] = hidden(html, "captcha_token")
        data["captcha_answer"] = solve(html) if answer is None else answer
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def url(channel: Any) -> str:
    return f"/mailbox/{channel.pk}/write/"


def submit(client: Client, channel: Any, cat: Any, **overrides: Any) -> Any:
    html = page(client.get(url(channel)))
    return client.post(url(channel), form_data(html, cat, **overrides))


def test_the_mailboxes_are_listed_per_government_and_linked_from_every_page(world, channels, en):
    html = page(en.get("/mailbox/"))
    assert "攸县人民政府" in html and "县长信箱" in html
    assert f'href="/mailbox/{channels["mailbox"].pk}/write/"' in html
    assert "县政府热线" not in html  # a hotline is not a mailbox
    assert 'href="/mailbox/"' in page(en.get("/"))
    assert 'name="csrfmiddlewaretoken"' not in html


def test_only_an_open_mailbox_has_a_form(world, channels, en):
    assert en.get(url(channels["hotline"])).status_code == 404
    assert en.get("/mailbox/999999/write/").status_code == 404


def test_the_form_is_private_with_csrf_and_no_inline_script_or_style(world, channels, en):
    response = en.get(url(channels["mailbox"]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    html = page(response)
    assert 'name="csrfmiddlewaretoken"' in html and "<script" not in html and "style=" not in html
    for label in ("Name", "Telephone", "E-mail", "Address", "Kind of letter", "Subject", "Your letter",
                  "I agree that my letter and its reply may be published", "Check question"):  # fmt: skip
        assert label in html, label


def test_a_letter_is_sent_and_the_code_is_shown_once(world, channels, category, en):
    response = submit(en, channels["mailbox"], category)
    assert response.status_code == 302 and response["Location"] == "/mailbox/done/"
    letter = Letter.objects.get()
    assert letter.status == LetterStatus.RECEIVED and letter.publish_consent and letter.category == category
    html = page(en.get("/mailbox/done/"))
    assert letter.case_number in html and "shown only once" in html
    code = re.search(r'Tracking code</dt><dd><strong class="token">([A-Z0-9]+)<', html).group(1)
    assert actions.find_by_tracking(letter.case_number, code) == letter
    assert en.get(f"/mailbox/track/{letter.case_number}/").status_code == 200
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Nothing to show" in page(other.get("/mailbox/done/"))


def test_a_double_click_creates_one_letter(world, channels, category, en):
    html = page(en.get(url(channels["mailbox"])))
    data = form_data(html, category)
    assert en.post(url(channels["mailbox"]), data).status_code == 302
    second = en.post(url(channels["mailbox"]), data)
    assert second.status_code == 302 and second["Location"] == "/mailbox/done/"
    assert Letter.objects.count() == 1


def test_a_wrong_answer_is_refused_and_the_values_are_kept(world, channels, category, en):
    html = page(en.get(url(channels["mailbox"])))
    wrong = str(int(solve(html)) + 1)
    response = en.post(url(channels["mailbox"]), form_data(html, category, answer=wrong))
    html2 = page(response)
    assert response.status_code == 200 and "That is not the answer" in html2
    assert 'value="刘建国"' in html2 and "村里道路破损严重" in html2
    assert hidden(html2, "captcha_token") != hidden(html, "captcha_token")
    assert Letter.objects.count() == 0
    assert en.post(url(channels["mailbox"]), form_data(html2, category)).status_code == 302


def test_a_short_text_is_a_field_error_and_the_answer_is_not_asked_again(world, channels, category, en):
    response = submit(en, channels["mailbox"], category, body="太短", subject="")
    html = page(response)
    assert response.status_code == 200
    assert 'id="id_subject_error"' in html
    assert "You have already answered the check question" in html
    assert 'value="13907331001"' in html
    response = en.post(url(channels["mailbox"]), form_data(html, category, body="太短"))
    assert 'id="id_body_error"' in page(response) and "at least 10" in page(response)
    assert Letter.objects.count() == 0


@pytest.mark.parametrize("size", [5001, 50_000, 200_000])
def test_a_huge_text_is_a_field_error_not_a_crash(world, channels, category, en, size):
    response = submit(en, channels["mailbox"], category, body="很" * size)
    assert response.status_code == 200
    assert 'id="id_body_error"' in page(response)
    assert Letter.objects.count() == 0


def test_nul_characters_and_unknown_categories_are_field_errors(world, channels, category, en):
    html = page(submit(en, channels["mailbox"], category, writer_name="刘\x00建国", category="999999",
                       email="not-an-address"))  # fmt: skip
    for field in ("writer_name", "category", "email"):
        assert f'id="id_{field}_error"' in html, field


def test_letters_are_throttled_per_address(world, channels, category, en, settings):
    settings.MAILBOX_THROTTLE_PER_HOUR = 2
    assert submit(en, channels["mailbox"], category).status_code == 302
    assert submit(en, channels["mailbox"], category).status_code == 302
    response = submit(en, channels["mailbox"], category)
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "Too many letters" in page(response)
    assert Letter.objects.count() == 2
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.9.9.9")
    assert submit(other, channels["mailbox"], category).status_code == 302


def test_the_form_needs_its_csrf_token(world, channels, category):
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    html = page(strict.get(url(channels["mailbox"])))
    data = form_data(html, category)
    assert strict.post(url(channels["mailbox"]), data).status_code == 403
    data["csrfmiddlewaretoken"] = hidden(html, "csrfmiddlewaretoken")
    assert strict.post(url(channels["mailbox"]), data).status_code == 302
