"""Deadlines of applications on real calendars, under both texts."""

from __future__ import annotations

from datetime import date

import pytest
from chinese_calendar import find_workday

from gongkai.applications import actions, actions_replies
from gongkai.applications.models import Status
from gongkai.core.actions import ActionError


def test_2019_text_twenty_days_and_an_approved_extension_of_twenty(world, register) -> None:
    app = register(date(2025, 9, 26))
    assert app.rule_set == "2019"
    assert app.clock.due_date == date(2025, 10, 30)
    actions_replies.extend_application(actor=world.reviewer, application=app, days=20, reason="需调取档案",
                                       approved_by=world.reviewer, on=date(2025, 10, 28))  # fmt: skip
    app.refresh_from_db()
    assert app.clock.due_date == date(2025, 11, 27)
    assert app.letters.filter(kind="extension").count() == 1


def test_an_extension_beyond_the_cap_or_without_the_heads_approval_is_refused(world, register) -> None:
    app = register(date(2025, 9, 26))
    with pytest.raises(ActionError, match="20"):
        actions_replies.extend_application(actor=world.reviewer, application=app, days=21, reason="x",
                                           approved_by=world.reviewer, on=date(2025, 10, 28))  # fmt: skip
    with pytest.raises(ActionError) as err:
        actions_replies.extend_application(actor=world.clerk_a, application=app, days=5, reason="x",
                                           approved_by=world.clerk_a, on=date(2025, 10, 28))  # fmt: skip
    assert "approved_by" in err.value.message_dict
    app.refresh_from_db()
    assert app.clock.due_date == date(2025, 10, 30)
    assert not app.clock.extensions.exists()


def test_2008_text_receipt_the_day_before_the_national_day_holiday(world, register) -> None:
    # 2013: 1–7 October off, Sunday 29 September and Saturday 12 October are working days.
    app = register(date(2013, 9, 30))
    assert app.rule_set == "2008"
    assert app.clock.limit_days == 15
    assert app.clock.due_date == date(2013, 10, 25)
    with pytest.raises(ActionError, match="15"):
        actions_replies.extend_application(actor=world.reviewer, application=app, days=16, reason="x",
                                           approved_by=world.reviewer, on=date(2013, 10, 21))  # fmt: skip


def test_receipt_on_a_make_up_saturday_and_across_a_year_boundary(world, register) -> None:
    makeup = register(date(2025, 9, 28))  # a Sunday worked in exchange for the National Day week
    assert makeup.clock.due_date == find_workday(20, date(2025, 9, 28))
    boundary = register(date(2025, 12, 24))
    assert boundary.clock.due_date == find_workday(20, date(2025, 12, 24))
    assert boundary.clock.due_date.year == 2026


def test_correction_restarts_the_clock_from_the_corrected_application(world, register) -> None:
    app = register(date(2025, 9, 26))
    actions.request_correction(actor=world.reviewer, application=app, items="请写明文件名称或文号", period_days=10,
                               on=date(2025, 9, 30))  # fmt: skip
    app.refresh_from_db()
    assert app.status == Status.CORRECTION and app.clock.status == "paused"
    actions.submit_correction(
        actor=world.reviewer, application=app, text="要2013年部门预算表", on=date(2025, 10, 20)
    )
    app.refresh_from_db()
    assert app.status == Status.PROCESSING
    assert app.clock.start_date == date(2025, 10, 20)
    assert app.clock.due_date == find_workday(20, date(2025, 10, 20)) == date(2025, 11, 17)


def test_the_2019_correction_notice_is_due_within_seven_working_days(world, register) -> None:
    app = register(date(2025, 9, 26))
    assert actions.correction_notice_deadline(app) == date(2025, 10, 13)
    with pytest.raises(ActionError, match="Art. 30|第三十条|7"):
        actions.request_correction(actor=world.reviewer, application=app, items="x", period_days=10,
                                   on=date(2025, 10, 14))  # fmt: skip
    actions.request_correction(
        actor=world.reviewer, application=app, items="x", period_days=10, on=date(2025, 10, 13)
    )
    app.refresh_from_db()
    actions.submit_correction(actor=world.reviewer, application=app, text="y", on=date(2025, 10, 15))
    with pytest.raises(ActionError, match="Art. 30|第三十条"):
        actions.request_correction(actor=world.reviewer, application=app, items="z", period_days=10,
                                   on=date(2025, 10, 16))  # fmt: skip


def test_a_missed_correction_period_closes_the_case_as_deemed_withdrawn_once(world, register) -> None:
    app = register(date(2025, 9, 26))
    actions.request_correction(
        actor=world.reviewer, application=app, items="x", period_days=5, on=date(2025, 9, 30)
    )
    assert actions.lapse_overdue(actor=None, as_of=date(2025, 10, 14)) == {"correction": 0, "fee": 0}
    assert actions.lapse_overdue(actor=None, as_of=date(2025, 10, 15)) == {"correction": 1, "fee": 0}
    assert actions.lapse_overdue(actor=None, as_of=date(2025, 10, 16)) == {"correction": 0, "fee": 0}
    app.refresh_from_db()
    assert (app.status, app.outcome, app.reply_type) == (Status.CLOSED, "other_1", "r19_no_correction")


def test_third_party_consultation_stops_the_clock_under_both_texts(world, register) -> None:
    app = register(date(2025, 9, 26))
    c = actions.start_consultation(actor=world.reviewer, application=app, kind="third_party", party="某公司",
                                   on=date(2025, 10, 9))  # fmt: skip
    assert c.reply_due == find_workday(15, date(2025, 10, 9))
    actions.record_consultation_answer(actor=world.reviewer, consultation=c, answer="objection",
                                       on=date(2025, 10, 16))  # fmt: skip
    app.refresh_from_db()
    # (9 Oct, 16 Oct] holds 6 working days (Saturday 11 October was worked); they are not counted.
    assert app.clock.due_date == find_workday(6, date(2025, 10, 30))
    assert app.status == Status.PROCESSING


def test_consulting_another_agency_stops_the_clock_only_under_2019(world, register) -> None:
    old = register(date(2013, 9, 30))
    actions.start_consultation(actor=world.reviewer, application=old, kind="other_agency", party="攸县国土局",
                               on=date(2013, 10, 9))  # fmt: skip
    old.refresh_from_db()
    assert old.clock.status == "running" and old.clock.due_date == date(2013, 10, 25)
    new = register(date(2025, 9, 26))
    actions.start_consultation(actor=world.reviewer, application=new, kind="other_agency", party="攸县自然资源局",
                               on=date(2025, 10, 9))  # fmt: skip
    new.refresh_from_db()
    assert new.clock.status == "paused"
