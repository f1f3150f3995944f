"""The periodic supervision scan: raise clocks to warning or alarm, lower them when dates move.

Set-based and idempotent: a few UPDATEs and INSERT ... SELECT statements driven by the
(level, status, date) indexes of the clock, whatever the number of clocks. Alerts are
unique per clock and level and inserted with ON CONFLICT DO NOTHING, and each level change
is a conditional UPDATE, so two scans at once (two workers) never raise a clock twice or
write an alert twice; the unit's notice is claimed by a conditional UPDATE of the alerts'
``notified_on`` so it goes out once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from gongkai.notifications.send import notify
from gongkai.orgs.models import Organisation, RoleAssignment
from gongkai.supervision.models import Alert
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import Clock, ClockLevel, ClockStatus

OPEN = (ClockStatus.RUNNING, ClockStatus.PAUSED)


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


def _insert_alerts(clocks_qs: QuerySet[Clock], level: str, today: date) -> int:
    """INSERT ... SELECT one alert per clock of ``clocks_qs``; existing ones are left alone."""
    rows = clocks_qs.order_by("pk").values(s_clock=F("pk"), s_org=F("organisation_id"), s_kind=F("kind"))
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(Alert._meta.db_table)
    # "WHERE true" keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
    sql = (
        f"INSERT INTO {table} (clock_id, organisation_id, kind, level, raised_on, notified_on) "  # noqa: S608
        f"SELECT s.s_clock, s.s_org, s.s_kind, %s, %s, NULL FROM ({select}) s WHERE true "
        "ON CONFLICT (clock_id, level) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [level, today, *params])
        return max(cursor.rowcount, 0)


def scan(today: date | None = None) -> dict[str, Any]:
    """Bring every open clock's level in line with its dates; returns what changed.

    A second run on the same day changes nothing (every count is 0).
    """
    today = today or clocks.today()
    with transaction.atomic():
        # An extension (or a new warning share) moved the dates later: the level goes back
        # to normal (the alerts stay as history) and the steps below raise it where due.
        lowered = to_lower_from_alarm(today).update(level=ClockLevel.NORMAL)
        lowered += to_lower_from_warning(today).update(level=ClockLevel.NORMAL)
    with transaction.atomic():
        alarm_alerts = _insert_alerts(to_alarm(today), ClockLevel.ALARM, today)
        alarms = to_alarm(today).update(level=ClockLevel.ALARM)
    with transaction.atomic():
        warning_alerts = _insert_alerts(to_warning(today), ClockLevel.WARNING, today)
        warnings = to_warning(today).update(level=ClockLevel.WARNING)
    notices = notify_units(today)
    return {
        "today": today.isoformat(),
        "lowered": lowered,
        "warnings": warnings,
        "alarms": alarms,
        "warning_alerts": warning_alerts,
        "alarm_alerts": alarm_alerts,
        "units_notified": notices,
        "changes": lowered + warnings + alarms + warning_alerts + alarm_alerts + notices,
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


def _claim_pending(today: date) -> dict[int, dict[str, int]]:
    """Mark every alert not yet notified as notified today; the claimed counts per unit and level.

    One UPDATE ... RETURNING: a concurrent scan's UPDATE waits for this one and then finds
    nothing left to claim, so each alert is announced by exactly one scan.
    """
    table = connection.ops.quote_name(Alert._meta.db_table)
    update = f"UPDATE {table} SET notified_on = %s WHERE notified_on IS NULL RETURNING organisation_id, level"
    claimed: dict[int, dict[str, int]] = defaultdict(lambda: {ClockLevel.WARNING: 0, ClockLevel.ALARM: 0})
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # counted by the database
            cursor.execute(
                f"WITH claimed AS ({update}) SELECT organisation_id, level, count(*) FROM claimed "
                "GROUP BY organisation_id, level",
                [today],
            )
            for org_id, level, count in cursor.fetchall():
                claimed[org_id][level] += count
        else:
            cursor.execute(update, [today])
            while rows := cursor.fetchmany(5000):
                for org_id, level in rows:
                    claimed[org_id][level] += 1
    return claimed


def notify_units(today: date) -> int:
    """One notice per unit for the alerts no scan has notified yet; returns the units notified."""
    with transaction.atomic():
        claimed = _claim_pending(today)
        if not claimed:
            return 0
        recipients = unit_recipients(list(claimed))
        units = Organisation.objects.in_bulk(list(claimed))
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("E-supervision: clocks of your unit need attention")
            for org_id in sorted(claimed):
                counts = claimed[org_id]
                body = _(
                    "%(warnings)s case(s) reached the warning share of their time limit and %(alarms)s "
                    "case(s) are overdue (scan of %(date)s). Open the supervision page to see them."
                ) % {"warnings": counts[ClockLevel.WARNING], "alarms": counts[ClockLevel.ALARM],
                     "date": today.isoformat()}  # fmt: skip
                unit = units[org_id]
                # The notice is about the unit itself; notify() files it under obj.organisation_id.
                unit.organisation_id = unit.pk  # type: ignore[attr-defined]
                for email in recipients.get(org_id, []):
                    notify(obj=unit, subject=subject, body=body, email=email)
    return len(claimed)


def scan_job() -> str:
    result = scan()
    return (
        f"warnings {result['warnings']}, alarms {result['alarms']}, lowered {result['lowered']}, "
        f"units notified {result['units_notified']}"
    )
