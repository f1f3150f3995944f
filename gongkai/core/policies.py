"""Permission policies: one definition per model answers both questions.

``Policy.visible_to(user)`` filters a queryset and ``Policy.can(user, verb,
obj)`` checks one object. Both come from the same rules, written as small named
predicates combined with ``&``, ``|`` and ``~``; each predicate knows how to be
a ``Q`` (for lists) and a test on one object (for detail pages and actions).
Anything a policy does not name is denied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

ALL = ~Q(pk__in=[])  # matches every row (Q() would vanish inside an OR)
NONE = Q(pk__in=[])


class Predicate:
    def __init__(self, name: str, q: Callable[[Any], Q], test: Callable[[Any, Any], bool]) -> None:
        self.name = name
        self._q = q
        self._test = test

    def q(self, user: Any) -> Q:
        return self._q(user)

    def test(self, user: Any, obj: Any) -> bool:
        return bool(self._test(user, obj))

    def __and__(self, other: Predicate) -> Predicate:
        return Predicate(
            f"({self.name} & {other.name})",
            lambda u: self.q(u) & other.q(u),
            lambda u, o: self.test(u, o) and other.test(u, o),
        )

    def __or__(self, other: Predicate) -> Predicate:
        return Predicate(
            f"({self.name} | {other.name})",
            lambda u: self.q(u) | other.q(u),
            lambda u, o: self.test(u, o) or other.test(u, o),
        )

    def __invert__(self) -> Predicate:
        return Predicate(f"~{self.name}", lambda u: ~self.q(u), lambda u, o: not self.test(u, o))

    def __repr__(self) -> str:
        return f"<Predicate {self.name}>"


def user_is(name: str, check: Callable[[Any], bool]) -> Predicate:
    """A predicate on the user alone (the object does not matter)."""
    return Predicate(name, lambda u: ALL if check(u) else NONE, lambda u, o: check(u))


def field_is(name: str, lookup: str, value: Any) -> Predicate:
    """A predicate on a field of the object: ``lookup`` uses ``__`` paths."""
    return Predicate(name, lambda u: Q(**{lookup: value}), lambda u, o: resolve(o, lookup) == value)


def resolve(obj: Any, path: str) -> Any:
    """Follow a ``__`` path on an instance; ``x__organisation`` gives ``x.organisation_id``."""
    parts = path.split("__")
    for part in parts[:-1]:
        obj = getattr(obj, part)
        if obj is None:
            return None
    last = parts[-1]
    if last in ("pk", "id"):
        return obj.pk
    field = obj._meta.get_field(last) if isinstance(obj, models.Model) else None
    if field is not None and field.is_relation and field.many_to_one:
        return getattr(obj, field.attname)
    return getattr(obj, last)


def is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


authenticated = user_is("authenticated", is_authenticated)
# Platform administrators are Django superusers: they create top-level
# governments and edit the national working-day calendar.
platform_admin = user_is("platform_admin", lambda u: bool(getattr(u, "is_superuser", False) and u.is_active))
anyone = user_is("anyone", lambda u: True)


class Policy:
    """Subclass per model; ``rules`` maps a verb to a predicate."""

    model: type[models.Model]
    rules: dict[str, Predicate] = {}

    def visible_to(self, user: Any, queryset: QuerySet | None = None) -> QuerySet:
        qs = queryset if queryset is not None else self.model._default_manager.all()
        rule = self.rules.get("view")
        if rule is None:
            return qs.none()
        return qs.filter(rule.q(user))

    def can(self, user: Any, verb: str, obj: Any) -> bool:
        rule = self.rules.get(verb)
        return rule is not None and rule.test(user, obj)

    def filter(self, user: Any, verb: str, queryset: QuerySet | None = None) -> QuerySet:
        """Objects on which ``user`` may do ``verb`` (e.g. a list of editable items)."""
        qs = queryset if queryset is not None else self.model._default_manager.all()
        rule = self.rules.get(verb)
        return qs.none() if rule is None else qs.filter(rule.q(user))

    def get(self, user: Any, verb: str = "view", queryset: QuerySet | None = None, **lookup: Any) -> Any:
        """Fetch one object the user may see and do ``verb`` on, else 404.

        A missing object and a forbidden one look the same to the user, so
        ids of other units' records cannot be probed.
        """
        obj = self.visible_to(user, queryset).filter(**lookup).first()
        if obj is None or not self.can(user, verb, obj):
            raise Http404
        return obj


_REGISTRY: dict[type[models.Model], Policy] = {}


def register(policy_cls: type[Policy]) -> type[Policy]:
    _REGISTRY[policy_cls.model] = policy_cls()
    return policy_cls


def policy_for(obj_or_model: Any) -> Policy:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for cls in model.__mro__:
        if cls in _REGISTRY:
            return _REGISTRY[cls]
    raise LookupError(f"no policy registered for {model.__name__}")


def registered_policies() -> Iterable[Policy]:
    return list(_REGISTRY.values())
