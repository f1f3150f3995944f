"""Citizen accounts on the public portal: register, sign in and out, the account page.

An account is optional (anyone can apply and track with the case number and tracking code);
it gathers the applications made while signed in under /my/applications/. Staff accounts
cannot sign in here: they use the back office.

Every response is ``Cache-Control: private, no-store`` (``private_page``), and none of these
pages uses the anonymous page cache. Signing in goes through the same lockout as the back
office (``gongkai.accounts.throttle``: per account and per address, kept in the database);
registrations are counted per address in the cache like the application form, and need the
check question.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from gongkai.accounts import actions, throttle
from gongkai.accounts.models import User
from gongkai.core.actions import ActionError
from gongkai.portal import captcha
from gongkai.portal.forms_accounts import LoginForm, PasswordChangeForm, RegisterForm
from gongkai.portal.views_applications import (
    HOUR,
    error_summary,
    private_page,
    throttle_count,
    throttle_hit,
)


def register_limit() -> int:
    """Accounts created from one address in an hour."""
    return int(getattr(settings, "REGISTER_THROTTLE_PER_HOUR", 5))


def invalid_register_limit() -> int:
    """Registration forms sent back with errors (wrong check answers included) from one address in an hour."""
    return int(getattr(settings, "REGISTER_INVALID_PER_HOUR", 30))


def _put_errors(form: Form, exc: ActionError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _login_address(request: HttpRequest) -> str:
    """The address the lockout counts, exactly as the back office login takes it (none: no address key)."""
    return request.META.get("REMOTE_ADDR", "")


def _safe_next(request: HttpRequest, url: str) -> str:
    """``url`` when it stays on this site, else ""."""
    url = (url or "").strip()
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return ""


def _is_citizen(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_citizen)


def _lock_message(until: Any) -> str:
    minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    return _("Too many failed attempts. Try again in %(minutes)s minutes.") % {"minutes": minutes}


# --- registering ---------------------------------------------------------------------------------


def _register_page(request: HttpRequest, form: RegisterForm, status: int = 200) -> HttpResponse:
    challenge = captcha.new_challenge(request)
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
    return render(request, "portal/accounts/register.html", {
        "nav": "account", "form": form, "challenge": challenge,
        "errors": error_summary(form) if form.is_bound else [],
    }, status=status)  # fmt: skip


def _too_many_registrations(request: HttpRequest) -> HttpResponse:
    response = render(request, "portal/accounts/throttled.html", {"nav": "account"}, status=429)
    response["Retry-After"] = str(HOUR)
    return response


@private_page
@sensitive_post_parameters("password", "password2", "captcha_answer")
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Create a citizen account (and sign in with it)."""
    if _is_citizen(request.user):
        return redirect("portal:account")
    if request.method != "POST":
        return _register_page(request, RegisterForm(request=request))
    if throttle_count("register", request) >= register_limit():
        return _too_many_registrations(request)
    if throttle_count("register_invalid", request) >= invalid_register_limit():
        return _too_many_registrations(request)
    form = RegisterForm(request.POST, request=request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.register_citizen(
                actor=None, username=data["username"], password=data["password"],
                display_name=data["display_name"], email=data["email"],
            )  # fmt: skip
        except ActionError as exc:
            _put_errors(form, exc)
        else:
            throttle_hit("register", request)
            login(request, user)  # a new session id
            messages.success(request, _("Your account was created and you are signed in."))
            return redirect("portal:account")
    throttle_hit("register_invalid", request)
    return _register_page(request, form)


# --- signing in and out --------------------------------------------------------------------------


@private_page
@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in with a citizen account; staff are sent to the back office."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    if _is_citizen(request.user):
        return redirect(next_url or "portal:account")
    form = LoginForm(request.POST or None)
    staff_account = False
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = _login_address(request)
        until = throttle.locked_until(username, address)
        if until is not None:
            form.add_error(None, _lock_message(until))
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                throttle.register_failure(username, address)
                form.add_error(None, _("The login name or password is wrong."))
            elif not user.is_citizen:  # type: ignore[attr-defined]
                staff_account = True
                form.add_error(None, _("This is a staff account. Staff sign in at the back office."))
            else:
                throttle.register_success(username)
                login(request, user)  # rotates the session id
                return redirect(next_url or "portal:account")
    return render(request, "portal/accounts/login.html", {
        "nav": "account", "form": form, "next": next_url, "staff_account": staff_account,
        "errors": error_summary(form) if form.is_bound else [],
    })  # fmt: skip


@private_page
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("portal:home")


# --- the account page ----------------------------------------------------------------------------


def _account_page(request: HttpRequest, form: PasswordChangeForm) -> HttpResponse:
    return render(request, "portal/accounts/account.html", {
        "nav": "account", "account": request.user, "form": form,
        "errors": error_summary(form) if form.is_bound else [],
    })  # fmt: skip


@private_page
@sensitive_post_parameters("old_password", "password", "password2")
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The citizen's details, a link to their applications and the password change."""
    user = request.user
    if not user.is_authenticated:
        return redirect(reverse("portal:account_login") + "?" + urlencode({"next": request.path}))
    if not user.is_citizen:  # type: ignore[union-attr]
        return redirect("office:dashboard")
    if request.method != "POST":
        return _account_page(request, PasswordChangeForm(user=user))
    user = User.objects.get(pk=user.pk)  # the model itself, not the request's lazy wrapper
    form = PasswordChangeForm(request.POST, user=user)
    address = _login_address(request)
    until = throttle.locked_until(user.username, address)  # type: ignore[union-attr]
    if until is not None:
        form.add_error(None, _lock_message(until))
    elif form.is_valid():
        try:
            actions.set_user_password(actor=user, user=user, password=form.cleaned_data["password"])
        except ActionError as exc:
            _put_errors(form, exc)
        else:
            update_session_auth_hash(request, user)  # type: ignore[arg-type]
            messages.success(request, _("Your password was changed."))
            return redirect("portal:account")
    elif form.wrong_old_password:  # guessing the password from a session left open counts too
        throttle.register_failure(user.username, address)  # type: ignore[union-attr]
    return _account_page(request, form)
