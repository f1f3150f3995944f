"""Public forms of government services (政务服务): the guide's filters, booking an appointment,
applying online, looking a case up and supplying missing materials.

They check the shape of the input; the actions (``gongkai.services.actions``) decide the rest
(a full or past slot, an item that cannot be applied for online…) and their messages go on
the fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongkai.core.files import MB
from gongkai.core.widgets import FastSelect
from gongkai.portal import captcha
from gongkai.portal.forms_applications import MultipleFileField, mark_optional, max_file_bytes, max_files
from gongkai.services.models import ApplicantKind, ItemKind

CAPTCHA_MESSAGES = {
    captcha.MISSING: _("Answer the check question."),
    captcha.UNKNOWN: _("The check question has expired or was already answered; answer the new one."),
    captcha.EXPIRED: _("The check question has expired; answer the new one."),
    captcha.WRONG: _("That is not the answer; try the new question."),
}


def normalise_reference(value: str) -> str:
    """Case numbers and booking references are letters, digits and hyphens (``430223-2026-000123``);
    spaces, full-width hyphens and lower case are forgiven."""
    text = (value or "").upper().replace("－", "-").replace("—", "-").replace("–", "-")
    return "".join(ch for ch in text if ch.isascii() and (ch.isalnum() or ch == "-")).strip("-")


def normalise_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isascii() and ch.isalnum())


def as_uploads(files: Iterable[tuple[str, bytes]]) -> list[SimpleUploadedFile]:
    """The checked ``(name, bytes)`` pairs of ``MultipleFileField`` as the uploads the actions take."""
    return [SimpleUploadedFile(name, content) for name, content in files]


class CaptchaMixin:
    """The check question of the public forms (as the mailbox and the application form ask it)."""

    fields: dict[str, forms.Field]
    data: Any

    def setup_captcha(self, request: HttpRequest, captcha_passed: bool) -> None:
        self.request = request
        self.captcha_passed = captcha_passed
        self.captcha_ok = False
        if captcha_passed:
            del self.fields["captcha_answer"]
            del self.fields["captcha_token"]

    def check_captcha(self) -> None:
        if self.captcha_passed:
            return
        reason = captcha.verify(
            self.request, self.data.get("captcha_token", ""), self.data.get("captcha_answer", "")
        )
        if reason is None:
            self.captcha_ok = True
        else:
            self.add_error("captcha_answer", CAPTCHA_MESSAGES[reason])  # type: ignore[attr-defined]


def captcha_fields() -> tuple[forms.CharField, forms.CharField]:
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    answer = forms.CharField(
        label=_("Answer"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 6}),
    )  # fmt: skip
    return token, answer


# --- the guide's filters -------------------------------------------------------------------------


class GuideFilterForm(forms.Form):
    """The guide's filters (GET); an unknown value is simply ignored."""

    q = forms.CharField(
        label=_("Name or item code contains"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )  # fmt: skip
    unit = forms.TypedChoiceField(
        label=_("Implementing unit"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args: Any, units: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(str(pk), name) for pk, name in units]
        self.fields["kind"].choices = [("", _("All kinds")), *ItemKind.choices]

    def value(self, name: str) -> Any:
        self.is_valid()  # an invalid filter is left out of cleaned_data, the others still apply
        return self.cleaned_data.get(name)


# --- booking an appointment ----------------------------------------------------------------------


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("%(start)s–%(end)s (%(free)s free)") % {
            "start": obj.start.strftime("%H:%M"), "end": obj.end.strftime("%H:%M"), "free": obj.free,
        })  # fmt: skip


class BookingForm(CaptchaMixin, forms.Form):
    """预约: a slot of the item's window, who comes and how to reach them, the check question.

    The slot must be one of the window's; whether it is still free and in the future is the
    action's decision (it counts the places with a conditional update), so two people taking
    the last place at the same moment cannot both have it.
    """

    slot = SlotChoiceField(
        label=_("Time"), queryset=None, widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": _("Choose a time."),
                        "invalid_choice": _("That time cannot be booked; choose another one.")},
    )  # fmt: skip
    name = forms.CharField(
        label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=40,
        help_text=_("So that the window can reach you about the appointment."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )  # fmt: skip
    captcha_token, captcha_answer = captcha_fields()

    def __init__(
        self, *args: Any, request: HttpRequest, slots: Any, offered: Any, captcha_passed: bool = False, **kwargs: Any
    ) -> None:  # fmt: skip
        """``slots``: every slot of the window (what may be posted); ``offered``: the free future slots shown."""
        super().__init__(*args, **kwargs)
        self.setup_captcha(request, captcha_passed)
        self.fields["slot"].queryset = slots
        self.fields["slot"].choices = [(s.pk, self.fields["slot"].label_from_instance(s)) for s in offered]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_captcha()
        return data


class CancelForm(forms.Form):
    reference = forms.CharField(
        label=_("Booking reference"), max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    code = forms.CharField(
        label=_("Booking code"), max_length=30, help_text=_("The code shown when you booked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip

    def clean_reference(self) -> str:
        return normalise_reference(self.cleaned_data["reference"])

    def clean_code(self) -> str:
        return normalise_code(self.cleaned_data["code"])


# --- applying online -----------------------------------------------------------------------------


class OnlineApplicationForm(CaptchaMixin, forms.Form):
    """网上申报: who applies, how to reach them, what is applied for, the materials."""

    applicant_kind = forms.ChoiceField(
        label=_("You apply as"),
        choices=ApplicantKind.choices,
        widget=forms.RadioSelect,
        initial=ApplicantKind.PERSON,
    )
    applicant_name = forms.CharField(
        label=_("Name"), max_length=200,
        help_text=_("Your full name, or the organisation's full registered name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    id_number = forms.CharField(
        label=_("ID or credit code"), max_length=30,
        help_text=_("A resident identity card number (18 characters; the last may be X), or the organisation's "
                    "unified social credit code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    phone = forms.CharField(
        label=_("Telephone"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )  # fmt: skip
    address = forms.CharField(
        label=_("Address"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )  # fmt: skip
    description = forms.CharField(
        label=_("What you apply for"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Anything the window needs to know about your application."),
    )  # fmt: skip
    files = MultipleFileField(label=_("Materials"))
    captcha_token, captcha_answer = captcha_fields()

    FIELDSETS = (
        (_("Applicant"), ("applicant_kind", "applicant_name", "id_number")),
        (_("How to reach you"), ("phone", "email", "address")),
        (_("Your application"), ("description", "files")),
    )

    def __init__(self, *args: Any, request: HttpRequest, captcha_passed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_captcha(request, captcha_passed)
        mark_optional(self, ("email", "address", "description", "files"))
        self.fields["files"].help_text = _(
            "Scans or photos of the materials listed in the guide. PDF, images, Word, Excel or WPS files; "
            "at most %(n)s files of %(mb)s MB each."
        ) % {"n": max_files(), "mb": max_file_bytes() // MB}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_captcha()
        return data

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[n] for n in names if n in self.fields]) for legend, names in self.FIELDSETS]

    def action_fields(self) -> dict[str, Any]:
        """The applicant's fields, as ``submit_case_online`` takes them."""
        names = ("applicant_kind", "applicant_name", "id_number", "phone", "email", "address", "description")
        fields = {name: self.cleaned_data.get(name, "") for name in names}
        fields["files"] = as_uploads(self.cleaned_data.get("files") or [])
        return fields


# --- looking a case up, supplying materials ------------------------------------------------------


class CaseTrackForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"), max_length=30, help_text=_("For example 430223-2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    tracking_code = forms.CharField(
        label=_("Tracking code"), max_length=30,
        help_text=_("The code shown when you applied, or printed on the acknowledgement the window gave you."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip

    def clean_case_number(self) -> str:
        return normalise_reference(self.cleaned_data["case_number"])

    def clean_tracking_code(self) -> str:
        return normalise_code(self.cleaned_data["tracking_code"])


class SupplyForm(forms.Form):
    """补齐补正: the missing materials, and a note for the window."""

    files = MultipleFileField(label=_("Materials"))
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "supply")
        super().__init__(*args, **kwargs)
        mark_optional(self, ("note",))
        self.fields["files"].required = True
        self.fields["files"].error_messages["required"] = _("Attach the missing materials.")
        self.fields["files"].help_text = _("At most %(n)s files of %(mb)s MB each.") % {
            "n": max_files(), "mb": max_file_bytes() // MB,
        }  # fmt: skip
