"""Bookkeeping for periodic jobs."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """When each periodic job last ran; claimed with a conditional UPDATE.

    Two workers (or two machines) racing for the same due job both issue
    ``UPDATE … WHERE name = x AND next_run_at <= now``; only the one that
    changes a row runs it.
    """

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=10, blank=True)
    last_message = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
