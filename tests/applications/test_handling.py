"""Intake, replies, fees, withdrawal and who may see what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.applications import actions, actions_base, actions_replies
from gongkai.applications.models import Application, FeeStatus, Status
from gongkai.applications.policies import ApplicationPolicy
from gongkai.core.actions import ActionError
from gongkai.notifications.models import Message


def test_an_online_application_waits_for_confirmation_then_counts_from_that_day(world, person) -> None:
    app, code = actions.submit_application(
        actor=None, organisation=world.unit_a, submission_key="k1", **person
    )
    assert app.status == Status.PENDING and app.clock is None and app.received_on is None
    assert app.case_number.startswith("YSQ") and len(code) == 10
    assert actions_base.find_by_tracking(app.case_number, code) == app
    assert actions_base.find_by_tracking(app.case_number, "WRONGCODE1") is None
    actions.confirm_receipt(actor=world.reviewer, application=app)
    app.refresh_from_db()
    assert app.status == Status.PROCESSING and app.received_on == app.confirmed_on
    assert app.letters.filter(kind="acknowledgement").exists()
    assert Message.objects.filter(topic=f"applications.application:{app.pk}", channel="email").count() == 2


def test_a_form_submitted_twice_creates_one_application(world, person) -> None:
    actions.submit_application(actor=None, organisation=world.unit_a, submission_key="same", **person)
    with pytest.raises(ActionError):
        actions.submit_application(actor=None, organisation=world.unit_a, submission_key="same", **person)
    assert Application.objects.count() == 1


def test_a_bad_id_number_is_refused_and_nothing_is_stored(world, person) -> None:
    person["id_number"] = person["id_number"][:-1] + ("0" if person["id_number"][-1] != "0" else "1")
    with pytest.raises(ActionError) as err:
        actions.submit_application(actor=None, organisation=world.unit_a, **person)
    assert "id_number" in err.value.message_dict
    assert Application.objects.count() == 0


def test_identity_is_required_under_2019_but_not_under_2008(world, person) -> None:
    person.update(id_type="", id_number="")
    with pytest.raises(ActionError) as err:
        actions.register_application(actor=world.reviewer, organisation=world.unit_a, channel="in_person",
                                     submitted_on=date(2025, 9, 26), **person)  # fmt: skip
    assert "id_number" in err.value.message_dict
    app, _ = actions.register_application(actor=world.reviewer, organisation=world.unit_a, channel="in_person",
                                          submitted_on=date(2013, 9, 30), **person)  # fmt: skip
    assert app.rule_set == "2008"


def test_receipt_dates_follow_the_channel(world, person) -> None:
    registered, _ = actions.register_application(
        actor=world.reviewer, organisation=world.unit_a, channel="registered_mail", submitted_on=date(2025, 9, 22),
        signed_for_on=date(2025, 9, 26), **person)  # fmt: skip
    assert registered.received_on == date(2025, 9, 26)
    with pytest.raises(ActionError) as err:
        actions.register_application(actor=world.reviewer, organisation=world.unit_a, channel="ordinary_mail",
                                     submitted_on=date(2025, 9, 22), **person)  # fmt: skip
    assert "confirmed_on" in err.value.message_dict
    fax, _ = actions.register_application(actor=world.reviewer, organisation=world.unit_a, channel="fax",
                                          submitted_on=date(2025, 9, 22), **person)  # fmt: skip
    assert fax.status == Status.PENDING


def test_a_partial_reply_closes_the_case_with_a_numbered_letter(world, register) -> None:
    app = register(date(2025, 9, 26))
    actions_replies.assign_application(
        actor=world.reviewer, application=app, unit=world.unit_a, assignee=world.clerk_a
    )
    actions_replies.draft_reply(actor=world.clerk_a, application=app, outcome="partial", reply_type="r19_partial",
                                legal_basis="《条例》第十五条、第三十七条", text="附件为可公开部分。")  # fmt: skip
    with pytest.raises(PermissionDenied):
        actions_replies.reply_application(actor=world.clerk_a, application=app, outcome="partial", reply_type="r19_partial",
                                          legal_basis="x", text="y", on=date(2025, 10, 20))  # fmt: skip
    actions_replies.reply_application(actor=world.reviewer, application=app, outcome="partial", reply_type="r19_partial",
                                      legal_basis="《条例》第十五条、第三十七条", text="附件为可公开部分。",
                                      on=date(2025, 10, 20))  # fmt: skip
    app.refresh_from_db()
    assert (app.status, app.outcome, app.on_time) == (Status.CLOSED, "partial", True)
    reply = app.letters.get(kind="reply")
    assert "部分" in reply.body and "行政复议" in reply.body and app.case_number in reply.body
    assert reply.number.endswith("〔2025〕2号")  # the acknowledgement was no. 1


def test_reply_types_outside_the_rule_set_are_refused(world, register) -> None:
    app = register(date(2025, 9, 26))
    with pytest.raises(ActionError) as err:
        actions_replies.reply_application(actor=world.reviewer, application=app, outcome="open", reply_type="r08_public",
                                          text="x", on=date(2025, 10, 9))  # fmt: skip
    assert "reply_type" in err.value.message_dict
    old = register(date(2013, 9, 30))
    with pytest.raises(ActionError) as err:
        actions_replies.reply_application(actor=world.reviewer, application=old, outcome="noprocess_4",
                                          reply_type="r19_massive", legal_basis="x", text="x", on=date(2013, 10, 9))  # fmt: skip
    assert "outcome" in err.value.message_dict
    with pytest.raises(ActionError, match="2008"):
        actions_replies.set_later_date(actor=world.reviewer, application=old, later_date=date(2013, 12, 1), reason="x",
                                       on=date(2013, 10, 9))  # fmt: skip


def test_no_reply_after_withdrawal(world, register) -> None:
    app = register(date(2025, 9, 26))
    actions_replies.withdraw_application(
        actor=world.reviewer, application=app, reason="申请人电话撤回", on=date(2025, 10, 9)
    )
    app.refresh_from_db()
    assert (app.outcome, app.reply_type) == ("other_3", "r19_withdrawn")
    with pytest.raises(ActionError):
        actions_replies.reply_application(actor=world.reviewer, application=app, outcome="open", reply_type="r19_provide",
                                          text="x", on=date(2025, 10, 10))  # fmt: skip


def test_per_page_fee_pauses_the_clock_until_paid(world, register) -> None:
    app = register(date(2025, 9, 26))
    fee = actions.issue_fee_notice(actor=world.reviewer, application=app, mode="per_page", pages=250,
                                   instructions="银行转账", on=date(2025, 10, 9))  # fmt: skip
    assert fee.amount == Decimal(4700)
    with pytest.raises(ActionError):
        actions.issue_fee_notice(actor=world.reviewer, application=app, mode="per_application",
                                 instructions="x", on=date(2025, 10, 9))  # fmt: skip
    app.refresh_from_db()
    assert app.status == Status.FEE and app.clock.status == "paused"
    actions.record_payment(actor=world.reviewer, fee=fee, on=date(2025, 10, 13), receipt_number="No.001")
    app.refresh_from_db()
    assert app.status == Status.PROCESSING and app.clock.status == "running"
    assert app.clock.due_date > date(2025, 10, 30)


def test_per_application_fee_counts_the_applicants_month(world, register) -> None:
    apps = [register(date(2025, 9, d)) for d in (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15)]
    with pytest.raises(ActionError, match="10"):
        actions.issue_fee_notice(actor=world.reviewer, application=apps[9], mode="per_application",
                                 instructions="x", on=date(2025, 9, 16))  # fmt: skip
    fee = actions.issue_fee_notice(actor=world.reviewer, application=apps[10], mode="per_application",
                                   instructions="x", on=date(2025, 9, 16))  # fmt: skip
    assert (fee.position_in_month, fee.amount) == (11, Decimal(100))


def test_an_unpaid_fee_closes_the_case_as_other_2(world, register) -> None:
    app = register(date(2025, 9, 26))
    fee = actions.issue_fee_notice(actor=world.reviewer, application=app, mode="per_page", pages=31,
                                   instructions="x", on=date(2025, 10, 9))  # fmt: skip
    assert actions.lapse_overdue(as_of=fee.pay_by) == {"correction": 0, "fee": 0}
    assert actions.lapse_overdue(as_of=date(2026, 1, 5)) == {"correction": 0, "fee": 1}
    app.refresh_from_db()
    fee.refresh_from_db()
    assert (app.outcome, fee.status) == ("other_2", FeeStatus.LAPSED)


def test_2008_cases_pay_only_costs(world, register) -> None:
    app = register(date(2013, 9, 30))
    with pytest.raises(ActionError):
        actions.issue_fee_notice(actor=world.reviewer, application=app, mode="per_page", pages=250,
                                 instructions="x", on=date(2013, 10, 8))  # fmt: skip
    fee = actions.issue_fee_notice(actor=world.reviewer, application=app, mode="cost", copy_cost=Decimal("12.50"),
                                   postage=Decimal(8), instructions="x", on=date(2013, 10, 8))  # fmt: skip
    assert fee.amount == Decimal("20.50")


def test_outsiders_see_nothing(world, register, person) -> None:
    app = register(date(2025, 9, 26))
    own, _ = actions.submit_application(actor=world.citizen, organisation=world.unit_b, **person)
    policy = ApplicationPolicy()
    for outsider in (world.clerk_b, world.window, world.other_admin, world.citizen, world.anonymous):
        assert not policy.can(outsider, "view", app)
        assert app not in policy.visible_to(outsider)
    for insider in (world.clerk_a, world.reviewer, world.supervisor, world.county_admin, world.root):
        assert policy.can(insider, "view", app)
        assert app in policy.visible_to(insider)
    assert list(policy.visible_to(world.citizen)) == [own]
    with pytest.raises(PermissionDenied):
        actions.confirm_receipt(actor=world.clerk_a, application=own)
    with pytest.raises(ActionError):
        actions_replies.withdraw_application(actor=None, application=app, tracking_code="AAAAAAAAAA")


def test_notices_to_the_applicant_are_in_the_platforms_language(world, register) -> None:
    from django.utils import translation

    with translation.override("en"):
        app = register(date(2025, 9, 26))
    message = Message.objects.filter(topic=f"applications.application:{app.pk}").last()
    assert "收到" in message.subject or "受理" in message.subject or "已收到" in message.body, message.subject
