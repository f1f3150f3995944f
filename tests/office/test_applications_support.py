"""Fixtures and helpers shared by the back-office tests of applications (no tests of its own).

Cases are made through the actions, as the office or the portal would make them; dates are
counted back from today in working days, because the actions refuse future dates and steps
outside the reply period.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongkai.applications import actions
from gongkai.applications.idcard import check_char
from gongkai.workdays.calendar import get_calendar

ID_BODY = "43022319800101001"
VALID_ID = ID_BODY + check_char(ID_BODY)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

PERSON = {
    "applicant_type": "person",
    "applicant_name": "李明",
    "id_type": "resident_id",
    "id_number": VALID_ID,
    "phone": "13800000000",
    "email": "liming@example.com",
    "address": "湖南省攸县联星街道1号",
    "info_title": "2026年攸县财政局部门预算",
    "info_number": "",
    "description": "部门预算表及说明",
    "info_form": "electronic",
    "delivery": "email",
}


def workdays_ago(n: int) -> date:
    """The day with exactly ``n`` working days after it up to today."""
    cal = get_calendar()
    day, counted = timezone.localdate(), 0
    while counted < n:
        counted += cal.is_workday(day)
        day -= timedelta(days=1)
    return day


def form_data(**overrides: Any) -> dict[str, Any]:
    """The register form as a clerk fills it in for an application handed in today."""
    return {"channel": "in_person", "submitted_on": timezone.localdate().isoformat(), **PERSON, **overrides}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    """Uploaded documents go to a throw-away directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def register(world: Any) -> Any:
    """``register(on=…, by=…, organisation=…, channel=…, **fields)``: a staff-registered application."""

    def do(
        on: date | None = None,
        *,
        by: Any = None,
        organisation: Any = None,
        channel: str = "in_person",
        **fields: Any,
    ) -> Any:
        app, _code = actions.register_application(
            actor=by or world.reviewer, organisation=organisation or world.unit_a, channel=channel,
            submitted_on=on or timezone.localdate(), **{**PERSON, **fields},
        )  # fmt: skip
        return app

    return do
