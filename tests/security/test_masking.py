"""Personal data never reaches the public: pages, exports, feeds, search and the public API.

A citizen with a distinctive name, mobile, identity card number (身份证号), e-mail and address
applies for information, writes to the leader mailbox (and agrees to publication of the Q&A),
comments on a draft decision, applies for a service online and has a case completed at the
centre; a dispute is recorded and the annual report is published. Every public response —
portal pages, feeds, sitemap, search for the data itself, the tracking look-ups, the annual
report's JSON/XLSX/DOCX and the public API — is then searched for every piece of that data.

``build_records`` (used by the browser XSS test too) makes all of these records through the
actions, with the text of every user-supplied field given by a function of the field's name.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import timezone

from gongkai.applications import actions as app_actions
from gongkai.applications.idcard import check_char
from gongkai.disclosure import actions as item_actions
from gongkai.disclosure.models import Category as ItemCategory
from gongkai.interaction import actions as letter_actions
from gongkai.interaction import actions_decisions as decision_actions
from gongkai.interaction.models import Category as LetterCategory
from gongkai.interaction.models import ChannelKind
from gongkai.orgs.actions import update_organisation
from gongkai.records import actions as record_actions
from gongkai.reports import actions as report_actions
from gongkai.services import actions as svc_actions
from gongkai.services.models import ApplicantKind, CaseResult
from tests.applications.conftest import PERSON
from tests.portal import test_services_support as services_support

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
REPORT_YEAR = timezone.localdate().year - 1

Text = Callable[[str], str]


@dataclass
class Records:
    world: Any
    item: Any = None
    news: Any = None
    attachment: Any = None
    application: Any = None
    application_code: str = ""
    letter: Any = None
    letter_code: str = ""
    service_item: Any = None
    case: Any = None
    case_code: str = ""
    online_case: Any = None
    online_code: str = ""
    decision: Any = None
    comment: Any = None
    dispute: Any = None
    report: Any = None
    services: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def _vocabularies() -> None:
    """What the migrations seed (a live server's transactional database is emptied between tests)."""
    if not ItemCategory.objects.exists():
        import_module("gongkai.disclosure.migrations.0002_vocabularies").seed(django_apps, None)


def build_records(world: Any, text: Text, person: dict[str, str]) -> Records:
    """Every kind of record whose user-supplied text the public or the office sees.

    ``text(key)`` gives the text of a free-text field; ``person`` the citizen's name, phone,
    id_number, email and address (the fields whose formats the actions check).
    """
    _vocabularies()
    r = Records(world=world)
    today = timezone.localdate()
    # The service centre first: the personas' role scopes are cached once they act.
    r.services = services_support.make_services(world)

    # Organisation contacts (the guide shows them).
    update_organisation(actor=world.root, organisation=world.unit_a, name=text("org name")[:200],
                        short_name=text("org short")[:60], office_name=text("org office"), address=text("org address"),
                        office_hours=text("org hours"), phone=text("org phone")[:60], fax=text("org fax")[:60])  # fmt: skip

    # A disclosure item with its metadata, body, keywords, 文号 and an attachment; a news article.
    item = item_actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title=text("item title"), summary=text("item summary"),
        body=f"<p>{text('item body')}</p><a href=\"javascript:window.__xss=1\">link</a>"
             f"<img src=x onerror=\"window.__xss=1\"><iframe src=\"javascript:window.__xss=1\"></iframe>",
        keywords=text("item keywords"), doc_number=text("item doc number")[:100],
        formed_on=today - timedelta(days=2), category=ItemCategory.objects.get(code="budget"),
    )  # fmt: skip
    r.attachment = item_actions.add_attachment(actor=world.clerk_a, item=item, name=text("attachment") + ".pdf",
                                               data=PDF)  # fmt: skip
    r.item = item_actions.publish_item(actor=world.reviewer, item=item)
    news = item_actions.create_item(actor=world.clerk_a, organisation=world.unit_a, kind="news",
                                    title=text("news title"), summary=text("news summary"),
                                    body=f"<p>{text('news body')}</p>", formed_on=today - timedelta(days=1))  # fmt: skip
    r.news = item_actions.publish_item(actor=world.reviewer, item=news)

    # An application for disclosure from the portal.
    r.application, r.application_code = app_actions.submit_application(
        actor=None, organisation=world.unit_a,
        **{**PERSON, "applicant_name": person["name"], "id_number": person["id_number"], "phone": person["phone"],
           "email": person["email"], "address": person["address"], "info_title": text("application title"),
           "description": text("application description")},
    )  # fmt: skip
    app_actions.confirm_receipt(actor=world.reviewer, application=r.application)

    # A letter to the leader mailbox, answered and published as Q&A.
    channel = letter_actions.create_channel(actor=world.county_admin, organisation=world.county,
                                            kind=ChannelKind.MAILBOX, name=text("channel")[:100])  # fmt: skip
    body = (f"{text('letter body')} 我是{person['name']}，电话{person['phone']}，身份证号{person['id_number']}，"
            f"邮箱{person['email']}，住{person['address']}。")  # fmt: skip
    letter, r.letter_code = letter_actions.submit_letter(
        actor=None, channel=channel, category=LetterCategory.objects.get(code="complaint"),
        writer_name=person["name"], phone=person["phone"], email=person["email"], address=person["address"],
        subject=text("letter subject"), body=body, publish_consent=True,
    )  # fmt: skip
    letter_actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
    letter_actions.assign_letter(actor=world.reviewer, letter=letter, lead_unit=world.unit_a)
    letter_actions.draft_letter_reply(
        actor=world.clerk_a, letter=letter, text=text("letter reply") + "，已安排处理。"
    )
    r.letter = letter_actions.approve_reply(actor=world.reviewer, letter=letter, publish=True)

    # A consultation on a draft decision, with a published comment.
    decision = decision_actions.create_decision(actor=world.reviewer, organisation=world.county,
                                                title=text("decision title"), summary=text("decision summary"),
                                                body=text("decision body") + "\n第一条 为规范管理，制定本办法。")  # fmt: skip
    r.decision = decision_actions.open_for_comment(actor=world.reviewer, decision=decision, opens_on=today,
                                                   closes_on=today + timedelta(days=30))  # fmt: skip
    comment = decision_actions.submit_comment(
        actor=None, decision=r.decision, name=person["name"], contact=person["phone"],
        text=f"{text('comment')} 我是{person['name']}，电话{person['phone']}。",
    )  # fmt: skip
    r.comment = decision_actions.moderate_comment(actor=world.reviewer, comment=comment, publish=True)

    # Government services: an item in the guide, a case completed at the window, an online case.
    services = r.services
    r.service_item = services_support.make_item(
        world, services.window, name=text("service name")[:200], conditions=text("service conditions"),
        materials=text("service materials"), process=text("service process"), online=True,
        location=text("service location")[:200],
    )  # fmt: skip
    applicant = {"applicant_kind": ApplicantKind.PERSON, "applicant_name": person["name"],
                 "id_number": person["id_number"], "phone": person["phone"], "email": person["email"],
                 "address": person["address"]}  # fmt: skip
    case, r.case_code = svc_actions.receive_case(actor=services.centre_staff, item=r.service_item,
                                                 window=services.window, description=text("case description"),
                                                 **applicant)  # fmt: skip
    r.case = svc_actions.complete_case(actor=services.centre_staff, case=case, result=CaseResult.APPROVED,
                                       certificate_number="ZS-0001")  # fmt: skip
    r.online_case, r.online_code = svc_actions.submit_case_online(
        actor=None, item=r.service_item, description=text("online description"), **applicant,
    )  # fmt: skip

    # A review case about a disclosure decision.
    world.fresh(world.reviewer)
    r.dispute = record_actions.save_dispute(
        actor=world.reviewer, organisation=world.unit_a, kind="review", reference=text("dispute reference")[:100],
        subject=text("dispute subject")[:200], body=text("dispute body"), note=text("dispute note"),
        filed_on=today,
    )  # fmt: skip

    # Last year's annual report, with office-written narrative sections, published.
    report = report_actions.generate_report(actor=world.reviewer, organisation=world.county, year=REPORT_YEAR)
    report = report_actions.edit_narrative(actor=world.reviewer, report=report,
                                           sections={"problems": text("report problems"),
                                                     "other": text("report other")})  # fmt: skip
    report = report_actions.review_report(actor=world.reviewer, report=report)
    report_actions.publish_report(actor=world.reviewer, report=report)
    r.report = report
    return r


