"""The action convention: every state change of a domain model goes through one.

An action is a function in ``<app>/actions.py`` decorated with :func:`action`.
It takes keyword arguments only, the first being ``actor`` (a user, or
``None`` for the system), runs in one transaction, checks permission through
the model's policy, records an audit event, and schedules side effects
(notifications, re-indexing) with :func:`after_commit` so that nothing leaves
the process for a change that was rolled back.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

P = ParamSpec("P")
R = TypeVar("R")


class ActionError(ValidationError):
    """Bad input or a forbidden state transition; the message is shown to the user."""


def action(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` atomically; enforce the keyword-only ``actor`` convention."""
    params = inspect.signature(fn).parameters
    if "actor" not in params or params["actor"].kind is not inspect.Parameter.KEYWORD_ONLY:
        raise TypeError(f"action {fn.__qualname__} must take a keyword-only 'actor'")
    if any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params.values()):
        raise TypeError(f"action {fn.__qualname__} must take keyword arguments only")

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic():
            return fn(*args, **kwargs)

    wrapper.is_action = True  # type: ignore[attr-defined]
    return wrapper


def authorize(actor: Any, verb: str, obj: Any) -> None:
    """Raise PermissionDenied unless the policy of ``obj`` allows ``verb``."""
    from gongkai.core.policies import policy_for

    if not policy_for(obj).can(actor, verb, obj):
        raise PermissionDenied(f"not allowed: {verb}")


def after_commit(fn: Callable[[], Any]) -> None:
    """Run ``fn`` once the current transaction commits (never if it rolls back)."""
    transaction.on_commit(fn)


def full_clean(obj: models.Model, *, exclude: Iterable[str] | None = None) -> None:
    """Validate a model instance, re-raising as ActionError (shown to the user)."""
    try:
        obj.full_clean(exclude=list(exclude) if exclude else None)
    except ValidationError as exc:
        raise ActionError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc


def jsonable(value: Any) -> Any:
    """A JSON-friendly form of a field value, for audit before/after snapshots."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids)."""
    if fields is not None:
        names = list(fields)
    else:
        # Automatic timestamps change on every save and say nothing about the change itself.
        names = [
            f.attname
            for f in obj._meta.concrete_fields
            if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]
    return {name: jsonable(getattr(obj, name)) for name in names}


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
