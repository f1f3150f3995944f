"""A county service centre with a window for the finance bureau (unit_a), its items and staff.

``centre_staff`` is window staff at the county centre; ``unit_window`` is window staff of unit_a
(it processes unit_a's cases, online ones too); ``world.window`` (window staff of the township)
is the usual outsider for cases received at the county centre.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gongkai.audit.models import AuditEvent
from gongkai.orgs.models import OrgKind, Role
from gongkai.services import actions
from gongkai.services.models import ApplicantKind, ItemKind
from gongkai.workdays.calendar import get_calendar
from tests import factories

ITEM = {
    "code": "CZ-001",
    "name": "会计代理记账资格审批",
    "kind": ItemKind.LICENSING,
    "legal_basis": "《中华人民共和国会计法》第三十六条",
    "materials": "申请书\n营业执照复印件",
    "process": "受理\n审核\n批准",
    "statutory_limit_days": 20,
    "promised_limit_days": 7,
}
APPLICANT = {"applicant_kind": ApplicantKind.PERSON, "applicant_name": "李四", "id_number": "430223199001011234",
             "phone": "13907330000", "email": "lisi@example.com"}  # fmt: skip


class Svc:
    def __init__(self, world: Any) -> None:
        w = self.world = world
        self.centre = factories.make_org(
            actor=w.root, parent=w.county, name="攸县政务服务中心", kind=OrgKind.CENTRE
        )
        self.centre_staff = factories.make_staff(actor=w.root, organisation=self.centre, role=Role.WINDOW,
                                                 username="centre_staff")  # fmt: skip
        self.unit_window = factories.make_staff(actor=w.root, organisation=w.unit_a, role=Role.WINDOW,
                                                username="unit_window")  # fmt: skip
        self.window = actions.save_window(actor=w.county_admin, centre=self.centre, number="A01", name="财政窗口",
                                          units=[w.unit_a])  # fmt: skip
        self.township_window = actions.save_window(actor=w.county_admin, centre=w.township, number="1",
                                                   name="综合窗口", units=[w.unit_a])  # fmt: skip
        self.item = self.make_item()
        self.charged = self.make_item(code="CZ-002", name="资格证书补办", fee_free=False, fee_amount=Decimal("10.00"),
                                      fee_unit="件", issues_certificate=True, certificate_name="资格证书",
                                      kind=ItemKind.NON_LICENSING)  # fmt: skip

    def make_item(self, publish: bool = True, **fields: Any) -> Any:
        item = actions.save_item(actor=self.world.clerk_a, organisation=self.world.unit_a, window=self.window,
                                 **{**ITEM, "online": True, **fields})  # fmt: skip
        if publish:
            item = actions.set_item_published(actor=self.world.clerk_a, item=item, published=True)
        return item

    def receive(self, item: Any = None, on: dt.date | None = None, **kw: Any) -> tuple[Any, str]:
        return actions.receive_case(actor=kw.pop("actor", self.centre_staff), item=item or self.item,
                                    window=kw.pop("window", self.window), on=on, **{**APPLICANT, **kw})  # fmt: skip


@pytest.fixture
def svc(world: Any) -> Svc:
    return Svc(world)


def next_workday(after: dt.date | None = None, n: int = 1) -> dt.date:
    cal = get_calendar()
    d = after or timezone.localdate()
    for _ in range(n):
        d += dt.timedelta(days=1)
        while not cal.is_workday(d):
            d += dt.timedelta(days=1)
    return d


def audit_count() -> int:
    return AuditEvent.objects.count()
