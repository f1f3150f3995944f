"""Who sees and works on service items, windows, appointments and cases.

Clerks, reviewers and administrators of the implementing unit (and those above it who reach
down) edit and publish its service items; window staff of a centre process the cases received
there, and window staff of a department process that department's cases (online ones too);
supervisors see everything in scope but process nothing. Citizens see their own cases and
appointments; published, active items are public.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongkai.core.policies import (
    NONE,
    Policy,
    Predicate,
    anyone,
    field_is,
    is_authenticated,
    platform_admin,
    register,
)
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope
from gongkai.services.models import Appointment, AppointmentSlot, ServiceCase, ServiceItem, ServiceWindow

UNIT_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)


def owner(field: str = "user") -> Predicate:
    """The object belongs to the signed-in user (a citizen's own case or appointment)."""

    def q(user: Any) -> Q:
        return Q(**{f"{field}_id": user.pk}) if is_authenticated(user) else NONE

    def test(user: Any, obj: Any) -> bool:
        return is_authenticated(user) and getattr(obj, f"{field}_id") == user.pk

    return Predicate(f"owner({field})", q, test)


published_item = field_is("published", "published", True) & field_is("active", "is_active", True)
item_unit = in_scope(*UNIT_ROLES, field="organisation")
item_any_role = in_scope(field="organisation")
# Window staff of a centre see the items served at its windows.
item_window = in_scope(Role.WINDOW, field="window__centre")


@register
class ServiceItemPolicy(Policy):
    model = ServiceItem
    rules = {
        "view": published_item | item_any_role | item_window | platform_admin,
        "view_office": item_any_role | item_window | platform_admin,
        "view_history": item_unit | in_scope(Role.SUPERVISOR, field="organisation") | platform_admin,
        "change": item_unit | platform_admin,
        "publish": item_unit | platform_admin,
    }


@register
class ServiceWindowPolicy(Policy):
    model = ServiceWindow
    rules = {
        "view": field_is("active", "is_active", True) | in_scope(field="centre") | platform_admin,
        "view_office": in_scope(field="centre") | platform_admin,
        "view_history": in_scope(Role.ADMIN, Role.SUPERVISOR, field="centre") | platform_admin,
        "change": in_scope(Role.ADMIN, field="centre") | platform_admin,
        # Opening appointment slots: the centre's administrators and its window staff.
        "manage_slots": in_scope(Role.ADMIN, Role.WINDOW, field="centre") | platform_admin,
    }


@register
class AppointmentSlotPolicy(Policy):
    model = AppointmentSlot
    rules = {"view": anyone}


centre_window = in_scope(Role.WINDOW, field="centre")
unit_window = in_scope(Role.WINDOW, field="organisation")
case_staff = in_scope(*UNIT_ROLES, Role.SUPERVISOR, field="organisation")
case_supervisor_centre = in_scope(Role.SUPERVISOR, Role.ADMIN, field="centre")


@register
class ServiceCasePolicy(Policy):
    model = ServiceCase
    rules = {
        "view": case_staff | case_supervisor_centre | centre_window | unit_window | owner() | platform_admin,
        "view_office": case_staff | case_supervisor_centre | centre_window | unit_window | platform_admin,
        "view_history": case_staff | case_supervisor_centre | centre_window | unit_window | platform_admin,
        "process": centre_window | unit_window,
        # Approval steps (承办 → 审核 → 批准) may be recorded by the unit's officials too.
        "add_step": centre_window | unit_window | in_scope(*UNIT_ROLES, field="organisation"),
    }


appointment_centre = in_scope(Role.WINDOW, Role.ADMIN, Role.SUPERVISOR, field="slot__window__centre")


@register
class AppointmentPolicy(Policy):
    model = Appointment
    rules = {
        "view": appointment_centre | owner() | platform_admin,
        "view_office": appointment_centre | platform_admin,
        "view_history": appointment_centre | platform_admin,
        "process": in_scope(Role.WINDOW, field="slot__window__centre"),
    }
