"""Back office for government services (政务服务): the window's day, receiving, the case page, the list.

Thin views over ``ServiceCasePolicy`` and ``gongkai.services.actions``, built like the back
office of applications and letters: every case is fetched through the policy (another centre's
case is a 404, exactly like a missing one), every step is a POST to one URL per step that calls
one action, and an action's errors go back onto the form that was sent. A step's form is shown
only when the policy allows the user the step's verb and the case's state allows the step; the
action checks both again. The catalogue, windows, slots and appointments are in
``views_services_catalogue``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from gongkai.accounts.models import User
from gongkai.core.actions import ActionError
from gongkai.core.policies import policy_for
from gongkai.office import forms_services as forms
from gongkai.office.queues import WARN_DAYS, WORK, Due, Tab, count_tabs, due_info
from gongkai.office.shown_once import CodeShownOnce
from gongkai.office.views import run_form, staff_required
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.scope import scope_ids, scope_in
from gongkai.portal.downloads import stored_file_response
from gongkai.services import actions
from gongkai.services.models import (
    Appointment,
    AppointmentStatus,
    CaseChannel,
    CaseStatus,
    ServiceCase,
    ServiceItem,
    ServiceWindow,
)
from gongkai.workdays import clock as clocks
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.clock import explanation

PAGE_SIZE = 50
# Rows per queue on the window's day page; the case list has them all.
QUEUE_ROWS = 20
OPEN = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION, CaseStatus.ACCEPTED)
ROW_RELATED = ("item", "organisation", "centre", "window", "clock")
DETAIL_RELATED = ("item", "item__window", "organisation", "centre", "window", "clock", "appointment",
                  "appointment__slot", "user", "agent", "fee_collected_by")  # fmt: skip
SHOWN_CODE = CodeShownOnce("service_case")


def _today() -> date:
    # The clocks' own today, so these pages and supervision always agree on what is overdue.
    return clocks.today()


def case_policy() -> Any:
    return policy_for(ServiceCase)


def appointment_policy() -> Any:
    return policy_for(Appointment)


# --- read-only queries --------------------------------------------------------------------------


def office_cases(user: Any) -> QuerySet:
    """Cases whose back-office pages the user may open."""
    return case_policy().filter(user, "view_office")


def processed_cases(user: Any) -> QuerySet:
    """Cases the user works on at a window (the "process" verb)."""
    return case_policy().filter(user, "process")


def _case(request: HttpRequest, pk: int) -> ServiceCase:
    """The case if the user may open it in the office; a 404 otherwise."""
    return case_policy().get(
        request.user, "view_office", queryset=ServiceCase.objects.select_related(*DETAIL_RELATED), pk=pk
    )


def receiving_windows(user: Any) -> list[ServiceWindow]:
    """Active windows where the user may receive a case: their centre's, or those serving their unit."""
    if not scope_ids(user, (Role.WINDOW,)):
        return []
    ids = scope_in(user, (Role.WINDOW,))
    return list(
        ServiceWindow.objects.filter(is_active=True)
        .filter(Q(centre_id__in=ids) | Q(units__in=ids))
        .select_related("centre")
        .distinct()
        .order_by("centre__path", "sort_order", "number")
    )


def receivable_items(user: Any, windows: list[ServiceWindow]) -> list[ServiceItem]:
    """Active items the user may receive at these windows.

    At a centre the user staffs: every item served there (by the item's window or a unit the
    window serves). At a window serving the user's own unit: that unit's items only.
    """
    ids = scope_ids(user, (Role.WINDOW,))

    def served(ws: list[ServiceWindow]) -> Q:
        pks = [w.pk for w in ws]
        units = ServiceWindow.units.through.objects.filter(servicewindow_id__in=pks).values("organisation_id")
        return Q(window_id__in=pks) | Q(organisation_id__in=units)

    staffed = [w for w in windows if w.centre_id in ids]
    return list(
        ServiceItem.objects.filter(is_active=True)
        .filter(served(staffed) | (served(windows) & Q(organisation_id__in=scope_in(user, (Role.WINDOW,)))))
        .select_related("organisation")
        .order_by("organisation__path", "code")
    )


