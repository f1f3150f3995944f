"""Tracking an application (/track/): look-up, what the applicant sees, corrections, withdrawal,
downloads, a citizen's own list, and that nobody else sees any of it."""

from __future__ import annotations

import html as htmlmod
import re
from typing import Any

import pytest
from django.test import Client

from gongkai.applications import actions, actions_replies
from gongkai.applications.idcard import mask
from gongkai.applications.models import Application, DocumentKind, Status
from gongkai.workdays.clock import explanation
from tests.applications.conftest import PERSON
from tests.factories import make_citizen

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PRIVATE = ("李明", PERSON["phone"], PERSON["id_number"], PERSON["email"], PERSON["address"])


def page(response: Any) -> str:
    return response.content.decode()


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def en_client(**extra: Any) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", **extra)


@pytest.fixture
def submitted(world: Any) -> tuple[Application, str]:
    return actions.submit_application(
        actor=None, organisation=world.unit_a, submission_key="test-key-" + "x" * 30,
        documents=[("身份证.pdf", PDF)], **PERSON,
    )  # fmt: skip


def look_up(client: Client, case_number: str, code: str) -> Any:
    return client.post("/track/", {"case_number": case_number, "tracking_code": code})


def signed_in_with_code(app: Application, code: str) -> Client:
    client = en_client()
    response = look_up(client, app.case_number, code)
    assert response.status_code == 302 and response["Location"] == f"/track/{app.case_number}/"
    return client


# --- look-up -------------------------------------------------------------------------------------


def test_the_look_up_form_is_private_and_posts_with_csrf(world, en):
    response = en.get("/track/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    html = page(response)
    assert 'method="post"' in html and 'name="csrfmiddlewaretoken"' in html
    assert "<script" not in html and "style=" not in html


def test_a_right_pair_opens_the_tracking_page(world, submitted):
    app, code = submitted
    client = en_client()
    # Codes are forgiving about case and spaces, as people copy them.
    response = look_up(client, app.case_number.lower(), " " + code[:5].lower() + " " + code[5:] + " ")
    assert response.status_code == 302
    detail = client.get(f"/track/{app.case_number}/")
    assert detail.status_code == 200
    assert detail["Cache-Control"] == "private, no-store" and "X-Page-Cache" not in detail
    html = page(detail)
    assert "Awaiting confirmation" in html
    assert "The reply period counts from the day the office confirms receipt" in html


def test_a_wrong_code_and_a_missing_case_look_the_same(world, submitted):
    app, code = submitted
    wrong_code = look_up(en_client(), app.case_number, "ABCDEFGHJK")
    missing = look_up(en_client(), "YSQ2099999999", code)
    assert wrong_code.status_code == missing.status_code == 200
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|value="[^"]*"', "", page(r))  # noqa: E731
    assert strip(wrong_code) == strip(missing)
    assert "No application matches this case number and tracking code" in page(wrong_code)


def test_guessing_is_throttled_per_address(world, submitted, settings):
    settings.TRACK_FAILURES_PER_HOUR = 3
    app, code = submitted
    client = en_client()
    for _ in range(3):
        assert look_up(client, app.case_number, "WRONGCODE2").status_code == 200
    blocked = look_up(client, app.case_number, code)  # even the right code: guessing must stop
    assert blocked.status_code == 429 and blocked["Retry-After"] == "3600"
    assert blocked["Cache-Control"] == "private, no-store"
    assert "Too many case numbers and tracking codes" in page(blocked)
    assert look_up(en_client(REMOTE_ADDR="10.1.2.3"), app.case_number, code).status_code == 302


def test_the_look_up_needs_its_csrf_token(world, submitted):
    app, code = submitted
    strict = Client(enforce_csrf_checks=True)
    assert look_up(strict, app.case_number, code).status_code == 403


# --- what the applicant sees -----------------------------------------------------------------------


