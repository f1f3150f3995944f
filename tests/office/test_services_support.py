"""Shared fixtures and helpers of the back-office tests of government services.

The county centre, its window, unit A's items and the window staff come from the services
tests' fixture (``svc``): ``svc.centre_staff`` works at the county centre's windows,
``world.window`` at the township centre (the outsider for the county centre's cases).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongkai.services import actions
from gongkai.services.models import AppointmentSlot, ServiceCase
from tests.services.conftest import APPLICANT, ITEM, Svc, audit_count, next_workday, svc

__all__ = ["APPLICANT", "ITEM", "Svc", "audit_count", "next_workday", "svc", "received", "online", "slot",
           "step", "BASE"]  # fmt: skip

BASE = "/office/services"


@pytest.fixture
def received(svc: Svc) -> ServiceCase:
    """A charged case received today at the county centre's window A01."""
    case, _code = svc.receive(item=svc.charged)
    return case


@pytest.fixture
def online(svc: Svc) -> ServiceCase:
    """An online application for unit A's free item, waiting for acceptance."""
    case, _code = actions.submit_case_online(actor=None, item=svc.item, **APPLICANT)
    return case


@pytest.fixture
def slot(svc: Svc) -> AppointmentSlot:
    """A slot at window A01 later today (so it can still be booked), with two places."""
    today = timezone.localdate()
    return AppointmentSlot.objects.create(
        window=svc.window, date=today, start=dt.time(23, 0), end=dt.time(23, 59), capacity=2
    )


def step(client: Any, case: ServiceCase, name: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return client.post(f"{BASE}/cases/{case.pk}/{name.replace('_', '-')}/", data or {}, **kw)
