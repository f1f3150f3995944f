"""Back office of e-supervision (电子监察): the supervisor's dashboard, drill-down, alerts, exports.

Thin views over ``gongkai.supervision.figures`` and its policies. The scope is the units the
user supervises (``figures.supervised_ids``: supervisors and administrators, in scope); a user
who supervises nothing gets a 403, and a unit, window or clock outside the scope is a 404,
exactly like a missing one. Every figure on the dashboard links to the drill-down list of the
clocks behind it, with the same period, so a number can always be checked case by case. The
clock page, notes, chase notices and cards are in ``views_supervision_clock``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from gongkai.core import charts
from gongkai.office.forms_supervision import PeriodForm
from gongkai.office.views import staff_required
from gongkai.orgs.models import Organisation
from gongkai.supervision import exports, figures
from gongkai.workdays import clock as clocks
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.engine import Pause, workdays_used
from gongkai.workdays.models import Clock, ClockKind, ClockLevel, ClockStatus

PAGE_SIZE = 50
OPEN = (ClockStatus.RUNNING, ClockStatus.PAUSED)
# The kinds of clock the dashboard breaks the figures down by, in this order ("other" if any).
KINDS = (ClockKind.APPLICATION, ClockKind.LETTER, ClockKind.SERVICE_CASE, ClockKind.DISCLOSURE)
# The columns of the per-unit, per-kind and per-window tables: (figure, header, format).
COLUMNS = (
    ("received", gettext_lazy("Received"), "count"),
    ("completed", gettext_lazy("Completed"), "count"),
    ("completion_rate", gettext_lazy("Completion rate"), "rate"),
    ("on_time_rate", gettext_lazy("On-time rate"), "rate"),
    ("avg_used_days", gettext_lazy("Average working days used"), "days"),
    ("overdue_now", gettext_lazy("Overdue now"), "count"),
    ("warnings", gettext_lazy("Warnings"), "count"),
    ("alarms", gettext_lazy("Alarms"), "count"),
    ("yellow_cards", gettext_lazy("Yellow cards"), "count"),
    ("red_cards", gettext_lazy("Red cards"), "count"),
)
WINDOW_COLUMNS = tuple(c for c in COLUMNS if c[0] not in ("yellow_cards", "red_cards"))
# Titles of the drill-down lists (the figures of the tables, and the parts of the on-time rate).
FIGURE_TITLES = {
    **{key: label for key, label, _how in COLUMNS},
    "on_time": gettext_lazy("Completed on time"),
    "late": gettext_lazy("Completed late"),
}
LEVEL_TAG = {ClockLevel.NORMAL: "ok", ClockLevel.WARNING: "warn", ClockLevel.ALARM: "err"}


# --- scope and period ---------------------------------------------------------------------------


def supervised(request: HttpRequest) -> frozenset[int]:
    """The units the user supervises; a 403 for anyone who supervises none."""
    ids = figures.supervised_ids(request.user)
    if not ids:
        raise PermissionDenied
    return ids


def period_of(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    form = PeriodForm(request.GET if ("first" in request.GET or "last" in request.GET) else None)
    first, last = form.period()
    return form, first, last


CARD_FIGURES = {"yellow_cards": "yellow", "red_cards": "red"}


def drill_url(figure: str, first: date, last: date, **where: Any) -> str:
    """The list behind a figure: its clocks, or for cards the cards themselves (some name no case)."""
    params: dict[str, Any] = {"figure": figure, "first": first.isoformat(), "last": last.isoformat()}
    params.update({k: v for k, v in where.items() if v not in (None, "")})
    if figure in CARD_FIGURES and "window" not in where:
        params["colour"] = CARD_FIGURES[params.pop("figure")]
        return f"{reverse('office:supervision_cards')}?{urlencode(params)}"
    return f"{reverse('office:supervision_cases')}?{urlencode(params)}"


def fmt(value: Any, how: str) -> str:
    if value is None:
        return "—"
    if how == "rate":
        return f"{value * 100:.1f}%"
    if how == "days":
        return f"{value:.1f}"
    return str(value)


def cells(values: dict[str, Any], first: date, last: date, columns: Iterable[tuple[str, Any, str]] = COLUMNS,
          **where: Any) -> list[dict[str, Any]]:  # fmt: skip
    """The row's figures, each with its text and the link to the clocks behind it."""
    return [
        {
            "figure": key,
            "label": label,
            "text": fmt(values.get(key), how),
            "url": drill_url(key, first, last, **where),
            "definition": figures.DEFINITIONS.get(key, ""),
        }
        for key, label, how in columns
    ]


