"""Back-office forms. They validate input; the actions do the change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.accounts.models import TokenScope
from gongkai.core.widgets import FastSelect
from gongkai.orgs.codes import normalise_code, validate_org_code
from gongkai.orgs.models import Organisation, OrgKind, Role
from gongkai.workdays.models import DayKind

MAX_SCHEDULE_BYTES = 200_000


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "kind", "name", "short_name", "code", "sort_order", "self_publish", "office_name", "address", "postcode",
            "office_hours", "phone", "fax", "email", "website",
        ]  # fmt: skip

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # The code is the front part of every 索引号 already issued.
            self.fields["code"].disabled = True

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if self.fields["code"].disabled:
            return code
        code = normalise_code(code)
        validate_org_code(code)
        return code

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"].strip()
        if value and (len(value) != 6 or not value.isdigit()):
            raise forms.ValidationError(_("A postcode has 6 digits."))
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class StaffUserForm(forms.Form):
    username = forms.RegexField(
        label=_("User name"), max_length=150, regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
    )  # fmt: skip
    display_name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=30, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), widget=FastSelect
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    password = forms.CharField(
        label=_("Initial password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )  # fmt: skip

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class UserEditForm(forms.Form):
    display_name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=30, required=False)


class RoleGrantForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), widget=FastSelect
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    covers_subunits = forms.TypedChoiceField(
        label=_("Reaches sub-units"),
        choices=[("", _("Default for the role")), ("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1", empty_value=None, required=False,
    )  # fmt: skip

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class PasswordForm(forms.Form):
    current = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirm = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, own_account: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_account = own_account
        if own_account is None:
            # An administrator resetting someone else's password does not know theirs.
            del self.fields["current"]

    def clean_current(self) -> str:
        current = self.cleaned_data["current"]
        if not self.own_account.check_password(current):
            raise forms.ValidationError(_("The current password is wrong."))
        return current

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("confirm"):
            self.add_error("confirm", _("The two passwords differ."))
        return data


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Ordinary day (clear)")), *DayKind.choices], required=False
    )
    name = forms.CharField(label=_("Holiday"), max_length=60, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CalendarUploadForm(forms.Form):
    file = forms.FileField(label=_("Schedule file (CSV or JSON)"))
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SCHEDULE_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 200 KB)."))
        raw = upload.read()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from exc


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “report export script”.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices)
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


ORG_KIND_CHOICES = OrgKind.choices
