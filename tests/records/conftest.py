from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongkai.records import actions


@pytest.fixture
def day() -> dt.date:
    """A past day every case can be filed on."""
    return dt.date.today() - dt.timedelta(days=30)


@pytest.fixture
def review(world: Any, day: dt.date) -> Any:
    return actions.save_dispute(
        actor=world.reviewer, organisation=world.unit_a, kind="review", reference="攸政复字〔2026〕1号",
        subject="不予公开答复", filed_on=day, body="攸县人民政府",
    )  # fmt: skip
