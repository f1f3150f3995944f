"""Creating many disclosure items at once (imports of historic catalogues, migrations).

:func:`import_items` keeps every rule of the single actions (``create_item`` then
``publish_item``) but does the work in a fixed number of queries however many
rows there are: permission per target organisation, the same field validation,
文号 unique per organisation (against the database and within the batch),
sanitised bodies, one timeliness clock per item (closed at publication),
consecutive 索引号 serials reserved per organisation and year, one audit event
per item and the search index, all in one transaction. Any bad row rejects the
whole batch, with every problem listed by row and column.

``actor=None`` is the system (the ``gongkai import`` command run by an operator
on the server): no policy is checked, the operator's shell access being the
authority. Every other actor, anonymous included, goes through the policies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongkai.audit.log import record_many
from gongkai.core.actions import ActionError, action, after_commit, snapshot
from gongkai.disclosure.actions import AUDITED, EDITABLE, _clean_fields, next_index_no, policy
from gongkai.disclosure.models import (
    PUBLICATION_LIMIT_DAYS,
    Category,
    DisclosureItem,
    Genre,
    ItemKind,
    ItemStatus,
    Validity,
)
from gongkai.disclosure.text import plain_text
from gongkai.orgs.models import Organisation
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.clock import DEFAULT_WARNING_SHARE, warn_date_for, warning_shares
from gongkai.workdays.engine import DueResult, compute_due, workdays_used
from gongkai.workdays.models import Clock, ClockKind, ClockStatus

BATCH = 500
MAX_LISTED_ERRORS = 200  # messages carried by the exception; ``errors`` keeps them all

# The column that names each field in an import file (the file format's own Chinese headers).
COLUMNS: dict[str, str] = {
    "index_no": "索引号",
    "title": "名称",
    "summary": "内容概述",
    "body": "正文",
    "doc_number": "文号",
    "written_on": "成文日期",
    "formed_on": "生成日期",
    "published_on": "发布日期",
    "organisation": "发布机构",
    "organisation_code": "机构代码",
    "category": "主题分类",
    "genre": "体裁分类",
    "keywords": "主题词",
    "validity": "有效性",
    "validity_changed_on": "有效性变更日期",
    "kind": "类型",
    "channels": "发布渠道",
}

# Fields that full_clean must not check one by one: the relations were resolved
# already (checking them would cost a query per row) and the rest is assigned here.
_NOT_CLEANED = [
    "organisation", "category", "genre", "index_no", "clock", "superseded_by", "created_by", "published_by",
    "status", "published_at", "due_on", "late",
]  # fmt: skip


@dataclass(kw_only=True)
class ItemRow:
    """One item to create. ``row`` is its number in the source (for error messages)."""

    organisation: Organisation
    title: str
    formed_on: date | None
    row: int = 0
    kind: str = ItemKind.ITEM
    summary: str = ""
    body: str = ""
    doc_number: str = ""
    written_on: date | None = None
    category: Category | None = None
    genre: Genre | None = None
    keywords: str = ""
    channels: list[str] = field(default_factory=list)
    published_on: date | None = None  # when publishing; today if not given (historic items carry theirs)
    validity: str = Validity.VALID
    validity_changed_on: date | None = None


@dataclass(frozen=True)
class RowError:
    """One problem: the row (``None`` for the file as a whole), the column and why."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            if not self.column:
                return self.message
            return _("%(column)s: %(reason)s") % {"column": self.column, "reason": self.message}
        if not self.column:
            return _("Row %(row)s: %(reason)s") % {"row": self.row, "reason": self.message}
        return _("Row %(row)s, %(column)s: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "reason": self.message,
        }


