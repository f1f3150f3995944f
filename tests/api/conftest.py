"""Shared fixtures for the API tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The personas' passwords are hashed with argon2 in production; a fast hasher keeps
    the world fixture cheap (argon2 itself is checked in tests/accounts)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def calendar_2025(db: Any, monkeypatch: Any) -> None:
    """The official 2025 schedule (国庆 10/1–10/8, make-up days 9/28 and 10/11), loaded through
    the calendar action unless the database was seeded with it already."""
    from gongkai.workdays import calendar as wcal
    from gongkai.workdays.models import CalendarYear

    # The calendar is cached per process by version number; a version reused after a test's
    # rollback must not serve another test's calendar.
    monkeypatch.setattr(wcal, "_cached", None)
    if not CalendarYear.objects.filter(year=2025).exists():
        entries = sorted(wcal.package_schedule()[2025], key=lambda e: e.day)
        wcal.load_year(actor=None, year=2025, entries=entries, notice="国办发明电〔2024〕12号")
    monkeypatch.setattr(wcal, "_cached", None)


@pytest.fixture
def api(client: Any) -> Any:
    """``api.get(path, token=raw)`` etc.: JSON requests to /api/v1/ with an optional bearer token."""
    import json as _json

    class Api:
        def _headers(self, token: str | None, header: str | None) -> dict[str, str]:
            if header is not None:
                return {"HTTP_AUTHORIZATION": header}
            return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

        def get(self, path: str, token: str | None = None, header: str | None = None, **params: Any) -> Any:
            return client.get(f"/api/v1{path}", params, **self._headers(token, header))

        def send(
            self, method: str, path: str, body: Any, token: str | None = None, header: str | None = None
        ) -> Any:
            return getattr(client, method)(
                f"/api/v1{path}",
                _json.dumps(body),
                content_type="application/json",
                **self._headers(token, header),
            )

        def post(self, path: str, body: Any, **kw: Any) -> Any:
            return self.send("post", path, body, **kw)

        def patch(self, path: str, body: Any, **kw: Any) -> Any:
            return self.send("patch", path, body, **kw)

    return Api()


@pytest.fixture
def token(world: Any) -> Any:
    """``token("county_admin", "write")``: a fresh raw API token for that persona."""
    from gongkai.accounts.actions import create_api_token

    def make(persona: str, scope: str = "read", **kw: Any) -> str:
        return create_api_token(actor=getattr(world, persona), name=f"{persona} {scope}", scope=scope, **kw)[
            1
        ]

    return make
