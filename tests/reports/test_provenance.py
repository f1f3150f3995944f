"""Every cell lists the records behind it, and they add up to the cell."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from gongkai.records.models import DecisionCount
from gongkai.reports.figures import wan
from gongkai.reports.provenance import definition, records_for, records_visible_to, sources_of
from gongkai.reports.tables import changes, compute
from gongkai.services.models import ServiceCase
from tests.reports.conftest import Year

pytestmark = pytest.mark.django_db


def _measure(querysets: list) -> Decimal:
    total = Decimal(0)
    for qs in querysets:
        if qs.model is DecisionCount:
            total += qs.aggregate(n=Sum("count"))["n"] or 0
        else:
            total += qs.count()
    return total


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_the_records_of_every_cell_add_up_to_it(year: Year, template: str) -> None:
    w = year.world
    report = compute(w.county, 2025, template=template)
    for key, value in report.cells():
        found = records_for(w.county, 2025, key, template=template)
        if value is None:
            assert found == [], key  # absent: nothing in the platform holds it
        elif key == ("t2", "fee", "amount"):
            (cases,) = found
            assert cases.model is ServiceCase
            assert wan(cases.aggregate(n=Sum("fee_amount"))["n"]) == value
        else:
            assert _measure(found) == value, key


def test_records_follow_the_scope_and_the_year(year: Year) -> None:
    w = year.world
    (cases,) = records_for(w.unit_a, 2025, ("t4", "review", "pending"), rollup=False)
    assert set(cases) == {year.disputes["review_open"]}  # the township's late one is not unit A's
    (cases,) = records_for(w.county, 2025, ("t4", "review", "pending"))
    assert set(cases) == {year.disputes["review_open"], year.disputes["review_late"]}
    (items,) = records_for(w.county, 2025, ("t2", "normative", "repealed"))
    assert list(items) == [year.items["norm24"]]
    (apps,) = records_for(w.county, 2025, ("t3", "carried_in", "total"))
    assert set(apps) == {year.apps["a1"], year.apps["a2"]}
    with pytest.raises(KeyError):
        records_for(w.county, 2025, ("t3", "no such row", "total"))


def test_totals_and_rates_name_the_cells_they_come_from() -> None:
    assert sources_of(("t3", "open", "total")) == [("t3", "open", c) for c in
                                                   ("person", "business", "research", "nonprofit", "legal",
                                                    "other_org")]  # fmt: skip
    assert len(sources_of(("t3", "closed", "person"))) == 21
    assert len(sources_of(("t3", "closed", "person"), "2019")) == 19
    assert sources_of(("t3", "other", "legal"), "2019") == [("t3", "other_1", "legal"), ("t3", "other_2", "legal"),
                                                            ("t3", "other_3", "legal")]  # fmt: skip
    assert sources_of(("t4", "review", "total")) == [("t4", "review", r) for r in
                                                     ("maintained", "corrected", "other", "pending")]  # fmt: skip
    assert sources_of(("n", "applications_on_time_rate", "value"), "2008") == [
        ("n", "applications_on_time", "value"), ("n", "applications_replied", "value")]  # fmt: skip
    assert sources_of(("t3", "open", "person")) == []


def test_the_records_behind_a_cell_follow_the_readers_scope(year: Year) -> None:
    w = year.world
    cells = [("t3", "new", "total"), ("t3", "carried_in", "total"), ("t4", "review", "total"),
             ("t2", "licensing", "decisions")]  # fmt: skip
    for key in cells:
        everything = records_for(w.county, 2025, key)
        seen = records_visible_to(w.reviewer, w.county, 2025, key)
        assert [qs.count() for qs in seen] == [qs.count() for qs in everything], key
        assert all(qs.count() == 0 for qs in records_visible_to(w.other_admin, w.county, 2025, key)), key
        assert all(qs.count() == 0 for qs in records_visible_to(w.citizen, w.county, 2025, key)), key
    # Published documents are public: anyone may follow the link from the cell.
    (items,) = records_visible_to(w.anonymous, w.county, 2025, ("t2", "normative", "in_force"))
    assert items.count() == 3
    (cases,) = records_visible_to(w.clerk_b, w.county, 2025, ("t4", "review", "total"))
    assert set(cases) == {year.disputes["review_fixed"]}  # only unit B's own case


def test_year_over_year_changes(year: Year) -> None:
    w = year.world
    now, before = compute(w.county, 2025), compute(w.county, 2024)
    delta = changes(now, before)
    assert delta[("t3", "new", "total")] == 23 - 3
    assert delta[("t2", "normative", "in_force")] == 3 - 2
    assert delta[("t4", "review", "total")] == 4 - 1
    trial = compute(w.county, 2025, template="2019")
    assert (
        changes(trial, compute(w.county, 2024, template="2019"))[("t2", "penalty", "previous_items")] is None
    )


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_every_cell_has_a_definition(world, template: str) -> None:
    report = compute(world.county, 2025, template=template)
    assert all(definition(key) for key, _value in report.cells())
