"""Actions on organisations and role assignments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils.translation import gettext as _

from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, after_commit, authorize, changes, full_clean, snapshot
from gongkai.orgs.codes import normalise_code
from gongkai.orgs.models import ROLES_COVERING_SUBUNITS, Organisation, OrgKind, Role, RoleAssignment
from gongkai.orgs.scope import clear_scope_cache

ORG_FIELDS = (
    "kind", "name", "short_name", "code", "sort_order", "self_publish", "office_name", "address", "postcode",
    "office_hours", "phone", "fax", "email", "website",
)  # fmt: skip


def _is_platform_admin(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False) and actor.is_active)


def _portal_changed() -> None:
    from gongkai.portal import cache

    after_commit(cache.bump)


def _set_path(org: Organisation) -> None:
    parent_path = org.parent.path if org.parent_id else "/"
    org.path = f"{parent_path}{org.pk}/"
    org.depth = org.path.count("/") - 2


@action
def create_organisation(*, actor: Any, parent: Organisation | None, **fields: Any) -> Organisation:
    """Create a unit below ``parent`` (or a top-level government, for platform administrators)."""
    if parent is None:
        if not _is_platform_admin(actor):
            raise PermissionDenied("only platform administrators create top-level organisations")
    else:
        authorize(actor, "add_child", parent)
        if not parent.is_active:
            raise ActionError(_("The organisation is not active."))
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    if "code" in fields and fields["code"]:
        fields["code"] = normalise_code(fields["code"])
    org = Organisation(parent=parent, **fields)
    if parent is None and org.kind != OrgKind.GOVERNMENT:
        raise ActionError({"kind": [_("A top-level organisation must be a government.")]})
    full_clean(org, exclude=["path"])
    try:
        org.save()
    except IntegrityError as exc:
        raise ActionError({"code": [_("An organisation with this code already exists.")]}) from exc
    _set_path(org)
    org.save(update_fields=["path", "depth"])
    if actor is not None:
        clear_scope_cache(actor)  # the new unit may lie in the actor's own scope
    record(actor=actor, verb="orgs.create_organisation", obj=org, after=snapshot(org))
    _portal_changed()
    return org


@action
def update_organisation(
    *, actor: Any, organisation: Organisation, reason: str = "", **fields: Any
) -> Organisation:
    authorize(actor, "change", organisation)
    unknown = set(fields) - set(ORG_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = snapshot(org)
    if "code" in fields and fields["code"]:
        fields["code"] = normalise_code(fields["code"])
        if fields["code"] != org.code:
            # The code is the front part of every 索引号 already issued.
            raise ActionError({"code": [_("The organisation code cannot be changed once set.")]})
    for name, value in fields.items():
        setattr(org, name, value)
    if org.parent_id is None and org.kind != OrgKind.GOVERNMENT:
        raise ActionError({"kind": [_("A top-level organisation must be a government.")]})
    full_clean(org, exclude=["path"])
    org.save()
    b, a = changes(before, snapshot(org))
    if a:
        record(actor=actor, verb="orgs.update_organisation", obj=org, before=b, after=a, reason=reason)
        _portal_changed()
    return org


@action
def set_organisation_active(
    *, actor: Any, organisation: Organisation, active: bool, reason: str
) -> Organisation:
    authorize(actor, "change", organisation)
    if not reason.strip():
        raise ActionError({"reason": [_("Give a reason.")]})
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if org.is_active == active:
        return org
    if not active and org.children.filter(is_active=True).exists():
        raise ActionError(_("Deactivate the units below this one first."))
    if active and org.parent_id and not org.parent.is_active:
        raise ActionError(_("Activate the unit above this one first."))
    org.is_active = active
    org.save(update_fields=["is_active", "updated_at"])
    clear_scope_cache(actor)
    record(
        actor=actor,
        verb="orgs.set_active",
        obj=org,
        before={"is_active": not active},
        after={"is_active": active},
        reason=reason,
    )
    _portal_changed()
    return org


@action
def grant_role(
    *, actor: Any, user: Any, organisation: Organisation, role: str, covers_subunits: bool | None = None
) -> RoleAssignment:
    """Give ``user`` a role on ``organisation``; by default reviewers, supervisors
    and administrators reach the sub-units, clerks and window staff do not."""
    authorize(actor, "manage_roles", organisation)
    if role not in Role.values:
        raise ActionError({"role": [_("Unknown role.")]})
    if getattr(user, "is_citizen", False):
        raise ActionError(_("Citizen accounts cannot hold staff roles."))
    if not organisation.is_active:
        raise ActionError(_("The organisation is not active."))
    if covers_subunits is None:
        covers_subunits = role in ROLES_COVERING_SUBUNITS
    if RoleAssignment.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ActionError(_("The user already holds this role on this organisation."))
    assignment = RoleAssignment.objects.create(
        user=user, organisation=organisation, role=role, covers_subunits=covers_subunits,
        granted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    clear_scope_cache(user)
    record(
        actor=actor, verb="orgs.grant_role", obj=user, organisation=organisation,
        after={"role": role, "organisation": organisation.pk, "covers_subunits": covers_subunits},
    )  # fmt: skip
    return assignment


@action
def revoke_role(*, actor: Any, assignment: RoleAssignment, reason: str = "") -> None:
    authorize(actor, "delete", assignment)
    if assignment.user_id == getattr(actor, "pk", None) and assignment.role == Role.ADMIN:
        raise ActionError(_("You cannot remove your own administrator role."))
    before = {
        "role": assignment.role,
        "organisation": assignment.organisation_id,
        "covers_subunits": assignment.covers_subunits,
    }
    user = assignment.user
    org = assignment.organisation
    assignment.delete()
    clear_scope_cache(user)
    record(actor=actor, verb="orgs.revoke_role", obj=user, organisation=org, before=before, reason=reason)
