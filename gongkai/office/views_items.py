"""Back office for proactive disclosure (主动公开): items and news, review, timeliness.

Thin views over ``DisclosureItemPolicy`` and ``gongkai.disclosure.actions``:
every object is fetched through the policy (another unit's item is a 404),
every change is a POST that calls an action, and an action's errors go back
onto the form that was sent.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from gongkai.core.actions import ActionError
from gongkai.core.files import MB
from gongkai.disclosure import actions
from gongkai.disclosure.models import (
    PUBLICATION_LIMIT_DAYS,
    Category,
    Channel,
    DisclosureItem,
    ItemKind,
    ItemStatus,
    Validity,
)
from gongkai.disclosure.policies import DisclosureItemPolicy
from gongkai.disclosure.text import sanitise
from gongkai.office import forms_items as forms
from gongkai.office.queues import ALL, WORK, CountedPaginator, Tab, TabCount, count_tabs
from gongkai.office.views import run_form, staff_required
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.policies import OrganisationPolicy
from gongkai.orgs.scope import scope_ids, scope_in
from gongkai.workdays.calendar import get_calendar

policy = DisclosureItemPolicy()
orgs_policy = OrganisationPolicy()

PAGE_SIZE = 50
REVIEW_PAGE_SIZE = 100
# Uploads above this are refused before they are read into memory.
MAX_UPLOAD_BYTES = 50 * MB
MAX_FILES_PER_UPLOAD = 20
MAX_BULK = 500
# "Approaching": at most this many working days left before the 20-working-day limit.
APPROACHING_DAYS = 5
TIMELINESS_ROWS = 200
OPEN = (ItemStatus.DRAFT, ItemStatus.SUBMITTED)
WRITER_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)
ROW_RELATED = ("organisation", "category", "genre")
DETAIL_RELATED = ("organisation", "category", "genre", "superseded_by", "clock", "created_by", "published_by")


# --- helpers ----------------------------------------------------------------------------------


def _office_items(user: Any) -> QuerySet:
    """Items whose back-office pages the user may open."""
    return policy.filter(user, "view_office")


def _item(request: HttpRequest, pk: int, verb: str = "view_office") -> DisclosureItem:
    """The item if the user may open it in the office (else 404) and do ``verb`` on it (else 403)."""
    item = policy.get(
        request.user, "view_office", queryset=DisclosureItem.objects.select_related(*DETAIL_RELATED), pk=pk
    )
    if verb != "view_office" and not policy.can(request.user, verb, item):
        raise PermissionDenied
    return item


def _may_change_content(user: Any, item: DisclosureItem) -> bool:
    """Edit the metadata and the attachments: a writer, and a publisher once the item is published."""
    if item.status == ItemStatus.WITHDRAWN or not policy.can(user, "edit", item):
        return False
    return item.status != ItemStatus.PUBLISHED or policy.can(user, "publish", item)


def _writable_orgs(user: Any) -> list[Organisation]:
    """Active organisations in which the user may write a new item (per the policy's "edit" rule)."""
    qs = Organisation.objects.filter(is_active=True).order_by("path")
    if not user.is_superuser:
        qs = qs.filter(pk__in=scope_in(user, WRITER_ROLES))
    return [org for org in qs if policy.can(user, "edit", DisclosureItem(organisation=org))]


def _may_write_somewhere(user: Any) -> bool:
    return bool(user.is_superuser or scope_ids(user, WRITER_ROLES))


def _categories() -> list[Category]:
    return list(Category.objects.all())


def _today() -> date:
    return timezone.localdate()


def _approaching_before(today: date, cal: Any) -> date:
    """Due dates before this day leave at most APPROACHING_DAYS working days from ``today``."""
    return cal.add_workdays(today, APPROACHING_DAYS + 1)


def _timeliness_filter(qs: QuerySet, which: str, today: date, cal: Any) -> QuerySet:
    if which == "late":
        return qs.filter(late=True)
    if which == "overdue":
        return qs.filter(status__in=OPEN, due_on__lt=today)
    if which == "approaching":
        return qs.filter(status__in=OPEN, due_on__gte=today, due_on__lt=_approaching_before(today, cal))
    return qs


def _apply_filters(
    qs: QuerySet, f: dict[str, Any], categories: list[Category], today: date, cal: Any
) -> QuerySet:
    """Every filter but the status (the status tabs count across it)."""
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(Q(title__icontains=q) | Q(doc_number__icontains=q) | Q(index_no__icontains=q))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("organisation"):
        org = f["organisation"]
        qs = (
            qs.filter(organisation__path__startswith=org.path)
            if f.get("below")
            else qs.filter(organisation=org)
        )
    if f.get("category"):
        qs = qs.filter(category_id__in=forms.category_descendants(categories, f["category"].pk))
    if f.get("genre"):
        qs = qs.filter(genre=f["genre"])
    if f.get("validity"):
        qs = qs.filter(validity=f["validity"])
    if f.get("timeliness"):
        qs = _timeliness_filter(qs, f["timeliness"], today, cal)
    field = f.get("date_field") or "formed_on"
    if f.get("date_from"):
        qs = qs.filter(**{f"{field}__gte": f["date_from"]})
    if f.get("date_to"):
        qs = qs.filter(**{f"{field}__lte": f["date_to"]})
    return qs


def _status_counts(qs: QuerySet) -> dict[str, TabCount]:
    """Items per status tab (see ``queues.count_tabs``): drafts and submitted items, the work in
    hand, exactly; all, published and withdrawn (a province's three million) up to a limit."""
    tabs = [Tab("", Q(), ALL)] + [
        Tab(s, Q(status=s), WORK if s in OPEN else ALL) for s in ItemStatus.values
    ]
    return count_tabs(qs, tabs)


@dataclass
class Timeliness:
    due_on: date | None
    late: bool | None
    remaining: int | None = None  # working days left (unpublished, not yet due)
    overdue_by: int | None = None  # working days past the due date (unpublished)
    approaching: bool = False


def _timeliness(item: DisclosureItem, today: date, cal: Any) -> Timeliness:
    info = Timeliness(due_on=item.due_on, late=item.late)
    if item.due_on is not None and item.status in OPEN:
        if item.due_on >= today:
            info.remaining = cal.workdays_between(today, item.due_on)
            info.approaching = info.remaining <= APPROACHING_DAYS
        else:
            info.overdue_by = cal.workdays_between(item.due_on, today)
    return info


def _ids_from(request: HttpRequest) -> tuple[list[int], list[str]]:
    """The ``ids`` posted: the valid ones (deduplicated, in order) and the rejected raw values."""
    ids: list[int] = []
    bad: list[str] = []
    for raw in request.POST.getlist("ids"):
        text = raw.strip()
        if text.isdecimal() and text.isascii() and 0 < len(text) <= 18 and int(text) > 0:
            if int(text) not in ids:
                ids.append(int(text))
        else:
            bad.append(text[:40])
    return ids, bad


# --- list -------------------------------------------------------------------------------------


@staff_required
def item_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    categories = _categories()
    orgs = list(orgs_policy.filter(user, "view_office").order_by("path"))
    form = forms.ItemFilterForm(request.GET or None, organisations=orgs, categories=categories)
    f = form.values()
    today, cal = _today(), get_calendar()
    filtered = _apply_filters(_office_items(user), f, categories, today, cal)
    counts = _status_counts(filtered)
    status = f.get("status", "")
    rows = filtered.filter(status=status) if status else filtered
    rows = rows.select_related(*ROW_RELATED).order_by("-updated_at", "-id")
    page = CountedPaginator(rows, PAGE_SIZE, counts[status]).get_page(request.GET.get("page"))
    bulk_rows = False
    for item in page:
        item.timeliness = _timeliness(item, today, cal)
        item.can_bulk = item.status == ItemStatus.PUBLISHED and policy.can(user, "change_validity", item)
        bulk_rows = bulk_rows or item.can_bulk
    tabs = [("", _("All"), counts[""])] + [(s, label, counts[s]) for s, label in ItemStatus.choices]
    return render(request, "office/items/list.html", {
        "form": form, "page": page, "tabs": tabs, "status": status, "bulk_rows": bulk_rows,
        "bulk_form": forms.BulkForm(auto_id="bulk_%s", ops=("repeal", "expire")),
        "can_create": _may_write_somewhere(user),
    })  # fmt: skip


# --- create / edit ----------------------------------------------------------------------------


@staff_required
def item_create(request: HttpRequest) -> HttpResponse:
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise PermissionDenied
    initial: dict[str, Any] = {"formed_on": _today()}
    wanted = request.GET.get("organisation", "")
    if any(str(o.pk) == wanted for o in orgs):
        initial["organisation"] = wanted
    elif len(orgs) == 1:
        initial["organisation"] = str(orgs[0].pk)
    form = forms.ItemForm(request.POST or None, categories=_categories(), organisations=orgs, initial=initial)
    item = run_form(request, form, lambda d: actions.create_item(
        actor=request.user, organisation=d["organisation"], **form.action_fields()
    ))  # fmt: skip
    if item:
        messages.success(request, _("Draft “%(title)s” saved.") % {"title": item.title})
        return redirect("office:item_detail", pk=item.pk)
    return render(request, "office/items/form.html", {"form": form, "item": None})


@staff_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk, "edit")
    if not _may_change_content(request.user, item):
        raise PermissionDenied
    form = forms.ItemForm(
        request.POST or None, categories=_categories(), item=item, initial=forms.ItemForm.initial_from(item)
    )
    if run_form(request, form, lambda d: actions.update_item(
        actor=request.user, item=item, reason=d.get("reason", ""), **form.action_fields()
    )):  # fmt: skip
        messages.success(request, _("Changes saved."))
        return redirect("office:item_detail", pk=item.pk)
    return render(request, "office/items/form.html", {"form": form, "item": item})


