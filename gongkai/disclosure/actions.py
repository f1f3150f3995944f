"""Actions on disclosure items: draft → submitted → published → amended / repealed / expired / withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, after_commit, authorize, changes, full_clean, snapshot
from gongkai.core.files import check_upload
from gongkai.disclosure.models import (
    PUBLICATION_LIMIT_DAYS,
    Attachment,
    Channel,
    DisclosureItem,
    IndexSerial,
    ItemStatus,
    Validity,
)
from gongkai.disclosure.policies import DisclosureItemPolicy
from gongkai.disclosure.text import plain_text, sanitise
from gongkai.orgs.models import Organisation
from gongkai.workdays.clock import close_clock, reschedule_clock, start_clock
from gongkai.workdays.models import ClockKind

EDITABLE = (
    "kind", "title", "summary", "body", "doc_number", "written_on", "formed_on", "category", "genre", "keywords", "channels",
)  # fmt: skip
AUDITED = (
    "status",
    "index_no",
    "title",
    "doc_number",
    "formed_on",
    "published_on",
    "validity",
    "category_id",
    "genre_id",
)

policy = DisclosureItemPolicy()


def _sync_search(item: DisclosureItem) -> None:
    # The search index changes in the same transaction, so it is never stale.
    from gongkai.portal import cache
    from gongkai.search import index

    index.sync_item(item)
    after_commit(cache.bump)  # cached public pages show the change once it is committed


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    out = dict(fields)
    for name in ("title", "summary", "doc_number", "keywords"):
        if name in out and out[name] is not None:
            out[name] = str(out[name]).strip()
    if "body" in out:
        out["body"] = sanitise(out["body"] or "")
    if "channels" in out:
        channels = list(dict.fromkeys(out["channels"] or []))
        bad = [c for c in channels if c not in Channel.values]
        if bad:
            raise ActionError(
                {"channels": [_("Unknown channel: %(names)s") % {"names": ", ".join(map(str, bad))}]}
            )
        out["channels"] = channels
    return out


def _check_doc_number(item: DisclosureItem) -> None:
    if not item.doc_number:
        return
    clash = DisclosureItem.objects.filter(
        organisation_id=item.organisation_id, doc_number=item.doc_number
    ).exclude(status=ItemStatus.WITHDRAWN)
    if item.pk:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise ActionError({"doc_number": [_("Another item of this organisation already has the document number %(no)s.")
                                          % {"no": item.doc_number}]})  # fmt: skip


def _validate(item: DisclosureItem) -> None:
    if item.written_on and item.formed_on and item.written_on > item.formed_on:
        raise ActionError({"formed_on": [_("The date formed cannot be before the date written.")]})
    if item.formed_on and item.formed_on > timezone.localdate():
        raise ActionError({"formed_on": [_("The date formed cannot be in the future.")]})
    _check_doc_number(item)  # before full_clean, whose constraint check has only a generic message
    full_clean(item, exclude=["index_no", "clock", "superseded_by", "created_by", "published_by"])


def _check_editable(actor: Any, item: DisclosureItem) -> None:
    if item.status == ItemStatus.WITHDRAWN:
        raise ActionError(_("A withdrawn item cannot be edited."))
    if item.status == ItemStatus.PUBLISHED and not policy.can(actor, "publish", item):
        raise PermissionDenied("only a publisher changes a published item")


def _save(item: DisclosureItem) -> None:
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:  # a concurrent writer took the same 文号
        raise ActionError(
            {"doc_number": [_("Another item of this organisation already has this document number.")]}
        ) from exc


@action
def create_item(*, actor: Any, organisation: Organisation, **fields: Any) -> DisclosureItem:
    """A new draft, written by a clerk (or reviewer) of ``organisation``."""
    probe = DisclosureItem(organisation=organisation)
    authorize(actor, "edit", probe)
    if not organisation.is_active:
        raise ActionError(_("The organisation is not active."))
    item = DisclosureItem(organisation=organisation, created_by=actor if getattr(actor, "is_authenticated", False) else None,
                          **_clean_fields(fields))  # fmt: skip
    item.body_text = plain_text(item.body)
    _validate(item)
    _save(item)
    item.clock = start_clock(
        actor=actor, kind=ClockKind.DISCLOSURE, organisation=organisation, start_date=item.formed_on,
        limit_days=PUBLICATION_LIMIT_DAYS, subject=item, label=item.title[:200],
    )  # fmt: skip
    item.due_on = item.clock.due_date
    item.save(update_fields=["clock", "due_on"])
    record(actor=actor, verb="disclosure.create_item", obj=item, after=snapshot(item, AUDITED))
    return item


@action
def update_item(*, actor: Any, item: DisclosureItem, reason: str = "", **fields: Any) -> DisclosureItem:
    """Edit a draft or submitted item; a published item's metadata too (audited, re-indexed)."""
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    authorize(actor, "edit", item)
    _check_editable(actor, item)
    before = snapshot(item, AUDITED + ("summary", "keywords", "written_on"))
    old_formed = item.formed_on
    for name, value in _clean_fields(fields).items():
        setattr(item, name, value)
    item.body_text = plain_text(item.body)
    _validate(item)
    _save(item)
    if item.formed_on != old_formed and item.clock_id and item.status != ItemStatus.PUBLISHED:
        clock = reschedule_clock(
            actor=actor, clock=item.clock, start=item.formed_on, reason="date formed corrected"
        )
        item.due_on = clock.due_date
        item.save(update_fields=["due_on"])
    b, a = changes(before, snapshot(item, AUDITED + ("summary", "keywords", "written_on")))
    if a:
        record(actor=actor, verb="disclosure.update_item", obj=item, before=b, after=a, reason=reason)
    if item.status == ItemStatus.PUBLISHED:
        _sync_search(item)
    return item


