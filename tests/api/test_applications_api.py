"""/api/v1/applications: staff tokens, scoped by ApplicationPolicy, every step through the actions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gongkai.applications import actions, actions_base, actions_replies
from gongkai.applications.idcard import check_char
from gongkai.applications.models import Application, Status
from gongkai.audit.models import AuditEvent

ID_BODY = "43022319800101001"
VALID_ID = ID_BODY + check_char(ID_BODY)
BAD_ID = VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1")

PERSON = {
    "applicant_type": "person",
    "applicant_name": "李明",
    "id_type": "resident_id",
    "id_number": VALID_ID,
    "phone": "13800000000",
    "email": "liming@example.com",
    "address": "湖南省攸县联星街道1号",
    "info_title": "2013年攸县财政局部门预算",
    "description": "部门预算表及说明",
    "info_form": "electronic",
    "delivery": "email",
}
RECEIVED = date(2025, 9, 26)  # RULES §1: 20th working day 2025-10-30


@pytest.fixture
def register(world, calendar_2025):
    def do(on: date = RECEIVED, organisation=None, channel: str = "in_person", **over) -> Application:
        app, _code = actions.register_application(
            actor=world.reviewer, organisation=organisation or world.unit_a, channel=channel, submitted_on=on,
            **{**PERSON, **over},
        )  # fmt: skip
        return app

    return do


def state(app: Application) -> tuple:
    app.refresh_from_db()
    return (app.status, app.outcome, app.organisation_id, app.clock.due_date if app.clock_id else None,
            app.corrections.count(), app.consultations.count(), app.fees.count(), app.letters.count(),
            AuditEvent.objects.count())  # fmt: skip


# --- reading ----------------------------------------------------------------------------------------


def test_registering_returns_the_tracking_code_once_and_never_its_hash(world, api, token, calendar_2025):
    raw = token("reviewer", "write")
    response = api.post("/applications", {"organisation_id": world.unit_a.pk, "channel": "in_person",
                                          "submitted_on": "2025-09-26", **PERSON}, token=raw)  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    code = data["tracking_code"]
    assert len(code) == 10 and "tracking_hash" not in data
    assert data["case_number"].startswith("YSQ2025") and data["status"] == "processing"
    assert data["rule_set"] == "2019" and data["received_on"] == "2025-09-26"
    assert data["due_date"] == "2025-10-30" == data["clock"]["due_date"]
    assert "2025" in data["clock"]["explanation_zh"] and data["clock"]["explanation_en"]
    assert [letter["kind"] for letter in data["letters"]] == ["acknowledgement"]
    assert "body" not in data["letters"][0]
    app = Application.objects.get(pk=data["id"])
    assert actions_base.find_by_tracking(app.case_number, code) == app

    detail = api.get(f"/applications/{app.pk}", token=token("clerk_a")).json()
    assert "tracking_code" not in detail and "tracking_hash" not in detail
    assert app.tracking_hash not in api.get(f"/applications/{app.pk}", token=raw).content.decode()
    assert detail["id_number"] == VALID_ID and detail["correction_notice_by"] == "2025-10-13"


def test_the_list_filters_and_pages(world, api, token, register):
    old = register(applicant_name="王芳", info_title="攸县2024年财政决算")
    closed = register(date(2025, 10, 9))
    actions_replies.reply_application(actor=world.reviewer, application=closed, outcome="open", reply_type="r19_provide",
                                      text="见附件。", on=date(2025, 10, 20))  # fmt: skip
    recent = register(timezone.localdate())
    other = register(date(2025, 9, 30), organisation=world.unit_b)
    raw = token("reviewer")

    def ids(**params) -> list[int]:
        response = api.get("/applications", token=raw, **params)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert set(ids()) == {old.pk, closed.pk, recent.pk, other.pk}
    assert set(ids(status="open")) == {old.pk, recent.pk, other.pk}
    assert ids(status="closed") == [closed.pk]
    assert set(ids(organisation=world.unit_a.pk)) == {old.pk, closed.pk, recent.pk}
    assert set(ids(organisation=world.county.pk, below="true")) == {old.pk, closed.pk, recent.pk, other.pk}
    assert ids(organisation=world.county.pk) == []
    assert set(ids(received_from="2025-09-27", received_to="2025-10-31")) == {closed.pk, other.pk}
    assert set(ids(overdue="true")) == {old.pk, other.pk}
    assert set(ids(overdue="false")) == {closed.pk, recent.pk}
    assert ids(due_within=30) == [recent.pk]
    assert ids(due_within=5) == []
    assert ids(q="王芳") == [old.pk] == ids(q="2024年财政")
    assert ids(q=closed.case_number) == [closed.pk]
    assert ids(sort="due")[0] == old.pk
    page = api.get("/applications", token=raw, per_page=3, page=2).json()
    assert page["count"] == 4 and len(page["results"]) == 1 and page["page"] == 2
    listed = api.get("/applications", token=raw, q="王芳").json()["results"][0]
    assert listed["overdue"] is True and listed["due_date"] == "2025-10-30"
    assert "tracking_hash" not in listed and "id_number" not in listed


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "finished"}, "status"), ({"received_from": "2025-10-02", "received_to": "2025-10-01"},
                                          "received_to")],
)  # fmt: skip
def test_bad_list_filters_are_a_400_naming_the_parameter(world, api, token, params, field):
    response = api.get("/applications", token=token("reviewer"), **params)
    assert response.status_code == 400 and field in response.json()["message"]


@pytest.mark.parametrize("params", [{"due_within": -1}, {"received_from": "2025-13-01"}, {"per_page": 101}])
def test_malformed_list_parameters_are_a_422(world, api, token, params):
    response = api.get("/applications", token=token("reviewer"), **params)
    assert response.status_code == 422 and response.json()["message"]


def test_outsiders_get_a_404_and_an_empty_list(world, api, token, register):
    app = register()
    for persona in ("clerk_b", "other_admin"):
        raw = token(persona, "write")
        assert api.get(f"/applications/{app.pk}", token=raw).status_code == 404
        assert api.get("/applications", token=raw).json()["count"] == 0
    assert api.get(f"/applications/{app.pk}", token=token("clerk_a")).status_code == 200
    assert api.get(f"/applications/{app.pk}", token=token("supervisor")).status_code == 200
    assert api.get("/applications/999999", token=token("reviewer")).status_code == 404


def test_the_drafting_unit_sees_what_is_assigned_to_it(world, api, token, register):
    app = register()
    raw = token("clerk_b")
    assert api.get(f"/applications/{app.pk}", token=raw).status_code == 404
    actions_replies.assign_application(
        actor=world.reviewer, application=app, unit=world.unit_b, assignee=world.clerk_b
    )
    assert api.get(f"/applications/{app.pk}", token=raw).json()["assignee"] == "clerk_b"


def test_anonymous_callers_and_citizens_are_refused(world, api, client, register):
    app = register()
    assert api.get("/applications").status_code == 401
    assert api.get(f"/applications/{app.pk}").status_code == 401
    client.force_login(world.citizen)  # citizens hold no tokens; their browser session is refused here
    assert api.get("/applications").status_code == 403
    assert api.get(f"/applications/{app.pk}").status_code == 403


# --- every step -------------------------------------------------------------------------------------


def test_confirm_and_discard_submissions(world, api, token, register):
    raw = token("clerk_a", "write")
    fax = register(channel="fax")
    junk = register(channel="fax")
    assert fax.status == Status.PENDING
    response = api.post(
        f"/applications/{fax.pk}/confirm", {"on": "2025-09-26", "note": "电话确认"}, token=raw
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "processing" and data["received_on"] == "2025-09-26"
    assert data["due_date"] == "2025-10-30" and data["receipt_note"] == "电话确认"
    response = api.post(f"/applications/{junk.pk}/discard", {"reason": "重复提交"}, token=raw)
    assert response.status_code == 200 and response.json()["status"] == "discarded"


def test_forward_to_another_agency_of_the_same_government(world, api, token, register):
    app = register()
    raw = token("reviewer", "write")
    response = api.post(
        f"/applications/{app.pk}/forward", {"to": world.unit_b.pk, "reason": "教育局掌握"}, token=raw
    )
    assert response.status_code == 200 and response.json()["organisation_id"] == world.unit_b.pk
    before = state(app)
    response = api.post(
        f"/applications/{app.pk}/forward", {"to": world.other_county.pk, "reason": "x"}, token=raw
    )
    assert response.status_code == 400 and "to" in response.json()["errors"]
    response = api.post(f"/applications/{app.pk}/forward", {"to": 999999, "reason": "x"}, token=raw)
    assert response.status_code == 400 and "to" in response.json()["errors"]
    assert state(app) == before


def test_correction_stops_the_clock_and_the_corrected_application_restarts_it(world, api, token, register):
    app = register()
    raw = token("clerk_a", "write")
    response = api.post(f"/applications/{app.pk}/correction",
                        {"items": "请明确所需信息的年份", "period_days": 10, "on": "2025-09-29"}, token=raw)  # fmt: skip
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "correction" and data["paused"] is True and data["due_date"] is None
    assert data["corrections"][0]["due_on"] and data["corrections"][0]["corrected_on"] is None
    response = api.post(f"/applications/{app.pk}/correction-received",
                        {"text": "所需信息为2024年度", "on": "2025-10-09",
                         "fields": {"info_title": "2024年攸县财政局部门预算"}}, token=raw)  # fmt: skip
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "processing" and data["info_title"] == "2024年攸县财政局部门预算"
    assert data["clock"]["start_date"] == "2025-10-09" and data["due_date"] == "2025-11-05"
    assert data["corrections"][0]["corrected_on"] == "2025-10-09"


def test_correction_received_refuses_unknown_fields(world, api, token, register):
    app = register()
    raw = token("clerk_a", "write")
    api.post(
        f"/applications/{app.pk}/correction", {"items": "x", "period_days": 10, "on": "2025-09-29"}, token=raw
    )
    before = state(app)
    response = api.post(f"/applications/{app.pk}/correction-received",
                        {"text": "y", "on": "2025-10-09", "fields": {"tracking_hash": "0"}}, token=raw)  # fmt: skip
    assert response.status_code == 400 and "fields" in response.json()["errors"]
    assert state(app) == before


def test_consultation_and_its_answer(world, api, token, register):
    app = register()
    raw = token("clerk_a", "write")
    response = api.post(f"/applications/{app.pk}/consultations",
                        {"kind": "third_party", "party": "攸县某建筑公司", "on": "2025-10-09"}, token=raw)  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    consultation = data["consultations"][0]
    assert data["status"] == "consulting" and consultation["pauses_clock"] is True
    assert [letter["kind"] for letter in data["letters"]] == ["acknowledgement", "consultation"]
    url = f"/applications/{app.pk}/consultations/{consultation['id']}/answer"
    response = api.post(url, {"answer": "objection", "on": "2025-10-15", "note": "涉及商业秘密"}, token=raw)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "processing" and data["consultations"][0]["answer"] == "objection"
    assert data["clock"]["pauses"][0]["end"] == "2025-10-15" and data["due_date"] > "2025-10-30"
    other = register()
    assert api.post(f"/applications/{other.pk}/consultations/{consultation['id']}/answer",
                    {"answer": "consent"}, token=raw).status_code == 404  # fmt: skip
    response = api.post(
        f"/applications/{app.pk}/consultations", {"kind": "neighbour", "party": "x"}, token=raw
    )
    assert response.status_code == 400 and "kind" in response.json()["errors"]


def test_extension_with_the_office_heads_approval(world, api, token, register):
    app = register()
    response = api.post(f"/applications/{app.pk}/extend",
                        {"days": 20, "reason": "需调取档案", "on": "2025-10-20", "approved_by": "reviewer"},
                        token=token("clerk_a", "write"))  # fmt: skip
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["due_date"] == "2025-11-27" and data["clock"]["extension_days"] == 20
    assert data["clock"]["extensions"][0]["approved_by"] == "reviewer"
    assert "extension" in [letter["kind"] for letter in data["letters"]]


@pytest.mark.parametrize(("received", "days"), [(RECEIVED, 21), (date(2013, 9, 30), 16)])
def test_an_extension_beyond_the_cap_is_a_400_and_changes_nothing(
    world, api, token, register, received, days
):
    app = register(received)
    raw = token("reviewer", "write")
    before = state(app)
    response = api.post(f"/applications/{app.pk}/extend",
                        {"days": days, "reason": "x", "on": received.isoformat()}, token=raw)  # fmt: skip
    assert response.status_code == 400
    assert "days" in response.json()["errors"] and str(days - 1) in response.json()["message"]
    assert state(app) == before


def test_an_extension_needs_an_approver_who_may_approve(world, api, token, register):
    app = register()
    raw = token("clerk_a", "write")
    before = state(app)
    for approver in ("clerk_a", "nobody"):
        response = api.post(f"/applications/{app.pk}/extend",
                            {"days": 5, "reason": "x", "on": "2025-10-09", "approved_by": approver}, token=raw)  # fmt: skip
        assert response.status_code == 400 and "approved_by" in response.json()["errors"]
    assert state(app) == before


def test_later_date_under_art_35(world, api, token, register):
    app = register()
    response = api.post(f"/applications/{app.pk}/later-date",
                        {"later_date": "2025-12-31", "reason": "申请数量巨大", "on": "2025-10-09"},
                        token=token("reviewer", "write"))  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["later_date"] == "2025-12-31"
    response = api.post(f"/applications/{app.pk}/later-date",
                        {"later_date": "2025-10-01", "reason": "x"}, token=token("reviewer", "write"))  # fmt: skip
    assert response.status_code == 400 and "later_date" in response.json()["errors"]


def test_assign_draft_return_and_reply(world, api, token, register):
    app = register()
    head, clerk = token("reviewer", "write"), token("clerk_a", "write")
    response = api.post(f"/applications/{app.pk}/assign",
                        {"unit": world.unit_a.pk, "assignee": "clerk_a", "note": "请拟答复"}, token=head)  # fmt: skip
    assert response.status_code == 200 and response.json()["assignee"] == "clerk_a"
    draft = {"outcome": "partial", "reply_type": "r19_partial", "legal_basis": "《条例》第三十七条",
             "text": "附件为可公开部分。"}  # fmt: skip
    response = api.post(f"/applications/{app.pk}/draft", draft, token=clerk)
    assert response.status_code == 200 and response.json()["status"] == "review"
    assert response.json()["drafted_by"] == "clerk_a"
    response = api.post(f"/applications/{app.pk}/reply", {**draft, "on": "2025-10-20"}, token=clerk)
    assert response.status_code == 403  # the clerk drafts, the office head decides
    response = api.post(f"/applications/{app.pk}/return-draft", {"reason": "请补充理由"}, token=head)
    assert response.status_code == 200 and response.json()["status"] == "processing"
    response = api.post(f"/applications/{app.pk}/reply", {**draft, "on": "2025-10-20"}, token=head)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["outcome"], data["on_time"], data["replied_by"]) == (
        "closed", "partial", True, "reviewer")  # fmt: skip
    assert data["clock"]["closed_on"] == "2025-10-20" and data["letters"][-1]["kind"] == "reply"
    response = api.post(
        f"/applications/{app.pk}/delivery", {"on": "2025-10-21", "note": "电子邮件发送"}, token=head
    )
    assert response.status_code == 200 and response.json()["delivered_on"] == "2025-10-21"
    response = api.post(f"/applications/{app.pk}/assign", {"unit": 999999}, token=head)
    assert response.status_code == 400 and "unit" in response.json()["errors"]


@pytest.mark.parametrize(
    ("received", "reply", "field"),
    [
        (RECEIVED, {"outcome": "open", "reply_type": "r08_public"}, "reply_type"),  # 2008 type, 2019 case
        (date(2013, 9, 30), {"outcome": "noprocess_4", "reply_type": "r19_massive"}, "outcome"),  # no Art. 35
        (RECEIVED, {"outcome": "granted", "reply_type": "r19_provide"}, "outcome"),
        (RECEIVED, {"outcome": "open", "reply_type": "r19_yes"}, "reply_type"),
        (RECEIVED, {"outcome": "refuse_4", "reply_type": "r19_withhold"}, "legal_basis"),
    ],
)
def test_a_reply_outside_the_rule_set_is_a_400_and_changes_nothing(
    world, api, token, register, received, reply, field
):
    app = register(received)
    raw = token("reviewer", "write")
    before = state(app)
    response = api.post(f"/applications/{app.pk}/reply", {**reply, "text": "x", "on": received.isoformat()},
                        token=raw)  # fmt: skip
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"] and field in response.json()["message"]
    assert state(app) == before


def test_a_fee_is_paid_or_waived(world, api, token, register):
    raw = token("reviewer", "write")
    app = register()
    response = api.post(f"/applications/{app.pk}/fees",
                        {"mode": "per_page", "pages": 250, "instructions": "银行转账", "on": "2025-10-09"},
                        token=raw)  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    fee = data["fees"][0]
    assert data["status"] == "fee" and fee["amount"] in ("4700.00", "4700", 4700, 4700.0)
    response = api.post(f"/applications/{app.pk}/fees/{fee['id']}/payment",
                        {"on": "2025-10-13", "receipt_number": "No.001"}, token=raw)  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["fees"][0]["status"] == "paid" and response.json()["status"] == "processing"

    waived = register()
    fee_id = api.post(f"/applications/{waived.pk}/fees",
                      {"mode": "per_page", "pages": 40, "instructions": "现金", "on": "2025-10-09"},
                      token=raw).json()["fees"][0]["id"]  # fmt: skip
    response = api.post(f"/applications/{waived.pk}/fees/{fee_id}/waiver",
                        {"reason": "申请人经济困难", "on": "2025-10-10"}, token=raw)  # fmt: skip
    assert response.status_code == 200 and response.json()["fees"][0]["status"] == "waived"
    assert (
        api.post(f"/applications/{app.pk}/fees/{fee_id}/waiver", {"reason": "x"}, token=raw).status_code
        == 404
    )


def test_fee_inputs_are_checked(world, api, token, register):
    raw = token("reviewer", "write")
    app = register()
    before = state(app)
    response = api.post(f"/applications/{app.pk}/fees", {"mode": "by_weight", "instructions": "x",
                                                         "on": "2025-10-09"}, token=raw)  # fmt: skip
    assert response.status_code == 400 and "mode" in response.json()["errors"]
    response = api.post(f"/applications/{app.pk}/fees", {"mode": "per_page", "pages": 20, "instructions": "x",
                                                         "on": "2025-10-09"}, token=raw)  # fmt: skip
    assert response.status_code == 400 and "pages" in response.json()["errors"]
    response = api.post(f"/applications/{app.pk}/fees", {"mode": "cost", "search_cost": "-1",
                                                         "instructions": "x"}, token=raw)  # fmt: skip
    assert response.status_code == 422
    assert state(app) == before


def test_withdrawal(world, api, token, register):
    app = register()
    response = api.post(f"/applications/{app.pk}/withdraw", {"reason": "申请人撤回", "on": "2025-10-09"},
                        token=token("clerk_a", "write"))  # fmt: skip
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["outcome"], data["reply_type"]) == ("closed", "other_3", "r19_withdrawn")


# --- refusals ---------------------------------------------------------------------------------------

WRITES = [
    ("confirm", {}),
    ("discard", {"reason": "x"}),
    ("forward", {"to": 0, "reason": "x"}),
    ("correction", {"items": "x", "period_days": 10, "on": "2025-09-29"}),
    ("correction-received", {"text": "x"}),
    ("consultations", {"kind": "third_party", "party": "x", "on": "2025-10-09"}),
    ("consultations/1/answer", {"answer": "consent"}),
    ("extend", {"days": 5, "reason": "x", "on": "2025-10-09"}),
    ("later-date", {"later_date": "2025-12-31", "reason": "x", "on": "2025-10-09"}),
    ("assign", {"unit": 0}),
    ("draft", {"outcome": "open", "reply_type": "r19_provide", "text": "x"}),
    ("return-draft", {"reason": "x"}),
    ("reply", {"outcome": "open", "reply_type": "r19_provide", "text": "x", "on": "2025-10-09"}),
    ("fees", {"mode": "per_page", "pages": 250, "instructions": "x", "on": "2025-10-09"}),
    ("fees/1/payment", {"on": "2025-10-10", "receipt_number": "x"}),
    ("fees/1/waiver", {"reason": "x"}),
    ("withdraw", {"reason": "x", "on": "2025-10-09"}),
    ("delivery", {"on": "2025-10-10", "note": "x"}),
]


def _fill(world, payload: dict) -> dict:
    return {**payload, **({"to": world.unit_b.pk} if "to" in payload else {}),
            **({"unit": world.unit_a.pk} if "unit" in payload else {})}  # fmt: skip


@pytest.mark.parametrize(("path", "payload"), WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("persona", ["clerk_b", "other_admin"])
def test_outsiders_writing_get_a_404_and_nothing_changes(world, api, token, register, persona, path, payload):
    app = register()
    raw = token(persona, "write")
    before = state(app)
    response = api.post(f"/applications/{app.pk}/{path}", _fill(world, payload), token=raw)
    assert response.status_code == 404, response.content
    assert state(app) == before


@pytest.mark.parametrize(("path", "payload"), WRITES, ids=[w[0] for w in WRITES])
def test_a_read_only_token_is_refused_on_every_write(world, api, token, register, path, payload):
    app = register()
    raw = token("reviewer", "read")
    before = state(app)
    response = api.post(f"/applications/{app.pk}/{path}", _fill(world, payload), token=raw)
    assert response.status_code == 403 and "read-only" in response.json()["message"]
    assert state(app) == before


def test_a_read_only_token_cannot_register(world, api, token, calendar_2025):
    response = api.post("/applications", {"organisation_id": world.unit_a.pk, "channel": "in_person",
                                          "submitted_on": "2025-09-26", **PERSON}, token=token("reviewer"))  # fmt: skip
    assert response.status_code == 403 and Application.objects.count() == 0


def test_the_supervisor_sees_but_does_not_handle(world, api, token, register):
    app = register()
    raw = token("supervisor", "write")
    before = state(app)
    assert api.get(f"/applications/{app.pk}", token=raw).status_code == 200
    response = api.post(f"/applications/{app.pk}/withdraw", {"reason": "x", "on": "2025-10-09"}, token=raw)
    assert response.status_code == 403
    assert state(app) == before


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"id_number": BAD_ID}, "id_number"),
        ({"channel": "registered_mail"}, "signed_for_on"),
        ({"channel": "pigeon"}, "channel"),
        ({"applicant_type": "alien"}, "applicant_type"),
        ({"delivery": "post", "address": ""}, "address"),
        ({"submitted_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "submitted_on"),
        ({"submitted_on": "2007-01-05"}, "submitted_on"),
        ({"organisation_id": 999999}, "organisation_id"),
    ],
)
def test_bad_applications_are_a_400_naming_the_field_and_store_nothing(world, api, token, calendar_2025, over,
                                                                      field):  # fmt: skip
    payload = {"organisation_id": world.unit_a.pk, "channel": "in_person", "submitted_on": "2025-09-26",
               **PERSON, **over}  # fmt: skip
    raw = token("reviewer", "write")
    events = AuditEvent.objects.count()
    response = api.post("/applications", payload, token=raw)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"] and field in response.json()["message"]
    assert Application.objects.count() == 0 and AuditEvent.objects.count() == events


def test_malformed_bodies_are_a_422_never_a_500(world, api, token, register):
    app = register()
    raw = token("reviewer", "write")
    assert api.post(f"/applications/{app.pk}/reply", {"outcome": "open"}, token=raw).status_code == 422
    assert (
        api.post(f"/applications/{app.pk}/extend", {"days": "many", "reason": "x"}, token=raw).status_code
        == 422
    )
    assert api.post(f"/applications/{app.pk}/delivery", {"on": "yesterday", "note": "x"},
                    token=raw).status_code == 422  # fmt: skip
    response = api.post("/applications", {"organisation_id": world.unit_a.pk}, token=raw)
    assert response.status_code == 422 and "channel" in response.json()["message"]


def test_a_future_date_is_a_400(world, api, token, register):
    app = register()
    raw = token("reviewer", "write")
    before = state(app)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api.post(f"/applications/{app.pk}/withdraw", {"reason": "x", "on": tomorrow}, token=raw)
    assert response.status_code == 400 and "on" in response.json()["errors"]
    assert state(app) == before


def test_a_step_in_the_wrong_state_is_a_400(world, api, token, register):
    app = register()
    response = api.post(f"/applications/{app.pk}/confirm", {}, token=token("reviewer", "write"))
    assert response.status_code == 400 and response.json()["message"]
