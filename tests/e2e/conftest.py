"""Browser fixtures: Debian's chromium driven by Playwright's sync API.

The browser is started once per session; every test gets a fresh context
(cookies, storage, language) and page. Pages are served by pytest-django's
``live_server`` (a real server thread on a transactional test database).

Helpers (signing in, the axe-core check) are in ``helpers.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API keeps an event loop running in the test thread; Django's
# ORM would otherwise refuse every query made from a test body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("GONGKAI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM} (make browser-deps installs it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_context(browser: Browser, **kwargs: Any) -> BrowserContext:
    # A browser set up for Chinese (Accept-Language: zh-CN), as the site's users' are.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai", **kwargs
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile for each test, with the site's CSP enforced."""
    context = _new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def axe_context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile for the axe-core check.

    ``bypass_csp`` lets axe-core be injected as an inline script into pages
    that send ``script-src 'self'``; the site has no scripts of its own, so the
    pages render as they do with the CSP enforced.
    """
    context = _new_context(browser, bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def axe_page(axe_context: BrowserContext) -> Page:
    return axe_context.new_page()
