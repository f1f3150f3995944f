"""The demo county's records for the annual report, as the seed's parts 二、五、六 report 2013.

- Three public reading rooms (政务服务中心, 档案馆, 图书馆) whose visit registers hold the
  working days of 2013, 1,789 visitors in all;
- staff: the county government (its office, 县政府办) 2 full-time, every department, the centre and
  every township 1 part-time;
- spending in 2013: the county government 300,000 元, the departments with the service centre
  690,000 元 and the townships 210,000 元, each share spread over its units to the yuan;
- no review, litigation or complaint case in 2013.

For the current year, a few review and litigation cases (pending, maintained, corrected, a
lawsuit after review) and decision counts (行政处罚, 行政强制) of some units. Everything goes
through the records actions.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongkai.orgs.models import Organisation, OrgKind
from gongkai.records import actions
from gongkai.records.models import DisputeKind, DisputeResult
from gongkai.workdays.calendar import get_calendar

YEAR = 2013
# Visitors per reading room in 2013 (the seed gives the total: 1,789 人次).
ROOMS = [
    ("政务中心", "攸县政务服务中心政府信息公开查阅场所", "攸县东城新区政务服务中心一楼", "工作日 8:30–17:30", 921),
    ("档案局", "攸县档案馆政府信息公开查阅场所", "攸县文化路县档案馆二楼", "工作日 8:00–12:00，14:30–17:30", 512),
    ("文体广电局", "攸县图书馆政府信息公开查阅场所", "攸县图书馆一楼阅览室", "周二至周日 9:00–17:00", 356),
]  # fmt: skip
VISITS_TOTAL = 1_789
FULL_TIME_GOV_OFFICE = 2
SPENDING_COUNTY = Decimal("300000")
SPENDING_DEPARTMENTS = Decimal("690000")  # departments and the service centre together
SPENDING_TOWNSHIPS = Decimal("210000")
PURPOSE = "宣传培训、网站建设、设备配备"
# Current year: units that keep penalty and enforcement decisions in other systems.
DECISIONS = {
    "公安局": (1236, 58),
    "环保局": (87, 12),
    "工商局": (143, 0),
    "食药监局": (65, 9),
    "安监局": (40, 3),
}


def working_days(year: int) -> list[date]:
    cal = get_calendar()
    day, days = date(year, 1, 1), []
    while day.year == year:
        if cal.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def spread(total: int, n: int) -> list[int]:
    """``total`` split into ``n`` whole shares that differ by at most one and sum exactly."""
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def _units_of(county: Organisation, *kinds: str) -> list[Organisation]:
    return list(
        Organisation.objects.filter(path__startswith=county.path, kind__in=kinds, is_active=True)
        .exclude(pk=county.pk)
        .order_by("path", "id")
    )


def load_2013(*, units: dict, county: Organisation, admin: Any) -> dict[str, Any]:
    """The seed's reading rooms and visits, staff and spending of 2013."""
    days = working_days(YEAR)
    visits = 0
    for key, name, address, hours, total in ROOMS:
        room = actions.save_reading_room(actor=admin, organisation=units[key], name=name, address=address,
                                         opening_hours=hours, phone="0731-24712345")  # fmt: skip
        # Every working day gets its share; a busier day every few days takes the remainder.
        per_day = spread(total, len(days))
        order = sorted(range(len(days)), key=lambda i: (i * 7919) % len(days))
        shares = [0] * len(days)
        for i, n in zip(order, per_day, strict=True):
            shares[i] = n
        for day, n in zip(days, shares, strict=True):
            if n:
                actions.record_visit(actor=admin, room=room, day=day, visitors=n, purpose="查阅政府信息")
                visits += n

    departments = _units_of(county, OrgKind.DEPARTMENT, OrgKind.CENTRE)
    townships = _units_of(county, OrgKind.TOWNSHIP)
    # The government office's full-time staff are the government's own figure (the report reads the
    # full-time staff from the government and averages the part-time staff over the units below it).
    actions.set_staff_figure(actor=admin, organisation=county, year=YEAR, full_time=FULL_TIME_GOV_OFFICE,
                             part_time=0, note="县政府办")  # fmt: skip
    for org in [*departments, *townships]:
        actions.set_staff_figure(actor=admin, organisation=org, year=YEAR, full_time=0, part_time=1)

    spent = actions.set_spending(actor=admin, organisation=county, year=YEAR, amount=SPENDING_COUNTY,
                                 purpose=PURPOSE).amount  # fmt: skip
    for group, total in ((departments, SPENDING_DEPARTMENTS), (townships, SPENDING_TOWNSHIPS)):
        for org, amount in zip(group, spread(int(total), len(group)), strict=True):
            spent += actions.set_spending(actor=admin, organisation=org, year=YEAR, amount=amount,
                                          purpose=PURPOSE).amount  # fmt: skip
    return {"visits": visits, "staff_units": len(departments) + len(townships), "spending": spent}


def load_current(*, units: dict, county: Organisation, admin: Any, reviewer: Any) -> dict[str, Any]:
    """A few review and litigation cases and decision counts of the current year."""
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    span = (today - start).days

    def on(share: float) -> date:
        return start + timedelta(days=int(span * share))

    def case(unit: str, kind: str, reference: str, subject: str, body: str, filed: float, **more: Any) -> Any:
        return actions.save_dispute(actor=reviewer, organisation=units[unit], kind=kind, reference=reference,
                                    subject=subject, body=body, filed_on=on(filed), **more)  # fmt: skip

    y = today.year
    maintained = case("国土局", DisputeKind.REVIEW, f"攸政复字〔{y}〕2号", "对征地补偿方案信息不予公开答复不服",
                      "攸县人民政府", 0.10)  # fmt: skip
    maintained = actions.conclude_dispute(
        actor=reviewer, case=maintained, result=DisputeResult.MAINTAINED, concluded_on=on(0.25)
    )
    corrected = case("住建局", DisputeKind.REVIEW, f"攸政复字〔{y}〕5号", "申请公开棚户区改造项目批复逾期未答复",
                     "攸县人民政府", 0.30)  # fmt: skip
    actions.conclude_dispute(
        actor=reviewer, case=corrected, result=DisputeResult.CORRECTED, concluded_on=on(0.45)
    )
    case(
        "财政局",
        DisputeKind.REVIEW,
        f"攸政复字〔{y}〕9号",
        "对部门预算信息部分公开答复不服",
        "攸县人民政府",
        0.80,
    )
    suit = case("国土局", DisputeKind.LITIGATION_AFTER_REVIEW, f"（{y}）湘0223行初12号",
                "不服复议维持决定，诉请公开征地补偿方案", "攸县人民法院", 0.40, review_case=maintained)  # fmt: skip

    counts = 0
    for unit, (penalty, enforcement) in DECISIONS.items():
        actions.set_decision_count(
            actor=admin, organisation=units[unit], year=y, kind="penalty", count=penalty
        )
        actions.set_decision_count(actor=admin, organisation=units[unit], year=y, kind="enforcement",
                                   count=enforcement)  # fmt: skip
        counts += 2
    return {"disputes": 4, "lawsuit": suit, "decision_counts": counts}


def load(
    *, units: dict, county: Organisation, admin: Any, reviewer: Any, report: Any = None
) -> dict[str, Any]:
    """The demo's records: the seed's 2013, then the current year."""
    with transaction.atomic():  # one commit for the whole register, not one per visit
        result = load_2013(units=units, county=county, admin=admin)
        result.update(load_current(units=units, county=county, admin=admin, reviewer=reviewer))
    if report is not None:
        report("records", 1, 1)  # the progress hook takes (stage, done, total)
    return result
