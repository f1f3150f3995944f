"""Figures of government services for the annual report and the centre pages.

Every figure is counted in the database, and each has a function returning the records
behind it, so a page can show the list a number stands for. Definitions:

- received: cases received (at a window) or submitted (online) in the year;
- completed: cases completed (办结, approved or not) in the year;
- completion rate: the share, in percent, of the year's received cases that are completed
  (None when none were received);
- licensing decisions (table 二 (五)): completed cases of administrative-licensing items,
  by completion date;
- fees (行政事业性收费): fees collected in the year, by collection date, in yuan.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum

from gongkai.orgs.models import Organisation, Role, RoleAssignment
from gongkai.services.models import CaseChannel, CaseStatus, ItemKind, ServiceCase, ServiceItem, ServiceWindow

DEFINITIONS = {
    "received": "cases received at a window or submitted online in the year",
    "completed": "cases completed (approved or not) in the year",
    "completion_rate": "percentage of the cases received in the year that are completed",
    "licensing_decisions": "completed cases of administrative-licensing items, by completion date",
    "fees": "fees collected in the year, by collection date (yuan)",
    "units": "units served by the centre's active windows",
    "staff": "window staff of the centre",
    "items": "published, active service items handled at the centre",
}

CENTRE_FIGURES = ("received", "completed", "fees", "units", "staff", "items")
ONLINE_FIGURES = ("received", "completed", "units")


def _cases_of(org_ids: Iterable[int]) -> QuerySet[ServiceCase]:
    return ServiceCase.objects.filter(organisation_id__in=list(org_ids))


def _case_counts(qs: QuerySet[ServiceCase], year: int) -> dict[str, Any]:
    received = Q(received_on__year=year)
    row = qs.aggregate(
        received=Count("pk", filter=received),
        completed=Count("pk", filter=Q(status=CaseStatus.COMPLETED, completed_on__year=year)),
        received_completed=Count("pk", filter=received & Q(status=CaseStatus.COMPLETED)),
        fees=Sum("fee_amount", filter=Q(fee_collected_on__year=year)),
    )
    rate = None
    if row["received"]:
        rate = (Decimal(100) * row["received_completed"] / row["received"]).quantize(Decimal("0.1"))
    return {
        "received": row["received"],
        "completed": row["completed"],
        "completion_rate": rate,
        "fees": row["fees"] or Decimal("0.00"),
    }


def _case_records(qs: QuerySet[ServiceCase], year: int, figure: str) -> QuerySet[ServiceCase]:
    if figure == "received":
        return qs.filter(received_on__year=year)
    if figure == "completed":
        return qs.filter(status=CaseStatus.COMPLETED, completed_on__year=year)
    if figure == "fees":
        return qs.filter(fee_collected_on__year=year).exclude(fee_amount__isnull=True)
    raise ValueError(f"unknown figure {figure!r}")


# --- annual report figures ------------------------------------------------------------------------


def licensing_decision_cases(org_ids: Iterable[int], year: int) -> QuerySet[ServiceCase]:
    """The cases behind :func:`licensing_decisions`."""
    return _cases_of(org_ids).filter(
        item__kind=ItemKind.LICENSING, status=CaseStatus.COMPLETED, completed_on__year=year
    )


def licensing_decisions(org_ids: Iterable[int], year: int) -> int:
    """Administrative-licensing decisions made in the year (table 二 (五) 行政许可 本年处理决定数量)."""
    return licensing_decision_cases(org_ids, year).count()


def fee_cases(org_ids: Iterable[int], year: int) -> QuerySet[ServiceCase]:
    """The cases behind :func:`fees_collected`."""
    return _case_records(_cases_of(org_ids), year, "fees")


def fees_collected(org_ids: Iterable[int], year: int) -> Decimal:
    """Fees collected in the year, in yuan (table 二 行政事业性收费)."""
    total = fee_cases(org_ids, year).aggregate(total=Sum("fee_amount"))["total"]
    return total or Decimal("0.00")


# --- a service centre -----------------------------------------------------------------------------


def centre_units(centre: Organisation) -> QuerySet[Organisation]:
    links = ServiceWindow.units.through.objects.filter(
        servicewindow__centre=centre, servicewindow__is_active=True
    )
    return Organisation.objects.filter(pk__in=links.values("organisation_id"))


def centre_staff(centre: Organisation) -> QuerySet[Any]:
    held = RoleAssignment.objects.filter(organisation=centre, role=Role.WINDOW)
    return get_user_model().objects.filter(pk__in=held.values("user_id"), is_active=True)


def centre_items(centre: Organisation) -> QuerySet[ServiceItem]:
    """Published, active items whose window is at the centre or whose unit a window there serves."""
    units = ServiceWindow.units.through.objects.filter(
        servicewindow__centre=centre, servicewindow__is_active=True
    )
    return ServiceItem.objects.filter(published=True, is_active=True).filter(
        Q(window__centre=centre) | Q(organisation_id__in=units.values("organisation_id"))
    )


def centre_records(centre: Organisation, year: int, figure: str) -> QuerySet[Any]:
    """The records behind one figure of :func:`centre_figures`."""
    if figure == "units":
        return centre_units(centre)
    if figure == "staff":
        return centre_staff(centre)
    if figure == "items":
        return centre_items(centre)
    return _case_records(ServiceCase.objects.filter(centre=centre), year, figure)


def centre_figures(centre: Organisation, year: int) -> dict[str, Any]:
    """received, completed, completion_rate (percent), fees (yuan), units, staff, items."""
    figures = _case_counts(ServiceCase.objects.filter(centre=centre), year)
    figures["units"] = centre_units(centre).count()
    figures["staff"] = centre_staff(centre).count()
    figures["items"] = centre_items(centre).count()
    return figures


# --- online services of a government --------------------------------------------------------------


def _online_cases(government: Organisation) -> QuerySet[ServiceCase]:
    return ServiceCase.objects.filter(
        channel=CaseChannel.ONLINE, organisation__path__startswith=government.path
    )


def online_units(government: Organisation) -> QuerySet[Organisation]:
    """Units below the government offering at least one published, active item online."""
    items = ServiceItem.objects.filter(online=True, published=True, is_active=True)
    return Organisation.objects.filter(
        path__startswith=government.path, pk__in=items.values("organisation_id")
    )


def online_records(government: Organisation, year: int, figure: str) -> QuerySet[Any]:
    """The records behind one figure of :func:`online_figures`."""
    if figure == "units":
        return online_units(government)
    return _case_records(_online_cases(government), year, figure)


def online_figures(government: Organisation, year: int) -> dict[str, Any]:
    """units, received, completed, completion_rate (percent) of online cases below ``government``."""
    counts = _case_counts(_online_cases(government), year)
    return {
        "units": online_units(government).count(),
        "received": counts["received"],
        "completed": counts["completed"],
        "completion_rate": counts["completion_rate"],
    }
