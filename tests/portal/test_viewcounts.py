"""Page views are buffered (no write per view) and flushed in bulk into DailyViews and view_count."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.disclosure import actions, viewcounts
from gongkai.disclosure.models import DailyViews, DisclosureItem
from gongkai.tasks import JOBS, _resolve

pytestmark = pytest.mark.django_db


BEACON = re.compile(r'<img class="visually-hidden" src="(/items/\d+/seen\.gif)" alt="" width="1" height="1">')


def read(client: Any, item: DisclosureItem) -> Any:
    """Read an item's page as a browser does: the page, then the image it loads, its beacon."""
    page = client.get(f"/items/{item.pk}/")
    assert page.status_code == 200
    src = BEACON.search(page.content.decode()).group(1)
    assert src == f"/items/{item.pk}/seen.gif"
    beacon = client.get(src)
    assert beacon.status_code == 200 and beacon["Content-Type"] == "image/gif"
    assert "no-store" in beacon["Cache-Control"]
    return page


def writes(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def views(item: DisclosureItem) -> tuple[int, dict[date, int]]:
    item.refresh_from_db()
    return item.view_count, dict(DailyViews.objects.filter(item=item).values_list("day", "count"))


def test_viewing_an_item_writes_nothing_until_the_flush(world, publish, client):
    a, b = publish(), publish()
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(5):
            read(client, a)
        read(client, b)
    assert writes(ctx) == []
    assert views(a) == (0, {})

    assert viewcounts.flush() == 6
    today = timezone.localdate()
    assert views(a) == (5, {today: 5})
    assert views(b) == (1, {today: 1})
    assert viewcounts.flush() == 0  # nothing left

    for _ in range(3):
        read(client, a)
    assert viewcounts.flush() == 3
    assert views(a) == (8, {today: 8})  # added to the day's row, not replacing it


def test_views_are_counted_per_day(world, publish, monkeypatch):
    item = publish()
    day1, day2 = date(2025, 10, 8), date(2025, 10, 9)
    monkeypatch.setattr(viewcounts.timezone, "localdate", lambda: day1)
    viewcounts.count_view(item.pk)
    viewcounts.count_view(item.pk)
    monkeypatch.setattr(viewcounts.timezone, "localdate", lambda: day2)
    viewcounts.count_view(item.pk)
    assert viewcounts.flush() == 3
    assert views(item) == (3, {day1: 2, day2: 1})


def test_the_flush_is_a_few_bulk_statements_however_many_items(world, publish, django_assert_max_num_queries):
    items = [publish() for _ in range(12)]
    for n, item in enumerate(items):
        for _ in range(n + 1):
            viewcounts.count_view(item.pk)
    with django_assert_max_num_queries(8):
        assert viewcounts.flush() == sum(range(1, 13))
    assert [views(i)[0] for i in items] == list(range(1, 13))


def test_views_of_items_that_no_longer_exist_are_dropped(world, publish):
    item = publish()
    viewcounts.count_view(item.pk)
    viewcounts.count_view(987654)
    assert viewcounts.flush() == 1


def test_the_beacon_counts_only_published_items(world, publish, client):
    """Anyone may load any id's beacon: a draft's views, or a withdrawn item's, are never written."""
    shown = publish()
    draft = publish.draft()
    withdrawn = publish()
    actions.withdraw_item(actor=world.reviewer, item=withdrawn, reason="错误")
    for item in (shown, draft, withdrawn):
        assert client.get(f"/items/{item.pk}/seen.gif").status_code == 200  # the same answer for every id
    assert viewcounts.flush() == 1
    assert views(shown)[0] == 1 and views(draft) == (0, {}) and views(withdrawn) == (0, {})


def test_a_failed_flush_keeps_the_counts_for_the_next_one(world, publish, monkeypatch):
    item = publish()
    viewcounts.count_view(item.pk)
    viewcounts.count_view(item.pk)

    def broken(counts: Any) -> int:
        raise RuntimeError("database down")

    monkeypatch.setattr(viewcounts, "write_counts", broken)
    with pytest.raises(RuntimeError):
        viewcounts.flush()
    monkeypatch.undo()
    assert viewcounts.flush() == 2
    assert views(item)[0] == 2


def test_the_request_path_flushes_every_n_views(world, publish, client, settings):
    settings.VIEWCOUNT_FLUSH_EVERY = 3
    item = publish()
    read(client, item)
    read(client, item)
    assert views(item)[0] == 0
    read(client, item)
    assert views(item)[0] == 3


def test_the_request_path_flushes_after_some_seconds(world, publish, client, settings, monkeypatch):
    settings.VIEWCOUNT_FLUSH_SECONDS = 60
    item = publish()
    read(client, item)
    assert views(item)[0] == 0
    now = viewcounts.time.monotonic()
    monkeypatch.setattr(viewcounts.time, "monotonic", lambda: now + 61)
    read(client, item)
    assert views(item)[0] == 2


def test_the_item_page_shows_the_view_count(world, publish, en, settings):
    settings.PORTAL_CACHE_SECONDS = 0  # a cached page shows the count as it was when cached
    item = publish()
    for _ in range(4):
        read(en, item)
    viewcounts.flush()
    page = en.get(f"/items/{item.pk}/").content.decode()  # read, not counted: the beacon is not loaded
    assert '<th scope="row">Views</th><td>4</td>' in page


def test_the_periodic_job_flushes(world, publish):
    item = publish()
    viewcounts.count_view(item.pk)
    job = JOBS["disclosure.flush_views"]
    assert _resolve(job.func)() == "1 page views written"
    assert views(item)[0] == 1


@pytest.fixture
def redis_cache(settings: Any) -> Any:
    """The default cache on the local Redis (database 15), as with REDIS_URL in production."""
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15",
                                   "KEY_PREFIX": "gongkai-test"}}  # fmt: skip
    try:
        raw, key = viewcounts._redis()
        raw.ping()
    except Exception as exc:  # no Redis here
        pytest.skip(f"no Redis at 127.0.0.1:6379: {exc}")
    raw.delete(key)
    yield raw, key
    raw.delete(key)


def test_with_redis_the_buffer_is_shared_and_flushed_once(world, publish, client, redis_cache):
    raw, key = redis_cache
    item = publish()
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(4):
            read(client, item)
    assert writes(ctx) == []
    assert sum(int(v) for v in raw.hgetall(key).values()) == 4  # visible to every app server
    assert viewcounts.flush() == 4
    assert not raw.exists(key)
    assert viewcounts.flush() == 0
    assert views(item)[0] == 4


def test_with_redis_a_failed_flush_puts_the_counts_back(world, publish, redis_cache, monkeypatch):
    raw, key = redis_cache
    item = publish()
    viewcounts.count_view(item.pk)
    monkeypatch.setattr(viewcounts, "write_counts", lambda counts: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        viewcounts.flush()
    monkeypatch.undo()
    assert viewcounts.flush() == 1


def test_a_redis_outage_does_not_break_the_page(world, publish, client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    item = publish()
    assert read(client, item).status_code == 200  # page and beacon
