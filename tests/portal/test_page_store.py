"""Where whole pages are kept: this process's own page cache, or the shared (Redis) cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache, caches

from gongkai.portal import cache as page_cache

pytestmark = pytest.mark.django_db


def test_without_redis_pages_have_a_cache_of_their_own_bigger_than_the_default(world, client, settings: Any):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    store = page_cache._pages()
    assert store is page_cache._local_pages and store is not caches["default"]
    assert store._max_entries == page_cache.PAGES_PER_PROCESS > caches["default"]._max_entries
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"
    cache.clear()  # the generation token goes with it: the pages kept are out of reach
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_a_bump_retires_every_page(world, client):
    client.get("/")
    client.get("/catalogue/")
    before = page_cache.generation()
    page_cache.bump()
    assert page_cache.generation() != before
    assert client.get("/")["X-Page-Cache"] == "miss" and client.get("/catalogue/")["X-Page-Cache"] == "miss"


def test_with_redis_pages_are_shared_by_every_process(world, client, settings: Any):
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15",
                                   "KEY_PREFIX": "test-page-store"}}  # fmt: skip
    try:
        assert page_cache._pages() is caches["default"]
        assert client.get("/")["X-Page-Cache"] == "miss"
        assert client.get("/")["X-Page-Cache"] == "hit"
    finally:
        caches["default"].clear()
