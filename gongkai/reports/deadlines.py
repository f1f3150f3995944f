"""When an annual report is due (RULES §4).

2019 Regulations Art. 49: departments submit their report to the government's disclosure office
by 31 January; the government publishes its own by 31 March. The 2008 Regulations Art. 31 gave
every agency until 31 March. The 2019 text applies to reports for 2019 onwards (in force from
15 May 2019, so the first report under it was due in 2020). Townships are governments (乡镇人民政府):
31 March.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.orgs.models import OrgKind

FIRST_YEAR_UNDER_2019_TEXT = 2019
GOVERNMENT_KINDS = (OrgKind.GOVERNMENT, OrgKind.TOWNSHIP)


def due_date(organisation: Any, year: int) -> date:
    """The last day to publish (government) or submit (department) the report for ``year``."""
    if year >= FIRST_YEAR_UNDER_2019_TEXT and organisation.kind not in GOVERNMENT_KINDS:
        return date(year + 1, 1, 31)  # 2019 Art. 49 (departments)
    return date(year + 1, 3, 31)  # 2019 Art. 49 (governments); 2008 Art. 31 (everyone)


@dataclass
class Standing:
    """A report's state against its deadline, for the office's list."""

    code: str  # not_started | draft | reviewed | on_time | late | overdue
    label: Any
    due: date
    days_left: int | None  # days to the deadline while not published (negative: overdue)
    warn: bool


LABELS = {
    "not_started": _("Not started"),
    "draft": _("Draft"),
    "reviewed": _("Reviewed, not yet published"),
    "on_time": _("Published on time"),
    "late": _("Published late"),
    "overdue": _("Overdue"),
}


def standing(organisation: Any, year: int, report: Any, today: date) -> Standing:
    """``report``: the AnnualReport or None."""
    due = due_date(organisation, year)
    if report is not None and report.published_at is not None:
        code = "on_time" if timezone.localdate(report.published_at) <= due else "late"
        return Standing(code, LABELS[code], due, None, code == "late")
    days_left = (due - today).days
    if days_left < 0:
        return Standing("overdue", LABELS["overdue"], due, days_left, True)
    code = "not_started" if report is None else report.status
    return Standing(code, LABELS[code], due, days_left, days_left <= 14)


def unit_standings(
    units: list[Any], year: int, today: date, reports: Any = None
) -> list[tuple[Any, Any, Standing]]:
    """Each unit with its report for ``year`` (or None) and its standing, in one query.

    ``reports``: the reports to look in (the office passes those its policy lets the user see)."""
    from gongkai.reports.models import AnnualReport

    qs = reports if reports is not None else AnnualReport.objects.all()
    found = {r.organisation_id: r for r in qs.filter(organisation__in=[u.pk for u in units], year=year)}
    return [(u, found.get(u.pk), standing(u, year, found.get(u.pk), today)) for u in units]
