"""Whole-page caching of the public portal for anonymous readers.

Anonymous pages are the same for everyone who shares a language and text size,
so they are rendered once and served from the cache (Redis when configured,
else per process) for ``PORTAL_CACHE_SECONDS``. Every change that shows on the
portal (publishing, withdrawing, validity, organisation edits) changes a
generation token after it commits, which retires every cached page at once;
with the per-process cache other processes see the change within the timeout.
Signed-in users always get fresh pages.

A reader without a session (no cookie but the language and text size ones) is
served by ``PageCacheMiddleware`` before the rest of the middleware runs: the
whole response — its headers as the middleware left them — is kept on its way
out and sent as it was. The view's ``anonymous_page`` serves the others (an
anonymous session: a form's receipt, a CSRF cookie). Item views are counted by
the page's beacon (``portal.views.item_seen``), whichever cache served it.

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
from django.utils.translation import get_language, get_language_from_request

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
        if PageCacheMiddleware._key(request) is not None:  # a reader without a session: kept whole there
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                response["X-Page-Cache"] = "miss"
                response.page_cache_seconds = seconds  # type: ignore[attr-defined]
            return response
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


# Cookies that leave a reader without a session: the page depends on them through the key only.
READER_COOKIES = frozenset({settings.LANGUAGE_COOKIE_NAME, LARGE_TEXT_COOKIE})
NOT_REPLAYED = frozenset({"x-page-cache", "set-cookie"})


class PageCacheMiddleware:
    """Whole responses of ``anonymous_page`` views for readers without a session, served before
    the sessions, CSRF, authentication, locale and URL resolution run: what a cache hit costs the
    application server is a key and one look-up (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def _key(request: HttpRequest) -> str | None:
        """The response's key, without the generation (kept in the entry); None: not for this cache."""
        if (
            request.method != "GET"
            or getattr(settings, "PORTAL_CACHE_SECONDS", 60) <= 0
            or not READER_COOKIES.issuperset(request.COOKIES)
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return None
        large = request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"
        raw = f"{get_language_from_request(request)}|{int(large)}|{request.get_full_path()}"
        return f"portal:response:{hashlib.sha256(raw.encode()).hexdigest()}"

    @staticmethod
    def _look_up(pages: BaseCache, key: str) -> tuple[str, Any]:
        """The current generation and the entry kept under ``key``: one round trip to Redis."""
        if pages is cache:
            found = cache.get_many([GENERATION_KEY, key])
            current, entry = found.get(GENERATION_KEY), found.get(key)
            return (str(current) if current is not None else generation()), entry
        return generation(), pages.get(key)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pages = _pages()
        try:
            key = self._key(request)
            current, entry = self._look_up(pages, key) if key else ("", None)
        except Exception:  # a cache outage must not take the portal down
            log.warning("portal cache unavailable", exc_info=True)
            key, current, entry = None, "", None
        if entry is not None and entry[0] == current:  # kept before the last change: retired
            _generation, content, headers = entry
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        seconds = getattr(response, "page_cache_seconds", 0)
        if key and seconds and response.status_code == 200 and not response.streaming and not response.cookies:
            headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_REPLAYED]
            try:
                pages.set(key, (current, response.content, headers), timeout=seconds)
            except Exception:
                log.warning("portal cache unavailable", exc_info=True)
        return response
