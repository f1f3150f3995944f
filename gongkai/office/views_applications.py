"""Back office for applications for disclosure (依申请公开): the queues and registration.

Thin views over ``ApplicationPolicy`` and ``gongkai.applications.actions``: every case is
fetched through the policy (another agency's case is a 404, exactly like a missing one),
every step is a POST to one URL per step that calls one action, and an action's errors go
back onto the form that was sent. A step's form is shown only when the policy allows the
user the step's verb and the case's state allows the step; the action checks both again.

This module has the list with its queue tabs and filters, registering an application, and what
the case pages share (fetching a case through the policy, the reply deadline as shown). The case
page with its steps, and the case's letters and documents, are in ``views_applications_case``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gongkai.applications import actions
from gongkai.applications.models import (
    OPEN_STATUSES,
    Application,
    Status,
)
from gongkai.applications.policies import DRAFTING_ROLES, OFFICE_ROLES, ApplicationPolicy
from gongkai.office import forms_applications as forms
from gongkai.office.queues import (
    ALL,
    DUE,
    WARN_DAYS,
    WORK,
    CountedPaginator,
    Due,
    Tab,
    TabCount,
    count_tabs,
    due_info,
)
from gongkai.office.shown_once import CodeShownOnce
from gongkai.office.views import run_form, staff_required
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.scope import scope_ids, scope_in
from gongkai.workdays.calendar import get_calendar

policy = ApplicationPolicy()

PAGE_SIZE = 50
HANDLER_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)
ROW_RELATED = ("organisation", "assigned_unit", "clock")
DETAIL_RELATED = ("organisation", "assigned_unit", "assignee", "clock", "citizen", "drafted_by", "replied_by")
SHOWN_CODE = CodeShownOnce("application")


def _today() -> date:
    return timezone.localdate()


# --- read-only queries --------------------------------------------------------------------------


def office_applications(user: Any) -> QuerySet:
    """Applications whose back-office pages the user may open."""
    return policy.filter(user, "view_office")


def with_due(qs: QuerySet) -> QuerySet:
    """Annotate ``due``: the reasoned later date (2019 Art. 35) if set, else the clock's due date."""
    return qs.annotate(due=Coalesce("later_date", "clock__due_date"))


def _app(request: HttpRequest, pk: int) -> Application:
    """The application if the user may open it in the office; a 404 otherwise."""
    return policy.get(
        request.user, "view_office", queryset=Application.objects.select_related(*DETAIL_RELATED), pk=pk
    )


def filter_organisations(user: Any) -> list[Organisation]:
    """The agencies the list's filter offers: those whose applications the user's roles reach, and
    those of applications assigned to the user's units for a draft reply.

    Read from the user's scope, not from the applications: a province-wide reviewer reaches
    300,000 applications, and finding the agencies among them took 150 ms on every page. Only
    when some organisation lies outside the scope are the applications assigned into it looked up
    (through the assigned unit's index)."""
    fields = ("pk", "name", "path", "depth", "sort_order")
    if user.is_superuser:
        return list(Organisation.objects.only(*fields).order_by("path"))
    office, drafting = scope_in(user, OFFICE_ROLES), scope_in(user, DRAFTING_ROLES)
    reach = Q(pk__in=office)
    if scope_ids(user, DRAFTING_ROLES) and Organisation.objects.exclude(pk__in=office).exists():
        assigned = Application.objects.filter(assigned_unit__in=drafting).exclude(organisation__in=office)
        reach |= Q(pk__in=assigned.values("organisation_id"))
    return list(Organisation.objects.filter(reach).only(*fields).order_by("path"))


def handling_organisations(user: Any) -> list[Organisation]:
    """Active organisations for which the user may register an application (the "handle" verb)."""
    qs = Organisation.objects.filter(is_active=True).order_by("path")
    if not user.is_superuser:
        qs = qs.filter(pk__in=scope_in(user, HANDLER_ROLES))
    return [org for org in qs if policy.can(user, "handle", Application(organisation=org))]


# --- time left -----------------------------------------------------------------------------------


def due_of(app: Application, today: date, cal: Any) -> Due:
    return due_info(app, today, cal, open_statuses=OPEN_STATUSES, done=Status.CLOSED, later_date=app.later_date)


# --- queues --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    value: str
    label: Any
    q: Callable[[Any, date, Any], Q]
    order: tuple[Any, ...] = ("-submitted_at", "-id")
    # How the tab is counted (see ``queues``): WORK, DUE (on the due date — the clock or a
    # reasoned later date — which only open cases have) or ALL (up to a limit).
    count: str = WORK


BY_DUE = (F("due").asc(nulls_last=True), "received_on", "id")


def _due_soon(user: Any, today: date, cal: Any) -> Q:
    # Due dates before the (WARN_DAYS + 1)-th working day after today leave at most WARN_DAYS.
    return Q(status__in=OPEN_STATUSES, due__gte=today, due__lt=cal.add_workdays(today, WARN_DAYS + 1))


def _status(status: str) -> Callable[[Any, date, Any], Q]:
    return lambda user, today, cal: Q(status=status)


