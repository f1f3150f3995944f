"""The staff back office: thin views over policies and actions."""

from __future__ import annotations

import calendar as pycal
import copy
from datetime import date, datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from gongkai.accounts import actions as account_actions
from gongkai.accounts import throttle
from gongkai.accounts.policies import ApiTokenPolicy, UserPolicy
from gongkai.audit.log import history, verify
from gongkai.audit.models import AuditEvent
from gongkai.audit.policies import AuditEventPolicy
from gongkai.core.actions import ActionError
from gongkai.core.policies import policy_for
from gongkai.office import forms
from gongkai.orgs import actions as org_actions
from gongkai.orgs.models import Organisation, Role, RoleAssignment
from gongkai.orgs.policies import OrganisationPolicy, RoleAssignmentPolicy
from gongkai.orgs.scope import scope_ids
from gongkai.workdays import calendar as wcal
from gongkai.workdays.models import MAX_YEAR, MIN_YEAR, CalendarDay, CalendarYear

orgs_policy = OrganisationPolicy()
users_policy = UserPolicy()
audit_policy = AuditEventPolicy()


def staff_required(view: Any) -> Any:
    """Signed-in staff only; citizens have their own pages on the portal."""

    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_citizen:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def apply_action_error(form: Form, exc: ActionError) -> None:
    """Put an action's validation errors on the form, by field where possible."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def run_form(request: HttpRequest, form: Form, run: Any) -> Any:
    """On a valid POST, run the action with the cleaned data; its errors go onto the form.

    Returns the action's result (True if it returns nothing), or None when the
    form is to be shown again.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = run(form.cleaned_data)
    except ActionError as exc:
        apply_action_error(form, exc)
        return None
    return True if result is None else result


def simple_form(request: HttpRequest, form: Form, title: str, cancel_url: str) -> HttpResponse:
    return render(
        request, "office/simple_form.html", {"form": form, "title": title, "cancel_url": cancel_url}
    )


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


