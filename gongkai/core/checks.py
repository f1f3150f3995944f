"""Deployment checks of our own, run by ``manage.py check --deploy`` beside Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, Tags.caches, deploy=True)
def check_shared_state(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Without Redis, the cache (page cache, throttling counters, buffered page views) lives in each
    process: every gunicorn worker counts a client's submissions on its own, and two app servers
    disagree. Production wants one shared store."""
    if getattr(settings, "REDIS_URL", ""):
        return []
    return [
        Warning(
            "REDIS_URL is not set: the cache, the public forms' throttling and buffered page views are "
            "kept per process, so each gunicorn worker and each app server counts on its own.",
            hint="Set REDIS_URL (see docs/operations.md).",
            id="gongkai.W001",
        )
    ]
