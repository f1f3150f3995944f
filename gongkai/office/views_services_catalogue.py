"""Back office of the service catalogue (事项目录), the centres' windows, appointment slots and bookings.

Thin views over the services policies and actions, like the rest of the back office: objects
are fetched through their policy (what the user may not touch is a 404), changes are POSTs
that call one action, and an action's errors go back onto the form that was sent.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongkai.core.actions import ActionError
from gongkai.core.policies import policy_for
from gongkai.office import forms_services as forms
from gongkai.office.views import run_form, staff_required
from gongkai.orgs.models import Organisation, OrgKind, Role
from gongkai.orgs.scope import scope_in
from gongkai.services import actions
from gongkai.services.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    ServiceItem,
    ServiceWindow,
)

PAGE_SIZE = 50
# Slots shown on a window's slot page: the coming weeks are what staff plan.
SLOT_DAYS = 28
MAX_SLOT_ROWS = 400
ITEM_EDITORS = (Role.CLERK, Role.REVIEWER, Role.ADMIN)
CENTRE_KINDS = (OrgKind.CENTRE, OrgKind.TOWNSHIP)


def _today() -> date:
    return timezone.localdate()


def item_policy() -> Any:
    return policy_for(ServiceItem)


def window_policy() -> Any:
    return policy_for(ServiceWindow)


def _top_paths(orgs: list[Organisation]) -> set[str]:
    """The paths of the top-level governments these organisations belong to."""
    return {"/" + o.path.strip("/").split("/")[0] + "/" for o in orgs}


def _under(paths: set[str], field: str = "path") -> Q:
    cond = Q(pk__in=[])
    for p in paths:
        cond |= Q(**{f"{field}__startswith": p})
    return cond


def item_organisations(user: Any) -> list[Organisation]:
    """Active units for which the user may create service items (the "change" verb)."""
    qs = Organisation.objects.filter(is_active=True).order_by("path")
    if not user.is_superuser:
        qs = qs.filter(pk__in=scope_in(user, ITEM_EDITORS))
    policy = item_policy()
    return [o for o in qs if policy.can(user, "change", ServiceItem(organisation=o))]


def windows_for(orgs: list[Organisation]) -> list[ServiceWindow]:
    """Active windows of the governments these units belong to (an item is handled at one of them)."""
    if not orgs:
        return []
    return list(
        ServiceWindow.objects.filter(is_active=True)
        .filter(_under(_top_paths(orgs), "centre__path"))
        .select_related("centre")
        .order_by("centre__path", "sort_order", "number")
    )


def window_centres(user: Any) -> list[Organisation]:
    """Active centres (county or township) whose windows the user may set up."""
    qs = Organisation.objects.filter(is_active=True, kind__in=CENTRE_KINDS).order_by("path")
    if not user.is_superuser:
        qs = qs.filter(pk__in=scope_in(user, (Role.ADMIN,)))
    policy = window_policy()
    return [c for c in qs if policy.can(user, "change", ServiceWindow(centre=c))]


def served_units(centres: list[Organisation]) -> list[Organisation]:
    """The units a window of these centres may serve: active units of the same governments."""
    if not centres:
        return []
    return list(
        Organisation.objects.filter(is_active=True)
        .exclude(kind__in=CENTRE_KINDS)
        .filter(_under(_top_paths(centres)))
        .order_by("path")
    )


# --- service items --------------------------------------------------------------------------------


def _item_filters(qs: QuerySet, f: dict[str, Any]) -> QuerySet:
    if f.get("q"):
        qs = qs.filter(Q(code__icontains=f["q"]) | Q(name__icontains=f["q"]))
    if f.get("organisation"):
        qs = qs.filter(organisation=f["organisation"])
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    for name in ("published", "online"):
        if f.get(name):
            qs = qs.filter(**{name: f[name] == "yes"})
    return qs


@staff_required
@require_safe
def item_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    policy = item_policy()
    visible = policy.filter(user, "view_office")
    orgs = list(Organisation.objects.filter(pk__in=visible.values("organisation_id")).order_by("path"))
    form = forms.ItemFilterForm(request.GET or None, organisations=orgs)
    rows = (
        _item_filters(visible, form.values())
        .select_related("organisation", "window", "window__centre")
        .order_by("organisation__path", "code")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page:
        # The policy's predicates read the user's cached scope: no query per row.
        item.can_change = policy.can(user, "change", item)
        item.can_publish = policy.can(user, "publish", item)
    return render(request, "office/services/item_list.html", {
        "form": form, "page": page, "can_create": bool(item_organisations(user)),
    })  # fmt: skip


@staff_required
def item_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    orgs = item_organisations(user)
    if not orgs:
        raise PermissionDenied
    form = forms.ItemForm(request.POST or None, organisations=orgs, windows=windows_for(orgs))
    result = run_form(
        request, form,
        lambda d: actions.save_item(actor=user, organisation=d["organisation"], **form.action_fields()),
    )  # fmt: skip
    if result:
        messages.success(request, _("Service item “%(name)s” created.") % {"name": result.name})
        return redirect("office:service_catalogue_edit", pk=result.pk)
    return render(request, "office/services/item_form.html", {"form": form, "item": None})


@staff_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    policy = item_policy()
    item = policy.get(
        user, "change", queryset=ServiceItem.objects.select_related("organisation", "window"), pk=pk
    )
    orgs = [item.organisation]
    form = forms.ItemForm(
        request.POST or None,
        organisations=orgs,
        windows=windows_for(orgs),
        initial=forms.ItemForm.initial_from(item),
    )
    result = run_form(
        request, form,
        lambda d: actions.save_item(actor=user, organisation=item.organisation, item=item, **form.action_fields()),
    )  # fmt: skip
    if result:
        messages.success(request, _("Service item “%(name)s” saved.") % {"name": result.name})
        return redirect("office:service_catalogue_edit", pk=item.pk)
    return render(request, "office/services/item_form.html", {
        "form": form, "item": item, "can_publish": policy.can(user, "publish", item),
        "can_history": policy.can(user, "view_history", item),
    })  # fmt: skip


@staff_required
@require_POST
def item_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish (``published=1``) or unpublish the item in the service guide."""
    user = request.user
    item = item_policy().get(user, "view_office", pk=pk)
    if not item_policy().can(user, "publish", item):
        raise PermissionDenied
    published = request.POST.get("published") == "1"
    try:
        actions.set_item_published(actor=user, item=item, published=published)
    except ActionError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Published in the service guide.") if published else _("Taken off the service guide.")
        )
    if request.POST.get("next") == "list":
        return redirect("office:service_catalogue")
    return redirect("office:service_catalogue_edit", pk=item.pk)


