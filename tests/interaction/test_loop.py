"""The closed loop of a letter: triage, assign, return, re-assign, reply, approve, publish, rate."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.core.actions import ActionError
from gongkai.interaction import actions
from gongkai.interaction.models import Letter, LetterStatus
from gongkai.interaction.policies import LetterPolicy
from tests import factories
from tests.interaction.conftest import LETTER


def test_the_whole_loop_with_a_wrong_assignment(world, channels, category) -> None:
    letter, code = actions.submit_letter(actor=None, channel=channels["mailbox"], category=category, **LETTER)
    assert letter.status == LetterStatus.RECEIVED and letter.case_number.startswith("HD")
    actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
    actions.assign_letter(
        actor=world.reviewer, letter=letter, lead_unit=world.unit_b, assist_units=[world.township]
    )
    letter.refresh_from_db()
    assert LetterPolicy().can(world.clerk_b, "draft", letter)
    assert not LetterPolicy().can(world.clerk_a, "view_office", letter)
    actions.return_letter(actor=world.clerk_b, letter=letter, reason="道路维修不属于教育局职责")
    with pytest.raises(PermissionDenied):
        actions.draft_letter_reply(actor=world.clerk_b, letter=letter, text="x" * 20)
    actions.assign_letter(actor=world.reviewer, letter=letter, lead_unit=world.unit_a)
    actions.draft_letter_reply(
        actor=world.clerk_a, letter=letter, text="经核实，该路段已列入今年维修计划，将于下月施工。"
    )
    with pytest.raises(PermissionDenied):
        actions.approve_reply(actor=world.clerk_a, letter=letter)
    actions.approve_reply(actor=world.reviewer, letter=letter, publish=True)
    letter.refresh_from_db()
    assert (letter.status, letter.reply_unit, letter.on_time, letter.published) == (
        LetterStatus.CLOSED, world.unit_a, True, True,
    )  # fmt: skip
    assert "刘建国" not in letter.public_body and "13907331001" not in letter.public_body
    assert list(letter.assignments.values_list("unit_id", "returned_on")) == [
        (world.unit_b.pk, date.today()), (world.township.pk, None), (world.unit_a.pk, None),
    ]  # fmt: skip
    with pytest.raises(ActionError):
        actions.rate_letter(actor=None, letter=letter, rating="satisfied", tracking_code="WRONGWRONG")
    actions.rate_letter(actor=None, letter=letter, rating="not", tracking_code=code)
    with pytest.raises(ActionError):
        actions.rate_letter(actor=None, letter=letter, rating="satisfied", tracking_code=code)
    actions.reopen_letter(actor=world.reviewer, letter=letter, reason="写信人不满意，要求明确施工时间")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ASSIGNED and letter.reopened == 1


def test_a_call_answered_on_the_spot_closes_at_once(world, channels, category) -> None:
    letter, _ = actions.register_letter(actor=world.reviewer, channel=channels["hotline"], category=category,
                                        answered_on_spot="已告知办理地点和所需材料。", **LETTER)  # fmt: skip
    assert (letter.status, letter.valid, letter.answered_on_spot, letter.on_time) == (
        "closed",
        True,
        True,
        True,
    )


def test_a_forwarded_case_counts_from_the_forwarding_date_with_their_limit(world, channels, category) -> None:
    letter, _ = actions.register_letter(
        actor=world.reviewer, channel=channels["forwarded"], category=category, received_on=date(2025, 9, 29),
        external_number="12345-2025-0931", forwarded_on=date(2025, 9, 26), external_limit_days=5, **LETTER,
    )  # fmt: skip
    actions.triage_letter(actor=world.reviewer, letter=letter, valid=True, on=date(2025, 9, 29))
    letter.refresh_from_db()
    assert letter.clock.start_date == date(2025, 9, 26)
    assert letter.clock.due_date == date(2025, 10, 10)  # 9/28 and 10/11 worked; 10/1–10/8 off


def test_invalid_letters_and_duplicates_are_not_counted(world, channels, category) -> None:
    first, _ = actions.submit_letter(actor=None, channel=channels["mailbox"], category=category, **LETTER)
    second, _ = actions.submit_letter(actor=None, channel=channels["mailbox"], category=category, **LETTER)
    with pytest.raises(ActionError):
        actions.triage_letter(actor=world.reviewer, letter=second, valid=False, reason="duplicate")
    actions.triage_letter(
        actor=world.reviewer, letter=second, valid=False, reason="duplicate", duplicate_of=first
    )
    second.refresh_from_db()
    assert (second.status, second.duplicate_of) == ("invalid", first)


def test_bad_letters_change_nothing(world, channels, category) -> None:
    for body in ("", "x" * 50_000):
        with pytest.raises(ActionError) as err:
            actions.submit_letter(
                actor=None, channel=channels["mailbox"], category=category, **{**LETTER, "body": body}
            )
        assert "body" in err.value.message_dict
    script = {**LETTER, "body": "<script>alert(1)</script> 道路破损请维修，谢谢。"}
    letter, _ = actions.submit_letter(actor=None, channel=channels["mailbox"], category=category, **script)
    assert letter.body.startswith("<script>")  # stored as text; pages escape it
    actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
    other_gov_unit = factories.make_org(actor=world.root, parent=world.other_county, name="茶陵县交通局")
    with pytest.raises(ActionError) as err:
        actions.assign_letter(actor=world.reviewer, letter=letter, lead_unit=other_gov_unit)
    assert "lead_unit" in err.value.message_dict
    assert Letter.objects.count() == 1


def test_outsiders_see_nothing(world, channels, category) -> None:
    letter, _ = actions.submit_letter(actor=None, channel=channels["mailbox"], category=category, **LETTER)
    policy = LetterPolicy()
    for outsider in (
        world.clerk_a,
        world.clerk_b,
        world.window,
        world.other_admin,
        world.citizen,
        world.anonymous,
    ):
        assert not policy.can(outsider, "view", letter) and letter not in policy.visible_to(outsider)
    for insider in (world.reviewer, world.supervisor, world.county_admin):
        assert policy.can(insider, "view", letter) and letter in policy.visible_to(insider)
    with pytest.raises(PermissionDenied):
        actions.triage_letter(actor=world.clerk_a, letter=letter, valid=True)


def test_yearly_figures_per_kind_of_channel(world, channels, category) -> None:
    from gongkai.interaction import stats

    a, _ = actions.submit_letter(actor=None, channel=channels["mailbox"], category=category, **LETTER)
    b, _ = actions.submit_letter(actor=None, channel=channels["mailbox"], category=category, **LETTER)
    actions.triage_letter(actor=world.reviewer, letter=a, valid=True)
    actions.triage_letter(actor=world.reviewer, letter=b, valid=False, reason="spam")
    actions.assign_letter(actor=world.reviewer, letter=a, lead_unit=world.unit_a)
    actions.draft_letter_reply(actor=world.clerk_a, letter=a, text="已安排维修，预计本月完工，感谢监督。")
    actions.approve_reply(actor=world.reviewer, letter=a)
    actions.register_letter(actor=world.reviewer, channel=channels["hotline"], category=category,
                            answered_on_spot="已当场解答。", **LETTER)  # fmt: skip
    figures = stats.yearly(a.received_on.year, [world.county.pk])
    assert figures["mailbox"] == {"received": 2, "valid": 1, "completed": 1, "on_time": 1, "on_the_spot": 0,
                                  "published": 0}  # fmt: skip
    assert figures["hotline"]["on_the_spot"] == 1 and figures["hotline"]["completed"] == 1


def test_a_limit_set_on_assignment_moves_the_due_date(world, channels, category) -> None:
    letter, _ = actions.register_letter(actor=world.reviewer, channel=channels["mailbox"], category=category,
                                        received_on=date(2025, 9, 26), **LETTER)  # fmt: skip
    actions.triage_letter(actor=world.reviewer, letter=letter, valid=True, on=date(2025, 9, 26))
    actions.assign_letter(actor=world.reviewer, letter=letter, lead_unit=world.unit_a,
                          assist_units=[world.unit_b, world.township], limit_days=5, on=date(2025, 9, 26))  # fmt: skip
    letter.refresh_from_db()
    assert letter.clock.limit_days == 5 and letter.clock.due_date == date(2025, 10, 10)
    assert list(LetterPolicy().visible_to(world.reviewer)).count(letter) == 1


def test_letters_due_soon_or_overdue_are_chased_once_a_day(world, channels, category) -> None:
    from gongkai.notifications.models import Message
    from gongkai.orgs.actions import update_organisation

    update_organisation(actor=world.root, organisation=world.unit_a, email="caizheng@example.gov.cn")
    letter, _ = actions.register_letter(actor=world.reviewer, channel=channels["hotline"], category=category,
                                        received_on=date(2025, 9, 26), **LETTER)  # fmt: skip
    actions.triage_letter(actor=world.reviewer, letter=letter, valid=True, on=date(2025, 9, 26))
    actions.assign_letter(actor=world.reviewer, letter=letter, lead_unit=world.unit_a, on=date(2025, 9, 26))
    letter.refresh_from_db()
    assert letter.clock.due_date == date(2025, 10, 10)
    assert actions.chase_due_letters(as_of=date(2025, 10, 8)) == 0  # two working days left
    assert actions.chase_due_letters(as_of=date(2025, 10, 9)) == 1
    assert actions.chase_due_letters(as_of=date(2025, 10, 9)) == 0  # once a day
    assert actions.chase_due_letters(as_of=date(2025, 10, 13)) == 1  # overdue
    letter.refresh_from_db()
    assert letter.chase_count == 2
    assert Message.objects.filter(recipient="caizheng@example.gov.cn").count() == 2
