"""Windows, appointment slots and bookings through the real actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongkai.core.actions import ActionError
from gongkai.services import actions, actions_catalogue
from gongkai.services.models import Appointment, AppointmentSlot, AppointmentStatus, ServiceWindow
from gongkai.workdays.calendar import get_calendar
from tests.services.conftest import audit_count, next_workday

NINE, TEN, ELEVEN = dt.time(9), dt.time(10), dt.time(11)


def _slot(svc: Any, capacity: int = 1) -> AppointmentSlot:
    day = next_workday(n=2)
    actions.open_slots(actor=svc.centre_staff, window=svc.window, first_day=day, last_day=day,
                       times=[(NINE, TEN)], capacity=capacity)  # fmt: skip
    return AppointmentSlot.objects.get(window=svc.window, date=day, start=NINE)


def _book(svc: Any, slot: AppointmentSlot, **kw: Any) -> tuple[Appointment, str]:
    return actions.book_appointment(actor=kw.pop("actor", svc.world.citizen), slot=slot, item=kw.pop("item", svc.item),
                                    name="李四", phone="13907330000", **kw)  # fmt: skip


# --- windows ---------------------------------------------------------------------------------------


def test_save_window_creates_and_updates(svc: Any) -> None:
    w = svc.world
    window = actions.save_window(actor=w.county_admin, centre=svc.centre, number="B02", name="教育窗口",
                                 units=[w.unit_b])  # fmt: skip
    assert list(window.units.all()) == [w.unit_b]
    window = actions.save_window(actor=w.county_admin, centre=svc.centre, number="B02", name="教育窗口",
                                 units=[w.unit_a, w.unit_b], is_active=False, window=window)  # fmt: skip
    assert not window.is_active and window.units.count() == 2


def test_save_window_refuses_bad_input(svc: Any) -> None:
    w = svc.world
    windows, events = ServiceWindow.objects.count(), audit_count()
    with pytest.raises(ActionError):  # a department is not a centre
        actions.save_window(actor=w.county_admin, centre=w.unit_a, number="1", name="x")
    with pytest.raises(ActionError):  # number taken
        actions.save_window(actor=w.county_admin, centre=svc.centre, number="A01", name="x")
    with pytest.raises(ActionError):
        actions.save_window(actor=w.county_admin, centre=svc.centre, number=" ", name="x")
    assert ServiceWindow.objects.count() == windows and audit_count() == events


@pytest.mark.parametrize("who", ["clerk_a", "window", "supervisor", "citizen", "other_admin"])
def test_outsiders_cannot_save_windows(svc: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.save_window(actor=getattr(svc.world, who), centre=svc.centre, number="C1", name="x")
    with pytest.raises(PermissionDenied):
        actions.save_window(actor=getattr(svc.world, who), centre=svc.centre, number="A01", name="改",
                            window=svc.window)  # fmt: skip


# --- slots -----------------------------------------------------------------------------------------


def test_open_slots_only_on_working_days_and_keeps_existing(svc: Any) -> None:
    first = timezone.localdate() + dt.timedelta(days=1)
    last = first + dt.timedelta(days=13)
    cal = get_calendar()
    workdays = sum(cal.is_workday(first + dt.timedelta(days=i)) for i in range(14))
    made = actions.open_slots(actor=svc.centre_staff, window=svc.window, first_day=first, last_day=last,
                              times=[(NINE, TEN), (TEN, ELEVEN)], capacity=3)  # fmt: skip
    assert made == 2 * workdays == AppointmentSlot.objects.filter(window=svc.window).count()
    assert all(cal.is_workday(d) for d in AppointmentSlot.objects.values_list("date", flat=True))
    again = actions.open_slots(actor=svc.centre_staff, window=svc.window, first_day=first, last_day=last,
                               times=[(NINE, TEN), (dt.time(14), dt.time(15))], capacity=5)  # fmt: skip
    assert again == workdays
    assert set(AppointmentSlot.objects.filter(start=NINE).values_list("capacity", flat=True)) == {3}


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": "3"}, "capacity"),
        ({"times": [(TEN, NINE)]}, "times"),
        ({"times": []}, "times"),
        ({"times": ["09:00"]}, "times"),
        ({"first_day": dt.date(2020, 1, 6)}, "first_day"),
        ({"last_day": dt.date(2020, 1, 6)}, "last_day"),
    ],
)
def test_open_slots_refuses_bad_input(svc: Any, kw: dict, field: str) -> None:
    day = next_workday()
    args = {"first_day": day, "last_day": day, "times": [(NINE, TEN)], "capacity": 2, **kw}
    events = audit_count()
    with pytest.raises(ActionError) as exc:
        actions.open_slots(actor=svc.centre_staff, window=svc.window, **args)
    assert field in exc.value.message_dict
    assert not AppointmentSlot.objects.exists() and audit_count() == events


def test_outsiders_cannot_open_slots(svc: Any) -> None:
    day = next_workday()
    for actor in (svc.world.window, svc.world.clerk_a, svc.world.citizen, svc.unit_window):
        with pytest.raises(PermissionDenied):
            actions.open_slots(actor=actor, window=svc.window, first_day=day, last_day=day,
                               times=[(NINE, TEN)], capacity=1)  # fmt: skip


# --- bookings --------------------------------------------------------------------------------------


def test_book_and_cancel_frees_the_place(svc: Any) -> None:
    slot = _slot(svc, capacity=2)
    appointment, code = _book(svc, slot, user=svc.world.citizen)
    slot.refresh_from_db()
    assert slot.booked == 1 and appointment.user == svc.world.citizen and len(code) == 10
    with pytest.raises(PermissionDenied):
        actions.cancel_appointment(actor=svc.world.anonymous, appointment=appointment, code="WRONG")
    actions.cancel_appointment(actor=svc.world.anonymous, appointment=appointment, code=code)
    slot.refresh_from_db()
    appointment.refresh_from_db()
    assert slot.booked == 0 and appointment.status == AppointmentStatus.CANCELLED
    with pytest.raises(ActionError):
        actions.cancel_appointment(actor=svc.centre_staff, appointment=appointment)
    other, _ = _book(svc, slot, actor=svc.world.anonymous)
    actions.cancel_appointment(actor=svc.centre_staff, appointment=other)


def test_full_slot_is_refused_and_nothing_changes(svc: Any) -> None:
    slot = _slot(svc, capacity=1)
    _book(svc, slot)
    events, appointments = audit_count(), Appointment.objects.count()
    with pytest.raises(ActionError) as exc:
        _book(svc, slot)
    assert "slot" in exc.value.message_dict
    slot.refresh_from_db()
    assert slot.booked == 1 and Appointment.objects.count() == appointments and audit_count() == events


def test_past_slot_is_refused_and_nothing_changes(svc: Any, monkeypatch: Any) -> None:
    slot = _slot(svc, capacity=3)
    later = timezone.make_aware(dt.datetime.combine(slot.date, dt.time(9, 30)))
    monkeypatch.setattr(actions_catalogue, "now", lambda: timezone.localtime(later))
    events = audit_count()
    with pytest.raises(ActionError) as exc:
        _book(svc, slot)
    assert "slot" in exc.value.message_dict
    slot.refresh_from_db()
    assert slot.booked == 0 and not Appointment.objects.exists() and audit_count() == events


def test_item_not_served_or_unpublished_is_refused(svc: Any) -> None:
    w = svc.world
    slot = _slot(svc)
    other_unit_item = actions.save_item(actor=w.clerk_b, organisation=w.unit_b, code="JY-1", name="教师资格认定",
                                        kind="licensing", legal_basis="《教师法》", statutory_limit_days=20,
                                        promised_limit_days=10)  # fmt: skip
    actions.set_item_published(actor=w.clerk_b, item=other_unit_item, published=True)
    hidden = svc.make_item(code="CZ-300", publish=False)
    for item in (other_unit_item, hidden):
        with pytest.raises(ActionError) as exc:
            _book(svc, slot, item=item)
        assert "item" in exc.value.message_dict
    with pytest.raises(ActionError) as exc:
        actions.book_appointment(actor=w.citizen, slot=slot, item=svc.item, name=" ", phone="")
    assert {"name", "phone"} <= set(exc.value.message_dict)
    slot.refresh_from_db()
    assert slot.booked == 0 and not Appointment.objects.exists()


def test_booking_counts_in_the_database_not_on_a_stale_object(svc: Any) -> None:
    slot = _slot(svc, capacity=1)
    stale = AppointmentSlot.objects.get(pk=slot.pk)  # read before the place is taken
    _book(svc, slot)
    assert stale.booked == 0
    with pytest.raises(ActionError):
        _book(svc, stale)
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_for_the_last_place(world: Any) -> None:
    """On PostgreSQL, two bookings at the same moment: exactly one gets the place."""
    import threading

    from django.db import connection

    from tests.services.conftest import Svc

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections")
    svc = Svc(world)
    slot = _slot(svc, capacity=1)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def book(name: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            actions.book_appointment(actor=None, slot=slot, item=svc.item, name=name, phone="1")
            results.append("ok")
        except ActionError:
            results.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(n,)) for n in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["full", "ok"]
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 1 and Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_case_numbers_are_unique_under_concurrent_receipt(world: Any) -> None:
    import threading

    from django.db import connection

    from gongkai.services.models import ServiceCase
    from tests.services.conftest import APPLICANT, Svc

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections")
    svc = Svc(world)
    barrier = threading.Barrier(3)
    errors: list[Exception] = []

    def receive() -> None:
        from django.db import connections

        try:
            barrier.wait()
            actions.receive_case(actor=svc.centre_staff, item=svc.item, window=svc.window, **APPLICANT)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(ServiceCase.objects.values_list("case_number", flat=True))
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]
