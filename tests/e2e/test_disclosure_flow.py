"""The disclosure acceptance scenario in the browser.

A clerk drafts an item with an attachment, a reviewer publishes it, an
anonymous visitor finds it by a two-character word and by its 索引号, opens it
and downloads the attachment; another unit's clerk cannot edit it; a repealed
item shows its banner.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongkai.disclosure import actions
from gongkai.disclosure.models import DisclosureItem, Validity
from tests import factories
from tests.e2e.helpers import log_in, log_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_clerk_drafts_a_reviewer_publishes_and_the_public_finds_it(
    world, live_server, page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    pdf = tmp_path / "预算表.pdf"
    pdf.write_bytes(PDF)

    # The clerk drafts the item with an attachment and submits it.
    log_in(page, base, "clerk_a", factories.PASSWORD)
    page.goto(f"{base}/office/items/new/?organisation={world.unit_a.pk}")
    page.fill("input[name=title]", "攸县财政局关于2025年部门预算公开的通知")
    page.fill("textarea[name=summary]", "公开本局2025年部门预算及“三公”经费预算。")
    page.fill("textarea[name=body]", "<p>根据《预算法》，现将本局2025年部门预算予以公开。</p>")
    page.fill("input[name=doc_number]", "攸财发〔2025〕3号")
    page.fill("input[name=formed_on]", "2025-09-26")
    with page.expect_navigation():
        page.click("main form button[type=submit].primary")
    expect(page).to_have_url(re.compile(r"/office/items/\d+/$"))
    item = DisclosureItem.objects.get(doc_number="攸财发〔2025〕3号")
    page.set_input_files("input[name=files]", str(pdf))
    with page.expect_navigation():
        page.click(f"form[action$='/items/{item.pk}/attachments/'] button[type=submit]")
    expect(page.locator("main")).to_contain_text("预算表.pdf")
    with page.expect_navigation():
        page.click(f"form[action$='/items/{item.pk}/submit/'] button[type=submit]")
    log_out(page)

    # Another unit's clerk cannot open or edit it.
    log_in(page, base, "clerk_b", factories.PASSWORD)
    assert page.goto(f"{base}/office/items/{item.pk}/edit/").status == 404
    assert page.goto(f"{base}/office/items/{item.pk}/").status == 404
    page.goto(f"{base}/office/")
    log_out(page)

    # The reviewer publishes it.
    log_in(page, base, "reviewer", factories.PASSWORD)
    page.goto(f"{base}/office/items/{item.pk}/")
    with page.expect_navigation():
        page.click(f"form[action$='/items/{item.pk}/publish/'] button[type=submit]")
    item.refresh_from_db()
    assert item.index_no == f"{world.unit_a.code}/{timezone.localdate().year}-00001"
    expect(page.locator("main")).to_contain_text(item.index_no)
    log_out(page)

    # An anonymous visitor finds it by a two-character word and by its 索引号.
    page.context.clear_cookies()
    page.goto(f"{base}/search/?q=预算")
    expect(page.locator("main")).to_contain_text("攸县财政局关于2025年部门预算公开的通知")
    expect(page.locator("main mark").first).to_have_text("预算")
    page.goto(f"{base}/search/?q={item.index_no}")
    with page.expect_navigation():
        page.click(f"main a[href$='/items/{item.pk}/']")
    expect(page.locator("main")).to_contain_text("攸财发〔2025〕3号")
    expect(page.locator("main")).to_contain_text(item.index_no)
    with page.expect_download() as info:
        page.click("main a[href*='/download/']")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert open(download.path(), "rb").read() == PDF


def test_a_repealed_item_shows_its_banner(world, live_server, page):
    old = actions.publish_item(actor=world.reviewer, item=actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title="攸县城区房屋拆迁管理暂行办法", formed_on=date(2025, 3, 3),
        doc_number="攸政发〔2025〕1号"))  # fmt: skip
    new = actions.publish_item(actor=world.reviewer, item=actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title="攸县国有土地上房屋征收与补偿办法", formed_on=date(2025, 9, 1),
        doc_number="攸政发〔2025〕9号"))  # fmt: skip
    actions.change_validity(
        actor=world.reviewer, item=old, validity=Validity.REPEALED, on=timezone.localdate(), by_item=new
    )
    page.goto(f"{live_server.url}/items/{old.pk}/")
    banner = page.locator("main [role=alert], main .banner, main .validity-banner").first
    expect(banner).to_be_visible()
    expect(banner.locator(f"a[href$='/items/{new.pk}/']")).to_have_count(1)
