"""The per-unit supervision table as CSV (UTF-8 with BOM, for Excel) and XLSX.

Built on the disclosure export writers, so text a spreadsheet would run as a formula is
escaped the same way everywhere.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from gongkai.disclosure.exports import ExportColumn, iter_csv, write_xlsx
from gongkai.workdays.models import ClockKind

FIGURE_COLUMNS = ("received", "completed", "completion_rate", "on_time", "on_time_rate", "avg_used_days",
                  "overdue_now", "warnings", "alarms", "yellow_cards", "red_cards")  # fmt: skip


def unit_columns() -> list[ExportColumn]:
    headers = {
        "unit": _("Unit"),
        "kind": _("Kind of case"),
        "received": _("Received"),
        "completed": _("Completed"),
        "completion_rate": _("Completion rate (%)"),
        "on_time": _("Completed on time"),
        "on_time_rate": _("On-time rate (%)"),
        "avg_used_days": _("Average working days used"),
        "overdue_now": _("Overdue now"),
        "warnings": _("Warnings"),
        "alarms": _("Alarms"),
        "yellow_cards": _("Yellow cards"),
        "red_cards": _("Red cards"),
    }
    return [ExportColumn(key, header) for key, header in headers.items()]


def _cell(key: str, value: Any) -> Any:
    if key.endswith("_rate") and value is not None:
        return round(value * 100, 2)
    return value


def unit_rows(figures: dict[str, Any]) -> Iterator[list[Any]]:
    """One row per unit (all kinds), then one per kind of case it had."""
    labels = dict(ClockKind.choices)
    for unit in figures["units"]:
        rows = [(_("All"), unit["total"])] + [(str(labels.get(k, k)), v) for k, v in unit["kinds"].items()]
        for kind, values in rows:
            yield [unit["name"], kind] + [_cell(key, values[key]) for key in FIGURE_COLUMNS]


def units_csv(figures: dict[str, Any]) -> bytes:
    """The table of :func:`gongkai.supervision.figures.unit_figures` as CSV bytes."""
    return b"".join(iter_csv(unit_columns(), unit_rows(figures)))


def units_xlsx(figures: dict[str, Any]) -> bytes:
    """The same table as an XLSX workbook."""
    out = io.BytesIO()
    write_xlsx(out, unit_columns(), unit_rows(figures), title=_("Supervision"))
    return out.getvalue()
