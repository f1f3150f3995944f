"""Who reaches which application pages and steps: outsiders get a 404, never a hint."""

from __future__ import annotations

import pytest

from gongkai.applications import actions, actions_replies
from tests.office import test_applications_support as support
from tests.office.test_applications_support import PDF, PERSON

_media, register = support._media, support.register  # fixtures

OUTSIDERS = ("clerk_b", "window", "other_admin")


@pytest.fixture
def case(world, register):
    """A case of unit A with a letter and a document (registered by the reviewer)."""
    app = register(documents=[("身份证.pdf", PDF)])
    return app, app.letters.get(), app.documents.get()


def urls(app, letter, doc) -> list[str]:
    base = f"/office/applications/{app.pk}"
    return [f"{base}/", f"{base}/registered/", f"{base}/letters/{letter.pk}/", f"{base}/documents/{doc.pk}/"]


STEP_URLS = ["confirm", "correction", "extend", "assign", "draft", "reply", "fee", "withdraw", "document"]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_a_404_for_the_case_its_letters_documents_and_steps(world, as_, case, persona):
    app, letter, doc = case
    client = as_(persona)
    for url in urls(app, letter, doc):
        assert client.get(url).status_code == 404, url
    for name in STEP_URLS:
        response = client.post(f"/office/applications/{app.pk}/{name}/", {"reason": "x", "on": ""})
        assert response.status_code == 404, name
    # The queue does not show it (and its agency is not offered as a filter).
    page = client.get("/office/applications/").content.decode()
    assert app.case_number not in page and "攸县财政局" not in page
    found = client.get(f"/office/applications/?q={app.case_number}").content.decode()
    assert f"/office/applications/{app.pk}/" not in found and "No applications match." in found


def test_a_missing_case_looks_like_a_forbidden_one(world, as_, case):
    app, letter, doc = case
    client = as_("reviewer")
    assert client.get(f"/office/applications/{app.pk + 1000}/").status_code == 404
    assert client.get(f"/office/applications/{app.pk}/letters/{letter.pk + 1000}/").status_code == 404
    assert client.get(f"/office/applications/{app.pk}/documents/{doc.pk + 1000}/").status_code == 404
    assert client.post(f"/office/applications/{app.pk + 1000}/confirm/").status_code == 404
    other = support.PERSON | {"applicant_name": "王五"}
    second, _code = actions.register_application(
        actor=world.reviewer, organisation=world.unit_b, channel="in_person",
        submitted_on=app.received_on, **other,
    )  # fmt: skip
    # A letter of another case is not reached through this one's URL.
    assert client.get(f"/office/applications/{app.pk}/letters/{second.letters.get().pk}/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(world, client, case):
    app, letter, doc = case
    for url in ["/office/applications/", "/office/applications/new/", *urls(app, letter, doc)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/office/login/?next="), url
    response = client.post(f"/office/applications/{app.pk}/reply/", {"outcome": "open"})
    assert response.status_code == 302 and response["Location"].startswith("/office/login/")


def test_citizens_are_refused_even_their_own_case(world, as_, case):
    app, letter, doc = case
    own, _code = actions.submit_application(actor=world.citizen, organisation=world.unit_a, **PERSON)
    client = as_("citizen")
    for url in ["/office/applications/", "/office/applications/new/", f"/office/applications/{own.pk}/",
                *urls(app, letter, doc)]:  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.post(f"/office/applications/{own.pk}/withdraw/", {"reason": "x"}).status_code == 403


def test_the_supervisor_reads_but_takes_no_step(world, as_, case):
    app, letter, doc = case
    client = as_("supervisor")
    page = client.get(f"/office/applications/{app.pk}/").content.decode()
    assert (
        app.case_number in page
        and "What can be done" not in page
        and '<form method="post" action="/office/applications' not in page
    )
    assert client.get(f"/office/applications/{app.pk}/letters/{letter.pk}/").status_code == 200
    assert (
        client.post(
            f"/office/applications/{app.pk}/correction/", {"items": "x", "period_days": 5}
        ).status_code
        == 403
    )
    assert client.get("/office/applications/new/").status_code == 403
    app.refresh_from_db()
    assert app.status == "processing"


def test_a_clerk_handles_and_drafts_but_the_office_decides(world, as_, case):
    app, _letter, _doc = case
    client = as_("clerk_a")
    page = client.get(f"/office/applications/{app.pk}/").content.decode()
    assert "Ask for a correction" in page and "Draft the reply" in page
    assert "Decide and reply" not in page and "Set a later reply date" not in page
    response = client.post(f"/office/applications/{app.pk}/reply/", {"outcome": "open", "reply_type": "r19_provide",
                                                                      "text": "x"})  # fmt: skip
    assert response.status_code == 403
    assert client.post(f"/office/applications/{app.pk}/later-date/", {}).status_code == 403
    app.refresh_from_db()
    assert app.status == "processing"


def test_the_drafting_unit_sees_the_assigned_case_but_not_its_history(world, as_, register):
    app = register(organisation=world.unit_b)
    actions_replies.assign_application(
        actor=world.reviewer, application=app, unit=world.unit_a, assignee=world.clerk_a
    )
    client = as_("clerk_a")
    page = client.get(f"/office/applications/{app.pk}/").content.decode()
    assert "Draft the reply" in page and "/office/history/" not in page
    assert "Ask for a correction" not in page  # handling stays with the agency applied to
    assert app.case_number in client.get("/office/applications/?queue=mine").content.decode()
    assert client.post(f"/office/applications/{app.pk}/correction/", {"items": "x"}).status_code == 403
    response = client.post(f"/office/applications/{app.pk}/draft/", {"outcome": "open", "reply_type": "r19_public",
                                                                      "text": "已主动公开。"})  # fmt: skip
    assert response.status_code == 302
    assert "/office/history/" in as_("reviewer").get(f"/office/applications/{app.pk}/").content.decode()


def test_registration_offers_only_the_agencies_one_handles(world, as_):
    page = as_("clerk_b").get("/office/applications/new/").content.decode()
    assert "攸县教育局" in page and "攸县财政局" not in page
    response = as_("clerk_b").post(
        "/office/applications/new/", support.form_data(organisation=world.unit_a.pk)
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    for persona in ("window", "supervisor"):
        assert as_(persona).get("/office/applications/new/").status_code == 403, persona
    assert "Register an application" not in as_("window").get("/office/applications/").content.decode()


def test_steps_take_only_post(world, as_, case):
    app, _letter, _doc = case
    client = as_("reviewer")
    assert client.get(f"/office/applications/{app.pk}/confirm/").status_code == 405
    assert client.post(f"/office/applications/{app.pk}/no-such-step/").status_code == 404
    assert client.post(f"/office/applications/{app.pk}/").status_code == 405
