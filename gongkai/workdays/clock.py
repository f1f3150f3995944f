"""Clock operations. Cases (applications, letters, service cases) call these
from inside their own actions; the case action checks permission, these record
what happened to the clock in the audit log and keep ``due_date`` current.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.engine import Calendar, DueResult, Pause, compute_due, explain, workdays_used
from gongkai.workdays.models import (
    Clock,
    ClockExtension,
    ClockKind,
    ClockLevel,
    ClockPause,
    ClockStatus,
    PauseReason,
)

# The share of the limit after which a clock is in warning (预警), unless a rule says otherwise.
DEFAULT_WARNING_SHARE = Decimal("0.8")


# The longest extension reason: its column's length (a longer one is a database error on PostgreSQL).
REASON_MAX: int = ClockExtension._meta.get_field("reason").max_length

def today() -> date:
    return timezone.localdate()


def evaluate(clock: Clock, cal: Calendar | None = None, *, as_of: date | None = None) -> DueResult:
    """Compute the clock's deadline from its stored facts (no writes)."""
    cal = cal or get_calendar()
    pauses = [Pause(p.start, p.end, p.get_reason_display()) for p in clock.pauses.all()]
    extensions = [e.days for e in clock.extensions.all()]
    return compute_due(
        cal, clock.start_date, clock.limit_days, pauses=pauses, extensions=extensions, today=as_of or today()
    )


def explanation(clock: Clock, lang: str = "zh") -> str:
    """How the due date was computed, in Chinese ("zh") or English ("en")."""
    from django.utils import translation

    code = "zh" if lang.startswith("zh") else "en"
    with translation.override("zh-hans" if code == "zh" else "en"):  # pause reasons in the same language
        return explain(evaluate(clock), lang=code)


def used(clock: Clock, as_of: date | None = None) -> int:
    """Working days used so far (or up to closing), pauses excluded."""
    cal = get_calendar()
    end = clock.closed_on or as_of or today()
    pauses = [Pause(p.start, p.end) for p in clock.pauses.all()]
    return workdays_used(cal, clock.start_date, end, pauses=pauses)


def _refresh(clock: Clock, cal: Calendar | None = None) -> DueResult:
    result = _apply(clock, cal)
    clock.save()
    return result


def warning_shares() -> dict[str, Decimal]:
    """The configured warning share per clock kind (kinds without a rule use the default)."""
    from gongkai.supervision.models import WarningRule  # supervision configures the clock, not vice versa

    return {kind: Decimal(share) for kind, share in WarningRule.objects.values_list("kind", "share")}


def warning_limit(total_limit: int, share: Decimal) -> int:
    """Working days after which the warning starts: ceil(limit x share), exact in decimals."""
    return math.ceil(Decimal(total_limit) * Decimal(share))


def warn_date_for(
    cal: Calendar,
    start: date,
    limit: int,
    share: Decimal,
    *,
    due: date | None,
    pauses: list[Pause] | None = None,
) -> date | None:
    """The day a clock of ``limit`` working days (extensions included) from ``start`` enters its
    warning: ``share`` of the limit, rounded up; the due date itself when that is the whole limit.
    The bulk paths (imports, the demo) call this too, so their clocks equal the actions'."""
    days = warning_limit(limit, share)
    if limit == 0 or days >= limit:
        return due
    return compute_due(cal, start, days, pauses=pauses or [], today=today()).due


def _apply(
    clock: Clock, cal: Calendar | None = None, *, shares: dict[str, Decimal] | None = None
) -> DueResult:
    """Set the derived fields (due date, status, on time, supervision dates) from the facts; no write."""
    cal = cal or get_calendar()
    result = evaluate(clock, cal)
    clock.due_date = result.due
    clock.provisional = result.provisional
    if clock.closed_on is not None:
        clock.status = ClockStatus.CLOSED
        clock.on_time = result.due is not None and clock.closed_on <= result.due
    else:
        clock.status = ClockStatus.PAUSED if result.paused else ClockStatus.RUNNING
        clock.on_time = None
    _apply_supervision(clock, cal, result, shares)
    return result