# --- windows ----------------------------------------------------------------------------------------


def _windows_page(
    request: HttpRequest, form: Any = None, centres: list[Organisation] | None = None
) -> HttpResponse:
    user = request.user
    policy = window_policy()
    centres = centres if centres is not None else window_centres(user)
    windows = list(
        policy.filter(user, "view_office")
        .select_related("centre")
        .prefetch_related(Prefetch("units", queryset=Organisation.objects.order_by("path")))
        .order_by("centre__path", "sort_order", "number")
    )
    for w in windows:
        w.can_change = policy.can(user, "change", w)
        w.can_slots = policy.can(user, "manage_slots", w)
    if form is None and centres:
        form = forms.WindowForm(centres=centres, units=served_units(centres), auto_id="window_%s")
    return render(request, "office/services/window_list.html", {"windows": windows, "form": form})


@staff_required
def window_list(request: HttpRequest) -> HttpResponse:
    """The windows the user's roles reach; POST creates one (centres' administrators)."""
    user = request.user
    if request.method != "POST":
        return _windows_page(request)
    centres = window_centres(user)
    if not centres:
        raise PermissionDenied
    form = forms.WindowForm(request.POST, centres=centres, units=served_units(centres), auto_id="window_%s")
    result = run_form(request, form, lambda d: actions.save_window(actor=user, **d))
    if result:
        messages.success(request, _("Window %(number)s created.") % {"number": result.number})
        return redirect("office:service_window_list")
    return _windows_page(request, form, centres)


