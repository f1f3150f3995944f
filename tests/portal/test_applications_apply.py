"""The online application form (/apply/): intake, check question, double submission, throttling."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from gongkai.applications import actions, actions_base
from gongkai.applications.models import Application, Document, DocumentKind, Status
from gongkai.orgs.actions import set_organisation_active
from tests.applications.conftest import PERSON

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 200


def page(response: Any) -> str:
    return response.content.decode()


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return unescape(match.group(1))


def solve(html: str) -> str:
    """The answer to the check question, read from its figures (e.g. "7 + 5 = ?")."""
    match = re.search(r"\((\d+) ([+−]) (\d+) = \?\)", html)
    assert match, "no check question on the page"
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    return str(a + b if op == "+" else a - b)


def form_data(html: str, org: Any, *, answer: str | None = None, **overrides: Any) -> dict[str, Any]:
    data = {**PERSON, "organisation": str(org.pk), "submission_key": hidden(html, "submission_key")}
    if 'name="captcha_token"' in html:
        data["captcha_token"] = hidden(html, "captcha_token")
        data["captcha_answer"] = solve(html) if answer is None else answer
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client: Client, world: Any, **overrides: Any) -> Any:
    html = page(client.get("/apply/"))
    return client.post("/apply/", form_data(html, world.unit_a, **overrides))


# --- the form ------------------------------------------------------------------------------------


def test_the_form_is_private_has_a_csrf_token_and_no_inline_script_or_style(world, en):
    response = en.get("/apply/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Page-Cache" not in response
    html = page(response)
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script" not in html and "style=" not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    for label in ("Agency applied to", "You apply as", "Name", "Identity document", "Document number",
                  "Telephone", "E-mail", "Postal address", "Title of the information", "Form wanted",
                  "Delivery", "Attachments (optional)", "Check question"):  # fmt: skip
        assert label in html, label
    assert '<optgroup label="攸县人民政府">' in html and '<optgroup label="茶陵县人民政府">' in html
    assert "Commercial enterprise" in html and "Legal services organisation" in html
    assert 'enctype="multipart/form-data"' in html


def test_the_agency_defaults_to_the_top_government_its_office_decides(world, en):
    set_organisation_active(actor=world.root, organisation=world.other_county, active=False, reason="测试")
    html = page(en.get("/apply/"))
    assert f'<option value="{world.county.pk}" selected>Not sure: 攸县人民政府' in html
    assert "茶陵县" not in html


def test_many_agencies_are_offered_a_government_at_a_time(world, en, monkeypatch):
    """A province offers its 5,000 agencies by government: the governments, then one's agencies."""
    from gongkai.portal import forms_applications

    monkeypatch.setattr(forms_applications, "AGENCY_LIST_MAX", 2)
    html = page(en.get("/apply/"))
    assert '<form method="get" action="/apply/"' in html and "Show its agencies" in html
    assert f'<option value="{world.county.pk}">Not sure: 攸县人民政府' in html
    assert f'<option value="{world.other_county.pk}">Not sure: 茶陵县人民政府' in html
    assert f'value="{world.unit_a.pk}"' not in html  # no department until a government is chosen

    html = page(en.get(f"/apply/?government={world.county.pk}"))
    assert f'<option value="{world.county.pk}" selected>攸县人民政府</option>' in html  # the "find" form
    assert '<optgroup label="攸县人民政府">' in html and f'value="{world.unit_a.pk}"' in html
    assert "茶陵县" not in html.split('<optgroup label="攸县人民政府">')[1].split("</optgroup>")[0]

    # A form shown again offers the chosen agency's government, the agency still selected.
    data = form_data(page(en.get("/apply/")), world.unit_a, email="not an e-mail")
    shown = page(en.post("/apply/", data))
    assert f'<option value="{world.unit_a.pk}" selected>' in shown
    for bad in ("abc", "999999", ""):  # a government that is none: the governments alone
        assert f'value="{world.unit_a.pk}"' not in page(en.get(f"/apply/?government={bad}"))
    response = submit(en, world)
    assert response.status_code == 302 and Application.objects.get().organisation == world.unit_a


