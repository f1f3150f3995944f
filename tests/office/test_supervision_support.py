"""Shared data of the back-office tests of e-supervision.

``clocks_data`` starts clocks through the clock actions on a fixed March 2024 calendar (the
supervision tests' helpers), runs the scan and issues two cards: unit A has an application
completed on time (c1), one completed late (c2), one overdue (c3, yellow card) and a letter
(c4); unit B an old overdue application. ``period`` is the query string of March 2024.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gongkai.supervision import actions
from gongkai.supervision import scan as scanning
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import ClockKind
from tests.supervision.helpers import MON, set_today, start

__all__ = ["BASE", "MARCH", "TODAY", "PERIOD", "clocks_data", "start", "set_today", "grow"]

BASE = "/office/supervision"
MARCH = {"first": date(2024, 3, 1), "last": date(2024, 3, 31)}
PERIOD = "first=2024-03-01&last=2024-03-31"
TODAY = date(2024, 3, 20)


@pytest.fixture
def clocks_data(world: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    set_today(monkeypatch, TODAY)
    a = world.unit_a
    c1 = start(a, label="c1 按时办结", on=MON)
    clocks.close_clock(actor=None, clock=c1, on=date(2024, 3, 15))
    c2 = start(a, label="c2 超期办结", on=date(2024, 2, 26))
    clocks.close_clock(actor=None, clock=c2, on=date(2024, 3, 14))
    c3 = start(a, label="c3 逾期未办", on=MON)
    c4 = start(a, label="c4 来信", on=date(2024, 3, 11), kind=ClockKind.LETTER)
    old = start(world.unit_b, label="old 旧案", on=date(2023, 1, 2))
    scanning.scan()
    yellow = actions.issue_card(
        actor=world.supervisor, organisation=a, colour="yellow", reason="逾期", clock=c3
    )
    red = actions.issue_card(actor=world.supervisor, organisation=a, colour="red", reason="多次逾期")
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "old": old, "yellow": yellow, "red": red}


def grow(world: Any, n: int, tag: str) -> None:
    """n more clocks of every kind and state in unit A and unit B, scanned, with cards."""
    for i in range(n):
        for unit in (world.unit_a, world.unit_b):
            done = start(unit, label=f"{tag}-done-{i}", on=date(2024, 3, 5), kind=ClockKind.SERVICE_CASE)
            clocks.close_clock(actor=None, clock=done, on=date(2024, 3, 12))
            start(unit, label=f"{tag}-open-{i}", on=date(2024, 3, 6), kind=ClockKind.LETTER)
            late = start(unit, label=f"{tag}-late-{i}", on=date(2024, 3, 1))
            start(unit, label=f"{tag}-warn-{i}", on=date(2024, 3, 8), limit=10)
            actions.issue_card(
                actor=world.supervisor, organisation=unit, colour="red", reason="r", clock=late
            )
    scanning.scan()
