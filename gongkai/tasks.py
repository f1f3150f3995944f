"""Background tasks and the registry of periodic jobs.

``enqueue`` is the one way to run something outside the request: with the
default "inline" backend it runs in process right after the transaction
commits (no extra server); with "redis" it is pushed to a Redis list that
``gongkai worker`` consumes. Periodic jobs are idempotent functions listed in
``JOBS``; the worker claims a due job with a conditional UPDATE so running two
workers is safe.
"""

from __future__ import annotations

import importlib
import json
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger("gongkai.tasks")
QUEUE_KEY = "gongkai:tasks"


@dataclass(frozen=True)
class Job:
    name: str
    func: str  # dotted path to a callable taking no arguments and returning a short message
    every: timedelta
    description: str


JOBS: dict[str, Job] = {
    job.name: job
    for job in [
        Job(
            "workdays.recompute_open_clocks",
            "gongkai.workdays.calendar.recompute_open_clocks_job",
            timedelta(hours=6),
            "Recompute the due dates of open clocks (picks up calendar edits, clears provisional flags).",
        ),
        Job(
            "accounts.purge_login_failures",
            "gongkai.accounts.throttle.purge_job",
            timedelta(hours=1),
            "Forget failed log-ins older than twice the lockout window.",
        ),
        Job(
            "disclosure.flush_views",
            "gongkai.disclosure.viewcounts.flush_job",
            timedelta(minutes=1),
            "Write buffered page-view counts of disclosure items to the daily counts.",
        ),
        Job(
            "applications.lapse_overdue",
            "gongkai.applications.actions.lapse_job",
            timedelta(hours=1),
            "Close applications whose correction or fee period passed (deemed withdrawn / abandoned).",
        ),
        Job(
            "interaction.chase_due_letters",
            "gongkai.interaction.actions.chase_job",
            timedelta(hours=6),
            "Send chase notices (督办) for letters due within a working day or overdue, once a day each.",
        ),
        Job(
            "supervision.scan",
            "gongkai.supervision.scan.scan_job",
            timedelta(minutes=30),
            "Raise open clocks to warning or alarm, lower them when dates moved, notify each unit once.",
        ),
        Job(
            "reports.remind_deadlines",
            "gongkai.reports.reminders.remind_job",
            timedelta(hours=24),
            "Remind units whose annual report is due within 14 days or overdue, once per stage.",
        ),
        Job(
            "audit.verify",
            "gongkai.audit.log.verify_job",
            timedelta(hours=24),
            "Verify the audit hash chain and log any break.",
        ),
    ]
}


def _resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def enqueue(func: str, **kwargs: Any) -> None:
    """Run ``func(**kwargs)`` in the background once the current transaction commits."""
    json.dumps(kwargs)  # arguments must survive the queue; fail early if not

    def send() -> None:
        if settings.TASKS_BACKEND == "redis":
            _redis().lpush(QUEUE_KEY, json.dumps({"func": func, "kwargs": kwargs}))
        else:
            run_task(func, kwargs)

    transaction.on_commit(send)


def run_task(func: str, kwargs: dict[str, Any]) -> None:
    try:
        _resolve(func)(**kwargs)
    except Exception:  # a failed background task must not take the caller down
        log.exception("task %s failed", func)


def _redis() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def pop_task(timeout: int = 5) -> dict[str, Any] | None:
    item = _redis().brpop([QUEUE_KEY], timeout=timeout)
    return json.loads(item[1]) if item else None


def claim_job(job: Job) -> bool:
    """Claim a due job for this worker; True only for the one worker that wins."""
    from gongkai.core.models import JobRun

    now = timezone.now()
    JobRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    won = JobRun.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=now + job.every, last_started_at=now
    )
    return won == 1


def run_job(job: Job) -> str:
    from gongkai.core.models import JobRun

    try:
        message = str(_resolve(job.func)() or "")
        status = "ok"
    except Exception:  # recorded and retried at the next interval
        message = traceback.format_exc(limit=5)
        status = "error"
        log.exception("job %s failed", job.name)
    JobRun.objects.filter(name=job.name).update(
        last_finished_at=timezone.now(), last_status=status, last_message=message[:4000]
    )
    return status


def run_due_jobs(force: bool = False) -> list[tuple[str, str]]:
    """Run every job that is due (or all of them with ``force``); return (name, status)."""
    from gongkai.core.models import JobRun

    results = []
    for job in JOBS.values():
        if force:
            JobRun.objects.update_or_create(name=job.name, defaults={"next_run_at": timezone.now()})
        if claim_job(job):
            results.append((job.name, run_job(job)))
    return results