# --- detail and workflow ----------------------------------------------------------------------


def _detail(request: HttpRequest, item: DisclosureItem, **bound: Any) -> HttpResponse:
    user = request.user
    today = _today()
    clock_text = ""
    if item.clock_id:
        from gongkai.workdays.clock import explanation

        clock_text = explanation(item.clock, translation.get_language() or "zh")
    status = item.status
    can = {
        "edit": _may_change_content(user, item),
        "submit": status == ItemStatus.DRAFT and policy.can(user, "submit", item),
        "return": status == ItemStatus.SUBMITTED and policy.can(user, "return", item),
        "publish": status in OPEN and policy.can(user, "publish", item),
        "withdraw": status == ItemStatus.PUBLISHED and policy.can(user, "withdraw", item),
        "validity": status == ItemStatus.PUBLISHED and policy.can(user, "change_validity", item),
    }
    for key, form in bound.items():
        if not can.get(key.removesuffix("_form")):
            # The item moved on meanwhile (e.g. was published by someone else), so the form is not
            # shown any more: its errors become messages.
            for error in form.errors.values():
                for message in error:
                    messages.error(request, message)
    context = {
        "item": item,
        "body_html": mark_safe(sanitise(item.body)),  # cleaned by nh3 on save, and again here
        "channels": [label for value, label in Channel.choices if value in (item.channels or [])],
        "attachments": list(item.attachments.all()),
        "supersedes": list(policy.visible_to(user, item.supersedes.all()).only("pk", "title", "index_no")),
        "timeliness": _timeliness(item, today, get_calendar()),
        "clock_text": clock_text,
        "can": can,
        "return_form": forms.ReasonForm(auto_id="return_%s"),
        "withdraw_form": forms.ReasonForm(auto_id="withdraw_%s"),
        "publish_form": forms.PublishForm(auto_id="publish_%s"),
        "validity_form": forms.ValidityForm(auto_id="validity_%s"),
        "upload_form": forms.UploadForm(auto_id="upload_%s"),
        "max_upload_mb": MAX_UPLOAD_BYTES // MB,
    }
    context.update(bound)
    return render(request, "office/items/detail.html", context)


