"""``gongkai demo``: load the demo county (Youxian, 2013)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.core.demo import DEMO_PASSWORD, is_empty, load_demo


class Command(BaseCommand):
    help = "Load the demo county (Youxian 2013) through the actions."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database already has data."
        )
        parser.add_argument("--no-records", action="store_true", help="Only the organisations and logins.")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not is_empty():
            if opts["if_empty"]:
                self.stdout.write("database not empty: demo not loaded")
                return
            raise CommandError("the database already has organisations or users; use a fresh database")
        logins = load_demo(with_disclosure=not opts["no_records"], report=self._progress)
        self.stdout.write(self.style.SUCCESS("demo county loaded"))
        self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<18} {login.role:<28} {login.where}")

    def _progress(self, stage: str, done: int, total: int) -> None:
        """A one-line progress bar per stage."""
        width = 30
        filled = int(width * done / total) if total else width
        end = "\n" if done >= total else ""
        self.stdout.write(
            f"\r  {stage:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=end
        )
        self.stdout.flush()
