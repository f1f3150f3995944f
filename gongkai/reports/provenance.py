"""Where a cell of the annual report comes from.

``records_for(organisation, year, key)`` lists the records behind a cell, with the very condition
that counted them (the querysets are lazy: nothing runs until they are read). A cell drawn from
two kinds of record (行政许可: service cases and decision counts entered for other systems) gives
one queryset per model. ``sources_of(key)`` names the cells a total, a rate or an average is
computed from; such a cell may also have records (a total's records are those of its parts).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongkai.applications import stats as app_stats
from gongkai.applications.outcomes import Outcome
from gongkai.core.policies import policy_for
from gongkai.orgs.models import Organisation
from gongkai.reports import figures, narrative
from gongkai.reports.figures import TOTAL
from gongkai.reports.tables import OTHER_OUTCOMES, T3_COLUMNS, Key, t3_rows

RESULT_ROWS_2021 = list(Outcome.values)
RESULT_ROWS_2019 = [o for o in Outcome.values if o not in OTHER_OUTCOMES] + ["other"]


def result_rows(template: str) -> list[str]:
    return RESULT_ROWS_2019 if template == "2019" else RESULT_ROWS_2021


# How each figure is counted, shown beside it (table, row or column; the most specific wins).
DEFINITIONS: dict[tuple[str, str], Any] = {
    ("t2", "issued"): _(
        "Documents of this genre written (成文日期, else the date formed) in the year and published."
    ),
    ("t2", "made"): _(
        "Documents of this genre written (成文日期, else the date formed) in the year and published."
    ),
    ("t2", "repealed"): _("Documents of this genre repealed or expired in the year."),
    ("t2", "in_force"): _(
        "Documents of this genre published by 31 December and not repealed or expired by then."
    ),
    ("t2", "published"): _("Documents of this genre published in the year."),
    ("t2", "public_total"): _("Documents of this genre published by 31 December."),
    ("t2", "licensing"): _(
        "Licensing cases completed in the year, plus licensing decisions entered for other systems."
    ),
    ("t2", "other_service"): _("Cases of other service items completed in the year."),
    ("t2", "penalty"): _("Decisions entered per unit and year (held in other systems)."),
    ("t2", "enforcement"): _("Decisions entered per unit and year (held in other systems)."),
    ("t2", "fee"): _("Fees collected by the service centre in the year, in 10,000 yuan (four decimals)."),
    ("t2", "previous_items"): _(
        "Active, published service items created before the year (removals are not dated)."
    ),
    ("t2", "change"): _("Active, published service items created in the year (removals are not dated)."),
    ("t2", "procurement"): _("Held by the procurement system: not available in the platform."),
    ("t3", "new"): _("Applications received in the year."),
    ("t3", "carried_in"): _("Applications received before the year and still open on 1 January."),
    ("t3", "closed"): _("Applications closed in the year, each once, by result."),
    ("t3", "carried_out"): _("Applications received by 31 December and not closed by then."),
    ("t4", "pending"): _("Cases filed in the year and not concluded by 31 December."),
    ("t4", "total"): _("Cases filed in the year."),
    ("t6", "fees_charged"): _("Information-processing fees applicants paid in the year, in yuan."),
    ("t6", "fee_applications"): _("Applications whose information-processing fee was paid in the year."),
}


def definition(key: Key) -> Any:
    """How the cell ``key`` is counted (None when the row's label says it all)."""
    table, row, column = key
    return (
        DEFINITIONS.get((table, column))
        or DEFINITIONS.get((table, row))
        or (_("Applications closed in the year with this result.") if table == "t3" else None)
        or (
            _("Cases filed in the year concluded by 31 December with this result.") if table == "t4" else None
        )
    )


def sources_of(key: Key, template: str = "2021") -> list[Key]:
    """The cells ``key`` is computed from (empty for a cell counted directly from records)."""
    table, row, column = key
    if table == "t3":
        if column == TOTAL:
            return [("t3", row, c) for c in app_stats.COLUMNS]
        if row == "closed":
            return [("t3", r, column) for r in result_rows(template)]
        if row == "other" and template == "2019":
            return [("t3", o, column) for o in OTHER_OUTCOMES]
    if table == "t4" and column == TOTAL:
        return [("t4", row, r) for r in figures.T4_RESULTS]
    if table == "n" and row in narrative.SOURCES:
        return [("n", r, narrative.VALUE) for r in narrative.SOURCES[row]]
    return []


def records_in(
    organisation: Organisation, ids: list[int], year: int, key: Key, template: str = "2021"
) -> list[QuerySet[Any]]:
    """Like :func:`records_for`, for organisation ids already resolved (a report's ``org_ids``)."""
    table, row, column = key
    if table == "t2":
        return _table_two(ids, year, row, column)
    if table == "t3":
        if row not in {r for r, _ in t3_rows(template)} or column not in T3_COLUMNS:
            raise KeyError(key)
        if row == "other":
            f = app_stats.cell_filters(year)["closed"] & Q(outcome__in=OTHER_OUTCOMES)
            qs = app_stats.received(ids).filter(f)
            return [qs if column == TOTAL else qs.filter(applicant_type=column)]
        return [app_stats.cell_records(year, row, column, ids)]
    if table == "t4":
        if row not in figures.T4_BLOCKS or column not in [*figures.T4_RESULTS, TOTAL]:
            raise KeyError(key)
        return [figures.dispute_records(ids, year, row, column)]
    if table == "t6":
        if row not in ("fees_charged", "fee_applications") or column != "value":
            raise KeyError(key)
        notices = figures.fee_notices(ids, year)
        if row == "fees_charged":
            return [notices]
        return [app_stats.received(ids).filter(pk__in=notices.values("application_id"))]
    if table == "n":
        return narrative.records(organisation, ids, year, row)
    raise KeyError(key)


def records_for(
    organisation: Organisation, year: int, key: Key, *, rollup: bool = True, template: str = "2021"
) -> list[QuerySet[Any]]:
    """The records behind the cell ``key`` = (table, row, column) of ``compute(organisation, year, …)``."""
    return records_in(organisation, figures.scope_ids(organisation, rollup), year, key, template)


def records_visible_to(
    user: Any, organisation: Organisation, year: int, key: Key, *, rollup: bool = True, template: str = "2021"
) -> list[QuerySet[Any]]:
    """The records behind a cell that ``user`` may see (each model's "view" rule); the figure itself
    is public once published, the records are not. A model without a policy shows nothing."""
    visible = []
    for qs in records_for(organisation, year, key, rollup=rollup, template=template):
        try:
            visible.append(policy_for(qs.model).visible_to(user, qs))
        except LookupError:
            visible.append(qs.none())
    return visible


def _table_two(ids: list[int], year: int, row: str, column: str) -> list[QuerySet[Any]]:
    if row in figures.DOC_ROWS and column in figures.document_filters(year):
        return [figures.document_records(ids, year, row, column)]
    if column in ("previous_items", "change") and row in figures.ITEM_GROUPS:
        return [figures.item_records(ids, year, row, column)]
    if column == "decisions":
        if row == "licensing":
            return [figures.service_case_records(ids, year, "licensing"),
                    figures.entered_decision_records(ids, year, "licensing")]  # fmt: skip
        if row == "other_service":
            return [figures.service_case_records(ids, year, "other")]
        if row in ("penalty", "enforcement"):
            return [figures.entered_decision_records(ids, year, row)]
    if (row, column) == ("fee", "amount"):
        return [figures.service_case_records(ids, year, "fees")]
    if row in ("penalty", "enforcement", "procurement"):
        return []  # absent: no record in the platform holds this figure
    raise KeyError((row, column))
