"""Who may see and change organisations and role assignments."""

from __future__ import annotations

from gongkai.core.policies import Policy, anyone, field_is, platform_admin, register
from gongkai.orgs.models import Organisation, Role, RoleAssignment
from gongkai.orgs.scope import has_role, in_scope

is_superuser = platform_admin
admin_of_org = in_scope(Role.ADMIN, field="pk")
staff_of_org = in_scope(field="pk")


@register
class OrganisationPolicy(Policy):
    model = Organisation
    rules = {
        # The directory of units and their disclosure-office contacts is public;
        # deactivated units stay visible only to their administrators.
        "view": field_is("active", "is_active", True) | admin_of_org | is_superuser,
        # The unit's back-office page (its staff and work) is for its own staff.
        "view_office": staff_of_org | is_superuser,
        "view_history": staff_of_org | is_superuser,
        "change": admin_of_org | is_superuser,
        "add_child": admin_of_org | is_superuser,
        "manage_roles": admin_of_org | is_superuser,
        "view_audit": in_scope(Role.ADMIN, Role.SUPERVISOR, Role.REVIEWER, field="pk") | is_superuser,
    }


@register
class RoleAssignmentPolicy(Policy):
    model = RoleAssignment
    rules = {
        "view": in_scope(field="organisation") | is_superuser,
        "delete": in_scope(Role.ADMIN, field="organisation") | is_superuser,
    }


def is_org_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, (Role.ADMIN,))


__all__ = ["OrganisationPolicy", "RoleAssignmentPolicy", "is_org_admin", "anyone"]