# --- log in / out -----------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and not request.user.is_citizen:  # type: ignore[union-attr]
        return redirect("office:dashboard")
    form = forms.LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = _client_address(request)
        until = throttle.locked_until(username, address)
        if until is not None:
            minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
            form.add_error(
                None, _("Too many failed attempts. Try again in %(minutes)s minutes.") % {"minutes": minutes}
            )
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None or user.is_citizen:
                throttle.register_failure(username, address)
                form.add_error(None, _("The user name or password is wrong."))
            else:
                throttle.register_success(username)
                login(request, user)
                if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                    next_url = ""
                return redirect(next_url or "office:dashboard")
    return render(request, "office/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("office:login")


# --- dashboard --------------------------------------------------------------------------------


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    assignments = list(user.role_assignments.select_related("organisation").order_by("organisation__path"))  # type: ignore[union-attr]
    roles = {a.role for a in assignments}
    if user.is_superuser:  # type: ignore[union-attr]
        roles.add(Role.ADMIN)
    admin_ids = scope_ids(user, (Role.ADMIN,))
    panels: dict[str, Any] = {}
    if Role.ADMIN in roles:
        panels["admin"] = {
            "organisations": Organisation.objects.filter(pk__in=admin_ids).count()
            if not user.is_superuser
            else Organisation.objects.count(),  # type: ignore[union-attr]
            "users": users_policy.visible_to(user).filter(is_active=True).count(),
        }
    this_year = timezone.localdate().year
    official = set(
        CalendarYear.objects.filter(year__in=[this_year, this_year + 1]).values_list("year", flat=True)
    )
    calendar_status = [(y, y in official) for y in (this_year, this_year + 1)]
    recent = audit_policy.visible_to(user).select_related("actor", "organisation")[:10]
    return render(
        request,
        "office/dashboard.html",
        {
            "assignments": assignments,
            "roles": sorted(roles),
            "panels": panels,
            "calendar_status": calendar_status,
            "recent_events": recent,
            "Role": Role,
        },
    )


# --- organisations ----------------------------------------------------------------------------


def _office_orgs(user: Any) -> Any:
    """Organisations whose back-office pages the user may open."""
    return orgs_policy.filter(user, "view_office")


@staff_required
def org_list(request: HttpRequest) -> HttpResponse:
    qs = _office_orgs(request.user).annotate(
        n_children=Count("children", distinct=True), n_staff=Count("role_assignments__user", distinct=True)
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(short_name__icontains=q) | qs.filter(code__iexact=q)
    page = Paginator(qs.order_by("path"), 100).get_page(request.GET.get("page"))
    can_add_top = request.user.is_superuser  # type: ignore[union-attr]
    return render(request, "office/org_list.html", {"page": page, "q": q, "can_add_top": can_add_top})


@staff_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = orgs_policy.get(request.user, "view_office", pk=pk)
    children = org.children.order_by("sort_order", "name")
    staff = (
        RoleAssignmentPolicy()
        .visible_to(request.user)
        .filter(organisation=org)
        .select_related("user")
        .order_by("role", "user__username")
    )
    ancestors = Organisation.objects.filter(pk__in=org.ancestor_ids()).order_by("depth")
    return render(
        request,
        "office/org_detail.html",
        {
            "org": org,
            "children": children,
            "staff": staff,
            "ancestors": ancestors,
            "can_change": orgs_policy.can(request.user, "change", org),
            "can_add_child": orgs_policy.can(request.user, "add_child", org),
            "can_manage_roles": orgs_policy.can(request.user, "manage_roles", org),
        },
    )


@staff_required
def org_create(request: HttpRequest) -> HttpResponse:
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    parent = None
    if parent_id:
        try:
            parent = orgs_policy.get(request.user, "add_child", pk=int(parent_id))
        except ValueError as exc:
            raise Http404 from exc
    elif not request.user.is_superuser:  # type: ignore[union-attr]
        raise PermissionDenied
    form = forms.OrganisationForm(request.POST or None)
    org = run_form(
        request, form, lambda d: org_actions.create_organisation(actor=request.user, parent=parent, **d)
    )
    if org:
        messages.success(request, _("Organisation “%(name)s” created.") % {"name": org.name})
        return redirect("office:org_detail", pk=org.pk)
    return render(request, "office/org_form.html", {"form": form, "parent": parent, "org": None})


@staff_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = orgs_policy.get(request.user, "change", pk=pk)
    # Bound to (a copy of) the organisation so that the form's uniqueness check of the
    # unchanged code does not find the organisation itself.
    form = forms.OrganisationForm(request.POST or None, instance=copy.copy(org), editing=True)
    if run_form(request, form, lambda d: org_actions.update_organisation(
        actor=request.user, organisation=org, **{k: v for k, v in d.items() if k != "code"}
    )):  # fmt: skip
        messages.success(request, _("Changes saved."))
        return redirect("office:org_detail", pk=org.pk)
    return render(request, "office/org_form.html", {"form": form, "parent": org.parent, "org": org})


@staff_required
def org_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    org = orgs_policy.get(request.user, "change", pk=pk)
    form = forms.ReasonForm(request.POST or None)
    activate = not org.is_active
    if run_form(request, form, lambda d: org_actions.set_organisation_active(
        actor=request.user, organisation=org, active=activate, reason=d["reason"]
    )):  # fmt: skip
        messages.success(
            request, _("Organisation activated.") if activate else _("Organisation deactivated.")
        )
        return redirect("office:org_detail", pk=org.pk)
    return render(request, "office/confirm_reason.html", {
        "form": form, "object": org, "cancel_url": reverse("office:org_detail", args=[org.pk]),
        "title": _("Activate organisation") if activate else _("Deactivate organisation"),
    })  # fmt: skip


# --- users ------------------------------------------------------------------------------------


@staff_required
def user_list(request: HttpRequest) -> HttpResponse:
    qs = (
        users_policy.visible_to(request.user)
        .filter(kind="staff")
        .prefetch_related(
            Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("organisation"))
        )
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(display_name__icontains=q)
    page = Paginator(qs.order_by("username"), 50).get_page(request.GET.get("page"))
    can_create = bool(scope_ids(request.user, (Role.ADMIN,))) or request.user.is_superuser  # type: ignore[union-attr]
    return render(request, "office/user_list.html", {"page": page, "q": q, "can_create": can_create})


def _admin_orgs(user: Any) -> Any:
    return orgs_policy.filter(user, "manage_roles").filter(is_active=True).order_by("path")


@staff_required
@sensitive_post_parameters("password")
def user_create(request: HttpRequest) -> HttpResponse:
    orgs = _admin_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied
    initial = {"organisation": request.GET.get("organisation")} if request.GET.get("organisation") else None
    form = forms.StaffUserForm(request.POST or None, organisations=orgs, initial=initial)
    user = run_form(request, form, lambda d: account_actions.create_staff_user(actor=request.user, **d))
    if user:
        messages.success(request, _("Account “%(username)s” created.") % {"username": user.username})
        return redirect("office:user_detail", pk=user.pk)
    return render(request, "office/user_form.html", {"form": form})


@staff_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = users_policy.get(request.user, pk=pk)
    assignments = target.role_assignments.select_related("organisation").order_by("organisation__path")
    rp = RoleAssignmentPolicy()
    rows = [(a, rp.can(request.user, "delete", a)) for a in assignments]
    grant_form = forms.RoleGrantForm(organisations=_admin_orgs(request.user))
    return render(
        request,
        "office/user_detail.html",
        {
            "target": target,
            "rows": rows,
            "grant_form": grant_form,
            "can_change": users_policy.can(request.user, "change", target),
            "can_grant": _admin_orgs(request.user).exists(),
        },
    )


@staff_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = users_policy.get(request.user, "change", pk=pk)
    form = forms.UserEditForm(
        request.POST or None,
        initial={"display_name": target.display_name, "email": target.email, "phone": target.phone},
    )
    if run_form(request, form, lambda d: account_actions.update_user(actor=request.user, user=target, **d)):
        messages.success(request, _("Changes saved."))
        return redirect("office:user_detail", pk=target.pk)
    title = _("Edit %(name)s") % {"name": target}
    return simple_form(request, form, title, reverse("office:user_detail", args=[target.pk]))


@staff_required
@require_POST
def user_grant_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = users_policy.get(request.user, pk=pk)
    form = forms.RoleGrantForm(request.POST, organisations=_admin_orgs(request.user))
    if form.is_valid():
        try:
            org_actions.grant_role(actor=request.user, user=target, **form.cleaned_data)
        except ActionError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Role granted."))
    else:
        messages.error(request, _("Choose an organisation and a role."))
    return redirect("office:user_detail", pk=target.pk)


@staff_required
@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = RoleAssignmentPolicy().get(
        request.user, "delete", queryset=RoleAssignment.objects.select_related("user", "organisation"), pk=pk
    )
    try:
        org_actions.revoke_role(
            actor=request.user, assignment=assignment, reason=request.POST.get("reason", "")[:500]
        )
    except ActionError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role removed."))
    return redirect("office:user_detail", pk=assignment.user_id)


@staff_required
@sensitive_post_parameters("password", "confirm")
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = users_policy.get(request.user, "set_password", pk=pk)
    own = target if target.pk == request.user.pk else None
    form = forms.PasswordForm(request.POST or None, own_account=own)
    if run_form(request, form, lambda d: account_actions.set_user_password(
        actor=request.user, user=target, password=d["password"]
    )):  # fmt: skip
        if own is not None:
            update_session_auth_hash(request, target)  # stay signed in after one's own change
        messages.success(request, _("Password changed."))
        return redirect("office:user_detail", pk=target.pk)
    title = _("Set password for %(name)s") % {"name": target}
    return simple_form(request, form, title, reverse("office:user_detail", args=[target.pk]))


@staff_required
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    target = users_policy.get(request.user, "change", pk=pk)
    form = forms.ReasonForm(request.POST or None)
    activate = not target.is_active
    if run_form(request, form, lambda d: account_actions.set_user_active(
        actor=request.user, user=target, active=activate, reason=d["reason"]
    )):  # fmt: skip
        messages.success(request, _("Account activated.") if activate else _("Account deactivated."))
        return redirect("office:user_detail", pk=target.pk)
    return render(request, "office/confirm_reason.html", {
        "form": form, "object": target, "cancel_url": reverse("office:user_detail", args=[target.pk]),
        "title": _("Activate account") if activate else _("Deactivate account"),
    })  # fmt: skip


# --- calendar ---------------------------------------------------------------------------------


def _calendar_admin(user: Any) -> bool:
    return wcal.can_edit_calendar.test(user, None)


@staff_required
def calendar_years(request: HttpRequest) -> HttpResponse:
    stored = {y.year: y for y in CalendarYear.objects.select_related("loaded_by")}
    counts = dict(
        CalendarDay.objects.values_list("date__year").annotate(n=Count("date")).values_list("date__year", "n")
    )
    this_year = timezone.localdate().year
    first = min([*stored, this_year])
    years = [(y, stored.get(y), counts.get(y, 0)) for y in range(this_year + 1, first - 1, -1)]
    return render(
        request,
        "office/calendar_years.html",
        {
            "years": years,
            "can_edit": _calendar_admin(request.user),
            "upload_form": forms.CalendarUploadForm(),
        },
    )


@staff_required
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    cal = wcal.get_calendar()
    days = {d.date: d for d in CalendarDay.objects.filter(date__year=year)}
    months = []
    month_names = [_("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"),
                   _("August"), _("September"), _("October"), _("November"), _("December")]  # fmt: skip
    for m in range(1, 13):
        weeks = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, m):
            cells = []
            for d in week:
                entry = days.get(d)
                cells.append({
                    "date": d, "in_month": d.month == m, "workday": cal.is_workday(d),
                    "kind": entry.kind if entry else "", "name": entry.name if entry else "",
                })  # fmt: skip
            weeks.append(cells)
        months.append({"name": month_names[m - 1], "weeks": weeks})
    form = forms.CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if not _calendar_admin(request.user):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data["date"]
            try:
                if d.year != year:
                    raise ActionError({"date": [_("The date must be in %(year)s.") % {"year": year}]})
                changed = wcal.set_day(actor=request.user, day=d, kind=form.cleaned_data["kind"] or None,
                                       name=form.cleaned_data["name"], reason=form.cleaned_data["reason"])  # fmt: skip
            except ActionError as exc:
                apply_action_error(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Day saved; %(n)s open deadline recomputed.",
                        "Day saved; %(n)s open deadlines recomputed.",
                        changed,
                    )
                    % {"n": changed},
                )
                return redirect("office:calendar_year", year=year)
    return render(request, "office/calendar_year.html", {
        "year": year, "months": months, "official": CalendarYear.objects.filter(year=year).first(),
        "entries": sorted(days.values(), key=lambda e: e.date), "form": form, "can_edit": _calendar_admin(request.user),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    })  # fmt: skip


