"""Back-office forms for letters and calls (互动交流).

They check the shape of the input (dates, numbers, choices); the actions in
``gongkai.interaction.actions`` decide what is allowed and say why not, per field, and the
views put those messages onto these forms. The writer's details are therefore not required
here: the action reports every missing or wrong one at once.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.core.widgets import FastSelect
from gongkai.interaction.models import ChannelKind, InvalidReason, Rating
from gongkai.office.forms_applications import REQUIRED, ObjectChoiceField, _blank
from gongkai.office.forms_items import DateInput, OrganisationChoiceField

TEXTAREA = {"rows": 6}


class LetterFilterForm(forms.Form):
    """The queue's filters (GET); a filter with a bad value is shown as an error and ignored."""

    q = forms.CharField(label=_("Case number, writer, subject or text"), max_length=100, required=False)
    queue = forms.ChoiceField(label=_("Queue"), required=False)
    channel = ObjectChoiceField(label=_("Channel"), required=False)
    category = ObjectChoiceField(label=_("Category"), required=False)
    date_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Received to"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        channels: list[Any],
        categories: list[Any],
        queues: list[tuple[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = queues
        self.fields["channel"].set_objects(
            channels, label=lambda c: f"{c.name} ({c.organisation.display_name})", blank_label=_("All")
        )
        self.fields["category"].set_objects(categories, blank_label=_("All"))

    def values(self) -> dict[str, Any]:
        """The valid filters (an empty dict for an unbound form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class RegisterLetterForm(forms.Form):
    """A call, a forwarded case or a posted letter entered by staff."""

    channel = ObjectChoiceField(label=_("Channel"), widget=FastSelect(attrs=REQUIRED))
    category = ObjectChoiceField(label=_("Category"), widget=FastSelect(attrs=REQUIRED))
    received_on = forms.DateField(
        label=_("Received on"), required=False, widget=DateInput(), help_text=_("Leave empty for today.")
    )
    writer_name = forms.CharField(
        label=_("Name"), max_length=100, required=False, widget=forms.TextInput(attrs=REQUIRED)
    )
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    subject = forms.CharField(
        label=_("Subject"), max_length=200, required=False, widget=forms.TextInput(attrs=REQUIRED)
    )
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={**TEXTAREA, **REQUIRED})
    )
    publish_consent = forms.BooleanField(label=_("The writer agrees to publication"), required=False)
    audio_ref = forms.CharField(
        label=_("Recording reference"), max_length=200, required=False,
        help_text=_("Calls: where the recording is kept."),
    )  # fmt: skip
    external_number = forms.CharField(
        label=_("External case number"), max_length=60, required=False,
        help_text=_("Forwarded cases: the higher hotline's case number."),
    )  # fmt: skip
    forwarded_on = forms.DateField(label=_("Forwarded on"), required=False, widget=DateInput())
    external_limit_days = forms.IntegerField(
        label=_("Their time limit (working days)"), min_value=1, max_value=365, required=False
    )
    answered_on_spot = forms.CharField(
        label=_("Answered on the spot"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Calls only: the answer given during the call. The call is closed at once."),
    )  # fmt: skip

    WRITER = ("writer_name", "phone", "email", "address", "subject", "body", "publish_consent")

    def __init__(self, *args: Any, channels: list[Any], categories: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].set_objects(
            channels,
            label=lambda c: f"{c.name} · {c.get_kind_display()} ({c.organisation.display_name})",
            blank_label="—",
        )
        self.fields["category"].set_objects(categories, blank_label="—")

    @property
    def groups(self) -> list[tuple[Any, list[Any]]]:
        names = [
            (_("Receipt"), ("channel", "category", "received_on")),
            (_("Writer"), ("writer_name", "phone", "email", "address")),
            (_("Letter"), ("subject", "body", "publish_consent")),
            (_("Calls and forwarded cases"), ("audio_ref", "external_number", "forwarded_on",
                                               "external_limit_days", "answered_on_spot")),
        ]  # fmt: skip
        return [(legend, [self[n] for n in fields]) for legend, fields in names]

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kwargs = {k: d.get(k) for k in self.WRITER}
        kwargs.update(
            channel=d["channel"], category=d["category"], received_on=d.get("received_on"),
            audio_ref=d.get("audio_ref") or "", answered_on_spot=d.get("answered_on_spot") or "",
        )  # fmt: skip
        channel = d["channel"]
        if channel is not None and channel.kind == ChannelKind.FORWARDED:
            kwargs.update(
                external_number=d.get("external_number") or "", forwarded_on=d.get("forwarded_on"),
                external_limit_days=d.get("external_limit_days"),
            )  # fmt: skip
        return kwargs


# --- the steps of a letter ----------------------------------------------------------------------


class TriageForm(forms.Form):
    valid = forms.ChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Valid: accept it for assignment")), ("no", _("Not valid"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("Why it is not valid"), choices=_blank(InvalidReason.choices), required=False
    )
    duplicate_of = forms.CharField(
        label=_("Original letter (case number)"), max_length=20, required=False,
        help_text=_("Duplicates only: the case number of the letter it repeats."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class AssignForm(forms.Form):
    lead_unit = OrganisationChoiceField(label=_("Lead unit"), widget=FastSelect(attrs=REQUIRED))
    assist_units = forms.MultipleChoiceField(
        label=_("Assisting units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    limit_days = forms.IntegerField(
        label=_("Time limit (working days)"), min_value=1, max_value=365, required=False,
        help_text=_("Leave empty for the channel's limit for this category."),
    )  # fmt: skip
    note = forms.CharField(label=_("Instructions"), max_length=300, required=False)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["lead_unit"].set_organisations(units, "—")
        self.fields["assist_units"].choices = [(str(u.pk), u.display_name) for u in units]

    def clean_assist_units(self) -> list[Any]:
        return [self.units[pk] for pk in self.cleaned_data["assist_units"]]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3, **REQUIRED})
    )


class DraftForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={**TEXTAREA, **REQUIRED}))


class ApproveForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("The unit's draft; correct it if needed."),
    )  # fmt: skip
    publish = forms.BooleanField(
        label=_("Publish the question and answer (personal data masked)"), required=False
    )


class ChaseForm(forms.Form):
    note = forms.CharField(
        label=_("Chase notice"), max_length=500, widget=forms.Textarea(attrs={"rows": 3, **REQUIRED})
    )


class CallbackForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Rating"), choices=_blank(Rating.choices), widget=FastSelect(attrs=REQUIRED)
    )
    note = forms.CharField(label=_("Comment"), max_length=500, required=False)


class PublishForm(forms.Form):
    subject = forms.CharField(label=_("Public subject"), max_length=200, required=False)
    body = forms.CharField(label=_("Public text"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    reply = forms.CharField(label=_("Public reply"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


# --- channels -----------------------------------------------------------------------------------


class ChannelForm(forms.Form):
    organisation = OrganisationChoiceField(label=_("Government"), widget=FastSelect(attrs=REQUIRED))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=_blank(ChannelKind.choices), widget=FastSelect(attrs=REQUIRED)
    )
    name = forms.CharField(label=_("Name"), max_length=60, widget=forms.TextInput(attrs=REQUIRED))
    limit_days = forms.IntegerField(
        label=_("Time limit (working days)"), min_value=1, max_value=365, initial=15
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(organisations, "—")


class TimeLimitForm(forms.Form):
    channel = ObjectChoiceField(label=_("Channel"), widget=FastSelect(attrs=REQUIRED))
    category = ObjectChoiceField(label=_("Category"), widget=FastSelect(attrs=REQUIRED))
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=365)

    def __init__(self, *args: Any, channels: list[Any], categories: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].set_objects(
            channels, label=lambda c: f"{c.name} ({c.organisation.display_name})", blank_label="—"
        )
        self.fields["category"].set_objects(categories, blank_label="—")
