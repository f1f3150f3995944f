"""Public pages of service cases (办件): applying online, the status look-up, supplying missing
materials, and a citizen's own cases.

As for applications for disclosure (``views_applications``): every response is ``Cache-Control:
private, no-store``; submissions, invalid forms and failed look-ups are counted per client
address and refused with a 429 page beyond the hourly limits; a one-time submission key makes a
double click create one case (the key is unique on ``ServiceCase``); the case number and tracking
code are shown once, to the session that applied. A case is reached with its case number and
tracking code (kept in the session once proved), or by the citizen account it was submitted
from; being staff gives nothing here. A missing case and a wrong code look the same.
"""

from __future__ import annotations

import secrets
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongkai.core.actions import ActionError
from gongkai.portal import captcha
from gongkai.portal.case_access import CodeStore, Receipts
from gongkai.portal.forms_services import (
    CaseTrackForm,
    OnlineApplicationForm,
    SupplyForm,
    as_uploads,
    normalise_reference,
)
from gongkai.portal.views_applications import (
    KEY_PATTERN,
    RECEIPT_SECONDS,
    _mask_address,
    _mask_email,
    _mask_name,
    _mask_phone,
    _put_errors,
    _session_tag,
    error_summary,
    private_page,
    throttle_count,
    throttle_hit,
)
from gongkai.portal.views_services import _item_or_404, citizen, too_many, track_limit
from gongkai.services import actions
from gongkai.services.models import CaseStatus, ServiceCase, ServiceItem
from gongkai.services.policies import ServiceCasePolicy

TRACK_SESSION = "gk_service_track"  # {case number: tracking code} proved on this device
RECEIPT_SESSION = "gk_service_receipt"  # the submission key of the last online application from here
PER_PAGE = 20
case_policy = ServiceCasePolicy()


def apply_limit() -> int:
    return settings.SERVICE_APPLY_THROTTLE_PER_HOUR


def invalid_apply_limit() -> int:
    return settings.SERVICE_APPLY_INVALID_PER_HOUR


# --- 1. applying online --------------------------------------------------------------------------


RECEIPTS = Receipts("service")
CODES = CodeStore(TRACK_SESSION)


def _online_item_or_404(pk: int) -> ServiceItem:
    item = _item_or_404(pk)
    if not item.online:
        raise Http404
    return item


def _apply_page(
    request: HttpRequest, item: ServiceItem, form: OnlineApplicationForm, key: str
) -> HttpResponse:
    passed = form.captcha_passed or form.captcha_ok
    challenge = None if passed else captcha.new_challenge(request)
    if challenge is not None:
        if form.is_bound:  # a fresh question: the old answer and token are of no use any more
            form.data = form.data.copy()
            form.data["captcha_answer"] = ""
            form.data["captcha_token"] = challenge.token
        else:
            form.initial["captcha_token"] = challenge.token
        described = "captcha-question captcha-help"
        if form.is_bound and form["captcha_answer"].errors:
            described += f" {form['captcha_answer'].auto_id}_error"
        form.fields["captcha_answer"].widget.attrs["aria-describedby"] = described
    return render(request, "portal/services/apply.html", {
        "nav": "services",
        "item": item,
        "materials": item.material_list(),
        "form": form,
        "errors": error_summary(form) if form.is_bound else [],
        "submission_key": key,
        "challenge": challenge,
        "captcha_passed": passed,
        "files_lost": form.is_bound and bool(request.FILES),
    })  # fmt: skip


@private_page
@sensitive_post_parameters(
    "applicant_name", "id_number", "phone", "email", "address", "description", "captcha_answer"
)
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """网上申报: apply for an item that can be applied for online (no account needed)."""
    item = _online_item_or_404(pk)
    if request.method != "POST":
        return _apply_page(request, item, OnlineApplicationForm(request=request), secrets.token_urlsafe(32))

    key = request.POST.get("submission_key", "")
    if not KEY_PATTERN.match(key):
        key = ""
    elif RECEIPTS.get(request, key) is not None:  # the same form again (a double click, a reload)
        request.session[RECEIPT_SESSION] = key
        return redirect("portal:service_applied")
    if throttle_count("service_apply", request) >= apply_limit():
        return too_many(request, "apply")
    if throttle_count("service_apply_invalid", request) >= invalid_apply_limit():
        return too_many(request, "apply")

    form = OnlineApplicationForm(request.POST, request.FILES, request=request,
                                 captcha_passed=bool(key) and captcha.has_passed(request, key))  # fmt: skip
    valid = form.is_valid()
    if not key:
        key = secrets.token_urlsafe(32)
    if form.captcha_ok:
        captcha.remember_pass(request, key)
    if valid:
        try:
            case, code = actions.submit_case_online(
                actor=citizen(request),
                item=item,
                submission_key=key,
                user=citizen(request),
                **form.action_fields(),
            )
        except ActionError as exc:
            if ServiceCase.objects.filter(submission_key=key).exists():
                # Sent twice at the same moment: the first request is finishing its confirmation.
                for _attempt in range(30):
                    if RECEIPTS.get(request, key) is not None:
                        request.session[RECEIPT_SESSION] = key
                        return redirect("portal:service_applied")
                    time.sleep(0.1)
                form.add_error(None, _("This form was already submitted. Follow your case on the look-up page "
                                       "with the case number and tracking code."))  # fmt: skip
            else:
                _put_errors(form, exc)
        else:
            if not request.session.session_key:
                request.session.save()
            cache.set(RECEIPTS.cache_key(key), {
                "session": _session_tag(request),
                "case_number": case.case_number,
                "code": code,
                "item": item.name,
                "unit": item.organisation.name,
                "submitted_on": timezone.localtime(case.submitted_at).date().isoformat(),
            }, timeout=RECEIPT_SECONDS)  # fmt: skip
            CODES.remember(request, case.case_number, code)
            request.session[RECEIPT_SESSION] = key
            captcha.forget_pass(request, key)
            throttle_hit("service_apply", request)
            return redirect("portal:service_applied")
    throttle_hit("service_apply_invalid", request)
    return _apply_page(request, item, form, key)