def test_personal_data_is_masked(world, submitted):
    app, code = submitted
    html = page(signed_in_with_code(app, code).get(f"/track/{app.case_number}/"))
    for value in PRIVATE:
        assert value not in html, value
    assert "李*" in html and "138****0000" in html and "l***@example.com" in html
    assert mask(PERSON["id_number"]) in html
    assert PERSON["info_title"] in html  # what was asked for is shown in full


def test_status_due_date_explanation_steps_and_letters(world, submitted):
    app, code = submitted
    actions.confirm_receipt(actor=world.reviewer, application=app)
    app.refresh_from_db()
    html = htmlmod.unescape(page(signed_in_with_code(app, code).get(f"/track/{app.case_number}/")))
    assert "Being handled" in html
    assert app.received_on.isoformat() in html and app.clock.due_date.isoformat() in html
    first_line = explanation(app.clock, "en").splitlines()[0]
    assert first_line in html
    assert "Receipt confirmed: the reply period counts from this day." in html
    letter = app.letters.get()
    assert letter.title in html and letter.number in html  # the acknowledgement, in full


def test_a_consultation_shows_as_a_step_without_the_party_or_its_letter(world, submitted):
    app, code = submitted
    actions.confirm_receipt(actor=world.reviewer, application=app)
    actions.start_consultation(actor=world.reviewer, application=app, kind="third_party", party="王某某商行")
    html = page(signed_in_with_code(app, code).get(f"/track/{app.case_number}/"))
    assert "The agency asked a third party for its view." in html
    assert "王某某商行" not in html and "征求意见函" not in html
    assert "Consulting a third party" in html


def test_a_closed_case_offers_the_disclosed_information_as_a_download(world, submitted):
    app, code = submitted
    actions.confirm_receipt(actor=world.reviewer, application=app)
    actions_replies.reply_application(actor=world.reviewer, application=app, outcome="open", reply_type="r19_provide",
                                      text="予以公开。", documents=[("2013年预算.pdf", PDF)])  # fmt: skip
    actions.add_document(
        actor=world.reviewer, application=app, kind="internal", name="内部审批单.pdf", data=PDF
    )
    client = signed_in_with_code(app, code)
    html = page(client.get(f"/track/{app.case_number}/"))
    assert "Closed" in html and "2013年预算.pdf" in html and "身份证.pdf" in html
    assert "内部审批单" not in html
    assert "Withdraw the application" not in html  # nothing left to withdraw

    disclosed = app.documents.get(kind=DocumentKind.DISCLOSED)
    response = client.get(f"/track/{app.case_number}/documents/{disclosed.pk}/")
    assert response.status_code == 200 and body(response) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    own = app.documents.get(kind=DocumentKind.APPLICANT)
    assert client.get(f"/track/{app.case_number}/documents/{own.pk}/").status_code == 200
    internal = app.documents.get(kind=DocumentKind.INTERNAL)
    assert client.get(f"/track/{app.case_number}/documents/{internal.pk}/").status_code == 404


# --- nobody else ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "reviewer", "clerk_a", "county_admin", "root"])
def test_nobody_else_sees_the_case_or_its_documents(world, submitted, persona):
    """Another visitor, another citizen, and staff of the agency itself: the look-up page, with a 404."""
    app, code = submitted
    doc = app.documents.get()
    client = en_client()
    user = getattr(world, persona)
    if user.is_authenticated:
        client.force_login(user)
    detail = client.get(f"/track/{app.case_number}/")
    missing = client.get("/track/YSQ2099999999/")
    assert detail.status_code == missing.status_code == 404
    assert detail["Cache-Control"] == "private, no-store"
    html = page(detail)
    for value in (*PRIVATE, PERSON["info_title"], "李*"):
        assert value not in html, value
    assert "enter its case number and tracking code" in html
    document = client.get(f"/track/{app.case_number}/documents/{doc.pk}/")
    assert document.status_code == 404 and document["Cache-Control"] == "private, no-store"
    for url in (f"/track/{app.case_number}/withdraw/", f"/track/{app.case_number}/correction/"):
        assert client.post(url, {"withdraw-confirm": "on", "correction-text": "x"}).status_code == 404
    assert Application.objects.get().status == Status.PENDING


