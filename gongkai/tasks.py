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

Every key starts with ``TASKS_KEY_PREFIX``, so deployments sharing one Redis
keep apart. A task whose worker dies each time it runs it (out of memory, a
crash in a C library) would otherwise come back forever: its claims are
counted, and past ``TASKS_MAX_ATTEMPTS`` it goes to a dead-letter list until an
operator requeues it. A task running past ``TASKS_TIME_LIMIT`` seconds is
interrupted, logged as failed and not retried; so is a task that raises.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import signal
import socket
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger("gongkai.tasks")
HEARTBEAT_TTL = 30  # seconds without a heartbeat after which a worker counts as dead


@dataclass(frozen=True)
class TaskKeys:
    """The Redis keys of one task queue, all under one prefix (``TASKS_KEY_PREFIX``).

    Two deployments (or two test runs) sharing one Redis keep apart by their prefixes.
    """

    prefix: str

    @property
    def queue(self) -> str:
        return f"{self.prefix}:tasks"

    @property
    def workers(self) -> str:
        """The set of workers that may own a processing list."""
        return f"{self.prefix}:tasks:workers"

    @property
    def attempts(self) -> str:
        """Hash: task id -> times claimed and not yet acknowledged."""
        return f"{self.prefix}:tasks:attempts"

    @property
    def dead(self) -> str:
        """Tasks given up because their worker died each time it ran them."""
        return f"{self.prefix}:tasks:dead"

    def processing(self, worker_id: str) -> str:
        return f"{self.prefix}:tasks:processing:{worker_id}"

    def alive(self, worker_id: str) -> str:
        return f"{self.prefix}:tasks:alive:{worker_id}"


def task_keys(prefix: str | None = None) -> TaskKeys:
    """The queue's keys under ``prefix``, by default the setting as it is now (tests change it)."""
    return TaskKeys(prefix or settings.TASKS_KEY_PREFIX)


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
            # The id counts the task's claims (poison tasks, see TaskWorker.claim) however often it is requeued.
            entry = {"id": uuid.uuid4().hex, "func": func, "kwargs": kwargs}
            _redis().lpush(task_keys().queue, json.dumps(entry))
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
    item = _redis().brpop([task_keys().queue], timeout=timeout)
    return json.loads(item[1]) if item else None


def _task_id(raw: bytes, data: Any = None) -> str:
    """The id its claims are counted under; entries queued before ids existed by their content."""
    if data is None:
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"]:
        return data["id"]
    return "sha1:" + hashlib.sha1(raw, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class ClaimedTask:
    raw: bytes  # the queue entry exactly as stored, to acknowledge it
    func: str
    kwargs: dict[str, Any]
    id: str = ""
    attempts: int = 1  # claims so far, this one included


class TaskTimeLimitExceeded(BaseException):
    """Raised in a task that ran past ``TASKS_TIME_LIMIT``.

    A ``BaseException``, so the task's own ``except Exception`` cannot swallow it.
    """


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block with :class:`TaskTimeLimitExceeded` after ``seconds`` (0: never).

    Only in the main thread, where Python delivers signals; elsewhere the block runs unlimited.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: Any) -> None:
        raise TaskTimeLimitExceeded(f"stopped after the time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class TaskWorker:
    """One consumer of the Redis queue with a processing list and a heartbeat.

    ``start()`` registers the worker, requeues the tasks of dead workers and
    keeps the heartbeat alive from a thread (so a long task does not make the
    worker look dead); ``claim()`` moves the oldest task to the processing
    list; ``run()`` runs it and acknowledges it; ``stop()`` unregisters.

    Two guards keep one bad task from holding the queue: a task claimed more
    than ``max_attempts`` times (its worker died each time: out of memory, a
    crash in a C library) goes to the dead letters instead of running again, and
    a task running longer than ``time_limit`` seconds is interrupted.
    """

    def __init__(
        self,
        *,
        heartbeat_ttl: float = HEARTBEAT_TTL,
        client: Any = None,
        prefix: str | None = None,
        max_attempts: int | None = None,
        time_limit: float | None = None,
    ) -> None:
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.keys = task_keys(prefix)
        self.processing_key = self.keys.processing(self.id)
        self.alive_key = self.keys.alive(self.id)
        self.heartbeat_ttl = heartbeat_ttl
        self.max_attempts = settings.TASKS_MAX_ATTEMPTS if max_attempts is None else max_attempts
        self.time_limit = settings.TASKS_TIME_LIMIT if time_limit is None else time_limit
        self.redis = client if client is not None else _redis()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        """Prove this worker alive for another ``heartbeat_ttl`` seconds."""
        # Both at once, and again on every beat: a worker that stalled and was written off comes back.
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self.alive_key, "1", px=max(1, int(self.heartbeat_ttl * 1000)))
        pipe.sadd(self.keys.workers, self.id)
        pipe.execute()

    def start(self) -> int:
        """Register, requeue dead workers' tasks and start the heartbeat; return the tasks requeued."""
        self.beat()
        requeued = requeue_dead_workers(self.redis, skip=self.id, prefix=self.keys.prefix)
        self._thread = threading.Thread(target=self._heartbeat, name="gongkai-heartbeat", daemon=True)
        self._thread.start()
        return requeued

    def _heartbeat(self) -> None:
        interval = self.heartbeat_ttl / 3
        while not self._stopping.wait(interval):
            try:
                self.beat()
                requeue_dead_workers(self.redis, skip=self.id, prefix=self.keys.prefix)
            except Exception:  # Redis away for a moment: try again at the next beat
                log.exception("task worker heartbeat failed")

    def claim(self, timeout: float = 5) -> ClaimedTask | None:
        """Move the oldest queued task to this worker's processing list (waits up to ``timeout``).

        None when the queue stayed empty, and also when the task taken was malformed
        (dropped) or claimed too often (moved to the dead letters).
        """
        self.beat()  # registered before it owns anything, even if it stalled and was written off
        raw = self.redis.blmove(self.keys.queue, self.processing_key, timeout, "RIGHT", "LEFT")
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            func, kwargs = str(data["func"]), dict(data.get("kwargs") or {})
        except (ValueError, KeyError, TypeError, AttributeError):
            log.error("dropping a malformed task: %r", raw[:200])
            self.ack(raw)
            return None
        task_id = _task_id(raw, data)
        # Counted after the move: a worker dying in between costs one uncounted attempt, never a task.
        attempts = int(self.redis.hincrby(self.keys.attempts, task_id, 1))
        if attempts > self.max_attempts:
            self._bury(raw, task_id)
            log.error(
                "task %s (id %s) moved to the dead letters after %s attempt(s), its worker died each time "
                "(gongkai worker --requeue-dead puts it back)",
                func, task_id, attempts - 1,
            )  # fmt: skip
            return None
        return ClaimedTask(raw=raw, func=func, kwargs=kwargs, id=task_id, attempts=attempts)

    def _bury(self, raw: bytes, task_id: str) -> None:
        """Move a claimed task from the processing list to the dead letters, in one transaction."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.lrem(self.processing_key, 1, raw)
        pipe.lpush(self.keys.dead, raw)
        pipe.hdel(self.keys.attempts, task_id)
        pipe.execute()

    def ack(self, raw: bytes, task_id: str = "") -> None:
        """Remove a task from the processing list (it ran) and forget its claims."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.lrem(self.processing_key, 1, raw)
        if task_id:
            pipe.hdel(self.keys.attempts, task_id)
        pipe.execute()

    def run(self, task: ClaimedTask) -> None:
        """Run a claimed task, then acknowledge it.

        A failure is logged, not retried; so is a task stopped at the time limit
        (running it again would most likely hang again).
        """
        try:
            with _time_limit(self.time_limit):
                run_task(task.func, task.kwargs)
        except TaskTimeLimitExceeded as exc:
            log.error("task %s failed: %s (TASKS_TIME_LIMIT); not retried", task.func, exc)
        self.ack(task.raw, task.id)

    def stop(self) -> None:
        """Stop the heartbeat and unregister; anything still claimed goes back to the queue."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        _requeue(self.redis, self.keys, self.id)
        self.redis.delete(self.alive_key)
        self.redis.srem(self.keys.workers, self.id)


# Atomic per worker: either the worker is alive (left alone) or its whole processing list goes
# back to the queue, oldest first in line, and it is written off; no beat can fall in between.
_REQUEUE_IF_DEAD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local n = 0
while redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') do n = n + 1 end
redis.call('SREM', KEYS[4], ARGV[1])
return n
"""


