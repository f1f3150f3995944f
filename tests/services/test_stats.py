"""Service figures, each checked against cases made by the real actions, with its drill-down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongkai.services import actions, stats
from gongkai.services.models import CaseResult, ItemKind
from tests.services.conftest import APPLICANT

D = dt.date


def _complete(svc: Any, case: Any, on: dt.date, result: str = CaseResult.APPROVED) -> Any:
    return actions.complete_case(actor=svc.centre_staff, case=case, result=result, reason="条件不符", on=on,
                                 certificate_number="ZS-1")  # fmt: skip


def test_licensing_decisions_and_fees(svc: Any, django_assert_max_num_queries: Any) -> None:
    w = svc.world
    approved, _ = svc.receive(on=D(2025, 3, 3))
    _complete(svc, approved, D(2025, 3, 5))
    denied, _ = svc.receive(on=D(2025, 3, 3))
    _complete(svc, denied, D(2025, 3, 6), CaseResult.DENIED)
    svc.receive(on=D(2025, 3, 3))  # still open: not a decision
    late, _ = svc.receive(on=D(2025, 12, 30))
    _complete(svc, late, D(2026, 1, 5))  # decided next year
    charged, _ = svc.receive(item=svc.charged, on=D(2025, 4, 1))  # non-licensing, fee collected
    actions.collect_fee(actor=svc.centre_staff, case=charged, amount="30.00", quantity=3, receipt="R-1",
                        on=D(2025, 4, 1))  # fmt: skip
    _complete(svc, charged, D(2025, 4, 2))
    charged2, _ = svc.receive(item=svc.charged, on=D(2025, 5, 1))
    actions.collect_fee(actor=svc.centre_staff, case=charged2, amount="10", receipt="R-2", on=D(2025, 5, 6))

    ids = [w.unit_a.pk]
    with django_assert_max_num_queries(1):
        assert stats.licensing_decisions(ids, 2025) == 2
    assert set(stats.licensing_decision_cases(ids, 2025)) == {approved, denied}
    assert stats.licensing_decisions(ids, 2026) == 1
    assert stats.licensing_decisions([w.unit_b.pk], 2025) == 0
    with django_assert_max_num_queries(1):
        assert stats.fees_collected(ids, 2025) == Decimal("40.00")
    assert set(stats.fee_cases(ids, 2025)) == {charged, charged2}
    assert stats.fees_collected(ids, 2024) == Decimal("0.00")
    assert stats.fees_collected([w.unit_b.pk], 2025) == Decimal("0.00")


def test_centre_figures(svc: Any, django_assert_max_num_queries: Any) -> None:
    done, _ = svc.receive(on=D(2025, 6, 2))
    _complete(svc, done, D(2025, 6, 3))
    svc.receive(on=D(2025, 6, 2))
    charged, _ = svc.receive(item=svc.charged, on=D(2025, 6, 2))
    actions.collect_fee(actor=svc.centre_staff, case=charged, amount="10", receipt="R-9", on=D(2025, 6, 2))
    _complete(svc, charged, D(2025, 6, 4))
    svc.receive(window=svc.township_window, actor=svc.world.window, on=D(2025, 6, 2))  # another centre
    # An unpublished item of unit_a is not counted among the centre's items.
    svc.make_item(code="CZ-100", publish=False)

    with django_assert_max_num_queries(4):
        figures = stats.centre_figures(svc.centre, 2025)
    assert figures == {"received": 3, "completed": 2, "completion_rate": Decimal("66.7"),
                       "fees": Decimal("10.00"), "units": 1, "staff": 1, "items": 2}  # fmt: skip
    assert stats.centre_records(svc.centre, 2025, "received").count() == 3
    assert set(stats.centre_records(svc.centre, 2025, "completed")) == {done, charged}
    assert list(stats.centre_records(svc.centre, 2025, "fees")) == [charged]
    assert list(stats.centre_records(svc.centre, 2025, "units")) == [svc.world.unit_a]
    assert list(stats.centre_records(svc.centre, 2025, "staff")) == [svc.centre_staff]
    assert set(stats.centre_records(svc.centre, 2025, "items")) == {svc.item, svc.charged}
    empty = stats.centre_figures(svc.centre, 2024)
    assert empty["received"] == 0 and empty["completion_rate"] is None and empty["fees"] == Decimal("0.00")


def test_online_figures(svc: Any) -> None:
    w = svc.world
    year = timezone.localdate().year
    first, _ = actions.submit_case_online(actor=w.citizen, item=svc.item, **APPLICANT)
    actions.submit_case_online(actor=w.citizen, item=svc.item, **APPLICANT)
    first = actions.accept_case(actor=svc.unit_window, case=first)
    actions.complete_case(actor=svc.unit_window, case=first, result=CaseResult.APPROVED)
    svc.receive()  # a window case is not an online one
    svc.make_item(code="CZ-200", online=False, kind=ItemKind.PUBLIC_SERVICE)

    figures = stats.online_figures(w.county, year)
    assert figures == {"units": 1, "received": 2, "completed": 1, "completion_rate": Decimal("50.0")}
    assert list(stats.online_records(w.county, year, "units")) == [w.unit_a]
    assert list(stats.online_records(w.county, year, "completed")) == [first]
    assert stats.online_records(w.county, year, "received").count() == 2
    assert stats.online_figures(w.other_county, year)["received"] == 0
