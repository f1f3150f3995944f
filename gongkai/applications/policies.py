"""Who may see and handle applications for disclosure.

An application belongs to the agency applied to: its staff (信息员, 公开办, administrators, and
supervisors above it) see it; the unit it is assigned to for a draft reply sees it too. The
disclosure office (reviewer) or an administrator decides: approves extensions and signs the
reply. The applicant reaches their own case with the tracking code, or through their citizen
account. Window staff of the service centre have nothing to do with it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongkai.applications.models import Application, Status
from gongkai.core.policies import NONE, Policy, Predicate, is_authenticated, platform_admin, register
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope

OFFICE_ROLES = (Role.CLERK, Role.REVIEWER, Role.SUPERVISOR, Role.ADMIN)
DRAFTING_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)

staff_of_agency = in_scope(*OFFICE_ROLES, field="organisation")
drafting_unit = in_scope(*DRAFTING_ROLES, field="assigned_unit")
handler = in_scope(Role.CLERK, Role.REVIEWER, Role.ADMIN, field="organisation")
office_head = in_scope(Role.REVIEWER, Role.ADMIN, field="organisation")


def _own(user: Any) -> Q:
    return Q(citizen=user) if is_authenticated(user) else NONE


own_application = Predicate(
    "own_application", _own, lambda u, o: is_authenticated(u) and o.citizen_id == getattr(u, "pk", None)
)
registered = Predicate(
    "registered", lambda u: ~Q(status=Status.DISCARDED), lambda u, o: o.status != Status.DISCARDED
)


@register
class ApplicationPolicy(Policy):
    model = Application
    rules = {
        "view": (staff_of_agency | drafting_unit | platform_admin) | (own_application & registered),
        "view_office": staff_of_agency | drafting_unit | platform_admin,
        "view_history": staff_of_agency | platform_admin,
        # Register a staff-entered application, confirm receipt, ask for correction, consult,
        # forward, assign, issue fee notices, record payments and deliveries.
        "handle": handler | platform_admin,
        "draft": handler | drafting_unit | platform_admin,
        # The office head approves extensions and signs replies (2008 Art. 24, 2019 Art. 33).
        "approve": office_head | platform_admin,
        "reply": office_head | platform_admin,
    }
