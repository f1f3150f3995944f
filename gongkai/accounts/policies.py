"""Who may see and manage user accounts and API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongkai.accounts.models import ApiToken, User
from gongkai.core.policies import NONE, Policy, Predicate, is_authenticated, platform_admin, register
from gongkai.orgs.models import Role, RoleAssignment
from gongkai.orgs.scope import scope_ids, scope_in

is_superuser = platform_admin


def _self() -> Predicate:
    return Predicate(
        "self",
        lambda u: Q(pk=u.pk) if is_authenticated(u) else NONE,
        lambda u, o: is_authenticated(u) and o.pk == u.pk,
    )


def _administered(*, wholly: bool = False) -> Predicate:
    """Staff holding a role in a unit the user administers.

    With ``wholly``, only staff all of whose roles lie in those units, and never
    platform administrators: changing an account (its password, its status) must
    not reach beyond the administrator's own units.
    """

    def q(user: Any) -> Q:
        if not scope_ids(user, (Role.ADMIN,)):
            return NONE
        ids = scope_in(user, (Role.ADMIN,))
        cond = Q(pk__in=RoleAssignment.objects.filter(organisation_id__in=ids).values("user_id"))
        if wholly:
            outside = RoleAssignment.objects.exclude(organisation_id__in=ids).values("user_id")
            cond &= Q(is_superuser=False) & ~Q(pk__in=outside)
        return cond

    def test(user: Any, obj: Any) -> bool:
        ids = scope_ids(user, (Role.ADMIN,))
        if not ids:
            return False
        orgs = set(RoleAssignment.objects.filter(user_id=obj.pk).values_list("organisation_id", flat=True))
        if not orgs & ids:
            return False
        return not wholly or (not obj.is_superuser and orgs <= ids)

    return Predicate("administered_wholly" if wholly else "administered", q, test)


def _own_token() -> Predicate:
    return Predicate(
        "own_token",
        lambda u: Q(user_id=u.pk) if is_authenticated(u) else NONE,
        lambda u, o: is_authenticated(u) and o.user_id == u.pk,
    )


@register
class UserPolicy(Policy):
    model = User
    rules = {
        "view": _self() | _administered() | is_superuser,
        "view_history": _self() | _administered() | is_superuser,
        "change": _administered(wholly=True) | is_superuser,
        "set_password": _self() | _administered(wholly=True) | is_superuser,
    }


@register
class ApiTokenPolicy(Policy):
    model = ApiToken
    rules = {
        "view": _own_token() | is_superuser,
        "revoke": _own_token() | is_superuser,
    }
