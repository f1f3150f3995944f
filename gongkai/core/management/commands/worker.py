"""``gongkai worker``: run queued tasks and periodic jobs.

With the Redis backend each task is claimed into this worker's processing list
and acknowledged only after it ran; a worker that dies (SIGKILL, power cut)
leaves its claimed tasks to be requeued by the next worker once its heartbeat
expires (see :mod:`gongkai.tasks`). SIGTERM and SIGINT stop the worker
cleanly: it finishes the task or job in hand, then exits. A task whose worker
died too often waits in the dead letters; ``--requeue-dead`` puts them back.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from gongkai import tasks

JOBS_EVERY = 30  # seconds between two looks at the periodic jobs


class Command(BaseCommand):
    help = "Run background tasks (Redis queue) and the periodic jobs of the registry."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run the due jobs once and exit.")
        parser.add_argument("--force", action="store_true", help="With --once: run every job now.")
        parser.add_argument(
            "--list",
            action="store_true",
            help="List the registered jobs and the task queue's state, and exit.",
        )
        parser.add_argument(
            "--requeue-dead",
            action="store_true",
            help="Put the dead-letter tasks back on the queue (once their cause is fixed) and exit.",
        )
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=tasks.HEARTBEAT_TTL,
            help="Seconds without a heartbeat after which another worker requeues this one's tasks "
            f"(default {tasks.HEARTBEAT_TTL}).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["list"]:
            self._list()
            return
        if opts["requeue_dead"]:
            if settings.TASKS_BACKEND != "redis":
                raise CommandError("--requeue-dead needs the Redis task backend (TASKS_BACKEND=redis)")
            self.stdout.write(f"requeued {tasks.requeue_dead_letters()} dead-letter task(s)")
            return
        if opts["once"]:
            for name, status in tasks.run_due_jobs(force=opts["force"]):
                self.stdout.write(f"{name}: {status}")
            return
        if opts["heartbeat"] < 1:
            raise CommandError("--heartbeat must be at least 1 second")
        stop = threading.Event()

        def request_stop(signum: int, _frame: Any) -> None:
            if stop.is_set():  # asked twice: give up the task in hand (it goes back to the queue)
                raise KeyboardInterrupt
            self.stdout.write(f"signal {signum}: finishing the current task, then stopping")
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            if settings.TASKS_BACKEND == "redis":
                self._serve_queue(stop, opts["heartbeat"])
            else:
                self.stdout.write("worker started (tasks backend: inline)")
                while not stop.is_set():
                    close_old_connections()
                    tasks.run_due_jobs()
                    stop.wait(JOBS_EVERY)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("worker stopped")

    def _list(self) -> None:
        """Each periodic job with its last run, status and message; the queue's state."""
        from django.utils import timezone

        from gongkai.core.models import JobRun

        runs = {run.name: run for run in JobRun.objects.filter(name__in=list(tasks.JOBS))}
        for job in tasks.JOBS.values():
            run = runs.get(job.name)
            if run is None or run.last_finished_at is None:
                last = "never run"
            else:
                finished = timezone.localtime(run.last_finished_at).strftime("%Y-%m-%d %H:%M:%S")
                message = (run.last_message or "").strip().splitlines()
                last = f"{finished} {run.last_status}" + (f": {message[-1][:100]}" if message else "")
            self.stdout.write(f"{job.name}\tevery {job.every}\t{last}\t{job.description}")
        if settings.TASKS_BACKEND == "redis":
            state = tasks.queue_state()
            queued, dead = state.pop("queued"), state.pop("dead")
            self.stdout.write(
                f"tasks: {queued} queued, {sum(state.values())} claimed by {len(state)} registered worker(s), "
                f"{dead} dead"
            )

    def _serve_queue(self, stop: threading.Event, heartbeat: float) -> None:
        worker = tasks.TaskWorker(heartbeat_ttl=heartbeat)
        requeued = worker.start()
        self.stdout.write(
            f"worker {worker.id} started (tasks backend: redis); requeued {requeued} task(s) of dead workers"
        )
        try:
            next_jobs = 0.0
            while not stop.is_set():
                if time.monotonic() >= next_jobs:
                    close_old_connections()
                    tasks.run_due_jobs()
                    next_jobs = time.monotonic() + JOBS_EVERY
                # A short wait, so a stop request is seen within two seconds when the queue is idle.
                task = worker.claim(timeout=2)
                if task is not None:
                    close_old_connections()  # a database restart must not fail every later task
                    worker.run(task)  # claimed tasks are run even when a stop was requested meanwhile
        finally:
            worker.stop()