def _requeue(client: Any, keys: TaskKeys, worker_id: str) -> int:
    """Move a worker's processing list back to the queue, oldest first in line; return how many."""
    moved = 0
    # One atomic LMOVE per task: a crash halfway leaves each task in exactly one of the two lists.
    while client.lmove(keys.processing(worker_id), keys.queue, "LEFT", "RIGHT") is not None:
        moved += 1
    return moved


def _decode(member: Any) -> str:
    return member.decode() if isinstance(member, bytes) else str(member)


def requeue_dead_workers(client: Any = None, *, skip: str = "", prefix: str | None = None) -> int:
    """Give the tasks claimed by workers whose heartbeat expired back to the queue.

    ``skip`` is the caller's own id: a worker that stalled past its heartbeat must not
    take back the task it is running.
    """
    client = client if client is not None else _redis()
    keys = task_keys(prefix)
    moved = 0
    for member in client.smembers(keys.workers):
        worker_id = _decode(member)
        if worker_id == skip:
            continue
        script_keys = [keys.alive(worker_id), keys.processing(worker_id), keys.queue, keys.workers]
        count = int(client.eval(_REQUEUE_IF_DEAD, len(script_keys), *script_keys, worker_id))
        if count > 0:
            log.warning("requeued %s task(s) of dead worker %s", count, worker_id)
            moved += count
    return moved


def requeue_dead_letters(client: Any = None, *, prefix: str | None = None) -> int:
    """Put every dead-letter task back at the end of the queue with its claims forgotten; return how many.

    For an operator who fixed what killed the workers (``gongkai worker --requeue-dead``).
    """
    client = client if client is not None else _redis()
    keys = task_keys(prefix)
    moved = 0
    # Oldest first, one atomic LMOVE each: a crash halfway leaves each task in exactly one list.
    while (raw := client.lmove(keys.dead, keys.queue, "RIGHT", "LEFT")) is not None:
        client.hdel(keys.attempts, _task_id(raw))
        moved += 1
    if moved:
        log.warning("requeued %s dead-letter task(s)", moved)
    return moved


def queue_state(client: Any = None, *, prefix: str | None = None) -> dict[str, int]:
    """Tasks queued, dead-lettered ("dead") and claimed by each registered worker (for checks and tests)."""
    client = client if client is not None else _redis()
    keys = task_keys(prefix)
    state = {"queued": client.llen(keys.queue), "dead": client.llen(keys.dead)}
    for member in client.smembers(keys.workers):
        worker_id = _decode(member)
        state[worker_id] = client.llen(keys.processing(worker_id))
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
