"""Every persona against every services object: the list and the object check agree,
and each role sees exactly what the spec gives it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongkai.core.policies import policy_for
from gongkai.services import actions
from gongkai.services.models import Appointment, AppointmentSlot, ServiceCase, ServiceItem, ServiceWindow
from tests.services.conftest import APPLICANT, next_workday

PERSONAS = ["root", "county_admin", "reviewer", "supervisor", "clerk_a", "clerk_b", "window", "other_admin",
            "citizen", "anonymous", "centre_staff", "unit_window"]  # fmt: skip


@pytest.fixture
def objects(svc: Any) -> dict[str, Any]:
    w = svc.world
    hidden = svc.make_item(code="CZ-900", publish=False)
    window_case, _ = svc.receive()
    township_case, _ = svc.receive(actor=w.window, window=svc.township_window)
    own_case, _ = actions.submit_case_online(actor=w.citizen, item=svc.item, user=w.citizen, **APPLICANT)
    day = next_workday(n=2)
    actions.open_slots(actor=svc.centre_staff, window=svc.window, first_day=day, last_day=day,
                       times=[(dt.time(9), dt.time(10))], capacity=5)  # fmt: skip
    slot = AppointmentSlot.objects.get()
    own_appt, _ = actions.book_appointment(actor=w.citizen, slot=slot, item=svc.item, name="张三", phone="1",
                                           user=w.citizen)  # fmt: skip
    anon_appt, _ = actions.book_appointment(
        actor=w.anonymous, slot=slot, item=svc.item, name="王五", phone="2"
    )
    return {"published": svc.item, "hidden": hidden, "window_case": window_case, "township_case": township_case,
            "own_case": own_case, "window": svc.window, "own_appt": own_appt, "anon_appt": anon_appt}  # fmt: skip


def _persona(svc: Any, name: str) -> Any:
    return getattr(svc, name) if name in ("centre_staff", "unit_window") else getattr(svc.world, name)


def test_list_and_object_checks_agree(svc: Any, objects: dict[str, Any]) -> None:
    for name in PERSONAS:
        user = _persona(svc, name)
        for obj in objects.values():
            policy = policy_for(obj)
            for verb in policy.rules:
                listed = policy.filter(user, verb).filter(pk=obj.pk).exists()
                assert listed == policy.can(user, verb, obj), (name, verb, obj)


EXPECTED_VIEW = {
    # persona: objects seen with "view"
    "anonymous": {"published", "window"},
    "citizen": {"published", "window", "own_case", "own_appt"},
    "clerk_a": {"published", "hidden", "window_case", "township_case", "own_case", "window"},
    "clerk_b": {"published", "window"},
    "other_admin": {"published", "window"},
    "window": {"published", "township_case", "window"},
    "centre_staff": {"published", "hidden", "window_case", "window", "own_appt", "anon_appt"},
    "unit_window": {"published", "hidden", "window_case", "township_case", "own_case", "window"},
    "supervisor": set(),  # filled below: everything
}


@pytest.mark.parametrize("name", sorted(EXPECTED_VIEW))
def test_who_sees_what(svc: Any, objects: dict[str, Any], name: str) -> None:
    user = _persona(svc, name)
    seen = {key for key, obj in objects.items() if policy_for(obj).can(user, "view", obj)}
    assert seen == (EXPECTED_VIEW[name] or set(objects))


def test_who_processes(svc: Any, objects: dict[str, Any]) -> None:
    case = objects["window_case"]
    policy = policy_for(ServiceCase)
    allowed = {name for name in PERSONAS if policy.can(_persona(svc, name), "process", case)}
    assert allowed == {"centre_staff", "unit_window"}
    online = objects["own_case"]
    assert {name for name in PERSONAS if policy.can(_persona(svc, name), "process", online)} == {
        "unit_window"
    }
    item_policy = policy_for(ServiceItem)
    editors = {name for name in PERSONAS if item_policy.can(_persona(svc, name), "change", objects["hidden"])}
    assert editors == {"root", "county_admin", "reviewer", "clerk_a"}
    window_policy = policy_for(ServiceWindow)
    managers = {
        name for name in PERSONAS if window_policy.can(_persona(svc, name), "manage_slots", svc.window)
    }
    assert managers == {"root", "county_admin", "centre_staff"}
    appt_policy = policy_for(Appointment)
    assert {n for n in PERSONAS if appt_policy.can(_persona(svc, n), "process", objects["own_appt"])} == {
        "centre_staff"
    }


def test_case_list_query_count(svc: Any, objects: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(expected: int) -> int:
        user = svc.world.fresh(svc.world.supervisor)
        with CaptureQueriesContext(connection) as ctx:
            assert (
                len(list(policy_for(ServiceCase).visible_to(user).select_related("item", "clock")))
                == expected
            )
        return len(ctx.captured_queries)

    first = count(3)
    for _ in range(3):
        svc.receive()
    assert count(6) == first <= 6


def test_history_is_for_staff_in_scope_only(svc: Any, objects: dict[str, Any]) -> None:
    for key in ("window_case", "hidden", "window"):
        obj = objects[key]
        policy = policy_for(obj)
        seen = {name for name in PERSONAS if policy.can(_persona(svc, name), "view_history", obj)}
        assert "supervisor" in seen and "root" in seen, key
        assert not seen & {"citizen", "anonymous", "clerk_b", "other_admin", "window"}, key