def agents_for(org_ids: set[int]) -> list[Any]:
    """Window staff of these centres or units: the people who can act as agents (全程代办)."""
    return list(
        User.objects.filter(
            is_active=True, role_assignments__role=Role.WINDOW, role_assignments__organisation_id__in=org_ids
        )
        .distinct()
        .order_by("display_name", "username")
    )


def due_of(case: ServiceCase, today: date, cal: Any) -> Due:
    # Amber as supervision sees it (the warning share of the limit is used) or when close anyway.
    return due_info(case, today, cal, open_statuses=OPEN, done=CaseStatus.COMPLETED, warn_early=True)


def _with_due(qs: QuerySet) -> QuerySet:
    return qs.annotate(due=F("clock__due_date"))


# --- the window's day ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    value: str
    label: Any
    q: Callable[[date], Q]
    order: tuple[Any, ...]


BY_DUE = (F("due").asc(nulls_last=True), "received_on", "id")
QUEUES = [
    Queue("submitted", gettext_lazy("Waiting for acceptance"), lambda t: Q(status=CaseStatus.SUBMITTED),
          ("submitted_at", "id")),
    Queue("accepted", gettext_lazy("In process"), lambda t: Q(status=CaseStatus.ACCEPTED), BY_DUE),
    Queue("correction", gettext_lazy("Waiting for materials"), lambda t: Q(status=CaseStatus.CORRECTION),
          BY_DUE),
    Queue("overdue", gettext_lazy("Overdue"), lambda t: Q(status__in=OPEN, due__lt=t), BY_DUE),
]  # fmt: skip


@staff_required
@require_safe
def today_page(request: HttpRequest) -> HttpResponse:
    """Today's appointments at the user's centres and the cases waiting for them, queue by queue."""
    user = request.user
    today, cal = _today(), get_calendar()
    appointments = list(
        appointment_policy()
        .filter(user, "view_office")
        .filter(slot__date=today)
        .select_related("slot", "slot__window", "slot__window__centre", "item", "case")
        .order_by("slot__start", "slot__window__number", "id")
    )
    # Every queue holds open cases only: counted over those (the status index), not over every
    # case the centre ever took (six million in a province).
    cases = _with_due(processed_cases(user)).filter(status__in=OPEN)
    counts = count_tabs(cases, [Tab(q.value, q.q(today), WORK) for q in QUEUES])
    queues = []
    for queue in QUEUES:
        rows = list(
            cases.filter(queue.q(today)).select_related(*ROW_RELATED).order_by(*queue.order)[:QUEUE_ROWS]
        )
        for case in rows:
            case.due_info = due_of(case, today, cal)
        queues.append({"queue": queue, "rows": rows, "count": counts[queue.value].n})
    booked = sum(1 for a in appointments if a.status == AppointmentStatus.BOOKED)
    return render(request, "office/services/today.html", {
        "today": today, "appointments": appointments, "booked": booked, "queues": queues,
        "warn_days": WARN_DAYS, "can_receive": bool(receiving_windows(user)),
    })  # fmt: skip


# --- receiving at a window ----------------------------------------------------------------------


def _receive_form(request: HttpRequest, windows: list[ServiceWindow]) -> forms.ReceiveForm:
    today = _today()
    appointments = list(
        appointment_policy()
        .filter(request.user, "process")
        .filter(slot__date=today, slot__window__in=windows, status=AppointmentStatus.BOOKED)
        .select_related("slot", "item")
        .order_by("slot__start", "id")
    )
    initial: dict[str, Any] = {}
    wanted = request.GET.get("appointment", "")
    chosen = next((a for a in appointments if str(a.pk) == wanted), None)
    if chosen is not None:
        initial = {"appointment": str(chosen.pk), "window": str(chosen.slot.window_id),
                   "item": str(chosen.item_id), "applicant_name": chosen.name, "phone": chosen.phone}  # fmt: skip
    elif len(windows) == 1:
        initial = {"window": str(windows[0].pk)}
    org_ids = {w.centre_id for w in windows}
    return forms.ReceiveForm(
        request.POST or None, windows=windows, items=receivable_items(request.user, windows), appointments=appointments,
        agents=agents_for(org_ids), initial=initial,
    )  # fmt: skip