def test_every_portal_page_links_the_form_and_tracking(world, en):
    html = page(en.get("/"))
    assert 'href="/apply/"' in html and 'href="/track/"' in html
    assert '<a href="/apply/" aria-current="page">' in page(en.get("/apply/"))


def test_large_text_mode_and_chinese_by_default(world, client):
    client.cookies["gk_large_text"] = "1"
    html = page(client.get("/apply/"))
    assert 'class="large-text' in html
    assert "等于多少？" in html  # the check question in Chinese words


# --- submitting ----------------------------------------------------------------------------------


def test_an_application_is_submitted_and_the_code_is_shown_once(world, en):
    response = submit(en, world, attachments=None)
    assert response.status_code == 302 and response["Location"] == "/apply/done/"
    app = Application.objects.get()
    assert app.status == Status.PENDING and app.channel == "online" and app.citizen is None
    assert app.organisation == world.unit_a and len(app.submission_key) >= 32

    done = en.get("/apply/done/")
    assert done["Cache-Control"] == "private, no-store"
    html = page(done)
    assert app.case_number in html
    code = re.search(r'Tracking code</dt><dd><strong class="token">([A-Z0-9]+)<', html).group(1)
    assert actions_base.find_by_tracking(app.case_number, code) == app
    assert "shown only once" in html
    assert "counts from the day the office confirms receipt" in html
    # The confirmation leads straight to the tracking page (the code is remembered in this session).
    assert en.get(f"/track/{app.case_number}/").status_code == 200


def test_attachments_are_stored_with_the_application(world, en):
    html = page(en.get("/apply/"))
    data = form_data(html, world.unit_a)
    data["attachments"] = [_upload("身份证.pdf", PDF), _upload("licence.pdf", PDF)]
    assert en.post("/apply/", data).status_code == 302
    docs = Document.objects.filter(kind=DocumentKind.APPLICANT)
    assert sorted(d.filename for d in docs) == ["licence.pdf", "身份证.pdf"]


def test_a_signed_in_citizens_application_is_linked_to_the_account(world, client):
    client.force_login(world.citizen)
    assert submit(client, world).status_code == 302
    assert Application.objects.get().citizen == world.citizen


def test_a_double_click_shows_the_first_confirmation_and_creates_one_application(world, en):
    html = page(en.get("/apply/"))
    data = form_data(html, world.unit_a)
    first = en.post("/apply/", data)
    second = en.post("/apply/", data)  # the same form, the same one-time key (and a used-up question)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == "/apply/done/"
    assert Application.objects.count() == 1
    assert Application.objects.get().case_number in page(en.get("/apply/done/"))


def test_the_same_form_from_another_session_neither_creates_nor_reveals_anything(world, en):
    html = page(en.get("/apply/"))
    data = form_data(html, world.unit_a)
    assert en.post("/apply/", data).status_code == 302
    app = Application.objects.get()
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.get("/apply/")
    response = other.post(
        "/apply/", data
    )  # a copied form: its key was used, its question is not this session's
    assert response.status_code == 200 and "already answered" in page(response)
    assert app.case_number not in page(response)
    assert "Nothing to show" in page(other.get("/apply/done/"))
    assert Application.objects.count() == 1


def test_a_simultaneous_second_submission_finds_the_first_or_says_it_was_sent(world, en, monkeypatch):
    """Two requests at the same moment: the second meets the used key before the first has stored
    its confirmation; it waits for it, and says the form was sent if it never comes."""
    monkeypatch.setattr("gongkai.portal.views_applications.time.sleep", lambda s: None)
    html = page(en.get("/apply/"))
    data = form_data(html, world.unit_a)
    actions.submit_application(
        actor=None, organisation=world.unit_a, submission_key=data["submission_key"], **PERSON
    )
    response = en.post("/apply/", data)
    assert response.status_code == 200
    assert "This form was already submitted" in page(response)
    assert Application.objects.count() == 1