# --- the masking test ------------------------------------------------------------------------------

ID_BODY = "43022319870615341"
PERSON_DATA = {
    "name": "欧阳震霆",
    "phone": "13973312468",
    "id_number": ID_BODY + check_char(ID_BODY),
    "email": "ouyang.zhenting@example.net",
    "address": "攸县联星街道翠湖花园7栋1203室",
}


def plain(key: str) -> str:
    return {"report problems": "一是部分单位信息发布不够及时。", "report other": "无。"}.get(
        key, f"关于{key}的内容说明"
    )


def leaks(body: str) -> list[str]:
    """The pieces of personal data found in ``body`` (also without separators, in HTML escapes)."""
    found = []
    for label, value in PERSON_DATA.items():
        if value in body:
            found.append(label)
    digits = re.sub(r"\D", "", body)
    for label in ("phone", "id_number"):
        if PERSON_DATA[label][:-1] in digits and label not in found:
            found.append(f"{label} (digits)")
    if "ouyang.zhenting" in body.lower() and "email" not in found:
        found.append("email (local part)")
    if "翠湖花园7栋" in body and "address" not in found:
        found.append("address (house number)")
    return found


def response_text(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if "openxmlformats" in content_type or body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                             if n.endswith(".xml"))  # fmt: skip
    return body.decode("utf-8", "replace")


