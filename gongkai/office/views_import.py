"""Back office: importing items from a table, the import templates, and exports of published items.

The upload is checked whole before anything is stored: a bad row shows the
table of problems (row, column, reason) and nothing changes. The exports stream
the published items the user may see, with the filters of the items list
(``organisation``, ``below``, ``category``, ``genre``, ``kind``, ``validity``,
``date_from``/``date_to`` on the publication date, ``q``), so the list can link
to ``export.csv?<its query string>``.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongkai.core.actions import ActionError
from gongkai.core.widgets import FastSelect
from gongkai.disclosure.bulk import ImportRejected
from gongkai.disclosure.exports import (
    CONTENT_TYPES,
    FORMATS,
    ItemFilters,
    item_columns,
    item_rows,
    iter_csv,
    iter_json,
    published_items,
    write_xlsx,
)
from gongkai.disclosure.imports import MAX_BYTES, MAX_ROWS, column_notes, import_items_file, item_template
from gongkai.disclosure.models import Category, DisclosureItem, Genre, ItemKind, Validity
from gongkai.disclosure.policies import DisclosureItemPolicy
from gongkai.office.views import staff_required
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.scope import scope_in

policy = DisclosureItemPolicy()
WRITER_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)
SHOWN_ERRORS = 500
SHOWN_ITEMS = 20
SESSION_KEY = "gongkai_item_import"


def _writable_orgs(user: Any) -> list[Organisation]:
    qs = Organisation.objects.filter(is_active=True).order_by("path")
    if not user.is_superuser:
        qs = qs.filter(pk__in=scope_in(user, WRITER_ROLES))
    return [org for org in qs if policy.can(user, "edit", DisclosureItem(organisation=org))]


class OrganisationField(forms.ModelChoiceField):
    widget = FastSelect

    def label_from_instance(self, obj: Organisation) -> str:
        return "— " * obj.depth + obj.name


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or GBK) or XLSX, at most 50 MB and 100,000 rows, with a header row."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    organisation = OrganisationField(
        label=gettext_lazy("Default organisation"), queryset=Organisation.objects.none(), required=False,
        empty_label=gettext_lazy("None: every row names its organisation"),
        help_text=gettext_lazy("Used for rows whose 发布机构 column is empty or missing."),
    )  # fmt: skip
    mode = forms.ChoiceField(
        label=gettext_lazy("Store the items"),
        choices=[("publish", gettext_lazy("Published (rows may give their 发布日期)")),
                 ("draft", gettext_lazy("As drafts"))],
        widget=forms.RadioSelect, initial="publish",
    )  # fmt: skip

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("path")
        field.choices = [("", field.empty_label)] + [
            (o.pk, field.label_from_instance(o)) for o in organisations
        ]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload


@staff_required
def item_import(request: HttpRequest) -> HttpResponse:
    orgs = _writable_orgs(request.user)
    if not orgs:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, organisations=orgs)
    errors: list[Any] = []
    more = 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_items_file(
                upload.read(), upload.name, actor=request.user, publish=form.cleaned_data["mode"] == "publish",
                default_organisation=form.cleaned_data["organisation"],
            )  # fmt: skip
        except ImportRejected as exc:
            errors, more = exc.errors[:SHOWN_ERRORS], max(0, len(exc.errors) - SHOWN_ERRORS)
        except ActionError as exc:
            form.add_error(None, exc.messages)
        else:
            assert result is not None
            request.session[SESSION_KEY] = {
                "file": upload.name, "created": result.created, "published": result.published,
                "drafts": result.drafts, "late": result.late, "organisations": result.organisations,
                "ids": [r.item_id for r in result.rows[:SHOWN_ITEMS]],
            }  # fmt: skip
            return redirect("office:item_import_done")
    return render(request, "office/import/items.html", {
        "form": form, "errors": errors, "more": more, "total": len(errors) + more, "notes": column_notes(),
        "max_rows": MAX_ROWS,
    })  # fmt: skip


@staff_required
def item_import_done(request: HttpRequest) -> HttpResponse:
    summary = request.session.get(SESSION_KEY)
    if not summary:
        return redirect("office:item_import")
    ids = summary.get("ids", [])
    found = policy.filter(request.user, "view_office").select_related("organisation").in_bulk(ids)
    items = [found[pk] for pk in ids if pk in found]
    return render(request, "office/import/done.html", {"summary": summary, "items": items})


@staff_required
def item_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    orgs = _writable_orgs(request.user)
    response = HttpResponse(item_template(fmt, orgs[0] if orgs else None), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="items-template.{fmt}"'
    return response


# --- exports ------------------------------------------------------------------------------------


class ExportFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Title, document number or index number"), max_length=100, required=False
    )
    organisation = OrganisationField(label=gettext_lazy("Organisation"), queryset=Organisation.objects.all(),
                                     required=False, empty_label=gettext_lazy("All"))  # fmt: skip
    below = forms.BooleanField(label=gettext_lazy("Include units below"), required=False)
    category = forms.ModelChoiceField(label=gettext_lazy("Subject category"), queryset=Category.objects.all(),
                                      required=False, empty_label=gettext_lazy("All"))  # fmt: skip
    genre = forms.ModelChoiceField(label=gettext_lazy("Genre"), queryset=Genre.objects.all(), required=False,
                                   empty_label=gettext_lazy("All"))  # fmt: skip
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", gettext_lazy("All")), *ItemKind.choices],
                             required=False)  # fmt: skip
    validity = forms.ChoiceField(label=gettext_lazy("Validity"), choices=[("", gettext_lazy("All")), *Validity.choices],
                                 required=False)  # fmt: skip
    date_from = forms.DateField(label=gettext_lazy("Published from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    date_to = forms.DateField(label=gettext_lazy("Published until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    def values(self) -> dict[str, Any]:
        """The filters with a valid value; a bad one is ignored (and shown on the page)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


def _exported(user: Any, f: dict[str, Any]) -> QuerySet[DisclosureItem]:
    qs = published_items(user, ItemFilters(
        organisation_id=f["organisation"].pk if f.get("organisation") else None,
        include_subunits=bool(f.get("below")),
        category_id=f["category"].pk if f.get("category") else None,
        genre_id=f["genre"].pk if f.get("genre") else None,
        kind=f.get("kind") or None, validity=f.get("validity") or None,
        date_from=f.get("date_from"), date_to=f.get("date_to"),
    ))  # fmt: skip
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(Q(title__icontains=q) | Q(doc_number__icontains=q) | Q(index_no__icontains=q))
    return qs


@staff_required
def item_export_page(request: HttpRequest) -> HttpResponse:
    form = ExportFilterForm(request.GET or None)
    count = _exported(request.user, form.values()).count()
    return render(request, "office/import/export.html", {
        "form": form, "count": count, "can_import": bool(_writable_orgs(request.user)),
    })  # fmt: skip


@staff_required
def item_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    form = ExportFilterForm(request.GET or None)
    items = _exported(request.user, form.values())
    columns = item_columns(fmt)
    name = f"items-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (closed by FileResponse)
        write_xlsx(out, columns, item_rows(items, fmt), title="items")
        out.seek(0)
        response: HttpResponse = FileResponse(
            out, content_type=CONTENT_TYPES[fmt], as_attachment=True, filename=name
        )
    else:
        chunks = (iter_csv if fmt == "csv" else iter_json)(columns, item_rows(items, fmt))
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
