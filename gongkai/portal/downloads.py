"""Attachment downloads: always a download, never a page of this origin.

The Content-Type is the one sniffed from the content at upload (never the
name's), the browser is told not to guess another (nosniff), and the response
carries its own sandboxing Content-Security-Policy, so even a file that a
browser would try to render cannot run script with the site's origin.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from gongkai.disclosure.models import Attachment, ItemStatus
from gongkai.portal.queries import attachment_policy

DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
_UNSAFE_ASCII = re.compile(r'[^\x20-\x7e]|["\\;%]')


def content_disposition(name: str, fallback_stem: str) -> str:
    """``attachment`` with a plain ASCII ``filename`` for old clients and the real name as
    ``filename*`` (RFC 5987/6266, UTF-8), which every current browser prefers."""
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    ascii_name = _UNSAFE_ASCII.sub("_", name).strip()
    if ascii_name != name or not ascii_name:
        ascii_name = f"{fallback_stem}.{ext}" if ext.isascii() and ext.isalnum() else fallback_stem
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def stored_file_response(
    stored: Any, *, content_type: str, name: str, fallback_stem: str, cache_control: str | None = None
) -> FileResponse:
    """A stored upload (a ``FieldFile``) as a download of its own: 404 when the row outlived its
    file; the sniffed type, ``nosniff``, the sandboxing CSP, same-origin only; and
    ``cache_control`` when given (a page decorator may set it otherwise)."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError) as exc:  # the row outlived its file
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(name, fallback_stem)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if cache_control:
        response["Cache-Control"] = cache_control
    return response


@require_safe
def download(request: HttpRequest, pk: int) -> FileResponse:
    # Only attachments of published items, through the attachment policy.
    qs = Attachment.objects.select_related("item").filter(item__status=ItemStatus.PUBLISHED)
    attachment = attachment_policy.get(request.user, queryset=qs, pk=pk)
    return stored_file_response(
        attachment.file,
        content_type=attachment.content_type,
        name=attachment.name,
        fallback_stem=f"attachment-{attachment.pk}",
        cache_control="private, max-age=300",
    )