class ImportRejected(ActionError):
    """The batch was refused; ``errors`` lists every problem (nothing was stored)."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.row is not None, e.row or 0))
        messages = [str(e) for e in self.errors[:MAX_LISTED_ERRORS]]
        if len(self.errors) > MAX_LISTED_ERRORS:
            more = len(self.errors) - MAX_LISTED_ERRORS
            messages.append(
                ngettext("… and %(n)s more problem.", "… and %(n)s more problems.", more) % {"n": more}
            )
        super().__init__(messages)


@dataclass(frozen=True)
class RowResult:
    row: int
    item_id: int
    index_no: str | None
    status: str
    late: bool | None


@dataclass(frozen=True)
class ImportResult:
    rows: list[RowResult]
    published: int
    drafts: int
    late: int
    organisations: int

    @property
    def created(self) -> int:
        return len(self.rows)


@dataclass
class _Prepared:
    row: ItemRow
    item: DisclosureItem
    published_on: date | None


Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    pass


def validate_rows(
    *,
    actor: Any,
    rows: Sequence[ItemRow],
    publish: bool = True,
    column_labels: Mapping[str, str] | None = None,
) -> tuple[list[_Prepared], list[RowError]]:
    """Check every row as ``create_item`` (and ``publish_item``) would, without storing anything.

    Returns the prepared (unsaved) items and the list of problems; a fixed
    number of queries whatever the number of rows.
    """
    labels = {**COLUMNS, **(column_labels or {})}
    today = timezone.localdate()
    errors: list[RowError] = []

    def err(row: ItemRow, name: str, message: str) -> None:
        errors.append(RowError(row.row, labels.get(name, name), message))

    creator = actor if getattr(actor, "is_authenticated", False) else None

    # Permission and state per target organisation (policies test the object; no query per row).
    refused: dict[int, str] = {}
    for org in {r.organisation.pk: r.organisation for r in rows}.values():
        probe = DisclosureItem(organisation=org)
        if actor is not None and not policy.can(actor, "edit", probe):
            refused[org.pk] = _("You may not add items of %(org)s.") % {"org": org.name}
        elif actor is not None and publish and not policy.can(actor, "publish", probe):
            refused[org.pk] = _("You may not publish items of %(org)s.") % {"org": org.name}
        elif not org.is_active:
            refused[org.pk] = _("The organisation is not active.")

    prepared: list[_Prepared] = []
    seen_numbers: dict[tuple[int, str], int] = {}
    for row in rows:
        n_before = len(errors)
        if row.organisation.pk in refused:
            err(row, "organisation", refused[row.organisation.pk])
        try:
            fields = _clean_fields({name: getattr(row, name) for name in EDITABLE})
        except ActionError as exc:
            for name, messages in exc.message_dict.items():
                for m in messages:
                    err(row, name, m)
            fields = _clean_fields({name: getattr(row, name) for name in EDITABLE if name != "channels"})
        item = DisclosureItem(organisation=row.organisation, created_by=creator, **fields)
        item.body_text = plain_text(item.body)
        # The same rules as actions._validate, reported all at once.
        if item.written_on and item.formed_on and item.written_on > item.formed_on:
            err(row, "formed_on", _("The date formed cannot be before the date written."))
        if item.formed_on and item.formed_on > today:
            err(row, "formed_on", _("The date formed cannot be in the future."))
        try:
            item.full_clean(exclude=_NOT_CLEANED, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for m in messages:
                    err(row, name, m)
        if item.doc_number:
            key = (row.organisation.pk, item.doc_number)
            if key in seen_numbers:
                err(row, "doc_number", _("The document number %(no)s is already used in row %(row)s.")
                    % {"no": item.doc_number, "row": seen_numbers[key]})  # fmt: skip
            else:
                seen_numbers[key] = row.row
        day = None
        if publish:
            day = row.published_on or today
            if day > today:
                err(row, "published_on", _("The publication date cannot be in the future."))
            elif item.formed_on and day < item.formed_on:
                err(row, "published_on", _("An item cannot be published before it was formed."))
            if row.validity not in Validity.values:
                err(row, "validity", _("Unknown validity."))
            else:
                item.validity = row.validity
            if row.validity_changed_on is not None:
                if row.validity == Validity.VALID:
                    err(row, "validity_changed_on", _("An item in force has no date of change."))
                elif row.validity_changed_on > today or row.validity_changed_on < day:
                    err(row, "validity_changed_on", _("The date must lie between publication and today."))
                else:
                    item.validity_changed_on = row.validity_changed_on
        if len(errors) == n_before:
            prepared.append(_Prepared(row, item, day))

    # 文号 already taken in the database (one query per chunk of numbers).
    if seen_numbers:
        by_number = defaultdict(set)
        for org_id, number in seen_numbers:
            by_number[number].add(org_id)
        numbers = sorted(by_number)
        org_ids = sorted({org_id for org_id, _n in seen_numbers})
        taken: set[tuple[int, str]] = set()
        for i in range(0, len(numbers), BATCH):
            taken.update(
                DisclosureItem.objects.filter(
                    organisation_id__in=org_ids, doc_number__in=numbers[i : i + BATCH]
                )
                .exclude(status=ItemStatus.WITHDRAWN)
                .values_list("organisation_id", "doc_number")
            )
        if taken:
            for key, row_no in seen_numbers.items():
                if key in taken:
                    errors.append(RowError(row_no, labels["doc_number"],
                                           _("Another item of this organisation already has the document number %(no)s.")
                                           % {"no": key[1]}))  # fmt: skip
            prepared = [p for p in prepared if (p.item.organisation_id, p.item.doc_number) not in taken]
    return prepared, errors


@action
def import_items(
    *,
    actor: Any,
    rows: list[ItemRow],
    publish: bool = True,
    reason: str = "",
    column_labels: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Create (and, with ``publish``, publish) one item per row; all or nothing.

    Raises :class:`ImportRejected` (an ``ActionError``) listing every bad row.
    ``published_on`` and ``validity`` of a row apply only when publishing;
    drafts start in force, without a publication date.
    """
    progress = progress or _noop
    total = len(rows)
    if not rows:
        raise ActionError(_("There is nothing to import."))
    prepared, errors = validate_rows(actor=actor, rows=rows, publish=publish, column_labels=column_labels)
    if errors:
        raise ImportRejected(errors)
    progress("validated", total, total)

    today = timezone.localdate()
    now = timezone.now()
    publisher = actor if getattr(actor, "is_authenticated", False) else None
    cal = get_calendar()
    dues: dict[date, DueResult] = {}

    def due(start: date) -> DueResult:
        if start not in dues:
            dues[start] = compute_due(cal, start, PUBLICATION_LIMIT_DAYS, today=today)
        return dues[start]

    # 索引号: consecutive serials per organisation and year, in order of publication.
    if publish:
        groups: dict[tuple[int, int], list[_Prepared]] = defaultdict(list)
        for p in prepared:
            groups[(p.item.organisation_id, p.published_on.year)].append(p)  # type: ignore[union-attr]
        for (_org_id, year), members in sorted(groups.items()):
            members.sort(key=lambda p: (p.published_on, p.row.row))
            numbers = next_index_no(members[0].row.organisation, year, count=len(members))
            for p, number in zip(members, numbers, strict=True):
                p.item.index_no = number

    # One clock per item: started on the date formed, closed on publication; its supervision
    # fields (warning date, working days used) as the clock's own computation sets them.
    share = warning_shares().get(ClockKind.DISCLOSURE, DEFAULT_WARNING_SHARE)
    warns: dict[date, date | None] = {}
    used: dict[tuple[date, date], int] = {}
    clocks = []
    for p in prepared:
        result = due(p.item.formed_on)
        closed = p.published_on
        if p.item.formed_on not in warns:
            warns[p.item.formed_on] = warn_date_for(
                cal, p.item.formed_on, PUBLICATION_LIMIT_DAYS, share, due=result.due
            )
        if closed and (p.item.formed_on, closed) not in used:
            used[(p.item.formed_on, closed)] = workdays_used(cal, p.item.formed_on, closed)
        clocks.append(Clock(
            kind=ClockKind.DISCLOSURE, organisation_id=p.item.organisation_id, label=p.item.title[:200],
            start_date=p.item.formed_on, original_start_date=p.item.formed_on, limit_days=PUBLICATION_LIMIT_DAYS,
            due_date=result.due, provisional=result.provisional, closed_on=closed,
            status=ClockStatus.CLOSED if closed else (ClockStatus.PAUSED if result.paused else ClockStatus.RUNNING),
            on_time=(result.due is not None and closed <= result.due) if closed else None,
            warn_date=warns[p.item.formed_on], used_days=used[(p.item.formed_on, closed)] if closed else None,
        ))  # fmt: skip
    Clock.objects.bulk_create(clocks, batch_size=BATCH)
    progress("clocks", total, total)

    items = []
    for p, clock in zip(prepared, clocks, strict=True):
        item = p.item
        item.clock = clock
        item.due_on = clock.due_date
        if publish:
            day = p.published_on
            item.status = ItemStatus.PUBLISHED
            item.published_on = day
            item.published_at = (
                now if day == today else timezone.make_aware(datetime.combine(day, datetime.min.time()))
            )
            item.published_by = publisher
            item.late = not clock.on_time
        else:
            item.status = ItemStatus.DRAFT
        items.append(item)
    for i in range(0, len(items), BATCH):
        try:
            with transaction.atomic():
                DisclosureItem.objects.bulk_create(items[i : i + BATCH])
        except IntegrityError as exc:  # a concurrent writer took one of the 文号 since the check
            raise ActionError(
                {"doc_number": [_("Another item of this organisation already has this document number.")]}
            ) from exc
        progress("items", min(i + BATCH, total), total)

    # Point each clock at its item (one UPDATE per batch, not per row).
    ct = ContentType.objects.get_for_model(DisclosureItem)
    clock_ids = [c.pk for c in clocks]
    item_of_clock = DisclosureItem.objects.filter(clock_id=OuterRef("pk")).values("pk")[:1]
    for i in range(0, len(clock_ids), BATCH):
        Clock.objects.filter(pk__in=clock_ids[i : i + BATCH]).update(
            content_type=ct, object_id=Cast(Subquery(item_of_clock), output_field=CharField())
        )
    for item, clock in zip(items, clocks, strict=True):
        clock.content_type, clock.object_id = ct, str(item.pk)

    verb = "disclosure.import_item"
    afters = []
    for item in items:
        after = snapshot(item, AUDITED)
        after.update(due_on=item.due_on, late=item.late, clock=item.clock_id, imported=True)
        afters.append(after)
    record_many(actor=actor, verb=verb, objects=items, after=afters, reason=reason)
    progress("audit", total, total)

    published = [item for item in items if item.status == ItemStatus.PUBLISHED]
    if published:
        from gongkai.search import index

        index.sync_items(published)
    progress("indexed", total, total)

    from gongkai.portal import cache

    after_commit(cache.bump)
    return ImportResult(
        rows=[
            RowResult(p.row.row, item.pk, item.index_no, item.status, item.late)
            for p, item in zip(prepared, items, strict=True)
        ],
        published=len(published),
        drafts=len(items) - len(published),
        late=sum(1 for item in items if item.late),
        organisations=len({item.organisation_id for item in items}),
    )
