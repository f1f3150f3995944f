"""Helpers for the browser tests: signing in and out, and the axe-core check.

axe-core comes from the ``axe-playwright-python`` package, which ships
``axe.min.js``; it is injected into the page, never fetched from a CDN. The
page's context must be opened with ``bypass_csp=True`` (the site sends
``script-src 'self'``, which would block the inline script).
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from playwright.sync_api import Page, expect

# WCAG 2.0/2.1/2.2 levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Sign in through the back-office form, as a person would."""
    page.goto(f"{base_url}/office/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action$='/office/login/'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/office/$"))


def log_out(page: Page) -> None:
    with page.expect_navigation():
        page.click("form[action$='/office/logout/'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/office/login/$"))


_AXE_SOURCE: str | None = None


def axe_source() -> str:
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
    return _AXE_SOURCE


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2 A/AA rules) in the page and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    return list(result)


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl']}]")
        for n in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, n['target']))}: {n['html'][:160]}")
            if n.get("summary"):
                lines.append("      " + n["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


def dangling_references(page: Page) -> list[str]:
    """ARIA and label references to ids that are not on the page.

    axe-core only lists these as "needs review", yet a help text or error that
    ``aria-describedby`` cannot reach is never read out.
    """
    return list(
        page.evaluate(
            """() => {
                const out = [];
                for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-errormessage']) {
                    for (const el of document.querySelectorAll(`[${attr}]`)) {
                        for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
                            if (!document.getElementById(id)) out.push(`${el.outerHTML.slice(0, 120)}: ${attr}="${id}" is not on the page`);
                        }
                    }
                }
                for (const label of document.querySelectorAll('label[for]')) {
                    if (!document.getElementById(label.htmlFor)) out.push(`${label.outerHTML.slice(0, 120)}: for="${label.htmlFor}" is not on the page`);
                }
                return out;
            }"""
        )
    )


def accessibility_problems(page: Page) -> str:
    """axe-core's WCAG 2 A/AA violations and dangling references, as text ("" if none)."""
    parts = []
    if violations := axe_violations(page):
        parts.append(format_violations(violations))
    if dangling := dangling_references(page):
        parts.append("\n".join(f"- dangling reference: {d}" for d in dangling))
    return "\n".join(parts)


def assert_accessible(page: Page) -> None:
    """Fail listing every WCAG 2 A/AA violation (rule, impact, nodes) found on the current page."""
    problems = accessibility_problems(page)
    assert not problems, f"accessibility problems on {page.url}:\n{problems}"