def _apply_supervision(
    clock: Clock, cal: Calendar, result: DueResult, shares: dict[str, Decimal] | None
) -> None:
    share = (warning_shares() if shares is None else shares).get(clock.kind, DEFAULT_WARNING_SHARE)
    pauses = [Pause(p.start, p.end) for p in clock.pauses.all()]
    # The warning point is a share of the whole limit, extensions included, counted with the
    # same pauses as the due date: an extension or a pause moves both.
    clock.warn_date = warn_date_for(cal, clock.start_date, result.limit, share, due=result.due, pauses=pauses)
    if clock.closed_on is not None:
        clock.used_days = workdays_used(cal, clock.start_date, clock.closed_on, pauses=pauses)
        return
    clock.used_days = None
    # Only the scan raises a level (it writes the alert); a later due or warning date lowers it
    # at once, and the next scan raises it again where the new dates say so.
    now = today()
    if clock.level == ClockLevel.ALARM and not (clock.due_date is not None and clock.due_date < now):
        clock.level = ClockLevel.NORMAL
    if clock.level == ClockLevel.WARNING and not (clock.warn_date is not None and clock.warn_date <= now):
        clock.level = ClockLevel.NORMAL


def _state(clock: Clock) -> dict[str, Any]:
    return {
        "start_date": clock.start_date,
        "limit_days": clock.limit_days,
        "due_date": clock.due_date,
        "status": clock.status,
        "provisional": clock.provisional,
    }


def _supervision_state(clock: Clock) -> dict[str, Any]:
    return {"warn_date": clock.warn_date, "level": clock.level, "used_days": clock.used_days}


def _locked(clock: Clock) -> Clock:
    return Clock.objects.select_for_update().get(pk=clock.pk)


@action
def start_clock(
    *,
    actor: Any,
    kind: str,
    organisation: Any,
    start_date: date,
    limit_days: int,
    subject: models.Model | None = None,
    label: str = "",
    extension_limit_days: int | None = None,
) -> Clock:
    """Start a clock; ``start_date`` is day 0 (e.g. the day an application was received)."""
    if kind not in ClockKind.values:
        raise ActionError(_("Unknown clock kind."))
    if limit_days < 0:
        raise ActionError(_("The time limit cannot be negative."))
    clock = Clock(
        kind=kind,
        organisation=organisation,
        start_date=start_date,
        original_start_date=start_date,
        limit_days=limit_days,
        extension_limit_days=extension_limit_days,
        label=label or (str(subject) if subject is not None else ""),
    )
    if subject is not None:
        clock.content_type = ContentType.objects.get_for_model(type(subject))
        clock.object_id = str(subject.pk)
    clock.save()
    _refresh(clock)
    record(actor=actor, verb="workdays.start_clock", obj=clock, after=_state(clock))
    return clock


@action
def pause_clock(*, actor: Any, clock: Clock, on: date, reason: str, note: str = "") -> ClockPause:
    clock = _locked(clock)
    if clock.status == ClockStatus.CLOSED:
        raise ActionError(_("The clock is closed."))
    if reason not in PauseReason.values:
        raise ActionError(_("Unknown pause reason."))
    if clock.pauses.filter(end__isnull=True).exists():
        raise ActionError(_("The clock is already paused."))
    if on < clock.start_date:
        raise ActionError(_("A pause cannot start before the clock starts."))
    last = clock.pauses.exclude(end__isnull=True).order_by("-end").first()
    if last is not None and on < last.end:
        raise ActionError(_("A pause cannot start before the previous one ended."))
    before = _state(clock)
    pause = ClockPause.objects.create(clock=clock, start=on, reason=reason, note=note)
    _refresh(clock)
    record(actor=actor, verb="workdays.pause_clock", obj=clock, before=before,
           after={**_state(clock), "pause_start": on, "pause_reason": reason}, reason=note)  # fmt: skip
    return pause


