"""Bulk paths for records that come from elsewhere: many attachments at once, and
historic page-view statistics (a portal migrating to Gongkai brings its counts)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from gongkai.audit.log import record, record_many
from gongkai.core.actions import ActionError, action
from gongkai.core.files import check_upload
from gongkai.disclosure.models import Attachment, DisclosureItem
from gongkai.disclosure.policies import DisclosureItemPolicy

policy = DisclosureItemPolicy()


@action
def attach_many(*, actor: Any, files: list[tuple[DisclosureItem, str, bytes]]) -> list[Attachment]:
    """Attach many files; identical contents are stored once (content-addressed by SHA-256)."""
    stored: dict[str, str] = {}
    attachments = []
    # Every file is allowed and checked before any is stored: a refused file must not leave the
    # earlier ones in storage after the transaction rolls back.
    checked = []
    for item, name, data in files:
        if not policy.can(actor, "edit", item):
            raise PermissionDenied("not allowed to edit one of the items")
        checked.append((item, name, data, check_upload(data, name)))
    for item, name, data, (sniffed, digest) in checked:
        if digest not in stored:
            path = f"items/sha256/{digest[:2]}/{digest}.{sniffed.extension}"
            stored[digest] = (
                path if default_storage.exists(path) else default_storage.save(path, ContentFile(data))
            )
        stem = name.rsplit(".", 1)[0] if "." in name else name
        attachment = Attachment(item=item, name=f"{stem[:140]}.{sniffed.extension}", content_type=sniffed.content_type,
                                kind=sniffed.kind, size=len(data), sha256=digest)  # fmt: skip
        attachment.file.name = stored[digest]
        attachments.append(attachment)
    Attachment.objects.bulk_create(attachments, batch_size=1000)
    record_many(actor=actor, verb="disclosure.add_attachment", objects=[a.item for a in attachments],
                after=[{"name": a.name, "type": a.content_type, "size": a.size} for a in attachments])  # fmt: skip
    return attachments


@action
def import_daily_views(*, actor: Any, counts: Counter[tuple[int, date]], source: str) -> int:
    """Add historic daily page-view counts (platform administrators only)."""
    from gongkai.disclosure import viewcounts

    if actor is not None and not (getattr(actor, "is_superuser", False) and actor.is_active):
        raise PermissionDenied("only platform administrators import statistics")
    if any(n < 0 for n in counts.values()):
        raise ActionError(_("View counts cannot be negative."))
    written = viewcounts.write_counts(counts)
    record(actor=actor, verb="disclosure.import_daily_views", obj=None,
           after={"rows": len(counts), "views": sum(counts.values()), "source": source})  # fmt: skip
    return written
