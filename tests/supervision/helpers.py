"""Clocks for supervision tests, started through the clock actions on a fixed calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gongkai.workdays import clock as clocks
from gongkai.workdays.models import ClockKind

# March 2024 has no public holidays: working days are Monday to Friday.
MON = date(2024, 3, 4)


def set_today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(clocks, "today", lambda: day)


def start(
    unit: Any, *, on: date = MON, limit: int = 10, kind: str = ClockKind.APPLICATION, label: str = ""
) -> Any:
    return clocks.start_clock(
        actor=None, kind=kind, organisation=unit, start_date=on, limit_days=limit, label=label or f"case {on}"
    )