def public_paths(r: Records) -> list[str]:
    w = r.world
    code = w.county.code
    paths = [
        "/", "/catalogue/", "/news/", f"/items/{r.item.pk}/", f"/items/{r.news.pk}/", f"/units/{w.unit_a.pk}/",
        f"/units/{w.unit_a.pk}/guide/", f"/units/{w.unit_a.pk}/catalogue/", "/feeds/items.rss", "/feeds/items.atom",
        "/feeds/news.rss", f"/units/{w.unit_a.pk}/feeds/items.atom", "/sitemap.xml", "/mailbox/", "/mailbox/replies/",
        f"/mailbox/replies/{r.letter.pk}/", "/mailbox/statistics/", "/consultations/", f"/consultations/{r.decision.pk}/",
        "/hearings/", "/services/", f"/services/items/{r.service_item.pk}/", "/reports/",
        f"/reports/{code}/{REPORT_YEAR}/",
    ]  # fmt: skip
    for fmt in ("json", "xlsx", "docx", "pdf"):
        paths.append(f"/reports/{code}/{REPORT_YEAR}/{fmt}/")
    for value in PERSON_DATA.values():
        paths.append(f"/search/?q={value}")
    paths += ["/api/v1/items", f"/api/v1/items/{r.item.pk}", "/api/v1/organisations",
              f"/api/v1/organisations/{w.unit_a.pk}", "/api/v1/letters", f"/api/v1/letters/{r.letter.pk}",
              "/api/v1/decisions", f"/api/v1/decisions/{r.decision.pk}",
              f"/api/v1/decisions/{r.decision.pk}/comments", "/api/v1/services/items",
              f"/api/v1/services/items/{r.service_item.pk}", "/api/v1/services/cases",
              f"/api/v1/services/cases/{r.case.case_number}", "/api/v1/applications",
              f"/api/v1/applications/{r.application.pk}", "/api/v1/records/disputes",
              f"/api/v1/records/disputes/{r.dispute.pk}", "/api/v1/reports",
              f"/api/v1/reports/{code}/{REPORT_YEAR}"]  # fmt: skip
    return paths


