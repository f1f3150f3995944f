"""Cards, notes and chase notices: supervisors and administrators in scope only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.notifications.models import Message
from gongkai.orgs.models import Role
from gongkai.supervision import actions
from gongkai.supervision.models import Card, CardColour, Chase, Note
from gongkai.supervision.policies import CardPolicy, NotePolicy, supervision_policy
from gongkai.workdays import clock as clocks
from tests import factories
from tests.supervision.helpers import MON, set_today, start

pytestmark = pytest.mark.django_db

OUTSIDERS = ["clerk_a", "clerk_b", "reviewer", "window", "other_admin", "citizen", "anonymous"]
INSIDERS = ["supervisor", "county_admin", "root"]


@pytest.fixture
def unit(world):
    return factories.make_org(
        actor=world.root, parent=world.county, name="攸县民政局", email="mz@example.com"
    )


@pytest.fixture
def clock(unit, monkeypatch):
    set_today(monkeypatch, date(2024, 3, 20))
    return start(unit, on=MON, label="民政-001")


@pytest.fixture
def other_supervisor(world):
    return factories.make_staff(actor=world.root, organisation=world.other_county, role=Role.SUPERVISOR,
                                username="other_supervisor")  # fmt: skip


@pytest.mark.parametrize("who", INSIDERS)
def test_supervisors_and_administrators_issue_and_withdraw_cards(world, unit, clock, who):
    actor = getattr(world, who)
    card = actions.issue_card(actor=actor, organisation=unit, colour=CardColour.YELLOW, reason=" 逾期未办结 ",
                              clock=clock)  # fmt: skip
    assert (card.reason, card.issued_by, card.issued_on, card.clock) == (
        "逾期未办结",
        actor,
        date(2024, 3, 20),
        clock,
    )
    assert AuditEvent.objects.filter(verb="supervision.issue_card").count() == 1
    assert Message.objects.filter(recipient="mz@example.com").count() == 1  # the unit is told
    card = actions.withdraw_card(actor=actor, card=card, reason="已整改")
    assert card.withdrawn_on == date(2024, 3, 20) and card.withdrawn_by == actor
    with pytest.raises(ActionError):
        actions.withdraw_card(actor=actor, card=card, reason="再次")


@pytest.mark.parametrize("who", OUTSIDERS + ["other_supervisor"])
def test_outsiders_cannot_issue_cards(world, unit, clock, other_supervisor, who):
    actor = other_supervisor if who == "other_supervisor" else getattr(world, who)
    with pytest.raises(PermissionDenied):
        actions.issue_card(actor=actor, organisation=unit, colour=CardColour.RED, reason="逾期")
    assert not Card.objects.exists()


@pytest.mark.parametrize("who", OUTSIDERS + ["other_supervisor"])
def test_outsiders_cannot_withdraw_cards(world, unit, other_supervisor, who):
    card = actions.issue_card(actor=world.supervisor, organisation=unit, colour=CardColour.RED, reason="逾期")
    actor = other_supervisor if who == "other_supervisor" else getattr(world, who)
    with pytest.raises(PermissionDenied):
        actions.withdraw_card(actor=actor, card=card, reason="撤销")
    card.refresh_from_db()
    assert card.withdrawn_on is None


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"colour": "green", "reason": "x"}, "colour"),
        ({"colour": CardColour.RED, "reason": "  "}, "reason"),
        ({"colour": CardColour.RED, "reason": "x" * 2001}, "reason"),
        ({"colour": CardColour.RED, "reason": "x", "on": date(2024, 3, 21)}, "on"),
    ],
)
def test_bad_card_input_changes_nothing(world, unit, clock, kwargs, field):
    with pytest.raises(ActionError) as err:
        actions.issue_card(actor=world.supervisor, organisation=unit, **kwargs)
    assert field in err.value.message_dict
    assert (
        not Card.objects.exists() and not AuditEvent.objects.filter(verb__startswith="supervision.").exists()
    )


def test_a_card_about_another_units_clock_is_refused(world, clock):
    with pytest.raises(ActionError) as err:
        actions.issue_card(
            actor=world.supervisor, organisation=world.unit_b, colour="red", reason="x", clock=clock
        )
    assert "clock" in err.value.message_dict
    assert not Card.objects.exists()


def test_withdrawal_needs_a_reason_and_a_date_after_issue(world, unit, monkeypatch):
    set_today(monkeypatch, date(2024, 3, 20))
    card = actions.issue_card(actor=world.supervisor, organisation=unit, colour="yellow", reason="x")
    for kwargs in ({"reason": ""}, {"reason": "ok", "on": date(2024, 3, 19)}):
        with pytest.raises(ActionError):
            actions.withdraw_card(actor=world.supervisor, card=card, **kwargs)
    card.refresh_from_db()
    assert card.withdrawn_on is None


@pytest.mark.parametrize("who", INSIDERS)
def test_notes_and_chases_by_supervisors(world, unit, clock, who):
    actor = getattr(world, who)
    note = actions.add_note(actor=actor, clock=clock, text="请于三日内办结")
    assert note.written_by == actor and note.clock == clock
    staff = factories.make_staff(actor=world.root, organisation=unit, role=Role.CLERK, username="mz_clerk")
    staff.email = "clerk@example.com"
    staff.save()
    chase = actions.chase_clock(actor=actor, clock=clock, note="请尽快办结")
    assert chase.recipients == 2  # the unit's address and its clerk
    assert set(Message.objects.filter(subject__contains="民政-001").values_list("recipient", flat=True)) == {
        "mz@example.com",
        "clerk@example.com",
    }
    assert set(AuditEvent.objects.filter(verb__in=["supervision.add_note", "supervision.chase_clock"])
               .values_list("verb", flat=True)) == {"supervision.add_note", "supervision.chase_clock"}  # fmt: skip


@pytest.mark.parametrize("who", OUTSIDERS + ["other_supervisor"])
def test_outsiders_cannot_note_or_chase(world, clock, other_supervisor, who):
    actor = other_supervisor if who == "other_supervisor" else getattr(world, who)
    with pytest.raises(PermissionDenied):
        actions.add_note(actor=actor, clock=clock, text="x")
    with pytest.raises(PermissionDenied):
        actions.chase_clock(actor=actor, clock=clock, note="x")
    assert not Note.objects.exists() and not Chase.objects.exists() and not Message.objects.exists()


def test_bad_note_and_chase_input_changes_nothing(world, clock):
    with pytest.raises(ActionError):
        actions.add_note(actor=world.supervisor, clock=clock, text="  ")
    with pytest.raises(ActionError):
        actions.chase_clock(actor=world.supervisor, clock=clock, note="")
    clocks.close_clock(actor=None, clock=clock, on=date(2024, 3, 20))
    clock.refresh_from_db()
    with pytest.raises(ActionError):
        actions.chase_clock(actor=world.supervisor, clock=clock, note="请办结")
    assert not Note.objects.exists() and not Chase.objects.exists() and not Message.objects.exists()


def test_list_and_object_checks_agree(world, unit, clock, other_supervisor):
    card = actions.issue_card(
        actor=world.supervisor, organisation=unit, colour="yellow", reason="x", clock=clock
    )
    other = actions.issue_card(actor=world.supervisor, organisation=world.unit_b, colour="red", reason="y")
    note = actions.add_note(actor=world.supervisor, clock=clock, text="n")
    clerk = factories.make_staff(actor=world.root, organisation=unit, role=Role.CLERK, username="mz_clerk")
    people = [getattr(world, n) for n in INSIDERS + OUTSIDERS] + [other_supervisor, clerk]
    for user in people:
        for policy, objs in ((CardPolicy(), [card, other]), (NotePolicy(), [note])):
            listed = set(policy.visible_to(user).values_list("pk", flat=True))
            assert listed == {o.pk for o in objs if policy.can(user, "view", o)}, user
        assert supervision_policy.can(user, "supervise", clock) == (user in people[:3]), user
    # The carded unit's own clerk sees its card, not the other unit's, and cannot see notes.
    assert CardPolicy().can(clerk, "view", card) and not CardPolicy().can(clerk, "view", other)
    assert not NotePolicy().can(clerk, "view", note)


def test_cards_cannot_be_dated_in_the_future(world, unit, monkeypatch):
    set_today(monkeypatch, date(2024, 3, 20))
    with pytest.raises(ActionError):
        actions.issue_card(actor=world.supervisor, organisation=unit, colour="yellow", reason="x",
                           on=date(2024, 3, 20) + timedelta(days=1))  # fmt: skip
