"""Two app servers behind one database and one Redis share everything a visitor can notice.

A province runs several app servers (docs/operations.md): a session started on one must be valid
on the other, a client's failed look-ups must count against one limit whichever server answers,
and a page cached by one is served by the other. Real gunicorn processes (see ``stack``).
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from tests.durability.stack import Stack, _free_port
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


class Browser:
    """One visitor: a cookie jar shared by requests to either server (cookies ignore the port)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[int, str, Any]:
        try:
            with self.opener.open(url, timeout=60) as r:
                return r.status, r.read().decode(), r
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), exc

    def post_form(self, url: str, fields: dict[str, str]) -> tuple[int, str, Any]:
        _status, page, _r = self.get(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:2000]
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token.group(1)}).encode()
        request = urllib.request.Request(url, data=data, method="POST", headers={"Referer": url})
        try:
            with self.opener.open(request, timeout=60) as r:
                return r.status, r.read().decode(), r
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), exc


@pytest.fixture(scope="module")
def servers(stack: Stack) -> tuple[str, str]:
    stack.env["TRACK_FAILURES_PER_HOUR"] = "3"
    stack.env["PORTAL_CACHE_SECONDS"] = "60"
    second = _free_port()
    stack.start_server(log_name="server_a.log")
    stack.start_server(port=second, log_name="server_b.log")
    return f"http://127.0.0.1:{stack.port}", f"http://127.0.0.1:{second}"


def test_a_session_started_on_one_server_is_valid_on_the_other(servers: tuple[str, str]) -> None:
    a, b = servers
    browser = Browser()
    status, _page, response = browser.post_form(f"{a}/office/login/", {"username": "durable_rv", "password": PASSWORD})
    assert status == 200 and "/login" not in response.geturl()  # signed in, redirected into the office
    status, page, response = browser.get(f"{b}/office/")
    assert status == 200 and "/login" not in response.geturl()
    assert "durable_rv" in page or "logout" in page.lower()


def test_failed_look_ups_count_against_one_limit_across_servers(servers: tuple[str, str]) -> None:
    a, b = servers
    browser = Browser()
    wrong = {"case_number": "YSQ2025000999", "tracking_code": "ABCDEFGHJK"}
    answers = [browser.post_form(f"{server}/track/", wrong)[0] for server in (a, b, a)]
    assert answers == [200, 200, 200]  # three failures, told so, spread over both servers
    assert browser.post_form(f"{b}/track/", wrong)[0] == 429
    assert browser.post_form(f"{a}/track/", wrong)[0] == 429


def test_a_page_cached_by_one_server_is_served_by_the_other(servers: tuple[str, str]) -> None:
    a, b = servers
    visitor = Browser()  # anonymous, no cookies
    path = "/?shared-cache-check=1"
    first = visitor.get(f"{a}{path}")
    assert first[0] == 200 and first[2].headers["X-Page-Cache"] == "miss"
    second = visitor.get(f"{b}{path}")
    assert second[0] == 200 and second[2].headers["X-Page-Cache"] == "hit"
    assert second[1] == first[1]
