"""Back office: importing and exporting the service catalogue (事项目录) and service cases (办件).

The same pattern as the disclosure import (:mod:`gongkai.office.views_import`): the upload
is checked whole before anything is stored; a bad row shows the table of problems (row,
column, reason) and nothing changes. The work is done by :mod:`gongkai.services.imports`
(the actions for items, the bulk path for cases) and :mod:`gongkai.services.exports` (the
columns of the import, so an exported table imports again).

- The catalogue: clerks, reviewers and administrators of a unit import its items; the
  export holds the items the user may see (public ones, and unpublished ones in scope) with
  the filters of the catalogue list, so the list can link to ``export.csv?<its query string>``.
- Cases: window staff import the cases they may process; the export holds the cases the
  user may open in the office, by unit and year.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from gongkai.core.actions import ActionError
from gongkai.core.policies import policy_for
from gongkai.disclosure.bulk import ImportRejected
from gongkai.disclosure.exports import CONTENT_TYPES, FORMATS, ExportColumn, iter_csv, iter_json, write_xlsx
from gongkai.disclosure.imports import MAX_BYTES, MAX_ROWS
from gongkai.office import forms_services
from gongkai.office.forms_items import OrganisationChoiceField
from gongkai.office.views import staff_required
from gongkai.office.views_services_catalogue import _item_filters, item_organisations
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.scope import scope_ids
from gongkai.services.exports import case_columns, case_rows, item_columns, item_rows
from gongkai.services.imports import (
    CASE_COLUMNS,
    ITEM_COLUMNS,
    case_template,
    import_cases_file,
    import_items_file,
    item_template,
)
from gongkai.services.models import ServiceCase, ServiceItem

SHOWN_ERRORS = 500
SHOWN_ROWS = 20
ITEMS_SESSION_KEY = "gongkai_service_item_import"
CASES_SESSION_KEY = "gongkai_service_case_import"
# Only tables are read; the content is sniffed again by the reader (a renamed program is refused there too).
EXTENSIONS = (".csv", ".xlsx")
# The first bytes of programs (Windows, Linux, macOS, scripts): named .csv they are still refused by
# the reader, but the user is told plainly what they uploaded.
PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"#!")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or GBK) or XLSX, at most 50 MB and 100,000 rows, with a header row."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Upload a CSV or XLSX table (a file ending in .csv or .xlsx)."))
        head = upload.read(8)
        upload.seek(0)
        if head.startswith(PROGRAM_MAGIC):
            raise forms.ValidationError(_("This file is a program, not a table: upload a CSV or XLSX file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _upload(request: HttpRequest, run: Callable[[bytes, str], Any]) -> tuple[UploadForm, list[Any], int, Any]:
    """Bind the form and, on a valid POST, run the import: (form, problems shown, more, result)."""
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    more = 0
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = run(upload.read(), upload.name)
        except ImportRejected as exc:
            errors, more = exc.errors[:SHOWN_ERRORS], max(0, len(exc.errors) - SHOWN_ERRORS)
        except ActionError as exc:
            form.add_error(None, exc.messages)
    return form, errors, more, result


def _notes(columns: list[Any]) -> list[tuple[str, str, bool]]:
    """The columns of the table for the help on the page: (header, other accepted names, required)."""
    return [(c.header, "、".join(c.aliases), c.required) for c in columns if not c.ignored]


def _template_response(make: Callable[[str], bytes], kind: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    response = HttpResponse(make(fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response


def _download(kind: str, fmt: str, columns: list[ExportColumn], rows: Iterator[list[Any]]) -> HttpResponse:
    """XLSX through a spooled file; CSV and JSON streamed (the rows are read in chunks)."""
    name = f"{kind}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (closed by FileResponse)
        write_xlsx(out, columns, rows, title=kind)
        out.seek(0)
        response: HttpResponse = FileResponse(
            out, content_type=CONTENT_TYPES[fmt], as_attachment=True, filename=name
        )
    else:
        chunks = (iter_csv if fmt == "csv" else iter_json)(columns, rows)
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Unpublished items and applicants' details: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


# --- the service catalogue ----------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def item_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not item_organisations(user):
        raise PermissionDenied
    form, errors, more, result = _upload(
        request, lambda data, name: import_items_file(data, name, actor=user)
    )
    if result is not None:
        request.session[ITEMS_SESSION_KEY] = {
            "file": form.cleaned_data["file"].name, "created": result.created, "updated": result.updated,
            "published": result.published, "ids": [i.pk for i in result.items[:SHOWN_ROWS]],
        }  # fmt: skip
        return redirect("office:service_catalogue_import_done")
    return render(request, "office/services/import_items.html", {
        "form": form, "errors": errors, "more": more, "total": len(errors) + more,
        "notes": _notes(ITEM_COLUMNS), "max_rows": MAX_ROWS,
    })  # fmt: skip


@staff_required
@require_safe
def item_import_done(request: HttpRequest) -> HttpResponse:
    summary = request.session.get(ITEMS_SESSION_KEY)
    if not summary:
        return redirect("office:service_catalogue_import")
    ids = summary.get("ids", [])
    found = policy_for(ServiceItem).filter(request.user, "view_office").select_related("organisation")
    found = found.in_bulk(ids)
    items = [found[pk] for pk in ids if pk in found]
    return render(request, "office/services/import_items_done.html", {"summary": summary, "items": items})


@staff_required
@require_safe
def item_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return _template_response(item_template, "services", fmt)


def _catalogue(request: HttpRequest) -> tuple[forms_services.ItemFilterForm, QuerySet[ServiceItem]]:
    """The items the user may see (public ones, and the unpublished ones in scope), filtered."""
    visible = policy_for(ServiceItem).filter(request.user, "view")
    orgs = list(Organisation.objects.filter(pk__in=visible.values("organisation_id")).order_by("path"))
    form = forms_services.ItemFilterForm(request.GET or None, organisations=orgs)
    return form, _item_filters(visible, form.values())


@staff_required
@require_safe
def item_export_page(request: HttpRequest) -> HttpResponse:
    form, items = _catalogue(request)
    return render(request, "office/services/export_items.html", {
        "form": form, "count": items.count(), "can_import": bool(item_organisations(request.user)),
    })  # fmt: skip


@staff_required
@require_safe
def item_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    _form, items = _catalogue(request)
    return _download("services", fmt, item_columns(fmt), item_rows(items, fmt))


# --- cases --------------------------------------------------------------------------------------


def _can_import_cases(user: Any) -> bool:
    """Window staff: the bulk path then checks, row by row, that they may process each case."""
    return bool(scope_ids(user, (Role.WINDOW,)))


@staff_required
@require_http_methods(["GET", "POST"])
def case_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _can_import_cases(user):
        raise PermissionDenied
    form, errors, more, result = _upload(
        request, lambda data, name: import_cases_file(data, name, actor=user)
    )
    if result is not None:
        request.session[CASES_SESSION_KEY] = {
            "file": form.cleaned_data["file"].name, "created": result.created, "completed": result.completed,
            "open": result.open, "late": result.late, "fees": str(result.fees),
            "ids": [c.pk for c in result.cases[:SHOWN_ROWS]],
        }  # fmt: skip
        return redirect("office:service_case_import_done")
    return render(request, "office/services/import_cases.html", {
        "form": form, "errors": errors, "more": more, "total": len(errors) + more,
        "notes": _notes(CASE_COLUMNS), "max_rows": MAX_ROWS,
    })  # fmt: skip


@staff_required
@require_safe
def case_import_done(request: HttpRequest) -> HttpResponse:
    summary = request.session.get(CASES_SESSION_KEY)
    if not summary:
        return redirect("office:service_case_import")
    ids = summary.get("ids", [])
    found = policy_for(ServiceCase).filter(request.user, "view_office").select_related("item", "organisation")
    found = found.in_bulk(ids)
    cases = [found[pk] for pk in ids if pk in found]
    return render(request, "office/services/import_cases_done.html", {"summary": summary, "cases": cases})


@staff_required
@require_safe
def case_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return _template_response(case_template, "cases", fmt)


class CaseExportForm(forms.Form):
    organisation = OrganisationChoiceField(label=gettext_lazy("Implementing unit"), required=False)
    year = forms.IntegerField(
        label=gettext_lazy("Year received"), min_value=1990, max_value=2100, required=False
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(organisations, _("All"))

    def values(self) -> dict[str, Any]:
        """The filters with a valid value; a bad one is ignored (and shown on the page)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def _cases(request: HttpRequest) -> tuple[CaseExportForm, QuerySet[ServiceCase]]:
    """The cases the user may open in the office, by unit and year."""
    visible = policy_for(ServiceCase).filter(request.user, "view_office")
    orgs = list(Organisation.objects.filter(pk__in=visible.values("organisation_id")).order_by("path"))
    form = CaseExportForm(request.GET or None, organisations=orgs)
    f = form.values()
    if f.get("organisation"):
        visible = visible.filter(organisation=f["organisation"])
    if f.get("year"):
        visible = visible.filter(received_on__year=f["year"])
    return form, visible


@staff_required
@require_safe
def case_export_page(request: HttpRequest) -> HttpResponse:
    form, cases = _cases(request)
    return render(request, "office/services/export_cases.html", {
        "form": form, "count": cases.count(), "can_import": _can_import_cases(request.user),
    })  # fmt: skip


@staff_required
@require_safe
def case_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    _form, cases = _cases(request)
    return _download("cases", fmt, case_columns(fmt), case_rows(cases, fmt))
