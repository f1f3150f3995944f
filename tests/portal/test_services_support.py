"""Shared set-up of the public services pages' tests: a county centre with a window, service items
of ``unit_a`` made and published through the real actions, slots, cases, and the form helpers.

(No tests here: the other ``test_services_*`` modules import these functions.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from html import unescape
from typing import Any

from django.test import Client
from django.utils import timezone

from gongkai.orgs.models import OrgKind, Role
from gongkai.services import actions
from gongkai.services.models import ApplicantKind, CaseResult, ItemKind, ServiceItem, ServiceWindow
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
TIMES = [(time(9, 0), time(9, 30)), (time(9, 30), time(10, 0))]


@dataclass
class Services:
    centre: Any
    window: ServiceWindow
    centre_staff: Any  # window staff of the centre (receive cases at its windows)
    unit_staff: Any  # window staff of unit_a (process its online cases)
    item: ServiceItem  # online, bookable, free, issues a certificate
    counter: ServiceItem  # window only, charged, on the spot


def make_item(
    world: Any, window: ServiceWindow | None, *, publish: bool = True, **fields: Any
) -> ServiceItem:
    n = ServiceItem.objects.count() + 1
    values: dict[str, Any] = {
        "code": f"SX{n:04d}",
        "name": f"事项{n}",
        "kind": ItemKind.LICENSING,
        "legal_basis": "《中华人民共和国行政许可法》第二十九条",
        "conditions": "申请人具有完全民事行为能力。",
        "materials": "身份证复印件\n申请表",
        "process": "申请\n受理\n审查\n决定",
        "statutory_limit_days": 20,
        "promised_limit_days": 5,
        "window": window,
        "location": "县政务服务中心一楼",
    }
    values.update(fields)
    item = actions.save_item(actor=world.clerk_a, organisation=world.unit_a, **values)
    if publish:
        item = actions.set_item_published(actor=world.clerk_a, item=item, published=True)
    return item


def make_services(world: Any) -> Services:
    centre = factories.make_org(
        actor=world.root, parent=world.county, name="攸县政务服务中心", kind=OrgKind.CENTRE
    )
    window = actions.save_window(
        actor=world.county_admin, centre=centre, number="A01", name="财政窗口", units=[world.unit_a]
    )
    centre_staff = factories.make_staff(
        actor=world.root, organisation=centre, role=Role.WINDOW, username="centre_w"
    )
    unit_staff = factories.make_staff(
        actor=world.root, organisation=world.unit_a, role=Role.WINDOW, username="unit_w"
    )
    item = make_item(
        world,
        window,
        name="财政票据领购",
        online=True,
        issues_certificate=True,
        certificate_name="票据领购证",
    )
    counter = make_item(
        world, window, name="会计证明开具", kind=ItemKind.PUBLIC_SERVICE, promised_limit_days=0,
        statutory_limit_days=3, fee_free=False, fee_amount="10.00", fee_unit="件", fee_basis="湘价费〔2010〕1号",
    )  # fmt: skip
    return Services(centre=centre, window=window, centre_staff=centre_staff, unit_staff=unit_staff, item=item,
                    counter=counter)  # fmt: skip


def open_slots(services: Services, *, capacity: int = 2, days: int = 14) -> int:
    first = timezone.localdate() + timedelta(days=1)
    return actions.open_slots(actor=services.centre_staff, window=services.window, first_day=first,
                              last_day=first + timedelta(days=days), times=TIMES, capacity=capacity)  # fmt: skip


def receive(
    services: Services, name: str = "张三", *, kind: str = ApplicantKind.PERSON, item: Any = None
) -> Any:
    case, _code = actions.receive_case(actor=services.centre_staff, item=item or services.item, window=services.window,
                                       applicant_kind=kind, applicant_name=name, id_number="430223199001011234",
                                       phone="13907331001")  # fmt: skip
    return case


def complete(services: Services, case: Any, certificate: str = "PJ-2026-001") -> Any:
    return actions.complete_case(actor=services.centre_staff, case=case, result=CaseResult.APPROVED,
                                 certificate_number=certificate)  # fmt: skip


def apply_online(services: Services, *, user: Any = None, name: str = "李四") -> tuple[Any, str]:
    return actions.submit_case_online(
        actor=user, item=services.item, applicant_kind=ApplicantKind.PERSON, applicant_name=name,
        id_number="430223199001011234", phone="13907331002", user=user,
    )  # fmt: skip


# --- forms -----------------------------------------------------------------------------------------


def page(response: Any) -> str:
    return response.content.decode()


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return unescape(match.group(1))


def solve(html: str) -> str:
    match = re.search(r"\((\d+) ([+−]) (\d+) = \?\)", html)
    assert match, "no check question on the page"
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    return str(a + b if op == "+" else a - b)


def form_data(html: str, fields: dict[str, Any], *, answer: str | None = None) -> dict[str, Any]:
    data = {"submission_key": hidden(html, "submission_key"), **fields}
    if 'name="captcha_token"' in html:
        data["captcha_token"] = hidden(html, "captcha_token")
        data["captcha_answer"] = solve(html) if answer is None else answer
    return {k: v for k, v in data.items() if v is not None}


def english(**kwargs: Any) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
