"""Shared pieces of the services actions: dates, tracking codes, case numbers, notices, files."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongkai.core.actions import ActionError
from gongkai.core.files import check_upload
from gongkai.notifications.send import notify
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.services.models import (
    CaseCorrection,
    CaseMaterial,
    CaseSerial,
    ServiceCase,
    ServiceItem,
    ServiceWindow,
)

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TRACKING_LENGTH = 10
MAX_FILES = 20


def today() -> date:
    return timezone.localdate()


def new_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def hash_code(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}:{(code or '').strip().upper()}".encode()).hexdigest()


def check_code(number: str, stored_hash: str, code: str) -> bool:
    """Constant-time comparison of a tracking code with the stored hash."""
    return bool(code) and hmac.compare_digest(stored_hash, hash_code(number, code))


def check_day(on: date | None, field: str = "on", *, not_before: date | None = None) -> date:
    """The action's date: today by default, never in the future nor before ``not_before``."""
    on = on or today()
    if on > today():
        raise ActionError({field: _("The date cannot be in the future.")})
    if not_before is not None and on < not_before:
        raise ActionError({field: _("The date cannot be before the case was received.")})
    return on


def require_text(value: Any, field: str, message: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise ActionError({field: message})
    return text


def government_of(org: Organisation) -> Organisation:
    """The nearest government at or above ``org`` (online cases are numbered per government)."""
    ids = [int(x) for x in org.path.strip("/").split("/") if x]
    govs = {o.pk: o for o in Organisation.objects.filter(pk__in=ids, kind=OrgKind.GOVERNMENT)}
    for pk in reversed(ids):
        if pk in govs:
            return govs[pk]
    return org


def next_case_number(numbering_org: Organisation, year: int) -> str:
    """``<code suffix>-<year>-<serial>``; the serial row is locked so two windows never share one."""
    try:
        with transaction.atomic():
            CaseSerial.objects.get_or_create(organisation=numbering_org, year=year)
    except IntegrityError:  # created concurrently: it exists now
        pass
    serial = CaseSerial.objects.select_for_update().get(organisation=numbering_org, year=year)
    serial.last += 1
    serial.save(update_fields=["last"])
    return f"{numbering_org.code[-6:].upper()}-{year}-{serial.last:06d}"


def serves(window: ServiceWindow, item: ServiceItem) -> bool:
    """The window handles the item: it is the item's window or serves the item's unit."""
    return item.window_id == window.pk or window.units.filter(pk=item.organisation_id).exists()


def notify_applicant(
    case: ServiceCase, subject: str, body: str, params: dict[str, Any] | None = None
) -> None:
    """Tell the applicant, in the platform's language (not the language the staff member browses in)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject_text = _(subject)
        body_text = _(body) % params if params else _(body)
    notify(
        obj=case,
        subject=f"[{case.case_number}] {subject_text}",
        body=body_text,
        email=case.email,
        phone=case.phone,
    )


def read_files(files: Any) -> list[tuple[str, bytes, Any, str]]:
    """Read and check uploads before anything is saved: (name, data, sniffed, sha256) per file."""
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise ActionError({"files": _("At most %(n)s files can be uploaded at once.") % {"n": MAX_FILES}})
    checked = []
    for f in files:
        name = getattr(f, "name", "") or "file"
        if hasattr(f, "seek"):
            f.seek(0)
        data = f.read() if hasattr(f, "read") else bytes(f)
        try:
            sniffed, digest = check_upload(data, name)
        except ActionError as exc:
            raise ActionError({"files": exc.messages}) from exc
        checked.append((name, data, sniffed, digest))
    return checked


def store_files(
    case: ServiceCase, checked: list[tuple[str, bytes, Any, str]], correction: CaseCorrection | None = None
) -> list[CaseMaterial]:
    out = []
    for name, data, sniffed, digest in checked:
        clean = name.replace("/", "_").replace("\\", "_").strip()[:150] or "file"
        stem = clean.rsplit(".", 1)[0] if "." in clean else clean
        material = CaseMaterial(case=case, name=f"{stem}.{sniffed.extension}", content_type=sniffed.content_type,
                                size=len(data), sha256=digest, correction=correction)  # fmt: skip
        # Stored under a neutral name: the uploader's file name never reaches the file system.
        material.file.save(f"{digest[:16]}.{sniffed.extension}", ContentFile(data), save=False)
        material.save()
        out.append(material)
    return out
