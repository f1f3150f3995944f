"""The bulk path of cases stores what the actions store, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.audit.models import AuditEvent
from gongkai.disclosure.bulk import ImportRejected
from gongkai.services import actions
from gongkai.services.bulk import CaseRow, import_cases
from gongkai.services.models import CaseChannel, CaseSerial, CaseStatus, ServiceCase
from tests.services.conftest import APPLICANT

CASE_FIELDS = ["status", "channel", "received_on", "accepted_on", "completed_on", "on_time", "result", "result_reason",
               "certificate_number", "fee_amount", "fee_quantity", "fee_collected_on", "organisation_id", "centre_id",
               "window_id", "rejection_reason", "item_id"]  # fmt: skip
CLOCK_FIELDS = ["kind", "organisation_id", "start_date", "original_start_date", "limit_days", "status", "due_date",
                "provisional", "closed_on", "on_time", "warn_date", "level", "used_days", "content_type_id"]  # fmt: skip

# Around the 2025 National Day holidays (10/1–10/8 off, 9/28 and 10/11 make-up days): a 7-day
# promise from Friday 9/26 is due on 10/13.
RECEIVED, PAID, ON_TIME, LATE = (
    dt.date(2025, 9, 26),
    dt.date(2025, 9, 30),
    dt.date(2025, 10, 13),
    dt.date(2025, 10, 14),
)


def _facts(case: ServiceCase) -> tuple[dict, dict | None]:
    case = ServiceCase.objects.select_related("clock").get(pk=case.pk)
    facts = {f: getattr(case, f) for f in CASE_FIELDS}
    clock = {f: getattr(case.clock, f) for f in CLOCK_FIELDS} if case.clock_id else None
    return facts, clock


def _by_actions(svc: Any) -> list[ServiceCase]:
    staff = svc.centre_staff
    paid, _code = svc.receive(item=svc.charged, on=RECEIVED)
    actions.collect_fee(
        actor=staff, case=paid, amount=Decimal("20.00"), quantity=Decimal(2), receipt="A-1", on=PAID
    )
    actions.complete_case(actor=staff, case=paid, result="approved", certificate_number="ZS-1", on=ON_TIME)
    late, _code = svc.receive(on=RECEIVED)
    actions.complete_case(actor=staff, case=late, result="denied", reason="材料不实", on=LATE)
    still_open, _code = svc.receive(on=RECEIVED)
    refused, _code = svc.receive(on=RECEIVED)
    actions.reject_case(actor=staff, case=refused, reason="不属于受理范围", on=RECEIVED)
    township, _code = svc.receive(window=svc.township_window, on=RECEIVED, actor=svc.world.window)
    actions.complete_case(actor=svc.world.window, case=township, result="approved", on=PAID)
    return [paid, late, still_open, refused, township]


def _rows(svc: Any) -> list[CaseRow]:
    name = APPLICANT["applicant_name"]
    common = {
        "channel": CaseChannel.WINDOW,
        "window": svc.window,
        "received_on": RECEIVED,
        "applicant_name": name,
    }
    return [
        CaseRow(row=2, item=svc.charged, **common, completed_on=ON_TIME, result="approved", certificate_number="ZS-1",
                fee_quantity=Decimal(2), fee_amount=Decimal("20.00"), fee_receipt="B-1", fee_collected_on=PAID),
        CaseRow(row=3, item=svc.item, **common, completed_on=LATE, result="denied", result_reason="材料不实"),
        CaseRow(row=4, item=svc.item, **common),
        CaseRow(row=5, item=svc.item, **common, accepted=False, rejection_reason="不属于受理范围"),
        CaseRow(row=6, item=svc.item, **{**common, "channel": CaseChannel.TOWNSHIP, "window": svc.township_window},
                completed_on=PAID, result="approved"),
    ]  # fmt: skip


def test_a_case_imported_in_bulk_equals_the_same_case_made_by_the_actions(
    svc: Any, calendar_2025: Any
) -> None:
    made = _by_actions(svc)
    result = import_cases(actor=None, rows=_rows(svc))
    assert result.created == 5
    for by_action, by_bulk in zip(made, sorted(result.cases, key=lambda c: c.pk), strict=True):
        facts_a, clock_a = _facts(by_action)
        facts_b, clock_b = _facts(by_bulk)
        assert facts_a == facts_b, by_action.case_number
        assert clock_a == clock_b, by_action.case_number
    paid = _facts(result.cases[0])
    assert paid[1]["due_date"] == ON_TIME and paid[0]["on_time"] is True and paid[1]["used_days"] == 7
    assert _facts(result.cases[1])[0]["on_time"] is False
    assert result.cases[0].clock.object_id == str(result.cases[0].pk)


@pytest.fixture
def calendar_2025(db: Any, monkeypatch: Any) -> None:
    """The official 2025 schedule, as the API tests load it (unless the database has it already)."""
    from gongkai.workdays import calendar as wcal
    from gongkai.workdays.models import CalendarYear

    monkeypatch.setattr(wcal, "_cached", None)
    if not CalendarYear.objects.filter(year=2025).exists():
        entries = sorted(wcal.package_schedule()[2025], key=lambda e: e.day)
        wcal.load_year(actor=None, year=2025, entries=entries, notice="国办发明电〔2024〕12号")
    monkeypatch.setattr(wcal, "_cached", None)


def test_numbers_are_reserved_in_a_block_after_the_actions_numbers(svc: Any) -> None:
    first, _code = svc.receive(on=dt.date(2013, 3, 1))  # the action takes serial 1 of the year of receipt
    rows = [CaseRow(row=n, item=svc.item, channel=CaseChannel.WINDOW, window=svc.window,
                    received_on=dt.date(2013, 3, n), applicant_name="王五") for n in range(4, 9)]  # fmt: skip
    result = import_cases(actor=None, rows=rows)
    numbers = sorted(c.case_number for c in result.cases)
    prefix = svc.centre.code[-6:].upper()
    assert first.case_number == f"{prefix}-2013-000001"
    assert numbers == [f"{prefix}-2013-{n:06d}" for n in range(2, 7)]
    assert CaseSerial.objects.get(organisation=svc.centre, year=2013).last == 6
    again = import_cases(actor=None, rows=rows[:2])
    assert sorted(c.case_number for c in again.cases)[0].endswith("-2013-000007")
    after, _code = svc.receive(on=dt.date(2013, 3, 1))
    assert after.case_number == f"{prefix}-2013-000009"


def test_one_audit_event_per_case_and_a_constant_number_of_queries(svc: Any) -> None:
    def rows(n: int) -> list[CaseRow]:
        return [CaseRow(row=i, item=svc.item, channel=CaseChannel.WINDOW, window=svc.window,
                        received_on=dt.date(2013, 4, 1) + dt.timedelta(days=i % 20), applicant_name=f"申请人{i}",
                        completed_on=dt.date(2013, 5, 2), result="approved") for i in range(n)]  # fmt: skip

    small, large = rows(3), rows(60)
    import_cases(actor=None, rows=small)
    with CaptureQueriesContext(connection) as few:
        import_cases(actor=None, rows=small)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as many:
        import_cases(actor=None, rows=large)

    # The same statements whatever the number of rows (SQLite splits a long INSERT by its variable limit).
    def statements(ctx: Any) -> int:
        return sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT"))

    assert statements(many) == statements(few)
    events = AuditEvent.objects.filter(seq__gt=0).order_by("-seq")[:60]
    assert AuditEvent.objects.count() - before == 60
    assert {e.verb for e in events} == {"services.import_case"}


def test_bad_rows_change_nothing(svc: Any) -> None:
    ok = CaseRow(row=2, item=svc.item, channel=CaseChannel.WINDOW, window=svc.window, received_on=dt.date(2013, 3, 4),
                 applicant_name="王五", completed_on=dt.date(2013, 3, 5), result="approved")  # fmt: skip
    bad = [
        CaseRow(row=3, item=svc.charged, channel=CaseChannel.WINDOW, window=svc.window,
                received_on=dt.date(2013, 3, 4), applicant_name="王五", completed_on=dt.date(2013, 3, 5),
                result="approved", certificate_number="Z", fee_amount=Decimal("9.99"), fee_receipt="R1"),
        CaseRow(row=4, item=svc.item, channel=CaseChannel.WINDOW, window=svc.township_window,
                received_on=dt.date(2013, 3, 4), applicant_name="王五"),
        CaseRow(row=5, item=svc.charged, channel=CaseChannel.WINDOW, window=svc.window,
                received_on=dt.date(2013, 3, 4), applicant_name="王五", completed_on=dt.date(2013, 3, 5),
                result="approved"),
        CaseRow(row=6, item=svc.item, channel=CaseChannel.WINDOW, window=svc.window,
                received_on=dt.date(2013, 3, 4), applicant_name="王五", completed_on=dt.date(2013, 3, 5),
                result="denied"),
    ]  # fmt: skip
    before = (ServiceCase.objects.count(), AuditEvent.objects.count(), CaseSerial.objects.count())
    with pytest.raises(ImportRejected) as exc:
        import_cases(actor=None, rows=[ok, *bad])
    assert {(e.row, e.column) for e in exc.value.errors} == {
        (3, "收费金额"), (4, "办理渠道"), (5, "证件编号"), (5, "收费金额"), (6, "不予批准理由"),
    }  # fmt: skip
    assert (ServiceCase.objects.count(), AuditEvent.objects.count(), CaseSerial.objects.count()) == before


def test_outsiders_cannot_import_and_the_centres_staff_can(svc: Any) -> None:
    row = CaseRow(row=2, item=svc.item, channel=CaseChannel.WINDOW, window=svc.window, received_on=dt.date(2013, 3, 4),
                  applicant_name="王五")  # fmt: skip
    for outsider in (svc.world.window, svc.world.clerk_b, svc.world.supervisor):
        with pytest.raises(ImportRejected):
            import_cases(actor=outsider, rows=[row])
    assert not ServiceCase.objects.exists()
    result = import_cases(actor=svc.centre_staff, rows=[row])
    assert result.cases[0].status == CaseStatus.ACCEPTED
    assert AuditEvent.objects.filter(verb="services.import_case").get().actor == svc.centre_staff
