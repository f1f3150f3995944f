"""Every persona against every records object: the list and the object check agree, and each
role sees and changes exactly what the policy gives it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongkai.core.policies import policy_for
from gongkai.records import actions

PERSONAS = ["root", "county_admin", "reviewer", "supervisor", "clerk_a", "clerk_b", "window", "other_admin",
            "citizen", "anonymous"]  # fmt: skip


@pytest.fixture
def objects(world: Any, review: Any, day: dt.date) -> dict[str, Any]:
    year = day.year
    room = actions.save_reading_room(actor=world.clerk_a, organisation=world.unit_a, name="查阅室")
    return {
        "dispute": review,
        "room": room,
        "visit": actions.record_visit(actor=world.clerk_a, room=room, day=day, visitors=2),
        "staff": actions.set_staff_figure(actor=world.clerk_a, organisation=world.unit_a, year=year, full_time=1,
                                          part_time=0),
        "spending": actions.set_spending(actor=world.clerk_a, organisation=world.unit_a, year=year, amount=10),
        "decisions": actions.set_decision_count(actor=world.clerk_a, organisation=world.unit_a, year=year,
                                                kind="penalty", count=3),
    }  # fmt: skip


def test_list_and_object_checks_agree(world: Any, objects: dict[str, Any]) -> None:
    for name in PERSONAS:
        user = getattr(world, name)
        for obj in objects.values():
            policy = policy_for(obj)
            for verb in policy.rules:
                listed = policy.filter(user, verb).filter(pk=obj.pk).exists()
                assert listed == policy.can(user, verb, obj), (name, verb, obj)


@pytest.mark.parametrize(
    "persona,view,change",
    [
        ("root", True, True),
        ("county_admin", True, True),
        ("reviewer", True, True),
        ("clerk_a", True, True),
        ("supervisor", True, False),
        ("clerk_b", False, False),
        ("window", False, False),
        ("other_admin", False, False),
        ("citizen", False, False),
        ("anonymous", False, False),
    ],
)
def test_who_reads_and_who_enters(
    world: Any, objects: dict[str, Any], persona: str, view: bool, change: bool
):
    user = getattr(world, persona)
    for obj in objects.values():
        policy = policy_for(obj)
        assert policy.can(user, "view", obj) is view, (persona, obj)
        assert policy.can(user, "change", obj) is change, (persona, obj)