@staff_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _item(request, pk))


@require_safe
@never_cache
def item_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The item as the portal's item page will show it once published, under a "not published" banner.

    Rendered with the portal's own item template and the context its view gives it. Only those who
    may open the item in the back office see it; anyone else, anonymous visitors and citizens
    included, gets a 404, as for an item that does not exist. Never cached, never indexed. A
    published item has its real portal page, so the preview sends the reader there.
    """
    item = _item(request, pk)
    if item.status == ItemStatus.PUBLISHED:
        return redirect("portal:item", pk=item.pk)
    shown = copy.copy(item)  # placeholders for what publication assigns, never saved
    if not shown.index_no:
        shown.index_no = _("(assigned on publication)")
    if not shown.published_on:
        shown.published_on = _today()
    replacement = item.superseded_by if item.superseded_by and item.superseded_by.is_public else None
    supersedes: list[DisclosureItem] = []
    if item.kind == ItemKind.ITEM:
        older = policy.visible_to(request.user, item.supersedes.filter(status=ItemStatus.PUBLISHED))
        supersedes = list(older.only("pk", "title", "validity", "validity_changed_on", "index_no"))
    response = render(request, "office/items/preview.html", {
        # The context of the portal's item page (gongkai.portal.views.item) ...
        "nav": "news" if item.kind == ItemKind.NEWS else "catalogue",
        "item": shown,
        "is_news": item.kind == ItemKind.NEWS,
        "attachments": list(item.attachments.all()),
        "replacement": replacement,
        "supersedes": supersedes,
        "changed": item.validity != Validity.VALID,
        # ... and the way back.
        "office_item": item,
    })  # fmt: skip
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _done(request: HttpRequest, item: DisclosureItem, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("office:item_detail", pk=item.pk)


@staff_required
@require_POST
def item_submit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk, "submit")
    try:
        actions.submit_item(actor=request.user, item=item)
    except ActionError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("office:item_detail", pk=item.pk)
    return _done(request, item, _("Submitted for review."))


def _form_action(
    request: HttpRequest, item: DisclosureItem, form: Any, key: str, run: Any, ok: Any
) -> HttpResponse:
    """Run ``run(cleaned_data)`` for a valid form; else show the item again with the form's errors."""
    result = run_form(request, form, run)
    if result:
        return _done(request, item, ok(result))
    return _detail(request, item, **{key: form})


