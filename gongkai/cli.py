"""The ``gongkai`` console script: manage.py with the project's settings.

``gongkai serve`` runs the development server, ``gongkai demo`` loads the demo
county, ``gongkai worker`` runs background and periodic jobs; every other
manage.py command works too (``gongkai migrate``, ``gongkai calendar load FILE``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["gongkai", *argv])
    if len(args) > 1 and args[1] == "serve":
        args[1:2] = ["runserver", *([] if len(args) > 2 else ["127.0.0.1:8000"])]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
