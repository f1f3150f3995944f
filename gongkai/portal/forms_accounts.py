"""Public forms of citizen accounts: registration, signing in, changing the password.

They check the shape of the input and the check question; ``gongkai.accounts.actions`` decides
whether the account can be made (a free name, an acceptable password) and its messages go on
the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongkai.accounts.models import User, UserKind
from gongkai.portal import captcha
from gongkai.portal.forms_applications import mark_optional

CAPTCHA_MESSAGES = {
    captcha.MISSING: _("Answer the check question."),
    captcha.UNKNOWN: _("The check question has expired or was already answered; answer the new one."),
    captcha.EXPIRED: _("The check question has expired; answer the new one."),
    captcha.WRONG: _("That is not the answer; try the new question."),
}


def _password_field(label: Any, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label, strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )  # fmt: skip


class RegisterForm(forms.Form):
    username = forms.CharField(
        label=_("Login name"), max_length=150,
        help_text=_("A user name, your mobile number or your e-mail address: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )  # fmt: skip
    display_name = forms.CharField(
        label=_("Your name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = _password_field(_("Password"))
    password2 = _password_field(_("Password again"))
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    captcha_answer = forms.CharField(
        label=_("Answer"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 6}),
    )  # fmt: skip

    ACCOUNT_FIELDS = ("username", "display_name", "email", "password", "password2")

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        mark_optional(self, ("email",))
        self.fields["password"].help_text = " ".join(str(t) for t in password_validators_help_texts())

    def account_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ACCOUNT_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password, again = data.get("password"), data.get("password2")
        if password and again and password != again:
            self.add_error("password2", _("The two passwords differ."))
        elif password and "username" in data:
            # The action checks again; here the message shows together with the other errors.
            candidate = User(username=data["username"], display_name=data.get("display_name", ""),
                             email=data.get("email", ""), kind=UserKind.CITIZEN)  # fmt: skip
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc.messages)
        reason = captcha.verify(
            self.request, self.data.get("captcha_token", ""), self.data.get("captcha_answer", "")
        )
        if reason is not None:
            self.add_error("captcha_answer", CAPTCHA_MESSAGES[reason])
        return data


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Login name"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )  # fmt: skip
    password = _password_field(_("Password"), "current-password")


class PasswordChangeForm(forms.Form):
    old_password = _password_field(_("Current password"), "current-password")
    password = _password_field(_("New password"))
    password2 = _password_field(_("New password again"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.wrong_old_password = False
        self.fields["password"].help_text = " ".join(str(t) for t in password_validators_help_texts())

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            self.wrong_old_password = True
            raise forms.ValidationError(_("Your current password is not right."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password, again = data.get("password"), data.get("password2")
        if password and again and password != again:
            self.add_error("password2", _("The two passwords differ."))
        return data
