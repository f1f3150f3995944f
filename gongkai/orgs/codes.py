"""Organisation codes and their check characters.

- 组织机构代码 (GB 11714-1997): 8 body characters (digits or capital letters)
  and a check character: C9 = 11 - (Σ value·weight mod 11), 10 → "X", 11 → "0".
- 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet
  (no I, O, Z, S, V); C18 = 31 - (Σ value·weight mod 31), 31 → "0". Characters
  9–17 are the organisation's 组织机构代码.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_value(ch: str) -> int:
    if ch not in ORG_CODE_ALPHABET:
        raise ValueError(ch)
    return ORG_CODE_ALPHABET.index(ch)


def org_code_check_char(body: str) -> str:
    """Check character for the 8-character body of a 组织机构代码."""
    total = sum(_org_value(c) * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def uscc_check_char(body: str) -> str:
    """Check character for the 17-character body of a 统一社会信用代码."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_code(code: str) -> str:
    """Upper-case, strip spaces and the hyphen often printed as ``12345678-9``.

    Full-width characters typed with a Chinese input method (``１２３``) become ASCII.
    """
    return unicodedata.normalize("NFKC", code).strip().upper().replace("-", "").replace(" ", "")


def validate_org_code(value: str) -> None:
    """Accept a valid 9-character 组织机构代码 or 18-character 统一社会信用代码."""
    code = normalise_code(value)
    if len(code) == 9:
        body = code[:8]
        # Not str.isdigit(): it also accepts digits of other scripts (“٣”, “²”).
        if not all(c in ORG_CODE_ALPHABET for c in body):
            raise ValidationError(
                _(
                    "An organisation code (组织机构代码) has 8 digits or capital letters and a check character."
                ),
                code="org_code_chars",
            )
        expected = org_code_check_char(body)
        if code[8] != expected:
            raise ValidationError(
                _("The check character of organisation code %(code)s is wrong (expected %(expected)s)."),
                code="org_code_check",
                params={"code": value, "expected": expected},
            )
        return
    if len(code) == 18:
        if any(c not in USCC_ALPHABET for c in code):
            raise ValidationError(
                _(
                    "A unified social credit code (统一社会信用代码) uses digits and capital letters except I, O, Z, S and V."
                ),
                code="uscc_chars",
            )
        expected = uscc_check_char(code[:17])
        if code[17] != expected:
            raise ValidationError(
                _(
                    "The check character of unified social credit code %(code)s is wrong (expected %(expected)s)."
                ),
                code="uscc_check",
                params={"code": value, "expected": expected},
            )
        return
    raise ValidationError(
        _(
            "An organisation code has 9 characters (组织机构代码) or 18 characters (统一社会信用代码); %(code)s has %(n)s."
        ),
        code="org_code_length",
        params={"code": value, "n": len(code)},
    )


def make_org_code(body8: str) -> str:
    return body8 + org_code_check_char(body8)


def make_uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)
