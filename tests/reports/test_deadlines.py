"""When annual reports are due, and each unit's standing against the deadline (RULES §4)."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.reports import actions
from gongkai.reports.deadlines import due_date, standing, unit_standings
from tests import factories

pytestmark = pytest.mark.django_db


def test_departments_are_due_on_31_january_and_governments_on_31_march(world: Any) -> None:
    assert due_date(world.unit_a, 2025) == date(2026, 1, 31)  # 2019 Art. 49
    assert due_date(world.county, 2025) == date(2026, 3, 31)
    assert due_date(world.township, 2025) == date(2026, 3, 31)  # a township is a government
    assert due_date(world.unit_a, 2019) == date(2020, 1, 31)  # first report under the 2019 text
    assert due_date(world.unit_a, 2018) == date(2019, 3, 31)  # 2008 Art. 31: everyone by 31 March


def test_standing_against_the_deadline(world: Any) -> None:
    assert standing(world.unit_a, 2025, None, date(2026, 1, 10)).code == "not_started"
    soon = standing(world.unit_a, 2025, None, date(2026, 1, 20))
    assert (soon.days_left, soon.warn) == (11, True)
    far = standing(world.county, 2025, None, date(2026, 1, 20))
    assert (far.days_left, far.warn) == (70, False)
    late = standing(world.unit_a, 2025, None, date(2026, 2, 1))
    assert (late.code, late.days_left, late.warn) == ("overdue", -1, True)


def test_the_date_of_first_publication_decides_on_time_or_late(world: Any, year: Any) -> None:
    report = actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=2025)
    report = actions.review_report(actor=world.reviewer, report=report)
    actions.publish_report(actor=world.reviewer, report=report)
    report.refresh_from_db()
    # Published today, after 31 January 2026: late, whatever day it is looked at.
    assert standing(world.unit_a, 2025, report, date(2027, 5, 1)).code == "late"
    shanghai = ZoneInfo("Asia/Shanghai")
    on_time = SimpleNamespace(status="published", published_at=datetime(2026, 3, 31, 23, 30, tzinfo=shanghai))
    assert standing(world.county, 2025, on_time, date(2027, 5, 1)).code == "on_time"
    # 23:30 on 31 January in Shanghai is still 31 January, though it is 15:30 UTC.
    jan = SimpleNamespace(status="published", published_at=datetime(2026, 1, 31, 23, 30, tzinfo=shanghai))
    assert standing(world.unit_a, 2025, jan, date(2026, 2, 5)).code == "on_time"
    feb = SimpleNamespace(status="published", published_at=datetime(2026, 2, 1, 0, 30, tzinfo=shanghai))
    assert standing(world.unit_a, 2025, feb, date(2026, 2, 5)).code == "late"


def test_unit_standings_are_a_constant_number_of_queries(world: Any) -> None:
    for i in range(15):
        factories.make_org(actor=world.root, parent=world.county, name=f"攸县第{i}局")
    actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=2025)
    units = list(world.county.descendants().filter(is_active=True))
    with CaptureQueriesContext(connection) as ctx:
        rows = unit_standings(units, 2025, date(2026, 1, 10))
    assert len(rows) == 4 + 15
    assert len(ctx.captured_queries) == 1
    by_unit = {u.pk: s.code for u, _r, s in rows}
    assert by_unit[world.unit_a.pk] == "draft" and by_unit[world.unit_b.pk] == "not_started"
