"""axe-core (WCAG 2 A/AA) on the main pages, in standard and large-text mode, plus screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from gongkai.accounts.actions import create_api_token
from gongkai.orgs.codes import make_org_code
from gongkai.orgs.models import OrgKind
from tests import factories
from tests.e2e.helpers import accessibility_problems, assert_accessible, log_in

pytestmark = pytest.mark.e2e


def _pages(world: Any) -> list[tuple[str, str]]:
    return [
        ("dashboard", "/office/"),
        ("organisations list", "/office/organisations/"),
        ("org detail", f"/office/organisations/{world.county.pk}/"),
        ("user detail", f"/office/users/{world.clerk_a.pk}/"),
        ("calendar years", "/office/calendar/"),
        ("calendar year", "/office/calendar/2025/"),
        ("compute with result", "/office/calendar/compute/?start=2025-09-26&days=20"),
        ("tokens", "/office/tokens/"),
        ("new staff account form", f"/office/users/new/?organisation={world.unit_a.pk}"),
        ("portal home", "/"),
    ]


@pytest.mark.parametrize("large_text", [False, True], ids=["standard", "large-text"])
def test_pages_have_no_wcag_a_aa_violations(
    axe_page: Page, live_server: Any, world: Any, large_text: bool
) -> None:
    page, base = axe_page, live_server.url
    create_api_token(actor=world.root, name="报表导出脚本")
    found: dict[str, str] = {}

    if large_text:
        page.goto(f"{base}/office/login/")
        page.click("button[name=on][value='1']")
        expect(page.locator("body")).to_have_class(re.compile(r"\blarge-text\b"))

    # The login page, signed out.
    page.goto(f"{base}/office/login/")
    if problems := accessibility_problems(page):
        found["login"] = problems

    log_in(page, base, world.root.username, factories.PASSWORD)
    for name, path in _pages(world):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (name, path)
        if large_text:
            expect(page.locator("body")).to_have_class(re.compile(r"\blarge-text\b"))
        if problems := accessibility_problems(page):
            found[name] = problems

    # A form showing errors (error messages tied to their fields).
    page.goto(f"{base}/office/organisations/new/?parent={world.county.pk}")
    page.fill("input[name=name]", "攸县审计局")
    page.select_option("select[name=kind]", OrgKind.DEPARTMENT.value)
    good = make_org_code("12345678")
    page.fill("input[name=code]", good[:8] + ("0" if good[8] != "0" else "1"))  # wrong check character
    page.click("main form[method=post] button[type=submit].primary")
    expect(page.locator("input[name=code]")).to_have_attribute("aria-invalid", "true")
    if problems := accessibility_problems(page):
        found["org form with errors"] = problems

    assert not found, "axe-core violations:\n" + "\n".join(f"== {k}\n{v}" for k, v in found.items())


def test_screenshots_of_dashboard_and_calendar(
    page: Page, live_server: Any, world: Any, tmp_path: Path
) -> None:
    """Screenshots to look at (in E2E_SCREENSHOT_DIR if set), and a check that the calendar lays out in a grid."""
    out = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    log_in(page, base, world.county_admin.username, factories.PASSWORD)
    page.screenshot(path=str(out / "e2e-dashboard.png"), full_page=True)

    page.goto(f"{base}/office/calendar/2025/")
    months = page.locator("section.month")
    expect(months).to_have_count(12)
    # Several months to a row on a desktop-wide window, not one long column.
    first, second = months.nth(0).bounding_box(), months.nth(1).bounding_box()
    assert first and second and abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"]
    # 2025's National Day holiday is marked.
    expect(page.locator("section.month").nth(9).locator("td.holiday").first).to_be_visible()
    page.screenshot(path=str(out / "e2e-calendar-2025.png"), full_page=True)

    for name in ("e2e-dashboard.png", "e2e-calendar-2025.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_public_unit_page_is_accessible(axe_page: Page, live_server: Any, world: Any) -> None:
    """The portal as a citizen sees it, signed out."""
    axe_page.goto(f"{live_server.url}/units/{world.county.pk}/")
    expect(axe_page.locator("main h1")).to_have_text(world.county.name)
    assert_accessible(axe_page)
