"""``gongkai calendar``: seed, load, show and check the working-day calendar."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.core.actions import ActionError
from gongkai.workdays.calendar import check_year, get_calendar, load_year, parse_schedule, seed_from_package
from gongkai.workdays.engine import compute_due, explain
from gongkai.workdays.models import CalendarYear, SourceKind


class Command(BaseCommand):
    help = "Working-day calendar: seed | load FILE | years | add START DAYS"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        seed = sub.add_parser("seed", help="Load every year of the chinesecalendar package not yet stored.")
        seed.add_argument("--all", action="store_true", help="Reload the package's years even if stored.")
        load = sub.add_parser("load", help="Load one year's official schedule from a CSV or JSON file.")
        load.add_argument("file")
        load.add_argument("--reason", default="")
        sub.add_parser("years", help="List the years and whether each is official.")
        add = sub.add_parser("add", help="Compute START + DAYS working days with the explanation.")
        add.add_argument("start")
        add.add_argument("days", type=int)

    def handle(self, *args: Any, **opts: Any) -> None:
        op = opts["op"]
        try:
            if op == "seed":
                years = seed_from_package(actor=None, only_missing=not opts["all"])
                self.stdout.write(
                    f"loaded {len(years)} years" + (f": {years[0]}–{years[-1]}" if years else "")
                )
            elif op == "load":
                path = Path(opts["file"])
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise CommandError(f"cannot read {path}: {exc}") from exc
                year, notice, entries = parse_schedule(text)
                changed = load_year(actor=None, year=year, entries=entries, source=SourceKind.FILE, notice=notice,
                                    reason=opts["reason"])  # fmt: skip
                self.stdout.write(f"{year}: {len(entries)} days loaded; {changed} open clocks recomputed")
            elif op == "years":
                stored = {y.year: y for y in CalendarYear.objects.all()}
                for year in range(min(stored, default=date.today().year), date.today().year + 2):
                    y = stored.get(year)
                    self.stdout.write(
                        f"{year}\t{'official' if y else 'provisional'}\t{y.get_source_display() if y else ''}"
                    )
            elif op == "add":
                try:
                    start = date.fromisoformat(opts["start"])
                except ValueError as exc:
                    raise CommandError(f"{opts['start']!r} is not a date (YYYY-MM-DD)") from exc
                check_year(start.year)
                try:
                    result = compute_due(get_calendar(), start, opts["days"])
                except ValueError as exc:
                    raise CommandError(str(exc)) from exc
                self.stdout.write(f"{result.due}{' (provisional)' if result.provisional else ''}")
                self.stdout.write(explain(result, "zh"))
        except ActionError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