@staff_required
@require_POST
def item_return(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk, "return")
    form = forms.ReasonForm(request.POST, auto_id="return_%s")
    return _form_action(
        request, item, form, "return_form",
        lambda d: actions.return_item(actor=request.user, item=item, reason=d["reason"]),
        lambda _r: _("Returned to the clerk."),
    )  # fmt: skip


@staff_required
@require_POST
def item_publish(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk, "publish")
    form = forms.PublishForm(request.POST, auto_id="publish_%s")
    return _form_action(
        request, item, form, "publish_form",
        lambda d: actions.publish_item(actor=request.user, item=item, published_on=d["published_on"]),
        lambda done: _("Published with the index number %(no)s.") % {"no": done.index_no},
    )  # fmt: skip


@staff_required
@require_POST
def item_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk, "withdraw")
    form = forms.ReasonForm(request.POST, auto_id="withdraw_%s")
    return _form_action(
        request, item, form, "withdraw_form",
        lambda d: actions.withdraw_item(actor=request.user, item=item, reason=d["reason"]),
        lambda _r: _("Withdrawn from the portal."),
    )  # fmt: skip


def _find_item(user: Any, ref: str) -> DisclosureItem | None:
    """An item the user may see, by 索引号 (preferred) or by id."""
    ref = ref.strip()
    visible = policy.visible_to(user)
    found = visible.filter(index_no=ref).first()
    if found is None and ref.isdecimal() and ref.isascii() and len(ref) <= 18:
        found = visible.filter(pk=int(ref)).first()
    return found


