"""Government services and e-supervision (issue 6), the whole loop in the browser.

A citizen finds an item in the service guide, books an appointment in a free slot and applies
online for the item with a file. The window staff of the implementing unit accept the online
case, ask for a missing material; the citizen looks the case up with its number and tracking
code and uploads it; the staff record an approval step, collect the fee (a wrong amount is
refused and changes nothing) and complete the case with a certificate number, once. The
centre's window staff receive the appointment's case and leave it open; as the test clock
advances, the supervisor sees it go from normal to warning to overdue, issues a yellow card
(an empty reason is refused) and drills down from the unit's on-time rate to the completed case
and from the overdue figure to the open one. Window staff of another centre and a wrong
tracking code see nothing.

The test clock: ``gongkai.workdays.clock.today`` is supervision's "today" (the scan, the figures,
the default period and the levels all call it as ``clocks.today()``); the live server runs in a
thread of this process, so patching the module attribute moves its pages too. The booking
clock (``gongkai.services.actions_catalogue.now``, which refuses slots that have started) and
the portal's offered slots (``gongkai.portal.views_services.offered_slots``, given its ``now``)
read nine this morning, so the test slot at ten today can be booked whatever time it runs.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from gongkai.portal import views_services
from gongkai.services import actions, actions_catalogue
from gongkai.services.models import AppointmentSlot, CaseChannel, CaseStatus, ServiceCase
from gongkai.supervision.models import Card
from gongkai.supervision.scan import scan
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import ClockLevel
from tests import factories
from tests.e2e.helpers import log_in, log_out
from tests.e2e.test_application_flow import PDF, answer_captcha, open_step, submit_step
from tests.services.conftest import Svc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

APPLICANT_NAME = "李四"
ID_NUMBER = "430223199001011234"
MOBILE = "13907330000"
MISSING = "请补交身份证复印件（正反面）。"
CERTIFICATE = "ZS-2026-0001"
RECEIPT = "SF-2026-0001"
CARD_REASON = "办件超过承诺时限未办结。"


@pytest.fixture
def svc(world: Any, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any) -> Svc:
    """The county centre, window A01 serving unit A, its items (``svc.charged``: 10 元 a 件, a
    certificate, online, 7 working days promised), the centre's and unit A's window staff."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def nine_today() -> dt.datetime:
        return timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)

    offered_slots = views_services.offered_slots
    monkeypatch.setattr(actions_catalogue, "now", nine_today)
    monkeypatch.setattr(
        views_services, "offered_slots", lambda item, now=None: offered_slots(item, now or nine_today())
    )
    return Svc(world)


def tonight_slot(svc: Svc, capacity: int = 1) -> AppointmentSlot:
    """Free places (one unless said) at window A01 at ten today, opened through the action on a working day."""
    today = timezone.localdate()
    times = [(dt.time(10, 0), dt.time(10, 30))]
    actions.open_slots(actor=svc.centre_staff, window=svc.window, first_day=today, last_day=today,
                       times=times, capacity=capacity)  # fmt: skip
    slot = AppointmentSlot.objects.filter(window=svc.window, date=today).first()
    if slot is None:  # a rest day: open_slots skips it, but the window still receives today
        slot = AppointmentSlot.objects.create(window=svc.window, date=today, start=times[0][0],
                                              end=times[0][1], capacity=capacity)  # fmt: skip
    return slot


