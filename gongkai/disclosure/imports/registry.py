"""The registry of import kinds (``gongkai import KIND FILE``).

A module adds its own kind by defining an :class:`Importer` subclass in
``<app>/imports.py`` (or an ``imports`` package) decorated with
:func:`register_importer`; every app's ``imports`` module is imported when the
registry is first asked (:func:`importers`).
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import autodiscover_modules

from gongkai.disclosure.bulk import Progress


class Importer:
    """One kind of import (``gongkai import KIND FILE``). Subclass and register."""

    kind: str = ""
    help: str = ""

    def add_arguments(self, parser: Any) -> None:
        """Options of ``gongkai import KIND`` beyond the file."""

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        """Import the file; return the lines of the summary. Raise ImportRejected on bad input."""
        raise NotImplementedError

    def template(self, fmt: str) -> bytes:
        """An empty file with the header row and one example row, as CSV or XLSX."""
        raise NotImplementedError


IMPORTERS: dict[str, Importer] = {}


def register_importer(cls: type[Importer]) -> type[Importer]:
    IMPORTERS[cls.kind] = cls()
    return cls


def importers() -> dict[str, Importer]:
    """Every registered import kind (each installed app's ``imports`` module is loaded first)."""
    autodiscover_modules("imports")
    return dict(sorted(IMPORTERS.items()))
