"""What a public visitor holds for a case they sent: its tracking code and its confirmation.

Both the application form and the leader mailbox use the same two mechanisms, each under its
own names: the (case number → tracking code) pairs proved on this device, kept in the
session, and the one-time confirmation of a submission, kept in the cache for the session
that sent it only (so a double-click finds the first confirmation, nobody else does).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

MAX_REMEMBERED = 20  # cases one session may hold codes for


class CodeStore:
    """The tracking codes this session has proved, under one session key."""

    def __init__(self, session_key: str) -> None:
        self.session_key = session_key

    def codes(self, request: HttpRequest) -> dict[str, str]:
        codes = request.session.get(self.session_key)
        return dict(codes) if isinstance(codes, dict) else {}

    def remember(self, request: HttpRequest, case_number: str, code: str) -> None:
        codes = self.codes(request)
        codes.pop(case_number, None)
        codes[case_number] = code  # the newest last; only the last few are kept
        request.session[self.session_key] = dict(list(codes.items())[-MAX_REMEMBERED:])

    def forget(self, request: HttpRequest, case_number: str) -> None:
        codes = self.codes(request)
        if codes.pop(case_number, None) is not None:
            request.session[self.session_key] = codes


def session_tag(request: HttpRequest) -> str:
    return hashlib.sha256(f"receipt:{request.session.session_key}".encode()).hexdigest()


class Receipts:
    """One-time confirmations of submissions, readable only by the session that sent them."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def cache_key(self, submission_key: str) -> str:
        return f"portal:{self.prefix}:receipt:" + hashlib.sha256(submission_key.encode()).hexdigest()

    def get(self, request: HttpRequest, submission_key: str) -> dict[str, Any] | None:
        if not submission_key:
            return None
        receipt = cache.get(self.cache_key(submission_key))
        if not isinstance(receipt, dict) or not request.session.session_key:
            return None
        if not secrets.compare_digest(receipt.get("session", ""), session_tag(request)):
            return None
        return receipt
