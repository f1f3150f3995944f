"""Back-office forms of e-supervision (电子监察): the period, notes, chase notices, cards, shares.

They check the shape of the input only; the actions in ``gongkai.supervision.actions`` decide
what is allowed and say why not, per field (an empty reason, a share outside 0–1), and the
views put those messages onto these forms, so text fields are not ``required`` here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.core.widgets import FastSelect
from gongkai.office.forms_applications import REQUIRED
from gongkai.office.forms_items import DateInput
from gongkai.supervision.models import CardColour
from gongkai.workdays import clock as clocks

TEXTAREA = {"rows": 3, **REQUIRED}
# A period longer than this is refused: the figures are meant for years, not decades.
MAX_PERIOD_DAYS = 3660


class PeriodForm(forms.Form):
    """The period of the figures; this year up to today unless the user says otherwise."""

    first = forms.DateField(label=_("From"), required=False, widget=DateInput())
    last = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = self.period_of(data)
        if first > last:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (last - first).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most ten years."))
        return data

    @staticmethod
    def period_of(data: dict[str, Any]) -> tuple[date, date]:
        today = clocks.today()  # the clocks' day, so figures and the default period agree
        last = data.get("last") or today
        first = data.get("first") or date(last.year, 1, 1)
        return first, last

    def period(self) -> tuple[date, date]:
        """The chosen period, or the default one when the input is missing or wrong."""
        if self.is_bound and self.is_valid():
            return self.period_of(self.cleaned_data)
        return self.period_of({})


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


class ChaseForm(forms.Form):
    note = forms.CharField(
        label=_("Chase notice"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Sent to the staff of the unit responsible for the case."),
    )


class CardForm(forms.Form):
    colour = forms.ChoiceField(label=_("Card"), choices=CardColour.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


class UnitCardForm(CardForm):
    """A card to a unit, about no case in particular (from the cards page)."""

    field_order = ["organisation", "colour", "reason"]
    organisation = forms.ChoiceField(label=_("Unit"), widget=FastSelect(attrs=REQUIRED))

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["organisation"].choices = [("", "—")] + [(str(u.pk), u.name) for u in units]

    def clean_organisation(self) -> Any:
        unit = self.units.get(self.cleaned_data["organisation"])
        if unit is None:
            raise forms.ValidationError(_("Choose a unit you supervise."))
        return unit


class WithdrawCardForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


class WarningShareForm(forms.Form):
    share = forms.CharField(
        label=_("Warning share"),
        max_length=10,
        widget=forms.TextInput(attrs={**REQUIRED, "inputmode": "decimal"}),
        help_text=_("A share of the time limit between 0 and 1, e.g. 0.8 for 80%."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
