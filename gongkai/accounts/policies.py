"""Who may see and manage user accounts and API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongkai.accounts.models import ApiToken, User
from gongkai.core.policies import NONE, Policy, Predicate, is_authenticated, register, user_is
from gongkai.orgs.models import Role, RoleAssignment
from gongkai.orgs.scope import scope_ids

is_superuser = user_is("superuser", lambda u: bool(getattr(u, "is_superuser", False) and u.is_active))


def _self() -> Predicate:
    return Predicate(
        "self",
        lambda u: Q(pk=u.pk) if is_authenticated(u) else NONE,
        lambda u, o: is_authenticated(u) and o.pk == u.pk,
    )


def _administered() -> Predicate:
    """Staff holding a role in a unit the user administers."""

    def q(user: Any) -> Q:
        ids = scope_ids(user, (Role.ADMIN,))
        if not ids:
            return NONE
        return Q(pk__in=RoleAssignment.objects.filter(organisation_id__in=ids).values("user_id"))

    def test(user: Any, obj: Any) -> bool:
        ids = scope_ids(user, (Role.ADMIN,))
        return bool(ids) and RoleAssignment.objects.filter(user_id=obj.pk, organisation_id__in=ids).exists()

    return Predicate("administered", q, test)


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
        "change": _administered() | is_superuser,
        "set_password": _self() | _administered() | is_superuser,
    }


@register
class ApiTokenPolicy(Policy):
    model = ApiToken
    rules = {
        "view": _own_token() | is_superuser,
        "revoke": _own_token() | is_superuser,
    }
