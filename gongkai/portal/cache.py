"""Whole-page caching of the public portal for anonymous readers.

Anonymous pages are the same for everyone who shares a language and text size,
so they are rendered once and served from the cache (Redis when configured,
else per process) for ``PORTAL_CACHE_SECONDS``. Every change that shows on the
portal (publishing, withdrawing, validity, organisation edits) changes a
generation token after it commits, which retires every cached page at once;
with the per-process cache other processes see the change within the timeout.
Signed-in users always get fresh pages.

Per process, pages are kept in a cache of their own holding up to
``PAGES_PER_PROCESS`` pages (about 15 kB each): the default in-process cache
keeps 300 entries of every kind, fewer than the item pages a reader browses,
so most pages were evicted before they were asked for again. The generation
token stays in the default cache, which tests clear between tests: a new token
then leaves the pages of the old one unreachable.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from gongkai.core.context_processors import LARGE_TEXT_COOKIE

GENERATION_KEY = "portal:generation"
PAGES_PER_PROCESS = 2000
log = logging.getLogger("gongkai.portal")

_local_pages = LocMemCache("gongkai-portal-pages", {"OPTIONS": {"MAX_ENTRIES": PAGES_PER_PROCESS}})


def _pages() -> BaseCache:
    """Where pages are kept: the default cache when it is shared (Redis), else this process's own."""
    default = caches["default"]
    return _local_pages if isinstance(default, LocMemCache) else default


def generation() -> str:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        value = cache.get(GENERATION_KEY)
    return str(value)


def bump() -> None:
    """Retire every cached portal page (call after the change has committed)."""
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
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
        pages = _pages()
        try:
            key = _key(request)
            cached = pages.get(key)
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
                pages.set(key, (response.content, response["Content-Type"]), timeout=seconds)
            except Exception:
                log.warning("portal cache unavailable", exc_info=True)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
