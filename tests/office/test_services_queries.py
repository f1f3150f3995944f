"""The service list pages issue a fixed number of queries, however many rows they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.services import actions
from gongkai.services.models import AppointmentSlot
from tests.office import test_services_support as support
from tests.office.test_services_support import APPLICANT, BASE

svc = support.svc

PAGES = [
    "/",
    "/cases/",
    "/cases/?overdue=on",
    "/cases/?status=accepted",
    "/items/",
    "/windows/",
    "/appointments/",
]


def grow(world, svc, n: int) -> None:
    """n more cases of every kind, items, windows and today's appointments."""
    today = timezone.localdate()
    for i in range(n):
        item = svc.make_item(code=f"G-{i}-{svc.__dict__.setdefault('round', 0)}", name=f"事项{i}")
        actions.save_window(actor=world.county_admin, centre=svc.centre, number=f"G{i}-{svc.round}", name=f"窗口{i}",
                            units=[world.unit_a, world.unit_b])  # fmt: skip
        case, _code = svc.receive(item=item)
        if i % 3 == 0:
            actions.request_materials(actor=svc.centre_staff, case=case, missing="身份证")
        actions.submit_case_online(actor=None, item=item, **APPLICANT)
        old, _code = svc.receive(item=item, on=today - dt.timedelta(days=40))  # overdue
        slot = AppointmentSlot.objects.create(window=svc.window, date=today, start=dt.time(23, svc.round * 10 + i),
                                              end=dt.time(23, 59), capacity=5)  # fmt: skip
        actions.book_appointment(actor=None, slot=slot, item=item, name=f"预约{i}", phone="139")
    svc.round += 1


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["centre_staff", "county_admin", "supervisor", "clerk_a"])
def test_list_pages_do_not_grow_with_the_number_of_rows(
    world, as_, svc, persona, django_assert_max_num_queries
):
    user = getattr(svc, persona, None) or getattr(world, persona)
    client = as_(user)
    grow(world, svc, 2)
    small = {url: count(client, f"{BASE}{url}") for url in PAGES}
    grow(world, svc, 6)
    for url in PAGES:
        with django_assert_max_num_queries(small[url], info=url):
            assert client.get(f"{BASE}{url}").status_code == 200


def test_the_pages_show_what_was_grown(world, as_, svc):
    grow(world, svc, 3)
    page = as_(svc.centre_staff).get(f"{BASE}/").content.decode()
    assert page.count("预约") == 3 and "working days overdue" in page
    page = as_("county_admin").get(f"{BASE}/cases/?overdue=on").content.decode()
    assert "3 cases" in page and 'class="tag err"' in page