def test_a_code_proved_for_one_case_opens_no_other(world, submitted):
    app, code = submitted
    other, other_code = actions.submit_application(actor=None, organisation=world.unit_b, **PERSON)
    client = signed_in_with_code(app, code)
    assert client.get(f"/track/{other.case_number}/").status_code == 404
    assert look_up(client, other.case_number, code).status_code == 200  # the first code does not fit
    assert client.get(f"/track/{other.case_number}/").status_code == 404


def test_closing_the_case_on_this_device_forgets_the_code(world, submitted):
    app, code = submitted
    client = signed_in_with_code(app, code)
    assert client.post(f"/track/{app.case_number}/forget/").status_code == 302
    assert client.get(f"/track/{app.case_number}/").status_code == 404


# --- a citizen's own applications ----------------------------------------------------------------


def test_a_citizen_sees_their_own_applications_without_the_code(world, submitted):
    mine, _code = actions.submit_application(
        actor=world.citizen, organisation=world.unit_a, **dict(PERSON, info_title="我的申请")
    )
    client = en_client()
    client.force_login(world.citizen)
    listing = client.get("/my/applications/")
    assert listing["Cache-Control"] == "private, no-store"
    html = page(listing)
    assert mine.case_number in html and "我的申请" in html
    assert submitted[0].case_number not in html  # an anonymous application is nobody's account's
    assert f'href="/track/{mine.case_number}/"' in html
    assert client.get(f"/track/{mine.case_number}/").status_code == 200

    stranger = make_citizen(username="stranger")
    other = en_client()
    other.force_login(stranger)
    assert mine.case_number not in page(other.get("/my/applications/"))
    assert other.get(f"/track/{mine.case_number}/").status_code == 404


def test_staff_see_no_one_elses_applications_on_the_portal(world):
    mine, _code = actions.submit_application(actor=world.citizen, organisation=world.unit_a, **PERSON)
    client = en_client()
    client.force_login(world.reviewer)  # may handle the case in the back office, but not here
    assert mine.case_number not in page(client.get("/my/applications/"))
    assert client.get(f"/track/{mine.case_number}/").status_code == 404


def test_my_applications_asks_an_anonymous_visitor_to_use_the_code(world, en):
    response = en.get("/my/applications/")
    assert response.status_code == 200 and "You are not signed in" in page(response)


# --- correction ----------------------------------------------------------------------------------


@pytest.fixture
def awaiting_correction(world: Any, submitted: tuple[Application, str]) -> tuple[Application, str]:
    app, code = submitted
    actions.confirm_receipt(actor=world.reviewer, application=app)
    actions.request_correction(
        actor=world.reviewer, application=app, items="请补充文件的文号和成文年份。", period_days=10
    )
    app.refresh_from_db()
    return app, code


def test_the_applicant_sends_a_correction_with_a_document(world, awaiting_correction):
    app, code = awaiting_correction
    client = signed_in_with_code(app, code)
    html = page(client.get(f"/track/{app.case_number}/"))
    assert "Awaiting correction" in html and "请补充文件的文号和成文年份。" in html
    assert 'action="/track/' in html and 'name="correction-text"' in html
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"/track/{app.case_number}/correction/", {
        "correction-text": "文号为攸财发〔2013〕5号。",
        "correction-documents": [SimpleUploadedFile("补充.pdf", PDF)],
    })  # fmt: skip
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.PROCESSING
    assert app.corrections.get().corrected_text == "文号为攸财发〔2013〕5号。"
    assert app.documents.filter(kind=DocumentKind.CORRECTION).count() == 1
    html = page(client.get(f"/track/{app.case_number}/"))
    assert "Your correction was sent" in html
    assert "Your correction was received: the reply period starts again." in html


