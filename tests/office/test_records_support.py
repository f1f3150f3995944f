"""Shared helpers of the records page tests: a year of records made through the actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongkai.records import actions

BASE = "/office/records"
YEAR = dt.date.today().year - 1


def grow(world: Any, n: int, tag: str) -> None:
    """n more of every record in the last year, for unit A, unit B and the township."""
    day = dt.date(YEAR, 6, 1)
    for i in range(n):
        for unit in (world.unit_a, world.unit_b, world.township):
            review = actions.save_dispute(actor=world.reviewer, organisation=unit, kind="review",
                                          reference=f"R-{tag}-{i}-{unit.pk}", subject="不予公开", filed_on=day)  # fmt: skip
            if i % 2:
                actions.conclude_dispute(
                    actor=world.reviewer, case=review, result="maintained", concluded_on=day
                )
                actions.save_dispute(actor=world.reviewer, organisation=unit, kind="litigation_after_review",
                                     reference=f"L-{tag}-{i}-{unit.pk}", subject="s", filed_on=day,
                                     review_case=review)  # fmt: skip
            room = actions.save_reading_room(
                actor=world.county_admin, organisation=unit, name=f"查阅室{tag}{i}"
            )
            actions.record_visit(actor=world.county_admin, room=room, day=day, visitors=i + 1)
            actions.set_decision_count(actor=world.county_admin, organisation=unit, year=YEAR - 1 - i,
                                       kind="penalty", count=i)  # fmt: skip
            actions.set_decision_count(actor=world.county_admin, organisation=unit, year=YEAR,
                                       kind=["penalty", "enforcement", "licensing"][i % 3], count=i)  # fmt: skip
        staff_unit = world.county if i == 0 else None
        if staff_unit is not None:
            actions.set_staff_figure(actor=world.county_admin, organisation=staff_unit, year=YEAR, full_time=2,
                                     part_time=0)  # fmt: skip
        for unit in (world.unit_a, world.unit_b, world.township):
            actions.set_staff_figure(actor=world.county_admin, organisation=unit, year=YEAR - i, full_time=0,
                                     part_time=1)  # fmt: skip
            actions.set_spending(actor=world.county_admin, organisation=unit, year=YEAR - i, amount=1000 + i)