@action
def resume_clock(*, actor: Any, clock: Clock, on: date, note: str = "") -> Clock:
    clock = _locked(clock)
    pause = clock.pauses.filter(end__isnull=True).first()
    if pause is None:
        raise ActionError(_("The clock is not paused."))
    if on < pause.start:
        raise ActionError(_("The clock cannot resume before it was paused."))
    before = _state(clock)
    pause.end = on
    if note:
        pause.note = (pause.note + "; " + note).strip("; ")
    pause.save()
    _refresh(clock)
    record(actor=actor, verb="workdays.resume_clock", obj=clock, before=before,
           after={**_state(clock), "pause_end": on}, reason=note)  # fmt: skip
    return clock


@action
def extend_clock(
    *, actor: Any, clock: Clock, days: int, approved_by: Any, approved_on: date, reason: str
) -> ClockExtension:
    """Add an approved extension; refuses to exceed ``extension_limit_days`` in total."""
    clock = _locked(clock)
    if clock.status == ClockStatus.CLOSED:
        raise ActionError(_("The clock is closed."))
    if days <= 0:
        raise ActionError(_("An extension must be at least one working day."))
    if not reason.strip():
        raise ActionError(_("Give the reason for the extension."))
    if len(reason) > REASON_MAX:
        raise ActionError(_("At most %(n)s characters.") % {"n": REASON_MAX})
    already = clock.extension_days
    if clock.extension_limit_days is not None and already + days > clock.extension_limit_days:
        raise ActionError(
            _("The extension may not exceed %(max)s working days in total (%(used)s already granted).")
            % {"max": clock.extension_limit_days, "used": already}
        )
    before = _state(clock)
    ext = ClockExtension.objects.create(
        clock=clock, days=days, approved_by=approved_by, approved_on=approved_on, reason=reason
    )
    _refresh(clock)
    record(actor=actor, verb="workdays.extend_clock", obj=clock, before=before,
           after={**_state(clock), "extension_days": days, "approved_by": approved_by.pk}, reason=reason)  # fmt: skip
    return ext


@action
def restart_clock(*, actor: Any, clock: Clock, on: date, reason: str) -> Clock:
    """Count afresh from ``on`` (e.g. receipt of a corrected application, 2019 Art. 30)."""
    clock = _locked(clock)
    if clock.status == ClockStatus.CLOSED:
        raise ActionError(_("The clock is closed."))
    if on < clock.start_date:
        raise ActionError(_("A clock cannot restart before it started."))
    before = _state(clock)
    # An open pause ends at the restart: the new count starts from the new day 0.
    clock.pauses.filter(end__isnull=True).update(end=on)
    clock.start_date = on
    _refresh(clock)
    record(
        actor=actor,
        verb="workdays.restart_clock",
        obj=clock,
        before=before,
        after=_state(clock),
        reason=reason,
    )
    return clock


@action
def reschedule_clock(*, actor: Any, clock: Clock, start: date, reason: str) -> Clock:
    """Correct the start date of a clock that has not run yet (a data-entry correction)."""
    clock = _locked(clock)
    if clock.status == ClockStatus.CLOSED:
        raise ActionError(_("The clock is closed."))
    if clock.pauses.exists() or clock.extensions.exists():
        raise ActionError(_("A clock with pauses or extensions cannot be rescheduled."))
    before = _state(clock)
    clock.start_date = clock.original_start_date = start
    _refresh(clock)
    record(
        actor=actor,
        verb="workdays.reschedule_clock",
        obj=clock,
        before=before,
        after=_state(clock),
        reason=reason,
    )
    return clock


