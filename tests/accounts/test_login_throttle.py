"""Signing in to the back office: lockout after repeated failures, no citizens."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gongkai.accounts import throttle
from gongkai.accounts.actions import set_user_active
from tests.factories import PASSWORD

LOGIN = "/office/login/"
LOCKED_EN = "Too many failed attempts"
WRONG_EN = "The user name or password is wrong."


def attempt(client, username, password, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en", **extra
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_page_renders_for_anonymous_visitors(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_staff_sign_in_with_the_right_password(world, client):
    response = attempt(client, "clerk_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("office:dashboard")
    assert signed_in(client)


def test_a_wrong_password_is_refused_with_a_message(world, client):
    response = attempt(client, "clerk_a", "wrong-password")
    assert response.status_code == 200
    assert WRONG_EN in response.content.decode()
    assert not signed_in(client)
    assert throttle.failures("clerk_a") == 1


def test_the_account_locks_after_the_maximum_failures_even_with_the_right_password(world, client):
    assert settings.LOGIN_MAX_FAILURES == 5
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = attempt(client, "clerk_a", "wrong-password")
        assert WRONG_EN in response.content.decode()
    response = attempt(client, "clerk_a", PASSWORD)
    assert response.status_code == 200
    body = response.content.decode()
    assert LOCKED_EN in body and f"{settings.LOGIN_LOCKOUT_MINUTES} minutes" in body
    assert not signed_in(client)


def test_the_lockout_message_is_in_chinese_by_default(world, client):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(LOGIN, {"username": "clerk_a", "password": "wrong"})
    response = client.post(LOGIN, {"username": "clerk_a", "password": PASSWORD})
    assert "登录失败次数过多" in response.content.decode()


def test_four_failures_do_not_lock_and_a_success_resets_the_count(world, client):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        attempt(client, "clerk_a", "wrong-password")
    response = attempt(client, "clerk_a", PASSWORD)
    assert response.status_code == 302
    assert throttle.failures("clerk_a") == 0
    client.logout()
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        attempt(client, "clerk_a", "wrong-password")
    assert attempt(client, "clerk_a", PASSWORD).status_code == 302


def test_the_lock_does_not_depend_on_the_case_of_the_user_name(world, client):
    for name in ("CLERK_A", "Clerk_A", " clerk_a", "clerk_A", "CLERK_a"):
        attempt(client, name, "wrong-password")
    response = attempt(client, "clerk_a", PASSWORD)
    assert LOCKED_EN in response.content.decode()


def test_locking_one_account_leaves_the_others_alone(world, client):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        attempt(client, "clerk_a", "wrong-password")
    assert attempt(client, "clerk_b", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_lockout_period(world, client):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        attempt(client, "clerk_a", "wrong-password")
    assert LOCKED_EN in attempt(client, "clerk_a", PASSWORD).content.decode()
    later = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=5)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert attempt(client, "clerk_a", PASSWORD).status_code == 302


def test_old_failures_are_forgotten(world, client):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        attempt(client, "clerk_a", "wrong-password")
    later = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        attempt(client, "clerk_a", "wrong-password")
        assert throttle.failures("clerk_a") == 1
        assert attempt(client, "clerk_a", PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_locked_out(world, client):
    limit = settings.LOGIN_MAX_FAILURES * throttle.ADDRESS_FACTOR
    for n in range(limit):
        attempt(client, f"guess{n}", "wrong-password", REMOTE_ADDR="203.0.113.7")
    locked = attempt(client, "clerk_b", PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert LOCKED_EN in locked.content.decode()
    assert attempt(client, "clerk_b", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_a_citizen_cannot_sign_in_to_the_back_office(world, client):
    response = attempt(client, "citizen", PASSWORD)
    assert response.status_code == 200
    assert WRONG_EN in response.content.decode()
    assert not signed_in(client)
    assert throttle.failures("citizen") == 1


def test_a_deactivated_account_cannot_sign_in(world, client):
    set_user_active(actor=world.county_admin, user=world.clerk_a, active=False, reason="离职")
    response = attempt(client, "clerk_a", PASSWORD)
    assert WRONG_EN in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize(
    "data", [{}, {"username": "clerk_a"}, {"password": PASSWORD}, {"username": "x" * 200, "password": "y"}]
)
def test_an_incomplete_login_form_is_re_shown(world, client, data):
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert not signed_in(client)


def test_a_safe_next_address_is_followed(world, client):
    response = client.post(LOGIN, {"username": "clerk_a", "password": PASSWORD, "next": "/office/tokens/"})
    assert response["Location"] == "/office/tokens/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "http://evil.example/office/"]
)
def test_a_next_address_on_another_host_is_ignored(world, client, target):
    response = client.post(LOGIN, {"username": "clerk_a", "password": PASSWORD, "next": target})
    assert response["Location"] == reverse("office:dashboard")


def test_signed_in_staff_visiting_the_login_page_go_to_the_dashboard(world, client):
    client.force_login(world.clerk_a)
    assert client.get(LOGIN)["Location"] == reverse("office:dashboard")


def test_signing_out_needs_a_post(world, client):
    client.force_login(world.clerk_a)
    assert client.get("/office/logout/").status_code == 405
    assert signed_in(client)
    response = client.post("/office/logout/")
    assert response.status_code == 302 and response["Location"] == reverse("office:login")
    assert not signed_in(client)


def test_the_password_is_never_echoed_back(world, client):
    response = attempt(client, "clerk_a", "my-secret-typo")
    assert "my-secret-typo" not in response.content.decode()
