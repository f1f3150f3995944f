"""Public forms of the leader mailbox (领导信箱). They check the shape of the input; the actions
(``gongkai.interaction.actions``) decide the rest and their messages go on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongkai.interaction.models import Category, Rating
from gongkai.portal import captcha
from gongkai.portal.forms_applications import mark_optional, normalise_code

# The text is checked by the action (10 to 5,000 characters); the form only refuses what no
# letter can be, so that a pasted essay comes back as a field error, never a crash.
HARD_LIMIT = 100_000


class LetterForm(forms.Form):
    """写信: who writes, how to reach them, the letter, consent to publication, the check question."""

    writer_name = forms.CharField(
        label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Telephone"), max_length=40, required=False,
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
    category = forms.ModelChoiceField(
        label=_("Kind of letter"),
        queryset=Category.objects.none(),
        empty_label=_("Choose the kind of letter"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your letter"), max_length=HARD_LIMIT, strip=False, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("10 to 5,000 characters."),
    )  # fmt: skip
    publish_consent = forms.BooleanField(
        label=_("I agree that my letter and its reply may be published with my personal data removed"),
        required=False,
        label_suffix="",
    )
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    captcha_answer = forms.CharField(
        label=_("Answer"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 6}),
    )  # fmt: skip

    FIELDSETS = (
        (_("About you"), ("writer_name", "phone", "email", "address")),
        (_("Your letter"), ("category", "subject", "body", "publish_consent")),
    )

    def __init__(self, *args: Any, request: HttpRequest, captcha_passed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.captcha_passed = captcha_passed
        self.captcha_ok = False
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        mark_optional(self, ("phone", "email", "address"))
        self.fields["phone"].help_text = _("So that the office can call you back about your letter.")
        if captcha_passed:
            del self.fields["captcha_answer"]
            del self.fields["captcha_token"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.captcha_passed:
            reason = captcha.verify(
                self.request, self.data.get("captcha_token", ""), self.data.get("captcha_answer", "")
            )
            messages = {
                captcha.MISSING: _("Answer the check question."),
                captcha.UNKNOWN: _(
                    "The check question has expired or was already answered; answer the new one."
                ),
                captcha.EXPIRED: _("The check question has expired; answer the new one."),
                captcha.WRONG: _("That is not the answer; try the new question."),
            }
            if reason is None:
                self.captcha_ok = True
            else:
                self.add_error("captcha_answer", messages[reason])
        return data

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def action_fields(self) -> dict[str, Any]:
        """The writer's fields, as ``submit_letter`` takes them."""
        names = ("writer_name", "phone", "email", "address", "subject", "body", "publish_consent")
        return {name: self.cleaned_data.get(name, "") for name in names}


class LetterTrackForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"), max_length=30, help_text=_("For example HD2025000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    tracking_code = forms.CharField(
        label=_("Tracking code"), max_length=30,
        help_text=_("The 10-character code shown when you sent the letter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip

    def clean_case_number(self) -> str:
        return normalise_code(self.cleaned_data["case_number"])

    def clean_tracking_code(self) -> str:
        return normalise_code(self.cleaned_data["tracking_code"])


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("How satisfied are you with the reply?"), choices=Rating.choices,
                               widget=forms.RadioSelect)  # fmt: skip
    note = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "rating")
        super().__init__(*args, **kwargs)
        mark_optional(self, ("note",))


class RepliesFilterForm(forms.Form):
    """The Q&A list's filters (GET); unknown values are simply ignored."""

    channel = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(label=_("Kind of letter"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, channels: list[Any], categories: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("All channels"))] + [
            (str(c.pk), f"{c.organisation.name} · {c.name}") for c in channels
        ]
        self.fields["category"].choices = [("", _("All kinds"))] + [(str(c.pk), c.name) for c in categories]

    def value(self, name: str) -> int | None:
        self.is_valid()  # an invalid filter is left out of cleaned_data, the others still apply
        return self.cleaned_data.get(name)