def test_an_empty_or_bad_correction_is_a_field_error(world, awaiting_correction):
    app, code = awaiting_correction
    client = signed_in_with_code(app, code)
    html = page(client.post(f"/track/{app.case_number}/correction/", {"correction-text": "  "}))
    assert "Write the correction or attach a document." in html and 'href="#id_correction-text"' in html
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"/track/{app.case_number}/correction/", {
        "correction-text": "见附件", "correction-documents": [SimpleUploadedFile("x.pdf", b"MZ\x90\x00evil")],
    })  # fmt: skip
    assert response.status_code == 200 and "not an accepted file type" in page(response)
    huge = client.post(f"/track/{app.case_number}/correction/", {"correction-text": "字" * 5001})
    assert huge.status_code == 200 and 'id="id_correction-text_error"' in page(huge)
    app.refresh_from_db()
    assert app.status == Status.CORRECTION


def test_a_signed_in_citizen_corrects_without_the_code(world):
    app, _code = actions.submit_application(actor=world.citizen, organisation=world.unit_a, **PERSON)
    actions.confirm_receipt(actor=world.reviewer, application=app)
    actions.request_correction(actor=world.reviewer, application=app, items="补充文号", period_days=5)
    client = en_client()
    client.force_login(world.citizen)
    assert (
        client.post(f"/track/{app.case_number}/correction/", {"correction-text": "文号如下"}).status_code
        == 302
    )
    app.refresh_from_db()
    assert app.status == Status.PROCESSING


def test_correction_and_withdrawal_need_the_csrf_token(world, awaiting_correction):
    app, code = awaiting_correction
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = signed_in_with_code(app, code).cookies
    assert strict.get(f"/track/{app.case_number}/").status_code == 200
    assert strict.post(f"/track/{app.case_number}/correction/", {"correction-text": "x"}).status_code == 403
    assert strict.post(f"/track/{app.case_number}/withdraw/", {"withdraw-confirm": "on"}).status_code == 403


# --- withdrawal ----------------------------------------------------------------------------------


def test_withdrawing_needs_the_confirmation_box(world, submitted):
    app, code = submitted
    client = signed_in_with_code(app, code)
    html = page(client.post(f"/track/{app.case_number}/withdraw/", {"withdraw-reason": "不需要了"}))
    assert "Tick the box to confirm" in html and 'href="#id_withdraw-confirm"' in html
    assert "不需要了" in html
    app.refresh_from_db()
    assert app.status == Status.PENDING


def test_withdrawing_before_receipt_leaves_no_case(world, submitted):
    app, code = submitted
    client = signed_in_with_code(app, code)
    response = client.post(f"/track/{app.case_number}/withdraw/", {"withdraw-confirm": "on"})
    assert response.status_code == 200 and "Application withdrawn" in page(response)
    app.refresh_from_db()
    assert app.status == Status.DISCARDED
    assert client.get(f"/track/{app.case_number}/").status_code == 404


def test_withdrawing_a_case_being_handled_closes_it(world, submitted):
    app, code = submitted
    actions.confirm_receipt(actor=world.reviewer, application=app)
    client = signed_in_with_code(app, code)
    response = client.post(
        f"/track/{app.case_number}/withdraw/", {"withdraw-confirm": "on", "withdraw-reason": "已自行找到"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.CLOSED and app.outcome == "other_3"
    html = page(client.get(f"/track/{app.case_number}/"))
    assert "Your application was withdrawn." in html and "Closed" in html


def test_odd_case_numbers_never_fail(world, en):
    for number in ("x" * 300, "%00", "YSQ'--", "..", "ysq2025000001"):
        response = en.get(f"/track/{number}/")
        assert response.status_code == 404, number


def test_the_due_date_is_explained_in_the_pages_language(world, submitted):
    app, code = submitted
    actions.confirm_receipt(actor=world.reviewer, application=app)
    app.refresh_from_db()
    client = Client()  # Chinese, the default
    look_up(client, app.case_number, code)
    html = htmlmod.unescape(page(client.get(f"/track/{app.case_number}/")))
    assert explanation(app.clock, "zh").splitlines()[0] in html
