"""The tracking code of a case entered in the office: shown once, on the page after entry.

Only the code's hash is stored with the case, so the code itself waits in the session for
that one page and is gone once read.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class CodeShownOnce:
    def __init__(self, kind: str) -> None:
        self.key = f"gongkai.{kind}_code.%s"

    def keep(self, request: HttpRequest, obj: Any, code: str) -> None:
        request.session[self.key % obj.pk] = code

    def take(self, request: HttpRequest, obj: Any) -> str | None:
        return request.session.pop(self.key % obj.pk, None)
