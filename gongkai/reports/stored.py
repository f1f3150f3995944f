"""Reading a stored report back: its tables, its checks and how far the records have moved since.

A stored report (the working copy or a published version) holds cells, not querysets; these
helpers rebuild the :class:`~gongkai.reports.tables.Report` from them, run R1–R6 over the stored
figures and narrative, and compare the stored figures with a fresh computation (``drift``), so an
auditor sees which published figures the records no longer give.
"""

from __future__ import annotations

from typing import Any

from gongkai.core.actions import jsonable
from gongkai.reports import checks, drafting, tables
from gongkai.reports.checks import Violation
from gongkai.reports.models import ReportContent, dump_cells, load_cells


def _org_and_year(content: ReportContent) -> tuple[Any, int]:
    report = getattr(content, "report", content)  # a version reads its report's organisation and year
    return report.organisation, report.year


def as_report(content: ReportContent) -> tables.Report:
    org, year = _org_and_year(content)
    return tables.from_cells(org, year, content.template, content.rollup, list(content.org_ids),
                             content.figures())  # fmt: skip


def previous_report(content: ReportContent) -> tables.Report:
    org, year = _org_and_year(content)
    return tables.from_cells(org, year - 1, content.template, content.rollup, list(content.org_ids),
                             content.previous_figures())  # fmt: skip


def serialise(violations: list[Violation]) -> list[dict[str, Any]]:
    def side(s: checks.Side) -> dict[str, Any]:
        return {"label": s.label, "value": jsonable(s.value), "cells": ["/".join(k) for k in s.cells]}

    return [
        {"rule": v.rule, "message": v.message, "left": side(v.left), "right": side(v.right)}
        for v in violations
    ]


def table_checks(report: tables.Report, previous: tables.Report) -> list[Violation]:
    """R1–R5 (R5 against the previous year's figures given)."""
    return checks.check(report, previous)


def narrative_checks(report: tables.Report, sections: dict[str, str]) -> list[Violation]:
    """R6 over the whole narrative as it is printed."""
    return checks.check_narrative(drafting.full_text(sections, report.template), report)


def verify(content: ReportContent) -> list[dict[str, Any]]:
    """R1–R6 over what is stored (for ``gongkai check``): the stored figures must agree with each other."""
    report = as_report(content)
    previous = previous_report(content)
    # No stored previous year (a report stored before one existed): R1–R4 only.
    found = checks.check(report, previous) if content.previous_cells else checks.check_tables(report)
    return serialise([*found, *narrative_checks(report, content.sections)])


def drift(content: ReportContent) -> dict[str, tuple[Any, Any]]:
    """Cells whose stored value differs from what the records give today: ``{cell: (stored, now)}``."""
    org, year = _org_and_year(content)
    now = tables.compute(org, year, rollup=content.rollup, template=content.template).as_dict()
    stored = content.figures()
    fresh = load_cells(dump_cells(now))
    return {k: (stored.get(k), fresh[k]) for k in fresh if stored.get(k) != fresh[k]}
