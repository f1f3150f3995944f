"""Stored XSS, in the browser: every user-supplied text holds a payload, no page runs one.

Through the actions (``tests.security.test_masking.build_records``) every text field a citizen
or a clerk fills — organisation contacts, the item's title, summary, body (rich text, cleaned by
nh3), keywords, 文号 and attachment name, a news article, an application, a mailbox letter and its
published Q&A, a service item and two cases, a comment on a draft decision, a review case, the
annual report's narrative — holds one of the payloads below. Chromium then opens the public pages
(item, catalogue, search for the payload, news, feeds, guide, Q&A, service guide, the tracking
look-ups, the annual report) and the office's lists and details, and on each asserts that no
payload ran (``window.__xss`` stays undefined, no dialog opened), that the markup itself is inert
— no inline ``<script>``, no ``on…`` attribute, no ``javascript:`` URL, no ``<iframe>`` — so the
CSP never had to block anything (no CSP violation in the console), and that the payload's text
is shown as text.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests import factories
from tests.e2e.helpers import log_in, log_out
from tests.security.test_masking import REPORT_YEAR, Records, build_records

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    "javascript:window.__xss=1",
    "{{7*7}}${7*7}",
    "</textarea><svg onload=window.__xss=1>",
    '\'><iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    "<a href=javascript:window.__xss=1>x</a><style>body{display:none}</style>",
]
SCRIPT = PAYLOADS[0]


def xss_text(key: str) -> str:
    """A payload (chosen by the field) followed by the field's name, to tell where text came from."""
    return f"{PAYLOADS[sum(map(ord, key)) % len(PAYLOADS)]}{key}"


PERSON = {
    "name": SCRIPT[:20] + "张",  # names are short: a cut payload must stay inert too
    "phone": "13973312468",
    "id_number": "430223198706153415",
    "email": "xss@example.net",
    "address": PAYLOADS[1] + "攸县联星街道",
}

INERT_CHECK = """() => {
    const problems = [];
    if (typeof window.__xss !== 'undefined') problems.push('window.__xss is set');
    for (const s of document.querySelectorAll('script:not([src])')) problems.push('inline script: ' + s.outerHTML.slice(0, 80));
    for (const el of document.querySelectorAll('*')) {
        for (const a of el.attributes) {
            const name = a.name.toLowerCase();
            if (name.startsWith('on')) problems.push('handler ' + name + ' on <' + el.tagName.toLowerCase() + '>');
            if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc'].includes(name)
                && /^\\s*(javascript|data:text\\/html)/i.test(a.value)) problems.push(name + '=' + a.value.slice(0, 60));
            if (name === 'srcdoc') problems.push('srcdoc on <' + el.tagName.toLowerCase() + '>');
        }
    }
    for (const tag of ['iframe', 'frame', 'object', 'embed', 'svg script', 'main style', 'base']) {
        const n = document.querySelectorAll(tag).length;
        if (n) problems.push(n + ' <' + tag + '>');
    }
    return problems;
}"""


