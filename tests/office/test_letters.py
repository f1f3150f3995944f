"""Back office: letter downloads, the organisations' letter wording, and the outbox."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import docx
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gongkai.applications import actions_templates as templates
from gongkai.applications import documents
from gongkai.applications.models import LetterKind, LetterTemplate
from gongkai.audit.models import AuditEvent
from gongkai.notifications.models import Message
from gongkai.notifications.send import notify
from tests.applications.conftest import PERSON

ON = date(2025, 9, 26)
TEMPLATES = "/office/letters/templates/"
OUTBOX = "/office/letters/outbox/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def register(world: Any) -> Any:
    from gongkai.applications import actions

    def do(organisation: Any = None, actor: Any = None, **overrides: Any) -> Any:
        app, _ = actions.register_application(
            actor=actor or world.reviewer, organisation=organisation or world.unit_a, channel="in_person",
            submitted_on=ON, **{**PERSON, **overrides},
        )  # fmt: skip
        return app

    return do


@pytest.fixture
def letter(register: Any) -> Any:
    return register().letters.get(kind=LetterKind.ACKNOWLEDGEMENT)


def edit_url(org: Any, kind: str = "acknowledgement") -> str:
    return f"{TEMPLATES}{org.pk}/{kind}/"


# --- downloads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk_a", "reviewer", "supervisor", "county_admin", "root"])
def test_the_agencys_staff_download_the_word_copy(world, as_, letter, who) -> None:
    response = as_(who).get(f"/office/letters/{letter.pk}.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_TYPE
    case = letter.application.case_number
    assert response["Content-Disposition"] == f'attachment; filename="{case}-acknowledgement.docx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "sandbox" in response["Content-Security-Policy"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert case in text and "政府信息公开申请登记回执" in text


@pytest.mark.parametrize("who", ["clerk_b", "other_admin", "window"])
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_outsiders_find_no_letter(world, as_, letter, who, fmt) -> None:
    assert as_(who).get(f"/office/letters/{letter.pk}.{fmt}").status_code == 404


def test_citizens_and_anonymous_visitors_get_no_letter(world, as_, letter) -> None:
    assert as_("citizen").get(f"/office/letters/{letter.pk}.docx").status_code == 403
    response = as_("anonymous").get(f"/office/letters/{letter.pk}.docx")
    assert response.status_code == 302 and "/office/login/" in response["Location"]


def test_a_missing_letter_and_a_post_are_refused(world, as_, letter) -> None:
    client = as_("clerk_a")
    assert client.get(f"/office/letters/{letter.pk + 1000}.docx").status_code == 404
    assert client.post(f"/office/letters/{letter.pk}.docx").status_code == 405


def test_the_pdf_copy(world, as_, letter) -> None:
    try:
        documents.weasyprint_module()
    except documents.PdfUnavailable:
        pytest.skip("WeasyPrint unavailable here")
    response = as_("clerk_a").get(f"/office/letters/{letter.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('-acknowledgement.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_without_pdf_support_the_page_says_so_and_offers_word(world, as_, letter, monkeypatch) -> None:
    def missing() -> Any:
        raise documents.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(documents, "weasyprint_module", missing)
    response = as_("clerk_a").get(f"/office/letters/{letter.pk}.pdf")
    assert response.status_code == 503
    body = response.content.decode()
    assert "PDF copies cannot be made on this server" in body and "libpango" not in body
    assert f'href="/office/letters/{letter.pk}.docx"' in body
    assert as_("clerk_a").get(f"/office/letters/{letter.pk}.docx").status_code == 200


# --- letter wording -----------------------------------------------------------------------------


def test_an_administrator_sees_where_each_wording_comes_from(world, as_) -> None:
    templates.save_letter_template(actor=world.county_admin, organisation=world.county, kind=LetterKind.FEE,
                                   title="县政府收费通知", body="请缴费{amount}元。")  # fmt: skip
    templates.save_letter_template(actor=world.county_admin, organisation=world.unit_a, kind=LetterKind.REPLY,
                                   title="财政局答复", body="答复如下：{decision}")  # fmt: skip
    response = as_("county_admin").get(TEMPLATES, {"organisation": world.unit_a.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "县政府收费通知" in body and "from 攸县人民政府" in body
    assert "财政局答复" in body and "own wording" in body and "default wording" in body
    for kind in LetterKind.values:
        assert f'href="{edit_url(world.unit_a, kind)}"' in body
    # Without a choice, the first organisation the administrator reaches is shown.
    assert "攸县人民政府" in as_("county_admin").get(TEMPLATES).content.decode()


@pytest.mark.parametrize("who", ["clerk_a", "clerk_b", "reviewer", "supervisor", "window", "citizen"])
def test_only_administrators_open_the_wording_pages(world, as_, who) -> None:
    assert as_(who).get(TEMPLATES).status_code == 403
    assert as_(who).get(edit_url(world.unit_a)).status_code in (403, 404)


def test_anonymous_visitors_are_sent_to_sign_in(world, as_) -> None:
    for url in (TEMPLATES, edit_url(world.unit_a), OUTBOX):
        response = as_("anonymous").get(url)
        assert response.status_code == 302 and "/office/login/" in response["Location"]


def test_another_countys_administrator_finds_nothing(world, as_) -> None:
    templates.save_letter_template(actor=world.county_admin, organisation=world.unit_a, kind=LetterKind.REPLY,
                                   title="财政局答复", body="答复如下：{decision}")  # fmt: skip
    client = as_("other_admin")
    assert client.get(TEMPLATES, {"organisation": world.unit_a.pk}).status_code == 404
    assert client.get(TEMPLATES, {"organisation": "platform"}).status_code == 404
    assert client.get(edit_url(world.unit_a, "reply")).status_code == 404
    response = client.post(edit_url(world.unit_a, "reply"), {"title": "改", "body": "改了"})
    assert response.status_code == 404
    assert client.post(f"{edit_url(world.unit_a, 'reply')}reset/").status_code == 404
    assert LetterTemplate.objects.get().title == "财政局答复"
    # Their own county is theirs to word.
    assert client.get(TEMPLATES).status_code == 200
    assert client.get(edit_url(world.other_county, "reply")).status_code == 200


def test_saving_the_wording_through_the_page(world, as_) -> None:
    client = as_("county_admin")
    page = client.get(edit_url(world.unit_a)).content.decode()
    assert "{case_number}" in page and "{applicant_name}" in page and "YSQ2026000123" in page  # placeholders
    assert "政府信息公开申请登记回执" in page  # the default wording to start from, and its preview
    response = client.post(edit_url(world.unit_a), {
        "title": "登记回执", "body": "{applicant_name}：\r\n\r\n已收到您的申请（{case_number}）。", "save": "",
    })  # fmt: skip
    assert (
        response.status_code == 302 and response["Location"] == f"{TEMPLATES}?organisation={world.unit_a.pk}"
    )
    template = LetterTemplate.objects.get(organisation=world.unit_a, kind="acknowledgement")
    assert template.body == "{applicant_name}：\n\n已收到您的申请（{case_number}）。"
    assert AuditEvent.objects.filter(
        verb="applications.save_letter_template", actor=world.county_admin
    ).exists()
    page = client.get(edit_url(world.unit_a)).content.decode()
    assert "Remove this organisation" in page and "/office/history/" in page


def test_unknown_placeholders_are_reported_on_the_form(world, as_) -> None:
    response = as_("county_admin").post(edit_url(world.unit_a), {
        "title": "登记回执", "body": "{applicant_name}：案件{case_no}，{<script>}", "save": "",
    })  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "Unknown placeholders: {case_no}, {&lt;script&gt;}" in body and "<script>" not in body
    assert not LetterTemplate.objects.exists()


def test_preview_fills_sample_values_without_saving(world, as_) -> None:
    response = as_("county_admin").post(edit_url(world.unit_a), {
        "title": "回执<b>", "body": "{applicant_name}：\n\n案件{case_number}已登记。", "preview": "",
    })  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "李明：" in body and "案件YSQ2026000123已登记。" in body and "回执&lt;b&gt;" in body
    assert not LetterTemplate.objects.exists()


def test_resetting_through_the_page(world, as_) -> None:
    templates.save_letter_template(actor=world.county_admin, organisation=world.unit_a, kind=LetterKind.REPLY,
                                   title="财政局答复", body="答复如下：{decision}")  # fmt: skip
    client = as_("county_admin")
    assert client.get(f"{edit_url(world.unit_a, 'reply')}reset/").status_code == 405
    response = client.post(f"{edit_url(world.unit_a, 'reply')}reset/")
    assert response.status_code == 302 and not LetterTemplate.objects.exists()


def test_the_platform_wording_is_for_platform_administrators(world, as_) -> None:
    url = f"{TEMPLATES}platform/reply/"
    assert as_("county_admin").get(url).status_code == 404
    client = as_("root")
    assert "The platform" in client.get(TEMPLATES).content.decode()
    response = client.post(url, {"title": "答复告知书", "body": "答复如下：{decision}", "save": ""})
    assert response.status_code == 302 and LetterTemplate.objects.get(organisation=None).title == "答复告知书"


def test_an_unknown_kind_or_organisation_is_not_found(world, as_) -> None:
    client = as_("root")
    assert client.get(edit_url(world.unit_a, "memo")).status_code == 404
    assert client.get(f"{TEMPLATES}999999/reply/").status_code == 404
    assert client.get(TEMPLATES, {"organisation": "abc"}).status_code == 404


# --- the outbox ---------------------------------------------------------------------------------


def recipients(response: Any) -> set[str]:
    return {m.recipient for m in response.context["page"]}


def test_the_outbox_shows_the_messages_of_the_users_organisations(world, as_, register) -> None:
    register(world.unit_a, email="a@example.com", phone="13800000001")
    register(world.unit_b, email="b@example.com", phone="13800000002")
    register(world.other_county, actor=world.other_admin, email="c@example.com", phone="13800000003")
    a, b, c = (
        {"a@example.com", "13800000001"},
        {"b@example.com", "13800000002"},
        {"c@example.com", "13800000003"},
    )
    assert recipients(as_("clerk_a").get(OUTBOX)) == a
    assert recipients(as_("clerk_b").get(OUTBOX)) == b
    assert recipients(as_("reviewer").get(OUTBOX)) == a | b
    assert recipients(as_("supervisor").get(OUTBOX)) == a | b
    assert recipients(as_("other_admin").get(OUTBOX)) == c
    assert recipients(as_("root").get(OUTBOX)) == a | b | c
    assert recipients(as_("window").get(OUTBOX)) == set()  # window staff do not handle applications
    assert as_("citizen").get(OUTBOX).status_code == 403


def test_the_outbox_filters_by_channel_and_status(world, as_, register) -> None:
    register(world.unit_a, email="a@example.com", phone="13800000001")
    client = as_("clerk_a")
    assert recipients(client.get(OUTBOX, {"channel": "sms"})) == {"13800000001"}
    assert recipients(client.get(OUTBOX, {"channel": "email"})) == {"a@example.com"}
    statuses = set(Message.objects.values_list("status", flat=True))
    for status in statuses:
        assert recipients(client.get(OUTBOX, {"status": status}))
    other = next(s for s in ("queued", "sent", "failed", "recorded") if s not in statuses)
    assert recipients(client.get(OUTBOX, {"status": other})) == set()
    assert len(recipients(client.get(OUTBOX, {"status": "bogus", "channel": "<x>"}))) == 2  # ignored


def test_message_text_is_shown_escaped(world, as_, register) -> None:
    app = register(world.unit_a)
    with transaction.atomic():
        notify(
            obj=app, subject="<b>主题</b>", body="<script>alert(1)</script>\n第二行", email="x@example.com"
        )
    body = as_("clerk_a").get(OUTBOX).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>第二行" in body and "<script>alert" not in body
    assert "&lt;b&gt;主题&lt;/b&gt;" in body


def test_the_outbox_pages_with_a_constant_number_of_queries(world, as_, register) -> None:
    app = register(world.unit_a)
    client = as_("clerk_a")

    def count() -> int:
        client.get(OUTBOX)  # warm the session and the user
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(OUTBOX, {"channel": "email"}).status_code == 200
        return len(ctx)

    few = count()
    with transaction.atomic():
        for i in range(60):
            notify(obj=app, subject=f"通知{i}", body="正文", email=f"n{i}@example.com")
    assert count() == few
    response = client.get(OUTBOX, {"channel": "email", "page": 2})
    assert response.context["page"].number == 2
    assert 'href="?channel=email&amp;page=1"' in response.content.decode()
