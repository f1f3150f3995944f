"""Back-office forms for the records behind the annual report (disputes, reading rooms, figures).

They check the shape of the input (dates, numbers, choices); the actions in
``gongkai.records.actions`` decide what is allowed and say why not, per field, and the views put
those messages onto these forms. Counts and amounts are not range-checked here: a negative count
or a visit in the future is refused by the action, with its own wording, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.office.forms_applications import REQUIRED, ObjectChoiceField, _blank
from gongkai.office.forms_items import DateInput, OrganisationChoiceField
from gongkai.records.models import DecisionKind, DisputeKind, DisputeResult

TEXTAREA = {"rows": 3}
CONCLUDED = [c for c in DisputeResult.choices if c[0] != DisputeResult.PENDING]


def values(form: forms.Form) -> dict[str, Any]:
    """A filter form's valid values (an empty dict for an unbound form); bad ones are dropped."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in (None, "", False)}


def date_field(label: Any, required: bool = True) -> forms.DateField:
    attrs = REQUIRED if required else None
    return forms.DateField(label=label, required=required, widget=DateInput(attrs=attrs))


class OrgForm(forms.Form):
    """A form whose first field is one of the organisations the view offers."""

    organisation = OrganisationChoiceField(label=_("Organisation"))
    blank_label: Any = None

    def __init__(self, *args: Any, organisations: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(list(organisations), self.blank_label)


# --- filters ---------------------------------------------------------------------------------------


class YearFilterForm(OrgForm):
    blank_label = _("All my units")
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=9999)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].required = False


class DisputeFilterForm(YearFilterForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(DisputeKind.choices, _("All")))
    result = forms.ChoiceField(
        label=_("Result"), required=False, choices=_blank(DisputeResult.choices, _("All"))
    )
    q = forms.CharField(label=_("Reference or subject"), required=False, max_length=100)


# --- disputes --------------------------------------------------------------------------------------


class DisputeForm(OrgForm):
    organisation = OrganisationChoiceField(label=_("Respondent organisation"))
    kind = forms.ChoiceField(label=_("Kind"), choices=DisputeKind.choices)
    reference = forms.CharField(
        label=_("Case reference"), max_length=100, widget=forms.TextInput(attrs=REQUIRED)
    )
    subject = forms.CharField(
        label=_("What is disputed"), max_length=300, widget=forms.TextInput(attrs=REQUIRED)
    )
    body = forms.CharField(label=_("Review body or court"), max_length=200, required=False)
    filed_on = date_field(_("Filed on"))
    application = forms.CharField(
        label=_("Application in dispute"), max_length=20, required=False,
        help_text=_("The case number of the application, if the dispute is about one."),
    )  # fmt: skip
    review_case = ObjectChoiceField(
        label=_("The review before the lawsuit"), required=False,
        help_text=_("Only for a lawsuit after administrative review."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, reviews: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["review_case"].set_objects(
            reviews, label=lambda r: f"{r.reference} · {r.organisation.display_name}", blank_label="—"
        )

    @staticmethod
    def initial_from(case: Any) -> dict[str, Any]:
        return {
            "organisation": str(case.organisation_id), "kind": case.kind, "reference": case.reference,
            "subject": case.subject, "body": case.body, "filed_on": case.filed_on,
            "application": case.application.case_number if case.application_id else "",
            "review_case": str(case.review_case_id or ""), "note": case.note,
        }  # fmt: skip


class ConcludeForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=CONCLUDED)
    concluded_on = date_field(_("Concluded on"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXTAREA))


# --- reading rooms ---------------------------------------------------------------------------------


class RoomForm(OrgForm):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=REQUIRED))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=200, required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=60, required=False)
    is_active = forms.BooleanField(label=_("Open"), required=False, initial=True)

    @staticmethod
    def initial_from(room: Any) -> dict[str, Any]:
        return {"organisation": str(room.organisation_id), "name": room.name, "address": room.address,
                "opening_hours": room.opening_hours, "phone": room.phone, "is_active": room.is_active}  # fmt: skip


class VisitForm(forms.Form):
    day = date_field(_("Date"))
    visitors = forms.IntegerField(label=_("Visitors"), widget=forms.NumberInput(attrs=REQUIRED))
    purpose = forms.CharField(label=_("Information asked for"), max_length=300, required=False)


# --- year figures ----------------------------------------------------------------------------------


class FigureForm(OrgForm):
    year = forms.IntegerField(label=_("Year"), widget=forms.NumberInput(attrs=REQUIRED))


class StaffForm(FigureForm):
    full_time = forms.IntegerField(label=_("Full-time staff"))
    part_time = forms.IntegerField(label=_("Part-time staff"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SpendingForm(FigureForm):
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=16, decimal_places=4)
    purpose = forms.CharField(label=_("Spent on"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DecisionForm(FigureForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DecisionKind.choices)
    count = forms.IntegerField(label=_("Decisions"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
