"""Whole-page caching of the public portal for anonymous readers.

Anonymous pages are the same for everyone who shares a language and text size,
so they are rendered once and served from the cache (Redis when configured,
else per process) for ``PORTAL_CACHE_SECONDS``. Every change that shows on the
portal (publishing, withdrawing, validity, organisation edits) bumps a
generation number after it commits, which retires every cached page at once;
with the per-process cache other processes see the change within the timeout.
Signed-in users always get fresh pages.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from gongkai.core.context_processors import LARGE_TEXT_COOKIE

GENERATION_KEY = "portal:generation"
log = logging.getLogger("gongkai.portal")


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return int(value)


def bump() -> None:
    """Retire every cached portal page (call after the change has committed)."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # not set yet (or evicted)
            cache.set(GENERATION_KEY, 2, timeout=None)
    except Exception:  # the cache server is down: nothing is being served from it either
        log.warning("portal cache unavailable; generation not bumped", exc_info=True)


def _key(request: HttpRequest) -> str:
    large = request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"
    raw = f"{get_language()}|{int(large)}|{request.get_full_path()}"
    return f"portal:page:{generation()}:{hashlib.sha256(raw.encode()).hexdigest()}"


def anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's 200 responses to anonymous GET requests from the cache."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = getattr(settings, "PORTAL_CACHE_SECONDS", 60)
        if (
            seconds <= 0
            or request.method != "GET"
            or request.user.is_authenticated
            or "messages" in request.COOKIES  # a one-off message belongs to this reader only
        ):
            return view(request, *args, **kwargs)
        try:
            key = _key(request)
            cached = cache.get(key)
        except Exception:  # a cache outage must not take the portal down
            log.warning("portal cache unavailable", exc_info=True)
            return view(request, *args, **kwargs)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            try:
                cache.set(key, (response.content, response["Content-Type"]), timeout=seconds)
            except Exception:
                log.warning("portal cache unavailable", exc_info=True)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