@staff_required
def case_receive(request: HttpRequest) -> HttpResponse:
    """Receive an application at a window; with ``?appointment=<id>`` from today's booking."""
    user = request.user
    windows = receiving_windows(user)
    if not windows:
        raise PermissionDenied
    form = _receive_form(request, windows)

    def run(d: dict[str, Any]) -> Any:
        try:
            return actions.receive_case(actor=user, **form.action_kwargs())
        except PermissionDenied:
            # A window the user staffs, but another unit's service: say so on the form, not with a 403.
            raise ActionError({"item": _("You cannot receive this service at this window.")}) from None

    result = run_form(request, form, run)
    if result:
        case, code = result
        # The tracking code is stored only as a hash: shown once, on the next page, then gone.
        SHOWN_CODE.keep(request, case, code)
        return redirect("office:service_case_received", pk=case.pk)
    return render(request, "office/services/receive.html", {"form": form})


@staff_required
@require_safe
@never_cache
def case_received(request: HttpRequest, pk: int) -> HttpResponse:
    """The case number and the tracking code to give to the applicant, shown this once."""
    case = _case(request, pk)
    code = SHOWN_CODE.take(request, case)
    if code is None:
        messages.info(
            request, _("The tracking code was shown once when the case was received and is not stored.")
        )
        return redirect("office:service_case_detail", pk=case.pk)
    return render(request, "office/services/received.html", {"case": case, "code": code})


# --- one case, and what can be done with it ------------------------------------------------------


class CaseView:
    """What the case page needs about one case for one user, each part computed once."""

    def __init__(self, request: HttpRequest, case: ServiceCase) -> None:
        self.request = request
        self.user = request.user
        self.case = case
        self.today = _today()
        self._can: dict[str, bool] = {}

    def can(self, verb: str) -> bool:
        if verb not in self._can:
            self._can[verb] = case_policy().can(self.user, verb, self.case)
        return self._can[verb]

    @property
    def status(self) -> str:
        return self.case.status

    @property
    def charged(self) -> bool:
        return not self.case.item.fee_free

    @property
    def certificate(self) -> str | None:
        """The name of the certificate the item issues ("" if unnamed), None if it issues none."""
        item = self.case.item
        return (item.certificate_name or "") if item.issues_certificate else None

    @cached_property
    def agents(self) -> list[Any]:
        ids = {self.case.organisation_id}
        if self.case.centre_id:
            ids.add(self.case.centre_id)
        return agents_for(ids)


def _in(*statuses: str) -> Callable[[CaseView], bool]:
    return lambda c: c.status in statuses


@dataclass(frozen=True)
class Step:
    """One thing that can be done with a case: its verb, when, its form, its action and its message."""

    name: str
    title: Any
    verb: str
    when: Callable[[CaseView], bool]
    form: Callable[..., Form]  # form(view, data, files, auto_id=…, initial=…)
    run: Callable[[CaseView, Form], Any]
    done: Callable[[CaseView, Any], str]
    style: str = "secondary"
    multipart: bool = False


def _cd(form: Form) -> dict[str, Any]:
    return form.cleaned_data


def _plain(cls: type[Form]) -> Callable[..., Form]:
    return lambda c, *a, **k: cls(*a, **k)


