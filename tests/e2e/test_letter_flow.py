"""A letter to the leader mailbox (领导信箱), its whole loop in the browser.

A citizen writes to the 县长信箱 without an account, with a name, a mobile number and an
identity number in the text, and agrees to publication; the office accepts it and assigns it
to the wrong unit, which returns it; the office re-assigns it, the right unit drafts the
reply, the office approves it and publishes the masked question and answer; a visitor reads
the Q&A without the personal data; the citizen reads the reply with the tracking code and
rates it once; a wrong code shows nothing; the unit it was returned from and an
administrator of another county cannot open the letter.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from gongkai.interaction import actions
from gongkai.interaction.models import Category, ChannelKind, Letter
from tests import factories
from tests.e2e.helpers import log_in, log_out
from tests.e2e.test_application_flow import answer_captcha, open_step, submit_step

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "刘德华"
MOBILE = "13912345678"
ID_NUMBER = "430223198501011234"
SUBJECT = "网岭镇路灯坏了"
BODY = (
    f"我是{NAME}，网岭镇中心街的路灯坏了一个多月，晚上走路很危险，请尽快修好。"
    f"我的电话{MOBILE}，身份证号{ID_NUMBER}。"
)
REPLY = "县财政局已安排资金，网岭镇中心街路灯将于本月底前修复。"


def track(page: Page, base: str, case_number: str, code: str) -> None:
    page.goto(f"{base}/mailbox/track/")
    page.fill("input[name=case_number]", case_number)
    page.fill("input[name=tracking_code]", code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_write_return_reassign_reply_publish_and_rate(world, live_server, page) -> None:
    base = live_server.url
    channel = actions.create_channel(
        actor=world.county_admin, organisation=world.county, kind=ChannelKind.MAILBOX, name="县长信箱"
    )
    complaint = Category.objects.get(code="complaint")

    # A citizen writes to the 县长信箱, without an account, and agrees to publication.
    page.goto(f"{base}/mailbox/")
    with page.expect_navigation():
        page.click(f"main a[href$='/mailbox/{channel.pk}/write/']")
    page.fill("input[name=writer_name]", NAME)
    page.fill("input[name=phone]", MOBILE)
    page.select_option("select[name=category]", str(complaint.pk))
    page.fill("input[name=subject]", SUBJECT)
    page.fill("textarea[name=body]", BODY)
    page.check("input[name=publish_consent]")
    answer_captcha(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    tokens = page.locator("main .token").all_inner_texts()
    case_number, code = tokens[0].strip(), tokens[1].strip()
    letter = Letter.objects.get(case_number=case_number)
    assert (letter.status, letter.channel_id, letter.publish_consent) == ("received", channel.pk, True)
    office_page = f"{base}/office/interaction/{letter.pk}/"

    # The office accepts it and assigns it to the wrong unit.
    log_in(page, base, "reviewer", factories.PASSWORD)
    page.goto(office_page)
    open_step(page, "triage")
    page.check("details#step-triage input[name=valid][value=yes]")
    submit_step(page, "triage")
    open_step(page, "assign")
    page.select_option("details#step-assign select[name=lead_unit]", str(world.unit_b.pk))
    submit_step(page, "assign")
    letter.refresh_from_db()
    assert (letter.status, letter.lead_unit_id) == ("assigned", world.unit_b.pk)
    log_out(page)

    # The unit returns it: not for them.
    log_in(page, base, "clerk_b", factories.PASSWORD)
    page.goto(office_page)
    open_step(page, "return")
    page.fill("details#step-return textarea[name=reason]", "路灯维修经费归财政局管理，不属本局职责。")
    submit_step(page, "return")
    letter.refresh_from_db()
    assert letter.status == "returned"
    expect(page).to_have_url(re.compile(r"/office/interaction/$"))
    log_out(page)

    # The office re-assigns it to the right unit, which drafts the reply.
    log_in(page, base, "reviewer", factories.PASSWORD)
    page.goto(office_page)
    expect(page.locator("main")).to_contain_text("不属本局职责")
    open_step(page, "assign")
    page.select_option("details#step-assign select[name=lead_unit]", str(world.unit_a.pk))
    submit_step(page, "assign")
    letter.refresh_from_db()
    assert (letter.status, letter.lead_unit_id) == ("assigned", world.unit_a.pk)
    log_out(page)

    log_in(page, base, "clerk_a", factories.PASSWORD)
    page.goto(office_page)
    open_step(page, "draft")
    page.fill("details#step-draft textarea[name=text]", REPLY)
    submit_step(page, "draft")
    letter.refresh_from_db()
    assert letter.status == "review"
    log_out(page)

    # The office approves the reply and publishes the masked question and answer.
    log_in(page, base, "reviewer", factories.PASSWORD)
    page.goto(office_page)
    open_step(page, "approve")
    expect(page.locator("details#step-approve textarea[name=text]")).to_have_value(REPLY)
    submit_step(page, "approve")
    letter.refresh_from_db()
    assert (letter.status, letter.reply, letter.published) == ("closed", REPLY, False)
    open_step(page, "publish")
    public_body = page.locator("details#step-publish textarea[name=body]").input_value()
    assert MOBILE not in public_body and NAME not in public_body and ID_NUMBER not in public_body
    submit_step(page, "publish")
    letter.refresh_from_db()
    assert letter.published
    assert letter.public_body == public_body
    log_out(page)

    # A visitor reads the Q&A, without the writer's name, telephone or identity number.
    page.context.clear_cookies()
    page.goto(f"{base}/mailbox/replies/")
    for secret in (MOBILE, NAME, ID_NUMBER):
        assert secret not in page.content()
    with page.expect_navigation():
        page.click(f"main a[href$='/mailbox/replies/{letter.pk}/']")
    expect(page.locator("main")).to_contain_text(REPLY)
    expect(page.locator("main")).to_contain_text("路灯坏了一个多月")
    expect(page.locator("main")).to_contain_text("139****5678")
    html = page.content()
    for secret in (MOBILE, NAME, ID_NUMBER):
        assert secret not in html

    # The citizen reads the reply with the tracking code and rates it, once.
    page.context.clear_cookies()
    track(page, base, case_number, code)
    expect(page.locator("main")).to_contain_text(REPLY)
    page.check("input[name=rating-rating][value=satisfied]")
    page.fill("textarea[name=rating-note]", "修得很快，谢谢。")
    with page.expect_navigation():
        page.locator("form[action$='/rate/'] button[type=submit]").click()
    letter.refresh_from_db()
    assert (letter.rating, letter.rating_note) == ("satisfied", "修得很快，谢谢。")
    expect(page.locator("form[action$='/rate/']")).to_have_count(0)

    # A second rating, sent by hand, is refused.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"{base}/mailbox/track/{case_number}/rate/",
        form={"csrfmiddlewaretoken": token, "rating-rating": "not", "rating-note": "再评一次"},
        headers={"Referer": f"{base}/mailbox/track/{case_number}/"},
    )
    # The action refuses it; the page shows the rating given, with no form to rate again.
    assert response.ok and response.url.endswith(f"/mailbox/track/{case_number}/")
    assert "/rate/" not in response.text()
    letter.refresh_from_db()
    assert (letter.rating, letter.rating_note) == ("satisfied", "修得很快，谢谢。")

    # A wrong tracking code gets nothing.
    page.context.clear_cookies()
    track(page, base, case_number, "ABCDEFGHJK")
    expect(page).to_have_url(re.compile(r"/mailbox/track/$"))
    expect(page.locator("main")).not_to_contain_text(REPLY)
    assert page.goto(f"{base}/mailbox/track/{case_number}/").status == 404
    expect(page.locator("main")).not_to_contain_text(REPLY)

    # The unit it was returned from, and an administrator of another county, cannot open it.
    log_in(page, base, "clerk_b", factories.PASSWORD)
    assert page.goto(office_page).status == 404
    page.goto(f"{base}/office/interaction/")
    expect(page.locator("main")).not_to_contain_text(case_number)
    log_out(page)
    log_in(page, base, "other_admin", factories.PASSWORD)
    assert page.goto(office_page).status == 404
    page.goto(f"{base}/office/interaction/")
    expect(page.locator("main")).not_to_contain_text(case_number)