@action
def set_clock_limit(*, actor: Any, clock: Clock, limit_days: int, reason: str) -> Clock:
    """Change the time limit of an open clock (e.g. a limit set when a letter is assigned)."""
    clock = _locked(clock)
    if clock.status == ClockStatus.CLOSED:
        raise ActionError(_("The clock is closed."))
    if limit_days < 0:
        raise ActionError(_("The time limit cannot be negative."))
    before = _state(clock)
    clock.limit_days = limit_days
    _refresh(clock)
    record(
        actor=actor,
        verb="workdays.set_clock_limit",
        obj=clock,
        before=before,
        after=_state(clock),
        reason=reason,
    )
    return clock


@action
def close_clock(*, actor: Any, clock: Clock, on: date) -> Clock:
    clock = _locked(clock)
    if clock.status == ClockStatus.CLOSED:
        raise ActionError(_("The clock is already closed."))
    if on < clock.start_date:
        raise ActionError(_("A clock cannot close before it started."))
    before = _state(clock)
    clock.pauses.filter(end__isnull=True).update(end=on)
    clock.closed_on = on
    _refresh(clock)
    record(actor=actor, verb="workdays.close_clock", obj=clock, before=before,
           after={**_state(clock), "closed_on": on, "on_time": clock.on_time})  # fmt: skip
    return clock


@action
def recompute_open_clocks(*, actor: Any, reason: str, years: set[int] | None = None) -> int:
    """Recompute open clocks (those reaching into ``years`` if given); returns how many changed.

    Idempotent: a second run with the same calendar changes nothing.
    """
    cal = get_calendar()
    qs = Clock.objects.exclude(status=ClockStatus.CLOSED)
    if years:
        cond = Q()
        for y in years:
            # A clock can reach into year y if it started by its end and is not due before it.
            cond |= Q(start_date__lte=date(y, 12, 31)) & (
                Q(due_date__isnull=True) | Q(due_date__gte=date(y - 1, 12, 1))
            )
        qs = qs.filter(cond)
    changed = 0
    shares = warning_shares()
    for clock in qs.prefetch_related("pauses", "extensions").iterator(chunk_size=500):
        before = _state(clock)
        sup_before = _supervision_state(clock)
        _apply(clock, cal, shares=shares)
        after = _state(clock)
        sup_after = _supervision_state(clock)
        if after != before or sup_after != sup_before:
            if sup_after != sup_before:  # only then, so the usual events read as before
                before, after = {**before, **sup_before}, {**after, **sup_after}
            clock.save(
                update_fields=[
                    "due_date", "provisional", "status", "on_time", "warn_date", "level", "used_days",
                    "updated_at",
                ]
            )  # fmt: skip
            changed += 1
            record(
                actor=actor,
                verb="workdays.recompute_clock",
                obj=clock,
                before=before,
                after=after,
                reason=reason,
            )
    return changed


def recompute_warn_dates(kind: str) -> int:
    """Recompute the warning date (and lower the level) of the open clocks of ``kind``.

    Called by the supervision action that changes the kind's warning share, inside its
    transaction; changed clocks are written with one UPDATE per batch. Returns how many changed.
    """
    cal = get_calendar()
    shares = warning_shares()
    changed: list[Clock] = []
    count = 0
    qs = Clock.objects.filter(kind=kind).exclude(status=ClockStatus.CLOSED).order_by("pk")
    for clock in qs.prefetch_related("pauses", "extensions").iterator(chunk_size=1000):
        before = (clock.warn_date, clock.level)
        _apply_supervision(clock, cal, evaluate(clock, cal), shares)
        if (clock.warn_date, clock.level) != before:
            changed.append(clock)
        if len(changed) >= 1000:
            Clock.objects.bulk_update(changed, ["warn_date", "level"])
            count += len(changed)
            changed = []
    if changed:
        Clock.objects.bulk_update(changed, ["warn_date", "level"])
        count += len(changed)
    return count
