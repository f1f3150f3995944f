"""``gongkai restore FILE``: put back a database and media files saved by ``gongkai backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `gongkai backup`. First the whole archive is checked (manifest "
        "and the SHA-256 of every member): a truncated or altered file is refused and nothing changes. "
        "Also refused: a backup of the other database vendor, a backup whose schema is newer than this "
        "code's migrations, and a database that already has tables (unless --force). Then the database "
        "is replaced (PostgreSQL: pg_restore --clean --if-exists --no-owner --single-transaction into "
        "DATABASE_URL, which must exist; SQLite: the file is replaced atomically), the media files are "
        "written back (files added since the backup are left in place), and `migrate` runs if the "
        "backup's schema is older. Stop the site and the workers while restoring and start them again "
        "afterwards."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE", help="The archive (.tar) to restore.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the contents of a database that is not empty.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = restore_backup(Path(opts["file"]), force=opts["force"], log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.count_mismatches:
            for table, (expected, found) in sorted(result.count_mismatches.items()):
                self.stderr.write(f"{table}: {found} rows, the backup recorded {expected}")
            raise CommandError(
                f"restored, but {len(result.count_mismatches)} table(s) differ from the backup's row "
                "counts: was the site still writing?"
            )
        self.stdout.write(
            f"restored {opts['file']} (made {result.manifest['created_at']}): "
            f"{sum(result.manifest['tables'].values())} rows, {result.media_files} media files"
            + (", migrated to the current schema" if result.migrated else "")
        )
