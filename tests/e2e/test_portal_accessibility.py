"""axe-core (WCAG 2 A/AA) on the public portal's pages, in standard and large-text mode.

The data is made through the disclosure actions, as a county's clerks and
reviewer would: items in categories and genres, a repealed item with its
banner, a news article, an attachment; then the pages are read signed out.
"""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from gongkai.disclosure import actions
from gongkai.disclosure.models import Category, Genre, Validity
from gongkai.orgs.actions import update_organisation
from tests.e2e.helpers import accessibility_problems

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _vocabularies() -> None:
    """The categories and genres that migrations seed (a live server's transactional database
    is emptied between tests, so they are put back the way the migration does it)."""
    if not Category.objects.exists():
        import_module("gongkai.disclosure.migrations.0002_vocabularies").seed(django_apps, None)


def _county_content(world: Any) -> dict[str, Any]:
    _vocabularies()
    today = timezone.localdate()
    budget, funds = Category.objects.get(code="budget"), Category.objects.get(code="funds")
    normative, notice = Genre.objects.get(code="normative"), Genre.objects.get(code="notice")
    update_organisation(
        actor=world.root, organisation=world.unit_a, office_name="攸县财政局办公室", address="攸县城关路1号", postcode="412300",
        office_hours="工作日 8:00-12:00，14:30-17:30", phone="0731-24222222", fax="0731-24222223", email="czj@youxian.gov.cn",
    )  # fmt: skip

    def publish(title: str, **fields: Any) -> Any:
        item = actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title=title,
                                   formed_on=today - timedelta(days=5), **fields)  # fmt: skip
        if title.startswith("攸县财政局关于2013年"):
            actions.add_attachment(actor=world.clerk_a, item=item, name="2013年部门预算表.pdf", data=PDF)
        return actions.publish_item(actor=world.reviewer, item=item)

    old = publish("攸县财政局关于2013年部门预算公开的通知", category=budget, genre=normative, doc_number="攸财发〔2013〕1号",
                  summary="公开2013年部门预算。", keywords="预算 公开", body="<p>根据《预算法》，现将2013年部门预算公开如下。</p>")  # fmt: skip
    new = publish("攸县财政局关于2025年部门预算公开的通知", category=budget, genre=normative, doc_number="攸财发〔2025〕2号",
                  summary="公开2025年部门预算。")  # fmt: skip
    for n in range(3):
        publish(f"攸县财政局专项资金分配通知（第{n + 1}批）", category=funds, genre=notice)
    actions.change_validity(actor=world.reviewer, item=old, validity=Validity.REPEALED, on=today, by_item=new)
    news = publish("县财政局开展预算绩效培训", kind="news", body="<p>近日，县财政局举办培训。</p>")
    return {"old": old, "new": new, "news": news}


def _pages(world: Any, content: dict[str, Any]) -> list[tuple[str, str]]:
    a = world.unit_a.pk
    return [
        ("portal home", "/"),
        ("site catalogue", "/catalogue/"),
        ("unit catalogue, filtered", f"/units/{a}/catalogue/?category=finance&genre=normative"),
        ("government catalogue with units", f"/units/{world.county.pk}/catalogue/?sub=1"),
        ("repealed item with banner", f"/items/{content['old'].pk}/"),
        ("item", f"/items/{content['new'].pk}/"),
        ("news article", f"/items/{content['news'].pk}/"),
        ("news list", "/news/"),
        ("unit page", f"/units/{a}/"),
        ("guide", f"/units/{a}/guide/"),
        ("search form", "/search/"),
        ("search results", "/search/?q=预算"),
        ("search with errors", "/search/?q=预算&from=2025-02-30"),
    ]


@pytest.mark.parametrize("large_text", [False, True], ids=["standard", "large-text"])
def test_portal_pages_have_no_wcag_a_aa_violations(
    axe_page: Page, live_server: Any, world: Any, settings: Any, tmp_path: Any, large_text: bool
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    content = _county_content(world)
    page, base = axe_page, live_server.url

    if large_text:
        page.goto(f"{base}/")
        page.click("button[name=on][value='1']")
        expect(page.locator("body")).to_have_class(re.compile(r"\blarge-text\b"))

    found: dict[str, str] = {}
    for name, path in _pages(world, content):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (name, path)
        if large_text:
            expect(page.locator("body")).to_have_class(re.compile(r"\blarge-text\b"))
        if problems := accessibility_problems(page):
            found[name] = problems
    assert not found, "axe-core violations:\n" + "\n".join(f"== {k}\n{v}" for k, v in found.items())


def test_the_banner_and_attachment_work_in_the_browser(
    page: Page, live_server: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    """With the site's CSP enforced: the repealed item links to its successor, the attachment downloads."""
    settings.MEDIA_ROOT = tmp_path / "media"
    content = _county_content(world)
    base = live_server.url
    page.goto(f"{base}/items/{content['old'].pk}/")
    banner = page.locator(".validity-banner")
    expect(banner).to_be_visible()
    with page.expect_navigation():
        banner.locator(f"a[href='/items/{content['new'].pk}/']").click()
    expect(page.locator("main h1")).to_have_text(content["new"].title)

    page.goto(f"{base}/items/{content['old'].pk}/")
    with page.expect_download() as info:
        page.locator("section.attachments a").first.click()
    assert info.value.suggested_filename == "2013年部门预算表.pdf"


def test_the_catalogue_reflows_on_a_phone(
    browser: Any, live_server: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    """On a narrow screen the facets stack above the results instead of squeezing them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    _county_content(world)
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/units/{world.unit_a.pk}/catalogue/")
        facets, results = (
            page.locator("aside.facets").bounding_box(),
            page.locator("section.results").bounding_box(),
        )
        assert facets and results and results["y"] >= facets["y"] + facets["height"] - 1
        # Nothing but the table's own scroll region is wider than the screen.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_a_province_sized_portal_narrows_its_unit_lists_accessibly(
    axe_page: Page, live_server: Any, world: Any, settings: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    """The lists a province's 5,000 units would fill, narrowed (limits lowered to this county's
    size): the apply form's "find the agency" step, the home directory, the search form."""
    from gongkai.portal import forms_applications, search, views

    monkeypatch.setattr(forms_applications, "AGENCY_LIST_MAX", 1)
    monkeypatch.setattr(views, "DIRECTORY_MAX", 1)
    monkeypatch.setattr(search, "UNIT_OPTIONS_MAX", 1)
    settings.MEDIA_ROOT = tmp_path / "media"
    _county_content(world)
    page, base = axe_page, live_server.url

    page.goto(f"{base}/apply/")
    agency = page.locator("select[name=organisation]")
    expect(agency.locator(f"option[value='{world.unit_a.pk}']")).to_have_count(0)
    page.select_option("#find-agency-government", str(world.county.pk))
    page.click("form.narrow button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/apply/\?government={world.county.pk}$"))
    expect(agency.locator(f"option[value='{world.unit_a.pk}']")).to_have_count(1)
    found = {}
    for name in ("apply, narrowed", "home", "search"):
        if name != "apply, narrowed":
            page.goto(base + {"home": "/", "search": "/search/?q=预算"}[name])
        if problems := accessibility_problems(page):
            found[name] = problems
    assert not found, "axe-core violations:\n" + "\n".join(f"== {k}\n{v}" for k, v in found.items())
