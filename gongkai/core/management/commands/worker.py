"""``gongkai worker``: run queued tasks and periodic jobs."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from gongkai import tasks


class Command(BaseCommand):
    help = "Run background tasks (Redis queue) and the periodic jobs of the registry."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run the due jobs once and exit.")
        parser.add_argument("--force", action="store_true", help="With --once: run every job now.")
        parser.add_argument("--list", action="store_true", help="List the registered jobs and exit.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["list"]:
            for job in tasks.JOBS.values():
                self.stdout.write(f"{job.name}\tevery {job.every}\t{job.description}")
            return
        if opts["once"]:
            for name, status in tasks.run_due_jobs(force=opts["force"]):
                self.stdout.write(f"{name}: {status}")
            return
        self.stdout.write(f"worker started (tasks backend: {settings.TASKS_BACKEND})")
        while True:
            tasks.run_due_jobs()
            if settings.TASKS_BACKEND == "redis":
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    item = tasks.pop_task(timeout=5)
                    if item:
                        tasks.run_task(item["func"], item.get("kwargs", {}))
            else:
                time.sleep(30)
