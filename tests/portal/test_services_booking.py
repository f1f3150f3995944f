"""Booking an appointment (/services/items/<id>/book/) and cancelling it (/services/cancel/):
only future free slots are offered, a full or past slot is refused with nothing changed and the
form keeps what was typed, the reference and code are shown once, a wrong code reveals nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongkai.services import actions
from gongkai.services.models import Appointment, AppointmentSlot, AppointmentStatus
from tests.portal.test_services_support import english, form_data, make_item, make_services, open_slots, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def services(world: Any) -> Any:
    services = make_services(world)
    open_slots(services, capacity=2)
    return services


def url(services: Any) -> str:
    return f"/services/items/{services.item.pk}/book/"


def slots(services: Any) -> list[AppointmentSlot]:
    return list(AppointmentSlot.objects.filter(window=services.window).order_by("date", "start"))


def book(client: Any, services: Any, slot: AppointmentSlot, **fields: Any) -> Any:
    html = page(client.get(url(services), {"date": slot.date.isoformat()}))
    data = {
        "slot": str(slot.pk),
        "date": slot.date.isoformat(),
        "name": "赵六",
        "phone": "13907331003",
        **fields,
    }
    return client.post(url(services), form_data(html, data))


def test_the_booking_page_offers_the_free_future_slots_of_a_day(world, services, en):
    response = en.get(url(services))
    html = page(response)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "<script" not in html and "style=" not in html and 'name="csrfmiddlewaretoken"' in html
    first = slots(services)[0]
    assert f'href="?date={first.date.isoformat()}"' in html and 'aria-current="true"' in html
    assert f'name="slot" value="{first.pk}"' in html and "09:00–09:30" in html and "2 places free" in html
    later = slots(services)[-1]
    assert f'name="slot" value="{later.pk}"' not in html  # another day: choose it first
    assert f'name="slot" value="{later.pk}"' in page(en.get(url(services), {"date": later.date.isoformat()}))


def test_a_booking_is_made_and_its_code_shown_once(world, services, en):
    slot = slots(services)[0]
    response = book(en, services, slot)
    assert response.status_code == 302 and response["Location"] == "/services/booked/"
    appointment = Appointment.objects.get()
    assert appointment.slot == slot and appointment.item == services.item and appointment.name == "赵六"
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 1
    html = page(en.get("/services/booked/"))
    assert appointment.reference in html and "shown only once" in html and "财政票据领购" in html
    code = re.search(r'Booking code</dt><dd><strong class="token">([A-Z0-9]+)<', html).group(1)
    assert actions.check_code(appointment.reference, appointment.tracking_hash, code)
    assert "Nothing to show" in page(english().get("/services/booked/"))
    assert "1 place free" in page(en.get(url(services)))


def test_a_double_click_books_once(world, services, en):
    slot = slots(services)[0]
    html = page(en.get(url(services)))
    data = form_data(html, {"slot": str(slot.pk), "name": "赵六", "phone": "13907331003"})
    assert en.post(url(services), data).status_code == 302
    second = en.post(url(services), data)
    assert second.status_code == 302 and second["Location"] == "/services/booked/"
    assert Appointment.objects.count() == 1 and AppointmentSlot.objects.get(pk=slot.pk).booked == 1


def test_a_full_slot_is_refused_nothing_changes_and_the_form_keeps_what_was_typed(world, services, en):
    slot = slots(services)[0]
    html = page(en.get(url(services)))  # the page was loaded while places were free
    for name in ("甲", "乙"):
        actions.book_appointment(actor=None, slot=slot, item=services.item, name=name, phone="13900000000")
    response = en.post(
        url(services), form_data(html, {"slot": str(slot.pk), "name": "赵六", "phone": "13907331003"})
    )
    html = page(response)
    assert response.status_code == 200
    assert "fully booked" in html and 'id="id_slot_error"' in html and 'href="#id_slot_0"' in html
    assert 'value="赵六"' in html and 'value="13907331003"' in html
    assert f'name="slot" value="{slot.pk}"' not in html  # no longer offered
    assert Appointment.objects.count() == 2 and AppointmentSlot.objects.get(pk=slot.pk).booked == 2


def test_a_past_slot_is_refused_and_nothing_changes(world, services, en, settings, monkeypatch):
    settings.SESSION_COOKIE_AGE = 30 * 24 * 3600  # the session outlives the jump in time below
    slot = slots(services)[0]
    html = page(en.get(url(services)))
    started = timezone.make_aware(datetime.combine(slot.date, slot.start)) + timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: started)
    response = en.post(
        url(services), form_data(html, {"slot": str(slot.pk), "name": "赵六", "phone": "13907331003"})
    )
    html = page(response)
    assert response.status_code == 200 and "This time has passed" in html and 'value="赵六"' in html
    assert f'name="slot" value="{slot.pk}"' not in html  # started: no longer offered
    assert Appointment.objects.count() == 0 and AppointmentSlot.objects.get(pk=slot.pk).booked == 0


def test_missing_fields_and_foreign_slots_are_field_errors(world, services, en):
    other = actions.save_window(
        actor=world.county_admin, centre=services.centre, number="B02", name="教育窗口"
    )
    actions.open_slots(actor=services.centre_staff, window=other, first_day=slots(services)[0].date,
                       last_day=slots(services)[0].date, times=[(slots(services)[0].start, slots(services)[0].end)],
                       capacity=5)  # fmt: skip
    foreign = AppointmentSlot.objects.get(window=other)
    html = page(book(en, services, foreign, name="", phone=""))
    for field in ("slot", "name", "phone"):
        assert f'id="id_{field}_error"' in html, field
    assert "That time cannot be booked" in html
    assert Appointment.objects.count() == 0 and AppointmentSlot.objects.filter(booked__gt=0).count() == 0


def test_a_wrong_check_answer_is_refused(world, services, en):
    slot = slots(services)[0]
    html = page(en.get(url(services)))
    data = form_data(html, {"slot": str(slot.pk), "name": "赵六", "phone": "13907331003"}, answer="99")
    html = page(en.post(url(services), data))
    assert "That is not the answer" in html and 'value="赵六"' in html
    assert Appointment.objects.count() == 0


def test_items_without_a_window_cannot_be_booked(world, services, en):
    bare = make_item(world, None, name="无窗口事项")
    assert en.get(f"/services/items/{bare.pk}/book/").status_code == 404
    assert "/book/" not in page(en.get(f"/services/items/{bare.pk}/"))
    draft = make_item(world, services.window, name="草稿", publish=False)
    assert en.get(f"/services/items/{draft.pk}/book/").status_code == 404


def test_bookings_are_throttled_per_address(world, services, en, settings):
    settings.BOOKING_THROTTLE_PER_HOUR = 1
    first, second = slots(services)[:2]
    assert book(en, services, first).status_code == 302
    response = book(en, services, second)
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert Appointment.objects.count() == 1


def _booked(services: Any) -> tuple[Appointment, str]:
    slot = slots(services)[0]
    return actions.book_appointment(
        actor=None, slot=slot, item=services.item, name="赵六", phone="13907331003"
    )


def test_a_booking_is_cancelled_with_its_reference_and_code(world, services, en):
    appointment, code = _booked(services)
    response = en.post(
        "/services/cancel/", {"reference": appointment.reference.lower(), "code": code.lower()}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert AppointmentSlot.objects.get(pk=appointment.slot_id).booked == 0
    assert "was cancelled" in page(en.get(response["Location"]))
    # A second time: the holder of the code learns why.
    html = page(en.post("/services/cancel/", {"reference": appointment.reference, "code": code}))
    assert "Only a booked appointment can be cancelled" in html


def test_a_wrong_code_reveals_nothing_and_changes_nothing(world, services, en):
    appointment, code = _booked(services)
    wrong = page(en.post("/services/cancel/", {"reference": appointment.reference, "code": "WRONGCODE2"}))
    missing = page(en.post("/services/cancel/", {"reference": "YY000000000000", "code": code}))
    message = "No booking matches this reference and code"
    assert message in wrong and message in missing
    assert "赵六" not in wrong and "财政票据领购" not in wrong
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert AppointmentSlot.objects.get(pk=appointment.slot_id).booked == 1


def test_cancel_look_ups_are_throttled(world, services, en, settings):
    settings.TRACK_FAILURES_PER_HOUR = 2
    for _attempt in range(2):
        en.post("/services/cancel/", {"reference": "YY1", "code": "X"})
    assert en.post("/services/cancel/", {"reference": "YY1", "code": "X"}).status_code == 429


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_booking_and_cancel_pages_render_in_both_languages_and_in_large_text(world, services, language):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["gk_large_text"] = "1"
    for target in (url(services), "/services/cancel/", "/services/booked/"):
        response = client.get(target)
        html = page(response)
        assert response.status_code == 200, target
        assert 'class="large-text' in html and "<script" not in html and "style=" not in html, target
    assert ('lang="en"' if language == "en" else 'lang="zh-Hans"') in html
