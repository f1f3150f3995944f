"""Which organisations a user's roles reach, and the ``in_scope`` predicate.

The result is cached on the user object, so one request computes it once
(two queries) however many policy checks it makes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from gongkai.core.policies import NONE, Predicate, is_authenticated, resolve
from gongkai.orgs.models import Organisation, Role, RoleAssignment

ALL_ROLES = tuple(Role.values)
# A scope of more organisations than this is filtered on by a subquery, not by a list of ids: at
# province scale a supervisor reaches 5,000 units, and a list of 5,000 ids cost the ORM 100 ms to
# compile into each query (every value prepared on its own) and PostgreSQL more to plan.
IN_LIST_MAX = 200


def _assignments(user: Any) -> list[tuple[str, int, str, bool]]:
    cache = user.__dict__.setdefault("_gongkai_scope", {})
    if "assignments" not in cache:
        cache["assignments"] = list(
            RoleAssignment.objects.filter(user=user, organisation__is_active=True).values_list(
                "role", "organisation_id", "organisation__path", "covers_subunits"
            )
        )
    return cache["assignments"]


def scope_ids(user: Any, roles: Iterable[str] = ALL_ROLES) -> frozenset[int]:
    """Ids of the organisations reached by ``user``'s ``roles``.

    A role held on a deactivated organisation grants nothing; a role covering
    sub-units reaches every unit below an active one, deactivated or not.
    """
    if not is_authenticated(user) or getattr(user, "is_citizen", False):
        return frozenset()
    roles = tuple(sorted(set(roles)))
    cache = user.__dict__.setdefault("_gongkai_scope", {})
    key = ("ids", roles)
    if key not in cache:
        direct: set[int] = set()
        prefixes: set[str] = set()
        for role, org_id, path, covers in _assignments(user):
            if role in roles:
                direct.add(org_id)
                if covers:
                    prefixes.add(path)
        cache[("parts", roles)] = (frozenset(direct), frozenset(prefixes))
        if prefixes:
            # A role held on an active unit also reaches its deactivated sub-units, so their
            # administrators can still see, and reactivate, them and their records.
            direct.update(Organisation.objects.filter(_below(prefixes)).values_list("id", flat=True))
        cache[key] = frozenset(direct)
    return cache[key]


def _below(prefixes: Iterable[str]) -> Q:
    cond = Q()
    for p in sorted(prefixes):
        cond |= Q(path__startswith=p)
    return cond


def scope_in(user: Any, roles: Iterable[str] = ALL_ROLES) -> frozenset[int] | QuerySet:
    """What an ``__in`` lookup on organisation ids takes for ``scope_ids(user, roles)``: the ids
    themselves, or, for a wide scope, the same set as a subquery on the organisations."""
    ids = scope_ids(user, roles)
    if len(ids) <= IN_LIST_MAX:
        return ids
    cache = user.__dict__["_gongkai_scope"]
    direct, prefixes = cache[("parts", tuple(sorted(set(roles))))]
    return Organisation.objects.filter(Q(pk__in=direct) | _below(prefixes)).values("pk")


def clear_scope_cache(user: Any) -> None:
    user.__dict__.pop("_gongkai_scope", None)


def roles_on(user: Any, org: Organisation) -> set[str]:
    """The roles whose scope reaches ``org``."""
    return {role for role in ALL_ROLES if org.pk in scope_ids(user, (role,))}


def has_role(user: Any, roles: Iterable[str] = ALL_ROLES) -> bool:
    return bool(scope_ids(user, roles))


def in_scope(*roles: str, field: str = "organisation") -> Predicate:
    """The object's organisation (at ``field``) is reached by one of the user's ``roles``."""
    roles = roles or ALL_ROLES
    lookup = "pk__in" if field in ("pk", "id") else f"{field}__in"

    def q(user: Any) -> Q:
        return Q(**{lookup: scope_in(user, roles)}) if scope_ids(user, roles) else NONE

    def test(user: Any, obj: Any) -> bool:
        return resolve(obj, field) in scope_ids(user, roles)

    return Predicate(f"in_scope({','.join(roles)}:{field})", q, test)
