"""Who may see clocks and the calendar."""

from __future__ import annotations

from gongkai.core.policies import Policy, anyone, platform_admin, register
from gongkai.orgs.scope import in_scope
from gongkai.workdays.models import CalendarDay, CalendarYear, Clock

is_superuser = platform_admin


@register
class CalendarYearPolicy(Policy):
    model = CalendarYear
    # The working-day calendar is public information.
    rules = {"view": anyone, "change": is_superuser}


@register
class CalendarDayPolicy(Policy):
    model = CalendarDay
    rules = {"view": anyone, "change": is_superuser}


@register
class ClockPolicy(Policy):
    model = Clock
    rules = {
        # Staff of the responsible unit and those above it who supervise or review.
        "view": in_scope(field="organisation") | is_superuser,
    }
