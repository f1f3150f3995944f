"""Online applications (/services/items/<id>/apply/), the status look-up (/services/track/),
supplying missing materials, and a citizen's own cases (/my/services/)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.services import actions
from gongkai.services.models import CaseMaterial, CaseStatus, ServiceCase
from tests import factories
from tests.portal.test_services_support import (
    PDF,
    apply_online,
    complete,
    english,
    form_data,
    make_item,
    make_services,
    page,
    receive,
)

pytestmark = pytest.mark.django_db

APPLICANT = {
    "applicant_kind": "person",
    "applicant_name": "李四",
    "id_number": "430223199001011234",
    "phone": "13907331002",
    "email": "lisi@example.com",
    "description": "申请领购增值税普通发票。",
}


@pytest.fixture
def services(world: Any) -> Any:
    return make_services(world)


def url(services: Any) -> str:
    return f"/services/items/{services.item.pk}/apply/"


def submit(client: Any, services: Any, **overrides: Any) -> Any:
    html = page(client.get(url(services)))
    data = form_data(html, {**APPLICANT, **overrides})
    data.setdefault("files", [SimpleUploadedFile("身份证.pdf", PDF)])
    return client.post(url(services), data)


def receipt_code(html: str) -> str:
    return re.search(r'Tracking code</dt><dd><strong class="token">([A-Z0-9]+)<', html).group(1)


# --- applying online -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_form_renders_privately_in_both_languages(world, services, language):
    from django.test import Client

    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(url(services))
    html = page(response)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert 'enctype="multipart/form-data"' in html and 'name="csrfmiddlewaretoken"' in html
    assert (
        "<script" not in html and "style=" not in html and "财政票据领购" in html and "身份证复印件" in html
    )


def test_an_online_application_creates_a_case_and_shows_the_code_once(world, services, en):
    response = submit(en, services)
    assert response.status_code == 302 and response["Location"] == "/services/applied/"
    case = ServiceCase.objects.get()
    assert case.status == CaseStatus.SUBMITTED and case.channel == "online" and case.applicant_name == "李四"
    assert case.user is None and list(case.material_files.values_list("name", flat=True)) == ["身份证.pdf"]
    html = page(en.get("/services/applied/"))
    code = receipt_code(html)
    assert case.case_number in html and "shown only once" in html
    assert actions.find_case(case.case_number, code) == case
    assert en.get(f"/services/track/{case.case_number}/").status_code == 200  # remembered on this device
    assert "Nothing to show" in page(english().get("/services/applied/"))


def test_one_submission_key_creates_exactly_one_case(world, services, en):
    html = page(en.get(url(services)))
    data = form_data(html, APPLICANT)
    first = en.post(url(services), data)
    second = en.post(url(services), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == "/services/applied/"
    assert ServiceCase.objects.count() == 1
    # A new form gets a new key, and so a second case.
    assert submit(en, services).status_code == 302 and ServiceCase.objects.count() == 2


def test_errors_stay_on_the_fields_and_nothing_is_created(world, services, en):
    response = submit(en, services, applicant_name="", id_number="", email="not-an-address",
                      files=[SimpleUploadedFile("a.exe", b"MZ\x90\x00")])  # fmt: skip
    html = page(response)
    assert response.status_code == 200
    for field in ("applicant_name", "id_number", "email", "files"):
        assert f'id="id_{field}_error"' in html, field
    assert 'value="13907331002"' in html and "申请领购增值税普通发票" in html
    assert "choose your files again" in html and "You have already answered the check question" in html
    assert ServiceCase.objects.count() == 0 and CaseMaterial.objects.count() == 0


def test_a_wrong_check_answer_is_refused(world, services, en):
    html = page(en.get(url(services)))
    html = page(en.post(url(services), form_data(html, APPLICANT, answer="99")))
    assert "That is not the answer" in html and 'value="李四"' in html
    assert ServiceCase.objects.count() == 0


def test_only_published_online_items_take_applications(world, services, en):
    assert en.get(f"/services/items/{services.counter.pk}/apply/").status_code == 404  # window only
    draft = make_item(world, services.window, name="草稿", online=True, publish=False)
    assert en.get(f"/services/items/{draft.pk}/apply/").status_code == 404
    assert en.post(f"/services/items/{draft.pk}/apply/", APPLICANT).status_code == 404
    assert ServiceCase.objects.count() == 0


def test_applications_are_throttled_per_address(world, services, en, settings):
    settings.SERVICE_APPLY_THROTTLE_PER_HOUR = 1
    assert submit(en, services).status_code == 302
    response = submit(en, services)
    assert response.status_code == 429 and ServiceCase.objects.count() == 1


def test_a_signed_in_citizen_finds_the_case_in_their_list(world, services, login):
    client = login(world.citizen)
    assert submit(client, services).status_code == 302
    case = ServiceCase.objects.get()
    assert case.user == world.citizen
    html = page(client.get("/my/services/", HTTP_ACCEPT_LANGUAGE="en"))
    assert case.case_number in html and "财政票据领购" in html and "1 case" in html


# --- the status look-up ----------------------------------------------------------------------------


def test_a_case_is_looked_up_with_its_number_and_code(world, services, en):
    case, code = apply_online(services)
    response = en.post(
        "/services/track/", {"case_number": f" {case.case_number.lower()} ", "tracking_code": code}
    )
    assert response.status_code == 302 and response["Location"] == f"/services/track/{case.case_number}/"
    response = en.get(response["Location"])
    html = page(response)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "Submitted online, awaiting acceptance" in html and "财政票据领购" in html
    assert "李*" in html and "李四" not in html and "13907331002" not in html


def test_a_wrong_code_reveals_nothing(world, services, en):
    case, code = apply_online(services)
    wrong = en.post("/services/track/", {"case_number": case.case_number, "tracking_code": "WRONGCODE2"})
    missing = en.post("/services/track/", {"case_number": "XX-2026-999999", "tracking_code": code})
    message = "No case matches this case number and tracking code"
    assert wrong.status_code == missing.status_code == 200
    assert message in page(wrong) and message in page(missing)
    assert "财政票据领购" not in page(wrong) and "李" not in page(wrong).split("<main")[1]
    direct = en.get(f"/services/track/{case.case_number}/")
    absent = en.get("/services/track/XX-2026-999999/")
    assert direct.status_code == absent.status_code == 404
    assert "财政票据领购" not in page(direct) and "To see a case, enter its case number" in page(direct)
    post = en.post(f"/services/track/{case.case_number}/materials/", {})
    assert post.status_code == 404


def test_look_ups_are_throttled(world, services, en, settings):
    settings.TRACK_FAILURES_PER_HOUR = 2
    for _attempt in range(2):
        en.post("/services/track/", {"case_number": "X-1", "tracking_code": "WRONG"})
    assert en.post("/services/track/", {"case_number": "X-1", "tracking_code": "WRONG"}).status_code == 429


def test_the_page_shows_steps_result_and_certificate(world, services, en):
    case, code = actions.receive_case(
        actor=services.centre_staff, item=services.item, window=services.window, applicant_kind="person",
        applicant_name="王五", id_number="430223199001011234", phone="13907331001",
    )  # fmt: skip
    actions.add_step(actor=services.centre_staff, case=case, name="审核", decision="agree", opinion="同意")
    complete(services, case, "PJ-2026-007")
    en.post("/services/track/", {"case_number": case.case_number, "tracking_code": code})
    html = page(en.get(f"/services/track/{case.case_number}/"))
    assert "Completed" in html and "Approved" in html and "PJ-2026-007" in html and "票据领购证" in html
    assert "审核: Agree" in html and "Accepted: the time limit counts" in html
    assert "Service centre window" in html and "攸县政务服务中心" in html


def test_missing_materials_are_listed_and_supplied_with_the_code(world, services, en):
    case, code = apply_online(services)
    actions.accept_case(actor=services.unit_staff, case=case)
    actions.request_materials(actor=services.unit_staff, case=case, missing="营业执照副本<script>x</script>")
    en.post("/services/track/", {"case_number": case.case_number, "tracking_code": code})
    html = page(en.get(f"/services/track/{case.case_number}/"))
    assert "Materials missing" in html and "营业执照副本&lt;script&gt;" in html and "<script>x" not in html
    target = f"/services/track/{case.case_number}/materials/"
    # Nothing attached: a field error, nothing changes.
    html = page(en.post(target, {"supply-note": "补交"}))
    assert 'id="id_supply-files_error"' in html
    case.refresh_from_db()
    assert case.status == CaseStatus.CORRECTION
    response = en.post(
        target, {"supply-files": [SimpleUploadedFile("执照.pdf", PDF)], "supply-note": "补交执照"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    correction = case.corrections.get()
    assert correction.supplied_on is not None and correction.note == "补交执照"
    assert list(correction.files.values_list("name", flat=True)) == ["执照.pdf"]
    html = page(en.get(f"/services/track/{case.case_number}/"))
    assert "Your materials were sent" in html and "Materials missing" not in html and "执照.pdf" in html
    # Once supplied, the form is gone and a second upload changes nothing.
    en.post(target, {"supply-files": [SimpleUploadedFile("again.pdf", PDF)]})
    assert CaseMaterial.objects.filter(name="again.pdf").count() == 0


# --- a citizen's own cases -------------------------------------------------------------------------


def test_a_citizen_cannot_see_another_citizens_case(world, services, login):
    mine, _code = apply_online(services, user=world.citizen)
    other = factories.make_citizen("citizen2")
    theirs, _code2 = apply_online(services, user=other, name="孙七")
    client = login(world.citizen)
    assert client.get(f"/services/track/{mine.case_number}/").status_code == 200
    response = client.get(f"/services/track/{theirs.case_number}/")
    assert response.status_code == 404 and "孙" not in page(response).split("<main")[1]
    assert client.post(f"/services/track/{theirs.case_number}/materials/", {}).status_code == 404
    html = page(client.get("/my/services/"))
    assert mine.case_number in html and theirs.case_number not in html


def test_staff_see_nothing_of_a_case_on_the_portal(world, services, login):
    case, _code = apply_online(services, user=world.citizen)
    for persona in ("unit_staff", "centre_staff"):
        client = login(getattr(services, persona))
        assert client.get(f"/services/track/{case.case_number}/").status_code == 404, persona
        assert case.case_number not in page(client.get("/my/services/"))
    client = login(world.county_admin)
    assert client.get(f"/services/track/{case.case_number}/").status_code == 404


def test_my_cases_asks_anonymous_visitors_to_sign_in(world, services, en):
    html = page(en.get("/my/services/"))
    assert "You are not signed in" in html and 'href="/services/track/"' in html


def test_my_cases_is_a_constant_number_of_queries(world, services, login):
    client = login(world.citizen)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    apply_online(services, user=world.citizen)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/my/services/").status_code == 200
    for i in range(25):
        apply_online(services, user=world.citizen, name=f"申请人{i}")
        complete(services, receive(services, f"窗口{i}"), f"PJ-{i}")
    with CaptureQueriesContext(connection) as large:
        html = page(client.get("/my/services/"))
    assert len(large.captured_queries) <= len(small.captured_queries)
    assert "26 cases" in html and "Page 1 of 2" in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_look_up_pages_render_in_both_languages(world, services, language):
    from django.test import Client

    case, code = apply_online(services)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.get("/services/track/").status_code == 200
    assert client.get("/my/services/").status_code == 200
    client.post("/services/track/", {"case_number": case.case_number, "tracking_code": code})
    response = client.get(f"/services/track/{case.case_number}/")
    html = page(response)
    assert response.status_code == 200 and case.case_number in html and "财政票据领购" in html
    assert "<script" not in html and "style=" not in html
