"""Page views of disclosure items, counted in a buffer and written in bulk.

A page view must not cost a database write. ``count_view`` adds one to a
buffer; ``flush`` moves the buffered counts into ``DailyViews`` (one row per
item and day) and ``DisclosureItem.view_count`` with a few bulk statements.

Two buffers, chosen by the cache configuration:

* with the default in-process cache (locmem): a dict guarded by a lock, one per
  process. Only that process can flush it, so the request path flushes it every
  ``VIEWCOUNT_FLUSH_EVERY`` views or ``VIEWCOUNT_FLUSH_SECONDS`` seconds;
* with a Redis cache (``REDIS_URL``): a Redis hash shared by every app server,
  flushed by the worker's periodic job (and by the request path as above).
  ``flush`` renames the hash before reading it, so two flushers never write the
  same views twice.

Counts that cannot be written (database error) go back into the buffer.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from gongkai.disclosure.models import DailyViews, DisclosureItem, ItemStatus

log = logging.getLogger("gongkai.disclosure.viewcounts")

DEFAULT_FLUSH_EVERY = 200  # views, per process
DEFAULT_FLUSH_SECONDS = 60
CHUNK = 300  # rows per UPDATE … CASE statement (well under SQLite's variable limit)
REDIS_KEY = "viewcounts:pending"

Key = tuple[int, date]
T = TypeVar("T")

_lock = threading.Lock()
_local: Counter[Key] = Counter()
_since_flush = 0
_last_flush = time.monotonic()


# -- buffers ---------------------------------------------------------------------------------------


def _uses_redis() -> bool:
    return "redis" in settings.CACHES.get("default", {}).get("BACKEND", "").lower()


def _redis() -> tuple[Any, str]:
    """The raw Redis client behind the default cache, and the (prefixed) key of the hash."""
    cache = caches["default"]
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):  # django-redis
        raw = client.get_client(write=True)
    else:  # Django's own RedisCache
        raw = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    return raw, cache.make_key(REDIS_KEY)


def _field(item_id: int, day: date) -> str:
    return f"{item_id}:{day.isoformat()}"


def _parse(field: bytes | str) -> Key | None:
    text = field.decode() if isinstance(field, bytes) else field
    try:
        item, day = text.split(":", 1)
        return int(item), date.fromisoformat(day)
    except ValueError:
        return None


def _take() -> Counter[Key]:
    """Remove and return everything buffered."""
    global _local
    with _lock:
        taken, _local = _local, Counter()
    if not _uses_redis():
        return taken
    raw, key = _redis()
    work = f"{key}:flushing:{uuid.uuid4().hex}"
    try:
        raw.rename(key, work)  # atomic: views counted from now on go to a fresh hash
    except Exception as exc:  # redis.ResponseError "no such key": nothing pending
        if "no such key" not in str(exc).lower():
            raise
        return taken
    try:
        for field, value in raw.hgetall(work).items():
            parsed = _parse(field)
            if parsed is not None:
                taken[parsed] += int(value)
    finally:
        raw.delete(work)
    return taken


def _put_back(counts: Counter[Key]) -> None:
    if _uses_redis():
        raw, key = _redis()
        pipe = raw.pipeline()
        for (item_id, day), n in counts.items():
            pipe.hincrby(key, _field(item_id, day), n)
        pipe.execute()
    else:
        with _lock:
            _local.update(counts)


# -- the three entry points ---------------------------------------------------------------------------


def count_view(item_id: int) -> None:
    """Count one view of an item today. Never raises: a lost view must not break a page."""
    global _since_flush, _last_flush
    day = timezone.localdate()
    try:
        if _uses_redis():
            raw, key = _redis()
            raw.hincrby(key, _field(item_id, day), 1)
        else:
            with _lock:
                _local[(item_id, day)] += 1
    except Exception:
        log.warning("a page view of item %s was not counted", item_id, exc_info=True)
        return
    every = getattr(settings, "VIEWCOUNT_FLUSH_EVERY", DEFAULT_FLUSH_EVERY)
    seconds = getattr(settings, "VIEWCOUNT_FLUSH_SECONDS", DEFAULT_FLUSH_SECONDS)
    now = time.monotonic()
    with _lock:
        _since_flush += 1
        due = _since_flush >= every or now - _last_flush >= seconds
        if due:
            _since_flush, _last_flush = 0, now
    if due:
        try:
            flush()
        except Exception:
            log.exception("flushing the page-view counts failed; they stay buffered")


def flush() -> int:
    """Write the buffered views to the database; returns how many views were written."""
    counts = _take()
    if not counts:
        return 0
    try:
        return write_counts(counts)
    except Exception:
        _put_back(counts)
        raise


def flush_job() -> str:
    """The periodic job (``gongkai.tasks.JOBS["disclosure.flush_views"]``)."""
    return f"{flush()} page views written"


def reset() -> None:
    """Forget everything buffered (tests)."""
    global _local, _since_flush, _last_flush
    with _lock:
        _local, _since_flush, _last_flush = Counter(), 0, time.monotonic()
    if _uses_redis():
        raw, key = _redis()
        raw.delete(key)


# -- writing --------------------------------------------------------------------------------------------


def _chunks(pairs: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for pair in pairs:
        batch.append(pair)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _increment(field: str, key: str, pairs: list[tuple[int, int]]) -> Any:
    """``field + CASE key WHEN id THEN n … END``: one UPDATE adds a different amount to each row."""
    return F(field) + Case(
        *[When(**{key: pk}, then=Value(n)) for pk, n in pairs],
        default=Value(0),
        output_field=models.BigIntegerField(),
    )


def write_counts(counts: Counter[Key]) -> int:
    # Only published items are read: views of any other id (a draft's or a deleted item's, which
    # anyone may ask the beacon to count: portal.views.item_seen) are dropped.
    existing = set(
        DisclosureItem.objects.filter(pk__in={i for i, _ in counts}, status=ItemStatus.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    counts = Counter({k: n for k, n in counts.items() if k[0] in existing and n > 0})
    if not counts:
        return 0
    by_day: dict[date, dict[int, int]] = defaultdict(dict)
    totals: Counter[int] = Counter()
    for (item_id, day), n in counts.items():
        by_day[day][item_id] = n
        totals[item_id] += n
    with transaction.atomic():
        # Make sure each (item, day) row exists, then add to it in place: the increment is
        # done by the database, so concurrent flushers never lose each other's counts.
        DailyViews.objects.bulk_create(
            [DailyViews(item_id=i, day=d, count=0) for (i, d) in counts],
            ignore_conflicts=True,
            batch_size=500,
        )
        for day, per_item in by_day.items():
            for batch in _chunks(sorted(per_item.items())):
                DailyViews.objects.filter(day=day, item_id__in=[i for i, _ in batch]).update(
                    count=_increment("count", "item_id", batch)
                )
        for batch in _chunks(sorted(totals.items())):
            DisclosureItem.objects.filter(pk__in=[i for i, _ in batch]).update(
                view_count=_increment("view_count", "pk", batch)
            )
    return sum(counts.values())
