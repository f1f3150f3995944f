"""The periodic supervision scan: raise clocks to warning or alarm, lower them when dates move.

Set-based and idempotent: a few conditional UPDATEs and INSERT ... SELECT statements driven
by the (status, date) and (level, status, date) indexes of the clock, whatever the number of
clocks. A clock is raised only by the UPDATE that finds it below the level, and its alert is
written by that same scan (unique per clock and level, ON CONFLICT DO NOTHING), so two scans
at once (two workers) never raise a clock twice or write or announce an alert twice. Each
unit gets one notice per scan about the alerts that scan wrote.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from gongkai.notifications.send import notify
from gongkai.orgs.models import Organisation, RoleAssignment
from gongkai.supervision.models import Alert
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import Clock, ClockLevel, ClockStatus

OPEN = (ClockStatus.RUNNING, ClockStatus.PAUSED)
RESTAT_AFTER = 10_000  # level changes in one scan after which PostgreSQL's statistics are refreshed


def not_overdue(today: date) -> Q:
    # A clock blocked by an open pause has no due date: it cannot be overdue.
    return Q(due_date__gte=today) | Q(due_date__isnull=True)


def to_lower_from_alarm(today: date) -> QuerySet[Clock]:
    return Clock.objects.filter(level=ClockLevel.ALARM, status__in=OPEN).filter(not_overdue(today))


def to_lower_from_warning(today: date) -> QuerySet[Clock]:
    return Clock.objects.filter(level=ClockLevel.WARNING, status__in=OPEN).filter(
        Q(warn_date__gt=today) | Q(warn_date__isnull=True)
    )


def to_alarm(today: date) -> QuerySet[Clock]:
    """Open clocks overdue (due before today) and not yet in alarm."""
    return Clock.objects.filter(
        level__in=(ClockLevel.NORMAL, ClockLevel.WARNING), status__in=OPEN, due_date__lt=today
    )


def to_warning(today: date) -> QuerySet[Clock]:
    """Open normal clocks whose warning date has come and which are not overdue."""
    return Clock.objects.filter(level=ClockLevel.NORMAL, status__in=OPEN, warn_date__lte=today).filter(
        not_overdue(today)
    )


# The same conditions as the querysets above, as SQL with literal statuses and levels so that
# both databases match them to the partial indexes of the clock (gongkai.workdays.models);
# SQLite is told the index (INDEXED BY): its planner's statistics go stale as levels change.
_OPEN_SQL = "status IN ('running', 'paused')"
RAISE_SQL = {
    ClockLevel.ALARM: (
        "clock_to_alarm",
        f"{_OPEN_SQL} AND level IN ('normal', 'warning') AND due_date < %(today)s",
    ),
    ClockLevel.WARNING: (
        "clock_to_warning",
        f"{_OPEN_SQL} AND level = 'normal' AND warn_date <= %(today)s AND (due_date >= %(today)s OR due_date IS NULL)",
    ),
}
LOWER_SQL = [  # each a plain range on its index (an OR of two ranges would not use it on SQLite)
    ("clock_in_alarm", f"{_OPEN_SQL} AND level = 'alarm' AND due_date >= %(today)s"),
    ("clock_in_alarm", f"{_OPEN_SQL} AND level = 'alarm' AND due_date IS NULL"),
    ("clock_in_warning", f"{_OPEN_SQL} AND level = 'warning' AND warn_date > %(today)s"),
    ("clock_in_warning", f"{_OPEN_SQL} AND level = 'warning' AND warn_date IS NULL"),
]


def _clock_table(index: str) -> str:
    table = connection.ops.quote_name(Clock._meta.db_table)
    return f"{table} INDEXED BY {index}" if connection.vendor == "sqlite" else table


def lower_levels(today: date) -> int:
    """Clocks whose due (or warning) date moved later go back to normal; the alerts stay."""
    lowered = 0
    with connection.cursor() as cursor:
        for index, where in LOWER_SQL:
            cursor.execute(
                f"UPDATE {_clock_table(index)} SET level = %(normal)s WHERE {where}",  # noqa: S608
                {"today": today, "normal": ClockLevel.NORMAL.value},
            )
            lowered += max(cursor.rowcount, 0)
    return lowered


def raise_level(level: str, today: date) -> tuple[int, dict[int, int]]:
    """Raise the clocks due for ``level`` and write their alerts, in one transaction.

    Returns the number of clocks raised and the new alerts per unit. An alert that already
    exists (the clock reached this level before, was lowered, and reached it again) is not
    written again, so it is not announced again either. ``notified_on`` is set at insertion:
    the scan that writes an alert is the one that announces it. On PostgreSQL the UPDATE and
    the INSERT are one statement (a concurrent scan's UPDATE waits for the rows and then finds
    them raised); SQLite runs one writer at a time.
    """
    index, where = RAISE_SQL[level]
    clock_table = _clock_table(index)
    alert_table = connection.ops.quote_name(Alert._meta.db_table)
    values = {"today": today, "level": str(level)}
    columns = "clock_id, organisation_id, kind, level, raised_on, notified_on"
    per_unit: dict[int, int] = defaultdict(int)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH raised AS (UPDATE {clock_table} SET level = %(level)s WHERE {where} "  # noqa: S608
                "RETURNING id, organisation_id, kind), "
                f"written AS (INSERT INTO {alert_table} ({columns}) "
                "SELECT id, organisation_id, kind, %(level)s, %(today)s, %(today)s FROM raised ORDER BY id "
                "ON CONFLICT (clock_id, level) DO NOTHING RETURNING organisation_id) "
                "SELECT NULL, count(*) FROM raised "
                "UNION ALL SELECT organisation_id, count(*) FROM written GROUP BY organisation_id",
                values,
            )
            raised = 0
            for org_id, count in cursor.fetchall():
                if org_id is None:
                    raised = count
                else:
                    per_unit[org_id] += count
            return raised, dict(per_unit)
        cursor.execute(
            f"INSERT INTO {alert_table} ({columns}) "  # noqa: S608
            f"SELECT id, organisation_id, kind, %(level)s, %(today)s, %(today)s FROM {clock_table} "
            f"WHERE {where} ORDER BY id ON CONFLICT (clock_id, level) DO NOTHING RETURNING organisation_id",
            values,
        )
        while rows := cursor.fetchmany(5000):
            for (org_id,) in rows:
                per_unit[org_id] += 1
        cursor.execute(f"UPDATE {clock_table} SET level = %(level)s WHERE {where}", values)  # noqa: S608
        return max(cursor.rowcount, 0), dict(per_unit)


def scan(today: date | None = None) -> dict[str, Any]:
    """Bring every open clock's level in line with its dates; returns what changed.

    A second run on the same day changes nothing (every count is 0).
    """
    today = today or clocks.today()
    with transaction.atomic():
        # An extension (or a new warning share) moved the dates later: the level goes back
        # to normal (the alerts stay as history) and the steps below raise it where due.
        lowered = lower_levels(today)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The scan is idempotent: should a crash lose this commit, the next scan redoes it.
            # Not waiting for the WAL flush saves seconds when a backlog is raised at once.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        alarms, alarm_alerts = raise_level(ClockLevel.ALARM, today)
        warnings, warning_alerts = raise_level(ClockLevel.WARNING, today)
        notices = notify_units(today, {ClockLevel.ALARM: alarm_alerts, ClockLevel.WARNING: warning_alerts})
    written = sum(alarm_alerts.values()) + sum(warning_alerts.values())
    if connection.vendor == "postgresql" and lowered + alarms + warnings >= RESTAT_AFTER:
        # Many levels changed at once (a first scan, a calendar edit): refresh the statistics
        # now, or the planner keeps estimating the partial indexes as full and reads the
        # (status, due_date) index with the heap instead until autovacuum gets to it.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Clock._meta.db_table)}")
    return {
        "today": today.isoformat(),
        "lowered": lowered,
        "warnings": warnings,
        "alarms": alarms,
        "warning_alerts": sum(warning_alerts.values()),
        "alarm_alerts": sum(alarm_alerts.values()),
        "units_notified": notices,
        "changes": lowered + warnings + alarms + written + notices,
    }


def unit_recipients(organisation_ids: list[int]) -> dict[int, list[str]]:
    """E-mail addresses of each unit: the unit's own address, else its staff holding a role on it."""
    found: dict[int, list[str]] = defaultdict(list)
    for pk, email in (
        Organisation.objects.filter(pk__in=organisation_ids).exclude(email="").values_list("pk", "email")
    ):
        found[pk].append(email)
    staff = (
        RoleAssignment.objects.filter(organisation_id__in=organisation_ids, user__is_active=True)
        .exclude(user__email="")
        .order_by()
        .values_list("organisation_id", "user__email")
        .distinct()
    )
    for pk, email in staff:
        if pk not in found or email not in found[pk]:
            found.setdefault(pk, [])
            if email not in found[pk]:
                found[pk].append(email)
    return found


