"""Login throttling: lock an account (and an address) after repeated failures."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongkai.accounts.models import LoginFailure

# Many staff of one government share one outgoing address, so an address
# tolerates more failures than a single account.
ADDRESS_FACTOR = 4


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(f"user:{username.strip().lower()}", settings.LOGIN_MAX_FAILURES)]
    if address:
        keys.append((f"addr:{address}", settings.LOGIN_MAX_FAILURES * ADDRESS_FACTOR))
    return keys


def locked_until(username: str, address: str | None) -> timezone.datetime | None:
    now = timezone.now()
    rows = LoginFailure.objects.filter(key__in=[k for k, _ in _keys(username, address)], locked_until__gt=now)
    return max((r.locked_until for r in rows), default=None)


def register_failure(username: str, address: str | None) -> None:
    now = timezone.now()
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    with transaction.atomic():
        for key, limit in _keys(username, address):
            row, created = LoginFailure.objects.select_for_update().get_or_create(
                key=key, defaults={"failures": 0, "last_failure_at": now}
            )
            if not created and row.last_failure_at < now - window:
                row.failures = 0  # old failures are forgotten
            LoginFailure.objects.filter(pk=row.pk).update(failures=row.failures + 1, last_failure_at=now)
            if row.failures + 1 >= limit:
                LoginFailure.objects.filter(pk=row.pk).update(locked_until=now + window)


def register_success(username: str) -> None:
    LoginFailure.objects.filter(key=f"user:{username.strip().lower()}").delete()


def failures(username: str) -> int:
    row = LoginFailure.objects.filter(key=f"user:{username.strip().lower()}").first()
    return row.failures if row else 0


def purge_job() -> str:
    """Forget failures older than twice the lockout window (periodic job)."""
    cutoff = timezone.now() - 2 * timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    deleted, _ = (
        LoginFailure.objects.filter(last_failure_at__lt=cutoff)
        .exclude(locked_until__gt=timezone.now())
        .delete()
    )
    return f"{deleted} old login failures forgotten"
