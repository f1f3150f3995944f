"""Counting the tabs of a back-office work queue (applications, letters).

The tabs of the work in hand (to confirm, being handled, due soon, overdue …) are counted
exactly: they hold the open cases, a few hundred even in a province, found through the status
index. The tabs of everything (all, closed, not valid) would count every case ever filed — three
million letters at province scale, 1.6 s on each page — so they are counted only as far as
``COUNT_LIMIT`` and show "1,000+" beyond: nobody pages through a thousand cases, they filter.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.formats import number_format
from django.utils.functional import cached_property

COUNT_LIMIT = 1000
WARN_DAYS = 3  # a due date this many working days away or fewer is amber

WORK, DUE, ALL = "work", "due", "all"  # how a tab is counted (see the module docstring)


@dataclass(frozen=True)
class TabCount:
    """A tab's count: exact, or (``exact=False``) more than ``n``."""

    n: int
    exact: bool = True

    def __str__(self) -> str:
        return number_format(self.n) if self.exact else f"{number_format(self.n)}+"

    def __bool__(self) -> bool:
        return self.n > 0


@dataclass(frozen=True)
class Tab:
    value: str
    condition: Q
    kind: str  # WORK, DUE or ALL


def count_tabs(filtered: QuerySet, tabs: Sequence[Tab], *, with_due: Callable[[QuerySet], QuerySet] | None = None,
               open_condition: Q | None = None) -> dict[str, TabCount]:  # fmt: skip
    """Each tab's count: the WORK tabs in one pass over the cases in one of them, the DUE tabs
    (conditions on ``due``, which ``with_due`` annotates) in one pass over the open cases
    (``open_condition``), each ALL tab up to ``COUNT_LIMIT`` (one query each, stopping there)."""
    counts: dict[str, TabCount] = {}
    work = [t for t in tabs if t.kind == WORK]
    if work:
        found = filtered.filter(functools.reduce(operator.or_, (t.condition for t in work))).aggregate(
            **{f"n_{t.value}": Count("pk", filter=t.condition) for t in work}
        )
        counts |= {t.value: TabCount(found[f"n_{t.value}"] or 0) for t in work}
    due = [t for t in tabs if t.kind == DUE]
    if due:
        if with_due is None or open_condition is None:
            raise TypeError("DUE tabs need with_due and open_condition")
        found = with_due(filtered.filter(open_condition)).aggregate(
            **{f"n_{t.value}": Count("pk", filter=t.condition) for t in due}
        )
        counts |= {t.value: TabCount(found[f"n_{t.value}"] or 0) for t in due}
    for tab in tabs:
        if tab.kind == ALL:
            n = filtered.filter(tab.condition).order_by()[: COUNT_LIMIT + 1].count()
            counts[tab.value] = TabCount(min(n, COUNT_LIMIT), n <= COUNT_LIMIT)
    return counts


@dataclass
class Due:
    """The reply deadline of one case as the pages show it."""

    on: date | None = None
    level: str = ""  # "ok" (green), "warn" (amber, ≤ WARN_DAYS working days), "err" (red, overdue)
    remaining: int | None = None
    overdue_by: int | None = None
    paused: bool = False
    later: bool = False  # the due date is a reasoned later date (2019 Art. 35)
    on_time: bool | None = None
    provisional: bool = False


def due_info(case: Any, today: date, cal: Any, *, open_statuses: Iterable[str], done: str,
             later_date: date | None = None, warn_early: bool = False) -> Due:  # fmt: skip
    """How a case (an application, a letter, a service case: ``status``, ``clock``, ``on_time``)
    stands against its due date: the clock's, or a reasoned ``later_date``. ``done`` is the status
    of a case answered (on time or not); only the ``open_statuses`` have time left. With
    ``warn_early``, amber also once the clock's warning date is reached (supervision's share of
    the limit used)."""
    clock = case.clock if case.clock_id else None
    info = Due(
        on=later_date or (clock.due_date if clock else None),
        later=later_date is not None,
        provisional=bool(clock and clock.provisional),
    )
    if case.status == done:
        info.on_time = case.on_time
        return info
    if case.status not in open_statuses:
        return info
    if info.on is None:
        info.paused = clock is not None
        return info
    if info.on < today:
        info.level, info.overdue_by = "err", cal.workdays_between(info.on, today)
    else:
        info.remaining = cal.workdays_between(today, info.on)
        warned = warn_early and clock is not None and clock.warn_date is not None and today >= clock.warn_date
        info.level = "warn" if warned or info.remaining <= WARN_DAYS else "ok"
    return info


class CountedPaginator(Paginator):
    """A paginator told its count (already computed with the queue tabs) instead of counting again;
    a tab counted only as far as ``COUNT_LIMIT`` pages through that many."""

    def __init__(self, object_list: Any, per_page: int, count: TabCount | int) -> None:
        super().__init__(object_list, per_page)
        self._known = count if isinstance(count, TabCount) else TabCount(count)

    @cached_property
    def count(self) -> int:
        return self._known.n

    @property
    def count_exact(self) -> bool:
        return self._known.exact
