"""Citizen accounts on the portal: registering, signing in and out, the account page, the header."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from gongkai.accounts import throttle
from gongkai.accounts.actions import set_user_active
from gongkai.accounts.models import User, UserKind
from gongkai.applications import actions as application_actions
from gongkai.audit.models import AuditEvent
from tests.applications.conftest import PERSON
from tests.factories import PASSWORD, make_citizen

pytestmark = pytest.mark.django_db

REGISTER, LOGIN, LOGOUT, ACCOUNT, MINE = (
    "/account/register/", "/account/login/", "/account/logout/", "/account/", "/my/applications/",
)  # fmt: skip
NEW_PASSWORD = "Quiet-river-71"


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


def register(client: Client, *, answer: str | None = None, **overrides: Any) -> Any:
    html = page(client.get(REGISTER))
    data = {
        "username": "13800138000", "display_name": "李四", "email": "lisi@example.cn",
        "password": NEW_PASSWORD, "password2": NEW_PASSWORD,
        "captcha_token": hidden(html, "captcha_token"), "captcha_answer": solve(html) if answer is None else answer,
    }  # fmt: skip
    data.update(overrides)
    return client.post(REGISTER, data)


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in_as(client: Client) -> Any:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


# --- registering ---------------------------------------------------------------------------------


def test_the_register_page_is_private_and_asks_the_check_question(en):
    response = en.get(REGISTER)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store" and "X-Page-Cache" not in response
    html = page(response)
    assert 'name="csrfmiddlewaretoken"' in html and "Check question" in html
    assert "<script" not in html and "style=" not in html
    for label in ("Login name", "Your name", "E-mail (optional)", "Password", "Password again"):
        assert label in html, label


def test_a_citizen_registers_and_is_signed_in(world, en):
    response = register(en)
    assert response.status_code == 302 and response["Location"] == ACCOUNT
    user = User.objects.get(username="13800138000")
    assert user.kind == UserKind.CITIZEN and user.is_citizen and not user.is_staff
    assert (
        user.display_name == "李四" and user.email == "lisi@example.cn" and user.check_password(NEW_PASSWORD)
    )
    assert signed_in_as(en) == user
    assert AuditEvent.objects.filter(verb="accounts.register_citizen", object_id=str(user.pk)).exists()
    account = en.get(ACCOUNT)
    assert account["Cache-Control"] == "private, no-store"
    html = page(account)
    assert "13800138000" in html and "李四" in html and 'href="/my/applications/"' in html


def test_an_email_address_can_be_the_login_name(world, en):
    assert register(en, username="wang@example.cn").status_code == 302
    assert User.objects.get(username="wang@example.cn").is_citizen


@pytest.mark.parametrize(
    ("answer", "message"),
    [("", "Answer the check question."), ("99", "That is not the answer; try the new question.")],
)
def test_the_check_question_is_required(world, en, answer, message):
    response = register(en, answer=answer)
    assert response.status_code == 200 and message in page(response)
    assert not User.objects.filter(username="13800138000").exists()
    assert signed_in_as(en) is None


def test_a_check_question_cannot_be_answered_twice(world, en):
    html = page(en.get(REGISTER))
    data = {"username": "zhao", "display_name": "赵", "password": NEW_PASSWORD, "password2": "other-Pass-93",
            "captcha_token": hidden(html, "captcha_token"), "captcha_answer": solve(html)}  # fmt: skip
    assert en.post(REGISTER, data).status_code == 200  # the passwords differ
    again = en.post(REGISTER, {**data, "password2": NEW_PASSWORD})  # the same, used-up token
    assert "The check question has expired or was already answered" in page(again)
    assert not User.objects.filter(username="zhao").exists()


def test_validation_errors_keep_the_values_but_never_the_passwords(world, en):
    response = register(en, password="short", password2="different", email="not-an-address")
    html = page(response)
    assert response.status_code == 200 and "There is a problem" in html
    assert "The two passwords differ." in html and "Enter a valid email address." in html
    assert 'value="13800138000"' in html and 'value="李四"' in html and 'value="not-an-address"' in html
    assert 'value="short"' not in html and 'value="different"' not in html
    assert 'name="captcha_answer"' in html and solve(html)  # a new question to answer

    weak = page(register(en, password="12345678", password2="12345678"))
    assert "This password is too common." in weak or "entirely numeric" in weak
    assert not User.objects.filter(username="13800138000").exists()


@pytest.mark.parametrize("name", ["citizen", "CITIZEN", "clerk_a"])
def test_a_taken_name_is_refused_whatever_its_case_or_kind(world, en, name):
    response = register(en, username=name)
    assert response.status_code == 200 and "This user name is taken." in page(response)
    assert User.objects.filter(username__iexact=name).count() == 1
    assert signed_in_as(en) is None


def test_registrations_are_throttled_per_address(world, en, settings):
    settings.REGISTER_THROTTLE_PER_HOUR = 1
    assert register(en, username="first").status_code == 302
    en.post(LOGOUT)
    response = register(en, username="second")
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "Too many accounts were requested" in page(response)
    assert not User.objects.filter(username="second").exists()


def test_invalid_registrations_are_throttled_too(world, en, settings):
    settings.REGISTER_INVALID_PER_HOUR = 2
    for _ in range(2):
        assert register(en, answer="99").status_code == 200
    assert register(en).status_code == 429
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.9")
    assert register(other).status_code == 302  # another address is not affected


# --- signing in and out --------------------------------------------------------------------------


def test_a_citizen_signs_in_with_a_new_session_and_signs_out(world, en):
    en.get(LOGIN)
    before = en.session.session_key
    response = sign_in(en, "citizen")
    assert response.status_code == 302 and response["Location"] == ACCOUNT
    assert signed_in_as(en) == world.citizen
    assert en.session.session_key != before
    assert en.get(LOGIN)["Location"] == ACCOUNT  # already signed in

    assert en.get(LOGOUT).status_code == 405  # signing out is a POST
    out = en.post(LOGOUT)
    assert out.status_code == 302 and out["Location"] == "/"
    assert signed_in_as(en) is None
    assert "You have signed out." in page(en.get("/"))


def test_the_login_name_is_case_insensitive_for_the_lockout_but_a_wrong_password_is_refused(world, en):
    response = sign_in(en, "citizen", "wrong-password")
    assert response.status_code == 200 and "The login name or password is wrong." in page(response)
    assert response["Cache-Control"] == "private, no-store"
    assert signed_in_as(en) is None and throttle.failures("CITIZEN") == 1


def test_a_staff_account_is_sent_to_the_back_office(world, en):
    response = sign_in(en, "clerk_a")
    html = page(response)
    assert response.status_code == 200 and "This is a staff account." in html
    assert 'href="/office/login/"' in html
    assert signed_in_as(en) is None


def test_an_unknown_or_inactive_account_gets_the_same_message(world, en):
    assert "The login name or password is wrong." in page(sign_in(en, "nobody"))
    set_user_active(actor=world.root, user=world.citizen, active=False, reason="测试")
    assert "The login name or password is wrong." in page(sign_in(en, "citizen"))
    assert signed_in_as(en) is None


def test_the_account_locks_after_repeated_failures(world, en):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert "The login name or password is wrong." in page(sign_in(en, "citizen", "wrong-password"))
    response = sign_in(en, "citizen")  # the right password, too late
    assert "Too many failed attempts" in page(response)
    assert signed_in_as(en) is None
    # The same lockout as the back office: the counter is per account, wherever the failures came from.
    assert throttle.locked_until("citizen", None) is not None


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "http:/\\evil.example", "javascript:alert(1)"]
)
def test_next_never_leads_off_the_site(world, en, target):
    html = page(en.get(LOGIN, {"next": target}))
    # Only the language and text-size switches carry this page's own address; the form carries no next.
    assert all(v.startswith(LOGIN) for v in re.findall(r'name="next" value="([^"]*)"', html))
    response = sign_in(en, "citizen", next=target)
    assert response.status_code == 302 and response["Location"] == ACCOUNT


def test_next_leads_to_a_page_of_the_site(world, en):
    html = page(en.get(LOGIN, {"next": MINE}))
    assert f'name="next" value="{MINE}"' in html
    response = sign_in(en, "citizen", next=MINE)
    assert response["Location"] == MINE


def test_a_citizen_sees_their_own_applications_after_signing_in_through_the_form(world, en):
    mine, _code = application_actions.submit_application(
        actor=world.citizen, organisation=world.unit_a, **dict(PERSON, info_title="我自己的申请")
    )
    stranger = make_citizen(username="stranger")
    theirs, _code = application_actions.submit_application(
        actor=stranger, organisation=world.unit_a, **dict(PERSON, info_title="别人的申请")
    )
    assert en.get(ACCOUNT)["Location"] == f"{LOGIN}?next=%2Faccount%2F"
    response = sign_in(en, "citizen", next=MINE)
    assert response["Location"] == MINE
    listing = en.get(MINE)
    html = page(listing)
    assert listing["Cache-Control"] == "private, no-store"
    assert mine.case_number in html and "我自己的申请" in html
    assert theirs.case_number not in html and "别人的申请" not in html
    assert en.get(f"/track/{theirs.case_number}/").status_code == 404


# --- CSRF, the header and the cache ---------------------------------------------------------------


def test_the_forms_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    assert client.post(LOGIN, {"username": "citizen", "password": PASSWORD}).status_code == 403
    assert client.post(REGISTER, {"username": "x"}).status_code == 403
    token = hidden(page(client.get(LOGIN)), "csrfmiddlewaretoken")
    response = client.post(LOGIN, {"username": "citizen", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and signed_in_as(client) == world.citizen
    assert client.post(LOGOUT).status_code == 403  # a cross-site page cannot sign the citizen out
    assert signed_in_as(client) == world.citizen
    token = hidden(page(client.get(ACCOUNT)), "csrfmiddlewaretoken")
    assert client.post(LOGOUT, {"csrfmiddlewaretoken": token}).status_code == 302
    assert signed_in_as(client) is None


def test_anonymous_pages_stay_cached_with_sign_in_links_and_no_csrf_token(world, en):
    first = en.get("/")
    again = en.get("/")
    assert first["X-Page-Cache"] == "miss" and again["X-Page-Cache"] == "hit"
    html = page(again)
    assert 'href="/account/login/"' in html and 'href="/account/register/"' in html
    assert "csrfmiddlewaretoken" not in html and 'action="/account/logout/"' not in html
    assert not first.cookies and not again.cookies


def test_a_signed_in_citizen_sees_their_name_and_a_sign_out_button_on_fresh_pages(world, en):
    en.get("/")  # an anonymous copy in the cache
    sign_in(en, "citizen")
    response = en.get("/")
    assert "X-Page-Cache" not in response
    html = page(response)
    assert "张三" in html and 'href="/my/applications/"' in html
    assert 'action="/account/logout/"' in html and "csrfmiddlewaretoken" in html
    assert 'href="/account/login/"' not in html


# --- the account page ----------------------------------------------------------------------------


def test_staff_are_sent_from_the_account_page_to_the_back_office(world, en):
    en.force_login(world.clerk_a)
    assert en.get(ACCOUNT)["Location"] == "/office/"


def test_a_citizen_changes_the_password_and_stays_signed_in(world, en):
    sign_in(en, "citizen")
    wrong = en.post(ACCOUNT, {"old_password": "nope", "password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and "Your current password is not right." in page(wrong)
    assert wrong["Cache-Control"] == "private, no-store"
    assert throttle.failures("citizen") == 1
    weak = en.post(ACCOUNT, {"old_password": PASSWORD, "password": "password", "password2": "password"})
    assert "This password is too common." in page(weak)

    done = en.post(ACCOUNT, {"old_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == ACCOUNT
    world.citizen.refresh_from_db()
    assert world.citizen.check_password(NEW_PASSWORD)
    assert signed_in_as(en) == world.citizen  # the session follows the new password
    assert AuditEvent.objects.filter(verb="accounts.set_password", object_id=str(world.citizen.pk)).exists()
    assert "Your password was changed." in page(en.get(ACCOUNT))
