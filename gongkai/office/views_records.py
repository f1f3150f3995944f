"""Back office of the records behind the annual report: disputes, reading rooms, year figures.

Thin views over the records policies and actions, like the rest of the back office: objects are
fetched through their policy (what the user may not touch is a 404), changes are POSTs that call
one action, and an action's errors go back onto the form that was sent. Every page reads a fixed
number of queries, however many rows it shows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from gongkai.core.policies import policy_for
from gongkai.office import forms_records as forms
from gongkai.office.views import run_form, simple_form, staff_required
from gongkai.orgs.models import Organisation
from gongkai.orgs.scope import scope_in
from gongkai.records import actions
from gongkai.records.models import (
    DecisionCount,
    DecisionKind,
    DisputeCase,
    DisputeKind,
    DisputeResult,
    ReadingRoom,
    ReadingRoomVisit,
    SpendingFigure,
    StaffFigure,
)
from gongkai.records.policies import EDITORS, READERS

PAGE_SIZE = 50


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    this_year = timezone.localdate().year
    return int(raw) if raw.isdigit() and 1990 <= int(raw) <= this_year else this_year


def _orgs(user: Any, roles: tuple[str, ...]) -> list[Organisation]:
    """Active organisations the user's roles reach (every one for a platform administrator)."""
    qs = Organisation.objects.filter(is_active=True).order_by("path")
    return list(qs if user.is_superuser else qs.filter(pk__in=scope_in(user, roles)))


def readable_orgs(user: Any) -> list[Organisation]:
    return _orgs(user, READERS)


def editable_orgs(user: Any) -> list[Organisation]:
    return _orgs(user, EDITORS)


def _under(qs: QuerySet, org: Organisation | None, field: str = "organisation") -> QuerySet:
    return qs.filter(**{f"{field}__path__startswith": org.path}) if org is not None else qs


def _require_reader(user: Any) -> list[Organisation]:
    orgs = readable_orgs(user)
    if not orgs:
        raise PermissionDenied
    return orgs


# --- the overview ----------------------------------------------------------------------------------


@staff_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """A year's records of the user's units: disputes by kind and result, rooms, staff, money, decisions."""
    user = request.user
    orgs = readable_orgs(user)
    if not orgs:
        # The nav links here for every member of staff; without a role that reads records, say so.
        return render(request, "office/records/overview.html", {"no_scope": True})
    year = _year(request)
    form = forms.YearFilterForm(request.GET or None, organisations=orgs, initial={"year": year})
    org = forms.values(form).get("organisation")

    def visible(model: Any, field: str = "organisation") -> QuerySet:
        return _under(policy_for(model).visible_to(user), org, field)

    by_kind = {k: {r: 0 for r in DisputeResult.values} for k in DisputeKind.values}
    rows = visible(DisputeCase).filter(filed_on__year=year).values("kind", "result").annotate(n=Count("id"))
    for row in rows:
        by_kind[row["kind"]][row["result"]] = row["n"]
    disputes = [
        {"kind": DisputeKind(k).label, "results": [by_kind[k][r] for r in DisputeResult.values],
         "total": sum(by_kind[k].values())}
        for k in DisputeKind.values
    ]  # fmt: skip
    in_year = Q(visits__day__year=year)
    rooms = list(
        visible(ReadingRoom).select_related("organisation")
        .annotate(visitors=Sum("visits__visitors", filter=in_year), days=Count("visits", filter=in_year))
        .order_by("organisation__path", "name")
    )  # fmt: skip

    def figures(model: Any, *sums: str) -> tuple[list[Any], dict[str, Any]]:
        qs = visible(model).filter(year=year)
        listed = list(qs.select_related("organisation", "entered_by").order_by("organisation__path"))
        return listed, qs.aggregate(**{s: Sum(s) for s in sums}) if sums else {}

    staff, staff_total = figures(StaffFigure, "full_time", "part_time")
    spending, spending_total = figures(SpendingFigure, "amount")
    decisions, _unused = figures(DecisionCount)
    return render(request, "office/records/overview.html", {
        "form": form, "year": year, "disputes": disputes, "results": DisputeResult.choices,
        "rooms": rooms, "visitors": sum(r.visitors or 0 for r in rooms),
        "staff": staff, "staff_total": staff_total, "spending": spending, "spending_total": spending_total,
        "decisions": decisions, "can_edit": bool(editable_orgs(user)),
    })  # fmt: skip


