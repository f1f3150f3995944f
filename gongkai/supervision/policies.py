"""Who supervises: supervisors (监察员) and administrators whose scope reaches the unit.

Supervisors see every clock, alert and figure of the units they cover and issue cards,
notes and chase notices; they do not process cases. The carded unit's own staff see its
cards and alerts. The warning shares are one national setting, so only platform
administrators change them.
"""

from __future__ import annotations

from gongkai.core.policies import Policy, authenticated, platform_admin, register
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope
from gongkai.supervision.models import Alert, Card, Chase, Note, WarningRule
from gongkai.workdays.models import Clock

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.ADMIN)

supervising = in_scope(*SUPERVISING_ROLES, field="organisation")
supervising_clock = in_scope(*SUPERVISING_ROLES, field="clock__organisation")
unit_staff = in_scope(field="organisation")


class SupervisionPolicy(Policy):
    """Supervision of clocks. Not registered: the clock's own policy (workdays) stays the one
    for viewing clocks; supervision pages and actions ask this one."""

    model = Clock
    rules = {
        "view": supervising | platform_admin,
        "supervise": supervising | platform_admin,
    }


supervision_policy = SupervisionPolicy()


@register
class CardPolicy(Policy):
    model = Card
    rules = {
        "view": supervising | unit_staff | platform_admin,
        "issue": supervising | platform_admin,
        "withdraw": supervising | platform_admin,
    }


@register
class NotePolicy(Policy):
    model = Note
    rules = {"view": supervising_clock | platform_admin, "add": supervising_clock | platform_admin}


@register
class ChasePolicy(Policy):
    model = Chase
    rules = {"view": supervising_clock | in_scope(field="clock__organisation") | platform_admin}


@register
class AlertPolicy(Policy):
    model = Alert
    rules = {"view": supervising | unit_staff | platform_admin}


@register
class WarningRulePolicy(Policy):
    model = WarningRule
    rules = {"view": authenticated, "change": platform_admin}