def test_the_done_page_without_a_submission_shows_nothing(world, en):
    html = page(en.get("/apply/done/"))
    assert "Nothing to show" in html and "Tracking code</dt>" not in html


# --- errors: shown on the fields, values kept, never a 500 ------------------------------------------


def test_a_wrong_id_check_digit_is_shown_on_the_field_and_the_values_are_kept(world, en):
    bad = PERSON["id_number"][:-1] + ("0" if PERSON["id_number"][-1] != "0" else "1")
    response = submit(en, world, id_number=bad)
    assert response.status_code == 200
    html = page(response)
    assert "last character does not match" in html
    assert 'id="id_id_number_error"' in html and 'aria-invalid="true"' in html
    assert 'href="#id_id_number"' in html  # the error summary links to the field
    assert f'value="{bad}"' in html and 'value="李明"' in html and "2013年攸县财政局部门预算" in html
    assert Application.objects.count() == 0


def test_domain_errors_are_shown_together_with_form_errors(world, en):
    bad = PERSON["id_number"][:-1] + ("0" if PERSON["id_number"][-1] != "0" else "1")
    html = page(submit(en, world, id_number=bad, info_title="", postcode="12"))
    assert "last character does not match" in html and "A postcode has 6 digits." in html
    assert 'id="id_info_title_error"' in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "很" * 5001),
        ("info_title", "标" * 301),
        ("applicant_name", "名" * 201),
        ("phone", "1" * 41),
    ],
)
def test_huge_text_is_a_field_error(world, en, field, value):
    response = submit(en, world, **{field: value})
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in page(response)
    assert Application.objects.count() == 0


def test_nul_characters_and_unknown_choices_are_field_errors(world, en):
    response = submit(en, world, applicant_name="李\x00明", delivery="pigeon", organisation="999999")
    html = page(response)
    assert response.status_code == 200
    for field in ("applicant_name", "delivery", "organisation"):
        assert f'id="id_{field}_error"' in html, field


