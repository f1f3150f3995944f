"""A check question for the public forms, with no outside service and no image.

The question is a small sum ("七加五等于多少？" / "What is seven plus five?"), written in words
and in figures, so that it reads the same on a screen, in large-text mode and in a screen
reader. The answer never leaves the server: the session keeps, per challenge token, a keyed
hash of the expected answer and an expiry time. Each token can be answered once, right or
wrong; an expired, unknown or reused token is refused.

A challenge answered correctly can be remembered for one form instance (``remember_pass``),
so a person who must correct another field of the same form is not asked again; that form's
one-time submission key still lets it create one application only.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import get_language

SESSION_KEY = "gk_captcha"
PASSED_KEY = "gk_captcha_passed"
MAX_PENDING = 10  # open challenges per session (several tabs); the oldest are dropped

ZH_DIGITS = "零一二三四五六七八九"
EN_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
).split()
FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")


def lifetime() -> int:
    return int(getattr(settings, "CAPTCHA_SECONDS", 15 * 60))


@dataclass(frozen=True)
class Challenge:
    token: str
    words: str  # the question in words, in the current language
    figures: str  # the same question in figures, e.g. "7 + 5 = ?"


def _zh_number(n: int) -> str:
    if n < 10:
        return ZH_DIGITS[n]
    if n < 20:
        return "十" + (ZH_DIGITS[n - 10] if n > 10 else "")
    return ZH_DIGITS[n // 10] + "十" + (ZH_DIGITS[n % 10] if n % 10 else "")


def _digest(token: str, answer: int) -> str:
    return salted_hmac("gongkai.portal.captcha", f"{token}:{answer}").hexdigest()


def _pending(request: HttpRequest) -> dict[str, list[Any]]:
    now = time.time()
    pending = request.session.get(SESSION_KEY) or {}
    return {t: v for t, v in pending.items() if isinstance(v, list) and len(v) == 2 and v[1] > now}


def new_challenge(request: HttpRequest) -> Challenge:
    """A fresh question; its expected answer is kept (hashed) in the session."""
    a = secrets.randbelow(9) + 1
    b = secrets.randbelow(9) + 1
    subtract = secrets.randbelow(2) == 1
    if subtract and b > a:
        a, b = b, a
    answer = a - b if subtract else a + b
    token = secrets.token_urlsafe(16)
    pending = _pending(request)
    pending[token] = [_digest(token, answer), time.time() + lifetime()]
    if len(pending) > MAX_PENDING:
        for old in sorted(pending, key=lambda t: pending[t][1])[: len(pending) - MAX_PENDING]:
            del pending[old]
    request.session[SESSION_KEY] = pending
    if (get_language() or "").startswith("zh"):
        words = f"{_zh_number(a)}{'减' if subtract else '加'}{_zh_number(b)}等于多少？"
    else:
        words = f"What is {EN_WORDS[a]} {'minus' if subtract else 'plus'} {EN_WORDS[b]}?"
    return Challenge(token=token, words=words, figures=f"{a} {'−' if subtract else '+'} {b} = ?")


def parse_answer(text: str) -> int | None:
    """The number a person typed: figures (also full-width), or a number in Chinese or English words."""
    raw = (text or "").strip().translate(FULL_WIDTH).lower().rstrip("。.")
    if not raw:
        return None
    if raw.isascii() and raw.lstrip("-").isdigit() and len(raw) <= 4:
        return int(raw)
    if raw in EN_WORDS:
        return EN_WORDS.index(raw)
    raw = raw.replace("两", "二").replace("〇", "零")
    for n in range(0, 100):
        if _zh_number(n) == raw or (n >= 10 and n < 20 and "一" + _zh_number(n) == raw):
            return n
    return None


# Why an answer was refused (reason codes; the form turns them into messages).
MISSING = "missing"  # no answer typed
UNKNOWN = "unknown"  # no such challenge: never issued, already used, or the session was lost
EXPIRED = "expired"
WRONG = "wrong"


def verify(request: HttpRequest, token: str, answer: str) -> str | None:
    """None if ``answer`` solves the challenge ``token``, else the reason. The token is used up."""
    stored = (request.session.get(SESSION_KEY) or {}).get(token or "")
    pending = _pending(request)
    pending.pop(token or "", None)
    request.session[SESSION_KEY] = pending
    if not isinstance(stored, list) or len(stored) != 2:
        return UNKNOWN
    if stored[1] <= time.time():
        return EXPIRED
    value = parse_answer(answer)
    if value is None:
        return MISSING if not (answer or "").strip() else WRONG
    if not constant_time_compare(stored[0], _digest(token, value)):
        return WRONG
    return None


def remember_pass(request: HttpRequest, scope: str) -> None:
    """Remember that the check was passed for one form instance (its submission key)."""
    now = time.time()
    passed = {k: v for k, v in (request.session.get(PASSED_KEY) or {}).items() if v > now}
    passed[scope] = now + lifetime()
    if len(passed) > MAX_PENDING:
        for old in sorted(passed, key=passed.get)[: len(passed) - MAX_PENDING]:  # type: ignore[arg-type]
            del passed[old]
    request.session[PASSED_KEY] = passed


def has_passed(request: HttpRequest, scope: str) -> bool:
    expires = (request.session.get(PASSED_KEY) or {}).get(scope)
    return bool(scope) and isinstance(expires, int | float) and expires > time.time()


def forget_pass(request: HttpRequest, scope: str) -> None:
    passed = dict(request.session.get(PASSED_KEY) or {})
    if passed.pop(scope, None) is not None:
        request.session[PASSED_KEY] = passed