@staff_required
@require_POST
def item_validity(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk, "change_validity")
    form = forms.ValidityForm(request.POST, auto_id="validity_%s")
    if form.is_valid() and form.cleaned_data["by_item"]:
        by_item = _find_item(request.user, form.cleaned_data["by_item"])
        if by_item is None:
            form.add_error("by_item", _("No item you can see has this index number or id."))
        else:
            form.cleaned_data["by_item"] = by_item

    def run(d: dict[str, Any]) -> Any:
        return actions.change_validity(
            actor=request.user, item=item, validity=d["validity"], on=d["on"], by_item=d["by_item"] or None,
            reason=d["reason"],
        )  # fmt: skip

    return _form_action(
        request, item, form, "validity_form", run,
        lambda done: _("Validity changed to “%(validity)s”.") % {"validity": done.get_validity_display()},
    )  # fmt: skip


# --- attachments ------------------------------------------------------------------------------


@staff_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk, "edit")
    if not _may_change_content(request.user, item):
        raise PermissionDenied
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, _("Choose at least one file."))
    elif len(files) > MAX_FILES_PER_UPLOAD:
        n = MAX_FILES_PER_UPLOAD
        text = ngettext("Upload at most %(n)s file at a time.", "Upload at most %(n)s files at a time.", n)
        messages.error(request, text % {"n": n})
        files = []
    for upload in files:
        name = upload.name or "file"
        if upload.size > MAX_UPLOAD_BYTES:
            messages.error(request, _("“%(name)s” is too large: at most %(mb)s MB per file.")
                           % {"name": name, "mb": MAX_UPLOAD_BYTES // MB})  # fmt: skip
            continue
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            attachment = actions.add_attachment(actor=request.user, item=item, name=name, data=data)
        except ActionError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("“%(name)s” attached.") % {"name": attachment.name})
    return redirect("office:item_detail", pk=item.pk)


@staff_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    item = _item(request, pk, "edit")
    if not _may_change_content(request.user, item):
        raise PermissionDenied
    attachment = item.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    name = attachment.name
    try:
        actions.remove_attachment(actor=request.user, attachment=attachment)
    except ActionError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” removed.") % {"name": name})
    return redirect("office:item_detail", pk=item.pk)


# --- review queue and bulk actions ------------------------------------------------------------


@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted items the user may publish, the longest-waiting (earliest due) first."""
    user = request.user
    qs = policy.filter(user, "publish", _office_items(user)).filter(status=ItemStatus.SUBMITTED)
    qs = qs.select_related(*ROW_RELATED).order_by("due_on", "formed_on", "id")
    page = Paginator(qs, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    today, cal = _today(), get_calendar()
    for item in page:
        item.timeliness = _timeliness(item, today, cal)
    return render(request, "office/items/review.html", {
        "page": page, "bulk_form": forms.BulkForm(auto_id="bulk_%s", ops=("publish",)),
    })  # fmt: skip


def _bulk_run(op: str, day: date | None, reason: str) -> Any:
    if op == "publish":
        return lambda *, actor, item: actions.publish_item(actor=actor, item=item, published_on=day)
    validity = Validity.REPEALED if op == "repeal" else Validity.EXPIRED
    on = day or _today()
    return lambda *, actor, item: actions.change_validity(
        actor=actor, item=item, validity=validity, on=on, reason=reason
    )


@dataclass
class BulkRow:
    ref: str
    item: DisclosureItem | None
    ok: bool
    message: str


@staff_required
@require_POST
def item_bulk(request: HttpRequest) -> HttpResponse:
    """Publish, repeal or mark expired many items; each succeeds or fails on its own."""
    form = forms.BulkForm(request.POST, auto_id="bulk_%s")
    ids, bad = _ids_from(request)
    rows: list[BulkRow] = []
    op = request.POST.get("op", "")
    back = (
        reverse("office:item_review")
        if op == "publish"
        else reverse("office:item_list") + "?status=published"
    )
    if not form.is_valid():
        return render(
            request, "office/items/bulk_results.html", {"form": form, "rows": rows, "back": back}, status=400
        )
    if not ids and not bad:
        messages.error(request, _("Select at least one item."))
        return redirect(back)
    if len(ids) + len(bad) > MAX_BULK:
        text = ngettext(
            "Select at most %(n)s item at a time.", "Select at most %(n)s items at a time.", MAX_BULK
        )
        messages.error(request, text % {"n": MAX_BULK})
        return redirect(back)
    d = form.cleaned_data
    found = {i.pk: i for i in _office_items(request.user).filter(pk__in=ids).select_related("organisation")}
    items = [found[i] for i in ids if i in found]
    results = {
        r.item.pk: r for r in actions.bulk(request.user, items, _bulk_run(d["op"], d["on"], d["reason"]))
    }
    for i in ids:
        if i in results:
            r = results[i]
            rows.append(BulkRow(str(i), r.item, r.ok, r.message))
        else:
            rows.append(BulkRow(str(i), None, False, _("No such item, or not one of yours.")))
    rows.extend(BulkRow(raw, None, False, _("Not a valid item id.")) for raw in bad)
    done = sum(r.ok for r in rows)
    return render(request, "office/items/bulk_results.html", {
        "form": form, "rows": rows, "back": back, "done": done, "failed": len(rows) - done,
        "op_label": forms.BULK_OPS[d["op"]],
    })  # fmt: skip


# --- timeliness -------------------------------------------------------------------------------


@staff_required
def timeliness(request: HttpRequest) -> HttpResponse:
    """Unpublished items near or past the 20-working-day limit, and items published late."""
    user = request.user
    today, cal = _today(), get_calendar()
    period = forms.PeriodForm(request.GET or None)
    start, end = date(today.year, 1, 1), today
    if period.is_bound and period.is_valid():
        start = period.cleaned_data["date_from"] or start
        end = period.cleaned_data["date_to"] or end
    base = _office_items(user).select_related(*ROW_RELATED)
    overdue = list(
        _timeliness_filter(base, "overdue", today, cal).order_by("due_on", "id")[: TIMELINESS_ROWS + 1]
    )
    approaching = list(
        _timeliness_filter(base, "approaching", today, cal).order_by("due_on", "id")[: TIMELINESS_ROWS + 1]
    )
    late = list(base.filter(late=True, published_on__gte=start, published_on__lte=end)
                .order_by("-published_on", "-id")[: TIMELINESS_ROWS + 1])  # fmt: skip
    for item in (*overdue, *approaching):
        item.timeliness = _timeliness(item, today, cal)
    for item in late:
        item.late_by = (
            cal.workdays_between(item.due_on, item.published_on)
            if item.due_on and item.published_on
            else None
        )
    sections = [
        ("overdue", _("Past the limit, not yet published"), overdue[:TIMELINESS_ROWS], len(overdue) > TIMELINESS_ROWS),
        ("approaching", ngettext("Due within %(n)s working day", "Due within %(n)s working days", APPROACHING_DAYS)
         % {"n": APPROACHING_DAYS},
         approaching[:TIMELINESS_ROWS], len(approaching) > TIMELINESS_ROWS),
    ]  # fmt: skip
    return render(request, "office/items/timeliness.html", {
        "sections": sections, "late": late[:TIMELINESS_ROWS], "late_more": len(late) > TIMELINESS_ROWS,
        "period": period, "start": start, "end": end, "today": today, "limit": PUBLICATION_LIMIT_DAYS,
    })  # fmt: skip
