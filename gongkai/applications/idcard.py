"""Chinese resident identity card numbers (居民身份证号码, GB 11643-1999).

18 characters: 6-digit area code, 8-digit date of birth, 3-digit sequence, and a check
character computed by ISO 7064 MOD 11-2 (``X`` stands for 10). The older 15-digit form
(6-digit area, 6-digit date ``YYMMDD`` in the 1900s, 3-digit sequence, no check) is still
found on old documents and is accepted when its date is valid.
"""

from __future__ import annotations

import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
_RE18 = re.compile(r"^\d{17}[\dX]$")
_RE15 = re.compile(r"^\d{15}$")


def normalise(number: str) -> str:
    return (number or "").strip().replace(" ", "").upper()


def check_char(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _valid_date(y: int, m: int, d: int, today: date | None) -> bool:
    try:
        born = date(y, m, d)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= (today or date.today())


def problem(number: str, today: date | None = None) -> str | None:
    """Why ``number`` is not a valid ID card number, or None when it is (reason codes, not prose)."""
    n = normalise(number)
    if _RE18.match(n):
        if n[:2] in ("00",):
            return "area"
        if not _valid_date(int(n[6:10]), int(n[10:12]), int(n[12:14]), today):
            return "date"
        if check_char(n[:17]) != n[17]:
            return "check"
        return None
    if _RE15.match(n):
        if not _valid_date(1900 + int(n[6:8]), int(n[8:10]), int(n[10:12]), today):
            return "date"
        return None
    return "format"


def is_valid(number: str, today: date | None = None) -> bool:
    return problem(number, today) is None


def mask(number: str) -> str:
    """Show the first 3 and last 2 characters only, for pages other people may see."""
    n = normalise(number)
    if len(n) <= 5:
        return "*" * len(n)
    return n[:3] + "*" * (len(n) - 5) + n[-2:]
