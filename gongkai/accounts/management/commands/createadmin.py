"""``gongkai createadmin``: create a platform administrator through the action (audited)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongkai.accounts.actions import create_platform_admin
from gongkai.core.actions import ActionError


class Command(BaseCommand):
    help = "Create a platform administrator. The password comes from GONGKAI_ADMIN_PASSWORD or a prompt."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="Full name.")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        password = os.environ.get("GONGKAI_ADMIN_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        try:
            user = create_platform_admin(actor=None, username=opts["username"], password=password,
                                         display_name=opts["name"], email=opts["email"])  # fmt: skip
        except ActionError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"platform administrator {user.username} created")
