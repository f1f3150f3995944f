"""决策公开: a draft decision through comment, moderation and feedback; hearings; the year's counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.interaction import actions_decisions as actions
from gongkai.interaction.models import Comment, DraftDecision, Hearing
from gongkai.interaction.policies_decisions import CommentPolicy, DraftDecisionPolicy, HearingPolicy

DRAFT = {
    "title": "攸县城区停车管理办法（征求意见稿）",
    "summary": "规范城区道路停车，征求社会公众意见。",
    "body": "第一条 为规范城区停车秩序，制定本办法。\n第二条 本办法适用于县城规划区内的道路停车。",
    "major": True,
}


def _open(world, decision, days: int = 30, actor=None):
    start = date.today()
    return actions.open_for_comment(
        actor=actor or world.reviewer,
        decision=decision,
        opens_on=start,
        closes_on=start + timedelta(days=days),
    )


@pytest.fixture
def decision(world) -> DraftDecision:
    return actions.create_decision(actor=world.county_admin, organisation=world.county, **DRAFT)


def test_the_whole_workflow(world, decision, monkeypatch) -> None:
    assert decision.status == "draft"
    assert not DraftDecisionPolicy().can(world.anonymous, "view", decision)
    actions.update_decision(actor=world.reviewer, decision=decision, summary="规范城区道路和公共停车场停车。")
    with pytest.raises(ActionError):  # not open yet
        actions.submit_comment(actor=None, decision=decision, text="建议增加夜间免费停车时段。")
    decision = _open(world, decision)
    assert (decision.status, decision.published_at is not None) == ("open", True)
    assert DraftDecisionPolicy().can(world.anonymous, "view", decision)
    with pytest.raises(ActionError):  # the text is fixed once published for comment
        actions.update_decision(actor=world.reviewer, decision=decision, title="另一个标题")

    kept = actions.submit_comment(
        actor=None, decision=decision, name="刘建国", contact="13907331001",
        text="建议增加夜间免费停车时段，我是刘建国，电话13907331001。",
    )  # fmt: skip
    spam = actions.submit_comment(actor=world.citizen, decision=decision, text="广告广告广告")
    third = actions.submit_comment(actor=None, decision=decision, text="收费标准应当听证。")
    assert kept.status == "pending"
    assert not CommentPolicy().can(world.anonymous, "view", kept)
    with pytest.raises(ActionError):
        actions.submit_comment(actor=None, decision=decision, text="短")
    with pytest.raises(ActionError):
        actions.submit_comment(actor=None, decision=decision, text="长" * 3001)

    actions.moderate_comment(actor=world.reviewer, comment=kept, publish=True)
    actions.moderate_comment(actor=world.reviewer, comment=third, publish=True)
    with pytest.raises(ActionError):  # a rejection needs a reason
        actions.moderate_comment(actor=world.reviewer, comment=spam, publish=False)
    actions.moderate_comment(actor=world.reviewer, comment=spam, publish=False, reason="广告")
    public = list(CommentPolicy().visible_to(world.anonymous).order_by("pk"))
    assert public == [kept, third]
    kept.refresh_from_db()
    assert kept.public_name == "刘**"
    assert "刘建国" not in kept.public_text and "13907331001" not in kept.public_text

    with pytest.raises(ActionError):  # early closure needs a reason
        actions.close_comments(actor=world.reviewer, decision=decision)
    with pytest.raises(ActionError):  # not before the period is closed
        actions.publish_feedback(actor=world.reviewer, decision=decision, summary="x", adopted=1)
    monkeypatch.setattr(actions, "today", lambda: date.today() + timedelta(days=31))
    actions.close_comments(actor=world.reviewer, decision=decision)
    with pytest.raises(ActionError):  # more accounted for than received
        actions.publish_feedback(actor=world.reviewer, decision=decision, summary="采纳情况", adopted=3)
    with pytest.raises(ActionError):  # not adopted without a reason
        actions.publish_feedback(actor=world.reviewer, decision=decision, summary="采纳情况", adopted=1,
                                 not_adopted=1)  # fmt: skip
    decision = actions.publish_feedback(
        actor=world.reviewer, decision=decision, summary="共收到意见2条，采纳1条。", adopted=1, not_adopted=1,
        not_adopted_reasons="收费标准按价格法规定另行组织听证。",
    )  # fmt: skip
    assert (decision.status, decision.comments_received, decision.adopted, decision.not_adopted) == (
        "feedback", 2, 1, 1,
    )  # fmt: skip
    verbs = set(AuditEvent.objects.filter(verb__startswith="interaction.").values_list("verb", flat=True))
    assert {
        "interaction.open_for_comment",
        "interaction.moderate_comment",
        "interaction.publish_feedback",
    } <= verbs
    assert not AuditEvent.objects.filter(after__icontains="13907331001").exists()


def test_a_comment_outside_the_period_is_refused(world, decision, monkeypatch) -> None:
    start = date.today() + timedelta(days=3)
    actions.open_for_comment(actor=world.reviewer, decision=decision, opens_on=start,
                             closes_on=start + timedelta(days=10))  # fmt: skip
    with pytest.raises(ActionError):  # before it opens
        actions.submit_comment(actor=None, decision=decision, text="提前提交的意见。")
    monkeypatch.setattr(actions, "today", lambda: start + timedelta(days=11))
    with pytest.raises(ActionError):  # after it closes, even if nobody closed it
        actions.submit_comment(actor=None, decision=decision, text="逾期提交的意见。")
    monkeypatch.setattr(actions, "today", lambda: start + timedelta(days=10))
    actions.submit_comment(actor=None, decision=decision, text="最后一天提交的意见。")
    assert Comment.objects.count() == 1


def test_the_period_must_last_at_least_a_day(world, decision) -> None:
    for closes in (date.today(), date.today() - timedelta(days=1)):
        with pytest.raises(ActionError):
            actions.open_for_comment(actor=world.reviewer, decision=decision, opens_on=date.today(),
                                     closes_on=closes)  # fmt: skip
    decision.refresh_from_db()
    assert decision.status == "draft"


def test_outsiders_are_refused(world, decision) -> None:
    # The other county's administrator and a clerk of another unit may not touch the county's decision.
    for outsider in (world.other_admin, world.clerk_b):
        with pytest.raises(PermissionDenied):
            actions.update_decision(actor=outsider, decision=decision, title="改")
        with pytest.raises(PermissionDenied):
            actions.open_for_comment(actor=outsider, decision=decision, opens_on=date.today(),
                                     closes_on=date.today() + timedelta(days=7))  # fmt: skip
        with pytest.raises(PermissionDenied):
            actions.create_decision(actor=outsider, organisation=world.county, **DRAFT)
        with pytest.raises(PermissionDenied):
            actions.create_hearing(actor=outsider, organisation=world.county, title="听证会", date=date.today(),
                                   place="县政府三楼会议室")  # fmt: skip
    # A clerk works on drafts but does not publish them for comment.
    with pytest.raises(PermissionDenied):
        actions.open_for_comment(actor=world.clerk_a, decision=decision, opens_on=date.today(),
                                 closes_on=date.today() + timedelta(days=7))  # fmt: skip
    # A clerk of unit B prepares the unit's own drafts.
    own = actions.create_decision(actor=world.clerk_b, organisation=world.unit_b, **DRAFT)
    assert DraftDecisionPolicy().can(world.reviewer, "approve", own)  # reviewers reach the units below
    assert not DraftDecisionPolicy().can(world.clerk_a, "view", own)
    _open(world, decision)
    comment = actions.submit_comment(actor=None, decision=decision, text="建议延长征求意见期。")
    for outsider in (world.other_admin, world.clerk_b, world.clerk_a):
        with pytest.raises(PermissionDenied):
            actions.moderate_comment(actor=outsider, comment=comment, publish=True)


def test_who_sees_what(world, decision) -> None:
    opened = _open(world, actions.create_decision(actor=world.reviewer, organisation=world.county, **DRAFT))
    pending = actions.submit_comment(
        actor=None, decision=opened, text="一条待审核的意见。", contact="x@example.com"
    )
    planned = actions.create_hearing(actor=world.reviewer, organisation=world.county, title="停车收费听证会",
                                     date=date.today() + timedelta(days=5), place="县政府三楼会议室")  # fmt: skip
    for user, decisions, comments, hearings in (
        (world.anonymous, {opened}, set(), set()),
        (world.citizen, {opened}, set(), set()),
        (world.other_admin, {opened}, set(), set()),
        (world.clerk_b, {opened}, set(), set()),
        (world.county_admin, {decision, opened}, {pending}, {planned}),
        (world.reviewer, {decision, opened}, {pending}, {planned}),
        (world.root, {decision, opened}, {pending}, {planned}),
    ):
        for policy, objects, expected in (
            (DraftDecisionPolicy(), DraftDecision.objects.all(), decisions),
            (CommentPolicy(), Comment.objects.all(), comments),
            (HearingPolicy(), Hearing.objects.all(), hearings),
        ):
            assert set(policy.visible_to(user)) == expected, (user, policy)
            assert {o for o in objects if policy.can(user, "view", o)} == expected, (user, policy)


def test_hearings(world, decision) -> None:
    other = actions.create_decision(actor=world.other_admin, organisation=world.other_county, **DRAFT)
    with pytest.raises(ActionError):  # a decision of another government
        actions.create_hearing(actor=world.reviewer, organisation=world.county, title="听证会", date=date.today(),
                               place="县政府", decision=other)  # fmt: skip
    hearing = actions.create_hearing(
        actor=world.reviewer, organisation=world.county, title="停车收费听证会",
        date=date.today() + timedelta(days=3), place="县政府三楼会议室", decision=decision,
    )  # fmt: skip
    assert not HearingPolicy().can(world.anonymous, "view", hearing)
    with pytest.raises(ActionError):  # not held yet: the date is in the future
        actions.record_hearing(actor=world.reviewer, hearing=hearing, record="记录", outcome="结论")
    with pytest.raises(ActionError):
        actions.record_hearing(actor=world.reviewer, hearing=hearing, record="", outcome="结论",
                               held_on=date.today())  # fmt: skip
    hearing = actions.record_hearing(actor=world.reviewer, hearing=hearing, record="听证参加人12名，发言8人。",
                                     outcome="多数意见赞成分时段收费。", held_on=date.today())  # fmt: skip
    assert hearing.status == "held" and HearingPolicy().can(world.anonymous, "view", hearing)
    with pytest.raises(ActionError):
        actions.record_hearing(
            actor=world.reviewer, hearing=hearing, record="x", outcome="y", held_on=date.today()
        )


def test_counts_for_a_year(world, decision) -> None:
    year = date.today().year
    ids = [world.county.pk, world.unit_a.pk, world.unit_b.pk, world.township.pk]
    _open(world, decision)
    minor = dict(DRAFT, major=False)
    _open(world, actions.create_decision(actor=world.reviewer, organisation=world.unit_a, **minor))
    actions.create_decision(actor=world.reviewer, organisation=world.county, **DRAFT)  # never opened
    abroad = _open(
        world,
        actions.create_decision(actor=world.other_admin, organisation=world.other_county, **DRAFT),
        actor=world.other_admin,
    )
    for text in ("意见一：建议延长时间。", "意见二：建议降低收费。"):
        actions.submit_comment(actor=None, decision=decision, text=text)
    rejected = actions.submit_comment(actor=None, decision=decision, text="广告广告广告")
    actions.moderate_comment(actor=world.reviewer, comment=rejected, publish=False, reason="广告")
    actions.submit_comment(actor=None, decision=abroad, text="别县的意见。")
    this_year = actions.create_hearing(actor=world.reviewer, organisation=world.county, title="听证会一",
                                       date=date.today(), place="县政府")  # fmt: skip
    actions.record_hearing(actor=world.reviewer, hearing=this_year, record="记录", outcome="结论")
    last_year = actions.create_hearing(actor=world.reviewer, organisation=world.county, title="听证会二",
                                       date=date(year - 1, 6, 1), place="县政府")  # fmt: skip
    actions.record_hearing(actor=world.reviewer, hearing=last_year, record="记录", outcome="结论")
    actions.create_hearing(actor=world.reviewer, organisation=world.county, title="听证会三",
                           date=date.today(), place="县政府")  # planned only  # fmt: skip
    assert actions.decision_counts(year, ids) == {
        "decisions_published": 2, "major_decisions": 1, "comments": 2, "hearings": 1,
    }  # fmt: skip
    assert actions.decision_counts(year - 1, ids) == {
        "decisions_published": 0, "major_decisions": 0, "comments": 0, "hearings": 1,
    }  # fmt: skip