def notify_units(today: date, new_alerts: dict[str, dict[int, int]]) -> int:
    """One notice per unit about the alerts this scan wrote; returns the units notified."""
    org_ids = sorted(set().union(*(per_unit.keys() for per_unit in new_alerts.values())))
    if not org_ids:
        return 0
    recipients = unit_recipients(org_ids)
    units = Organisation.objects.in_bulk(org_ids)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("E-supervision: clocks of your unit need attention")
        for org_id in org_ids:
            body = _(
                "%(warnings)s case(s) reached the warning share of their time limit and %(alarms)s "
                "case(s) are overdue (scan of %(date)s). Open the supervision page to see them."
            ) % {"warnings": new_alerts.get(ClockLevel.WARNING, {}).get(org_id, 0),
                 "alarms": new_alerts.get(ClockLevel.ALARM, {}).get(org_id, 0), "date": today.isoformat()}  # fmt: skip
            unit = units[org_id]
            # The notice is about the unit itself; notify() files it under obj.organisation_id.
            unit.organisation_id = unit.pk  # type: ignore[attr-defined]
            for email in recipients.get(org_id, []):
                notify(obj=unit, subject=subject, body=body, email=email)
    return len(org_ids)


def scan_job() -> str:
    result = scan()
    return (
        f"warnings {result['warnings']}, alarms {result['alarms']}, lowered {result['lowered']}, "
        f"units notified {result['units_notified']}"
    )
