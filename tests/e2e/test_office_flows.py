"""The back office in a real browser: the issue's acceptance scenario, bad input, language and text size.

Elements are found by URL, name attribute or role, never by their (translated) text,
so the tests hold in either language.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from gongkai.accounts.models import User
from gongkai.orgs.codes import make_org_code
from gongkai.orgs.models import Organisation, OrgKind, Role
from tests import factories
from tests.e2e.helpers import log_in, log_out

pytestmark = pytest.mark.e2e

SAVE = "main form[method=post] button[type=submit].primary"


def test_admin_builds_a_unit_and_its_clerk_sees_only_that_unit(
    page: Page, live_server: Any, world: Any
) -> None:
    base = live_server.url
    county = world.county

    # The platform administrator signs in through the form.
    log_in(page, base, world.root.username, factories.PASSWORD)

    # Organisations → the county government → "New unit below".
    page.click("nav.main-nav a[href='/office/organisations/']")
    expect(page).to_have_url(re.compile(r"/office/organisations/$"))
    page.get_by_role("link", name=county.name, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/office/organisations/{county.pk}/$"))
    expect(page.locator("main h1")).to_contain_text(county.name)
    page.click(f"main a[href='/office/organisations/new/?parent={county.pk}']")
    expect(page).to_have_url(re.compile(rf"/office/organisations/new/\?parent={county.pk}$"))

    code = make_org_code("12345678")
    page.fill("input[name=name]", "攸县统计局")
    page.select_option("select[name=kind]", OrgKind.DEPARTMENT.value)
    page.fill("input[name=code]", code)
    page.click(SAVE)

    dept = Organisation.objects.get(name="攸县统计局")
    assert (dept.parent_id, dept.kind, dept.code) == (county.pk, OrgKind.DEPARTMENT, code)
    expect(page).to_have_url(re.compile(rf"/office/organisations/{dept.pk}/$"))
    expect(page.locator("main h1")).to_contain_text("攸县统计局")
    expect(page.locator("main .messages, .messages")).to_contain_text("攸县统计局")

    # From the new department's page: "New staff account", organisation preselected.
    page.click(f"main a[href='/office/users/new/?organisation={dept.pk}']")
    expect(page).to_have_url(re.compile(r"/office/users/new/"))
    expect(page.locator("select[name=organisation]")).to_have_value(str(dept.pk))
    page.fill("input[name=username]", "tongji_clerk")
    page.fill("input[name=display_name]", "李四")
    page.select_option("select[name=role]", Role.CLERK.value)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click(SAVE)

    clerk = User.objects.get(username="tongji_clerk")
    expect(page).to_have_url(re.compile(rf"/office/users/{clerk.pk}/$"))
    assert list(clerk.role_assignments.values_list("organisation_id", "role")) == [(dept.pk, Role.CLERK)]

    log_out(page)

    # The clerk signs in; its dashboard leads to its own unit.
    log_in(page, base, "tongji_clerk", factories.PASSWORD)
    own_unit = page.locator(f"main a[href='/office/organisations/{dept.pk}/']").first
    expect(own_unit).to_be_visible()
    own_unit.click()
    expect(page).to_have_url(re.compile(rf"/office/organisations/{dept.pk}/$"))
    expect(page.locator("main h1")).to_contain_text("攸县统计局")
    # A clerk manages nothing: no buttons to add units or accounts.
    expect(page.locator("main a[href^='/office/organisations/new/']")).to_have_count(0)
    expect(page.locator("main a[href^='/office/users/new/']")).to_have_count(0)

    # Another unit's office page, typed into the address bar, is a 404.
    for other in (world.unit_a, county, world.other_county):
        response = page.goto(f"{base}/office/organisations/{other.pk}/")
        assert response is not None and response.status == 404, other
        expect(page.locator("body")).not_to_contain_text(other.name)

    # The organisation list holds its unit only.
    page.goto(f"{base}/office/organisations/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("攸县统计局")
    expect(rows.first.locator("a")).to_have_attribute("href", f"/office/organisations/{dept.pk}/")


def test_malformed_org_code_shows_error_and_keeps_input(page: Page, live_server: Any, world: Any) -> None:
    base = live_server.url
    log_in(page, base, world.root.username, factories.PASSWORD)
    page.goto(f"{base}/office/organisations/new/?parent={world.county.pk}")
    before = Organisation.objects.count()

    good = make_org_code("12345678")
    bad = good[:8] + ("0" if good[8] != "0" else "1")  # right shape, wrong check character
    for code in (bad, "12#45678-X"):
        page.fill("input[name=name]", "攸县审计局")
        page.fill("input[name=short_name]", "审计局")
        page.select_option("select[name=kind]", OrgKind.DEPARTMENT.value)
        page.fill("input[name=code]", code)
        page.fill("input[name=phone]", "0731-24212345")
        page.click(SAVE)

        # Still on the form (re-rendered by the POST), with the error next to the code field.
        expect(page).to_have_url(re.compile(r"/office/organisations/new/"))
        code_input = page.locator("input[name=code]")
        code_row = page.locator(".form-row", has=code_input)
        expect(code_row.get_by_role("alert")).to_be_visible()
        expect(code_row.get_by_role("alert")).not_to_be_empty()
        expect(code_input).to_have_attribute("aria-invalid", "true")
        # Everything typed is still there.
        expect(code_input).to_have_value(code)
        expect(page.locator("input[name=name]")).to_have_value("攸县审计局")
        expect(page.locator("input[name=short_name]")).to_have_value("审计局")
        expect(page.locator("select[name=kind]")).to_have_value(OrgKind.DEPARTMENT.value)
        expect(page.locator("input[name=phone]")).to_have_value("0731-24212345")
        # The form still knows where the unit goes.
        expect(page.locator("input[type=hidden][name=parent]")).to_have_value(str(world.county.pk))

    assert Organisation.objects.count() == before


def _gettext(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_language_switch_and_large_text(page: Page, live_server: Any, world: Any) -> None:
    base = live_server.url
    log_in(page, base, world.root.username, factories.PASSWORD)
    page.goto(f"{base}/office/organisations/")
    html = page.locator("html")
    nav_link = page.locator("nav.main-nav a[href='/office/organisations/']")

    # Chinese by default.
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(nav_link).to_have_text(_gettext("zh-hans", "Organisations"))

    # To English: same page, English text.
    page.click("button[name=language][value=en]")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/office/organisations/$"))
    expect(nav_link).to_have_text("Organisations")
    expect(page.locator("button[name=language][value=zh-hans]")).to_be_visible()
    # The choice sticks for the next page.
    page.goto(f"{base}/office/")
    expect(html).to_have_attribute("lang", "en")

    # And back to Chinese.
    page.click("button[name=language][value=zh-hans]")
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(page).to_have_url(re.compile(r"/office/$"))
    expect(page.locator("nav.main-nav a[href='/office/']")).to_have_text(_gettext("zh-hans", "Dashboard"))

    # Large text on: class on <body>, a larger font, the toggle says it is pressed.
    body = page.locator("body")
    normal_size = body.evaluate("b => parseFloat(getComputedStyle(b).fontSize)")
    expect(body).not_to_have_class(re.compile(r"\blarge-text\b"))
    page.click("button[name=on][value='1']")
    expect(body).to_have_class(re.compile(r"\blarge-text\b"))
    expect(page).to_have_url(re.compile(r"/office/$"))
    assert body.evaluate("b => parseFloat(getComputedStyle(b).fontSize)") > normal_size
    expect(page.locator("button[name=on][value='0']")).to_have_attribute("aria-pressed", "true")
    # It sticks across pages, including the public portal.
    page.goto(f"{base}/")
    expect(body).to_have_class(re.compile(r"\blarge-text\b"))

    # And off again.
    page.click("button[name=on][value='0']")
    expect(body).not_to_have_class(re.compile(r"\blarge-text\b"))
    expect(page.locator("button[name=on][value='1']")).to_have_attribute("aria-pressed", "false")