@action
def add_attachment(*, actor: Any, item: DisclosureItem, name: str, data: bytes) -> Attachment:
    """Attach a file; its type is sniffed from the content, dangerous files are refused."""
    authorize(actor, "edit", item)
    _check_editable(actor, item)
    sniffed, digest = check_upload(data, name)
    clean_name = (name or "file").replace("/", "_").replace("\\", "_").strip()[:150] or "file"
    stem = clean_name.rsplit(".", 1)[0] if "." in clean_name else clean_name
    display = f"{stem}.{sniffed.extension}"
    attachment = Attachment(item=item, name=display, content_type=sniffed.content_type, kind=sniffed.kind, size=len(data),
                            sha256=digest, sort_order=item.attachments.count())  # fmt: skip
    # Stored under a neutral name: the uploader's file name never reaches the file system.
    attachment.file.save(f"{digest[:16]}.{sniffed.extension}", ContentFile(data), save=False)
    attachment.save()
    record(actor=actor, verb="disclosure.add_attachment", obj=item,
           after={"attachment": attachment.pk, "name": display, "type": sniffed.content_type, "size": len(data)})  # fmt: skip
    return attachment


@action
def remove_attachment(*, actor: Any, attachment: Attachment) -> None:
    item = attachment.item
    authorize(actor, "edit", item)
    _check_editable(actor, item)
    record(
        actor=actor,
        verb="disclosure.remove_attachment",
        obj=item,
        before={"attachment": attachment.pk, "name": attachment.name},
    )
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    after_commit(lambda: storage.delete(stored))


@action
def submit_item(*, actor: Any, item: DisclosureItem) -> DisclosureItem:
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    authorize(actor, "submit", item)
    if item.status != ItemStatus.DRAFT:
        raise ActionError(_("Only a draft can be submitted."))
    item.status = ItemStatus.SUBMITTED
    item.submitted_at = timezone.now()
    item.return_reason = ""
    item.save(update_fields=["status", "submitted_at", "return_reason", "updated_at"])
    record(
        actor=actor,
        verb="disclosure.submit_item",
        obj=item,
        before={"status": "draft"},
        after={"status": "submitted"},
    )
    return item


@action
def return_item(*, actor: Any, item: DisclosureItem, reason: str) -> DisclosureItem:
    """The reviewer sends a submitted item back to its clerk with the reason."""
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    authorize(actor, "return", item)
    if item.status != ItemStatus.SUBMITTED:
        raise ActionError(_("Only a submitted item can be returned."))
    if not reason.strip():
        raise ActionError({"reason": [_("Give a reason.")]})
    item.status = ItemStatus.DRAFT
    item.submitted_at = None  # back with the clerk: no longer waiting for review
    item.return_reason = reason.strip()
    item.save(update_fields=["status", "submitted_at", "return_reason", "updated_at"])
    record(actor=actor, verb="disclosure.return_item", obj=item, before={"status": "submitted"}, after={"status": "draft"},
           reason=reason)  # fmt: skip
    return item


