"""Chinese working-day arithmetic for statutory deadlines (pure Python, no Django).

A working day is Mon-Fri that is not a public holiday, plus any weekend day the State
Council declares a make-up working day (调休上班).  The calendar is data: years with an
official schedule are "official"; any other year is counted by weekends only, and every
deadline whose counting touches such a year is flagged provisional.

Counting "N working days from receipt": the day of receipt is day 0 and counting starts
the next day.  A pause [start, end] stops working days d with start < d <= end from being
counted: the day a pause starts still counts, and the day it ends behaves like a new day 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

MIN_DATE = date(1949, 1, 1)
MAX_DATE = date(2100, 12, 31)
# Guard against a pathological calendar (e.g. every day a holiday) looping for ever:
# more than this many unpaused days (plus 2 per working day asked for) is an error.
MAX_WALK_DAYS = 3660
ONE_DAY = timedelta(days=1)

HOLIDAY_NAMES_ZH: Mapping[str, str] = MappingProxyType(
    {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节",
        "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
    }
)
_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def holiday_name_zh(name: str) -> str:
    """Chinese name of a holiday; combined names ("A, B") are translated part by part."""
    parts = [p.strip() for p in name.split(",") if p.strip()]
    return "、".join(HOLIDAY_NAMES_ZH.get(p, p) for p in parts) or name


_HOLIDAY_NAMES_EN = {zh: en for en, zh in HOLIDAY_NAMES_ZH.items()}


def holiday_name_en(name: str) -> str:
    """English name of a holiday stored in Chinese (unknown names pass through)."""
    parts = [p.strip() for p in name.replace("、", ",").split(",") if p.strip()]
    return ", ".join(_HOLIDAY_NAMES_EN.get(p, p) for p in parts) or name


def _check_date(d: object, what: str = "date") -> date:
    # datetime is a subclass of date but compares badly with it, so reject it explicitly.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{what} must be a datetime.date, got {type(d).__name__}")
    if not MIN_DATE <= d <= MAX_DATE:
        raise ValueError(f"{what} {d} is outside the supported range {MIN_DATE}..{MAX_DATE}")
    return d


def _check_count(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"{what} must be >= 0, got {n}")
    return n


@dataclass(frozen=True)
class Calendar:
    """Holidays and make-up working days, plus the years for which they are official."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    makeup_workdays: Mapping[date, str] = field(default_factory=dict)
    official_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        clash = sorted(set(self.holidays) & set(self.makeup_workdays))
        if clash:
            raise ValueError(f"dates cannot be both holiday and make-up working day: {clash[:5]}")
        # Copy into read-only views so a shared calendar cannot be mutated behind our back.
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "makeup_workdays", MappingProxyType(dict(self.makeup_workdays)))
        object.__setattr__(self, "official_years", frozenset(self.official_years))

    def __hash__(self) -> int:  # mapping proxies are unhashable; hash the contents instead
        return hash(
            (self.official_years, frozenset(self.holidays.items()), frozenset(self.makeup_workdays.items()))
        )

    def is_official(self, year: int) -> bool:
        """True if the year's holiday schedule is known (otherwise: weekends only)."""
        return year in self.official_years

    def is_workday(self, d: date) -> bool:
        """True for Mon-Fri that is not a holiday, and for declared make-up working days."""
        _check_date(d)
        if d in self.makeup_workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after start (start itself is day 0; n == 0 returns start)."""
        _check_count(n, "n")
        due = _walk(self, _check_date(start, "start"), n, n, []).due
        assert due is not None  # no open pause, so the walk always finishes
        return due

    def workdays_between(self, start: date, end: date) -> int:
        """Number of working days d with start < d <= end (0 if end <= start)."""
        _check_date(start, "start")
        _check_date(end, "end")
        return sum(self.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))

    @classmethod
    def from_chinese_calendar(cls) -> Calendar:
        """Calendar from the `chinesecalendar` package; its covered years are official."""
        holidays, makeups, years = _package_data()
        return cls(holidays=holidays, makeup_workdays=makeups, official_years=years)

    @classmethod
    def weekends_only(cls) -> Calendar:
        """No holidays at all; every year is provisional."""
        return cls()


@lru_cache(maxsize=1)
def _package_data() -> tuple[dict[date, str], dict[date, str], frozenset[int]]:
    import chinese_calendar as cc  # imported lazily: only this constructor needs the package

    # cc.workdays lists make-up days; keep weekend ones only, Mon-Fri are working days anyway.
    makeups = {d: name for d, name in cc.workdays.items() if d.weekday() >= 5}
    years = frozenset(range(min(cc.holidays).year, max(cc.holidays).year + 1))
    return dict(cc.holidays), makeups, years


@dataclass(frozen=True)
class Pause:
    """Counting is suspended for working days d with start < d <= end (end None: still paused)."""

    start: date
    end: date | None
    reason: str = ""

    def __post_init__(self) -> None:
        _check_date(self.start, "pause start")
        if self.end is not None and _check_date(self.end, "pause end") < self.start:
            raise ValueError(f"pause end {self.end} is before pause start {self.start}")


@dataclass(frozen=True)
class HolidaySpan:
    """Consecutive holiday days skipped while counting (name may combine: "A, B")."""

    name: str
    first: date
    last: date


@dataclass(frozen=True)
class MakeupDay:
    """A weekend make-up working day that was counted; name is the holiday it belongs to."""

    day: date
    name: str


@dataclass(frozen=True)
class PausedSpan:
    """A (merged) pause and the working days it kept from being counted."""

    start: date
    end: date | None  # None: the pause is still open
    reasons: tuple[str, ...]
    workdays: int  # working days not counted because of this pause
    assumed_end: date | None = None  # for an open pause: the end assumed by the projection


@dataclass(frozen=True)
class DueResult:
    """Outcome of compute_due; the detail fields describe the projection when due is None."""

    start: date
    due: date | None  # None while an open pause blocks the deadline
    projected_due: date | None  # due if the open pause ended on `today`
    base_limit: int
    extensions: tuple[int, ...]
    limit: int  # base_limit + sum(extensions)
    base_due: date | None  # the base_limit-th working day (before extensions)
    paused: bool
    provisional: bool
    provisional_years: tuple[int, ...]
    holidays: tuple[HolidaySpan, ...]
    makeup_days: tuple[MakeupDay, ...]
    pauses: tuple[PausedSpan, ...]
    steps: tuple[str, ...] = ()  # English explanation, one line per step

    @property
    def extension_days(self) -> int:
        return sum(self.extensions)

    @property
    def paused_workdays(self) -> int:
        return sum(p.workdays for p in self.pauses)


@dataclass
class _Walk:
    due: date | None
    base_due: date | None
    last: date
    holiday_days: list[date]
    makeups: list[date]
    paused: list[int]
    years: set[int]


def _merge_pauses(pauses: Iterable[Pause]) -> list[PausedSpan]:
    """Sort and merge pauses whose paused days overlap or touch; end None means open-ended."""
    merged: list[PausedSpan] = []
    for p in sorted(pauses, key=lambda p: p.start):
        if not isinstance(p, Pause):
            raise TypeError(f"pauses must be Pause objects, got {type(p).__name__}")
        reasons = (p.reason,) if p.reason else ()
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or p.start <= last.end):
            end = None if last.end is None or p.end is None else max(last.end, p.end)
            extra = tuple(r for r in reasons if r not in last.reasons)
            merged[-1] = replace(last, end=end, reasons=last.reasons + extra)
        else:
            merged.append(PausedSpan(p.start, p.end, reasons, 0))
    return merged


def _pause_index(spans: list[PausedSpan], d: date) -> int | None:
    for i, s in enumerate(spans):
        if s.start < d and (s.end is None or d <= s.end):
            return i
    return None


def _walk(cal: Calendar, start: date, limit: int, base: int, spans: list[PausedSpan]) -> _Walk:
    """Count `limit` working days after start, skipping paused ones; stop at an open pause."""
    w = _Walk(None, start if base == 0 else None, start, [], [], [0] * len(spans), {start.year})
    d, count, budget = start, 0, MAX_WALK_DAYS + 2 * limit
    while count < limit:
        d = d + ONE_DAY
        _check_date(d, "counting reached")
        w.last = d
        w.years.add(d.year)
        i = _pause_index(spans, d)
        if i is not None and spans[i].end is None:
            return w  # blocked: nothing after an open pause's start can be counted yet
        if i is None:
            budget -= 1
            if budget < 0:
                raise ValueError(f"no {limit} working days found within {MAX_WALK_DAYS} days of {start}")
        if not cal.is_workday(d):
            if d in cal.holidays:
                w.holiday_days.append(d)
        elif i is not None:
            w.paused[i] += 1
        else:
            count += 1
            if d in cal.makeup_workdays:
                w.makeups.append(d)
            if count == base:
                w.base_due = d
    w.due = d
    return w


def _holiday_spans(cal: Calendar, days: list[date]) -> tuple[HolidaySpan, ...]:
    groups: list[list[date]] = []
    for d in days:
        if groups and d - groups[-1][-1] == ONE_DAY:
            groups[-1].append(d)
        else:
            groups.append([d])
    spans = []
    for g in groups:
        names: list[str] = []
        for d in g:  # keep first-seen order, splitting names the package already combined
            names += [n.strip() for n in cal.holidays[d].split(",") if n.strip() not in names]
        spans.append(HolidaySpan(", ".join(names), g[0], g[-1]))
    return tuple(spans)


def compute_due(
    cal: Calendar,
    start: date,
    limit: int,
    *,
    pauses: Iterable[Pause] = (),
    extensions: Iterable[int] = (),
    today: date | None = None,
) -> DueResult:
    """Deadline `limit` (+ extensions) working days after receipt on `start`."""
    _check_date(start, "start")
    _check_count(limit, "limit")
    exts = tuple(extensions)
    for e in exts:
        if _check_count(e, "extension") == 0:
            raise ValueError("extension must be > 0 working days, got 0")
    total = limit + sum(exts)
    spans = _merge_pauses(pauses)
    walk = described = _walk(cal, start, total, limit, spans)
    projected = None
    open_end: date | None = None
    if walk.due is None and today is not None:
        # Assume the open pause (always the last merged span) ends today and count again.
        open_end = max(_check_date(today, "today"), spans[-1].start)
        described = _walk(cal, start, total, limit, spans[:-1] + [replace(spans[-1], end=open_end)])
        projected = described.due
    # Report only pauses that lie inside the counting: not before receipt, not after the walk.
    shown = tuple(
        replace(s, workdays=described.paused[i], assumed_end=open_end if s.end is None else None)
        for i, s in enumerate(spans)
        if (s.end is None or s.end > start) and s.start < described.last
    )
    bad_years = tuple(sorted(y for y in walk.years | described.years if not cal.is_official(y)))
    result = DueResult(
        start=start,
        due=walk.due,
        projected_due=projected,
        base_limit=limit,
        extensions=exts,
        limit=total,
        base_due=described.base_due,
        paused=walk.due is None,
        provisional=bool(bad_years),
        provisional_years=bad_years,
        holidays=_holiday_spans(cal, described.holiday_days),
        makeup_days=tuple(MakeupDay(d, cal.makeup_workdays[d]) for d in described.makeups),
        pauses=shown,
    )
    return replace(result, steps=tuple(_lines(result, "en")))


def workdays_used(cal: Calendar, start: date, as_of: date, *, pauses: Iterable[Pause] = ()) -> int:
    """Working days counted after start up to as_of inclusive, excluding paused ones."""
    _check_date(start, "start")
    _check_date(as_of, "as_of")
    spans = _merge_pauses(pauses)
    days = (start + timedelta(days=i) for i in range(1, (as_of - start).days + 1))
    return sum(1 for d in days if cal.is_workday(d) and _pause_index(spans, d) is None)


# --- explanations -------------------------------------------------------------------------


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _day_zh(d: date, ref_year: int) -> str:
    return (f"{d.year}年" if d.year != ref_year else "") + f"{d.month}月{d.day}日"


def _day_en(d: date, ref_year: int) -> str:
    return f"{d.day} {_MONTHS_EN[d.month - 1]}" + (f" {d.year}" if d.year != ref_year else "")


def _range(a: date, b: date, ref: int, lang: str) -> str:
    if lang == "zh":
        return _day_zh(a, ref) if a == b else f"{_day_zh(a, ref)}至{_day_zh(b, ref)}"
    if a == b:
        return _day_en(a, ref)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{_day_en(b, ref)}"
    return f"{_day_en(a, ref)} – {_day_en(b, ref)}"


def _join_en(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _pause_line(p: PausedSpan, lang: str) -> str:
    zh = lang == "zh"
    why = (
        ("（" + "；".join(p.reasons) + "）")
        if zh and p.reasons
        else (": " + "; ".join(p.reasons) if p.reasons else "")
    )
    skipped = f"{p.workdays}个工作日不计" if zh else f"{p.workdays} working days not counted"
    if p.end is not None:
        return (
            f"{p.start}至{p.end}暂停{why}，{skipped}"
            if zh
            else f"{p.start} to {p.end} paused{why}, {skipped}"
        )
    if p.assumed_end is None:
        return (
            f"{p.start}起暂停{why}，尚未恢复，期限暂无法确定"
            if zh
            else f"paused from {p.start}{why}, not yet resumed — due date unknown"
        )
    return (
        f"{p.start}起暂停{why}，尚未恢复；假定{p.assumed_end}恢复，{skipped}"
        if zh
        else f"paused from {p.start}{why}, not yet resumed; assuming it resumes on {p.assumed_end}, {skipped}"
    )


def _lines(r: DueResult, lang: str) -> list[str]:
    zh, ref = lang == "zh", r.start.year
    wd = (_WEEKDAYS_ZH if zh else _WEEKDAYS_EN)[r.start.weekday()]
    out = [f"{r.start}（{wd}）收到" if zh else f"received {r.start} ({wd})"]
    out.append("自次日起计算" if zh else "counting from the next day")
    for h in r.holidays:
        span = _range(h.first, h.last, ref, lang)
        out.append(
            f"{span}{holiday_name_zh(h.name)}假期不计"
            if zh
            else f"{span} {holiday_name_en(h.name)} holiday skipped"
        )
    if r.makeup_days:
        days = [_range(m.day, m.day, ref, lang) for m in r.makeup_days]
        out.append(
            "、".join(days) + "调休上班，计入"
            if zh
            else _join_en(days)
            + (" make-up working day" if len(days) == 1 else " make-up working days")
            + " counted"
        )
    out += [_pause_line(p, lang) for p in r.pauses]
    for y in r.provisional_years:
        out.append(
            f"{y}年尚无官方放假安排，仅按周末计算，结果为暂定"
            if zh
            else f"{y}: no official schedule, weekends only — provisional"
        )
    if r.limit == 0:
        out.append(f"期限为0个工作日，即{r.start}" if zh else f"limit 0 working days: due {r.start}")
        return out
    est = "预计" if r.due is None else ""
    if r.extensions and r.base_limit and r.base_due is not None:
        out.append(
            f"第{r.base_limit}个工作日为{r.base_due}"
            if zh
            else f"{_ordinal(r.base_limit)} working day: {r.base_due}"
        )
    if r.extensions:
        n = "+".join(map(str, r.extensions))
        out.append(
            f"延长{n}个工作日，期限共{r.limit}个工作日"
            if zh
            else f"extended by {n} working days (limit {r.limit})"
        )
    final = r.due or r.projected_due
    if final is None:
        out.append("期限待暂停结束后确定" if zh else "due date unknown until the pause ends")
    elif zh:
        out.append(f"第{r.limit}个工作日{est}为{final}")
    else:
        out.append(f"{_ordinal(r.limit)} working day: {final}" + (" (projected)" if est else ""))
    return out


def explain(result: DueResult, lang: str = "zh") -> str:
    """Human-readable explanation of a DueResult in Chinese ("zh") or English ("en")."""
    if lang not in ("zh", "en"):
        raise ValueError(f"unsupported language {lang!r}; use 'zh' or 'en'")
    lines = _lines(result, lang)
    return "；".join(lines) + "。" if lang == "zh" else "; ".join(lines) + "."
