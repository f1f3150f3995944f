"""The demo's 2013 services match the seed's section 一 (三)(四), the year's cases scaled down."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from gongkai.core.demo import DEPARTMENTS
from gongkai.notifications.models import Message
from gongkai.orgs.models import OrgKind
from gongkai.services import demo as demo_services
from gongkai.services import stats
from gongkai.services.models import CaseChannel, CaseStatus, ItemKind, ServiceCase, ServiceItem
from gongkai.workdays.calendar import get_calendar
from tests import factories

SCALE = 0.02


@pytest.fixture
def loaded(world: Any) -> dict[str, Any]:
    units: dict[str, Any] = {
        short: factories.make_org(actor=world.root, parent=world.county, name=name, short_name=short)
        for name, short in DEPARTMENTS
    }
    units["政务中心"] = factories.make_org(actor=world.root, parent=world.county, name="攸县政务服务中心",
                                         kind=OrgKind.CENTRE)  # fmt: skip
    for name in ("联星街道", "网岭镇", "皇图岭镇"):
        units[name] = factories.make_org(actor=world.root, parent=world.county, name=f"攸县{name}", short_name=name,
                                         kind=OrgKind.TOWNSHIP)  # fmt: skip
    made = demo_services.load(units=units, county=world.county, admin=world.county_admin, scale=SCALE)
    return {**made, "world": world, "units": units}


def test_the_full_scale_plan_is_the_seeds_2013_figures() -> None:
    full = demo_services.plan(1.0)
    assert (full.centre_cases, full.centre_fees) == (demo_services.CENTRE_CASES, demo_services.CENTRE_FEES)
    assert (full.online_received, full.online_completed) == (
        demo_services.ONLINE_RECEIVED, demo_services.ONLINE_COMPLETED)  # fmt: skip
    # The seed: 13,174 cases, 2,306.4万元, 10,332 received online and 10,324 completed (99.9%).
    assert full.centre_cases == 13174 and full.centre_fees == Decimal("23064000.00")
    assert round(100 * full.online_completed / full.online_received, 1) == 99.9
    assert full.township_cases == 21 * demo_services.TOWNSHIP_CASES
    assert (demo_services.RESIDENT_UNITS, demo_services.WINDOW_STAFF, demo_services.ITEMS) == (48, 100, 339)


def test_the_centre_catalogue_staff_and_year_at_small_scale(loaded: dict[str, Any]) -> None:
    centre = loaded["centre"]
    target = demo_services.plan(SCALE)
    figures = stats.centre_figures(centre, 2013)
    assert figures["units"] == demo_services.RESIDENT_UNITS
    assert figures["staff"] == demo_services.WINDOW_STAFF
    assert figures["items"] == demo_services.ITEMS == ServiceItem.objects.count()
    assert figures["received"] == figures["completed"] == target.centre_cases
    assert figures["completion_rate"] == Decimal(100)
    assert figures["fees"] == target.centre_fees
    kinds = ServiceItem.objects.values_list("kind", flat=True)
    assert max(set(kinds), key=list(kinds).count) == ItemKind.LICENSING  # 行政许可 most
    online = stats.online_figures(loaded["world"].county, 2013)
    assert online["units"] == demo_services.ONLINE_UNITS
    assert (online["received"], online["completed"]) == (target.online_received, target.online_completed)


def test_the_years_cases_are_consistent(loaded: dict[str, Any]) -> None:
    cal = get_calendar()
    year = ServiceCase.objects.filter(received_on__year=2013).select_related("item", "clock")
    for case in year:
        assert cal.is_workday(case.received_on), case.case_number
        if case.status == CaseStatus.COMPLETED:
            assert case.received_on <= case.completed_on <= case.received_on.replace(month=12, day=31)
            assert case.on_time == (case.completed_on <= case.clock.due_date)
        if case.fee_amount is not None:
            assert case.fee_amount == (case.item.fee_amount * case.fee_quantity).quantize(Decimal("0.01"))
        if case.result == "approved" and case.item.issues_certificate:
            assert case.certificate_number
    months = {c.received_on.month for c in year.filter(centre=loaded["centre"])}
    assert len(months) >= 10  # spread over the year
    townships = year.filter(channel=CaseChannel.TOWNSHIP)
    assert townships.count() == 3 * demo_services.scaled(demo_services.TOWNSHIP_CASES, SCALE)
    assert {c.centre.kind for c in townships} == {OrgKind.TOWNSHIP}
    late = year.filter(on_time=False).count()
    assert late <= year.count() * 0.05


def test_the_current_year_has_a_case_in_every_state_and_nobody_is_told(loaded: dict[str, Any]) -> None:
    from django.utils import timezone

    current = ServiceCase.objects.filter(received_on__year=timezone.localdate().year)
    states = set(current.values_list("status", flat=True))
    assert {CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED, CaseStatus.REJECTED,
            CaseStatus.COMPLETED, CaseStatus.WITHDRAWN} <= states  # fmt: skip
    assert current.filter(fee_amount__isnull=False).exists()
    assert not Message.objects.filter(status="queued").exists()
