"""Who enters and reads the records behind the annual report.

Clerks and administrators of a unit enter their unit's records, and reviewers and
administrators above it reach down to it (the disclosure office of the government enters the
review and litigation cases of the units in its scope). Supervisors read everything in their
scope and change nothing. Window staff, citizens and the staff of other units see nothing.
"""

from __future__ import annotations

from gongkai.core.policies import Policy, platform_admin, register
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope
from gongkai.records.models import (
    DecisionCount,
    DisputeCase,
    ReadingRoom,
    ReadingRoomVisit,
    SpendingFigure,
    StaffFigure,
)

EDITORS = (Role.CLERK, Role.REVIEWER, Role.ADMIN)
READERS = (*EDITORS, Role.SUPERVISOR)


def rules_for(field: str) -> dict:
    editors = in_scope(*EDITORS, field=field) | platform_admin
    readers = in_scope(*READERS, field=field) | platform_admin
    return {"view": readers, "view_office": readers, "view_history": readers, "change": editors}


@register
class DisputeCasePolicy(Policy):
    model = DisputeCase
    rules = rules_for("organisation")


@register
class ReadingRoomPolicy(Policy):
    model = ReadingRoom
    rules = rules_for("organisation")


@register
class ReadingRoomVisitPolicy(Policy):
    model = ReadingRoomVisit
    rules = rules_for("room__organisation")


@register
class StaffFigurePolicy(Policy):
    model = StaffFigure
    rules = rules_for("organisation")


@register
class SpendingFigurePolicy(Policy):
    model = SpendingFigure
    rules = rules_for("organisation")


@register
class DecisionCountPolicy(Policy):
    model = DecisionCount
    rules = rules_for("organisation")
