"""Back-office forms for proactive disclosure (主动公开). They validate input; the actions do the change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.widgets import FastSelect
from gongkai.disclosure.models import Category, Channel, DisclosureItem, Genre, ItemKind, ItemStatus, Validity
from gongkai.orgs.models import Organisation

INDENT = "\u3000"  # an ideographic space per level of a tree


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def category_choices(categories: Iterable[Category]) -> list[tuple[str, str]]:
    """The categories in tree order, each indented by its depth."""
    children: dict[int | None, list[Category]] = defaultdict(list)
    known = {c.pk for c in categories}
    for c in categories:
        children[c.parent_id if c.parent_id in known else None].append(c)
    out: list[tuple[str, str]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            if c.pk in seen:  # a cycle in hand-edited data must not hang the page
                continue
            seen.add(c.pk)
            out.append((str(c.pk), INDENT * depth + c.name))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


def category_descendants(categories: Iterable[Category], root_id: int) -> set[int]:
    """``root_id`` and the ids of every category below it."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for c in categories:
        children[c.parent_id].append(c.pk)
    found, todo = {root_id}, [root_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def org_choices(organisations: Iterable[Organisation]) -> list[tuple[str, str]]:
    orgs = list(organisations)
    top = min((o.depth for o in orgs), default=0)
    return [(str(o.pk), INDENT * max(0, o.depth - top) + o.name) for o in orgs]


class CategoryChoiceField(forms.ChoiceField):
    """A select of the category tree, indented; cleans to a Category (or None)."""

    widget = FastSelect

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.by_pk: dict[str, Category] = {}

    def set_categories(self, categories: list[Category], blank_label: str) -> None:
        self.by_pk = {str(c.pk): c for c in categories}
        self.choices = [("", blank_label), *category_choices(categories)]

    def clean(self, value: Any) -> Category | None:
        value = super().clean(value)
        return self.by_pk.get(value) if value else None


class OrganisationChoiceField(forms.ChoiceField):
    """A select of organisations in tree order, indented; cleans to an Organisation."""

    widget = FastSelect

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_pk: dict[str, Organisation] = {}

    def set_organisations(self, organisations: list[Organisation], blank_label: str | None) -> None:
        self.by_pk = {str(o.pk): o for o in organisations}
        choices = org_choices(organisations)
        self.choices = [("", blank_label), *choices] if blank_label is not None else choices

    def clean(self, value: Any) -> Organisation | None:
        value = super().clean(value)
        return self.by_pk.get(value) if value else None


class ItemForm(forms.Form):
    """A draft's (or a published item's) metadata, body and channels."""

    organisation = OrganisationChoiceField(label=_("Publishing organisation"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, initial=ItemKind.ITEM)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary (内容概述)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=_("Body (HTML)"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Paste or write HTML. It is cleaned when saved: headings, paragraphs, lists, tables, links and "
            "images are kept; scripts, styles, event handlers and embedded frames are removed."
        ),
    )  # fmt: skip
    doc_number = forms.CharField(label=_("Document number (文号)"), max_length=100, required=False)
    written_on = forms.DateField(label=_("Date written (成文日期)"), required=False, widget=DateInput())
    formed_on = forms.DateField(
        label=_("Date formed or changed (生成/变更日期)"), widget=DateInput(),
        help_text=_("The 20-working-day publication limit counts from this date."),
    )  # fmt: skip
    category = CategoryChoiceField(label=_("Subject category"))
    genre = forms.ModelChoiceField(label=_("Genre"), queryset=Genre.objects.all(), required=False,
                                   empty_label=_("(none)"))  # fmt: skip
    keywords = forms.CharField(label=_("Keywords (主题词)"), max_length=200, required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=500, required=False,
        help_text=_("Recorded in the item's history."),
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        categories: list[Category],
        organisations: list[Organisation] | None = None,
        item: DisclosureItem | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["category"].set_categories(categories, str(_("(none)")))
        if item is None:
            self.fields["organisation"].set_organisations(organisations or [], None)
            del self.fields["reason"]
        else:
            del self.fields["organisation"]  # an item stays with its organisation
            if item.status != ItemStatus.PUBLISHED:
                del self.fields["reason"]

    def action_fields(self) -> dict[str, Any]:
        """The cleaned data as the keyword arguments of create_item / update_item."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("organisation", "reason")}

    @classmethod
    def initial_from(cls, item: DisclosureItem) -> dict[str, Any]:
        return {
            "kind": item.kind, "title": item.title, "summary": item.summary, "body": item.body,
            "doc_number": item.doc_number, "written_on": item.written_on, "formed_on": item.formed_on,
            "category": str(item.category_id) if item.category_id else "", "genre": item.genre_id,
            "keywords": item.keywords, "channels": list(item.channels or []),
        }  # fmt: skip


class UploadForm(forms.Form):
    files = forms.FileField(
        label=_("Files"), required=False, widget=MultipleFileInput(),
        help_text=_("PDF, Word, Excel, WPS or OFD documents, images, MP4/WebM video; at most 50 MB each. "
                    "The type is checked from the content, not the name."),
    )  # fmt: skip


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    published_on = forms.DateField(
        label=_("Publication date"), required=False, widget=DateInput(),
        help_text=_("Leave empty for today."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"published_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ValidityForm(forms.Form):
    validity = forms.ChoiceField(label=_("Validity"), choices=Validity.choices)
    on = forms.DateField(label=_("With effect from"), widget=DateInput())
    by_item = forms.CharField(
        label=_("Amended or repealed by"), max_length=60, required=False,
        help_text=_("The index number (索引号) or id of the published item that amends or repeals this one."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


BULK_OPS = {
    "publish": _("Publish"),
    "repeal": _("Mark repealed"),
    "expire": _("Mark expired"),
}


class BulkForm(forms.Form):
    op = forms.ChoiceField(label=_("Action"), choices=list(BULK_OPS.items()))
    on = forms.DateField(
        label=_("Date"), required=False, widget=DateInput(), help_text=_("Leave empty for today.")
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, ops: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ops is not None:  # the choices offered on a page (any operation is accepted when posted)
            self.fields["op"].choices = [(op, BULK_OPS[op]) for op in ops]


TIMELINESS = [
    ("approaching", _("Due within 5 working days")),
    ("overdue", _("Past the 20-working-day limit, unpublished")),
    ("late", _("Published late")),
]
DATE_FIELDS = [("formed_on", _("Date formed or changed")), ("published_on", _("Date published"))]


class ItemFilterForm(forms.Form):
    """The list's filters (GET); a filter with a bad value is shown as an error and ignored."""

    q = forms.CharField(label=_("Title, document number or index number"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *ItemStatus.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *ItemKind.choices], required=False)
    organisation = OrganisationChoiceField(label=_("Organisation"), required=False)
    below = forms.BooleanField(label=_("Include units below"), required=False)
    category = CategoryChoiceField(label=_("Subject category"))
    genre = forms.ModelChoiceField(label=_("Genre"), queryset=Genre.objects.all(), required=False,
                                   empty_label=_("All"))  # fmt: skip
    validity = forms.ChoiceField(
        label=_("Validity"), choices=[("", _("All")), *Validity.choices], required=False
    )
    timeliness = forms.ChoiceField(
        label=_("Timeliness"), choices=[("", _("All")), *TIMELINESS], required=False
    )
    date_field = forms.ChoiceField(label=_("Date"), choices=DATE_FIELDS, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(
        self, *args: Any, organisations: list[Organisation], categories: list[Category], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(organisations, str(_("All")))
        self.fields["category"].set_categories(categories, str(_("All")))

    def values(self) -> dict[str, Any]:
        """The valid filters (an empty dict for an unbound form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("Published from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("to"), required=False, widget=DateInput())
