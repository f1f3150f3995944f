"""Background tasks and the registry of periodic jobs.

``enqueue`` is the one way to run something outside the request: with the
default "inline" backend it runs in process right after the transaction
commits (no extra server); with "redis" it is pushed to a Redis list that
``gongkai worker`` consumes. Periodic jobs are idempotent functions listed in
``JOBS``; the worker claims a due job with a conditional UPDATE so running two
workers is safe.

Delivery through Redis is *at least once*: a worker moves each task
atomically from the queue to its own processing list (``BLMOVE``) and removes
it only after the task ran. A worker keeps a heartbeat key alive while it
lives; the processing list of a worker whose heartbeat expired (killed, power
lost) goes back to the queue, so no task is lost and none stays stuck. A task
may therefore run twice (the worker died after running it but before the
acknowledgement, or stalled longer than its heartbeat): tasks must be
idempotent, like the periodic jobs.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger("gongkai.tasks")
QUEUE_KEY = "gongkai:tasks"
# Each worker's claimed tasks, its heartbeat, and the set of workers that may own a processing list.
PROCESSING_KEY = "gongkai:tasks:processing:%s"
ALIVE_KEY = "gongkai:tasks:alive:%s"
WORKERS_KEY = "gongkai:tasks:workers"
HEARTBEAT_TTL = 30  # seconds without a heartbeat after which a worker counts as dead


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
    """Run ``func(**kwargs)`` in the background once the current transaction commits.

    Through Redis a task runs at least once (twice if a worker dies right after
    running it): ``func`` must be idempotent.
    """
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
    """Take one task off the queue *without* a processing list (inspection and tools only).

    A task taken this way is lost if the caller dies; ``gongkai worker`` uses
    :class:`TaskWorker`, which keeps it until it ran.
    """
    item = _redis().brpop([QUEUE_KEY], timeout=timeout)
    return json.loads(item[1]) if item else None


@dataclass(frozen=True)
class ClaimedTask:
    raw: bytes  # the queue entry exactly as stored, to acknowledge it
    func: str
    kwargs: dict[str, Any]


class TaskWorker:
    """One consumer of the Redis queue with a processing list and a heartbeat.

    ``start()`` registers the worker, requeues the tasks of dead workers and
    keeps the heartbeat alive from a thread (so a long task does not make the
    worker look dead); ``claim()`` moves the oldest task to the processing
    list; ``run()`` runs it and acknowledges it; ``stop()`` unregisters.
    """

    def __init__(self, *, heartbeat_ttl: float = HEARTBEAT_TTL, client: Any = None) -> None:
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.processing_key = PROCESSING_KEY % self.id
        self.alive_key = ALIVE_KEY % self.id
        self.heartbeat_ttl = heartbeat_ttl
        self.redis = client if client is not None else _redis()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        """Prove this worker alive for another ``heartbeat_ttl`` seconds."""
        # Both at once, and again on every beat: a worker that stalled and was written off comes back.
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self.alive_key, "1", px=max(1, int(self.heartbeat_ttl * 1000)))
        pipe.sadd(WORKERS_KEY, self.id)
        pipe.execute()

    def start(self) -> int:
        """Register, requeue dead workers' tasks and start the heartbeat; return the tasks requeued."""
        self.beat()
        requeued = requeue_dead_workers(self.redis, skip=self.id)
        self._thread = threading.Thread(target=self._heartbeat, name="gongkai-heartbeat", daemon=True)
        self._thread.start()
        return requeued

    def _heartbeat(self) -> None:
        interval = self.heartbeat_ttl / 3
        while not self._stopping.wait(interval):
            try:
                self.beat()
                requeue_dead_workers(self.redis, skip=self.id)
            except Exception:  # Redis away for a moment: try again at the next beat
                log.exception("task worker heartbeat failed")

    def claim(self, timeout: float = 5) -> ClaimedTask | None:
        """Move the oldest queued task to this worker's processing list (waits up to ``timeout``)."""
        self.beat()  # registered before it owns anything, even if it stalled and was written off
        raw = self.redis.blmove(QUEUE_KEY, self.processing_key, timeout, "RIGHT", "LEFT")
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return ClaimedTask(raw=raw, func=str(data["func"]), kwargs=dict(data.get("kwargs") or {}))
        except (ValueError, KeyError, TypeError, AttributeError):
            log.error("dropping a malformed task: %r", raw[:200])
            self.ack(raw)
            return None

    def ack(self, raw: bytes) -> None:
        self.redis.lrem(self.processing_key, 1, raw)

    def run(self, task: ClaimedTask) -> None:
        """Run a claimed task, then acknowledge it (a failure is logged, not retried)."""
        run_task(task.func, task.kwargs)
        self.ack(task.raw)

    def stop(self) -> None:
        """Stop the heartbeat and unregister; anything still claimed goes back to the queue."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        _requeue(self.redis, self.id)
        self.redis.delete(self.alive_key)
        self.redis.srem(WORKERS_KEY, self.id)


# Atomic per worker: either the worker is alive (left alone) or its whole processing list goes
# back to the queue, oldest first in line, and it is written off; no beat can fall in between.
_REQUEUE_IF_DEAD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local n = 0
while redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') do n = n + 1 end
redis.call('SREM', KEYS[4], ARGV[1])
return n
"""


def _requeue(client: Any, worker_id: str) -> int:
    """Move a worker's processing list back to the queue, oldest first in line; return how many."""
    moved = 0
    # One atomic LMOVE per task: a crash halfway leaves each task in exactly one of the two lists.
    while client.lmove(PROCESSING_KEY % worker_id, QUEUE_KEY, "LEFT", "RIGHT") is not None:
        moved += 1
    return moved


def requeue_dead_workers(client: Any = None, *, skip: str = "") -> int:
    """Give the tasks claimed by workers whose heartbeat expired back to the queue.

    ``skip`` is the caller's own id: a worker that stalled past its heartbeat must not
    take back the task it is running.
    """
    client = client if client is not None else _redis()
    moved = 0
    for member in client.smembers(WORKERS_KEY):
        worker_id = member.decode() if isinstance(member, bytes) else str(member)
        if worker_id == skip:
            continue
        keys = [ALIVE_KEY % worker_id, PROCESSING_KEY % worker_id, QUEUE_KEY, WORKERS_KEY]
        count = int(client.eval(_REQUEUE_IF_DEAD, len(keys), *keys, worker_id))
        if count > 0:
            log.warning("requeued %s task(s) of dead worker %s", count, worker_id)
            moved += count
    return moved


def queue_state(client: Any = None) -> dict[str, int]:
    """Tasks waiting in the queue and claimed by each registered worker (for checks and tests)."""
    client = client if client is not None else _redis()
    state = {"queued": client.llen(QUEUE_KEY)}
    for member in client.smembers(WORKERS_KEY):
        worker_id = member.decode() if isinstance(member, bytes) else str(member)
        state[worker_id] = client.llen(PROCESSING_KEY % worker_id)
    return state


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