QUEUES = [
    Queue("", gettext_lazy("All"), lambda u, t, c: ~Q(status=Status.DISCARDED), count=ALL),
    Queue("pending", gettext_lazy("To confirm"), _status(Status.PENDING), ("submitted_at", "id")),
    Queue("processing", gettext_lazy("Being handled"), _status(Status.PROCESSING), BY_DUE),
    Queue("due_soon", gettext_lazy("Due within 3 working days"), _due_soon, BY_DUE, count=DUE),
    Queue(
        "overdue",
        gettext_lazy("Overdue"),
        lambda u, t, c: Q(status__in=OPEN_STATUSES, due__lt=t),
        BY_DUE,
        count=DUE,
    ),
    Queue("correction", gettext_lazy("Awaiting correction"), _status(Status.CORRECTION), BY_DUE),
    Queue("consulting", gettext_lazy("Awaiting a third party"), _status(Status.CONSULTING), BY_DUE),
    Queue("fee", gettext_lazy("Awaiting payment"), _status(Status.FEE), BY_DUE),
    Queue("review", gettext_lazy("Replies to review"), _status(Status.REVIEW), BY_DUE),
    Queue(
        "mine",
        gettext_lazy("Assigned to me"),
        lambda u, t, c: Q(assignee=u, status__in=OPEN_STATUSES),
        BY_DUE,
    ),
    Queue("closed", pgettext_lazy("case status", "Closed"), _status(Status.CLOSED), ("-replied_on", "-id"), ALL),
    Queue("discarded", gettext_lazy("Not registered"), _status(Status.DISCARDED), count=ALL),
]
QUEUE_BY_VALUE = {q.value: q for q in QUEUES}


def _apply_filters(qs: QuerySet, f: dict[str, Any]) -> QuerySet:
    """Every filter but the queue (the queue tabs count across it)."""
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(
            Q(case_number__icontains=q) | Q(applicant_name__icontains=q) | Q(info_title__icontains=q)
        )
    if f.get("organisation"):
        org = f["organisation"]
        qs = (
            qs.filter(organisation__path__startswith=org.path)
            if f.get("below")
            else qs.filter(organisation=org)
        )
    if f.get("channel"):
        qs = qs.filter(channel=f["channel"])
    if f.get("rule_set"):
        qs = qs.filter(rule_set=f["rule_set"])
    if f.get("date_from"):
        qs = qs.filter(received_on__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(received_on__lte=f["date_to"])
    return qs


def queue_counts(filtered: QuerySet, user: Any, today: date, cal: Any) -> dict[str, TabCount]:
    """Cases per queue tab (see ``queues.count_tabs``)."""
    tabs = [Tab(q.value, q.q(user, today, cal), q.count) for q in QUEUES]
    return count_tabs(filtered, tabs, with_due=with_due, open_condition=Q(status__in=OPEN_STATUSES))


@staff_required
@require_safe
def application_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = office_applications(user)
    orgs = filter_organisations(user)
    form = forms.ApplicationFilterForm(
        request.GET or None, organisations=orgs, queues=[(q.value, q.label) for q in QUEUES]
    )
    f = form.values()
    today, cal = _today(), get_calendar()
    filtered = _apply_filters(visible, f)
    counts = queue_counts(filtered, user, today, cal)
    queue = QUEUE_BY_VALUE.get(f.get("queue", ""), QUEUES[0])
    rows = (
        with_due(filtered)
        .filter(queue.q(user, today, cal))
        .select_related(*ROW_RELATED)
        .order_by(*queue.order)
    )
    page = CountedPaginator(rows, PAGE_SIZE, counts[queue.value]).get_page(request.GET.get("page"))
    for app in page:
        app.due_info = due_of(app, today, cal)
    tabs = [(q.value, q.label, counts[q.value]) for q in QUEUES]
    return render(request, "office/applications/list.html", {
        "form": form, "page": page, "tabs": tabs, "queue": queue, "today": today, "warn_days": WARN_DAYS,
        "can_register": bool(user.is_superuser or scope_ids(user, HANDLER_ROLES)),
    })  # fmt: skip


# --- registering -------------------------------------------------------------------------------


@staff_required
def application_create(request: HttpRequest) -> HttpResponse:
    """Register an application made in person, by post, fax, e-mail or orally."""
    user = request.user
    orgs = handling_organisations(user)
    if not orgs:
        raise PermissionDenied
    form = forms.RegisterForm(request.POST or None, request.FILES or None, organisations=orgs)

    def run(d: dict[str, Any]) -> Any:
        return actions.register_application(
            actor=user, organisation=d["organisation"], channel=d["channel"], submitted_on=d["submitted_on"],
            signed_for_on=d.get("signed_for_on"), confirmed_on=d.get("confirmed_on"),
            receipt_note=d.get("receipt_note", ""), documents=d.get("documents") or None, **form.applicant_fields(),
        )  # fmt: skip

    result = run_form(request, form, run)
    if result:
        app, code = result
        # The tracking code is stored only as a hash: shown once, on the next page, then gone.
        SHOWN_CODE.keep(request, app, code)
        return redirect("office:application_registered", pk=app.pk)
    return render(request, "office/applications/form.html", {"form": form})


@staff_required
@require_safe
@never_cache
def application_registered(request: HttpRequest, pk: int) -> HttpResponse:
    """The case number and the tracking code to give to the applicant, shown this once."""
    app = _app(request, pk)
    code = SHOWN_CODE.take(request, app)
    if code is None:
        messages.info(
            request,
            _("The tracking code was shown once when the application was registered and is not stored."),
        )
        return redirect("office:application_detail", pk=app.pk)
    acknowledgement = app.letters.filter(kind="acknowledgement").first()
    return render(request, "office/applications/registered.html", {
        "app": app, "code": code, "acknowledgement": acknowledgement,
    })  # fmt: skip
