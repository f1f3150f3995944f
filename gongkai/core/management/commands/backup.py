"""``gongkai backup``: the database and the media files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.core.backup import BackupError, run_backup


class Command(BaseCommand):
    help = (
        "Write one .tar archive holding the database (SQLite: the online backup API, consistent while "
        "the site runs; PostgreSQL: pg_dump --format=custom --no-owner), every media file, and "
        "manifest.json (format and versions, database vendor, applied migrations, rows per table, "
        "SHA-256 of every member). Each run, good or failed, is recorded for the back office's status "
        "page (a refusal before it started, such as an existing FILE, is not). The archive holds "
        "personal data: it is created readable by its owner only; keep it safe. Restore it with "
        "`gongkai restore FILE`."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            "-o",
            metavar="FILE",
            help="Archive to write (must not exist). Default: gongkai-backup-YYYYmmdd-HHMMSS.tar "
            "in the current directory.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            path, manifest, recorded = run_backup(Path(opts["output"]) if opts["output"] else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = sum(1 for name in manifest["members"] if name.startswith("media/"))
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"backup written: {path} ({manifest['database']['vendor']}, {len(manifest['tables'])} tables, "
            f"{rows} rows, {media} media files)"
        )
        if not recorded:  # the archive is good; only the status page will not know of it
            self.stderr.write("warning: this run could not be recorded for the status page (see the log)")