# --- disputes --------------------------------------------------------------------------------------


@staff_required
@require_safe
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    orgs = _require_reader(user)
    policy = policy_for(DisputeCase)
    form = forms.DisputeFilterForm(request.GET or None, organisations=orgs)
    f = forms.values(form)
    rows = _under(policy.visible_to(user), f.get("organisation"))
    if f.get("year"):
        rows = rows.filter(filed_on__year=f["year"])
    for name in ("kind", "result"):
        if f.get(name):
            rows = rows.filter(**{name: f[name]})
    if f.get("q"):
        rows = rows.filter(Q(reference__icontains=f["q"]) | Q(subject__icontains=f["q"]))
    rows = rows.select_related("organisation", "application", "review_case").order_by("-filed_on", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.can_change = policy.can(user, "change", case)  # the cached scope: no query per row
    return render(request, "office/records/disputes.html", {
        "form": form, "page": page, "can_create": bool(editable_orgs(user)),
    })  # fmt: skip


def _reviews(orgs: list[Organisation]) -> list[DisputeCase]:
    return list(
        DisputeCase.objects.filter(kind=DisputeKind.REVIEW, organisation__in=orgs)
        .select_related("organisation")
        .order_by("-filed_on")[:200]
    )


def _dispute_fields(user: Any, form: forms.DisputeForm, data: dict[str, Any]) -> dict[str, Any]:
    from gongkai.applications.models import Application
    from gongkai.core.actions import ActionError

    application = None
    if data.get("application"):
        application = (
            policy_for(Application).visible_to(user).filter(case_number=data["application"].strip()).first()
        )
        if application is None:
            raise ActionError({"application": _("No application you can see has this case number.")})
    return {
        "organisation": data["organisation"], "kind": data["kind"], "reference": data["reference"],
        "subject": data["subject"], "body": data["body"], "filed_on": data["filed_on"],
        "application": application, "review_case": data.get("review_case"), "note": data["note"],
    }  # fmt: skip


@staff_required
def dispute_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    orgs = editable_orgs(user)
    if not orgs:
        raise PermissionDenied
    form = forms.DisputeForm(request.POST or None, organisations=orgs, reviews=_reviews(orgs))
    result = run_form(
        request, form, lambda d: actions.save_dispute(actor=user, **_dispute_fields(user, form, d))
    )
    if result:
        messages.success(request, _("Case “%(ref)s” saved.") % {"ref": result.reference})
        return redirect("office:records_dispute", pk=result.pk)
    return render(request, "office/records/dispute_form.html", {"form": form, "case": None})


@staff_required
def dispute_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    policy = policy_for(DisputeCase)
    qs = DisputeCase.objects.select_related("organisation", "application", "review_case")
    case = policy.get(user, "view", queryset=qs, pk=pk)
    can_change = policy.can(user, "change", case)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    orgs = [case.organisation]
    form = forms.DisputeForm(request.POST or None, organisations=orgs, reviews=_reviews(orgs),
                             initial=forms.DisputeForm.initial_from(case))  # fmt: skip
    result = run_form(
        request, form, lambda d: actions.save_dispute(actor=user, case=case, **_dispute_fields(user, form, d))
    )
    if result:
        messages.success(request, _("Case “%(ref)s” saved.") % {"ref": result.reference})
        return redirect("office:records_dispute", pk=case.pk)
    return render(request, "office/records/dispute_form.html", {
        "form": form, "case": case, "can_change": can_change,
        "can_conclude": can_change and case.result == DisputeResult.PENDING,
        "lawsuits": list(case.lawsuits.all()),
    })  # fmt: skip


@staff_required
def dispute_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = policy_for(DisputeCase).get(user, "change", pk=pk)
    form = forms.ConcludeForm(request.POST or None)
    result = run_form(request, form, lambda d: actions.conclude_dispute(actor=user, case=case, **d))
    if result:
        messages.success(request, _("Case “%(ref)s” concluded.") % {"ref": case.reference})
        return redirect("office:records_dispute", pk=case.pk)
    title = _("Conclude case %(ref)s") % {"ref": case.reference}
    return simple_form(request, form, title, reverse("office:records_dispute", args=[case.pk]))


# --- reading rooms ---------------------------------------------------------------------------------


@staff_required
@require_safe
def room_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    orgs = _require_reader(user)
    year = _year(request)
    policy = policy_for(ReadingRoom)
    form = forms.YearFilterForm(request.GET or None, organisations=orgs, initial={"year": year})
    in_year = Q(visits__day__year=year)
    rows = (
        _under(policy.visible_to(user), forms.values(form).get("organisation"))
        .select_related("organisation")
        .annotate(visitors=Sum("visits__visitors", filter=in_year), days=Count("visits", filter=in_year))
        .order_by("organisation__path", "name")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for room in page:
        room.can_change = policy.can(user, "change", room)
    return render(request, "office/records/rooms.html", {
        "form": form, "page": page, "year": year, "can_create": bool(editable_orgs(user)),
    })  # fmt: skip


@staff_required
def room_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    orgs = editable_orgs(user)
    if not orgs:
        raise PermissionDenied
    form = forms.RoomForm(request.POST or None, organisations=orgs)
    result = run_form(request, form, lambda d: actions.save_reading_room(actor=user, **d))
    if result:
        messages.success(request, _("Reading room “%(name)s” saved.") % {"name": result.name})
        return redirect("office:records_room", pk=result.pk)
    return simple_form(request, form, _("New reading room"), reverse("office:records_rooms"))


@staff_required
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    room = policy_for(ReadingRoom).get(user, "change", pk=pk)
    form = forms.RoomForm(request.POST or None, organisations=[room.organisation],
                          initial=forms.RoomForm.initial_from(room))  # fmt: skip
    result = run_form(request, form, lambda d: actions.save_reading_room(actor=user, room=room, **d))
    if result:
        messages.success(request, _("Reading room “%(name)s” saved.") % {"name": result.name})
        return redirect("office:records_room", pk=room.pk)
    return simple_form(request, form, room.name, reverse("office:records_room", args=[room.pk]))


@staff_required
def room_visits(request: HttpRequest, pk: int) -> HttpResponse:
    """A room's visit register, newest first, with the form to record a day's visitors."""
    user = request.user
    policy = policy_for(ReadingRoom)
    room = policy.get(user, "view", queryset=ReadingRoom.objects.select_related("organisation"), pk=pk)
    can_change = policy.can(user, "change", room)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    form = forms.VisitForm(request.POST or None, initial={"day": timezone.localdate(), "visitors": 1})
    result = run_form(request, form, lambda d: actions.record_visit(actor=user, room=room, **d))
    if result:
        messages.success(request, _("%(n)s visitors recorded on %(day)s.") % {"n": result.visitors,
                                                                              "day": result.day})  # fmt: skip
        return redirect("office:records_room", pk=room.pk)
    year = _year(request)
    visits = ReadingRoomVisit.objects.filter(room=room, day__year=year)
    page = Paginator(visits.select_related("recorded_by").order_by("-day", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "office/records/room.html", {
        "room": room, "form": form, "page": page, "year": year, "can_change": can_change,
        "total": visits.aggregate(n=Sum("visitors"))["n"] or 0,
    })  # fmt: skip


# --- year figures ----------------------------------------------------------------------------------

FIGURES: dict[str, dict[str, Any]] = {
    "staff": {"model": StaffFigure, "form": forms.StaffForm, "action": actions.set_staff_figure,
              "title": gettext_lazy("Staff"), "sums": ("full_time", "part_time")},
    "spending": {"model": SpendingFigure, "form": forms.SpendingForm, "action": actions.set_spending,
                 "title": gettext_lazy("Spending"), "sums": ("amount",)},
    "decisions": {"model": DecisionCount, "form": forms.DecisionForm, "action": actions.set_decision_count,
                  "title": gettext_lazy("Decision counts"), "sums": ("count",)},
}  # fmt: skip


@staff_required
def figure_list(request: HttpRequest, which: str) -> HttpResponse:
    """The year figures of one kind, filtered and paged, with the form that sets one (an upsert)."""
    spec = FIGURES[which]
    user = request.user
    orgs = _require_reader(user)
    editable = editable_orgs(user)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    year = _year(request)
    form = spec["form"](request.POST or None, organisations=editable, initial={"year": year})
    result = run_form(request, form, lambda d: spec["action"](actor=user, **d))
    if result:
        messages.success(request, _("%(org)s, %(year)s: saved.") % {"org": result.organisation.display_name,
                                                                     "year": result.year})  # fmt: skip
        return redirect(f"{reverse(f'office:records_{which}')}?year={result.year}")
    filters = forms.YearFilterForm(request.GET or None, organisations=orgs, initial={"year": year})
    f = forms.values(filters)
    rows = _under(policy_for(spec["model"]).visible_to(user), f.get("organisation")).filter(
        year=f.get("year", year)
    )
    page = Paginator(
        rows.select_related("organisation", "entered_by").order_by("organisation__path", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "office/records/figures.html", {
        "which": which, "title": spec["title"], "form": form, "filters": filters, "page": page,
        "year": f.get("year", year), "totals": rows.aggregate(**{s: Sum(s) for s in spec["sums"]}),
        "can_edit": bool(editable), "decision_kinds": DecisionKind.choices,
    })  # fmt: skip


# --- imports ---------------------------------------------------------------------------------------


def _importers() -> dict[str, dict[str, Any]]:
    from gongkai.records import imports

    return {
        "figures": {"run": imports.import_figures_file, "columns": imports.FIGURE_COLUMNS,
                    "template": imports.figure_template, "title": _("Import figures"), "next": "office:records_overview"},
        "disputes": {"run": imports.import_disputes_file, "columns": imports.DISPUTE_COLUMNS,
                     "template": imports.dispute_template, "title": _("Import review and litigation cases"),
                     "next": "office:records_disputes"},
    }  # fmt: skip


@staff_required
def records_import(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload a table of figures or cases: checked whole, all or nothing, every problem listed."""
    from gongkai.disclosure.imports import MAX_ROWS
    from gongkai.office.views_services_import import _notes, _upload

    spec = _importers().get(kind)
    if spec is None:
        raise Http404
    user = request.user
    if not editable_orgs(user):
        raise PermissionDenied
    form, errors, more, result = _upload(request, lambda data, name: spec["run"](data, name, actor=user))
    if result is not None:
        messages.success(
            request, _("The file “%(name)s” was imported.") % {"name": form.cleaned_data["file"].name}
        )
        return redirect(spec["next"])
    return render(request, "office/records/import.html", {
        "kind": kind, "title": spec["title"], "form": form, "errors": errors, "more": more,
        "total": len(errors) + more, "notes": _notes(spec["columns"]), "max_rows": MAX_ROWS,
    })  # fmt: skip


@staff_required
@require_safe
def records_import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    from gongkai.office.views_services_import import _template_response

    spec = _importers().get(kind)
    if spec is None:
        raise Http404
    if not editable_orgs(request.user):
        raise PermissionDenied
    return _template_response(spec["template"], kind, fmt)
