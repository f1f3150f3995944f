"""The application-for-disclosure acceptance scenario in the browser.

A citizen applies online, the office confirms receipt and asks for 补正, the
citizen corrects on the tracking page, the office extends the period and
replies 部分公开 with a letter and a file; the citizen downloads both; another
visitor with a different tracking code sees nothing; a clerk of another unit
sees nothing.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from gongkai.applications.models import Application
from tests import factories
from tests.applications.conftest import PERSON
from tests.e2e.helpers import log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def answer_captcha(page: Page) -> None:
    figures = page.locator("#captcha-question .captcha-figures").inner_text()
    a, op, b = re.search(r"(\d+)\s*([+−-])\s*(\d+)", figures).groups()
    page.fill("input[name=captcha_answer]", str(int(a) + int(b) if op == "+" else int(a) - int(b)))


def open_step(page: Page, step: str) -> None:
    if page.locator(f"details#step-{step}").get_attribute("open") is None:
        page.locator(f"details#step-{step} > summary").click()


def submit_step(page: Page, step: str) -> None:
    open_step(page, step)
    with page.expect_navigation():
        page.locator(f"details#step-{step} button[type=submit]").click()


def test_apply_correct_extend_reply_and_download(world, live_server, page, tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    disclosed = tmp_path / "预算表（可公开部分）.pdf"
    disclosed.write_bytes(PDF)

    # A citizen applies online, without an account.
    page.goto(f"{base}/apply/")
    page.select_option("select[name=organisation]", str(world.unit_a.pk))
    page.check("input[name=applicant_type][value=person]")
    for name in ("applicant_name", "id_number", "phone", "email", "info_title"):
        page.fill(f"[name={name}]", PERSON[name])
    page.select_option("select[name=id_type]", "resident_id")
    page.fill("textarea[name=description]", "要全部预算表")
    page.check("input[name=info_form][value=electronic]")
    page.check("input[name=delivery][value=download]")
    answer_captcha(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    tokens = page.locator("main .token").all_inner_texts()
    case_number, code = tokens[0].strip(), tokens[1].strip()
    app = Application.objects.get(case_number=case_number)
    assert app.status == "pending"

    # The office confirms receipt and asks for a correction.
    log_in(page, base, "reviewer", factories.PASSWORD)
    page.goto(f"{base}/office/applications/{app.pk}/")
    submit_step(page, "confirm")
    open_step(page, "correction")
    page.fill("details#step-correction textarea[name=items]", "请写明所需预算表的年度。")
    page.fill("details#step-correction input[name=period_days]", "10")
    submit_step(page, "correction")
    app.refresh_from_db()
    assert app.status == "correction"
    log_out(page)

    # The citizen corrects on the tracking page.
    page.context.clear_cookies()
    page.goto(f"{base}/track/")
    page.fill("input[name=case_number]", case_number)
    page.fill("input[name=tracking_code]", code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("请写明所需预算表的年度。")
    page.fill("textarea[name=correction-text]", "要2025年部门预算表。")
    with page.expect_navigation():
        page.locator("form[action$='/correction/'] button[type=submit]").click()
    app.refresh_from_db()
    assert app.status == "processing"

    # The office extends the period and replies 部分公开 with the file.
    log_in(page, base, "reviewer", factories.PASSWORD)
    page.goto(f"{base}/office/applications/{app.pk}/")
    open_step(page, "extend")
    page.fill("details#step-extend input[name=days]", "10")
    page.fill("details#step-extend textarea[name=reason]", "需调取档案")
    submit_step(page, "extend")
    open_step(page, "reply")
    page.select_option("details#step-reply select[name=outcome]", "partial")
    page.select_option("details#step-reply select[name=reply_type]", "r19_partial")
    page.fill(
        "details#step-reply textarea[name=legal_basis]",
        "《中华人民共和国政府信息公开条例》第十五条、第三十七条",
    )
    page.fill("details#step-reply textarea[name=text]", "涉及个人信息的部分不予公开，其余部分见附件。")
    page.set_input_files("details#step-reply input[type=file]", str(disclosed))
    submit_step(page, "reply")
    app.refresh_from_db()
    assert (app.status, app.outcome, app.on_time) == ("closed", "partial", True)
    assert app.clock.extension_days == 10
    log_out(page)

    # The citizen reads the reply and downloads the letter and the file.
    page.context.clear_cookies()
    page.goto(f"{base}/track/")
    page.fill("input[name=case_number]", case_number)
    page.fill("input[name=tracking_code]", code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("涉及个人信息的部分不予公开")
    reply = app.letters.get(kind="reply")
    with page.expect_download() as letter_download:
        page.click(f"a[href$='/letters/{reply.pk}.docx']")
    assert letter_download.value.suggested_filename.endswith(".docx")
    doc = app.documents.get(kind="disclosed")
    with page.expect_download() as file_download:
        page.click(f"a[href$='/documents/{doc.pk}/']")
    assert open(file_download.value.path(), "rb").read() == PDF

    # Another visitor with a different tracking code sees nothing.
    page.context.clear_cookies()
    page.goto(f"{base}/track/")
    page.fill("input[name=case_number]", case_number)
    page.fill("input[name=tracking_code]", "ABCDEFGHJK")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).not_to_contain_text("涉及个人信息的部分不予公开")
    assert page.goto(f"{base}/track/{case_number}/").status == 404
    assert page.goto(f"{base}/track/{case_number}/documents/{doc.pk}/").status == 404

    # A clerk of another unit sees nothing.
    log_in(page, base, "clerk_b", factories.PASSWORD)
    assert page.goto(f"{base}/office/applications/{app.pk}/").status == 404
    page.goto(f"{base}/office/applications/")
    expect(page.locator("main")).not_to_contain_text(case_number)
