"""/api/v1/services: the public catalogue, items written by the unit, cases through the actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.audit.models import AuditEvent
from gongkai.services.models import ServiceCase, ServiceItem
from tests.services.conftest import ITEM, Svc


@pytest.fixture
def svc(world: Any) -> Svc:
    return Svc(world)


def _tok(token: Any, svc: Svc, user: Any, scope: str = "write") -> str:
    from gongkai.accounts.actions import create_api_token

    return create_api_token(actor=user, name=f"{user.username} {scope}", scope=scope)[1]


# --- items ------------------------------------------------------------------------------------


def test_the_published_catalogue_is_public_with_filters(api: Any, svc: Svc) -> None:
    hidden = svc.make_item(publish=False, code="CZ-009", name="未公布事项")
    body = api.get("/services/items").json()
    assert {r["code"] for r in body["results"]} == {"CZ-001", "CZ-002"} and body["count"] == 2
    assert [r["code"] for r in api.get("/services/items", kind="non_licensing").json()["results"]] == [
        "CZ-002"
    ]
    assert [r["code"] for r in api.get("/services/items", charged="true").json()["results"]] == ["CZ-002"]
    assert api.get("/services/items", organisation=svc.world.unit_b.pk).json()["count"] == 0
    assert api.get("/services/items", under=svc.world.county.pk).json()["count"] == 2
    assert api.get("/services/items", q="代理记账").json()["count"] == 1
    assert api.get("/services/items", kind="nonsense").status_code == 400
    detail = api.get(f"/services/items/{svc.charged.pk}").json()
    assert detail["materials"] == ["申请书", "营业执照复印件"] and detail["fee_amount"] == "10.00"
    assert api.get(f"/services/items/{hidden.pk}").status_code == 404  # unpublished: not for the public


def test_staff_see_their_drafts(api: Any, svc: Svc, token: Any) -> None:
    svc.make_item(publish=False, code="CZ-009", name="未公布事项")
    own = api.get("/services/items", token=token("clerk_a"), drafts="true").json()
    assert own["count"] == 3
    assert api.get("/services/items", token=token("clerk_b"), drafts="true").json()["count"] == 2


def test_the_catalogue_list_costs_the_same_queries_for_many_items(api: Any, svc: Svc) -> None:
    with CaptureQueriesContext(connection) as few:
        api.get("/services/items")
    for n in range(10):
        svc.make_item(code=f"CZ-1{n:02d}", name=f"事项{n}")
    with CaptureQueriesContext(connection) as many:
        assert api.get("/services/items").json()["count"] == 12
    assert len(many) == len(few)


def test_the_template_downloads(api: Any) -> None:
    response = api.get("/services/items/template", format="xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "事项编码".encode() in api.get("/services/items/template").content
    assert "收件日期".encode() in api.get("/services/cases/template").content
    assert api.get("/services/cases/template", format="pdf").status_code == 422


def test_the_unit_creates_and_edits_items_through_the_actions(api: Any, svc: Svc, token: Any) -> None:
    raw = token("clerk_a", "write")
    payload = {**ITEM, "organisation_id": svc.world.unit_a.pk, "code": "CZ-300", "published": True,
               "window_id": svc.window.pk}  # fmt: skip
    response = api.post("/services/items", payload, token=raw)
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]
    assert response.json()["published"] and response.json()["window_id"] == svc.window.pk
    response = api.patch(f"/services/items/{item_id}", {"promised_limit_days": 3}, token=raw)
    assert response.status_code == 200 and response.json()["promised_limit_days"] == 3
    assert AuditEvent.objects.filter(verb="services.save_item", object_id=str(item_id)).count() == 2


def test_bad_item_input_is_400_and_changes_nothing(api: Any, svc: Svc, token: Any) -> None:
    raw = token("clerk_a", "write")
    count = ServiceItem.objects.count()
    bad = {**ITEM, "organisation_id": svc.world.unit_a.pk, "code": "CZ-301", "promised_limit_days": -1}
    response = api.post("/services/items", bad, token=raw)
    assert response.status_code == 400 and "promised_limit_days" in response.json()["message"]
    response = api.patch(f"/services/items/{svc.item.pk}", {"promised_limit_days": 99}, token=raw)
    assert response.status_code == 400
    charged = {**ITEM, "organisation_id": svc.world.unit_a.pk, "code": "CZ-302", "fee_free": False}
    assert api.post("/services/items", charged, token=raw).status_code == 400
    assert ServiceItem.objects.count() == count
    assert ServiceItem.objects.get(pk=svc.item.pk).promised_limit_days == ITEM["promised_limit_days"]


def test_outsiders_cannot_write_items(api: Any, svc: Svc, token: Any) -> None:
    payload = {**ITEM, "organisation_id": svc.world.unit_a.pk, "code": "CZ-303"}
    assert api.post("/services/items", payload, token=token("clerk_b", "write")).status_code == 403
    assert (
        api.patch(
            f"/services/items/{svc.item.pk}", {"name": "x"}, token=token("clerk_b", "write")
        ).status_code
        == 403
    )
    assert (
        api.patch(f"/services/items/{svc.item.pk}", {"name": "x"}, token=token("clerk_a", "read")).status_code
        == 403
    )
    assert api.post("/services/items", payload).status_code == 401
    assert api.post("/services/items", payload, token=token("other_admin", "write")).status_code == 403
    # An empty change is refused as well, not answered as if it had been saved.
    assert api.patch(f"/services/items/{svc.item.pk}", {}, token=token("clerk_b", "write")).status_code == 403
    assert not ServiceItem.objects.filter(code="CZ-303").exists()
    assert ServiceItem.objects.get(pk=svc.item.pk).name == ITEM["name"]


# --- cases ------------------------------------------------------------------------------------


def test_window_staff_receive_collect_and_complete(api: Any, svc: Svc) -> None:
    raw = _tok(None, svc, svc.centre_staff)
    received = api.post("/services/cases", {"item_id": svc.charged.pk, "window_id": svc.window.pk,
                                            "applicant_name": "李四", "phone": "13907330000"}, token=raw)  # fmt: skip
    assert received.status_code == 201, received.content
    number, code = received.json()["case_number"], received.json()["tracking_code"]
    assert code and received.json()["status"] == "accepted" and received.json()["due_date"]
    path = f"/services/cases/{number}"
    refused = api.post(f"{path}/complete", {"result": "approved", "certificate_number": "Z-1"}, token=raw)
    assert refused.status_code == 400  # the fee first
    assert api.post(f"{path}/fee", {"amount": "9.00", "receipt": "R-1"}, token=raw).status_code == 400
    paid = api.post(f"{path}/fee", {"amount": "20.00", "quantity": "2", "receipt": "R-1"}, token=raw)
    assert paid.status_code == 200 and paid.json()["fee_amount"] == "20.00"
    done = api.post(f"{path}/complete", {"result": "approved", "certificate_number": "Z-1"}, token=raw)
    assert done.status_code == 200 and done.json()["status"] == "completed" and done.json()["on_time"] is True
    again = api.post(f"{path}/complete", {"result": "approved", "certificate_number": "Z-1"}, token=raw)
    assert again.status_code == 400 and again.json()["message"]
    detail = api.get(path, token=raw).json()
    assert (
        detail["fee_receipt"] == "R-1"
        and detail["certificate_number"] == "Z-1"
        and "tracking" not in str(detail)
    )


def test_case_lists_are_scoped_filtered_and_constant_in_queries(
    api: Any, svc: Svc, token: Any, login: Any
) -> None:
    svc.receive(on=dt.date(2013, 3, 4))
    with CaptureQueriesContext(connection) as few:
        api.get("/services/cases", token=token("supervisor"))
    for n in range(8):
        svc.receive(on=dt.date(2013, 3, 5 + n % 3))
    svc.receive(window=svc.township_window, actor=svc.world.window, on=dt.date(2013, 4, 1))
    with CaptureQueriesContext(connection) as many:
        body = api.get("/services/cases", token=token("supervisor")).json()
    assert body["count"] == 10 and len(many) == len(few)
    staff = _tok(None, svc, svc.centre_staff, "read")
    assert api.get("/services/cases", token=staff).json()["count"] == 9  # the centre's own
    assert api.get("/services/cases", token=token("window")).json()["count"] == 1  # the township's
    assert api.get("/services/cases", token=token("clerk_b")).json()["count"] == 0
    sup = token("supervisor")
    assert api.get("/services/cases", token=sup, channel="township").json()["count"] == 1
    assert api.get("/services/cases", token=sup, status="open", received_to="2013-03-05").json()["count"] == 4
    assert api.get("/services/cases", token=sup, overdue="true").json()["count"] == 10
    assert api.get("/services/cases", token=sup, status="bogus").status_code == 400
    assert api.get("/services/cases").status_code == 401
    login(svc.world.citizen)  # a citizen's session: their cases are on the portal, not here
    assert api.get("/services/cases").status_code == 403


def test_outsiders_get_404_and_supervisors_403(api: Any, svc: Svc, token: Any) -> None:
    case, _code = svc.receive()
    path = f"/services/cases/{case.case_number}"
    for outsider in ("clerk_b", "other_admin", "window"):
        raw = token(outsider, "write")
        assert api.get(path, token=raw).status_code == 404
        assert api.post(f"{path}/complete", {"result": "denied", "reason": "x"}, token=raw).status_code == 404
    # The supervisor sees the case but does not process it.
    sup = token("supervisor", "write")
    assert api.get(path, token=sup).status_code == 200
    assert api.post(f"{path}/complete", {"result": "denied", "reason": "x"}, token=sup).status_code == 403
    received = api.post("/services/cases", {"item_id": svc.item.pk, "window_id": svc.window.pk,
                                            "applicant_name": "王五"}, token=token("window", "write"))  # fmt: skip
    assert received.status_code == 403
    assert ServiceCase.objects.get(pk=case.pk).status == "accepted" and ServiceCase.objects.count() == 1


def test_online_cases_are_accepted_or_refused_through_the_api(api: Any, svc: Svc) -> None:
    from gongkai.services import actions

    case, _code = actions.submit_case_online(actor=None, item=svc.item, applicant_kind="person",
                                             applicant_name="钱七", id_number="430223199001011234",
                                             phone="13907330001")  # fmt: skip
    other, _code = actions.submit_case_online(actor=None, item=svc.item, applicant_kind="person",
                                              applicant_name="孙八", id_number="430223199001011234",
                                              phone="13907330002")  # fmt: skip
    raw = _tok(None, svc, svc.unit_window)
    assert (
        api.post(f"/services/cases/{case.case_number}/accept", {}, token=raw).json()["status"] == "accepted"
    )
    assert (
        api.post(f"/services/cases/{other.case_number}/reject", {"reason": ""}, token=raw).status_code == 400
    )
    refused = api.post(
        f"/services/cases/{other.case_number}/reject", {"reason": "不属于本单位职责"}, token=raw
    )
    assert refused.json()["status"] == "rejected"
    assert ServiceCase.objects.get(pk=case.pk).fee_amount is None and Decimal(0) == 0