def test_a_missing_contact_and_an_invalid_email_are_field_errors(world, en):
    html = page(submit(en, world, phone="", email="", address="", delivery="download"))
    assert 'id="id_phone_error"' in html and "Give a telephone number, e-mail or postal address" in html
    html = page(submit(en, world, email="not-an-address"))
    assert 'id="id_email_error"' in html and "Enter a valid e-mail address." in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("身份证.pdf", EXE, "not an accepted file type"),
        ("scan.pdf", b"<html><script>alert(1)</script></html>", "not an accepted file type"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_bad_attachment_is_a_field_error(world, en, name, content, message):
    html = page(en.get("/apply/"))
    data = form_data(html, world.unit_a)
    data["attachments"] = [_upload(name, content)]
    response = en.post("/apply/", data)
    assert response.status_code == 200
    html = page(response)
    assert 'id="id_attachments_error"' in html and message in html
    assert "choose your attachments again" in html
    assert 'value="李明"' in html
    assert Application.objects.count() == 0


def test_too_many_and_too_large_attachments_are_field_errors(world, en, settings):
    settings.APPLY_MAX_FILES = 2
    settings.APPLY_UPLOAD_MAX_MB = 1
    html = page(en.get("/apply/"))
    data = form_data(html, world.unit_a)
    data["attachments"] = [_upload(f"{i}.pdf", PDF) for i in range(3)]
    assert "Attach at most 2 files." in page(en.post("/apply/", data))
    html = page(en.get("/apply/"))
    data = form_data(html, world.unit_a)
    data["attachments"] = [_upload("big.pdf", PDF + b"0" * (1024 * 1024))]
    assert "too large" in page(en.post("/apply/", data))
    assert Application.objects.count() == 0


# --- the check question --------------------------------------------------------------------------


def test_a_wrong_answer_is_refused_and_a_new_question_is_asked(world, en):
    html = page(en.get("/apply/"))
    wrong = str(int(solve(html)) + 1)
    response = en.post("/apply/", form_data(html, world.unit_a, answer=wrong))
    html2 = page(response)
    assert response.status_code == 200 and "That is not the answer" in html2
    assert 'id="id_captcha_answer_error"' in html2 and 'href="#id_captcha_answer"' in html2
    assert hidden(html2, "captcha_token") != hidden(html, "captcha_token")
    assert Application.objects.count() == 0
    # The same form, with the new question answered, goes through.
    data = form_data(html2, world.unit_a)
    assert data["submission_key"] == hidden(html, "submission_key")
    assert en.post("/apply/", data).status_code == 302


def test_a_missing_answer_is_refused(world, en):
    html = page(submit(en, world, captcha_answer=""))
    assert "Answer the check question." in html
    assert Application.objects.count() == 0


def test_answers_in_words_and_full_width_figures_are_accepted():
    from gongkai.portal.captcha import parse_answer

    assert parse_answer("１２") == 12 and parse_answer("十二") == 12 and parse_answer("twelve") == 12
    assert parse_answer(" 7 ") == 7 and parse_answer("七") == 7 and parse_answer("x") is None


def test_a_used_question_cannot_be_answered_again(world, en):
    html = page(en.get("/apply/"))
    data = form_data(html, world.unit_a, id_number="123")  # a wrong ID number: the form comes back
    assert en.post("/apply/", data).status_code == 200
    # A robot replays the first token with a fresh form key: the question is used up.
    replay = dict(data, submission_key="k" * 40, id_number=PERSON["id_number"])
    html2 = page(en.post("/apply/", replay))
    assert "already answered" in html2
    assert Application.objects.count() == 0


def test_an_expired_question_is_refused(world, en, settings):
    settings.CAPTCHA_SECONDS = -1
    html = page(submit(en, world))
    assert "The check question has expired" in html
    assert Application.objects.count() == 0


def test_a_passed_question_is_not_asked_again_for_the_same_form(world, en):
    html = page(en.get("/apply/"))
    response = en.post("/apply/", form_data(html, world.unit_a, id_number="123"))
    html2 = page(response)
    assert "You have already answered the check question" in html2 and "= ?)" not in html2
    data = form_data(html2, world.unit_a)  # no question on the page: no answer sent
    assert "captcha_answer" not in data
    assert en.post("/apply/", data).status_code == 302
    assert Application.objects.count() == 1


# --- throttling and CSRF -------------------------------------------------------------------------


def test_submissions_are_throttled_per_address(world, en, settings):
    settings.APPLY_THROTTLE_PER_HOUR = 2
    assert submit(en, world).status_code == 302
    assert submit(en, world).status_code == 302
    response = submit(en, world)
    assert response.status_code == 429
    assert response["Retry-After"] == "3600" and response["Cache-Control"] == "private, no-store"
    assert "Too many applications" in page(response)
    assert Application.objects.count() == 2
    # Another address is not affected.
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.9.9.9")
    assert submit(other, world).status_code == 302


def test_repeated_invalid_forms_are_throttled_too(world, en, settings):
    settings.APPLY_INVALID_PER_HOUR = 2
    for _ in range(2):
        assert submit(en, world, captcha_answer="999").status_code == 200
    assert submit(en, world).status_code == 429


def test_the_form_needs_its_csrf_token(world):
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    html = page(strict.get("/apply/"))
    data = form_data(html, world.unit_a)
    assert strict.post("/apply/", data).status_code == 403
    data["csrfmiddlewaretoken"] = hidden(html, "csrfmiddlewaretoken")
    assert strict.post("/apply/", data).status_code == 302


def _upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
