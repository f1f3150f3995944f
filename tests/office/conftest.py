"""Shared fixtures for the back-office tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The personas' passwords are hashed with argon2 in production; a fast hasher keeps
    the world fixture cheap (argon2 itself is checked in tests/accounts)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def as_(client: Any, world: Any) -> Any:
    """``as_("clerk_a")`` (or ``as_(user)``): the test client signed in as that persona,
    asking for English pages so that messages can be matched."""

    def sign_in(who: Any) -> Any:
        client.logout()
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        user = getattr(world, who) if isinstance(who, str) else who
        if getattr(user, "is_authenticated", False):
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _morning(monkeypatch: Any) -> None:
    """Booking refuses past slots; the window pages' tests book slots later today, so the
    booking's clock reads nine in the morning whatever time the suite runs."""
    import datetime as dt

    from django.utils import timezone

    from gongkai.services import actions_catalogue

    def nine_today() -> dt.datetime:
        return timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)

    monkeypatch.setattr(actions_catalogue, "now", nine_today)
