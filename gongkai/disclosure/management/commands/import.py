"""``gongkai import KIND FILE``: import a CSV or XLSX table (all rows or none).

Kinds register themselves (see ``gongkai.disclosure.imports.register_importer``);
``items`` is the disclosure catalogue:

    gongkai import items catalogue.xlsx                 # publish every row (rows may carry 发布日期)
    gongkai import items drafts.csv --draft --actor clerk1
    gongkai import items catalogue.csv --dry-run        # check only

Without ``--actor`` the import runs as the system: no permission policy is
checked (whoever can run commands on the server is trusted with the data), and
the audit log records the events as "system". With ``--actor USERNAME`` the
import is checked and recorded exactly as if that user had uploaded the file in
the back office.

On any problem nothing is stored, the problems are listed (row, column, reason)
on standard error and the exit code is 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongkai.core.actions import ActionError
from gongkai.disclosure.bulk import ImportRejected
from gongkai.disclosure.imports import MAX_BYTES, importers


class Command(BaseCommand):
    help = "Import a table (CSV or XLSX): gongkai import KIND FILE. All rows are stored or none."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind, importer in importers().items():
            p = sub.add_parser(kind, help=importer.help)
            p.add_argument("file", help="the CSV or XLSX file ('-' for standard input)")
            p.add_argument(
                "--actor",
                help="user name to import as (policies checked, events recorded under that user); "
                "default: the system, with no permission check",
            )
            importer.add_arguments(p)

    def handle(self, *args: Any, **options: Any) -> None:
        importer = importers()[options["kind"]]
        actor = None
        if options.get("actor"):
            actor = get_user_model().objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user called {options['actor']!r}")
        data, filename = self._read(options["file"])
        verbosity = int(options.get("verbosity", 1))

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "items" and done != total and done % 5000 >= 500:
                return  # the items are stored 500 at a time: report every 5,000
            if verbosity >= 1:
                self.stderr.write(f"{stage}: {done}" + (f"/{total}" if total else ""), style_func=lambda s: s)

        try:
            lines = importer.run(
                data=data, filename=filename, actor=actor, options=options, progress=progress
            )
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            n = len(exc.errors)
            raise CommandError(
                ngettext("%(n)s problem; nothing was imported.", "%(n)s problems; nothing was imported.", n)
                % {"n": n},
                returncode=1,
            ) from exc
        except ActionError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(_("Nothing was imported."), returncode=1) from exc
        except PermissionDenied as exc:
            raise CommandError(_("You are not allowed to do this."), returncode=1) from exc
        for line in lines:
            self.stdout.write(line)

    def _read(self, name: str) -> tuple[bytes, str]:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
            return data, "stdin"
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file", returncode=2)
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}, returncode=1
            )
        return path.read_bytes(), path.name
