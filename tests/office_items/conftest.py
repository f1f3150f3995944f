"""Fixtures for the disclosure back-office tests: items made through the actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongkai.disclosure import actions
from gongkai.workdays.calendar import get_calendar
from tests.office.conftest import as_  # noqa: F401  (the back-office client fixture)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    """Uploaded attachments go to a throw-away directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def workdays_ago(n: int) -> date:
    """A day with exactly n working days after it up to today (an item formed then has 20 - n left)."""
    cal = get_calendar()
    day, counted = timezone.localdate(), 0
    while counted < n:
        counted += cal.is_workday(day)
        day -= timedelta(days=1)
    return day


@pytest.fixture
def make_item(world: Any) -> Any:
    """``make_item(title=…, by=world.clerk_a, organisation=world.unit_a, **fields)``: a draft."""

    def make(
        title: str = "关于2026年财政预算的通知", *, by: Any = None, organisation: Any = None, **fields: Any
    ) -> Any:
        fields.setdefault("formed_on", workdays_ago(3))
        return actions.create_item(
            actor=by or world.clerk_a, organisation=organisation or world.unit_a, title=title, **fields
        )

    return make


@pytest.fixture
def published(world: Any, make_item: Any) -> Any:
    """``published(title=…, **fields)``: an item of unit_a published by the reviewer."""

    def make(title: str = "已公开的文件", **fields: Any) -> Any:
        item = make_item(title, **fields)
        return actions.publish_item(actor=world.reviewer, item=item)

    return make
