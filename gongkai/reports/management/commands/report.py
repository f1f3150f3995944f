"""``gongkai report YEAR --org CODE``: write an organisation's annual report as a file.

The stored working copy is rendered as it is (``--published``: the latest published version);
where the organisation has no report for the year, one is computed from the records and drafted
on the fly, and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.applications.documents import PdfUnavailable
from gongkai.orgs.models import Organisation
from gongkai.reports import exports, tables
from gongkai.reports.actions import FIRST_YEAR
from gongkai.reports.models import AnnualReport
from gongkai.reports.presentation import Document, document_from_records, document_of

FORMATS = (*exports.FORMATS, "html")
TEXT_FORMATS = ("json", "html")


class Command(BaseCommand):
    help = "Write an organisation's annual report for a year as DOCX, PDF, XLSX, JSON or HTML."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("year", type=int, help="The year of the report.")
        parser.add_argument("--org", required=True, help="The organisation's code.")
        parser.add_argument(
            "--format", dest="fmt", help=f"One of {', '.join(FORMATS)} (default: from -o, else json)."
        )
        parser.add_argument(
            "--template", help=f"Format of a report computed from the records: {', '.join(tables.TEMPLATES)}."
        )
        parser.add_argument(
            "--no-rollup", action="store_true", help="Count the organisation only, not the units below."
        )
        parser.add_argument(
            "--published", action="store_true", help="The latest published version, not the working copy."
        )
        parser.add_argument(
            "-o", "--output", help="The file to write (json and html go to standard output without it)."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        year, output = opts["year"], opts["output"]
        fmt = (opts["fmt"] or (Path(output).suffix.lstrip(".").lower() if output else "") or "json").lower()
        if fmt not in FORMATS:
            raise CommandError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
        template = opts["template"]
        if template is not None and template not in tables.TEMPLATES:
            raise CommandError(f"unknown template {template!r}: choose one of {', '.join(tables.TEMPLATES)}")
        if not FIRST_YEAR <= year <= timezone.localdate().year:
            raise CommandError(f"give a year from {FIRST_YEAR} to {timezone.localdate().year}")
        if output is None and fmt not in TEXT_FORMATS:
            raise CommandError(f"{fmt} is binary: give the file to write with -o FILE")
        org = Organisation.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"no organisation with the code {opts['org']!r}")
        doc = self.document(org, year, template, not opts["no_rollup"], opts["published"])
        try:
            data = exports.render_html(doc).encode() if fmt == "html" else exports.render(doc, fmt)
        except PdfUnavailable as exc:
            raise CommandError(f"cannot make a PDF on this machine: {exc.detail or exc}") from exc
        if output is None:
            self.stdout.write(data.decode(), ending="" if data.endswith(b"\n") else "\n")
            return
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from exc
        self.stderr.write(f"wrote {output} ({len(data)} bytes)")

    def document(self, org: Organisation, year: int, template: str | None, rollup: bool,
                 published: bool) -> Document:  # fmt: skip
        stored = (
            AnnualReport.objects.select_related("organisation").filter(organisation=org, year=year).first()
        )
        if published:
            version = stored.latest_version() if stored is not None else None
            if version is None:
                raise CommandError(f"{org.code} has published no report for {year}")
            return document_of(version)
        if stored is not None and template in (None, stored.template) and rollup == stored.rollup:
            return document_of(stored)
        if stored is not None:
            self.stderr.write(
                f"the stored report is in format {stored.template} (rollup: {stored.rollup}); "
                "computing the one asked for from the records instead"
            )
        else:
            self.stderr.write(
                f"{org.code} has no stored report for {year}: computed from the records, not stored"
            )
        return document_from_records(org, year, template or tables.default_template(year), rollup)
