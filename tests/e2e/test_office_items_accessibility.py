"""axe-core (WCAG 2 A/AA) on the disclosure back-office pages, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from gongkai.disclosure import actions
from tests import factories
from tests.e2e.helpers import accessibility_problems, log_in
from tests.office_items.conftest import workdays_ago

pytestmark = pytest.mark.e2e


def test_disclosure_pages_have_no_wcag_a_aa_violations(axe_page: Page, live_server: Any, world: Any) -> None:
    page, base = axe_page, live_server.url
    draft = actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title="关于2026年财政预算的通知",
        formed_on=workdays_ago(17), doc_number="攸财发〔2026〕1号", body="<p>正文</p>", channels=["website"],
    )  # fmt: skip
    actions.submit_item(actor=world.clerk_a, item=draft)
    item = actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title="已公开", formed_on=workdays_ago(3)
    )
    item = actions.publish_item(actor=world.reviewer, item=item)
    actions.add_attachment(actor=world.reviewer, item=item, name="说明.pdf", data=b"%PDF-1.4\n%%EOF\n")
    actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title="已超期", formed_on=workdays_ago(25)
    )

    log_in(page, base, world.reviewer.username, factories.PASSWORD)
    found: dict[str, str] = {}
    pages = [
        ("list", "/office/items/"),
        ("published list with bulk", "/office/items/?status=published"),
        ("list with a bad filter", "/office/items/?date_from=2025-02-30"),
        ("submitted item", f"/office/items/{draft.pk}/"),
        ("published item", f"/office/items/{item.pk}/"),
        ("new item", f"/office/items/new/?organisation={world.unit_a.pk}"),
        ("edit item", f"/office/items/{draft.pk}/edit/"),
        ("review queue", "/office/items/review/"),
        ("timeliness", "/office/items/timeliness/"),
    ]
    for name, path in pages:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (name, path)
        if problems := accessibility_problems(page):
            found[name] = problems

    # A form sent back with errors.
    page.goto(f"{base}/office/items/new/")
    page.fill("input[name=title]", "标题")
    page.fill("input[name=formed_on]", (timezone.localdate() + timezone.timedelta(days=5)).isoformat())
    with page.expect_navigation():
        page.click("form button.primary")
    assert "不能" in page.content() or "cannot" in page.content()
    if problems := accessibility_problems(page):
        found["form with errors"] = problems

    # The bulk results page.
    page.goto(f"{base}/office/items/review/")
    page.check(f"input[name=ids][value='{draft.pk}']")
    with page.expect_navigation():
        page.click("form[action$='/items/bulk/'] button.primary")
    assert draft.title in page.content()
    if problems := accessibility_problems(page):
        found["bulk results"] = problems

    assert not found, "\n\n".join(f"== {name}\n{problems}" for name, problems in found.items())