@private_page
@require_safe
def applied(request: HttpRequest) -> HttpResponse:
    """The confirmation: case number and tracking code, shown this once."""
    key = request.session.get(RECEIPT_SESSION) or ""
    receipt = RECEIPTS.get(request, key) if isinstance(key, str) else None
    return render(request, "portal/services/applied.html", {"nav": "services", "receipt": receipt})


# --- 2. the status look-up -----------------------------------------------------------------------


def _case_queryset() -> Any:
    return ServiceCase.objects.select_related("item", "organisation", "centre", "window", "clock")


def authorised(request: HttpRequest, case_number: str) -> tuple[ServiceCase, str] | None:
    """The case and its tracking code ("" for the applicant's own account), or None."""
    number = normalise_reference(case_number)
    code = CODES.codes(request).get(number)
    if code:
        case = actions.find_case(number, code)
        if case is not None:
            return _case_queryset().get(pk=case.pk), code
        CODES.forget(request, number)  # no longer reachable with that code
    user = citizen(request)
    if user is not None:
        case = (
            case_policy.visible_to(user, _case_queryset()).filter(user_id=user.pk, case_number=number).first()
        )
        if case is not None:
            return case, ""
    return None


def _track_page(request: HttpRequest, form: CaseTrackForm, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "portal/services/track.html", {
        "nav": "services", "form": form, "errors": error_summary(form) if form.is_bound else [],
        "citizen": citizen(request), **extra,
    }, status=status)  # fmt: skip


@private_page
@sensitive_post_parameters("tracking_code")
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Look a case up by case number and tracking code."""
    if request.method != "POST":
        return _track_page(request, CaseTrackForm(initial={"case_number": request.GET.get("case", "")[:30]}))
    if throttle_count("service_track_failed", request) >= track_limit():
        return too_many(request, "track")
    form = CaseTrackForm(request.POST)
    if form.is_valid():
        number, code = form.cleaned_data["case_number"], form.cleaned_data["tracking_code"]
        case = actions.find_case(number, code)
        if case is not None:
            CODES.remember(request, case.case_number, code)
            request.session.cycle_key()  # a new session id once it grants access to a case
            return redirect("portal:service_case", case_number=case.case_number)
        form.add_error(
            None, _("No case matches this case number and tracking code. Check both and try again.")
        )
    throttle_hit("service_track_failed", request)
    return _track_page(request, form)


def applicant_summary(case: ServiceCase) -> list[tuple[str, str]]:
    """The applicant's details, partly hidden (a screen over the shoulder gives little away)."""
    rows = [(_("Applicant"), case.get_applicant_kind_display()), (_("Name"), _mask_name(case.applicant_name))]
    if case.id_number:
        number = case.id_number
        rows.append((_("ID or credit code"), number[:3] + "*" * max(len(number) - 5, 1) + number[-2:]))
    if case.phone:
        rows.append((_("Telephone"), _mask_phone(case.phone)))
    if case.email:
        rows.append((_("E-mail"), _mask_email(case.email)))
    if case.address:
        rows.append((_("Address"), _mask_address(case.address)))
    return rows


