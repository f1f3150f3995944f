"""The two texts of the 政府信息公开条例 that govern applications, selected by the date of receipt.

2008 text: 国务院令第492号, in force 2008-05-01. 2019 text: 国务院令第711号, in force 2019-05-15.
A case is governed by the text in force on the day it was received (RULES §2); both rule sets
stay in the code, never one hard-coded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleSetCode(models.TextChoices):
    R2008 = "2008", _("2008 text (State Council Decree 492)")
    R2019 = "2019", _("2019 text (State Council Decree 711)")


@dataclass(frozen=True)
class RuleSet:
    code: str
    in_force: date
    # Reply deadline in working days from receipt: 2008 Art. 24 (15), 2019 Art. 33 (20).
    reply_days: int
    # Extension with the office head's approval, at most: 2008 Art. 24 (15), 2019 Art. 33 (20).
    extension_days: int
    # 补正 notice within this many working days of receipt (2019 Art. 30); the 2008 text sets none.
    correction_notice_days: int | None
    # Consulting another agency stops the clock only under 2019 Art. 33 (2008 Art. 24: third parties only).
    other_agency_pauses: bool
    # Art. 35 (massive or repeated applications) exists only in the 2019 text.
    massive_applications_rule: bool
    # 2019 Art. 42 信息处理费 (progressive bands) or 2008 Art. 27 cost fees (search, copying, postage).
    progressive_fees: bool
    # A third party (2019 Art. 32; 2008 Art. 23 in practice) and a co-producing agency (2019 Art. 34)
    # have this many working days to answer a consultation.
    consultation_days: int = 15
    # A fee notice is paid within 20 working days of the day after it is received (国办函〔2020〕109号).
    fee_payment_days: int = 20

    @property
    def label(self) -> str:
        return str(RuleSetCode(self.code).label)


R2008 = RuleSet(
    code=RuleSetCode.R2008,
    in_force=date(2008, 5, 1),
    reply_days=15,
    extension_days=15,
    correction_notice_days=None,
    other_agency_pauses=False,
    massive_applications_rule=False,
    progressive_fees=False,
)
R2019 = RuleSet(
    code=RuleSetCode.R2019,
    in_force=date(2019, 5, 15),
    reply_days=20,
    extension_days=20,
    correction_notice_days=7,
    other_agency_pauses=True,
    massive_applications_rule=True,
    progressive_fees=True,
)
RULE_SETS = {R2008.code: R2008, R2019.code: R2019}


class NotInForce(ValueError):
    """A receipt date before 2008-05-01: no regulation on disclosure applied."""


def rule_set_for(received_on: date) -> RuleSet:
    """The text in force on the day of receipt."""
    if received_on >= R2019.in_force:
        return R2019
    if received_on >= R2008.in_force:
        return R2008
    raise NotInForce(received_on)


def rule_set(code: str) -> RuleSet:
    return RULE_SETS[code]
