"""Supervision figures per unit, clock kind and service window, with drill-down to the clocks.

Every figure is counted in the database (``values().annotate()`` with filtered aggregates):
a table costs the same few queries whatever the number of clocks. Each figure has a
definition (shown beside the rates) and a drill-down returning the clocks behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from gongkai.orgs.models import Organisation
from gongkai.orgs.scope import scope_ids
from gongkai.supervision.models import Alert, Card, CardColour
from gongkai.supervision.policies import SUPERVISING_ROLES
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import Clock, ClockLevel, ClockStatus

OPEN = (ClockStatus.RUNNING, ClockStatus.PAUSED)

DEFINITIONS = {
    "received": _("Clocks started (cases received) in the period."),
    "completed": _("Clocks closed (cases completed) in the period."),
    "completion_rate": _("Completed in the period ÷ received in the period."),
    "on_time": _("Cases completed in the period on or before their due date."),
    "on_time_rate": _("Completed on time ÷ completed, both in the period."),
    "late": _("Cases completed in the period after their due date."),
    "avg_used_days": _(
        "Average working days used by the cases completed in the period (pauses not counted)."
    ),
    "overdue_now": _("Open cases whose due date has passed, as of today."),
    "warnings": _("Warnings (预警) raised in the period: the warning share of the limit was used."),
    "alarms": _("Alarms (报警) raised in the period: the case became overdue."),
    "yellow_cards": _("Yellow cards issued to the unit in the period."),
    "red_cards": _("Red cards issued to the unit in the period."),
}
FIGURES = tuple(DEFINITIONS)


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError("the period ends before it starts")


def supervised_ids(user: Any) -> frozenset[int]:
    """The units whose figures ``user`` may see (supervisors and administrators, in scope)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return frozenset(Organisation.objects.values_list("pk", flat=True))
    return scope_ids(user, SUPERVISING_ROLES)


def _conditions(period: Period, today: date) -> dict[str, Q]:
    started = Q(original_start_date__range=(period.first, period.last))
    closed = Q(closed_on__range=(period.first, period.last))
    return {
        "received": started,
        "completed": closed,
        "completion_rate": closed,
        "on_time": closed & Q(on_time=True),
        "on_time_rate": closed,
        "late": closed & Q(on_time=False),
        "avg_used_days": closed,
        "overdue_now": Q(status__in=OPEN, due_date__lt=today),
    }


def _clock_aggregates(period: Period, today: date) -> dict[str, Any]:
    cond = _conditions(period, today)
    return {
        "received": Count("pk", filter=cond["received"]),
        "completed": Count("pk", filter=cond["completed"]),
        "on_time": Count("pk", filter=cond["on_time"]),
        "used_sum": Sum("used_days", filter=cond["completed"]),
        "used_n": Count("used_days", filter=cond["completed"]),
        "overdue_now": Count("pk", filter=cond["overdue_now"]),
    }


def _alert_aggregates() -> dict[str, Any]:
    return {
        "warnings": Count("pk", filter=Q(level=ClockLevel.WARNING)),
        "alarms": Count("pk", filter=Q(level=ClockLevel.ALARM)),
    }


def _card_aggregates() -> dict[str, Any]:
    return {
        "yellow_cards": Count("pk", filter=Q(colour=CardColour.YELLOW)),
        "red_cards": Count("pk", filter=Q(colour=CardColour.RED)),
    }


COUNTS = ("received", "completed", "on_time", "used_sum", "used_n", "overdue_now", "warnings", "alarms",
          "yellow_cards", "red_cards")  # fmt: skip


def _empty() -> dict[str, Any]:
    return dict.fromkeys(COUNTS, 0)


def _add(into: dict[str, Any], row: dict[str, Any]) -> None:
    for key in COUNTS:
        if key in row:
            into[key] += row[key] or 0


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _finish(counts: dict[str, Any]) -> dict[str, Any]:
    """Counts plus the rates and the average, computed from the database's sums."""
    out = {k: counts[k] for k in COUNTS if k not in ("used_sum", "used_n")}
    out["late"] = counts["completed"] - counts["on_time"]
    out["completion_rate"] = _rate(counts["completed"], counts["received"])
    out["on_time_rate"] = _rate(counts["on_time"], counts["completed"])
    out["avg_used_days"] = round(counts["used_sum"] / counts["used_n"], 2) if counts["used_n"] else None
    return out