@staff_required
@require_POST
def calendar_upload(request: HttpRequest) -> HttpResponse:
    if not _calendar_admin(request.user):
        raise PermissionDenied
    form = forms.CalendarUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            year, notice, entries = wcal.parse_schedule(form.cleaned_data["file"])
            changed = wcal.load_year(
                actor=request.user,
                year=year,
                entries=entries,
                notice=notice,
                reason=form.cleaned_data["reason"],
            )
        except ActionError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(
                request,
                ngettext(
                    "Schedule for %(year)s loaded (%(days)s days); %(n)s open deadline recomputed.",
                    "Schedule for %(year)s loaded (%(days)s days); %(n)s open deadlines recomputed.",
                    changed,
                )
                % {"year": year, "days": len(entries), "n": changed},
            )
            return redirect("office:calendar_year", year=year)
    else:
        for errors in form.errors.values():
            for m in errors:
                messages.error(request, m)
    return redirect("office:calendar_years")


@staff_required
def calendar_compute(request: HttpRequest) -> HttpResponse:
    """Try the arithmetic: start date + N working days, with the explanation."""
    from gongkai.workdays.engine import compute_due, explain

    result = None
    error = ""
    start_raw = request.GET.get("start", "")
    days_raw = request.GET.get("days", "")
    if start_raw or days_raw:
        try:
            start = date.fromisoformat(start_raw)
            days = int(days_raw)
            if not 0 <= days <= 1000:
                raise ValueError
            wcal.check_year(start.year)
            res = compute_due(wcal.get_calendar(), start, days)
            result = {"res": res, "zh": explain(res, "zh"), "en": explain(res, "en")}
        except ActionError as exc:
            error = " ".join(exc.messages)
        except ValueError:
            error = _("Enter a date (YYYY-MM-DD) and a number of working days between 0 and 1000.")
    return render(
        request,
        "office/calendar_compute.html",
        {"result": result, "error": error, "start": start_raw, "days": days_raw},
    )