@pytest.fixture
def records(world: Any, settings: Any, tmp_path: Any) -> Records:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_records(world, plain, PERSON_DATA)


def test_public_pages_exports_feeds_and_the_api_never_show_personal_data(records: Records) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    found: dict[str, list[str]] = {}
    served = []
    for path in public_paths(records):
        response = client.get(path)
        if response.status_code != 200:
            # Not public (the API asks for a token), or the PDF renderer is missing here.
            assert response.status_code in (401, 404, 501, 503), (path, response.status_code)
            assert path.startswith("/api/") or path.endswith("/pdf/"), (path, response.status_code)
            continue
        served.append(path)
        body = response_text(response)
        if path.startswith("/search/?q="):  # the page repeats the words searched for: they are not a leak
            query = path.removeprefix("/search/?q=")
            body = body.replace(query, "").replace(quote(query), "").replace(quote_plus(query), "")
        if hits := leaks(body):
            found[path] = hits
    portal = [p for p in public_paths(records) if not p.startswith("/api/") and not p.endswith("/pdf/")]
    assert set(portal) <= set(served) and any(p.startswith("/api/") for p in served), served
    assert not found, found
    # The data is in the records (the office sees it), so its absence above means something.
    office = Client()
    office.force_login(records.world.reviewer)
    staff_page = office.get(f"/office/interaction/{records.letter.pk}/").content.decode()
    assert {"name", "phone", "id_number", "email"} <= set(leaks(staff_page)), leaks(staff_page)
    # The published Q&A is there, masked: the reply and the masked question show.
    page = client.get(f"/mailbox/replies/{records.letter.pk}/").content.decode()
    assert "letter reply" in page and "letter body" in page


def test_the_published_comment_shows_without_the_writers_data(records: Records) -> None:
    page = Client().get(f"/consultations/{records.decision.pk}/").content.decode()
    assert "关于comment的内容说明" in page
    assert not leaks(page)


LETTERS_SECTION = re.compile(r'<section aria-labelledby="letters-title">.*?</section>', re.S)


def test_tracking_look_ups_do_not_echo_personal_data(records: Records) -> None:
    """The applicant holds the code; still, the look-up pages show nothing a shoulder-surfer could take."""
    found: dict[str, list[str]] = {}
    looks = [
        ("/track/", {"case_number": records.application.case_number, "tracking_code": records.application_code},
         f"/track/{records.application.case_number}/"),
        ("/mailbox/track/", {"case_number": records.letter.case_number, "tracking_code": records.letter_code},
         f"/mailbox/track/{records.letter.case_number}/"),
        ("/services/track/", {"case_number": records.case.case_number, "tracking_code": records.case_code},
         f"/services/track/{records.case.case_number}/"),
    ]  # fmt: skip
    for form, data, detail in looks:
        client = Client()
        client.get(form)
        response = client.post(form, data, follow=True)
        assert response.status_code == 200, form
        page = client.get(detail)
        assert page.status_code == 200, detail
        assert data["case_number"] in page.content.decode()
        # The formal notices (告知书) are the applicant's own letters, addressed to them by name
        # as the regulation's forms are; the rest of the page shows the details masked.
        shown = LETTERS_SECTION.sub("", response_text(page))
        assert PERSON_DATA["name"][0] + "*" in shown or form != "/track/", shown[:500]  # masked, not absent
        if hits := leaks(shown):
            found[detail] = hits
    assert not found, found


def test_the_masking_check_finds_data_where_it_is() -> None:
    """The checker itself: each piece, and digits split by spaces, are found; masked forms are not."""
    assert leaks(f"联系人{PERSON_DATA['name']}") == ["name"]
    assert leaks("电话 139 7331 2468") == ["phone (digits)"]
    assert leaks(f"身份证{PERSON_DATA['id_number']}") == ["id_number"]
    assert leaks("欧阳** 139****2468 430223********3417 o***@example.net") == []
