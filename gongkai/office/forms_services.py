"""Back-office forms for government services (政务服务): cases at the window, the catalogue, slots.

They check the shape of the input (dates, numbers, times, choices); the actions in
``gongkai.services.actions`` decide what is allowed and say why not, per field, and the views
put those messages onto these forms. Limits and amounts are therefore not range-checked here
beyond their type: a negative limit or a fee that does not match the standard is refused by the
action, with its own wording, and nothing changes.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.core.widgets import FastSelect
from gongkai.office.forms_applications import REQUIRED, ObjectChoiceField, _blank, on_field
from gongkai.office.forms_items import DateInput, MultipleFileInput, OrganisationChoiceField
from gongkai.services.models import ApplicantKind, CaseChannel, CaseResult, CaseStatus, ItemKind, StepDecision

TEXTAREA = {"rows": 4}
MAX_FILES = 20
YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


def _values(form: forms.Form) -> dict[str, Any]:
    """A filter form's valid values (an empty dict for an unbound form); bad ones are dropped."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}


class UploadsField(forms.FileField):
    """Several uploads, handed to the action as they are (it sniffs and size-checks them)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(_("Upload at most %(n)s files at a time.") % {"n": MAX_FILES})
        return [super(UploadsField, self).clean(f, initial) for f in uploads]


# --- the window's cases ------------------------------------------------------------------------


class ReceiveForm(forms.Form):
    """An application handed in at a window (or brought by an appointment)."""

    window = ObjectChoiceField(label=_("Window"), widget=FastSelect(attrs=REQUIRED))
    item = ObjectChoiceField(label=_("Service"), widget=FastSelect(attrs=REQUIRED))
    appointment = ObjectChoiceField(label=_("Appointment"), required=False)
    on = on_field(_("Received on"))
    applicant_kind = forms.ChoiceField(
        label=_("Applicant"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON
    )
    applicant_name = forms.CharField(
        label=_("Applicant name"), max_length=200, required=False, widget=forms.TextInput(attrs=REQUIRED)
    )
    id_number = forms.CharField(label=_("ID or credit code"), max_length=30, required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    description = forms.CharField(
        label=_("What is applied for"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    agency = forms.BooleanField(
        label=_("Handled by an agent (全程代办)"), required=False,
        help_text=_("An agent of the centre takes the case through every step for the applicant."),
    )  # fmt: skip
    agent = ObjectChoiceField(label=_("Agent"), required=False)

    APPLICANT = ("applicant_kind", "applicant_name", "id_number", "phone", "email", "address", "description")

    def __init__(
        self, *args: Any, windows: list[Any], items: list[Any], appointments: list[Any], agents: list[Any],
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["window"].set_objects(
            windows, label=lambda w: f"{w.centre.display_name} · {w}", blank_label="—"
        )
        self.fields["item"].set_objects(
            items, label=lambda i: f"{i.name} ({i.organisation.display_name})", blank_label="—"
        )
        self.fields["appointment"].set_objects(
            appointments,
            label=lambda a: f"{a.slot.start:%H:%M} {a.reference} {a.name} · {a.item.name}",
            blank_label=_("No appointment"),
        )
        self.fields["agent"].set_objects(agents, blank_label="—")

    @property
    def groups(self) -> list[tuple[Any, list[Any]]]:
        names = [
            (_("Receipt"), ("window", "item", "appointment", "on")),
            (_("Applicant"), self.APPLICANT),
            (_("Agency (全程代办)"), ("agency", "agent")),
        ]
        return [(legend, [self[n] for n in fields]) for legend, fields in names]

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        kwargs = {k: d.get(k) or "" for k in self.APPLICANT}
        kwargs.update(
            window=d["window"], item=d["item"], appointment=d.get("appointment"), on=d.get("on"),
            agency=bool(d.get("agency")), agent=d.get("agent"),
        )  # fmt: skip
        return kwargs


class OnForm(forms.Form):
    on = on_field()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3, **REQUIRED})
    )
    on = on_field()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3, **REQUIRED})
    )


class MaterialsForm(forms.Form):
    missing = forms.CharField(
        label=_("Missing materials"), widget=forms.Textarea(attrs={**TEXTAREA, **REQUIRED}),
        help_text=_("Everything that is missing, in one notice (一次性告知)."),
    )  # fmt: skip
    on = on_field()


class SuppliedForm(forms.Form):
    files = UploadsField(label=_("Scanned materials"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    on = on_field()


class StepForm(forms.Form):
    name = forms.CharField(
        label=_("Step"), max_length=60, widget=forms.TextInput(attrs=REQUIRED),
        help_text=_("e.g. 承办, 审核, 批准"),
    )  # fmt: skip
    decision = forms.ChoiceField(label=_("Decision"), choices=StepDecision.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    on = on_field()


class FeeForm(forms.Form):
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2, initial=Decimal(1))
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=12, decimal_places=2,
        help_text=_("The fee standard times the quantity, exactly."),
    )  # fmt: skip
    receipt = forms.CharField(
        label=_("Receipt number"), max_length=40, widget=forms.TextInput(attrs=REQUIRED)
    )
    on = on_field()


class CompleteForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=CaseResult.choices, widget=forms.RadioSelect)
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=60, required=False,
        help_text=_("When the service issues a certificate and the case is approved."),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the application is not approved."),
    )  # fmt: skip
    on = on_field()

    def __init__(self, *args: Any, certificate: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if certificate is None:  # the item issues no certificate: nothing to number
            del self.fields["certificate_number"]
        elif certificate:
            self.fields["certificate_number"].label = _("Number of the %(certificate)s") % {
                "certificate": certificate
            }


class AgentForm(forms.Form):
    agent = ObjectChoiceField(label=_("Agent"), required=False, help_text=_("Leave empty to end the agency."))

    def __init__(self, *args: Any, agents: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].set_objects(agents, blank_label="—")


class CaseFilterForm(forms.Form):
    """The case list's filters (GET); a filter with a bad value is shown as an error and ignored."""

    q = forms.CharField(label=_("Case number or applicant"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(CaseStatus.choices, _("All")), required=False
    )
    item = ObjectChoiceField(label=_("Service"), required=False)
    organisation = OrganisationChoiceField(label=_("Implementing unit"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=_blank(CaseChannel.choices, _("All")), required=False
    )
    date_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Received to"), required=False, widget=DateInput())
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, items: list[Any], organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].set_objects(items, blank_label=_("All"))
        self.fields["organisation"].set_organisations(organisations, _("All"))

    def values(self) -> dict[str, Any]:
        return _values(self)


# --- the catalogue ------------------------------------------------------------------------------


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), max_length=100, required=False)
    organisation = OrganisationChoiceField(label=_("Implementing unit"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(ItemKind.choices, _("All")), required=False)
    published = forms.ChoiceField(label=_("Published"), choices=YES_NO, required=False)
    online = forms.ChoiceField(label=_("Online"), choices=YES_NO, required=False)

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(organisations, _("All"))

    def values(self) -> dict[str, Any]:
        return _values(self)


class ItemForm(forms.Form):
    """Every field of a service item but its publication (which has its own buttons)."""

    organisation = OrganisationChoiceField(label=_("Implementing unit"), widget=FastSelect(attrs=REQUIRED))
    code = forms.CharField(label=_("Item code"), max_length=40, widget=forms.TextInput(attrs=REQUIRED))
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=REQUIRED))
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    legal_basis = forms.CharField(
        label=_("Legal basis"), widget=forms.Textarea(attrs={**TEXTAREA, **REQUIRED})
    )
    conditions = forms.CharField(label=_("Conditions"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    materials = forms.CharField(
        label=_("Materials"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("One material per line."),
    )  # fmt: skip
    process = forms.CharField(
        label=_("Process"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("One step per line."),
    )  # fmt: skip
    statutory_limit_days = forms.IntegerField(label=_("Statutory time limit (working days)"))
    promised_limit_days = forms.IntegerField(
        label=_("Promised time limit (working days)"), help_text=_("0 means handled on the spot (即办).")
    )
    fee_free = forms.BooleanField(label=_("Free of charge"), required=False, initial=True)
    fee_amount = forms.DecimalField(
        label=_("Fee standard (yuan)"), max_digits=12, decimal_places=2, required=False
    )
    fee_unit = forms.CharField(
        label=_("Fee unit"), max_length=20, required=False, help_text=_("e.g. 件, 平方米, 户")
    )
    fee_basis = forms.CharField(
        label=_("Fee basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    window = ObjectChoiceField(label=_("Window"), required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    online = forms.BooleanField(label=_("Can be applied for online"), required=False)
    issues_certificate = forms.BooleanField(label=_("Issues a certificate"), required=False)
    certificate_name = forms.CharField(label=_("Certificate"), max_length=100, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    FIELDS = ("code", "name", "kind", "legal_basis", "conditions", "materials", "process",
              "statutory_limit_days", "promised_limit_days", "fee_free", "fee_amount", "fee_unit", "fee_basis",
              "window", "location", "online", "issues_certificate", "certificate_name", "is_active")  # fmt: skip

    def __init__(self, *args: Any, organisations: list[Any], windows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(organisations, "—")
        self.fields["window"].set_objects(
            windows, label=lambda w: f"{w.centre.display_name} · {w}", blank_label="—"
        )

    @property
    def groups(self) -> list[tuple[Any, list[Any]]]:
        names = [
            (_("The item"), ("organisation", "code", "name", "kind", "is_active")),
            (_("Basis, conditions, materials and process"), ("legal_basis", "conditions", "materials", "process")),
            (_("Time limits"), ("statutory_limit_days", "promised_limit_days")),
            (_("Fees"), ("fee_free", "fee_amount", "fee_unit", "fee_basis")),
            (_("Where and how"), ("window", "location", "online", "issues_certificate", "certificate_name")),
        ]  # fmt: skip
        return [(legend, [self[n] for n in fields]) for legend, fields in names]

    def action_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {k: d.get(k) if k in ("fee_amount", "window") else d.get(k, "") for k in self.FIELDS}

    @classmethod
    def initial_from(cls, item: Any) -> dict[str, Any]:
        initial = {k: getattr(item, k) for k in cls.FIELDS if k != "window"}
        initial["organisation"] = str(item.organisation_id)
        initial["window"] = str(item.window_id) if item.window_id else ""
        return initial


class WindowForm(forms.Form):
    centre = OrganisationChoiceField(label=_("Centre"), widget=FastSelect(attrs=REQUIRED))
    number = forms.CharField(label=_("Window number"), max_length=20, widget=forms.TextInput(attrs=REQUIRED))
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=REQUIRED))
    units = forms.MultipleChoiceField(
        label=_("Units served"), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, centres: list[Any], units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].set_organisations(centres, "—")
        self.unit_by_pk = {str(u.pk): u for u in units}
        self.fields["units"].choices = [(str(u.pk), u.display_name) for u in units]

    def clean_units(self) -> list[Any]:
        return [self.unit_by_pk[pk] for pk in self.cleaned_data["units"]]


TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})\s*$")


class SlotsForm(forms.Form):
    first_day = forms.DateField(label=_("From"), widget=DateInput(attrs=REQUIRED))
    last_day = forms.DateField(label=_("To"), widget=DateInput(attrs=REQUIRED))
    times = forms.CharField(
        label=_("Times"), widget=forms.Textarea(attrs={"rows": 4, **REQUIRED}),
        initial="09:00-10:00\n10:00-11:00\n14:30-15:30\n15:30-16:30",
        help_text=_("One slot per line, e.g. 09:00-10:00. Only working days get slots; existing slots are kept."),
    )  # fmt: skip
    capacity = forms.IntegerField(label=_("Places per slot"), initial=5)

    def clean_times(self) -> list[tuple[time, time]]:
        out = []
        for n, line in enumerate(self.cleaned_data["times"].splitlines(), start=1):
            if not line.strip():
                continue
            match = TIME_RANGE.match(line)
            try:
                h1, m1, h2, m2 = (int(g) for g in match.groups()) if match else (None,) * 4
                out.append((time(h1, m1), time(h2, m2)))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise forms.ValidationError(
                    _("Line %(n)s is not a time range like 09:00-10:00.") % {"n": n}
                ) from None
        if not out:
            raise forms.ValidationError(_("Give at least one time range."))
        return out


class DayForm(forms.Form):
    date = forms.DateField(label=_("Day"), required=False, widget=DateInput())
    window = ObjectChoiceField(label=_("Window"), required=False)

    def __init__(self, *args: Any, windows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["window"].set_objects(
            windows, label=lambda w: f"{w.centre.display_name} · {w}", blank_label=_("All")
        )

    def values(self) -> dict[str, Any]:
        return _values(self)
