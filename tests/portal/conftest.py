"""Portal fixtures: published items made through the real disclosure actions."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongkai.disclosure import actions, viewcounts
from gongkai.disclosure.models import Category, DisclosureItem, Genre, ItemKind


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _quiet_view_counter(settings: Any) -> Iterator[None]:
    """No automatic flush in the middle of a test, and nothing left over from another test."""
    settings.VIEWCOUNT_FLUSH_EVERY = 10**9
    settings.VIEWCOUNT_FLUSH_SECONDS = 10**9
    viewcounts.reset()
    yield
    with contextlib.suppress(Exception):  # a test may have pointed the cache at an unreachable Redis
        viewcounts.reset()


def _author(world: Any, org: Any) -> Any:
    return {world.unit_a.pk: world.clerk_a, world.unit_b.pk: world.clerk_b}.get(org.pk, world.reviewer)


class Publisher:
    """``publish(title=…, org=…, category="budget", genre="normative", …)`` → a published item."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.serial = 0

    def draft(self, *, org: Any = None, title: str | None = None, category: str | None = None,
              genre: str | None = None, kind: str = ItemKind.ITEM, formed_on: date | None = None,
              **fields: Any) -> DisclosureItem:  # fmt: skip
        self.serial += 1
        org = org or self.world.unit_a
        fields.setdefault("summary", f"第{self.serial}份文件的内容概述。")
        fields.setdefault("body", f"<p>正文第{self.serial}段。</p>")
        return actions.create_item(
            actor=_author(self.world, org), organisation=org, kind=kind,
            title=title or f"关于第{self.serial}项工作的通知",
            formed_on=formed_on or timezone.localdate() - timedelta(days=3),
            category=Category.objects.get(code=category) if category else None,
            genre=Genre.objects.get(code=genre) if genre else None,
            **fields,
        )  # fmt: skip

    def __call__(self, *, published_on: date | None = None, **kwargs: Any) -> DisclosureItem:
        item = self.draft(**kwargs)
        return actions.publish_item(actor=self.world.reviewer, item=item, published_on=published_on)


@pytest.fixture
def publish(world: Any) -> Publisher:
    return Publisher(world)


@pytest.fixture
def en(client: Any) -> Any:
    """The anonymous test client, asking for English pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
