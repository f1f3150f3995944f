"""System status for platform administrators: backups, periodic jobs, the task queue, the database.

An operator sees here, without a shell, whether the nightly backup ran and whether the worker
keeps up. The page only reads: four queries for its figures, however many backups and jobs there
are, and with REDIS_URL a few short round trips to Redis (with a timeout, so a dead Redis is
reported, not waited on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gongkai import tasks
from gongkai.core.models import BackupRun, JobRun
from gongkai.core.policies import platform_admin
from gongkai.office.views import staff_required

BACKUP_MAX_AGE = timedelta(hours=26)  # a nightly backup, with two hours' slack
RECENT_BACKUPS = 10
OVERDUE_FACTOR = 2  # a job is flagged once it is late by more than this many intervals
REDIS_TIMEOUT = 2  # seconds
MESSAGE_LINE_LIMIT = 300


@dataclass
class JobStatus:
    job: tasks.Job
    run: JobRun | None
    interval: str
    message_line: str
    running: bool
    overdue: bool


def last_line(message: str) -> str:
    """The last non-empty line: a job's summary, or the exception at the end of a traceback."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[-1][:MESSAGE_LINE_LIMIT] if lines else ""


def job_status(job: tasks.Job, run: JobRun | None, now: datetime) -> JobStatus:
    """One periodic job as the page shows it; a job that never ran has no row and counts as overdue
    (the worker creates the row the first time it looks at the job)."""
    interval = timeuntil(now + job.every, now)  # "6 hours", in the reader's language
    if run is None:
        return JobStatus(job, None, interval, "", running=False, overdue=True)
    running = run.last_started_at is not None and (
        run.last_finished_at is None or run.last_finished_at < run.last_started_at
    )
    overdue = now - run.next_run_at > OVERDUE_FACTOR * job.every
    return JobStatus(job, run, interval, last_line(run.last_message), running=running, overdue=overdue)


def _backups(now: datetime) -> dict[str, Any]:
    recent = list(BackupRun.objects.order_by("-finished_at", "-id")[:RECENT_BACKUPS])
    last_ok = BackupRun.last_success()
    last = recent[0] if recent else None
    return {
        "recent": recent,
        "last_ok": last_ok,
        "last_ok_age": now - last_ok.finished_at if last_ok else None,
        "stale": last_ok is None or now - last_ok.finished_at > BACKUP_MAX_AGE,
        "last_failed": last is not None and last.status == BackupRun.Status.ERROR,
        "last": last,
        "max_age_hours": int(BACKUP_MAX_AGE.total_seconds() // 3600),
    }


def _redis() -> dict[str, Any]:
    """Whether Redis answers and, with the Redis task backend, every figure of ``tasks.queue_state``."""
    out: dict[str, Any] = {"configured": bool(settings.REDIS_URL), "queue_backend": settings.TASKS_BACKEND}
    if not settings.REDIS_URL:
        return out
    try:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
        client.ping()
        out["answers"] = True
        if settings.TASKS_BACKEND == "redis":
            state = tasks.queue_state(client)
            # "queued" first, then any other named figure (e.g. "dead"), then the workers' claims.
            out["queue"] = sorted(state.items(), key=lambda kv: (kv[0] != "queued", ":" in kv[0], kv[0]))
            out["dead"] = state.get("dead", 0)
    except Exception as exc:  # refused, timed out, wrong password: the page says so
        out.update(answers=False, error=type(exc).__name__)
    return out


@staff_required
@require_safe
@never_cache
def status(request: HttpRequest) -> HttpResponse:
    if not platform_admin.test(request.user, None):
        raise PermissionDenied
    now = timezone.now()
    runs = {run.name: run for run in JobRun.objects.filter(name__in=list(tasks.JOBS))}
    jobs = [job_status(job, runs.get(name), now) for name, job in tasks.JOBS.items()]
    return render(request, "office/status.html", {
        "now": now,
        "backup": _backups(now),
        "jobs": jobs,
        "overdue_jobs": sum(1 for j in jobs if j.overdue),
        "overdue_factor": OVERDUE_FACTOR,
        "redis": _redis(),
        "database": {
            "vendor": connection.display_name,
            "migrations": MigrationRecorder(connection).migration_qs.count(),
        },
    })  # fmt: skip