class Watch:
    """Dialogs and CSP reports of one page, and the pages that failed the check."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.csp: list[str] = []
        self.problems: dict[str, list[str]] = {}
        self.visited = 0
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp.append(message.text[:200])

    def check(self, label: str) -> str:
        """Check the page now shown; return its visible text."""
        self.visited += 1
        found = list(self.page.evaluate(INERT_CHECK))
        found += [f"dialog {d}" for d in self.dialogs] + [f"CSP violation: {c}" for c in self.csp]
        self.dialogs.clear()
        self.csp.clear()
        if found:
            self.problems[label] = found
        return self.page.locator("body").inner_text()

    def visit(self, base: str, path: str, *, expect_text: str | None = None) -> str:
        response = self.page.goto(base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        text = self.check(path)
        if expect_text is not None:
            assert expect_text in text, f"{path}: {expect_text!r} is not shown as text"
        return text


def _public_paths(r: Records) -> list[tuple[str, str | None]]:
    w = r.world
    title = xss_text("item title")
    return [
        ("/", None),
        ("/catalogue/", title),
        (f"/units/{w.unit_a.pk}/catalogue/", title),
        (f"/items/{r.item.pk}/", title),
        (f"/items/{r.news.pk}/", xss_text("news title")),
        ("/news/", xss_text("news title")),
        (f"/units/{w.unit_a.pk}/", xss_text("org name")),
        (f"/units/{w.unit_a.pk}/guide/", xss_text("org address")),
        ("/search/?q=item+title", title),
        ("/search/?q=" + "%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E", None),
        ("/mailbox/", None),
        ("/mailbox/replies/", None),
        (f"/mailbox/replies/{r.letter.pk}/", xss_text("letter reply")),
        ("/consultations/", xss_text("decision title")),
        (f"/consultations/{r.decision.pk}/", xss_text("comment")),
        ("/services/", xss_text("service name")),
        (f"/services/items/{r.service_item.pk}/", xss_text("service conditions")),
        ("/reports/", None),
        (f"/reports/{w.county.code}/{REPORT_YEAR}/", xss_text("report problems")),
    ]


def _office_paths(r: Records) -> list[tuple[str, str | None]]:
    w = r.world
    return [
        ("/office/", None),
        ("/office/items/", xss_text("item title")),
        (f"/office/items/{r.item.pk}/", xss_text("item title")),
        (f"/office/items/{r.item.pk}/edit/", None),
        ("/office/applications/", None),
        (f"/office/applications/{r.application.pk}/", xss_text("application description")),
        ("/office/interaction/", xss_text("letter subject")),
        (f"/office/interaction/{r.letter.pk}/", xss_text("letter subject")),
        ("/office/decisions/", xss_text("decision title")),
        (f"/office/decisions/{r.decision.pk}/", xss_text("comment")),
        ("/office/records/disputes/", None),
        (f"/office/records/disputes/{r.dispute.pk}/", xss_text("dispute reference")),
        ("/office/reports/", None),
        (f"/office/reports/{r.report.pk}/", xss_text("report problems")),
        (f"/office/organisations/{w.unit_a.pk}/", xss_text("org address")),
        ("/office/audit/", None),
    ]


def _feeds(page: Page, base: str) -> None:
    """Feeds are XML: a payload inside must be escaped text, never markup of the feed."""
    for path in ("/feeds/items.rss", "/feeds/items.atom", "/feeds/news.rss"):
        response = page.request.get(base + path)
        assert response.status == 200, path
        body = response.text()
        assert "<script>window.__xss" not in body and "<svg onload" not in body, path
        assert "item title" in body or "news title" in body, path


def _track(page: Page, watch: Watch, base: str, form: str, case_number: str, code: str) -> None:
    page.goto(base + form)
    page.fill("input[name=case_number]", case_number)
    page.fill("input[name=tracking_code]", code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    watch.check(f"{form} → {case_number}")
    assert case_number in page.locator("main").inner_text(), form


def test_no_stored_payload_runs_on_any_page(world: Any, live_server: Any, page: Page, settings: Any,
                                            tmp_path: Any) -> None:  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    r = build_records(world, xss_text, PERSON)
    base = live_server.url
    watch = Watch(page)

    # The public pages, signed out.
    for path, expected in _public_paths(r):
        watch.visit(base, path, expect_text=expected)
    _feeds(page, base)
    _track(page, watch, base, "/track/", r.application.case_number, r.application_code)
    _track(page, watch, base, "/mailbox/track/", r.letter.case_number, r.letter_code)
    _track(page, watch, base, "/services/track/", r.case.case_number, r.case_code)

    # The rich-text body was cleaned: its text is there, its script, handlers and links are not.
    page.goto(f"{base}/items/{r.item.pk}/")
    assert "item body" in page.locator("main").inner_text()
    assert page.locator("main a[href^='javascript']").count() == 0

    # The office's lists and details, for the disclosure office.
    log_in(page, base, world.reviewer.username, factories.PASSWORD)
    for path, expected in _office_paths(r):
        watch.visit(base, path, expect_text=expected)
    log_out(page)

    # The window staff's case pages.
    log_in(page, base, r.services.centre_staff.username, factories.PASSWORD)
    watch.visit(base, "/office/services/cases/", expect_text=None)
    watch.visit(base, f"/office/services/cases/{r.case.pk}/", expect_text=xss_text("case description"))
    log_out(page)
    log_in(page, base, r.services.unit_staff.username, factories.PASSWORD)
    watch.visit(
        base, f"/office/services/cases/{r.online_case.pk}/", expect_text=xss_text("online description")
    )
    watch.visit(base, "/office/services/items/", expect_text=xss_text("service name"))
    log_out(page)

    # The supervisor's dashboard and case lists (the cases' applicants and items).
    log_in(page, base, world.supervisor.username, factories.PASSWORD)
    watch.visit(base, "/office/supervision/")
    watch.visit(base, "/office/supervision/alerts/")

    assert watch.visited >= len(_public_paths(r)) + len(_office_paths(r)) + 8
    assert not watch.problems, "\n".join(f"{k}: {v}" for k, v in watch.problems.items())


def test_the_check_catches_a_payload_that_runs(page: Page) -> None:
    """The check itself, on a page without the site's CSP: a live payload is reported."""
    watch = Watch(page)
    page.set_content('<p>x</p><img src="x" onerror="window.__xss=1"><a href="javascript:void(0)">y</a>')
    page.wait_for_function("() => window.__xss === 1")
    problems = list(page.evaluate(INERT_CHECK))
    assert "window.__xss is set" in problems
    assert any(p.startswith("handler onerror") for p in problems)
    assert any(p.startswith("href=javascript") for p in problems)
    page.set_content("<script>alert(1)</script>")
    watch.check("inline")
    assert any(p.startswith("dialog alert") for p in watch.problems["inline"])