def next_index_no(organisation: Organisation, year: int, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive 索引号 serials (row-locked: safe under concurrent publishing)."""
    try:
        with transaction.atomic():
            IndexSerial.objects.get_or_create(organisation=organisation, year=year)
    except IntegrityError:
        pass  # created by a concurrent publisher meanwhile
    row = IndexSerial.objects.select_for_update().get(organisation=organisation, year=year)
    IndexSerial.objects.filter(pk=row.pk).update(last=F("last") + count)
    first = row.last + 1
    return [f"{organisation.code}/{year}-{n:05d}" for n in range(first, first + count)]


@action
def publish_item(*, actor: Any, item: DisclosureItem, published_on: date | None = None) -> DisclosureItem:
    """Publish: assign the 索引号, stop the timeliness clock (late if past 20 working days), index."""
    item = DisclosureItem.objects.select_for_update().select_related("organisation").get(pk=item.pk)
    authorize(actor, "publish", item)
    if item.status not in (ItemStatus.DRAFT, ItemStatus.SUBMITTED):
        raise ActionError(_("Only a draft or submitted item can be published."))
    today = timezone.localdate()
    day = published_on or today
    if day > today:
        raise ActionError({"published_on": [_("The publication date cannot be in the future.")]})
    if day < item.formed_on:
        raise ActionError({"published_on": [_("An item cannot be published before it was formed.")]})
    _check_doc_number(item)
    before = {"status": item.status}
    if not item.index_no:
        item.index_no = next_index_no(item.organisation, day.year)[0]
    item.status = ItemStatus.PUBLISHED
    item.published_on = day
    item.published_at = (
        timezone.now() if day == today else timezone.make_aware(datetime.combine(day, datetime.min.time()))
    )
    item.published_by = actor if getattr(actor, "is_authenticated", False) else None
    item.return_reason = ""
    if item.clock_id:
        clock = close_clock(actor=actor, clock=item.clock, on=day)
        item.due_on, item.late = clock.due_date, not clock.on_time
    item.save()
    record(actor=actor, verb="disclosure.publish_item", obj=item, before=before,
           after={"status": "published", "index_no": item.index_no, "published_on": day, "late": item.late})  # fmt: skip
    _sync_search(item)
    return item


@action
def withdraw_item(*, actor: Any, item: DisclosureItem, reason: str) -> DisclosureItem:
    """Take a published item off the portal (its 索引号 is kept, never reused)."""
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    authorize(actor, "withdraw", item)
    if item.status != ItemStatus.PUBLISHED:
        raise ActionError(_("Only a published item can be withdrawn."))
    if not reason.strip():
        raise ActionError({"reason": [_("Give a reason.")]})
    item.status = ItemStatus.WITHDRAWN
    item.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="disclosure.withdraw_item", obj=item, before={"status": "published"},
           after={"status": "withdrawn"}, reason=reason)  # fmt: skip
    _sync_search(item)
    return item


@action
def change_validity(
    *,
    actor: Any,
    item: DisclosureItem,
    validity: str,
    on: date,
    by_item: DisclosureItem | None = None,
    reason: str = "",
) -> DisclosureItem:
    """Mark a published item amended, repealed or expired (or in force again), with the date
    and the amending or repealing item; the original stays published with a banner."""
    item = DisclosureItem.objects.select_for_update().get(pk=item.pk)
    authorize(actor, "change_validity", item)
    if item.status != ItemStatus.PUBLISHED:
        raise ActionError(_("Only a published item has a validity to change."))
    if validity not in Validity.values:
        raise ActionError({"validity": [_("Unknown validity.")]})
    if on > timezone.localdate() or (item.published_on and on < item.published_on):
        raise ActionError({"on": [_("The date must lie between publication and today.")]})
    if by_item is not None:
        if by_item.pk == item.pk:
            raise ActionError({"by_item": [_("An item cannot amend or repeal itself.")]})
        if by_item.status != ItemStatus.PUBLISHED:
            raise ActionError({"by_item": [_("The amending or repealing item must be published.")]})
    before = {
        "validity": item.validity,
        "validity_changed_on": item.validity_changed_on,
        "superseded_by": item.superseded_by_id,
    }
    item.validity = validity
    item.validity_changed_on = None if validity == Validity.VALID else on
    item.superseded_by = None if validity == Validity.VALID else by_item
    item.save(update_fields=["validity", "validity_changed_on", "superseded_by", "updated_at"])
    record(actor=actor, verb="disclosure.change_validity", obj=item, before=before,
           after={"validity": validity, "validity_changed_on": item.validity_changed_on,
                  "superseded_by": item.superseded_by_id}, reason=reason)  # fmt: skip
    _sync_search(item)
    return item


@dataclass(frozen=True)
class BulkResult:
    item: DisclosureItem
    ok: bool
    message: str


def bulk(actor: Any, items: list[DisclosureItem], run: Any) -> list[BulkResult]:
    """Apply an action to many items, each on its own: one failure does not undo the others."""
    results = []
    for item in items:
        try:
            done = run(actor=actor, item=item)
        except (ActionError, PermissionDenied) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ActionError) else _("Not allowed.")
            results.append(BulkResult(item, False, message))
        else:
            results.append(BulkResult(done, True, ""))
    return results
