"""Applications of a year as the annual report's table 三 counts them (RULES §4.1).

For organisations O and year Y, by applicant column:
- 一 new: received in Y;
- 二 carried in: received before Y and still open on 1 January Y (not closed before it);
- 三 results: closed in Y, by result row (each application once);
- 四 carried out: received by 31 December Y and not closed by then.
Every received application lies in exactly one of "closed before Y", "closed in Y" or
"open after Y", so 一 + 二 = 三（七） + 四 per column (R1) holds by construction, and
二 of Y equals 四 of Y−1 (R5). Counting is done by the database (grouped aggregates).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet

from gongkai.applications.models import ApplicantType, Application, Status
from gongkai.applications.outcomes import Outcome

COLUMNS = [c.value for c in ApplicantType]  # 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他
TOTAL = "total"


@dataclass
class Table3:
    year: int
    new: dict[str, int] = field(default_factory=dict)
    carried_in: dict[str, int] = field(default_factory=dict)
    results: dict[str, dict[str, int]] = field(default_factory=dict)  # outcome -> column -> count
    carried_out: dict[str, int] = field(default_factory=dict)

    def results_total(self, column: str) -> int:
        return sum(self.results[o][column] for o in Outcome.values)

    def problems(self) -> list[str]:
        """R1–R3 of RULES §4.1 (tolerance 0); empty when the table is consistent."""
        found = []
        for col in [*COLUMNS, TOTAL]:
            left = self.new[col] + self.carried_in[col]
            right = self.results_total(col) + self.carried_out[col]
            if left != right:
                found.append(f"R1 {col}: 一+二={left} but 三（七）+四={right}")
        rows = {"new": self.new, "carried_in": self.carried_in, "carried_out": self.carried_out,
                **{f"result:{o}": self.results[o] for o in Outcome.values}}  # fmt: skip
        for name, row in rows.items():
            if row[TOTAL] != sum(row[c] for c in COLUMNS):
                found.append(
                    f"R2 {name}: 总计={row[TOTAL]} but the columns sum to {sum(row[c] for c in COLUMNS)}"
                )
        return found


def received(organisations: Iterable[int] | None = None) -> QuerySet[Application]:
    """Applications that were received (registered and given a day of receipt)."""
    qs = Application.objects.exclude(status__in=[Status.DISCARDED, Status.PENDING]).exclude(
        received_on__isnull=True
    )
    return qs.filter(organisation_id__in=list(organisations)) if organisations is not None else qs


def cell_filters(year: int) -> dict[str, Q]:
    """The condition of each row of table 三 (also used to list the records behind a cell)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    closed_in = Q(status=Status.CLOSED, replied_on__gte=start, replied_on__lte=end)
    return {
        "new": Q(received_on__gte=start, received_on__lte=end),
        "carried_in": Q(received_on__lt=start) & (Q(replied_on__isnull=True) | Q(replied_on__gte=start)),
        "closed": closed_in,
        "carried_out": Q(received_on__lte=end) & (Q(replied_on__isnull=True) | Q(replied_on__gt=end)),
    }


def table3(year: int, organisations: Iterable[int] | None = None) -> Table3:
    """Every cell of table 三 in one query, grouped by applicant column and outcome (four counts a
    group, not one filtered count per cell: a province's applications are read once, not 144 times)."""
    f = cell_filters(year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    # Any row of the table: received by 31 December and not closed before 1 January.
    touched = Q(received_on__lte=end) & (Q(replied_on__isnull=True) | Q(replied_on__gte=start))
    groups = (
        received(organisations)
        .filter(touched)
        .order_by()
        .values("applicant_type", "outcome")
        .annotate(
            **{row: Count("pk", filter=f[row]) for row in ("new", "carried_in", "carried_out", "closed")}
        )
    )
    counts: dict[str, dict[str, int]] = {
        row: dict.fromkeys(COLUMNS, 0) for row in ("new", "carried_in", "carried_out")
    }
    results = {o: dict.fromkeys(COLUMNS, 0) for o in Outcome.values}
    for g in groups:
        col = g["applicant_type"]
        if col not in COLUMNS:
            continue
        for row in counts:
            counts[row][col] += g[row]
        if g["outcome"] in results:
            results[g["outcome"]][col] += g["closed"]
    table = Table3(year=year)
    for row, values in counts.items():
        setattr(table, row, {**values, TOTAL: sum(values.values())})
    for o, values in results.items():
        table.results[o] = {**values, TOTAL: sum(values.values())}
    return table


def cell_records(
    year: int, row: str, column: str, organisations: Iterable[int] | None = None
) -> QuerySet[Application]:
    """The applications behind one cell (``row``: new, carried_in, carried_out or an outcome)."""
    f = cell_filters(year)
    cond = f[row] if row in f else f["closed"] & Q(outcome=row)
    qs = received(organisations).filter(cond)
    return qs if column == TOTAL else qs.filter(applicant_type=column)
