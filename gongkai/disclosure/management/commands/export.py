"""``gongkai export KIND``: write a table of records as CSV, XLSX or JSON, streamed.

Kinds register themselves (see ``gongkai.disclosure.exports.register_exporter``);
``items`` writes the published disclosure items:

    gongkai export items > items.csv
    gongkai export items --format xlsx -o items.xlsx --org 12 --subunits
    gongkai export items --format json --from 2013-01-01 --to 2013-12-31 -o 2013.json

CSV and JSON go to standard output unless ``-o`` names a file; XLSX needs ``-o``.
A file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.disclosure.exports import FORMATS, exporters, write_export


class Command(BaseCommand):
    help = "Export a table as CSV, XLSX or JSON: gongkai export KIND [--format csv|xlsx|json] [-o FILE]"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind, exporter in exporters().items():
            p = sub.add_parser(kind, help=exporter.help)
            p.add_argument("--format", choices=[f for f in FORMATS if f in exporter.formats], default="csv")
            p.add_argument(
                "-o", "--output", help="file to write (default: standard output; required for xlsx)"
            )
            exporter.add_arguments(p)

    def handle(self, *args: Any, **options: Any) -> None:
        exporter = exporters()[options["kind"]]
        fmt = options["format"]
        output = options.get("output")
        if fmt == "xlsx" and not output:
            raise CommandError("XLSX needs a file: give -o FILE")
        count = 0

        def counted(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
            nonlocal count
            for row in rows:
                count += 1
                yield row

        columns = exporter.columns(fmt)
        rows = counted(exporter.rows(actor=None, options=options, fmt=fmt))
        if output:
            target = Path(output)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
            try:
                with os.fdopen(fd, "wb") as out:
                    write_export(out, fmt, columns, rows, title=exporter.kind)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        else:
            out = getattr(self.stdout._out, "buffer", None)  # the real stdout takes bytes
            if out is None:  # e.g. a StringIO given by call_command
                for chunk in self._chunks(fmt, columns, rows):
                    self.stdout._out.write(chunk.decode())
            else:
                write_export(out, fmt, columns, rows, title=exporter.kind)
                out.flush()
        if int(options.get("verbosity", 1)) >= 1:
            where = output or "stdout"
            self.stderr.write(f"{count} rows written to {where}", style_func=lambda s: s)

    @staticmethod
    def _chunks(fmt: str, columns: Any, rows: Any) -> Iterator[bytes]:
        from gongkai.disclosure.exports import iter_csv, iter_json

        return (iter_csv if fmt == "csv" else iter_json)(columns, rows)
