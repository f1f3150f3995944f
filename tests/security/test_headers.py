"""Security headers on every family of responses, no inline script or style in the pages,
``check --deploy`` and the cookies under production settings.

Every response — portal, back office, API, health check, static files and the error pages
(400, 403, 404, the CSRF failure) — carries a Content-Security-Policy that allows only the
site's own origin and no inline code, clickjacking protection, nosniff, a Referrer-Policy,
a Cross-Origin-Opener-Policy and a Permissions-Policy. A sample of rendered pages has no inline
``<script>``, no ``style=""`` attribute and no ``on…=`` handler, so the strict CSP never has to
stop anything of the site's own.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gongkai.disclosure import actions as item_actions
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOST = "gongkai.example.gov.cn"


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process with safe values (a fresh 64-character secret)."""
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "GONGKAI_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE",
               "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")  # fmt: skip
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    # A deployment shares its cache and counters in Redis (gongkai.W001); nothing here connects to it.
    return {**base, "GONGKAI_ENV": "production", "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": HOST, "REDIS_URL": "redis://127.0.0.1:6379/0", "CACHE_KEY_PREFIX": "h_web_check",
            **extra}  # fmt: skip


# --- the headers --------------------------------------------------------------------------------


def directives(csp: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def assert_secure_headers(response: Any, where: str) -> None:
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    assert csp, f"{where}: no Content-Security-Policy"
    d = directives(csp)
    for name, sources in d.items():
        for source in sources:
            assert source not in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"), (
                where,
                name,
                source,
            )
            # only keywords, data: images and no other origin
            assert source.startswith("'") or source == "data:", (where, name, source)
    assert "default-src" in d or ("script-src" in d and "style-src" in d), where
    if "script-src" in d:
        assert d["script-src"] in (["'self'"], ["'none'"]), (where, d["script-src"])
    assert d.get("frame-ancestors") == ["'none'"], (where, csp)
    assert d.get("object-src", d.get("default-src")) == ["'none'"] or d.get("default-src") == ["'none'"], (
        where
    )
    assert h.get("X-Frame-Options") == "DENY", (where, h.get("X-Frame-Options"))
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"), (
        where
    )
    assert h.get("Cross-Origin-Opener-Policy") == "same-origin", where
    perms = h.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in perms, (where, perms)


@pytest.fixture
def content(world: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """A published item with an attachment, and a draft, made through the disclosure actions."""
    settings.MEDIA_ROOT = tmp_path / "media"
    item = item_actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title="攸县财政局2025年部门预算",
                                    formed_on=timezone.localdate() - timedelta(days=3), summary="部门预算公开。",
                                    body="<p>现将2025年部门预算公开如下。</p>")  # fmt: skip
    attachment = item_actions.add_attachment(actor=world.clerk_a, item=item, name="预算表.pdf",
                                             data=b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")  # fmt: skip
    item = item_actions.publish_item(actor=world.reviewer, item=item)
    draft = item_actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title="草稿",
                                     formed_on=timezone.localdate())  # fmt: skip
    return {"item": item, "attachment": attachment, "draft": draft}


PORTAL = [
    "/", "/catalogue/", "/news/", "/search/", "/search/?q=预算", "/mailbox/", "/mailbox/track/",
    "/mailbox/replies/", "/apply/", "/track/", "/services/", "/services/track/", "/consultations/",
    "/hearings/", "/reports/", "/account/login/", "/account/register/", "/robots.txt", "/sitemap.xml",
    "/feeds/items.rss", "/feeds/items.atom", "/feeds/news.rss",
]  # fmt: skip
OFFICE = [
    "/office/", "/office/items/", "/office/items/review/", "/office/applications/", "/office/interaction/",
    "/office/decisions/", "/office/services/", "/office/services/cases/", "/office/supervision/",
    "/office/records/", "/office/reports/", "/office/organisations/", "/office/users/", "/office/audit/",
    "/office/calendar/",
]  # fmt: skip
API = ["/api/v1/items", "/api/v1/organisations", "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/me"]


def test_portal_pages_carry_the_security_headers(client: Any, world: Any, content: dict[str, Any]) -> None:
    item = content["item"]
    paths = PORTAL + [f"/items/{item.pk}/", f"/units/{world.unit_a.pk}/", f"/units/{world.unit_a.pk}/guide/",
                      f"/units/{world.unit_a.pk}/catalogue/"]  # fmt: skip
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert_secure_headers(response, path)


def test_attachment_downloads_carry_their_own_sandbox(client: Any, content: dict[str, Any]) -> None:
    response = client.get(f"/attachments/{content['attachment'].pk}/download/")
    assert response.status_code == 200
    assert_secure_headers(response, "download")
    assert "sandbox" in directives(response.headers["Content-Security-Policy"])
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/pdf"


