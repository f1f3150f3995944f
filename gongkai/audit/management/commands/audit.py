"""``gongkai audit verify``: check the audit hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.audit.log import verify
from gongkai.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Audit log: verify the hash chain (detects edited, deleted or inserted events)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        sub.add_parser("verify", help="Walk the chain and report every break.")

    def handle(self, *args: Any, **opts: Any) -> None:
        problems = verify()
        total = AuditEvent.objects.count()
        if problems:
            for p in problems:
                self.stderr.write(f"event {p.seq if p.seq is not None else '-'}: {p.message}")
            raise CommandError(f"audit chain broken: {len(problems)} problem(s) in {total} events")
        self.stdout.write(f"audit chain intact: {total} events")
