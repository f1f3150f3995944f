"""``gongkai check``: Django's system checks, then R1–R6 over every stored annual report.

Each working copy and each published version is verified from what is stored
(:func:`gongkai.reports.stored.verify`): one line per report, the violations' messages under
it, and a summary; the command fails (exit 1) when any report fails a check. ``--drift`` also
lists the cells whose stored value the records no longer give, which does not fail it (a
published figure stays as published). With Django's own options (``--deploy``, ``--tag``,
``--list-tags``, app labels) only the system checks run, as before.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as SystemCheckCommand

from gongkai.reports import stored
from gongkai.reports.models import AnnualReport, PublishedVersion, ReportContent
from gongkai.reports.presentation import format_value


class Command(SystemCheckCommand):
    help = "Run Django's system checks, then verify every stored annual report (R1–R6)."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, help="Only the reports of this year.")
        parser.add_argument("--org", help="Only the reports of the organisation with this code.")
        parser.add_argument(
            "--drift", action="store_true", help="Also list the cells the records no longer give."
        )

    def handle(self, *app_labels: Any, **opts: Any) -> None:
        super().handle(*app_labels, **opts)
        if app_labels or opts["deploy"] or opts["list_tags"] or opts["tags"]:
            return
        self.check_reports(opts["year"], opts["org"], opts["drift"])

    def check_reports(self, year: int | None, code: str | None, with_drift: bool) -> None:
        reports = AnnualReport.objects.select_related("organisation").order_by("organisation__code", "year")
        versions = PublishedVersion.objects.select_related("report__organisation").order_by(
            "report__organisation__code", "report__year", "number"
        )
        if year is not None:
            reports, versions = reports.filter(year=year), versions.filter(report__year=year)
        if code is not None:
            reports = reports.filter(organisation__code=code)
            versions = versions.filter(report__organisation__code=code)
        contents: list[tuple[str, ReportContent]] = [
            *((f"{r.organisation.code} {r.year} working copy ({r.status})", r) for r in reports),
            *((f"{v.report.organisation.code} {v.report.year} version {v.number}", v) for v in versions),
        ]
        failed = drifted = 0
        for name, content in contents:
            violations = stored.verify(content)
            if violations:
                failed += 1
                self.stdout.write(self.style.ERROR(f"{name}: FAILS {len(violations)} check(s)"))
                for v in violations:
                    self.stdout.write(f"  {v['rule']}: {v['message']}")
            else:
                self.stdout.write(f"{name}: OK")
            if with_drift:
                moved = stored.drift(content)
                drifted += bool(moved)
                for key, (was, now) in sorted(moved.items()):
                    self.stdout.write(
                        f"  drift {key}: stored {format_value(was)}, the records now give {format_value(now)}"
                    )
        summary = f"{len(contents)} stored report(s) checked, {failed} failing"
        if with_drift:
            summary += f", {drifted} with figures the records no longer give"
        if failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
