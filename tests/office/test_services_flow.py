"""The window's work through the pages: receive (from an appointment), every step, the result."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongkai.services import actions
from gongkai.services.models import Appointment, AppointmentStatus, CaseChannel, CaseStatus, ServiceCase
from tests.office import test_services_support as support
from tests.office.test_services_support import APPLICANT, BASE, step

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

svc, received, online, slot = support.svc, support.received, support.online, support.slot


def test_receive_from_an_appointment_shows_the_code_once(world, as_, svc, slot):
    appointment, _code = actions.book_appointment(actor=None, slot=slot, item=svc.item, name="王五",
                                                  phone="13900000000")  # fmt: skip
    client = as_(svc.centre_staff)
    today = client.get(f"{BASE}/").content.decode()
    assert appointment.reference in today and f"?appointment={appointment.pk}" in today
    form = client.get(f"{BASE}/cases/new/?appointment={appointment.pk}").content.decode()
    assert "王五" in form and f'value="{appointment.pk}" selected' in form
    data = {"window": svc.window.pk, "item": svc.item.pk, "appointment": appointment.pk, "applicant_kind": "person",
            "applicant_name": "王五", "phone": "13900000000", "id_number": APPLICANT["id_number"],
            "agency": "on", "agent": svc.centre_staff.pk}  # fmt: skip
    response = client.post(f"{BASE}/cases/new/", data)
    case = ServiceCase.objects.get()
    assert response.status_code == 302 and response.url == f"{BASE}/cases/{case.pk}/received/"
    assert (
        case.status == CaseStatus.ACCEPTED
        and case.channel == CaseChannel.WINDOW
        and case.agent == svc.centre_staff
    )
    assert Appointment.objects.get().status == AppointmentStatus.ATTENDED
    page = client.get(response.url).content.decode()
    assert case.case_number in page and "Tracking code" in page
    again = client.get(response.url)
    assert again.status_code == 302 and again.url == f"{BASE}/cases/{case.pk}/"


def test_a_case_from_receipt_to_approval(world, as_, svc, received):
    client = as_(svc.centre_staff)
    page = client.get(f"{BASE}/cases/{received.pk}/").content.decode()
    # The clock's explanation and the fee prefilled from the standard.
    assert "How the due date was computed" in page and 'value="10.00"' in page
    assert "Number of the 资格证书" in page
    for name in (
        "request_materials",
        "collect_fee",
        "complete",
        "add_step",
        "reject",
        "set_agent",
        "withdraw",
    ):
        assert f'id="step-{name}"' in page, name
    assert 'id="step-accept"' not in page and 'id="step-supply_materials"' not in page
    assert step(client, received, "request_materials", {"missing": "营业执照复印件"}).status_code == 302
    received.refresh_from_db()
    assert received.status == CaseStatus.CORRECTION
    page = client.get(f"{BASE}/cases/{received.pk}/").content.decode()
    assert 'id="step-supply_materials"' in page and "clock stopped" in page
    upload = SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")
    assert (
        step(client, received, "supply_materials", {"note": "已当场补交", "files": [upload]}).status_code
        == 302
    )
    material = received.material_files.get()
    page = client.get(f"{BASE}/cases/{received.pk}/").content.decode()
    download = f"{BASE}/cases/{received.pk}/materials/{material.pk}/"
    assert download in page and "营业执照.pdf" in page
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert as_("window").get(download).status_code == 404
    client = as_(svc.centre_staff)
    assert (
        step(
            client, received, "add_step", {"name": "审核", "decision": "agree", "opinion": "同意"}
        ).status_code
        == 302
    )
    response = step(
        client, received, "collect_fee", {"quantity": "2", "amount": "20.00", "receipt": "SF-0001"}
    )
    assert response.status_code == 302
    response = step(client, received, "complete", {"result": "approved", "certificate_number": "ZS-2026-1"})
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == CaseStatus.COMPLETED and received.fee_amount == Decimal("20.00")
    assert received.certificate_number == "ZS-2026-1" and received.on_time is True
    page = client.get(f"{BASE}/cases/{received.pk}/").content.decode()
    assert "ZS-2026-1" in page and "SF-0001" in page and "审核" in page and 'id="step-' not in page
    # The history tab lists every step.
    history = re.search(r'href="(/office/history/[^"]+)"', page).group(1)
    events = client.get(history).content.decode()
    for verb in (
        "services.receive_case",
        "services.request_materials",
        "services.collect_fee",
        "services.complete_case",
    ):
        assert verb in events, verb


def test_an_online_case_is_accepted_or_refused(world, as_, svc, online):
    client = as_(svc.unit_window)
    today = client.get(f"{BASE}/").content.decode()
    assert online.case_number in today
    assert step(client, online, "accept").status_code == 302
    online.refresh_from_db()
    assert online.status == CaseStatus.ACCEPTED and online.clock is not None
    second, _code = actions.submit_case_online(actor=None, item=svc.item, **APPLICANT)
    assert step(client, second, "reject", {"reason": "不属于本单位职权范围"}).status_code == 302
    second.refresh_from_db()
    assert second.status == CaseStatus.REJECTED and second.rejection_reason == "不属于本单位职权范围"


def test_denial_agent_and_withdrawal(world, as_, svc):
    client = as_(svc.centre_staff)
    case, _code = svc.receive()
    # The item issues no certificate: nothing to number.
    assert 'name="certificate_number"' not in client.get(f"{BASE}/cases/{case.pk}/").content.decode()
    assert step(client, case, "complete", {"result": "denied", "reason": "不符合条件"}).status_code == 302
    case.refresh_from_db()
    assert case.result == "denied" and case.result_reason == "不符合条件"
    other, _code = svc.receive()
    assert step(client, other, "set_agent", {"agent": svc.centre_staff.pk}).status_code == 302
    other.refresh_from_db()
    assert other.agency and other.agent == svc.centre_staff
    assert step(client, other, "withdraw", {"reason": "申请人撤回"}).status_code == 302
    other.refresh_from_db()
    assert other.status == CaseStatus.WITHDRAWN


def test_the_list_filters(world, as_, svc, received, online):
    client = as_("county_admin")

    def found(query: str) -> set[str]:
        page = client.get(f"{BASE}/cases/?{query}").content.decode()
        return {c.case_number for c in (received, online) if c.case_number in page}

    both = {received.case_number, online.case_number}
    assert found("") == both
    assert found("status=submitted") == {online.case_number}
    assert found(f"item={svc.charged.pk}") == {received.case_number}
    assert found("channel=online") == {online.case_number}
    assert found(f"organisation={world.unit_a.pk}") == both
    assert found(f"q={received.case_number}") == {received.case_number}
    assert found(f"date_from={timezone.localdate().isoformat()}") == both
    assert found("date_to=2000-01-01") == set()
    assert found("overdue=on") == set()
    # A bad filter value is ignored, not a 500.
    assert found("date_from=yesterday") == both


def test_the_day_page_counts_each_queue(world, as_, svc, online):
    today = timezone.localdate()
    svc.receive()
    waiting, _code = svc.receive()
    actions.request_materials(actor=svc.centre_staff, case=waiting, missing="身份证复印件")
    late, _code = svc.receive(on=today - timedelta(days=30))
    page = as_(svc.unit_window).get(f"{BASE}/").content.decode()
    nav = re.search(r'<nav aria-label="Queues".*?</nav>', page, re.S).group(0)
    tabs = dict(re.findall(r">([^<>]+?) <span class=\"tag[^\"]*\">(\d+)</span>", nav))
    assert tabs == {"Appointments still to come": "0", "Waiting for acceptance": "1", "In process": "2",
                    "Waiting for materials": "1", "Overdue": "1"}  # fmt: skip
    assert late.case_number in page and "working days overdue" in page and 'class="tag err"' in page
    assert "clock stopped" in page
    # The township's window staff have none of these.
    page = as_("window").get(f"{BASE}/").content.decode()
    assert online.case_number not in page and late.case_number not in page


def test_unit_window_staff_receive_only_their_units_services(world, as_, svc):
    other = actions.save_item(actor=world.clerk_b, organisation=world.unit_b, window=svc.window,
                              **{**support.ITEM, "code": "JY-1", "name": "教师资格认定"})  # fmt: skip
    client = as_(svc.unit_window)
    page = client.get(f"{BASE}/cases/new/").content.decode()
    assert "财政窗口" in page and svc.item.name in page and "教师资格认定" not in page
    assert "教师资格认定" in as_(svc.centre_staff).get(f"{BASE}/cases/new/").content.decode()
    client = as_(svc.unit_window)
    data = {
        "window": svc.window.pk,
        "item": svc.item.pk,
        "applicant_kind": "person",
        "applicant_name": "李四",
    }
    assert client.post(f"{BASE}/cases/new/", data).status_code == 302
    response = client.post(f"{BASE}/cases/new/", {**data, "item": other.pk})
    assert response.status_code == 200 and ServiceCase.objects.count() == 1


def test_amber_once_the_warning_share_is_used(world, as_, svc):
    from gongkai.workdays.calendar import get_calendar

    cal, today = get_calendar(), timezone.localdate()
    day = today
    while cal.workdays_between(day, today) < 16:  # 16 of 20 used: the default 80% warning share, 4 left
        day -= timedelta(days=1)
    item = svc.make_item(code="CZ-020", name="二十日事项", promised_limit_days=20)
    case, _code = svc.receive(item=item, on=day)
    page = as_(svc.centre_staff).get(f"{BASE}/cases/{case.pk}/").content.decode()
    assert re.search(r"<span class=\"tag warn\">4 working days left", page)
    fresh, _code = svc.receive(item=item)
    page = as_(svc.centre_staff).get(f"{BASE}/cases/{fresh.pk}/").content.decode()
    assert re.search(r"<span class=\"tag ok\">20 working days left", page)
