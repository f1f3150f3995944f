"""Shared fixtures and helpers of the back-office tests of letters and calls."""

from __future__ import annotations

from typing import Any

import pytest

from gongkai.interaction import actions
from gongkai.interaction.models import Letter
from tests.interaction.conftest import LETTER, category, channels

__all__ = ["LETTER", "category", "channels", "submitted", "accepted"]


@pytest.fixture
def submitted(world: Any, channels: Any, category: Any) -> Letter:
    """A letter to the county's mailbox from the portal, not yet triaged."""
    letter, _code = actions.submit_letter(
        actor=None, channel=channels["mailbox"], category=category, **LETTER
    )
    return letter


@pytest.fixture
def accepted(world: Any, submitted: Letter) -> Letter:
    actions.triage_letter(actor=world.reviewer, letter=submitted, valid=True)
    submitted.refresh_from_db()
    return submitted


def step(client: Any, letter: Letter, name: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"/office/interaction/{letter.pk}/{name}/", data or {})
