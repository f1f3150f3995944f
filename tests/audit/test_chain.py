"""The audit log is append-only and hash-chained: tampering is detected."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from gongkai.audit.log import record, verify
from gongkai.audit.models import AuditEvent, ChainHead
from gongkai.orgs.actions import update_organisation

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list) -> None:
    # Tampering happens behind the application's back, so use SQL directly.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_fresh_chain_verifies(world):
    assert AuditEvent.objects.count() > 10
    assert verify() == []
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()


def test_events_are_numbered_without_gaps_and_linked(world):
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [s for s, _, _ in seqs] == list(range(1, len(seqs) + 1))
    for (_, _, h), (_, prev, _) in zip(seqs, seqs[1:], strict=False):
        assert prev == h
    head = ChainHead.objects.get()
    assert head.last_seq == len(seqs) and head.last_hash == seqs[-1][2]


def test_an_edited_event_is_detected(world):
    event = AuditEvent.objects.filter(verb="orgs.create_organisation").order_by("seq")[1]
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET object_repr = %s WHERE id = %s", ["篡改", event.pk])
    problems = verify()
    assert [p.seq for p in problems] == [event.seq]
    assert "edited" in problems[0].message
    with pytest.raises(CommandError, match="broken"):
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())


def test_a_deleted_event_is_detected(world):
    event = AuditEvent.objects.order_by("seq")[3]
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk])
    messages = " ".join(p.message for p in verify())
    assert "missing" in messages and "broken" in messages


def test_deleting_the_newest_event_is_detected_through_the_head(world):
    event = AuditEvent.objects.order_by("-seq").first()
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk])
    assert any("chain head" in p.message for p in verify())


def test_a_rewritten_before_value_is_detected(world):
    update_organisation(actor=world.root, organisation=world.unit_a, name="攸县财政局（改）", reason="更名")
    event = AuditEvent.objects.get(verb="orgs.update_organisation")
    assert event.before == {"name": "攸县财政局"} and event.after == {"name": "攸县财政局（改）"}
    assert event.reason == "更名" and event.actor == world.root
    _raw(
        f"UPDATE {AuditEvent._meta.db_table} SET before = %s WHERE id = %s",
        ['{"name": "别的名字"}', event.pk],
    )
    assert [p.seq for p in verify()] == [event.seq]


def test_the_model_refuses_updates_and_deletes(world):
    event = AuditEvent.objects.first()
    event.reason = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_recording_outside_a_transaction_is_refused(world):
    # Autocommit mode inside a test still runs in the test's atomic block, so check the guard directly.
    with transaction.atomic():
        record(actor=None, verb="test.system", obj=world.county, reason="ok")
    assert AuditEvent.objects.filter(verb="test.system", actor__isnull=True, actor_label="system").exists()