def finish(counts: dict[str, int], used: tuple[int, int]) -> dict[str, Any]:
    """Rates and the average from summed counts (and the exact sum and number of days used)."""
    out = dict(counts)
    out["completion_rate"] = (
        round(counts["completed"] / counts["received"], 4) if counts["received"] else None
    )
    out["on_time_rate"] = round(counts["on_time"] / counts["completed"], 4) if counts["completed"] else None
    out["avg_used_days"] = round(used[0] / used[1], 2) if used[1] else None
    return out


SUMMED = (
    "received",
    "completed",
    "on_time",
    "overdue_now",
    "warnings",
    "alarms",
    "yellow_cards",
    "red_cards",
)


def _sum(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    total = dict.fromkeys(SUMMED, 0)
    for row in rows:
        for key in SUMMED:
            total[key] += row.get(key) or 0
    return total


def used_by_kind(ids: Iterable[int], first: date, last: date) -> dict[str, tuple[int, int]]:
    """Sum and number of working days used by the clocks closed in the period, per kind (one query).

    The per-unit figures carry only each unit's rounded average; averages over several units
    are recomputed from the sums so the headline is exact.
    """
    rows = (
        Clock.objects.filter(organisation_id__in=list(ids), closed_on__range=(first, last))
        .order_by()
        .values("kind")
        .annotate(s=Sum("used_days"), n=Count("used_days"))
    )
    return {r["kind"]: (r["s"] or 0, r["n"]) for r in rows}


# --- the dashboard ------------------------------------------------------------------------------


def _charts(units: list[dict[str, Any]], kinds: list[dict[str, Any]], first: date, last: date) -> list[Any]:
    timed = [u for u in units if u["values"]["completed"]]
    on_time = charts.Chart(
        chart_id="chart-on-time",
        title=_("On-time rate per unit"),
        description=_("Cases completed on time as a share of the cases completed in the period, per unit "
                      "with at least one completed case."),  # fmt: skip
        series=[_("On-time rate")],
        maximum=1.0,
        groups=[
            charts.Group(u["name"], [charts.Bar(u["values"]["on_time_rate"], fmt(u["values"]["on_time_rate"], "rate"),
                                                drill_url("on_time_rate", first, last, unit=u["pk"]))])
            for u in timed
        ],
    )  # fmt: skip
    per_kind = charts.Chart(
        chart_id="chart-kinds",
        title=_("Received and completed per kind of case"),
        description=_("Cases received and cases completed in the period, per kind of case."),
        series=[_("Received"), _("Completed")],
        groups=[
            charts.Group(str(k["label"]), [
                charts.Bar(k["values"]["received"], str(k["values"]["received"]),
                           drill_url("received", first, last, kind=k["kind"])),
                charts.Bar(k["values"]["completed"], str(k["values"]["completed"]),
                           drill_url("completed", first, last, kind=k["kind"])),
            ])
            for k in kinds
        ],
    )  # fmt: skip
    return [on_time, per_kind]


@staff_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Headline, per-unit, per-kind and per-window figures of the period, with charts."""
    ids = supervised(request)
    form, first, last = period_of(request)
    today = clocks.today()
    table = figures.unit_figures(first=first, last=last, organisation_ids=ids, today=today)
    used = used_by_kind(ids, first, last)
    units = []
    for unit in table["units"]:
        total = unit["total"]
        units.append({"pk": unit["organisation_id"], "name": unit["name"], "values": total,
                      "cells": cells(total, first, last, unit=unit["organisation_id"])})  # fmt: skip
    labels = dict(ClockKind.choices)
    present = {k for u in table["units"] for k in u["kinds"]}
    kinds = []
    for kind in [*KINDS, *sorted(present - set(KINDS))]:
        values = finish(
            _sum(u["kinds"][kind] for u in table["units"] if kind in u["kinds"]), used.get(kind, (0, 0))
        )
        kinds.append({"kind": kind, "label": labels.get(kind, kind), "values": values,
                      "cells": cells(values, first, last, kind=kind)})  # fmt: skip
    all_used = (sum(s for s, _n in used.values()), sum(n for _s, n in used.values()))
    headline = finish(_sum(u["total"] for u in table["units"]), all_used)
    open_now = Clock.objects.filter(organisation_id__in=list(ids), status__in=OPEN).aggregate(
        alarm=Count("pk", filter=Q(level=ClockLevel.ALARM)),
        warning=Count("pk", filter=Q(level=ClockLevel.WARNING)),
    )
    windows = figures.window_figures(first=first, last=last, organisation_ids=ids, today=today)["windows"]
    for window in windows:
        window["cells"] = cells(window, first, last, WINDOW_COLUMNS, window=window["window_id"])
    return render(request, "office/supervision/dashboard.html", {
        "form": form, "first": first, "last": last, "today": today,
        "headline": cells(headline, first, last), "columns": COLUMNS, "window_columns": WINDOW_COLUMNS,
        "units": units, "kinds": kinds, "windows": windows, "open_now": open_now,
        "definitions": [(key, label, table["definitions"].get(key, "")) for key, label, _how in COLUMNS],
        "charts": _charts(units, kinds, first, last),
        "export_query": urlencode({"first": first.isoformat(), "last": last.isoformat()}),
    })  # fmt: skip


# --- drill-down ---------------------------------------------------------------------------------


# The office page of each kind of case, by the (app label, model) of the clock's subject.
CASE_PAGES = {
    ("applications", "application"): "office:application_detail",
    ("interaction", "letter"): "office:letter_detail",
    ("services", "servicecase"): "office:service_case_detail",
    ("disclosure", "disclosureitem"): "office:item_detail",
}


def case_url(clock: Clock) -> str:
    """The office page of the clock's case, if it has one (needs ``content_type`` selected)."""
    ct = clock.content_type
    name = CASE_PAGES.get((ct.app_label, ct.model)) if ct is not None else None
    return reverse(name, args=[clock.object_id]) if name and clock.object_id.isdigit() else ""


def annotate_rows(rows: list[Clock], today: date) -> list[Clock]:
    """Add the case's office link, the level's tag and the working days used to each clock.

    Needs the clocks' content type selected and pauses prefetched; the calendar is read once.
    """
    cal = get_calendar()
    for clock in rows:
        clock.case_url = case_url(clock)
        clock.level_tag = LEVEL_TAG.get(clock.level, "")
        if clock.used_days is not None:
            clock.days_used = clock.used_days
        else:
            end = clock.closed_on or today
            pauses = [Pause(p.start, p.end) for p in clock.pauses.all()]
            clock.days_used = workdays_used(cal, clock.start_date, max(end, clock.start_date), pauses=pauses)
    return rows


def rows_page(request: HttpRequest, qs: QuerySet, today: date) -> Any:
    page = Paginator(
        qs.select_related("organisation", "content_type").prefetch_related("pauses"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    annotate_rows(list(page.object_list), today)
    return page


def _choice(request: HttpRequest, name: str, allowed: Iterable[Any]) -> Any:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    value = int(raw)
    if value not in allowed:
        raise Http404  # outside the scope: like a missing unit
    return value


@staff_required
@require_safe
def drill_down(request: HttpRequest) -> HttpResponse:
    """The clocks behind one figure: of a unit, a kind, a window or the whole scope, for the period."""
    ids = supervised(request)
    form, first, last = period_of(request)
    today = clocks.today()
    figure = request.GET.get("figure", "")
    if figure not in figures.FIGURES:
        raise Http404
    kind = request.GET.get("kind") or None
    if kind is not None and kind not in ClockKind.values:
        raise Http404
    unit = _choice(request, "unit", ids)
    window = None
    if request.GET.get("window"):
        from gongkai.services.models import ServiceWindow

        raw = request.GET["window"]
        window = (
            ServiceWindow.objects.filter(pk=int(raw), centre_id__in=list(ids)).select_related("centre").first()
            if raw.isdigit() else None
        )  # fmt: skip
        if window is None or figure in ("yellow_cards", "red_cards"):
            raise Http404
        qs = figures.drill_down_window(figure, window_id=window.pk, first=first, last=last, today=today)
    elif unit is not None:
        qs = figures.drill_down(figure, organisation_id=unit, kind=kind, first=first, last=last, today=today)
    else:
        qs = scope_drill_down(figure, ids, kind=kind, first=first, last=last, today=today)
    labels = dict(ClockKind.choices)
    return render(request, "office/supervision/cases.html", {
        "form": form, "first": first, "last": last, "today": today,
        "page": rows_page(request, qs, today),
        "figure": figure, "figure_label": FIGURE_TITLES.get(figure, figure),
        "definition": figures.DEFINITIONS.get(figure, ""),
        "unit": Organisation.objects.filter(pk=unit).first() if unit else None,
        "kind_label": labels.get(kind) if kind else None,
        "window": window,
        "back": f"{reverse('office:supervision_dashboard')}?"
                f"{urlencode({'first': first.isoformat(), 'last': last.isoformat()})}",
    })  # fmt: skip


def scope_drill_down(figure: str, ids: Iterable[int], *, kind: str | None, first: date, last: date,
                     today: date) -> QuerySet[Clock]:  # fmt: skip
    """The clocks behind a figure summed over every unit in scope (the headline and the kinds).

    ``figures.drill_down`` takes one unit; this uses the same condition over all of them.
    """
    qs = Clock.objects.filter(organisation_id__in=list(ids)).filter(
        figures._figure_q(figure, figures.Period(first, last), today)  # noqa: SLF001 (see the report)
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("due_date", "pk")


# --- alerts now ---------------------------------------------------------------------------------


@staff_required
@require_safe
def alerts(request: HttpRequest) -> HttpResponse:
    """Open clocks at alarm (overdue) and at warning, oldest first."""
    ids = supervised(request)
    today = clocks.today()
    level = request.GET.get("level", "")
    if level not in ("", ClockLevel.WARNING, ClockLevel.ALARM):
        level = ""
    base = Clock.objects.filter(
        organisation_id__in=list(ids), status__in=OPEN, level__in=(ClockLevel.WARNING, ClockLevel.ALARM)
    )
    counts = base.aggregate(
        warning=Count("pk", filter=Q(level=ClockLevel.WARNING)),
        alarm=Count("pk", filter=Q(level=ClockLevel.ALARM)),
    )
    qs = base.filter(level=level) if level else base
    qs = qs.order_by("original_start_date", "due_date", "pk")
    return render(request, "office/supervision/alerts.html", {
        "page": rows_page(request, qs, today), "level": level, "counts": counts, "today": today,
        "levels": [("", _("All"), (counts["warning"] or 0) + (counts["alarm"] or 0)),
                   (ClockLevel.ALARM, _("Alarm (overdue)"), counts["alarm"] or 0),
                   (ClockLevel.WARNING, _("Warning"), counts["warning"] or 0)],
    })  # fmt: skip


# --- exports ------------------------------------------------------------------------------------

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@staff_required
@require_safe
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The per-unit table of the period as CSV or XLSX."""
    if fmt not in EXPORT_TYPES:
        raise Http404
    ids = supervised(request)
    form, first, last = period_of(request)
    table = figures.unit_figures(first=first, last=last, organisation_ids=ids, today=clocks.today())
    body = exports.units_csv(table) if fmt == "csv" else exports.units_xlsx(table)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="supervision-{first:%Y%m%d}-{last:%Y%m%d}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
