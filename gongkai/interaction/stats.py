"""Figures of a year's letters and calls, per kind of channel, for the annual report (RULES §4.3 咨询处理情况).

Definitions (configuration-independent, shown beside the figures where they are printed):
received = every letter or call of the year; valid = accepted at triage (invalid ones — spam,
duplicates, abuse, out of scope, petitions — are not counted further); completed = valid and
closed with a reply, including calls answered on the spot; on time = completed within the
time limit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from gongkai.interaction.models import Letter, LetterStatus

DEFINITIONS = {
    "received": "every letter or call received in the year",
    "valid": "accepted at triage; spam, duplicates, abusive, out-of-scope letters and petitions are not counted",
    "completed": "valid and closed with a reply, including calls answered on the spot",
    "on_time": "completed within the channel's (or the higher hotline's) time limit",
    "on_the_spot": "calls answered and closed during the call",
}


def yearly(year: int, organisations: Iterable[int] | None = None) -> dict[str, dict[str, int]]:
    """{channel kind: {received, valid, completed, on_time, on_the_spot, published}} for one year."""
    qs = Letter.objects.filter(received_on__year=year)
    if organisations is not None:
        qs = qs.filter(organisation_id__in=list(organisations))
    completed = Q(valid=True, status=LetterStatus.CLOSED) & ~Q(reply="")
    # Annotation names must not shadow fields the filters use (valid, published).
    rows = qs.values("channel__kind").annotate(
        n_received=Count("pk"),
        n_valid=Count("pk", filter=Q(valid=True)),
        n_completed=Count("pk", filter=completed),
        n_on_time=Count("pk", filter=completed & Q(on_time=True)),
        n_on_the_spot=Count("pk", filter=Q(answered_on_spot=True)),
        n_published=Count("pk", filter=Q(published=True)),
    )
    return {row["channel__kind"]: {k[2:]: v for k, v in row.items() if k.startswith("n_")} for row in rows}