STEPS: list[Step] = [
    Step(
        name="accept", title=gettext_lazy("Accept (受理)"), verb="process", when=_in(CaseStatus.SUBMITTED),
        form=_plain(forms.OnForm),
        run=lambda c, f: actions.accept_case(actor=c.user, case=c.case, on=_cd(f)["on"]),
        done=lambda c, r: _("Accepted; the time limit runs from today."), style="primary",
    ),
    Step(
        name="request_materials", title=gettext_lazy("Ask for missing materials (补齐补正)"), verb="process",
        when=_in(CaseStatus.ACCEPTED), form=_plain(forms.MaterialsForm),
        run=lambda c, f: actions.request_materials(actor=c.user, case=c.case, missing=_cd(f)["missing"],
                                                   on=_cd(f)["on"]),
        done=lambda c, r: _("The applicant is told what is missing; the time limit stops meanwhile."),
    ),
    Step(
        name="supply_materials", title=gettext_lazy("Record the materials supplied"), verb="process",
        when=_in(CaseStatus.CORRECTION), form=_plain(forms.SuppliedForm),
        run=lambda c, f: actions.supply_materials(actor=c.user, case=c.case, files=_cd(f)["files"],
                                                  note=_cd(f)["note"], on=_cd(f)["on"]),
        done=lambda c, r: _("Materials recorded; the time limit runs again."), style="primary", multipart=True,
    ),
    Step(
        name="add_step", title=gettext_lazy("Record an approval step"), verb="add_step",
        when=_in(CaseStatus.ACCEPTED), form=_plain(forms.StepForm),
        run=lambda c, f: actions.add_step(actor=c.user, case=c.case, name=_cd(f)["name"],
                                          decision=_cd(f)["decision"], opinion=_cd(f)["opinion"], on=_cd(f)["on"]),
        done=lambda c, r: _("Step “%(name)s” recorded.") % {"name": r.name},
    ),
    Step(
        name="collect_fee", title=gettext_lazy("Collect the fee"), verb="process",
        when=lambda c: c.status == CaseStatus.ACCEPTED and c.charged and c.case.fee_collected_on is None,
        form=_plain(forms.FeeForm),
        run=lambda c, f: actions.collect_fee(actor=c.user, case=c.case, amount=_cd(f)["amount"],
                                             receipt=_cd(f)["receipt"], quantity=_cd(f)["quantity"],
                                             on=_cd(f)["on"]),
        done=lambda c, r: _("Fee of %(amount)s yuan recorded.") % {"amount": f"{r.fee_amount:.2f}"},
    ),
    Step(
        name="complete", title=gettext_lazy("Complete (办结)"), verb="process", when=_in(CaseStatus.ACCEPTED),
        form=lambda c, *a, **k: forms.CompleteForm(*a, certificate=c.certificate, **k),
        run=lambda c, f: actions.complete_case(actor=c.user, case=c.case, result=_cd(f)["result"],
                                               reason=_cd(f)["reason"],
                                               certificate_number=_cd(f).get("certificate_number", ""),
                                               on=_cd(f)["on"]),
        done=lambda c, r: _("The case is completed."), style="primary",
    ),
    Step(
        name="reject", title=gettext_lazy("Do not accept (不予受理)"), verb="process", when=_in(*OPEN),
        form=_plain(forms.ReasonForm),
        run=lambda c, f: actions.reject_case(actor=c.user, case=c.case, reason=_cd(f)["reason"], on=_cd(f)["on"]),
        done=lambda c, r: _("The case was not accepted; the applicant is told why."), style="danger",
    ),
    Step(
        name="set_agent", title=gettext_lazy("Agent (全程代办)"), verb="process", when=_in(*OPEN),
        form=lambda c, *a, **k: forms.AgentForm(*a, agents=c.agents, **k),
        run=lambda c, f: actions.set_agent(actor=c.user, case=c.case, agent=_cd(f)["agent"]),
        done=lambda c, r: _("Agent saved."),
    ),
    Step(
        name="withdraw", title=gettext_lazy("Record a withdrawal"), verb="process", when=_in(*OPEN),
        form=_plain(forms.WithdrawForm),
        run=lambda c, f: actions.withdraw_case(actor=c.user, case=c.case, reason=_cd(f)["reason"]),
        done=lambda c, r: _("The withdrawal was recorded."), style="danger",
    ),
]  # fmt: skip
STEP_BY_NAME = {s.name: s for s in STEPS}


def _initial(view: CaseView, step: Step) -> dict[str, Any]:
    case = view.case
    if step.name == "collect_fee" and case.item.fee_amount is not None:
        return {"quantity": Decimal(1), "amount": case.item.fee_amount}
    if step.name == "set_agent":
        return {"agent": str(case.agent_id) if case.agent_id else ""}
    return {}


