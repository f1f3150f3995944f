"""Test data, created through the real actions (so tests exercise the rules)."""

from __future__ import annotations

import itertools
from typing import Any

from gongkai.accounts.actions import create_platform_admin, create_staff_user, register_citizen
from gongkai.orgs.actions import create_organisation
from gongkai.orgs.codes import make_org_code
from gongkai.orgs.models import Organisation, OrgKind

PASSWORD = "Correct-horse-9"
_serial = itertools.count(1)


def org_code() -> str:
    return make_org_code(f"7{next(_serial):07d}")


def make_org(
    *,
    actor: Any,
    parent: Organisation | None,
    name: str | None = None,
    kind: str | None = None,
    **fields: Any,
) -> Organisation:
    n = next(_serial)
    return create_organisation(
        actor=actor,
        parent=parent,
        kind=kind or (OrgKind.GOVERNMENT if parent is None else OrgKind.DEPARTMENT),
        name=name or f"机构{n}",
        code=fields.pop("code", None) or org_code(),
        **fields,
    )


def make_staff(*, actor: Any, organisation: Organisation, role: str, username: str | None = None) -> Any:
    return create_staff_user(
        actor=actor, organisation=organisation, role=role, username=username or f"user{next(_serial)}",
        password=PASSWORD, display_name=(username or "staff"),
    )  # fmt: skip


def make_platform_admin(username: str = "root") -> Any:
    return create_platform_admin(actor=None, username=username, password=PASSWORD, display_name="平台管理员")


def make_citizen(username: str = "citizen") -> Any:
    return register_citizen(actor=None, username=username, password=PASSWORD, display_name="张三")