def pdf(name: str) -> dict[str, Any]:
    """A small PDF to upload, as Playwright takes it (name, type and bytes)."""
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def submit(page: Page, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(selector).last.click()


def track(page: Page, base: str, case_number: str, code: str) -> None:
    page.goto(f"{base}/services/track/")
    page.fill("input[name=case_number]", case_number)
    page.fill("input[name=tracking_code]", code)
    submit(page)


def set_today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> dict[str, Any]:
    """Move supervision's clock to ``day`` and run the periodic scan of that day."""
    monkeypatch.setattr(clocks, "today", lambda: day)
    return scan(day)


def alert_row(page: Page, base: str, case_number: str) -> Any:
    page.goto(f"{base}/office/supervision/alerts/")
    return page.locator("main table tbody tr").filter(has_text=case_number)


def unit_figure(page: Page, figure: str, unit_pk: int) -> Any:
    """The link of one figure in one unit's row of the dashboard's per-unit table."""
    return page.locator(f"h2#units + table a[href*='figure={figure}&'][href$='unit={unit_pk}']")


def test_book_apply_process_and_supervise(world, live_server, page, svc, monkeypatch) -> None:
    base = live_server.url
    item = svc.charged
    slot = tonight_slot(svc)

    # 1. A citizen finds the item in the service guide and books the free slot.
    page.goto(f"{base}/services/")
    page.fill("input[name=q]", item.name)
    submit(page, "form[role=search] button[type=submit]")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    with page.expect_navigation():
        page.click(f"main a[href$='/services/items/{item.pk}/']")
    expect(page.locator("main h1")).to_have_text(item.name)
    with page.expect_navigation():
        page.click(f"main a[href$='/services/items/{item.pk}/book/']")
    page.check(f"input[name=slot][value='{slot.pk}']")
    page.fill("input[name=name]", APPLICANT_NAME)
    page.fill("input[name=phone]", MOBILE)
    answer_captcha(page)
    submit(page)
    reference, booking_code = (t.strip() for t in page.locator("main .token").all_inner_texts()[:2])
    slot.refresh_from_db()
    appointment = slot.appointments.get()
    assert (appointment.reference, appointment.name, slot.booked) == (reference, APPLICANT_NAME, 1)
    assert booking_code

    # ... and applies online for the same item, with a scan of the application form.
    form_file = pdf("申请书.pdf")
    page.goto(f"{base}/services/items/{item.pk}/")
    with page.expect_navigation():
        page.click(f"main a[href$='/services/items/{item.pk}/apply/']")
    page.check("input[name=applicant_kind][value=person]")
    page.fill("input[name=applicant_name]", APPLICANT_NAME)
    page.fill("input[name=id_number]", ID_NUMBER)
    page.fill("input[name=phone]", MOBILE)
    page.fill("textarea[name=description]", "补办遗失的资格证书。")
    page.set_input_files("input[name=files]", form_file)
    answer_captcha(page)
    submit(page)
    case_number, code = (t.strip() for t in page.locator("main .token").all_inner_texts()[:2])
    online = ServiceCase.objects.get(case_number=case_number)
    assert (online.status, online.channel, online.item_id) == (
        CaseStatus.SUBMITTED,
        CaseChannel.ONLINE,
        item.pk,
    )
    assert [m.name for m in online.material_files.all()] == ["申请书.pdf"]
    office_page = f"{base}/office/services/cases/{online.pk}/"

    # 2. Unit A's window staff see the online case waiting, accept it and ask for a material.
    page.context.clear_cookies()
    log_in(page, base, svc.unit_window.username, factories.PASSWORD)
    page.goto(f"{base}/office/services/")
    with page.expect_navigation():
        page.locator("#queue-submitted").get_by_role("link", name=case_number).click()
    expect(page).to_have_url(re.compile(rf"/office/services/cases/{online.pk}/$"))
    submit_step(page, "accept")
    online.refresh_from_db()
    assert online.status == CaseStatus.ACCEPTED and online.clock is not None
    open_step(page, "request_materials")
    page.fill("details#step-request_materials textarea[name=missing]", MISSING)
    submit_step(page, "request_materials")
    online.refresh_from_db()
    assert online.status == CaseStatus.CORRECTION
    log_out(page)

    # The citizen looks the case up, sees what is missing and uploads it.
    page.context.clear_cookies()
    track(page, base, case_number, code)
    expect(page).to_have_url(re.compile(rf"/services/track/{case_number}/$"))
    expect(page.locator("main")).to_contain_text(MISSING)
    page.set_input_files("input[name=supply-files]", pdf("身份证复印件.pdf"))
    page.fill("textarea[name=supply-note]", "已补交。")
    submit(page, "form[action$='/materials/'] button[type=submit]")
    online.refresh_from_db()
    assert online.status == CaseStatus.ACCEPTED
    assert sorted(m.name for m in online.material_files.all()) == ["申请书.pdf", "身份证复印件.pdf"]
    expect(page.locator("form[action$='/materials/']")).to_have_count(0)

    # The staff see it back in process, record a step, collect the fee and complete it.
    page.context.clear_cookies()
    log_in(page, base, svc.unit_window.username, factories.PASSWORD)
    page.goto(f"{base}/office/services/")
    with page.expect_navigation():
        page.locator("#queue-accepted").get_by_role("link", name=case_number).click()
    expect(page.locator("main")).to_contain_text("身份证复印件.pdf")
    open_step(page, "add_step")
    page.fill("details#step-add_step input[name=name]", "审核")
    page.check("details#step-add_step input[name=decision][value=agree]")
    page.fill("details#step-add_step textarea[name=opinion]", "材料齐全，同意。")
    submit_step(page, "add_step")
    assert list(online.steps.values_list("name", "decision")) == [("审核", "agree")]

    open_step(page, "collect_fee")
    expect(page.locator("details#step-collect_fee input[name=amount]")).to_have_value("10.00")
    page.fill("details#step-collect_fee input[name=amount]", "15.00")
    page.fill("details#step-collect_fee input[name=receipt]", RECEIPT)
    submit_step(page, "collect_fee")
    expect(page.locator("details#step-collect_fee [role=alert]")).to_contain_text("10.00")
    online.refresh_from_db()
    assert (online.fee_collected_on, online.fee_amount, online.fee_receipt) == (None, None, "")
    page.fill("details#step-collect_fee input[name=amount]", "10.00")
    page.fill("details#step-collect_fee input[name=receipt]", RECEIPT)
    submit_step(page, "collect_fee")
    online.refresh_from_db()
    assert (online.fee_amount, online.fee_receipt) == (Decimal("10.00"), RECEIPT)
    expect(page.locator("details#step-collect_fee")).to_have_count(0)

    open_step(page, "complete")
    page.check("details#step-complete input[name=result][value=approved]")
    page.fill("details#step-complete input[name=certificate_number]", CERTIFICATE)
    submit_step(page, "complete")
    online.refresh_from_db()
    assert (online.status, online.result, online.certificate_number) == ("completed", "approved", CERTIFICATE)
    assert online.on_time is True
    expect(page.locator("main")).to_contain_text(CERTIFICATE)
    # Completing twice: the form is gone, and one sent by hand is refused and changes nothing.
    expect(page.locator("details#step-complete")).to_have_count(0)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"{office_page}complete/",
        form={"csrfmiddlewaretoken": token, "result": "denied", "reason": "再办结一次"},
        headers={"Referer": office_page},
    )
    html = response.text()
    assert response.ok and 'class="message error"' in html and 'details id="step-complete"' not in html
    online.refresh_from_db()
    assert (online.status, online.result, online.certificate_number) == ("completed", "approved", CERTIFICATE)
    log_out(page)

    # 3. The centre's window staff receive the appointment's case and leave it open.
    page.context.clear_cookies()
    log_in(page, base, svc.centre_staff.username, factories.PASSWORD)
    page.goto(f"{base}/office/services/")
    expect(page.locator("#appointments")).to_contain_text(reference)
    with page.expect_navigation():
        page.click(f"#appointments a[href$='?appointment={appointment.pk}']")
    expect(page.locator("select[name=appointment]")).to_have_value(str(appointment.pk))
    expect(page.locator("input[name=applicant_name]")).to_have_value(APPLICANT_NAME)
    page.fill("input[name=id_number]", ID_NUMBER)
    submit(page, "main form button.primary")
    window_number = page.locator("main dd.figure code").first.inner_text().strip()
    assert page.locator("main dd.figure code").nth(1).inner_text().strip()  # the tracking code, once
    open_case = ServiceCase.objects.select_related("clock").get(case_number=window_number)
    assert (open_case.status, open_case.channel, open_case.appointment_id) == (
        CaseStatus.ACCEPTED, CaseChannel.WINDOW, appointment.pk,
    )  # fmt: skip
    log_out(page)

    # The supervisor watches the open case as the test clock advances.
    clock = open_case.clock
    assert clock.warn_date and clock.due_date and clock.warn_date <= clock.due_date
    today = timezone.localdate()
    set_today(monkeypatch, today)
    page.context.clear_cookies()
    log_in(page, base, world.supervisor.username, factories.PASSWORD)
    with page.expect_navigation():
        page.locator("a[href$='/office/supervision/']").first.click()
    with page.expect_navigation():
        unit_figure(page, "received", world.unit_a.pk).click()
    row = page.locator("main table tbody tr").filter(has_text=window_number)
    expect(row.locator(".tag.ok")).to_have_count(1)  # normal
    expect(alert_row(page, base, window_number)).to_have_count(0)

    assert set_today(monkeypatch, clock.warn_date)["warnings"] == 1
    clock.refresh_from_db()
    assert clock.level == ClockLevel.WARNING
    expect(alert_row(page, base, window_number).locator(".tag.warn")).to_have_count(1)

    overdue_day = clock.due_date + dt.timedelta(days=1)
    assert set_today(monkeypatch, overdue_day)["alarms"] == 1
    clock.refresh_from_db()
    assert clock.level == ClockLevel.ALARM
    row = alert_row(page, base, window_number)
    expect(row.locator(".tag.err")).to_have_count(1)

    # A yellow card to the unit from the clock page: an empty reason first.
    with page.expect_navigation():
        row.locator(f"a[href$='/office/supervision/clocks/{clock.pk}/']").click()
    expect(page.locator("main h1 .tag.err")).to_have_count(1)
    card_form = "form[action$='/card/']"
    if page.locator(f"{card_form} input[name=colour]").first.is_hidden():
        page.locator(f"details:has({card_form}) > summary").click()
    page.check(f"{card_form} input[name=colour][value=yellow]")
    submit(page, f"{card_form} button[type=submit]")
    expect(page.locator(f"{card_form} [role=alert]")).to_be_visible()
    assert not Card.objects.exists()
    page.check(f"{card_form} input[name=colour][value=yellow]")
    page.fill(f"{card_form} textarea[name=reason]", CARD_REASON)
    submit(page, f"{card_form} button[type=submit]")
    card = Card.objects.get()
    assert (card.colour, card.organisation_id, card.clock_id, card.reason) == (
        "yellow", world.unit_a.pk, clock.pk, CARD_REASON,
    )  # fmt: skip
    expect(page.locator("main")).to_contain_text(CARD_REASON)

    # From the unit's on-time rate to the completed case, and from the overdue figure to the open one.
    page.goto(f"{base}/office/supervision/")
    on_time = unit_figure(page, "on_time_rate", world.unit_a.pk)
    expect(on_time).to_have_text("100.0%")
    with page.expect_navigation():
        on_time.click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case_number)
    with page.expect_navigation():
        rows.first.get_by_role("link", name=re.compile(case_number)).first.click()
    expect(page).to_have_url(re.compile(rf"/office/services/cases/{online.pk}/$"))
    expect(page.locator("main")).to_contain_text(CERTIFICATE)

    page.goto(f"{base}/office/supervision/")
    overdue = unit_figure(page, "overdue_now", world.unit_a.pk)
    expect(overdue).to_have_text("1")
    with page.expect_navigation():
        overdue.click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(window_number)
    expect(rows.first.locator(".tag.err")).to_have_count(1)
    with page.expect_navigation():
        rows.first.get_by_role("link", name=re.compile(window_number)).first.click()
    expect(page).to_have_url(re.compile(rf"/office/services/cases/{open_case.pk}/$"))
    log_out(page)

    # 4. Window staff of another centre (the township's) cannot open either case.
    page.context.clear_cookies()
    log_in(page, base, world.window.username, factories.PASSWORD)
    for pk in (online.pk, open_case.pk):
        response = page.goto(f"{base}/office/services/cases/{pk}/")
        assert response is not None and response.status in (403, 404)
        expect(page.locator("body")).not_to_contain_text(APPLICANT_NAME)
    page.goto(f"{base}/office/services/cases/")
    expect(page.locator("main")).not_to_contain_text(case_number)
    expect(page.locator("main")).not_to_contain_text(window_number)
    log_out(page)

    # A wrong tracking code shows nothing.
    page.context.clear_cookies()
    track(page, base, case_number, "ABCDEFGHJK")
    expect(page).to_have_url(re.compile(r"/services/track/$"))
    expect(page.locator("main")).not_to_contain_text(CERTIFICATE)
    response = page.goto(f"{base}/services/track/{case_number}/")
    assert response is not None and response.status == 404
    expect(page.locator("main")).not_to_contain_text(CERTIFICATE)
    expect(page.locator("main")).not_to_contain_text(MISSING)
