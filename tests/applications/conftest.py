from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gongkai.applications import actions
from gongkai.applications.idcard import check_char

ID_BODY = "43022319800101001"
VALID_ID = ID_BODY + check_char(ID_BODY)

PERSON = {
    "applicant_type": "person",
    "applicant_name": "李明",
    "id_type": "resident_id",
    "id_number": VALID_ID,
    "phone": "13800000000",
    "email": "liming@example.com",
    "address": "湖南省攸县联星街道1号",
    "info_title": "2013年攸县财政局部门预算",
    "info_number": "",
    "description": "部门预算表及说明",
    "info_form": "electronic",
    "delivery": "email",
}


@pytest.fixture
def person() -> dict[str, Any]:
    return dict(PERSON)


@pytest.fixture
def register(world: Any) -> Any:
    """Register an in-person application received on ``on`` at unit A (by the county reviewer)."""

    def do(on: date, actor: Any = None, organisation: Any = None, **overrides: Any) -> Any:
        fields = {**PERSON, **overrides}
        app, _ = actions.register_application(
            actor=actor or world.reviewer, organisation=organisation or world.unit_a, channel="in_person",
            submitted_on=on, **fields,
        )  # fmt: skip
        return app

    return do
