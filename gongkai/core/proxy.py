"""The client's address behind a reverse proxy.

Behind nginx every request comes from nginx's own address, so the per-address throttles of the
public forms and of log-ins would count every citizen as one. When REMOTE_ADDR is one of the
TRUSTED_PROXIES, the address that proxy saw — the last entry of X-Forwarded-For, which nginx sets
(``proxy_set_header X-Forwarded-For $remote_addr`` overwrites whatever the client sent) — becomes
REMOTE_ADDR for the rest of the request. Anyone else's X-Forwarded-For is ignored: a client
cannot choose its own address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class ProxyAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = settings.TRUSTED_PROXIES
        if trusted and _address(request.META.get("REMOTE_ADDR", "")) in {_address(a) for a in trusted}:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            client = _address(forwarded.rsplit(",", 1)[-1]) if forwarded else None
            if client:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