# --- audit ------------------------------------------------------------------------------------


@staff_required
def object_history(request: HttpRequest, ct: int, pk: str) -> HttpResponse:
    content_type = ContentType.objects.filter(pk=ct).first()
    model = content_type.model_class() if content_type else None
    if model is None:
        raise Http404
    try:
        policy = policy_for(model)
    except LookupError as exc:
        raise Http404 from exc
    try:
        obj = policy.get(request.user, "view_history", pk=pk)
    except (ValueError, ValidationError) as exc:  # a pk of the wrong type, e.g. "abc" for a number
        raise Http404 from exc
    events = Paginator(history(obj), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "office/history.html",
        {"object": obj, "events": events, "model_name": model._meta.verbose_name},
    )


@staff_required
def audit_log(request: HttpRequest) -> HttpResponse:
    qs = audit_policy.visible_to(request.user).select_related("actor", "organisation", "content_type")
    verb = request.GET.get("verb", "").strip()[:80]
    if verb:
        qs = qs.filter(verb__startswith=verb)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "office/audit_log.html",
        {"page": page, "verb": verb, "can_verify": request.user.is_superuser},
    )  # type: ignore[union-attr]


@staff_required
def audit_verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:  # type: ignore[union-attr]
        raise PermissionDenied
    problems = verify() if request.method == "POST" else None
    return render(
        request, "office/audit_verify.html", {"problems": problems, "total": AuditEvent.objects.count()}
    )


# --- API tokens -------------------------------------------------------------------------------


@staff_required
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = ApiTokenPolicy().visible_to(request.user).filter(user=request.user)
    form = forms.TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires_on"]
        expires_at = timezone.make_aware(datetime.combine(expires, time.max)) if expires else None
        try:
            _token, new_key = account_actions.create_api_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=expires_at,
            )
        except ActionError as exc:
            apply_action_error(form, exc)
        else:
            form = forms.TokenForm()
    return render(request, "office/tokens.html", {"tokens": tokens, "form": form, "new_key": new_key})


@staff_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiTokenPolicy().get(request.user, "revoke", pk=pk)
    account_actions.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("office:tokens")
