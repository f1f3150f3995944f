"""Behind nginx, throttles count the citizen's address, not the proxy's."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from gongkai.core.proxy import ProxyAddressMiddleware


def _seen(settings: Any, remote: str, forwarded: str | None) -> str:
    seen = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["addr"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    ProxyAddressMiddleware(view)(RequestFactory().get("/", **extra))
    return seen["addr"]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # nginx on this machine names the client
        ("127.0.0.1", "10.9.9.9, 203.0.113.7", "203.0.113.7"),  # the entry nginx itself appended
        ("127.0.0.1", "2001:db8::5", "2001:db8::5"),
        ("127.0.0.1", "not an address", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("198.51.100.4", "203.0.113.7", "198.51.100.4"),  # not a proxy of ours: its header is ignored
    ],
)
def test_only_a_trusted_proxy_names_the_client(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert _seen(settings, remote, forwarded) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert _seen(settings, "127.0.0.1", "203.0.113.7") == "127.0.0.1"


@pytest.mark.django_db
def test_behind_the_proxy_one_citizens_failures_do_not_lock_out_another(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.TRACK_FAILURES_PER_HOUR = 2
    wrong = {"case_number": "YSQ2025000999", "tracking_code": "ABCDEFGHJK"}
    for _ in range(2):
        assert client.post("/track/", wrong, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 200
    assert client.post("/track/", wrong, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.post("/track/", wrong, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 200
