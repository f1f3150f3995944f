"""Records of the ``records`` app for the report tests, made through ``gongkai.records.actions``."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from gongkai.records import actions

_refs = itertools.count(1)


def decision_count(world: Any, org: Any, year: int, kind: str, count: int) -> Any:
    return actions.set_decision_count(
        actor=world.county_admin, organisation=org, year=year, kind=kind, count=count
    )


def dispute(world: Any, org: Any, kind: str, filed: date, concluded: date | None, result: str,
            review_case: Any = None) -> Any:  # fmt: skip
    case = actions.save_dispute(
        actor=world.reviewer, organisation=org, kind=kind, reference=f"攸政复字〔{filed.year}〕{next(_refs)}号",
        subject="不予公开决定", filed_on=filed, review_case=review_case,
    )  # fmt: skip
    if concluded is not None:
        case = actions.conclude_dispute(
            actor=world.reviewer, case=case, result=result, concluded_on=concluded
        )
    return case


def staff(world: Any, org: Any, year: int, full_time: int, part_time: int) -> Any:
    return actions.set_staff_figure(actor=world.county_admin, organisation=org, year=year, full_time=full_time,
                                    part_time=part_time)  # fmt: skip


def spending(world: Any, org: Any, year: int, amount: str) -> Any:
    return actions.set_spending(actor=world.county_admin, organisation=org, year=year, amount=amount)


def visits(world: Any, org: Any, name: str, days: list[tuple[date, int]]) -> Any:
    room = actions.save_reading_room(actor=world.county_admin, organisation=org, name=name)
    for day, n in days:
        actions.record_visit(actor=world.county_admin, room=room, day=day, visitors=n)
    return room