def unit_figures(
    *, first: date, last: date, organisation_ids: Iterable[int], today: date | None = None
) -> dict[str, Any]:
    """Figures per unit and clock kind for the period; four queries whatever the rows.

    Returns ``{"period", "today", "definitions", "units": [{"organisation_id", "name",
    "total": {...}, "kinds": {kind: {...}}}]}``; units in tree order, every unit of the
    scope listed even with nothing to count.
    """
    period, today = Period(first, last), today or clocks.today()
    ids = list(organisation_ids)
    cond = _conditions(period, today)
    clock_rows = (
        Clock.objects.filter(organisation_id__in=ids)
        .filter(cond["received"] | cond["completed"] | cond["overdue_now"])
        .order_by()
        .values("organisation_id", "kind")
        .annotate(**_clock_aggregates(period, today))
    )
    alert_rows = (
        Alert.objects.filter(organisation_id__in=ids, raised_on__range=(first, last))
        .order_by()
        .values("organisation_id", "kind")
        .annotate(**_alert_aggregates())
    )
    card_rows = (
        Card.objects.filter(organisation_id__in=ids, issued_on__range=(first, last))
        .order_by()
        .values("organisation_id", kind=F("clock__kind"))
        .annotate(**_card_aggregates())
    )
    units = list(Organisation.objects.filter(pk__in=ids).order_by("path").values("pk", "name"))
    totals: dict[int, dict[str, Any]] = {u["pk"]: _empty() for u in units}
    kinds: dict[int, dict[str, dict[str, Any]]] = {u["pk"]: {} for u in units}
    for rows in (clock_rows, alert_rows, card_rows):
        for row in rows:
            org = row["organisation_id"]
            _add(totals[org], row)
            if row["kind"]:  # a card about no clock counts for the unit only
                _add(kinds[org].setdefault(row["kind"], _empty()), row)
    return {
        "period": period,
        "today": today,
        "definitions": DEFINITIONS,
        "units": [
            {
                "organisation_id": u["pk"],
                "name": u["name"],
                "total": _finish(totals[u["pk"]]),
                "kinds": {k: _finish(v) for k, v in sorted(kinds[u["pk"]].items())},
            }
            for u in units
        ],
    }


def window_figures(
    *, first: date, last: date, organisation_ids: Iterable[int], today: date | None = None
) -> dict[str, Any]:
    """Figures per service window of the centres in scope (service cases, via their clock)."""
    from gongkai.services.models import ServiceWindow

    period, today = Period(first, last), today or clocks.today()
    ids = list(organisation_ids)
    cond = _conditions(period, today)
    clock_rows = (
        Clock.objects.filter(service_case__window__centre_id__in=ids)
        .filter(cond["received"] | cond["completed"] | cond["overdue_now"])
        .order_by()
        .values(window_id=F("service_case__window_id"))
        .annotate(**_clock_aggregates(period, today))
    )
    alert_rows = (
        Alert.objects.filter(clock__service_case__window__centre_id__in=ids, raised_on__range=(first, last))
        .order_by()
        .values(window_id=F("clock__service_case__window_id"))
        .annotate(**_alert_aggregates())
    )
    windows = list(
        ServiceWindow.objects.filter(centre_id__in=ids)
        .order_by("centre__path", "number")
        .values("pk", "number", "name", "centre_id", "centre__name")
    )
    totals: dict[int, dict[str, Any]] = {w["pk"]: _empty() for w in windows}
    for rows in (clock_rows, alert_rows):
        for row in rows:
            if row["window_id"] in totals:
                _add(totals[row["window_id"]], row)
    return {
        "period": period,
        "today": today,
        "definitions": DEFINITIONS,
        "windows": [
            {
                "window_id": w["pk"],
                "number": w["number"],
                "name": w["name"],
                "centre_id": w["centre_id"],
                "centre": w["centre__name"],
                **_finish(totals[w["pk"]]),
            }
            for w in windows
        ],
    }


def _figure_q(figure: str, period: Period, today: date) -> Q:
    cond = _conditions(period, today)
    if figure in cond:
        return cond[figure]
    in_period = {"raised_on__range": (period.first, period.last)}
    if figure == "warnings":
        return Q(pk__in=Alert.objects.filter(level=ClockLevel.WARNING, **in_period).values("clock_id"))
    if figure == "alarms":
        return Q(pk__in=Alert.objects.filter(level=ClockLevel.ALARM, **in_period).values("clock_id"))
    if figure in ("yellow_cards", "red_cards"):
        colour = CardColour.YELLOW if figure == "yellow_cards" else CardColour.RED
        cards = Card.objects.filter(colour=colour, issued_on__range=(period.first, period.last))
        return Q(pk__in=cards.exclude(clock_id=None).values("clock_id"))
    raise ValueError(f"unknown figure {figure!r}")


def drill_down(
    figure: str,
    *,
    organisation_id: int,
    kind: str | None = None,
    first: date,
    last: date,
    today: date | None = None,
) -> QuerySet[Clock]:
    """The clocks behind one figure of :func:`unit_figures` (``kind`` None: the unit's total).

    Rates drill down to their denominator (e.g. the on-time rate to the cases completed in
    the period, each showing whether it was on time). Cards drill down to the clocks they
    name. The caller checks that the unit is in the user's scope (:func:`supervised_ids`).
    """
    qs = Clock.objects.filter(organisation_id=organisation_id).filter(
        _figure_q(figure, Period(first, last), today or clocks.today())
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("due_date", "pk")


def drill_down_window(
    figure: str, *, window_id: int, first: date, last: date, today: date | None = None
) -> QuerySet[Clock]:
    """The clocks behind one figure of :func:`window_figures`."""
    if figure in ("yellow_cards", "red_cards"):
        raise ValueError(f"figure {figure!r} is not counted per window")
    return (
        Clock.objects.filter(service_case__window_id=window_id)
        .filter(_figure_q(figure, Period(first, last), today or clocks.today()))
        .order_by("due_date", "pk")
    )
