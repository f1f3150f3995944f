"""Figures per unit, kind and window; drill-down; CSV and XLSX exports."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.utils import timezone

from gongkai.services import actions as services
from gongkai.services.models import CaseResult
from gongkai.supervision import actions, exports, figures
from gongkai.supervision import scan as scanning
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import ClockKind
from tests.services.conftest import Svc
from tests.supervision.helpers import MON, set_today, start

pytestmark = pytest.mark.django_db

MARCH = {"first": date(2024, 3, 1), "last": date(2024, 3, 31)}
TODAY = date(2024, 3, 20)


@pytest.fixture
def data(world, monkeypatch):
    set_today(monkeypatch, TODAY)
    a = world.unit_a
    c1 = start(a, label="c1", on=MON)
    clocks.close_clock(actor=None, clock=c1, on=date(2024, 3, 15))
    c2 = start(a, label="c2", on=date(2024, 2, 26))
    clocks.close_clock(actor=None, clock=c2, on=date(2024, 3, 14))
    c3 = start(a, label="c3", on=MON)
    c4 = start(a, label="c4", on=date(2024, 3, 11), kind=ClockKind.LETTER)
    start(world.unit_b, label="old", on=date(2023, 1, 2))  # outside the period, but overdue now
    scanning.scan()
    actions.issue_card(actor=world.supervisor, organisation=a, colour="yellow", reason="逾期", clock=c3)
    actions.issue_card(actor=world.supervisor, organisation=a, colour="red", reason="多次逾期")
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4}


def labels(qs):
    return set(qs.values_list("label", flat=True))


def test_unit_figures(world, data, django_assert_num_queries):
    ids = figures.supervised_ids(world.supervisor)
    with django_assert_num_queries(4):
        table = figures.unit_figures(**MARCH, organisation_ids=ids, today=TODAY)
    units = {u["organisation_id"]: u for u in table["units"]}
    assert world.county.pk in units and world.other_county.pk not in units
    a = units[world.unit_a.pk]
    assert a["kinds"][ClockKind.APPLICATION] == {
        "received": 2, "completed": 2, "on_time": 1, "late": 1, "completion_rate": 1.0, "on_time_rate": 0.5,
        "avg_used_days": 11.0, "overdue_now": 1, "warnings": 0, "alarms": 1, "yellow_cards": 1, "red_cards": 0,
    }  # fmt: skip
    letter = a["kinds"][ClockKind.LETTER]
    assert (letter["received"], letter["completed"], letter["completion_rate"], letter["on_time_rate"]) == (
        1,
        0,
        0.0,
        None,
    )
    total = a["total"]
    assert (total["received"], total["completed"], total["completion_rate"], total["red_cards"]) == (
        3,
        2,
        0.6667,
        1,
    )
    b = units[world.unit_b.pk]["total"]
    assert (b["received"], b["overdue_now"], b["alarms"]) == (0, 1, 1)
    assert units[world.township.pk]["total"]["received"] == 0  # listed with nothing to count
    assert "÷" in str(table["definitions"]["on_time_rate"])


def test_query_count_does_not_grow_with_rows(world, data, django_assert_num_queries):
    for i in range(20):
        start(world.unit_b, label=f"more{i}", on=date(2024, 3, 5), kind=ClockKind.SERVICE_CASE)
    with django_assert_num_queries(4):
        figures.unit_figures(**MARCH, organisation_ids=figures.supervised_ids(world.supervisor), today=TODAY)


def test_drill_down_returns_the_clocks_behind_each_figure(world, data):
    a = world.unit_a.pk

    def drill(figure, kind=ClockKind.APPLICATION):
        return labels(figures.drill_down(figure, organisation_id=a, kind=kind, **MARCH, today=TODAY))

    assert drill("received") == {"c1", "c3"}
    assert drill("received", kind=None) == {"c1", "c3", "c4"}
    assert drill("on_time_rate") == drill("completed") == {"c1", "c2"}
    assert drill("on_time") == {"c1"} and drill("late") == {"c2"}
    assert drill("overdue_now") == drill("alarms") == drill("yellow_cards") == {"c3"}
    assert drill("warnings") == drill("red_cards") == set()
    with pytest.raises(ValueError):
        figures.drill_down("nonsense", organisation_id=a, **MARCH)
    # Each figure's count equals its drill-down's size.
    table = figures.unit_figures(**MARCH, organisation_ids=[a], today=TODAY)
    for name in ("received", "completed", "on_time", "late", "overdue_now", "alarms", "yellow_cards"):
        assert table["units"][0]["kinds"][ClockKind.APPLICATION][name] == len(drill(name)), name


def test_supervised_ids(world):
    assert figures.supervised_ids(world.clerk_a) == frozenset()
    assert world.unit_a.pk in figures.supervised_ids(world.county_admin)
    assert world.unit_a.pk not in figures.supervised_ids(world.other_admin)
    assert world.other_county.pk in figures.supervised_ids(world.root)


def test_period_must_not_end_before_it_starts(world):
    with pytest.raises(ValueError):
        figures.unit_figures(
            first=date(2024, 3, 2), last=date(2024, 3, 1), organisation_ids=[world.unit_a.pk]
        )


def test_window_figures_and_drill_down(world, django_assert_num_queries):
    svc = Svc(world)
    today = timezone.localdate()
    done, _code = svc.receive()
    svc.receive()
    svc.receive(window=svc.township_window, actor=world.window)
    services.complete_case(actor=svc.centre_staff, case=done, result=CaseResult.APPROVED)
    period = {"first": today - timedelta(days=7), "last": today}
    scope = figures.supervised_ids(world.supervisor)
    with django_assert_num_queries(3):
        table = figures.window_figures(**period, organisation_ids=scope)
    rows = {w["window_id"]: w for w in table["windows"]}
    centre = rows[svc.window.pk]
    assert (centre["received"], centre["completed"], centre["completion_rate"], centre["on_time_rate"]) == (
        2, 1, 0.5, 1.0)  # fmt: skip
    assert rows[svc.township_window.pk]["received"] == 1
    drilled = figures.drill_down_window("received", window_id=svc.window.pk, **period)
    assert drilled.count() == 2 and all(c.service_case.window_id == svc.window.pk for c in drilled)
    assert list(figures.drill_down_window("completed", window_id=svc.window.pk, **period)) == [done.clock]
    units = figures.unit_figures(**period, organisation_ids=scope)
    a = next(u for u in units["units"] if u["organisation_id"] == world.unit_a.pk)
    assert a["kinds"][ClockKind.SERVICE_CASE]["received"] == 3


def test_exports(world, data):
    table = figures.unit_figures(
        **MARCH, organisation_ids=figures.supervised_ids(world.supervisor), today=TODAY
    )
    csv = exports.units_csv(table).decode("utf-8-sig")
    lines = csv.splitlines()
    # A header, a total per unit, a row per kind a unit had.
    assert len(lines) == 1 + sum(1 + len(u["kinds"]) for u in table["units"]) == 8
    label = str(ClockKind.APPLICATION.label)
    row = next(line for line in lines if line.startswith(world.unit_a.name) and label in line)
    assert ",2,2,100.0,1,50.0,11.0,1,0,1,1,0" in row
    book = openpyxl.load_workbook(io.BytesIO(exports.units_xlsx(table)))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == len(lines)
    assert values[0][0] and any(r[0] == world.unit_a.name and r[2] == 3 for r in values[1:])


def test_export_escapes_formulas(world, monkeypatch):
    from tests import factories

    evil = factories.make_org(actor=world.root, parent=world.county, name="=HYPERLINK(1)")
    table = figures.unit_figures(**MARCH, organisation_ids=[evil.pk], today=TODAY)
    assert "'=HYPERLINK(1)" in exports.units_csv(table).decode("utf-8-sig")
