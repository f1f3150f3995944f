"""Site-wide views: health check and the large-text (适老化) switch."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gongkai.core.context_processors import LARGE_TEXT_COOKIE
from gongkai.core.models import BackupRun


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when the database (and, with REDIS_URL, Redis) answers, else 503.

    For monitoring it also gives ``backup_age_seconds``, the age of the last successful backup (null
    when there is none); an old backup is an operator's alarm, not the balancer's, so it never
    changes the status.
    """
    body: dict[str, Any] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body.update(database="ok", vendor=connection.vendor)
    except Exception as exc:  # any driver error means the database is unreachable
        body.update(status="error", database="unreachable", detail=type(exc).__name__)
    else:
        body["backup_age_seconds"] = _backup_age_seconds()
    if settings.REDIS_URL:
        try:
            cache.get("healthz")
            body["cache"] = "ok"
        except Exception as exc:  # throttling, sessions and the task queue need it
            body.update(status="error", cache="unreachable", cache_detail=type(exc).__name__)
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)


def _backup_age_seconds() -> int | None:
    try:
        last = BackupRun.last_success()
    except Exception:  # the table is not there yet (the migration is still to run)
        return None
    return None if last is None else max(0, int((timezone.now() - last.finished_at).total_seconds()))


def _safe_next(request: HttpRequest, target: str | None) -> str:
    target = target or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


# The language and text-size switches are reader preferences, not changes to any
# record, so they are plain GET forms: public pages then carry no CSRF token and
# can be cached whole for every anonymous reader.
@never_cache
@require_http_methods(["GET", "POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    response = HttpResponseRedirect(_safe_next(request, data.get("next")))
    code = data.get("language", "")
    if code in {c for c, _ in settings.LANGUAGES}:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 86400, samesite="Lax")
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def large_text(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    response = HttpResponseRedirect(_safe_next(request, data.get("next")))
    if data.get("on") == "1":
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 86400, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE)
    return response
