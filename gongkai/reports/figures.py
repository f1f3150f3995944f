"""The figures of the annual report, counted by the database (RULES §4).

Each function takes the ids of the organisations counted (one unit, or a government and every
unit below it) and a year, and runs one grouped aggregate, so a report costs a constant number
of queries whatever the number of records. The conditions are kept apart (``*_filters``) so
:mod:`gongkai.reports.provenance` lists the records behind a figure with the very condition
that counted it.

Definitions (shown beside the figures where they are printed):
- 规章 / 行政规范性文件: published disclosure items whose genre reports on that row;
  本年制发 = written (成文日期, else the date formed) in the year; 本年废止 = repealed or expired
  in the year; 现行有效 = published by 31 December and not repealed or expired by then.
- 行政许可 本年处理决定数量 = licensing cases completed in the year + licensing decisions
  entered for other systems; 行政处罚, 行政强制 = decision counts entered per unit and year.
- 行政事业性收费 = fees collected by the service centre in the year, in 万元 (4 decimals).
- Table 四: a case counts in the year it was filed; a case not concluded by 31 December is
  尚未审结, whatever its later result.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from gongkai.applications.models import FeeNotice, FeeStatus
from gongkai.disclosure.models import DisclosureItem, Genre, ItemStatus, ReportRow, Validity
from gongkai.orgs.models import Organisation
from gongkai.records.models import DecisionCount, DecisionKind, DisputeCase, DisputeKind, DisputeResult
from gongkai.services.models import CaseStatus, ItemKind, ServiceCase, ServiceItem

TEN_THOUSAND = Decimal(10000)
WAN = Decimal("0.0001")  # 万元 with four decimals


def wan(yuan: Decimal | None) -> Decimal:
    """Yuan to 万元, four decimals."""
    return ((yuan or Decimal(0)) / TEN_THOUSAND).quantize(WAN)


def bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def scope_ids(organisation: Organisation, rollup: bool = True) -> list[int]:
    """The organisation alone, or it and every unit below it (one indexed prefix query)."""
    if not rollup:
        return [organisation.pk]
    return list(Organisation.objects.filter(path__startswith=organisation.path).values_list("pk", flat=True))


# --- table 二: normative documents ------------------------------------------------------------------

DOC_ROWS = (ReportRow.RULE, ReportRow.NORMATIVE)  # 规章, 行政规范性文件
DOC_COLUMNS_2021 = ("issued", "repealed", "in_force")  # 本年制发件数, 本年废止件数, 现行有效件数
DOC_COLUMNS_2019 = ("made", "published", "public_total")  # 本年新制作数量, 本年新公开数量, 对外公开总数量
ENDED = (Validity.REPEALED, Validity.EXPIRED)


def doc_genres() -> dict[str, list[int]]:
    """The genres counted on each row (规章, 行政规范性文件): looked up first, so the count filters
    the items by genre id and a database starts from those genres, not from every item of every unit."""
    found: dict[str, list[int]] = {row: [] for row in DOC_ROWS}
    for pk, row in Genre.objects.filter(report_row__in=DOC_ROWS).values_list("pk", "report_row"):
        found[row].append(pk)
    return found


def documents(org_ids: list[int], genres: dict[str, list[int]] | None = None) -> QuerySet[DisclosureItem]:
    genres = genres if genres is not None else doc_genres()
    return DisclosureItem.objects.filter(
        organisation_id__in=org_ids,
        status=ItemStatus.PUBLISHED,
        genre_id__in=[g for ids in genres.values() for g in ids],
    ).annotate(made_on=Coalesce("written_on", "formed_on"))


def document_filters(year: int) -> dict[str, Q]:
    start, end = bounds(year)
    published_by_end = Q(published_on__lte=end)
    return {
        "issued": Q(made_on__gte=start, made_on__lte=end),
        "repealed": Q(validity__in=ENDED, validity_changed_on__gte=start, validity_changed_on__lte=end),
        "in_force": published_by_end
        & (~Q(validity__in=ENDED) | Q(validity_changed_on__isnull=True) | Q(validity_changed_on__gt=end)),
        "made": Q(made_on__gte=start, made_on__lte=end),
        "published": Q(published_on__gte=start, published_on__lte=end),
        "public_total": published_by_end,
    }


def document_counts(org_ids: list[int], year: int) -> dict[str, dict[str, int]]:
    """{rule|normative: {issued, repealed, in_force, made, published, public_total}} in one query."""
    f = document_filters(year)
    genres = doc_genres()
    aggregates = {
        f"{row}:{col}": Count("pk", filter=f[col] & Q(genre_id__in=genres[row]))
        for row in DOC_ROWS
        for col in f
    }
    counts = documents(org_ids, genres).aggregate(**aggregates)
    return {row: {col: counts[f"{row}:{col}"] for col in f} for row in DOC_ROWS}


def document_records(org_ids: list[int], year: int, row: str, column: str) -> QuerySet[DisclosureItem]:
    genres = doc_genres()
    return documents(org_ids, genres).filter(document_filters(year)[column], genre_id__in=genres[row])


# --- 六: information-processing fees -----------------------------------------------------------------


def fee_notices(org_ids: list[int], year: int) -> QuerySet[FeeNotice]:
    """Fee notices paid in the year by applicants to the organisations (信息处理费)."""
    start, end = bounds(year)
    return FeeNotice.objects.filter(
        application__organisation_id__in=org_ids, status=FeeStatus.PAID, paid_on__gte=start, paid_on__lte=end
    )


def fee_figures(org_ids: list[int], year: int) -> dict[str, Any]:
    """Fees collected (yuan) and the applications they were paid for, in one query."""
    row = fee_notices(org_ids, year).aggregate(
        amount=Sum("amount"), applications=Count("application", distinct=True)
    )
    return {"amount": row["amount"] or Decimal("0.00"), "applications": row["applications"]}


# --- table 二: decisions and fees ---------------------------------------------------------------------


def entered_decisions(org_ids: list[int], year: int) -> dict[str, int]:
    """Decision counts entered for other systems, per kind (penalty, enforcement, licensing)."""
    qs = DecisionCount.objects.filter(organisation_id__in=org_ids, year=year)
    sums = qs.aggregate(**{k: Sum("count", filter=Q(kind=k)) for k in DecisionKind.values})
    return {k: sums[k] or 0 for k in DecisionKind.values}


def entered_decision_records(org_ids: list[int], year: int, kind: str) -> QuerySet[DecisionCount]:
    return DecisionCount.objects.filter(organisation_id__in=org_ids, year=year, kind=kind)


def service_figures(org_ids: list[int], year: int) -> dict[str, Any]:
    """Completed cases by kind of item (licensing / other) and fees collected (yuan), in one query."""
    start, end = bounds(year)
    done = Q(status=CaseStatus.COMPLETED, completed_on__gte=start, completed_on__lte=end)
    row = ServiceCase.objects.filter(organisation_id__in=org_ids).aggregate(
        licensing=Count("pk", filter=done & Q(item__kind=ItemKind.LICENSING)),
        other=Count("pk", filter=done & ~Q(item__kind=ItemKind.LICENSING)),
        fees=Sum("fee_amount", filter=Q(fee_collected_on__gte=start, fee_collected_on__lte=end)),
    )
    return {"licensing": row["licensing"], "other": row["other"], "fees": row["fees"] or Decimal("0.00")}


def service_case_records(org_ids: list[int], year: int, figure: str) -> QuerySet[ServiceCase]:
    start, end = bounds(year)
    qs = ServiceCase.objects.filter(organisation_id__in=org_ids)
    if figure == "fees":
        return qs.filter(fee_collected_on__gte=start, fee_collected_on__lte=end).exclude(
            fee_amount__isnull=True
        )
    done = qs.filter(status=CaseStatus.COMPLETED, completed_on__gte=start, completed_on__lte=end)
    if figure == "licensing":
        return done.filter(item__kind=ItemKind.LICENSING)
    if figure == "other":
        return done.exclude(item__kind=ItemKind.LICENSING)
    raise ValueError(f"unknown figure {figure!r}")


# --- table 二 of the 2019 trial format: service items by year --------------------------------------

# The catalogue keeps no removal dates: an item counts from its creation while it is active, so
# 上一年项目数量 = active items created before the year and 本年增/减 = active items created in it.
ITEM_GROUPS = {
    "licensing": Q(kind=ItemKind.LICENSING),
    "other_service": ~Q(kind=ItemKind.LICENSING),
    "fee": Q(fee_free=False),
}


def item_filters(year: int) -> dict[str, Q]:
    start, next_start = date(year, 1, 1), date(year + 1, 1, 1)
    return {"previous_items": Q(created_at__date__lt=start), "change": Q(created_at__date__gte=start,
                                                                         created_at__date__lt=next_start)}  # fmt: skip


def service_items(org_ids: list[int]) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(organisation_id__in=org_ids, is_active=True, published=True)


def item_counts(org_ids: list[int], year: int) -> dict[str, dict[str, int]]:
    f = item_filters(year)
    aggregates = {f"{g}:{c}": Count("pk", filter=q & f[c]) for g, q in ITEM_GROUPS.items() for c in f}
    counts = service_items(org_ids).aggregate(**aggregates)
    return {g: {c: counts[f"{g}:{c}"] for c in f} for g in ITEM_GROUPS}


def item_records(org_ids: list[int], year: int, group: str, column: str) -> QuerySet[ServiceItem]:
    return service_items(org_ids).filter(ITEM_GROUPS[group], item_filters(year)[column])


# --- table 四: review and litigation ---------------------------------------------------------------

T4_BLOCKS = (DisputeKind.REVIEW, DisputeKind.LITIGATION_DIRECT, DisputeKind.LITIGATION_AFTER_REVIEW)
T4_RESULTS = (DisputeResult.MAINTAINED, DisputeResult.CORRECTED, DisputeResult.OTHER, DisputeResult.PENDING)
TOTAL = "total"


def dispute_filters(year: int) -> dict[str, Q]:
    """The result of a case filed in ``year`` as it stood on 31 December."""
    _, end = bounds(year)
    concluded = Q(concluded_on__isnull=False, concluded_on__lte=end)
    f = {r: concluded & Q(result=r) for r in T4_RESULTS if r != DisputeResult.PENDING}
    f[DisputeResult.PENDING] = ~concluded
    f[TOTAL] = Q()
    return f


def disputes(org_ids: list[int], year: int) -> QuerySet[DisputeCase]:
    return DisputeCase.objects.filter(organisation_id__in=org_ids, filed_on__year=year)


def dispute_counts(org_ids: list[int], year: int) -> dict[str, dict[str, int]]:
    """{kind: {maintained, corrected, other, pending, total}} for every kind (complaints too)."""
    f = dispute_filters(year)
    aggregates = {
        f"{k}:{r}": Count("pk", filter=Q(kind=k) & q) for k in DisputeKind.values for r, q in f.items()
    }
    counts = disputes(org_ids, year).aggregate(**aggregates)
    return {k: {r: counts[f"{k}:{r}"] for r in f} for k in DisputeKind.values}


def dispute_records(org_ids: list[int], year: int, kind: str, result: str) -> QuerySet[DisputeCase]:
    return disputes(org_ids, year).filter(dispute_filters(year)[result], kind=kind)
