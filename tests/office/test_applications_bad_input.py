"""Bad input to the application pages: an error on the field, what was typed kept, never a 500."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongkai.applications import actions, actions_replies
from gongkai.applications.models import Application, Status
from tests.office import test_applications_support as support
from tests.office.test_applications_support import PDF, form_data, workdays_ago

_media, register = support._media, support.register  # fixtures


def field_errors(html: str, field: str, prefix: str = "id_") -> str:
    """The error list rendered for one field (empty if none)."""
    m = re.search(rf'<ul class="errorlist" id="{prefix}{field}_error">(.*?)</ul>', html, flags=re.S)
    return m.group(1) if m else ""


def post_register(client, world, **overrides):
    response = client.post("/office/applications/new/", form_data(organisation=world.unit_a.pk, **overrides))
    return response, response.content.decode()


def test_invalid_dates_are_refused_and_the_form_keeps_what_was_typed(world, as_):
    response, page = post_register(
        as_("clerk_a"), world, submitted_on="2025-13-45", signed_for_on="yesterday"
    )
    assert response.status_code == 200 and Application.objects.count() == 0
    assert "Enter a valid date." in field_errors(page, "submitted_on")
    assert "Enter a valid date." in field_errors(page, "signed_for_on")
    assert 'value="李明"' in page and 'value="2025-13-45"' in page and "部门预算表及说明" in page


def test_the_actions_messages_land_on_their_fields(world, as_):
    client = as_("clerk_a")
    response, page = post_register(client, world, id_number="430223198001010012", email="not-an-address")
    assert response.status_code == 200
    assert "last character does not match" in field_errors(page, "id_number")
    assert "Enter a valid e-mail address." in field_errors(page, "email")
    assert 'value="not-an-address"' in page

    _response, page = post_register(client, world, id_type="", id_number="")
    assert "2019 Art. 29 requires proof of identity" in field_errors(page, "id_type")
    _response, page = post_register(client, world, channel="ordinary_mail")
    assert "confirms it with the applicant" in field_errors(page, "confirmed_on")
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    _response, page = post_register(client, world, submitted_on=tomorrow)
    assert "cannot be in the future" in field_errors(page, "submitted_on")
    _response, page = post_register(client, world, submitted_on="1999-01-04")
    assert "No regulation on disclosure applied before 1 May 2008" in page
    _response, page = post_register(client, world, channel="online")
    assert "Select a valid choice" in field_errors(page, "channel")
    _response, page = post_register(
        client, world, applicant_name="", info_title="", delivery="post", address=""
    )
    assert "Give your name" in field_errors(page, "applicant_name")
    assert "Say which information you want" in field_errors(page, "info_title")
    assert "postal address to send the information to" in field_errors(page, "address")
    assert Application.objects.count() == 0


def test_an_executable_is_refused_as_a_document(world, as_):
    data = form_data(organisation=world.unit_a.pk)
    data["documents"] = [SimpleUploadedFile("id.exe", b"MZ\x90\x00" + b"\x00" * 64)]
    response = as_("clerk_a").post("/office/applications/new/", data)
    assert response.status_code == 200 and "not an accepted file type" in response.content.decode()
    assert Application.objects.count() == 0


@pytest.fixture
def app(register):
    return register(workdays_ago(2))


def step(client, app, name, data):
    response = client.post(f"/office/applications/{app.pk}/{name}/", data)
    assert response.status_code in (200, 302), response.status_code
    return response, response.content.decode()


def test_a_reply_type_outside_the_rule_set_or_the_result_is_refused(world, as_, app):
    client = as_("reviewer")
    # Not offered under the 2019 text at all: the select refuses it.
    response, page = step(client, app, "reply", {"outcome": "open", "reply_type": "r08_public", "text": "x"})
    assert response.status_code == 200 and "Select a valid choice" in field_errors(
        page, "reply_type", "reply_"
    )
    # Offered, but not for this result: the action refuses it, on the field.
    _r, page = step(client, app, "reply", {"outcome": "open", "reply_type": "r19_withhold", "text": "x"})
    assert "not allowed for this result under the 2019 text" in field_errors(page, "reply_type", "reply_")
    assert 'id="step-reply" open' in page and "x</textarea>" in page
    # A result that only follows from a missed period is not offered.
    _r, page = step(
        client, app, "reply", {"outcome": "other_1", "reply_type": "r19_no_correction", "text": "x"}
    )
    assert "Select a valid choice" in field_errors(page, "outcome", "reply_")
    _r, page = step(client, app, "reply", {"outcome": "partial", "reply_type": "r19_partial", "text": "x"})
    assert "Give the legal ground" in field_errors(page, "legal_basis", "reply_")
    _r, page = step(client, app, "reply", {"outcome": "refuse_1", "reply_type": "r19_withhold", "legal_basis": "第十四条",
                                           "text": "x", "documents": [SimpleUploadedFile("a.pdf", PDF)]})  # fmt: skip
    assert "Only information that is disclosed can be attached." in field_errors(page, "documents", "reply_")
    _r, page = step(client, app, "reply", {"outcome": "open", "reply_type": "r19_provide", "text": "x",
                                           "on": "2026-02-30"})  # fmt: skip
    assert "Enter a valid date." in field_errors(page, "on", "reply_")
    app.refresh_from_db()
    assert app.status == Status.PROCESSING and not app.documents.exists()


def test_an_extension_beyond_the_cap_or_without_approval_is_refused(world, as_, app):
    client = as_("reviewer")
    _r, page = step(
        client, app, "extend", {"days": "21", "reason": "档案多", "approved_by": world.reviewer.pk}
    )
    assert "may not exceed 20 working days in total (0 already granted)" in page
    _r, page = step(client, app, "extend", {"days": "99999999999", "reason": "档案多"})
    assert "less than or equal to 60" in field_errors(page, "days", "extend_")
    _r, page = step(client, app, "extend", {"days": "abc", "reason": "档案多", "approved_by": "999999"})
    assert "Enter a whole number." in field_errors(page, "days", "extend_")
    assert "Select a valid choice" in field_errors(page, "approved_by", "extend_")
    step(client, app, "extend", {"days": "15", "reason": "档案多", "approved_by": world.reviewer.pk})
    _r, page = step(client, app, "extend", {"days": "6", "reason": "还需", "approved_by": world.reviewer.pk})
    assert "(15 already granted)" in page and "At most 5 more working days." in page
    # A clerk cannot approve their own extension: only people who may approve are offered.
    clerk = as_("clerk_a")
    page = clerk.get(f"/office/applications/{app.pk}/").content.decode()
    offered = re.search(r'<select name="approved_by".*?</select>', page, flags=re.S).group(0)
    assert f'<option value="{world.reviewer.pk}"' in offered
    assert f'<option value="{world.clerk_a.pk}"' not in offered
    _r, page = step(clerk, app, "extend", {"days": "1", "reason": "x", "approved_by": world.clerk_a.pk})
    assert "Select a valid choice" in field_errors(page, "approved_by", "extend_")
    app.refresh_from_db()
    assert app.clock.extension_days == 15


def test_other_steps_refuse_bad_values_on_their_fields(world, as_, app):
    client = as_("reviewer")
    _r, page = step(client, app, "correction", {"items": "x", "period_days": "0"})
    assert "greater than or equal to 1" in field_errors(page, "period_days", "correction_")
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    _r, page = step(client, app, "correction", {"items": "x", "period_days": "5", "on": tomorrow})
    assert "cannot be in the future" in field_errors(page, "on", "correction_")
    _r, page = step(client, app, "fee", {"mode": "per_page", "pages": "abc", "instructions": "x"})
    assert "Enter a whole number." in field_errors(page, "pages", "fee_")
    _r, page = step(client, app, "fee", {"mode": "per_page", "pages": "20", "instructions": "x"})
    assert "Up to 30 pages are free." in field_errors(page, "pages", "fee_")
    _r, page = step(client, app, "fee", {"mode": "per_application", "instructions": "x"})
    assert "the first 10 are free" in field_errors(page, "mode", "fee_")
    _r, page = step(client, app, "fee", {"mode": "cost", "instructions": "x"})
    assert "Select a valid choice" in field_errors(page, "mode", "fee_")
    _r, page = step(client, app, "later-date", {"later_date": app.received_on.isoformat(), "reason": "x"})
    assert "must come after the current due date" in field_errors(page, "later_date", "later_date_")
    _r, page = step(client, app, "assign", {"unit": world.other_county.pk})
    assert "Select a valid choice" in field_errors(page, "unit", "assign_")
    _r, page = step(client, app, "assign", {"unit": world.unit_b.pk, "assignee": world.clerk_a.pk})
    assert "does not work for that unit" in field_errors(page, "assignee", "assign_")
    _r, page = step(client, app, "document", {"kind": "internal"})
    assert "This field is required." in field_errors(page, "file", "document_")
    consultation = actions.start_consultation(
        actor=world.reviewer, application=app, kind="third_party", party="甲公司"
    )
    _r, page = step(
        client, app, "consultation-answer", {"consultation": consultation.pk, "answer": "no_reply"}
    )
    assert "The period for answering runs until" in field_errors(page, "answer", "consultation_answer_")
    app.refresh_from_db()
    assert app.status == Status.CONSULTING and app.assigned_unit is None and not app.fees.exists()


def test_a_step_that_no_longer_fits_the_state_becomes_a_message(world, as_, app):
    client = as_("reviewer")
    response = client.post(f"/office/applications/{app.pk}/confirm/", {"on": ""}, follow=True)
    assert response.status_code == 200
    assert "Not possible while the application is “Being handled”." in response.content.decode()
    actions_replies.reply_application(actor=world.reviewer, application=app, outcome="open", reply_type="r19_public",
                                      text="已主动公开。")  # fmt: skip
    response = client.post(f"/office/applications/{app.pk}/payment/", {"on": "", "receipt_number": "1"})
    assert response.status_code == 200  # the date is required: the form is invalid, the step not shown
    response = client.post(
        f"/office/applications/{app.pk}/payment/",
        {"on": timezone.localdate().isoformat(), "receipt_number": "1"},
    )
    assert "There is no fee awaiting payment." in response.content.decode()
    response = client.post(f"/office/applications/{app.pk}/reply/", {"outcome": "open", "reply_type": "r19_public",
                                                                      "text": "again"})  # fmt: skip
    assert "This application is closed." in response.content.decode()


def test_too_many_files_are_refused_before_anything_is_stored(world, as_):
    data = form_data(organisation=world.unit_a.pk)
    data["documents"] = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(21)]
    response = as_("clerk_a").post("/office/applications/new/", data)
    assert "Upload at most 20 files at a time." in field_errors(response.content.decode(), "documents")
    assert Application.objects.count() == 0