@staff_required
def window_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    window = window_policy().get(
        user, "change", queryset=ServiceWindow.objects.select_related("centre"), pk=pk
    )
    centres = [window.centre]
    initial = {"centre": str(window.centre_id), "number": window.number, "name": window.name,
               "is_active": window.is_active, "units": [str(pk) for pk in window.units.values_list("pk", flat=True)]}  # fmt: skip
    form = forms.WindowForm(
        request.POST or None, centres=centres, units=served_units(centres), initial=initial
    )
    result = run_form(request, form, lambda d: actions.save_window(actor=user, window=window, **d))
    if result:
        messages.success(request, _("Window %(number)s saved.") % {"number": result.number})
        return redirect("office:service_window_list")
    return render(request, "office/services/window_form.html", {
        "form": form, "window": window, "can_history": window_policy().can(user, "view_history", window),
    })  # fmt: skip


# --- appointment slots and bookings -------------------------------------------------------------------


@staff_required
def window_slots(request: HttpRequest, pk: int) -> HttpResponse:
    """The window's slots in the coming weeks; POST opens slots over a range of days."""
    user = request.user
    window = window_policy().get(
        user, "manage_slots", queryset=ServiceWindow.objects.select_related("centre"), pk=pk
    )
    today = _today()
    form = forms.SlotsForm(
        request.POST or None, initial={"first_day": today, "last_day": today + timedelta(days=6)}
    )
    result = run_form(request, form, lambda d: actions.open_slots(actor=user, window=window, **d))
    if result is not None:
        # open_slots returns how many it created; 0 is a success too (all existed or no working day).
        n = 0 if result is True else result
        messages.success(request, _("%(n)s new slots opened.") % {"n": n})
        return redirect("office:service_window_slots", pk=window.pk)
    slots = list(
        AppointmentSlot.objects.filter(
            window=window, date__gte=today, date__lt=today + timedelta(days=SLOT_DAYS)
        ).order_by("date", "start")[:MAX_SLOT_ROWS]
    )
    return render(request, "office/services/slots.html", {"window": window, "form": form, "slots": slots,
                                                          "slot_days": SLOT_DAYS})  # fmt: skip


@staff_required
@require_safe
def appointment_list(request: HttpRequest) -> HttpResponse:
    """The bookings of one day (today unless chosen) at the windows the user's roles reach."""
    user = request.user
    visible = policy_for(Appointment).filter(user, "view_office")
    windows = list(
        window_policy()
        .filter(user, "view_office")
        .filter(Q(pk__in=visible.values("slot__window_id")) | Q(is_active=True))
        .select_related("centre")
        .order_by("centre__path", "sort_order", "number")
    )
    form = forms.DayForm(request.GET or None, windows=windows)
    f = form.values()
    day = f.get("date") or _today()
    rows = visible.filter(slot__date=day)
    if f.get("window"):
        rows = rows.filter(slot__window=f["window"])
    rows = rows.select_related("slot", "slot__window", "slot__window__centre", "item", "case").order_by(
        "slot__start", "slot__window__number", "id"
    )
    page = Paginator(rows, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    policy = policy_for(Appointment)
    for a in page:
        a.can_process = a.status == AppointmentStatus.BOOKED and policy.can(user, "process", a)
    return render(request, "office/services/appointments.html", {"form": form, "page": page, "day": day})


@staff_required
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    policy = policy_for(Appointment)
    appointment = policy.get(user, "view_office", queryset=Appointment.objects.select_related("slot"), pk=pk)
    if not policy.can(user, "process", appointment):
        raise PermissionDenied
    try:
        actions.cancel_appointment(actor=user, appointment=appointment)
    except ActionError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Appointment %(ref)s cancelled.") % {"ref": appointment.reference})
    return redirect(f"{reverse('office:service_appointments')}?date={appointment.slot.date.isoformat()}")
