"""API authentication: ``Authorization: Bearer gk_…`` tokens, or the browser session for reads.

A request without credentials is anonymous (public endpoints still answer);
a request with a bad token is refused outright rather than treated as
anonymous, so a misconfigured client hears about it.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from gongkai.accounts.models import ApiToken, TokenScope, hash_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ApiCredentials:
    """Callable used as ninja's ``auth``; always returns an actor (maybe anonymous)."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    # What ninja puts under components.securitySchemes (AuthBase builds it in __init__;
    # this class is a plain callable), so the docs page offers to send a token.
    openapi_security_schema = {"type": openapi_type, "scheme": openapi_scheme}

    def __call__(self, request: HttpRequest) -> Any:
        # Ninja runs authentication before reading any parameter, so this guards every operation.
        if _holds_nul(request):
            raise HttpError(422, _("Text must not contain the NUL character (U+0000)."))
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _sep, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                raise HttpError(401, "Use the header “Authorization: Bearer <token>”.")
            token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw.strip())).first()
            if token is None or not token.is_usable:
                raise HttpError(401, "The token is unknown, revoked or expired.")
            if request.method not in SAFE_METHODS and token.scope != TokenScope.WRITE:
                raise HttpError(403, "This token is read-only.")
            now = timezone.now()
            if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
                # Bookkeeping only (not a domain change), throttled to one write a minute.
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            request.api_token = token  # type: ignore[attr-defined]
            return token.user
        if request.method not in SAFE_METHODS:
            # Writes need a token: session cookies would need CSRF handling in every client.
            raise HttpError(401, "Changes through the API need a read-write token.")
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else AnonymousUser()


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


def _holds_nul(request: HttpRequest) -> bool:
    """Whether the path, the query or a JSON body carries a NUL character: PostgreSQL cannot store
    or compare one (a 500 there), SQLite would store it; either way it is malformed input."""
    if "\x00" in request.path_info or any(_contains_nul(k) or _contains_nul(request.GET.getlist(k))
                                          for k in request.GET):  # fmt: skip
        return True
    if request.method in SAFE_METHODS or b"\\u0000" not in request.body.lower():
        return False
    try:
        return _contains_nul(json.loads(request.body))
    except ValueError:
        return False  # not JSON: the operation refuses it itself


def require_staff(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise HttpError(401, "This endpoint needs an API token.")
    if getattr(actor, "is_citizen", False):
        raise HttpError(403, "Only staff accounts may use this endpoint.")
