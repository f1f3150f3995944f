"""Bookkeeping for periodic jobs and backups."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class BackupRun(models.Model):
    """One run of ``gongkai backup``, for the status page and /healthz.

    The row is written once, when the run ended (well or not), so no archive holds the row of
    its own run. A database restored from an archive holds the backup runs of the machine it came
    from, up to the one before that archive: true history of those data, and a restored machine
    shows "no recent backup" until it makes its own.
    """

    class Status(models.TextChoices):
        OK = "ok", _("succeeded")
        ERROR = "error", _("failed")

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices)
    archive = models.CharField(max_length=255, blank=True)  # the file name, never its directory
    size = models.BigIntegerField(null=True, blank=True)  # bytes
    rows = models.BigIntegerField(null=True, blank=True)
    media_files = models.IntegerField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "-finished_at"], name="core_backuprun_status_fin")]

    def __str__(self) -> str:
        return f"{self.archive or '-'} ({self.status})"

    @classmethod
    def last_success(cls) -> BackupRun | None:
        return cls.objects.filter(status=cls.Status.OK).order_by("-finished_at").first()
