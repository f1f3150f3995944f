"""Tables 二, 三 and 四 of a county's year, cell by cell (RULES §4.1, §4.2)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.applications import actions as app_actions
from gongkai.applications.outcomes import Outcome
from gongkai.reports import drafting
from gongkai.reports.checks import check_narrative
from gongkai.reports.provenance import records_for
from gongkai.reports.tables import T3_COLUMNS, compute
from tests.reports import records
from tests.reports.conftest import COLUMN_CYCLE, FEE_2025, Year

D = date

pytestmark = pytest.mark.django_db

REPLIED = [o for o in Outcome.values if o not in ("other_1", "other_2", "other_3")]


def expected_t3_2025() -> dict[tuple[str, str], int]:
    """Counted by hand from the builder: (row, column) of every application."""
    cells: Counter = Counter()
    new = [COLUMN_CYCLE[i % 7] for i in range(len(REPLIED))] + ["research", "legal", "other_org",
                                                                 "research", "legal"]  # fmt: skip
    for col in new:
        cells[("new", col)] += 1
    cells[("carried_in", "person")] += 1
    cells[("carried_in", "business")] += 1
    results = {"open": ["person"], "partial": ["business"]}
    for i, outcome in enumerate(REPLIED):
        results.setdefault(outcome, []).append(COLUMN_CYCLE[i % 7])
    results.update({"other_1": ["research"], "other_2": ["legal"], "other_3": ["other_org"]})
    for outcome, cols in results.items():
        for col in cols:
            cells[(outcome, col)] += 1
            cells[("closed", col)] += 1
    cells[("carried_out", "research")] += 1
    cells[("carried_out", "legal")] += 1
    for (row, _col), n in list(cells.items()):
        cells[(row, "total")] += n
    return cells


def test_table_three_2021_every_cell(year: Year) -> None:
    report = compute(year.world.county, 2025)
    t3 = report.tables["t3"]
    assert len(t3.rows) == 25 and len(t3.columns) == 7
    expected = expected_t3_2025()
    for row, _label in t3.rows:
        for col in T3_COLUMNS:
            assert t3.value(row, col) == expected[(row, col)], (row, col)
    assert t3.value("new", "total") == 23 and t3.value("closed", "total") == 23


def test_table_three_2019_has_one_other_row(year: Year) -> None:
    t3 = compute(year.world.county, 2025, template="2019").tables["t3"]
    keys = [r for r, _ in t3.rows]
    assert len(keys) == 23 and "other" in keys and "other_1" not in keys
    assert t3.value("other", "research") == 1 and t3.value("other", "total") == 3


def test_table_three_of_the_previous_year(year: Year) -> None:
    t3 = compute(year.world.county, 2024).tables["t3"]
    assert (t3.value("new", "total"), t3.value("carried_in", "total")) == (3, 0)
    assert (t3.value("open", "person"), t3.value("closed", "total")) == (1, 1)
    assert t3.value("carried_out", "person") == 1 and t3.value("carried_out", "business") == 1


def test_table_two_2021_every_cell(year: Year) -> None:
    t2 = compute(year.world.county, 2025).tables["t2"]
    assert t2.cells == {
        ("rule", "issued"): 1, ("rule", "repealed"): 0, ("rule", "in_force"): 2,
        ("normative", "issued"): 2, ("normative", "repealed"): 1, ("normative", "in_force"): 3,
        ("licensing", "decisions"): 4 + 5, ("penalty", "decisions"): 15, ("enforcement", "decisions"): 4,
        ("fee", "amount"): FEE_2025,
    }  # fmt: skip
    assert str(t2.value("fee", "amount")) == "1.2340"
    t2_2024 = compute(year.world.county, 2024).tables["t2"]
    assert t2_2024.value("normative", "issued") == 2 and t2_2024.value("normative", "repealed") == 1
    assert t2_2024.value("normative", "in_force") == 2 and t2_2024.value("rule", "in_force") == 1
    assert t2_2024.value("penalty", "decisions") == 99 and t2_2024.value("fee", "amount") == Decimal("0.0010")


def test_table_two_2019_every_cell(year: Year) -> None:
    t2 = compute(year.world.county, 2025, template="2019").tables["t2"]
    assert t2.cells == {
        ("rule", "made"): 1, ("rule", "published"): 1, ("rule", "public_total"): 2,
        ("normative", "made"): 2, ("normative", "published"): 2, ("normative", "public_total"): 5,
        # Both service items were created today (2026): none last year, none added in 2025.
        ("licensing", "previous_items"): 0, ("licensing", "change"): 0, ("licensing", "decisions"): 9,
        ("other_service", "previous_items"): 0, ("other_service", "change"): 0, ("other_service", "decisions"): 1,
        ("penalty", "previous_items"): None, ("penalty", "change"): None, ("penalty", "decisions"): 15,
        ("enforcement", "previous_items"): None, ("enforcement", "change"): None, ("enforcement", "decisions"): 4,
        ("fee", "previous_items"): 0, ("fee", "change"): 0,
        ("procurement", "projects"): None, ("procurement", "amount"): None,
    }  # fmt: skip
    now = compute(year.world.county, 2027, template="2019").tables["t2"]
    assert now.value("licensing", "previous_items") == 1 and now.value("other_service", "previous_items") == 1
    assert now.value("fee", "previous_items") == 1


def test_table_four_every_cell(year: Year) -> None:
    t4 = compute(year.world.county, 2025).tables["t4"]
    assert t4.cells == {
        ("review", "maintained"): 1, ("review", "corrected"): 1, ("review", "other"): 0,
        ("review", "pending"): 2, ("review", "total"): 4,
        ("litigation_direct", "maintained"): 1, ("litigation_direct", "corrected"): 0,
        ("litigation_direct", "other"): 0, ("litigation_direct", "pending"): 0, ("litigation_direct", "total"): 1,
        ("litigation_after_review", "maintained"): 0, ("litigation_after_review", "corrected"): 1,
        ("litigation_after_review", "other"): 0, ("litigation_after_review", "pending"): 0,
        ("litigation_after_review", "total"): 1,
    }  # fmt: skip
    assert compute(year.world.county, 2024).tables["t4"].value("review", "other") == 1


def test_a_unit_alone_counts_only_its_records(year: Year) -> None:
    w = year.world
    report = compute(w.unit_b, 2025, rollup=False)
    assert report.org_ids == [w.unit_b.pk]
    assert report.value(("t4", "review", "corrected")) == 1 and report.value(("t4", "review", "total")) == 1
    assert report.value(("t3", "carried_in", "business")) == 1 and report.value(("t3", "new", "total")) == 1
    assert report.value(("t2", "normative", "repealed")) == 1
    assert (
        report.value(("t2", "licensing", "decisions")) == 5
        and report.value(("t2", "penalty", "decisions")) == 3
    )
    assert compute(w.other_county, 2025).value(("t3", "new", "total")) == 0


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_roll_up_equals_the_sum_of_the_units(year: Year, template: str) -> None:
    w = year.world
    whole = compute(w.county, 2025, template=template)
    units = [compute(o, 2025, rollup=False, template=template) for o in w.county.descendants()]
    assert len(units) == 5  # the county, two departments, the township, the service centre
    for key, value in whole.cells():
        if value is None:
            assert all(u.value(key) is None for u in units)
            continue
        assert value == sum(u.value(key) for u in units), key


@pytest.mark.parametrize("template", ["2021", "2019", "2008"])
def test_the_number_of_queries_does_not_grow_with_the_records(year: Year, template: str) -> None:
    w = year.world

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            compute(w.county, 2025, template=template)
        return len(ctx.captured_queries)

    before = queries()
    for i in range(3):  # more of every kind of record
        app = year.register(D(2025, 6, 2 + i), org=w.unit_b, column="nonprofit")
        year.reply(app, "refuse_4", D(2025, 6, 10))
        year.item(f"more{i}", "normative", D(2025, 6, 2 + i), D(2025, 6, 10), org=w.unit_b)
        records.dispute(w, w.unit_b, "review", D(2025, 6, 2 + i), None, "pending")
        year.svc.receive(on=D(2025, 6, 2 + i))
    assert queries() == before <= 25


def test_section_six_reports_the_information_processing_fees_paid_in_the_year(year: Year) -> None:
    w = year.world
    app = year.register(D(2025, 6, 2), column="business")
    fee = app_actions.issue_fee_notice(actor=w.reviewer, application=app, mode="per_page", pages=250,
                                       instructions="银行转账", on=D(2025, 6, 3))  # fmt: skip
    fee = app_actions.record_payment(actor=w.reviewer, fee=fee, on=D(2025, 6, 10), receipt_number="XF-1")
    report = compute(w.county, 2025, template="2021")
    assert report.value(("t6", "fees_charged", "value")) == fee.amount > 0
    assert report.value(("t6", "fee_applications", "value")) == 1
    assert compute(w.county, 2024, template="2021").value(("t6", "fees_charged", "value")) == 0
    assert [f.pk for f in records_for(w.county, 2025, ("t6", "fees_charged", "value"))[0]] == [fee.pk]
    text = drafting.full_text(drafting.draft(report), "2021")
    assert f"收取信息处理费{drafting.number(fee.amount)}元" in text and "涉及收费申请1件" in text
    assert check_narrative(text, report) == []
    assert check_narrative(text.replace("涉及收费申请1件", "涉及收费申请2件"), report)
