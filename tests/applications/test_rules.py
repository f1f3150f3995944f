from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gongkai.applications import fees, idcard
from gongkai.applications.outcomes import Outcome, allowed_reply_types, outcomes_for
from gongkai.applications.rules import R2008, R2019, NotInForce, rule_set_for


def test_the_text_in_force_on_the_day_of_receipt_applies() -> None:
    assert rule_set_for(date(2019, 5, 14)) is R2008
    assert rule_set_for(date(2019, 5, 15)) is R2019
    assert rule_set_for(date(2008, 5, 1)) is R2008
    with pytest.raises(NotInForce):
        rule_set_for(date(2008, 4, 30))
    assert (R2008.reply_days, R2008.extension_days, R2019.reply_days, R2019.extension_days) == (
        15,
        15,
        20,
        20,
    )


def test_45_applications_in_a_month_cost_5500_yuan() -> None:
    assert fees.fee_for_applications(45) == Decimal(5500)
    assert [fees.fee_for_nth_application(n) for n in (1, 10, 11, 30, 31, 40, 41, 50, 51)] == [
        0, 0, 100, 100, 200, 200, 300, 300, 400,
    ]  # fmt: skip


def test_250_pages_cost_4700_yuan() -> None:
    assert fees.fee_for_pages(250) == Decimal(4700)
    assert fees.fee_for_pages(30) == 0
    assert fees.fee_for_pages(31) == 10
    assert fees.fee_for_pages(100) == 700
    assert fees.fee_for_pages(200) == 2700


def test_id_numbers_are_checked_by_their_check_digit() -> None:
    assert idcard.is_valid("11010519491231002X")  # the standard's example
    assert idcard.problem("110105194912310021") == "check"
    assert idcard.problem("110105194913310027") == "date"
    assert idcard.problem("12345") == "format"
    assert idcard.is_valid("110105491231002")  # the old 15-digit form
    assert idcard.mask("11010519491231002X") == "110*************2X"


def test_massive_applications_exist_only_in_the_2019_text() -> None:
    assert Outcome.NOT_PROCESSED_MASSIVE in outcomes_for("2019")
    assert Outcome.NOT_PROCESSED_MASSIVE not in outcomes_for("2008")
    assert allowed_reply_types("2008", Outcome.OPEN) == ("r08_public",)
    assert "r19_public" in allowed_reply_types("2019", Outcome.OPEN)
