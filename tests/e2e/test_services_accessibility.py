"""axe-core (WCAG 2 A/AA) on the pages of government services and e-supervision, in a real browser.

The public service guide, an item's page, the booking and online application forms (fresh and
sent back with errors), the citizen's case page, the window's day and a case page in the back
office, and the supervisor's dashboard, alerts and clock page, each with data on it.

Known problem, reported and not ours to fix: the dashboard's charts (``gongkai/core/charts.py``)
are ``<svg role="img">`` holding a link per bar, which axe-core reports as ``nested-interactive``
(an image has no focusable children for assistive technology). That one finding makes the
supervision test an expected failure until the charts are fixed; any other finding fails it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from gongkai.services import actions
from gongkai.supervision.scan import scan
from gongkai.workdays import clock as clocks
from tests import factories
from tests.e2e.helpers import (
    accessibility_problems,
    axe_violations,
    dangling_references,
    format_violations,
    log_in,
    log_out,
)
from tests.e2e.test_service_flow import pdf, svc, tonight_slot
from tests.services.conftest import APPLICANT, Svc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

__all__ = ["svc"]  # the fixture, shared with the flow test


def visit(page: Page, base: str, path: str, found: dict[str, str], name: str) -> None:
    response = page.goto(base + path)
    assert response is not None and response.status == 200, (name, path)
    check(page, found, name)


def check(page: Page, found: dict[str, str], name: str) -> None:
    if problems := accessibility_problems(page):
        found[name] = problems


def report(found: dict[str, str]) -> str:
    return "\n\n".join(f"== {name}\n{problems}" for name, problems in found.items())


def cases(svc: Svc) -> dict[str, Any]:
    """An appointment, a completed case, an online case waiting for a material, an open case."""
    item = svc.charged
    slot = tonight_slot(svc, capacity=2)
    actions.book_appointment(actor=None, slot=slot, item=item, name="王五", phone="13900000000")
    done, _code = svc.receive(item=item)
    actions.collect_fee(actor=svc.centre_staff, case=done, amount="10.00", receipt="SF-1")
    actions.complete_case(actor=svc.centre_staff, case=done, result="approved", certificate_number="ZS-1")
    online, online_code = actions.submit_case_online(actor=None, item=item, **APPLICANT)
    actions.accept_case(actor=svc.unit_window, case=online)
    actions.request_materials(actor=svc.unit_window, case=online, missing="身份证复印件")
    late, _code = svc.receive()
    return {"item": item, "online": online, "online_code": online_code, "late": late}


def test_service_pages_have_no_wcag_a_aa_violations(axe_page: Page, live_server: Any, svc: Svc) -> None:
    page, base = axe_page, live_server.url
    data = cases(svc)
    item, online = data["item"], data["online"]
    found: dict[str, str] = {}

    # The public pages.
    visit(page, base, "/services/", found, "service guide")
    visit(page, base, f"/services/?q={item.name}", found, "service guide, searched")
    visit(page, base, f"/services/items/{item.pk}/", found, "item page")
    visit(page, base, f"/services/items/{item.pk}/book/", found, "booking form")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    check(page, found, "booking form with errors")
    visit(page, base, f"/services/items/{item.pk}/apply/", found, "online application form")
    page.set_input_files("input[name=files]", pdf("申请书.pdf"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    check(page, found, "online application form with errors")
    page.goto(f"{base}/services/track/")
    page.fill("input[name=case_number]", online.case_number)
    page.fill("input[name=tracking_code]", data["online_code"])
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check(page, found, "citizen's case page, materials missing")

    # The window's day and a case page.
    page.context.clear_cookies()
    log_in(page, base, svc.centre_staff.username, factories.PASSWORD)
    visit(page, base, "/office/services/", found, "office today page")
    visit(page, base, f"/office/services/cases/{data['late'].pk}/", found, "office case page")
    log_out(page)
    log_in(page, base, svc.unit_window.username, factories.PASSWORD)
    visit(page, base, f"/office/services/cases/{online.pk}/", found, "office case page, online")
    assert not found, report(found)


def test_supervision_pages_have_no_wcag_a_aa_violations(
    axe_page: Page, live_server: Any, world: Any, svc: Svc, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, base = axe_page, live_server.url
    late = cases(svc)["late"]
    overdue_day = late.clock.due_date + timezone.timedelta(days=1)
    monkeypatch.setattr(clocks, "today", lambda: overdue_day)
    scan(overdue_day)
    log_in(page, base, world.supervisor.username, factories.PASSWORD)
    found: dict[str, str] = {}
    for name, path in [
        ("supervision dashboard", "/office/supervision/"),
        ("supervision alerts", "/office/supervision/alerts/"),
        ("supervision drill-down", f"/office/supervision/cases/?figure=overdue_now&unit={world.unit_a.pk}"),
        ("supervision clock page", f"/office/supervision/clocks/{late.clock_id}/"),
    ]:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (name, path)
        violations = axe_violations(page)
        parts = [format_violations(violations)]
        parts += [f"- dangling reference: {d}" for d in dangling_references(page)]
        if problems := "\n".join(p for p in parts if p):
            found[name] = problems
    assert not found, report(found)
