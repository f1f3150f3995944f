"""Writing and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from gongkai.audit.models import GENESIS_HASH, AuditEvent, ChainHead, content_type_for
from gongkai.core.actions import jsonable

SYSTEM = "system"


def _org_id_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == "orgs.Organisation":
        return obj.pk
    return getattr(obj, "organisation_id", None)


def record(
    *,
    actor: Any,
    verb: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    organisation: Any = None,
) -> AuditEvent:
    """Append one event. Must run inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside an action (a transaction)")
    head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    org_id = organisation.pk if isinstance(organisation, models.Model) else organisation
    event = AuditEvent(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor=actor_obj,
        actor_label=(actor_obj.get_username() if actor_obj else SYSTEM),
        verb=verb,
        content_type=content_type_for(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        organisation_id=org_id if org_id is not None else _org_id_of(obj),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
        prev_hash=head.last_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    ChainHead.objects.filter(id=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


def history(obj: models.Model) -> models.QuerySet[AuditEvent]:
    """Events about one object, newest first."""
    return AuditEvent.objects.filter(
        content_type=content_type_for(obj), object_id=str(obj.pk)
    ).select_related("actor", "organisation")


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str


def verify(batch_size: int = 2000) -> list[ChainProblem]:
    """Walk the chain in order; report edited, deleted or inserted events."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for event in _iter_events(batch_size):
        if event.seq != expected_seq:
            problems.append(
                ChainProblem(event.seq, f"events {expected_seq}–{event.seq - 1} are missing (deleted)")
                if event.seq > expected_seq
                else ChainProblem(event.seq, "sequence number out of order")
            )
        if event.prev_hash != expected_prev:
            problems.append(ChainProblem(event.seq, "link to the previous event is broken"))
        if event.compute_hash() != event.hash:
            problems.append(ChainProblem(event.seq, "content does not match its hash (edited)"))
        expected_prev = event.hash
        expected_seq = event.seq + 1
    head = ChainHead.objects.filter(id=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.last_seq != last_seq or head.last_hash != expected_prev):
        problems.append(
            ChainProblem(
                head.last_seq, f"the chain head records event {head.last_seq} but the log ends at {last_seq}"
            )
        )
    if head is None and last_seq > 0:
        problems.append(ChainProblem(None, "the chain head is missing"))
    return problems


def _iter_events(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def verify_job() -> str:
    import logging

    problems = verify()
    for p in problems:
        logging.getLogger("gongkai.audit").error("audit chain: event %s: %s", p.seq, p.message)
    return f"{len(problems)} problems" if problems else "chain intact"


def record_many(
    *,
    actor: Any,
    verb: str,
    objects: list[models.Model],
    after: list[dict[str, Any]] | None = None,
    reason: str = "",
) -> int:
    """Append one event per object in a single locked pass (bulk paths: imports, demo data)."""
    if not objects:
        return 0
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must be called inside an action (a transaction)")
    head, _ = ChainHead.objects.select_for_update().get_or_create(id=1)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    label = actor_obj.get_username() if actor_obj else SYSTEM
    ctype = content_type_for(objects[0])
    now = timezone.now()
    seq, prev = head.last_seq, head.last_hash
    events = []
    for i, obj in enumerate(objects):
        seq += 1
        event = AuditEvent(
            seq=seq, at=now, actor=actor_obj, actor_label=label, verb=verb, content_type=ctype,
            object_id=str(obj.pk), object_repr=str(obj)[:300], organisation_id=_org_id_of(obj),
            before=None, after=jsonable(after[i]) if after else None, reason=reason, prev_hash=prev,
        )  # fmt: skip
        event.hash = event.compute_hash()
        prev = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    ChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=prev)
    return len(events)
