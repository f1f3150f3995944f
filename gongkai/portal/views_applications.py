"""Public pages of applications for disclosure (依申请公开): the form, tracking, corrections, downloads.

Nothing here is cached: every page is about one person, so every response is
``Cache-Control: private, no-store`` (``anonymous_page`` is never used). An application is
reached with its case number and tracking code, which are then kept in the session, or by
the citizen account it was submitted from; nobody else, staff included, sees it here (staff
use the back office). A missing case and a wrong code look the same.

Submissions and failed look-ups are counted per client address in the cache, and refused
with a 429 page beyond the hourly limits.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongkai.applications import actions, actions_base, actions_replies, idcard
from gongkai.applications.models import (
    OPEN_STATUSES,
    Application,
    ConsultationKind,
    DocumentKind,
    FeeStatus,
    LetterKind,
    Status,
)
from gongkai.applications.outcomes import Outcome
from gongkai.applications.policies import ApplicationPolicy
from gongkai.core.actions import ActionError
from gongkai.portal import captcha
from gongkai.portal.case_access import CodeStore, Receipts, session_tag
from gongkai.portal.downloads import DOWNLOAD_CSP, content_disposition, stored_file_response
from gongkai.portal.forms_applications import ApplicationForm, CorrectionForm, TrackForm, WithdrawForm
from gongkai.portal.queries import public_units
from gongkai.workdays.clock import explanation

TRACK_SESSION = "gk_track"  # {case number: tracking code} the visitor has proved on this device
RECEIPT_SESSION = "gk_apply_receipt"  # the submission key of the last application sent from here
RECEIPT_SECONDS = 15 * 60  # how long a double-click still finds the first submission's confirmation
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
HOUR = 3600

# Documents the applicant may download: the information provided, and their own uploads.
APPLICANT_DOWNLOADS = (DocumentKind.DISCLOSED, DocumentKind.APPLICANT, DocumentKind.CORRECTION)

application_policy = ApplicationPolicy()


# --- responses that are never stored -----------------------------------------------------------


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark every response of ``view`` (its 404 too) as private and never to be stored."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = render(request, "404.html", status=404)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


# --- throttling per client address ---------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _throttle_key(bucket: str, request: HttpRequest) -> str:
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"portal:throttle:{bucket}:{digest}"


def throttle_count(bucket: str, request: HttpRequest) -> int:
    try:
        return int(cache.get(_throttle_key(bucket, request)) or 0)
    except Exception:  # a cache outage must not take the forms down
        return 0


def throttle_hit(bucket: str, request: HttpRequest) -> None:
    """Count one event in a window of an hour from the first one."""
    key = _throttle_key(bucket, request)
    try:
        cache.add(key, 0, timeout=HOUR)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=HOUR)
    except Exception:
        pass


def apply_limit() -> int:
    return int(getattr(settings, "APPLY_THROTTLE_PER_HOUR", 10))


def invalid_apply_limit() -> int:
    """Forms sent back with errors (wrong check answers included) from one address in an hour."""
    return int(getattr(settings, "APPLY_INVALID_PER_HOUR", 5 * apply_limit()))


def track_limit() -> int:
    return int(getattr(settings, "TRACK_FAILURES_PER_HOUR", 20))


def too_many(request: HttpRequest, what: str) -> HttpResponse:
    response = render(request, "portal/applications/throttled.html", {"what": what}, status=429)
    response["Retry-After"] = str(HOUR)
    return response


# --- the tracking authorisation ------------------------------------------------------------------


CODES = CodeStore(TRACK_SESSION)
RECEIPTS = Receipts("apply")
_codes, remember_code, forget_code = CODES.codes, CODES.remember, CODES.forget


def authorised(request: HttpRequest, case_number: str) -> tuple[Application, str] | None:
    """The application and its tracking code ("" for the applicant's own account), or None.

    With the code proved in this session, or signed in as the citizen it was submitted from;
    being staff gives nothing here.
    """
    number = (case_number or "").strip().upper()
    code = _codes(request).get(number)
    if code:
        app = actions_base.find_by_tracking(number, code)
        if app is not None:
            return app, code
        forget_code(request, number)  # withdrawn before receipt, or otherwise no longer reachable
    user = request.user
    if user.is_authenticated:
        app = (
            application_policy.visible_to(user)
            .filter(citizen_id=user.pk, case_number=number)
            .select_related("organisation", "clock")
            .first()
        )
        if app is not None:
            return app, ""
    return None


def _actor_for(request: HttpRequest, app: Application) -> Any:
    """The signed-in applicant when the case is theirs; otherwise nobody (the tracking code decides)."""
    user = request.user
    return user if user.is_authenticated and app.citizen_id == user.pk else None


def _put_errors(form: Form, exc: ActionError, *, default_field: str | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else default_field, errors)
    else:
        form.add_error(default_field, exc.messages)


def error_summary(form: Form) -> list[tuple[str, str, str]]:
    """(anchor, label, message) for every error, in the order of the fields; anchors link to the inputs."""
    out: list[tuple[str, str, str]] = [("", "", str(m)) for m in form.non_field_errors()]
    for field in form:
        if field.is_hidden:
            out.extend(("", "", str(m)) for m in field.errors)
            continue
        anchor = field.id_for_label or f"{field.auto_id}_0"
        out.extend((anchor, str(field.label), str(m)) for m in field.errors)
    return out


# --- 1. applying ---------------------------------------------------------------------------------


_receipt_cache_key, _receipt, _session_tag = RECEIPTS.cache_key, RECEIPTS.get, session_tag


def _domain_errors(form: ApplicationForm) -> None:
    """With other errors on the form, also show what the action would refuse (ID numbers, postcodes…)."""
    names = actions_base.APPLICANT_FIELDS
    fields = {n: (form.cleaned_data.get(n) or "") for n in names}
    day = timezone.localdate()
    try:
        actions_base.clean_applicant(fields, actions_base.rules_for(day), on=day)
    except ActionError as exc:
        for field, errors in exc.message_dict.items():
            if field in form.fields and field not in form.errors and field in form.cleaned_data:
                form.add_error(field, errors)


def _apply_page(request: HttpRequest, form: ApplicationForm, key: str, status: int = 200) -> HttpResponse:
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
    files_lost = form.is_bound and bool(request.FILES)
    return render(request, "portal/applications/apply.html", {
        "nav": "apply",
        "form": form,
        "errors": error_summary(form) if form.is_bound else [],
        "submission_key": key,
        "challenge": challenge,
        "captcha_passed": passed,
        "files_lost": files_lost,
    }, status=status)  # fmt: skip


@private_page
@sensitive_post_parameters("id_number", "phone", "email", "address", "captcha_answer")
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """政府信息公开申请: the online application form (no account needed)."""
    organisations = public_units(request.user).only("pk", "name", "kind", "path", "depth", "sort_order")
    if request.method != "POST":
        form = ApplicationForm(
            request=request, organisations=organisations, government=request.GET.get("government", "")
        )
        return _apply_page(request, form, secrets.token_urlsafe(32))

    key = request.POST.get("submission_key", "")
    if not KEY_PATTERN.match(key):
        key = ""
    elif _receipt(request, key) is not None:
        # The same form again (a double click, a reload): show the first submission's confirmation.
        request.session[RECEIPT_SESSION] = key
        return redirect("portal:apply_done")
    if throttle_count("apply", request) >= apply_limit():
        return too_many(request, "apply")
    if throttle_count("apply_invalid", request) >= invalid_apply_limit():
        return too_many(request, "apply")

    form = ApplicationForm(
        request.POST, request.FILES, request=request, organisations=organisations,
        captcha_passed=bool(key) and captcha.has_passed(request, key),
    )  # fmt: skip
    valid = form.is_valid()
    if not key:
        key = secrets.token_urlsafe(32)
    if form.captcha_ok:
        captcha.remember_pass(request, key)
    if valid:
        user = request.user
        try:
            app, code = actions.submit_application(
                actor=user if user.is_authenticated else None,
                organisation=form.cleaned_data["organisation"],
                submission_key=key,
                documents=form.cleaned_data["attachments"],
                **form.action_fields(),
            )
        except ActionError as exc:
            if Application.objects.filter(submission_key=key).exists():
                # Sent twice at the same moment: the first request is finishing its confirmation.
                for _attempt in range(30):
                    if _receipt(request, key) is not None:
                        request.session[RECEIPT_SESSION] = key
                        return redirect("portal:apply_done")
                    time.sleep(0.1)
                form.add_error(None, _("This form was already submitted. Follow your application on the "
                                       "tracking page with the case number and tracking code."))  # fmt: skip
            else:
                _put_errors(form, exc)
        else:
            if not request.session.session_key:
                request.session.save()
            cache.set(_receipt_cache_key(key), {
                "session": _session_tag(request),
                "case_number": app.case_number,
                "code": code,
                "organisation": app.organisation.name,
                "submitted_on": timezone.localtime(app.submitted_at).date().isoformat(),
            }, timeout=RECEIPT_SECONDS)  # fmt: skip
            remember_code(request, app.case_number, code)
            request.session[RECEIPT_SESSION] = key
            captcha.forget_pass(request, key)
            throttle_hit("apply", request)
            return redirect("portal:apply_done")
    else:
        _domain_errors(form)
    throttle_hit("apply_invalid", request)
    return _apply_page(request, form, key)


@private_page
@require_safe
def apply_done(request: HttpRequest) -> HttpResponse:
    """The confirmation: case number and tracking code, shown this once."""
    key = request.session.get(RECEIPT_SESSION) or ""
    receipt = _receipt(request, key) if isinstance(key, str) else None
    return render(request, "portal/applications/done.html", {"nav": "apply", "receipt": receipt})


# --- 2. tracking ---------------------------------------------------------------------------------


def _track_page(request: HttpRequest, form: TrackForm, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "portal/applications/track.html", {
        "nav": "track", "form": form, "errors": error_summary(form) if form.is_bound else [], **extra,
    }, status=status)  # fmt: skip


@private_page
@sensitive_post_parameters("tracking_code")
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Look an application up by case number and tracking code."""
    if request.method != "POST":
        return _track_page(request, TrackForm(initial={"case_number": request.GET.get("case", "")[:30]}))
    if throttle_count("track_failed", request) >= track_limit():
        return too_many(request, "track")
    form = TrackForm(request.POST)
    if form.is_valid():
        number, code = form.cleaned_data["case_number"], form.cleaned_data["tracking_code"]
        app = actions_base.find_by_tracking(number, code)
        if app is not None:
            remember_code(request, app.case_number, code)
            request.session.cycle_key()  # a new session id once it grants access to a case
            return redirect("portal:track_detail", case_number=app.case_number)
        form.add_error(
            None, _("No application matches this case number and tracking code. Check both and try again.")
        )
    throttle_hit("track_failed", request)
    return _track_page(request, form)


def _mask_name(name: str) -> str:
    name = (name or "").strip()
    return name[:1] + "*" * min(max(len(name) - 1, 1), 4) if name else ""


def _mask_phone(phone: str) -> str:
    p = (phone or "").strip()
    if len(p) >= 7:
        return p[:3] + "*" * (len(p) - 7) + p[-4:]
    return "*" * max(len(p) - 2, 0) + p[-2:] if p else ""


def _mask_email(email: str) -> str:
    local, at, domain = (email or "").strip().partition("@")
    if not at:
        return _mask_name(local)
    return local[:1] + "***@" + domain


def _mask_address(address: str) -> str:
    a = (address or "").strip()
    return a[:6] + "****" if len(a) > 6 else ("*" * len(a))


def applicant_summary(app: Application) -> list[tuple[str, str]]:
    """The applicant's details as the tracking page shows them: masked, so a screen over the
    shoulder or a shared computer gives little away."""
    rows = [
        (_("Applicant type"), app.get_applicant_type_display()),
        (_("Name"), _mask_name(app.applicant_name)),
    ]
    if app.id_number:
        rows.append((app.get_id_type_display() or _("Identity document"), idcard.mask(app.id_number)))
    for label, value in ((_("Legal representative"), app.legal_representative),
                         (_("Contact person"), app.contact_person)):  # fmt: skip
        if value:
            rows.append((label, _mask_name(value)))
    if app.phone:
        rows.append((_("Telephone"), _mask_phone(app.phone)))
    if app.email:
        rows.append((_("E-mail"), _mask_email(app.email)))
    if app.address:
        rows.append((_("Postal address"), _mask_address(app.address)))
    return [(str(label), value) for label, value in rows]


def steps(app: Application, letters: list[Any]) -> list[tuple[date, str]]:
    """What has happened so far, from the case's own records (never the internal audit log)."""
    out: list[tuple[date, int, str]] = []

    def add(on: date | None, text: str) -> None:
        if on is not None:
            out.append((on, len(out), text))

    add(timezone.localtime(app.submitted_at).date(),
        _("Application submitted (%(channel)s).") % {"channel": app.get_channel_display()})  # fmt: skip
    add(app.received_on, _("Receipt confirmed: the reply period counts from this day."))
    for c in app.corrections.all():
        add(c.requested_on, _("The agency asked you to correct the application by %(date)s.")
            % {"date": c.due_on.isoformat()})  # fmt: skip
        add(c.corrected_on, _("Your correction was received: the reply period starts again."))
        if c.lapsed:
            add(c.due_on, _("The period for the correction ended without a correction."))
    for k in app.consultations.all():
        if k.kind == ConsultationKind.THIRD_PARTY:
            add(k.sent_on, _("The agency asked a third party for its view."))
        else:
            add(k.sent_on, _("The agency asked another agency for its view."))
        add(k.answered_on, _("The consultation ended."))
    for fee in app.fees.all():
        add(fee.issued_on, _("Fee notice: %(amount)s yuan, to pay by %(date)s.")
            % {"amount": f"{fee.amount:.2f}", "date": fee.pay_by.isoformat()})  # fmt: skip
        if fee.status == FeeStatus.PAID:
            add(fee.paid_on, _("Fee paid."))
        elif fee.status == FeeStatus.WAIVED:
            add(fee.issued_on, _("Fee waived."))
        elif fee.status == FeeStatus.LAPSED and app.outcome == Outcome.OTHER_FEE_UNPAID:
            add(fee.pay_by, _("The fee was not paid in time."))
    for letter in letters:
        add(
            letter.issued_on,
            _("Letter sent: %(title)s (%(number)s).") % {"title": letter.title, "number": letter.number},
        )
    if app.status == Status.CLOSED:
        add(app.replied_on, _("Closed: %(result)s.") % {"result": app.get_outcome_display()})
    return [(on, text) for on, _i, text in sorted(out)]


def _letters(app: Application) -> list[Any]:
    # A consultation letter is addressed to the party consulted, not to the applicant.
    return [x for x in app.letters.all() if x.kind != LetterKind.CONSULTATION]


def _detail_page(
    request: HttpRequest, app: Application, code: str, *, correction_form: CorrectionForm | None = None,
    withdraw_form: WithdrawForm | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    open_correction = (
        app.corrections.filter(corrected_on__isnull=True, lapsed=False).last()
        if app.status == Status.CORRECTION
        else None
    )
    clock = app.clock if app.clock_id else None
    letters = _letters(app)
    documents = list(app.documents.filter(kind__in=APPLICANT_DOWNLOADS).order_by("uploaded_at", "id"))
    can_withdraw = app.status == Status.PENDING or app.status in OPEN_STATUSES
    correction_form = correction_form or (CorrectionForm() if open_correction else None)
    withdraw_form = withdraw_form or (WithdrawForm() if can_withdraw else None)
    forms_with_errors = [f for f in (correction_form, withdraw_form) if f is not None and f.is_bound]
    return render(request, "portal/applications/detail.html", {
        "nav": "track",
        "app": app,
        "by_code": bool(code),
        "clock": clock,
        "explanation": explanation(clock, get_language() or "zh") if clock is not None else "",
        "steps": steps(app, letters),
        "letters": letters,
        "disclosed": [d for d in documents if d.kind == DocumentKind.DISCLOSED],
        "own_documents": [d for d in documents if d.kind != DocumentKind.DISCLOSED],
        "applicant": applicant_summary(app),
        "open_correction": open_correction,
        "correction_form": correction_form,
        "withdraw_form": withdraw_form,
        "errors": [e for f in forms_with_errors for e in error_summary(f)],
    }, status=status)  # fmt: skip


def _not_authorised(request: HttpRequest, case_number: str) -> HttpResponse:
    """The same page for a missing case and for one this visitor may not see: the look-up form."""
    form = TrackForm(initial={"case_number": (case_number or "")[:30]})
    return _track_page(request, form, status=404, ask_code=True)


@private_page
@require_safe
def track_detail(request: HttpRequest, case_number: str) -> HttpResponse:
    found = authorised(request, case_number)
    if found is None:
        return _not_authorised(request, case_number)
    return _detail_page(request, *found)


@private_page
@require_POST
def correction(request: HttpRequest, case_number: str) -> HttpResponse:
    """补正: the applicant sends the corrected or supplemented application."""
    found = authorised(request, case_number)
    if found is None:
        return _not_authorised(request, case_number)
    app, code = found
    form = CorrectionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.submit_correction(
                actor=_actor_for(request, app), application=app, text=form.cleaned_data["text"],
                tracking_code=code, documents=form.cleaned_data["documents"],
            )  # fmt: skip
        except ActionError as exc:
            _put_errors(form, exc)
        else:
            messages.success(
                request, _("Your correction was sent. The reply period starts again from today.")
            )
            return redirect("portal:track_detail", case_number=app.case_number)
    return _detail_page(request, app, code, correction_form=form)


@private_page
@require_POST
def withdraw(request: HttpRequest, case_number: str) -> HttpResponse:
    """The applicant withdraws the application (after ticking a confirmation)."""
    found = authorised(request, case_number)
    if found is None:
        return _not_authorised(request, case_number)
    app, code = found
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            done = actions_replies.withdraw_application(
                actor=_actor_for(request, app), application=app, reason=form.cleaned_data["reason"],
                tracking_code=code,
            )  # fmt: skip
        except ActionError as exc:
            _put_errors(form, exc, default_field="confirm")
        else:
            if done.status == Status.DISCARDED:  # withdrawn before receipt: there is no case any more
                forget_code(request, app.case_number)
                return render(request, "portal/applications/withdrawn.html", {"nav": "track", "app": done})
            messages.success(request, _("Your application was withdrawn."))
            return redirect("portal:track_detail", case_number=app.case_number)
    return _detail_page(request, app, code, withdraw_form=form)


@private_page
@require_POST
def forget(request: HttpRequest, case_number: str) -> HttpResponse:
    """Close the case on this device: the code must be entered again to see it."""
    forget_code(request, (case_number or "").strip().upper())
    messages.info(request, _("The application is closed on this device."))
    return redirect("portal:track")


@private_page
@require_safe
def document(request: HttpRequest, case_number: str, pk: int) -> HttpResponse:
    """A document of the case: the information provided, or the applicant's own upload."""
    found = authorised(request, case_number)
    if found is None:
        raise Http404
    app, _code = found
    doc = app.documents.filter(pk=pk, kind__in=APPLICANT_DOWNLOADS).first()
    if doc is None:
        raise Http404
    return stored_file_response(
        doc.file,
        content_type=doc.content_type,
        name=doc.filename,
        fallback_stem=f"document-{doc.pk}",
    )


@private_page
@require_safe
def letter_file(request: HttpRequest, case_number: str, pk: int, fmt: str) -> HttpResponse:
    """A letter to the applicant as Word or PDF (the consultation letter goes to the third party only)."""
    from gongkai.applications import documents as letter_documents

    found = authorised(request, case_number)
    if found is None or fmt not in letter_documents.CONTENT_TYPES:
        raise Http404
    app, _code = found
    letter = app.letters.filter(pk=pk).exclude(kind=LetterKind.CONSULTATION).first()
    if letter is None:
        raise Http404
    try:
        data = letter_documents.render(letter, fmt)
    except letter_documents.PdfUnavailable as exc:
        return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=letter_documents.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(
        letter_documents.filename(letter, fmt), f"letter-{letter.pk}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


# --- 3. a citizen's own applications ---------------------------------------------------------------


@private_page
@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    """The signed-in citizen's own applications (never anyone else's, whatever the account's roles)."""
    user = request.user
    page = None
    if user.is_authenticated:
        qs = (
            application_policy.visible_to(user)
            .filter(citizen_id=user.pk)
            .select_related("organisation")
            .only("case_number", "info_title", "status", "submitted_at", "received_on", "organisation__name")
            .order_by("-submitted_at", "-id")
        )
        page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "portal/applications/mine.html", {"nav": "mine", "page": page})
