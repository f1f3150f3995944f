"""R1–R5 hold on a real year; a tampered cell is caught with the cells, sides and records."""

from __future__ import annotations

import pytest

from gongkai.reports.checks import check, check_carry_over
from gongkai.reports.tables import compute
from tests.reports.conftest import Year

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_the_years_tables_pass_r1_to_r5(year: Year, template: str) -> None:
    w = year.world
    for org, rollup in ((w.county, True), (w.unit_a, False), (w.unit_b, False), (w.township, False)):
        for y in (2024, 2025, 2026):
            assert check(compute(org, y, rollup=rollup, template=template)) == [], (org, y)


def test_r1_r2_r3_name_the_cells_the_sides_and_the_records(year: Year) -> None:
    report = compute(year.world.county, 2025)
    report.tables["t3"].cells[("open", "person")] += 1  # as if a figure had been typed in wrong
    found = {v.rule: v for v in check(report)}
    assert set(found) == {"R2", "R3"}
    r3 = found["R3"]
    assert r3.left.cells == [("t3", "closed", "person")] and r3.left.value == report.value(
        ("t3", "closed", "person")
    )
    assert ("t3", "open", "person") in r3.right.cells and r3.right.value == r3.left.value + 1
    assert year.apps["a1"] in r3.records[("t3", "open", "person")][0]
    assert "R3 person" in r3.message
    r2 = found["R2"]
    assert r2.left.cells == [("t3", "open", "total")] and len(r2.right.cells) == 6

    report.tables["t3"].cells[("new", "research")] += 2
    r1 = [v for v in check(report) if v.rule == "R1"]
    assert len(r1) == 1 and r1[0].left.cells == [("t3", "new", "research"), ("t3", "carried_in", "research")]
    assert r1[0].left.value == r1[0].right.value + 2
    assert set(r1[0].records[("t3", "carried_out", "research")][0]) == {year.apps["b1"]}


def test_r4_per_block_of_table_four(year: Year) -> None:
    report = compute(year.world.county, 2025)
    report.tables["t4"].cells[("litigation_direct", "total")] = 2
    (v,) = check(report)
    assert v.rule == "R4" and (v.left.value, v.right.value) == (2, 1)
    assert set(v.records[("t4", "litigation_direct", "maintained")][0]) == {year.disputes["direct"]}


def test_r5_compares_with_the_previous_year(year: Year) -> None:
    w = year.world
    report, previous = compute(w.county, 2025), compute(w.county, 2024)
    assert check_carry_over(report) == [] and check_carry_over(report, previous) == []
    previous.tables["t3"].cells[("carried_out", "business")] = 0
    (v,) = check_carry_over(report, previous)
    assert v.rule == "R5" and (v.left.value, v.right.value) == (1, 0)
    assert v.left.cells == [("t3", "carried_in", "business")]
    assert set(v.records[("t3", "carried_in", "business")][0]) == {year.apps["a2"]}
    assert set(v.records[("t3", "carried_out", "business")][0]) == {year.apps["a2"]}  # listed from 2024


def test_a_narrative_report_has_no_tables_to_check(world) -> None:
    assert check(compute(world.county, 2013, template="2008")) == []
