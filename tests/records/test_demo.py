"""The demo's records reproduce the seed's 2013 figures (parts 二、五、六) exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from gongkai.core.demo import DEPARTMENTS
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.records import demo
from gongkai.records.models import (
    DecisionCount,
    DisputeCase,
    ReadingRoom,
    ReadingRoomVisit,
    SpendingFigure,
    StaffFigure,
)
from tests import factories

TOWNSHIPS = ("联星街道", "网岭镇", "皇图岭镇", "新市镇", "桃水镇", "鸾山镇", "漕泊乡")


@pytest.fixture
def loaded(world: Any) -> dict[str, Any]:
    units: dict[str, Any] = {
        short: factories.make_org(actor=world.root, parent=world.county, name=name, short_name=short)
        for name, short in DEPARTMENTS
    }
    units["政务中心"] = factories.make_org(actor=world.root, parent=world.county, name="攸县政务服务中心",
                                         kind=OrgKind.CENTRE)  # fmt: skip
    for name in TOWNSHIPS:
        units[name] = factories.make_org(actor=world.root, parent=world.county, name=f"攸县{name}", short_name=name,
                                         kind=OrgKind.TOWNSHIP)  # fmt: skip
    made = demo.load(units=units, county=world.county, admin=world.county_admin, reviewer=world.reviewer)
    return {**made, "world": world, "units": units}


def test_reading_rooms_and_visits_of_2013(loaded):
    assert ReadingRoom.objects.count() == 3
    assert {r.name[2:5] for r in ReadingRoom.objects.all()} == {"政务服", "档案馆", "图书馆"}
    visits = ReadingRoomVisit.objects.filter(day__year=2013)
    assert visits.aggregate(n=Sum("visitors"))["n"] == demo.VISITS_TOTAL == 1789 == loaded["visits"]
    working = set(demo.working_days(2013))
    assert set(visits.values_list("day", flat=True)) <= working
    assert len(working) > 240 and set(visits.values_list("day", flat=True)) == working
    assert not visits.filter(day__in=[date(2013, 10, 1), date(2013, 2, 11)]).exists()  # national holidays


def test_staff_and_spending_of_2013(loaded):
    world, units = loaded["world"], loaded["units"]
    staff = StaffFigure.objects.filter(year=2013)
    # The government (its office) 2 full-time; every department, the centre and every township (the
    # fixture's units too) 1 part-time.
    assert staff.get(organisation=world.county).full_time == 2
    below = staff.exclude(organisation=world.county)
    units_below = Organisation.objects.filter(parent=world.county).exclude(kind=OrgKind.GOVERNMENT)
    assert below.count() == units_below.count() == len(DEPARTMENTS) + 1 + len(TOWNSHIPS) + 3
    assert below.aggregate(f=Sum("full_time"))["f"] == 0
    assert set(below.values_list("part_time", flat=True)) == {1}
    assert below.filter(organisation=units["县政府办"]).exists()
    spending = SpendingFigure.objects.filter(year=2013)

    def total(**lookup: Any) -> Decimal:
        return spending.filter(**lookup).aggregate(s=Sum("amount"))["s"]

    assert total(organisation=world.county) == Decimal("300000")
    assert total(organisation__kind__in=[OrgKind.DEPARTMENT, OrgKind.CENTRE]) == Decimal("690000")
    assert total(organisation__kind=OrgKind.TOWNSHIP) == Decimal("210000")
    assert total() == loaded["spending"] == Decimal("1200000")
    assert spending.filter(organisation=units["政务中心"]).exists()
    assert set(spending.values_list("entered_by", flat=True)) == {world.county_admin.pk}


def test_no_disputes_in_2013_and_a_few_this_year(loaded):
    assert not DisputeCase.objects.filter(filed_on__year=2013).exists()
    year = timezone.localdate().year
    cases = DisputeCase.objects.filter(filed_on__year=year)
    assert sorted(cases.values_list("kind", "result")) == sorted([
        ("review", "maintained"), ("review", "corrected"), ("review", "pending"),
        ("litigation_after_review", "pending")])  # fmt: skip
    assert loaded["lawsuit"].review_case.result == "maintained"
    assert DecisionCount.objects.filter(year=year).count() == loaded["decision_counts"] == 10