def _detail(request: HttpRequest, case: ServiceCase, bound: dict[str, Form] | None = None) -> HttpResponse:
    view = CaseView(request, case)
    bound = bound or {}
    steps = []
    for step in STEPS:
        shown = view.can(step.verb) and step.when(view)
        form = bound.get(step.name)
        if form is not None and not shown:
            # The case moved on meanwhile: errors become messages.
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        if shown:
            if form is None:
                form = step.form(view, initial=_initial(view, step), auto_id=f"{step.name}_%s")
            steps.append({"step": step, "form": form, "open": step.name in bound,
                          "url": reverse(f"office:service_case_{step.name}", args=[case.pk])})  # fmt: skip
    clock = case.clock if case.clock_id else None
    return render(request, "office/services/case_detail.html", {
        "case": case,
        "item": case.item,
        "due": due_of(case, view.today, get_calendar()),
        "clock": clock,
        "clock_text": explanation(clock, translation.get_language() or "zh") if clock else "",
        "pauses": list(clock.pauses.all()) if clock else [],
        "steps_done": list(case.steps.select_related("actor")),
        "corrections": list(case.corrections.select_related("requested_by")),
        "materials": list(case.material_files.all()),
        "can_history": view.can("view_history"),
        "steps": steps,
    })  # fmt: skip


@staff_required
@require_safe
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _case(request, pk))


@staff_required
@require_POST
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Run one step: 404 for a case the user cannot open, 403 for a step their role does not allow."""
    spec = STEP_BY_NAME.get(step)
    if spec is None:
        raise Http404
    case = _case(request, pk)
    view = CaseView(request, case)
    if not view.can(spec.verb):
        raise PermissionDenied
    form = spec.form(view, request.POST, request.FILES, auto_id=f"{spec.name}_%s")
    result = run_form(request, form, lambda d: spec.run(view, form))
    if not result:
        return _detail(request, _case(request, pk), {spec.name: form})
    messages.success(request, spec.done(view, result))
    return redirect("office:service_case_detail", pk=case.pk)


@staff_required
@require_safe
def case_material(request: HttpRequest, pk: int, material_pk: int) -> FileResponse:
    """A file the applicant handed in, always as a download (typed from its content, never run)."""
    case = _case(request, pk)
    material = case.material_files.filter(pk=material_pk).first()
    if material is None:
        raise Http404
    return stored_file_response(
        material.file,
        content_type=material.content_type,
        name=material.name,
        fallback_stem=f"material-{material.pk}",
        cache_control="private, no-store",
    )


# --- the list of cases --------------------------------------------------------------------------


def _apply_filters(qs: QuerySet, f: dict[str, Any], today: date) -> QuerySet:
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(Q(case_number__icontains=q) | Q(applicant_name__icontains=q))
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("item"):
        qs = qs.filter(item=f["item"])
    if f.get("organisation"):
        qs = qs.filter(organisation=f["organisation"])
    if f.get("channel"):
        qs = qs.filter(channel=f["channel"])
    if f.get("date_from"):
        qs = qs.filter(received_on__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(received_on__lte=f["date_to"])
    if f.get("overdue"):
        qs = qs.filter(status__in=OPEN, due__lt=today)
    return qs


@staff_required
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = _with_due(office_cases(user))
    orgs = list(Organisation.objects.filter(pk__in=visible.values("organisation_id")).order_by("path"))
    items = list(
        ServiceItem.objects.filter(pk__in=visible.values("item_id")).order_by("organisation_id", "code")
    )
    form = forms.CaseFilterForm(request.GET or None, items=items, organisations=orgs)
    today, cal = _today(), get_calendar()
    rows = (
        _apply_filters(visible, form.values(), today)
        .select_related(*ROW_RELATED)
        .order_by("-submitted_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.due_info = due_of(case, today, cal)
    return render(request, "office/services/case_list.html", {
        "form": form, "page": page, "warn_days": WARN_DAYS, "channels": CaseChannel,
        "can_receive": bool(receiving_windows(user)),
    })  # fmt: skip