def history(case: ServiceCase, corrections: list[Any], steps: list[Any]) -> list[tuple[date, str]]:
    """What has happened so far, from the case's own records (never the internal audit log)."""
    out: list[tuple[date, int, str]] = []

    def add(on: date | None, text: str) -> None:
        if on is not None:
            out.append((on, len(out), text))

    add(timezone.localtime(case.submitted_at).date(),
        _("Received (%(channel)s).") % {"channel": case.get_channel_display()})  # fmt: skip
    add(case.accepted_on, _("Accepted: the time limit counts from this day."))
    for c in corrections:
        add(c.requested_on, _("The window asked for missing materials."))
        add(c.supplied_on, _("The missing materials were supplied: the time limit runs again."))
    for s in steps:
        add(s.on, _("%(step)s: %(decision)s.") % {"step": s.name, "decision": s.get_decision_display()})
    if case.status == CaseStatus.REJECTED:
        add(case.completed_on or case.accepted_on or case.received_on, _("Not accepted."))
    if case.status == CaseStatus.COMPLETED:
        add(case.completed_on, _("Completed: %(result)s.") % {"result": case.get_result_display()})
    return [(on, text) for on, _i, text in sorted(out, key=lambda x: (x[0], x[1]))]


def _detail_page(request: HttpRequest, case: ServiceCase, code: str, *, supply_form: SupplyForm | None = None,
                 status: int = 200) -> HttpResponse:  # fmt: skip
    corrections = list(case.corrections.all())
    steps = list(case.steps.all())
    open_correction = (
        next((c for c in reversed(corrections) if c.supplied_on is None), None)
        if case.status == CaseStatus.CORRECTION
        else None
    )
    if open_correction is not None and supply_form is None:
        supply_form = SupplyForm()
    clock = case.clock if case.clock_id else None
    return render(request, "portal/services/case.html", {
        "nav": "services",
        "case": case,
        "by_code": bool(code),
        "due_date": clock.due_date if clock is not None and case.is_open else None,
        "history": history(case, corrections, steps),
        "open_correction": open_correction,
        "supply_form": supply_form if open_correction is not None else None,
        "files": list(case.material_files.only("name", "size", "created_at")),
        "applicant": applicant_summary(case),
        "errors": error_summary(supply_form) if supply_form is not None and supply_form.is_bound else [],
    }, status=status)  # fmt: skip


def _owner(request: HttpRequest, case: ServiceCase) -> Any:
    """The signed-in applicant when the case is theirs; otherwise nobody (the tracking code decides)."""
    user = citizen(request)
    return user if user is not None and case.user_id == user.pk else None


def _not_authorised(request: HttpRequest, case_number: str) -> HttpResponse:
    """The same page for a missing case and for one this visitor may not see: the look-up form."""
    form = CaseTrackForm(initial={"case_number": (case_number or "")[:30]})
    return _track_page(request, form, status=404, ask_code=True)


@private_page
@require_safe
def case_detail(request: HttpRequest, case_number: str) -> HttpResponse:
    found = authorised(request, case_number)
    if found is None:
        return _not_authorised(request, case_number)
    return _detail_page(request, *found)


@private_page
@require_POST
def supply(request: HttpRequest, case_number: str) -> HttpResponse:
    """补齐补正: the applicant uploads the missing materials; the time limit runs again."""
    found = authorised(request, case_number)
    if found is None:
        return _not_authorised(request, case_number)
    case, code = found
    form = SupplyForm(request.POST, request.FILES)
    if case.status != CaseStatus.CORRECTION:
        messages.info(request, _("No materials are missing for this case."))
        return redirect("portal:service_case", case_number=case.case_number)
    if form.is_valid():
        try:
            actions.supply_materials(
                actor=_owner(request, case), case=case, files=as_uploads(form.cleaned_data["files"]), note=form.cleaned_data["note"], code=code,
            )  # fmt: skip
        except (ActionError, PermissionDenied) as exc:
            if isinstance(exc, ActionError):
                _put_errors(form, exc, default_field="files")
            else:
                form.add_error(None, _("The materials could not be accepted; contact the window."))
        else:
            messages.success(request, _("Your materials were sent. The time limit runs again from today."))
            return redirect("portal:service_case", case_number=case.case_number)
    return _detail_page(request, case, code, supply_form=form)


@private_page
@require_POST
def forget(request: HttpRequest, case_number: str) -> HttpResponse:
    """Close the case on this device: the code must be entered again to see it."""
    CODES.forget(request, normalise_reference(case_number))
    messages.info(request, _("The case is closed on this device."))
    return redirect("portal:service_track")


# --- 3. a citizen's own cases ----------------------------------------------------------------------


@private_page
@require_safe
def my_cases(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's own service cases (never anyone else's, whatever the account's roles)."""
    user = citizen(request)
    page = None
    if user is not None:
        qs = (
            case_policy.visible_to(user)
            .filter(user_id=user.pk)
            .select_related("item", "organisation")
            .only(
                "case_number",
                "status",
                "submitted_at",
                "completed_on",
                "channel",
                "item__name",
                "organisation__name",
            )  # fmt: skip
            .order_by("-submitted_at", "-id")
        )
        page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/services/mine.html", {
        "nav": "services", "page": page, "signed_in": request.user.is_authenticated,
    })  # fmt: skip
