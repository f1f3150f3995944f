"""The stored calendar: loading it for the engine, editing it, recomputing clocks.

The engine (``engine.py``) is pure arithmetic over a ``Calendar`` value; this
module builds that value from the database and keeps one copy per process,
refreshed when ``CalendarState.version`` changes (one tiny query per use).
"""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action
from gongkai.core.policies import platform_admin
from gongkai.workdays.engine import Calendar, holiday_name_zh
from gongkai.workdays.models import (
    MAX_YEAR,
    MIN_YEAR,
    CalendarDay,
    CalendarState,
    CalendarYear,
    DayKind,
    SourceKind,
)

NAME_MAX = CalendarDay._meta.get_field("name").max_length
NOTICE_MAX = CalendarYear._meta.get_field("notice").max_length
_lock = threading.Lock()
_cached: tuple[str, Calendar] | None = None

can_edit_calendar = platform_admin


def current_version() -> str:
    return CalendarState.objects.filter(id=1).values_list("version", flat=True).first() or ""


def _bump_version() -> None:
    CalendarState.objects.update_or_create(id=1, defaults={"version": uuid.uuid4().hex})


def get_calendar() -> Calendar:
    """The calendar as stored now (cached per process, keyed by version)."""
    global _cached
    version = current_version()
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
    holidays: dict[date, str] = {}
    makeups: dict[date, str] = {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (holidays if kind == DayKind.HOLIDAY else makeups)[day] = name
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    cal = Calendar(holidays=holidays, makeup_workdays=makeups, official_years=years)
    with _lock:
        _cached = (version, cal)
    return cal


@dataclass(frozen=True)
class DayEntry:
    day: date
    kind: str
    name: str


def check_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: a JSON year of 1e400
        raise ActionError(_("“%(year)s” is not a year.") % {"year": year}) from exc
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise ActionError(
            _("The year must be between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    return value


def validate_entries(year: int, entries: Iterable[DayEntry]) -> list[DayEntry]:
    """Every entry in ``year``, no date twice, make-up days only on weekends."""
    seen: set[date] = set()
    problems: list[str] = []
    result = []
    for e in entries:
        if e.day.year != year:
            problems.append(_("%(date)s is not in %(year)s.") % {"date": e.day, "year": year})
        if e.day in seen:
            problems.append(_("%(date)s appears twice.") % {"date": e.day})
        if e.kind not in DayKind.values:
            problems.append(
                _("%(date)s: unknown type “%(kind)s” (use holiday or makeup).")
                % {"date": e.day, "kind": e.kind}
            )
        if e.kind == DayKind.MAKEUP and e.day.weekday() < 5:
            problems.append(
                _("%(date)s is a weekday; only a Saturday or Sunday can be a make-up working day.")
                % {"date": e.day}
            )
        if len(e.name) > NAME_MAX or "\x00" in e.name:  # PostgreSQL refuses both (SQLite would store them)
            problems.append(
                _("%(date)s: the holiday name must be text of at most %(max)s characters.")
                % {"date": e.day, "max": NAME_MAX}
            )
        seen.add(e.day)
        result.append(e)
    if problems:
        raise ActionError(problems)
    return result


def check_notice(notice: str) -> str:
    if len(notice) > NOTICE_MAX or "\x00" in notice:
        raise ActionError(_("The notice must be text of at most %(max)s characters.") % {"max": NOTICE_MAX})
    return notice


def parse_schedule(text: str) -> tuple[int, str, list[DayEntry]]:
    """Parse a year's schedule file (CSV or JSON); see docs/operations.md for the format.

    CSV: optional ``# year: 2027`` and ``# notice: …`` lines, then ``date,type,name`` rows.
    JSON: ``{"year": 2027, "notice": "…", "days": [{"date": "2027-01-01", "type": "holiday", "name": "元旦"}]}``.
    """
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise ActionError(_("The file is empty."))
    year: Any = None
    notice = ""
    rows: list[dict[str, str]] = []
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ActionError(_("The file is not valid JSON: %(error)s") % {"error": exc}) from exc
        except RecursionError as exc:  # arrays nested thousands deep
            raise ActionError(_("The file is not valid JSON: %(error)s") % {"error": "nesting"}) from exc
        if not isinstance(data, dict) or not isinstance(data.get("days"), list):
            raise ActionError(_("The JSON file needs “year” and a list “days”."))
        year, notice = data.get("year"), str(data.get("notice") or "")
        rows = [r if isinstance(r, dict) else {} for r in data["days"]]
    else:
        lines = []
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("#"):
                key, _sep, value = stripped[1:].partition(":")
                if key.strip().lower() == "year":
                    year = value.strip()
                elif key.strip().lower() == "notice":
                    notice = value.strip()
            elif stripped:
                lines.append(stripped)
        reader = csv.DictReader(io.StringIO("\n".join(lines)))
        if not reader.fieldnames or not {"date", "type"} <= {f.strip().lower() for f in reader.fieldnames}:
            raise ActionError(_("The CSV file needs a header line “date,type,name”."))
        # Cells beyond the header come under the key None as a list: they are ignored.
        rows = [{k.strip().lower(): (v or "").strip() for k, v in r.items() if k is not None} for r in reader]
    entries = []
    problems = []
    for n, row in enumerate(rows, start=1):
        raw = str(row.get("date", "")).strip()
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            problems.append(_("Row %(n)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"n": n, "value": raw})
            continue
        entries.append(
            DayEntry(day, str(row.get("type", "")).strip().lower(), str(row.get("name", "")).strip())
        )
    if problems:
        raise ActionError(problems)
    if year in (None, ""):
        years = {e.day.year for e in entries}
        if len(years) != 1:
            raise ActionError(_("State the year (“# year: 2027”); the dates do not name a single year."))
        year = years.pop()
    year = check_year(year)
    return year, check_notice(notice), validate_entries(year, entries)


@action
def load_year(
    *,
    actor: Any,
    year: int,
    entries: Iterable[DayEntry],
    source: str = SourceKind.FILE,
    notice: str = "",
    reason: str = "",
) -> int:
    """Replace one year's schedule, mark it official, recompute open clocks.

    Returns the number of clocks whose due date changed.
    """
    if actor is not None and not can_edit_calendar.test(actor, None):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("only platform administrators edit the calendar")
    year = check_year(year)
    entries = validate_entries(year, entries)
    notice = check_notice(notice)
    before = {
        "official": CalendarYear.objects.filter(year=year).exists(),
        "days": CalendarDay.objects.filter(date__year=year).count(),
    }
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create([CalendarDay(date=e.day, kind=e.kind, name=e.name) for e in entries])
    cy, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "source": source,
            "notice": notice,
            "loaded_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    _bump_version()
    record(actor=actor, verb="workdays.load_year", obj=cy, before=before,
           after={"official": True, "days": len(entries), "notice": notice, "source": source}, reason=reason)  # fmt: skip
    from gongkai.workdays.clock import recompute_open_clocks

    return recompute_open_clocks(
        actor=actor, reason=_("Calendar for %(year)s changed") % {"year": year}, years={year}
    )


@action
def set_day(*, actor: Any, day: date, kind: str | None, name: str = "", reason: str = "") -> int:
    """Mark one day as holiday or make-up working day (``kind=None`` clears it)."""
    if not can_edit_calendar.test(actor, None):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("only platform administrators edit the calendar")
    check_year(day.year)
    if kind is not None:
        validate_entries(day.year, [DayEntry(day, kind, name)])
    old = CalendarDay.objects.filter(date=day).first()
    before = {"kind": old.kind, "name": old.name} if old else None
    if kind is None:
        CalendarDay.objects.filter(date=day).delete()
    else:
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
    _bump_version()
    obj = CalendarDay.objects.filter(date=day).first()
    record(actor=actor, verb="workdays.set_day", obj=obj, before=before,
           after={"date": day, "kind": kind, "name": name} if kind else {"date": day, "cleared": True}, reason=reason)  # fmt: skip
    from gongkai.workdays.clock import recompute_open_clocks

    return recompute_open_clocks(
        actor=actor, reason=_("Calendar day %(date)s changed") % {"date": day}, years={day.year}
    )


@action
def remove_year(*, actor: Any, year: int, reason: str) -> int:
    """Withdraw a year's schedule: it becomes provisional (weekends only) again."""
    if not can_edit_calendar.test(actor, None):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("only platform administrators edit the calendar")
    year = check_year(year)
    if not reason.strip():
        raise ActionError({"reason": [_("Give a reason.")]})
    cy = CalendarYear.objects.filter(year=year).first()
    if cy is None:
        raise ActionError(_("%(year)s has no official schedule.") % {"year": year})
    record(
        actor=actor,
        verb="workdays.remove_year",
        obj=cy,
        before={"official": True},
        after={"official": False},
        reason=reason,
    )
    CalendarDay.objects.filter(date__year=year).delete()
    cy.delete()
    _bump_version()
    from gongkai.workdays.clock import recompute_open_clocks

    return recompute_open_clocks(actor=actor, reason=reason, years={year})


def package_schedule() -> dict[int, list[DayEntry]]:
    """Every year the chinesecalendar package covers, as entries per year."""
    cal = Calendar.from_chinese_calendar()
    by_year: dict[int, list[DayEntry]] = {y: [] for y in cal.official_years}
    # Stored in Chinese, as the State Council's notices name them.
    for d, name in cal.holidays.items():
        by_year[d.year].append(DayEntry(d, DayKind.HOLIDAY, holiday_name_zh(name)))
    for d, name in cal.makeup_workdays.items():
        by_year[d.year].append(DayEntry(d, DayKind.MAKEUP, holiday_name_zh(name)))
    return by_year


def seed_from_package(*, actor: Any = None, only_missing: bool = True) -> list[int]:
    """Load every year of the package not yet stored (all of them with only_missing=False)."""
    stored = set(CalendarYear.objects.values_list("year", flat=True))
    loaded = []
    for year, entries in sorted(package_schedule().items()):
        if only_missing and year in stored:
            continue
        load_year(actor=actor, year=year, entries=sorted(entries, key=lambda e: e.day), source=SourceKind.PACKAGE,
                  notice=f"国务院办公厅关于{year}年部分节假日安排的通知")  # fmt: skip
        loaded.append(year)
    return loaded


def recompute_open_clocks_job() -> str:
    from gongkai.workdays.clock import recompute_open_clocks

    changed = recompute_open_clocks(actor=None, reason="periodic recomputation")
    return f"{changed} clocks changed"