def test_office_pages_carry_the_security_headers(login: Any, world: Any, content: dict[str, Any]) -> None:
    client = login(world.county_admin)
    for path in OFFICE + [f"/office/items/{content['item'].pk}/"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert_secure_headers(response, path)
    anonymous = client.__class__()
    response = anonymous.get("/office/login/")
    assert response.status_code == 200
    assert_secure_headers(response, "/office/login/")


def test_api_health_and_static_responses_carry_the_security_headers(client: Any, world: Any) -> None:
    for path in API:
        response = client.get(path)
        assert response.status_code in (200, 401), (path, response.status_code)
        assert_secure_headers(response, path)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_secure_headers(response, "/healthz")
    response = client.get("/static/gongkai/site.css")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body
    assert_secure_headers(response, "static")


def test_error_pages_carry_the_security_headers(
    client: Any, login: Any, world: Any, content: dict[str, Any]
) -> None:
    cases: list[tuple[str, Any, int]] = [
        ("404 portal", client.get("/no-such-page/"), 404),
        ("404 item", client.get(f"/items/{content['draft'].pk}/"), 404),
        ("404 api", client.get("/api/v1/items/999999999"), 404),
        ("400 bad host", client.get("/", HTTP_HOST="evil.example"), 400),
    ]
    csrf_client = client.__class__(enforce_csrf_checks=True)
    cases.append(("403 csrf", csrf_client.post("/office/login/", {"username": "x", "password": "y"}), 403))
    clerk = login(world.clerk_b)
    cases.append(("403 office", clerk.get("/office/organisations/new/"), 403))
    cases.append(("403 supervision", clerk.get("/office/supervision/"), 403))
    for where, response, status in cases:
        assert response.status_code == status, (where, response.status_code)
        assert_secure_headers(response, where)


# --- no inline code in the pages ----------------------------------------------------------------

# A script element without src runs, unless it is a JSON data block (the API docs' settings).
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=[\"']?application/(?:ld\+)?json)[^>]*>", re.I
)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
HANDLER_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def inline_code(html: str) -> list[str]:
    found = []
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("style attribute", STYLE_ATTR),
                          ("<style> element", STYLE_ELEMENT), ("on… handler", HANDLER_ATTR),
                          ("javascript: URL", JS_URL)):  # fmt: skip
        found += [f"{name}: {m.group(0)[:120]}" for m in pattern.finditer(html)]
    return found


def test_rendered_pages_have_no_inline_script_or_style(client: Any, login: Any, world: Any,
                                                       content: dict[str, Any]) -> None:  # fmt: skip
    item = content["item"]
    public = PORTAL[:-5] + [f"/items/{item.pk}/", f"/units/{world.unit_a.pk}/guide/", "/no-such-page/",
                            "/api/v1/docs", "/admin/login/"]  # fmt: skip
    problems: dict[str, list[str]] = {}
    scanned = 0
    for path in public:
        response = client.get(path)
        if "text/html" in response.headers.get("Content-Type", ""):
            scanned += 1
            if found := inline_code(response.content.decode()):
                problems[path] = found
    office = login(world.county_admin)
    for path in OFFICE + [f"/office/items/{item.pk}/", f"/office/items/{content['draft'].pk}/edit/"]:
        response = office.get(path)
        assert "text/html" in response.headers.get("Content-Type", ""), path
        scanned += 1
        if found := inline_code(response.content.decode()):
            problems[path] = found
    assert scanned >= len(OFFICE) + len(public) - 1
    assert not problems, problems


def test_the_scanner_finds_inline_code() -> None:
    """The scanner itself: each kind of inline code is reported, external scripts are not."""
    assert inline_code('<script src="/static/x.js"></script><p class="a">x</p>') == []
    assert inline_code('<script type="application/json" id="settings">{"a": 1}</script>') == []
    for html in ("<script>alert(1)</script>", '<div style="color:red">', "<style>p{}</style>",
                 '<img src=x onerror="alert(1)">', '<a href="javascript:alert(1)">'):  # fmt: skip
        assert inline_code(html), html


# --- production: check --deploy and the cookies -------------------------------------------------


def test_check_deploy_reports_nothing_under_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


PRINT_COOKIE_SETTINGS = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({k: getattr(s, k) for k in (
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_SAMESITE")}))
"""


def test_cookies_are_secure_httponly_and_samesite_in_production(
    client: Any, world: Any, settings: Any
) -> None:
    import json

    result = subprocess.run(
        [sys.executable, "-c", PRINT_COOKIE_SETTINGS], cwd=ROOT,
        env={**production_env(), "DJANGO_SETTINGS_MODULE": "gongkai.settings"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    prod = json.loads(result.stdout.strip().splitlines()[-1])
    assert prod["SESSION_COOKIE_SECURE"] is True and prod["CSRF_COOKIE_SECURE"] is True, prod
    assert prod["SESSION_COOKIE_HTTPONLY"] is True, prod
    assert prod["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict") and prod["CSRF_COOKIE_SAMESITE"] in (
        "Lax",
        "Strict",
    )
    assert prod["SECURE_SSL_REDIRECT"] is True and prod["SECURE_HSTS_SECONDS"] >= 31536000, prod

    # The cookies a sign-in actually sets, with the production values in force.
    for name in ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
                 "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE"):  # fmt: skip
        setattr(settings, name, prod[name])
    response = client.get("/office/login/", secure=True)
    assert response.status_code == 200
    token = response.cookies["csrftoken"].value
    response = client.post("/office/login/", {"username": world.reviewer.username, "password": factories.PASSWORD,
                                              "csrfmiddlewaretoken": token}, secure=True)  # fmt: skip
    assert response.status_code == 302, response.status_code
    cookies = response.cookies
    session = cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] in ("Lax", "Strict"), session
    csrf = cookies.get(settings.CSRF_COOKIE_NAME) or client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] in ("Lax", "Strict"), csrf
