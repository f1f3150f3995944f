"""Personas: a county with two departments and a township, and one person per role.

``clerk_a`` works in ``unit_a``; ``clerk_b`` in ``unit_b`` is the usual
outsider. The reviewer, supervisor and county administrator hold their roles
on the county government and reach every unit below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from gongkai.orgs.models import OrgKind, Role
from gongkai.orgs.scope import clear_scope_cache
from tests import factories


@dataclass
class World:
    root: Any
    county: Any
    unit_a: Any
    unit_b: Any
    township: Any
    other_county: Any
    county_admin: Any
    reviewer: Any
    supervisor: Any
    clerk_a: Any
    clerk_b: Any
    window: Any
    other_admin: Any
    citizen: Any
    anonymous: Any

    def fresh(self, user: Any) -> Any:
        """The same user with its cached role scope dropped (after role changes)."""
        clear_scope_cache(user)
        return user


@pytest.fixture
def world(db: Any) -> World:
    root = factories.make_platform_admin()
    county = factories.make_org(actor=root, parent=None, name="攸县人民政府", kind=OrgKind.GOVERNMENT)
    unit_a = factories.make_org(actor=root, parent=county, name="攸县财政局")
    unit_b = factories.make_org(actor=root, parent=county, name="攸县教育局")
    township = factories.make_org(actor=root, parent=county, name="攸县网岭镇", kind=OrgKind.TOWNSHIP)
    other_county = factories.make_org(actor=root, parent=None, name="茶陵县人民政府", kind=OrgKind.GOVERNMENT)
    return World(
        root=root,
        county=county,
        unit_a=unit_a,
        unit_b=unit_b,
        township=township,
        other_county=other_county,
        county_admin=factories.make_staff(
            actor=root, organisation=county, role=Role.ADMIN, username="county_admin"
        ),
        reviewer=factories.make_staff(
            actor=root, organisation=county, role=Role.REVIEWER, username="reviewer"
        ),
        supervisor=factories.make_staff(
            actor=root, organisation=county, role=Role.SUPERVISOR, username="supervisor"
        ),
        clerk_a=factories.make_staff(actor=root, organisation=unit_a, role=Role.CLERK, username="clerk_a"),
        clerk_b=factories.make_staff(actor=root, organisation=unit_b, role=Role.CLERK, username="clerk_b"),
        window=factories.make_staff(actor=root, organisation=township, role=Role.WINDOW, username="window"),
        other_admin=factories.make_staff(
            actor=root, organisation=other_county, role=Role.ADMIN, username="other_admin"
        ),
        citizen=factories.make_citizen(),
        anonymous=AnonymousUser(),
    )


@pytest.fixture
def login(client: Any) -> Any:
    """``login(user)`` signs the test client in as that user."""

    def do(user: Any) -> Any:
        client.force_login(user)
        return client

    return do


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Production hashes with argon2 (checked in tests/accounts); a fast hasher keeps
    the persona fixture cheap everywhere else."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Cached pages and counters must not leak from one test's database into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
