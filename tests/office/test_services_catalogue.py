"""The catalogue pages: service items, windows, appointment slots and the day's appointments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gongkai.audit.models import AuditEvent
from gongkai.services import actions
from gongkai.services.models import AppointmentSlot, ItemKind, ServiceItem, ServiceWindow
from gongkai.workdays.calendar import get_calendar
from tests.office import test_services_support as support
from tests.office.test_services_support import BASE, ITEM, next_workday

svc, slot = support.svc, support.slot


def test_a_unit_creates_edits_and_publishes_an_item(world, as_, svc):
    client = as_("clerk_a")
    data = {**ITEM, "organisation": world.unit_a.pk, "code": "CZ-100", "name": "非营利组织免税资格认定",
            "kind": ItemKind.NON_LICENSING, "statutory_limit_days": "20", "promised_limit_days": "0",
            "fee_amount": "5.50", "fee_unit": "件", "fee_basis": "湘价费〔2010〕1号", "window": svc.window.pk,
            "location": "一楼A01", "online": "on", "issues_certificate": "on", "certificate_name": "认定书",
            "is_active": "on"}  # fmt: skip
    response = client.post(f"{BASE}/items/new/", data)
    item = ServiceItem.objects.get(code="CZ-100")
    assert response.status_code == 302 and response.url == f"{BASE}/items/{item.pk}/"
    assert (
        item.fee_amount == Decimal("5.50")
        and not item.fee_free
        and item.on_the_spot
        and item.window == svc.window
    )
    assert (
        item.online and item.issues_certificate and item.certificate_name == "认定书" and not item.published
    )
    page = client.get(response.url).content.decode()
    assert 'value="CZ-100"' in page and "湘价费〔2010〕1号" in page and "Publish in the service guide" in page
    response = client.post(response.url, {**data, "name": "非营利组织免税资格认定（变更）", "promised_limit_days": "5",
                                          "fee_free": "on"})  # fmt: skip
    item.refresh_from_db()
    assert (
        item.name.endswith("（变更）")
        and item.promised_limit_days == 5
        and item.fee_free
        and item.fee_amount is None
    )
    assert client.post(f"{BASE}/items/{item.pk}/publish/", {"published": "1"}).status_code == 302
    assert ServiceItem.objects.get(pk=item.pk).published
    listing = client.get(f"{BASE}/items/?published=yes").content.decode()
    assert "CZ-100" in listing and "Unpublish" in listing
    assert (
        client.post(f"{BASE}/items/{item.pk}/publish/", {"published": "0", "next": "list"}).url
        == f"{BASE}/items/"
    )
    assert not ServiceItem.objects.get(pk=item.pk).published
    assert AuditEvent.objects.filter(verb="services.set_item_published", object_id=str(item.pk)).count() == 2
    # An inactive item cannot be published: the message says why.
    client.post(f"{BASE}/items/{item.pk}/", {**data, "is_active": "", "fee_free": "on"})
    page = client.post(f"{BASE}/items/{item.pk}/publish/", {"published": "1"}, follow=True).content.decode()
    assert (
        "An inactive item cannot be published." in page and not ServiceItem.objects.get(pk=item.pk).published
    )


def test_the_item_filters(world, as_, svc):
    client = as_("county_admin")

    def found(query: str) -> set[str]:
        page = client.get(f"{BASE}/items/?{query}").content.decode()
        return {i.code for i in (svc.item, svc.charged) if f"<code>{i.code}</code>" in page}

    both = {svc.item.code, svc.charged.code}
    assert found("") == both
    assert found("q=补办") == {svc.charged.code}
    assert found(f"kind={ItemKind.LICENSING}") == {svc.item.code}
    assert found(f"organisation={world.unit_a.pk}") == both
    assert found("published=no") == set()
    assert found("online=yes") == both


def test_an_administrator_sets_up_windows(world, as_, svc):
    client = as_("county_admin")
    page = client.get(f"{BASE}/windows/").content.decode()
    assert "财政窗口" in page and "综合窗口" in page and "New window" in page
    response = client.post(f"{BASE}/windows/", {"centre": svc.centre.pk, "number": "B02", "name": "教育窗口",
                                                 "units": [world.unit_b.pk], "is_active": "on"})  # fmt: skip
    assert response.status_code == 302
    window = ServiceWindow.objects.get(number="B02")
    assert list(window.units.all()) == [world.unit_b] and window.is_active
    response = client.post(f"{BASE}/windows/{window.pk}/", {"centre": svc.centre.pk, "number": "B02",
                                                              "name": "教育窗口", "units": [world.unit_a.pk, world.unit_b.pk]})  # fmt: skip
    window.refresh_from_db()
    assert response.status_code == 302 and not window.is_active and window.units.count() == 2
    # Window staff see the windows but set none up.
    page = as_(svc.centre_staff).get(f"{BASE}/windows/").content.decode()
    assert "财政窗口" in page and "New window" not in page and "Open slots" in page


def test_opening_slots_and_the_days_appointments(world, as_, svc):
    client = as_(svc.centre_staff)
    first = next_workday()
    last = first + dt.timedelta(days=6)
    response = client.post(f"{BASE}/windows/{svc.window.pk}/slots/", {
        "first_day": first.isoformat(), "last_day": last.isoformat(), "times": "09:00-10:00\n14:30 - 15:30",
        "capacity": "3",
    })  # fmt: skip
    cal = get_calendar()
    workdays = sum(1 for n in range(7) if cal.is_workday(first + dt.timedelta(days=n)))
    assert response.status_code == 302
    assert AppointmentSlot.objects.filter(window=svc.window, capacity=3).count() == 2 * workdays
    page = client.get(response.url, follow=True).content.decode()
    assert f"{2 * workdays} new slots opened." in page
    slot = AppointmentSlot.objects.filter(date=first).order_by("start").first()
    appointment, _code = actions.book_appointment(
        actor=None, slot=slot, item=svc.item, name="赵六", phone="13911112222"
    )
    page = client.get(
        f"{BASE}/appointments/?date={first.isoformat()}&window={svc.window.pk}"
    ).content.decode()
    assert appointment.reference in page and "赵六" in page and "1 appointment" in page
    page = client.get(f"{BASE}/appointments/").content.decode()
    assert appointment.reference not in page or first == timezone.localdate()
    other = actions.save_window(actor=world.county_admin, centre=svc.centre, number="C03", name="其他窗口")
    page = client.get(f"{BASE}/appointments/?date={first.isoformat()}&window={other.pk}").content.decode()
    assert appointment.reference not in page and "No appointments on this day." in page
