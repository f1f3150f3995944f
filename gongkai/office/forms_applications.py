"""Back-office forms for applications for disclosure (依申请公开).

They check the shape of the input (dates, numbers, choices, files); the actions in
``gongkai.applications.actions`` decide what is allowed and say why not, per field, and
the views put those messages onto these forms. The applicant's details are therefore not
required here: ``clean_applicant`` reports every missing or wrong one at once, with the
rule set's own wording (2008 Art. 20, 2019 Art. 29).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.applications.actions_base import APPLICANT_FIELDS
from gongkai.applications.fees import FeeMode
from gongkai.applications.models import (
    ApplicantType,
    Channel,
    ConsultationAnswer,
    ConsultationKind,
    Delivery,
    DocumentKind,
    IdType,
    InfoForm,
)
from gongkai.applications.outcomes import Outcome, ReplyType, outcomes_for, reply_types_for
from gongkai.applications.rules import RuleSet, RuleSetCode
from gongkai.core.files import MB
from gongkai.core.widgets import FastSelect
from gongkai.office.forms_items import DateInput, MultipleFileInput, OrganisationChoiceField

# Uploads above this are refused before they are read into memory (as for items' attachments).
MAX_UPLOAD_BYTES = 50 * MB
MAX_FILES = 20
# All the files of one form together (they are read into memory before the action stores them).
MAX_TOTAL_BYTES = 100 * MB
# Results that follow from a missed period (the daily lapse job), never from a decision.
LAPSE_OUTCOMES = (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID)
STAFF_CHANNELS = [(v, label) for v, label in Channel.choices if v != Channel.ONLINE]
REQUIRED = {"aria-required": "true"}
FILES_HELP = _(
    "PDF, Word, Excel, WPS or OFD documents or images; at most 50 MB each, 20 files and 100 MB in all."
)


def _blank(choices: Iterable[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _today() -> Any:
    return timezone.localdate()


class ObjectChoiceField(forms.ChoiceField):
    """A select of model objects offered by the view; cleans to the object (or None)."""

    widget = FastSelect

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by_pk: dict[str, Any] = {}

    def set_objects(self, objects: Iterable[Any], label: Any = str, blank_label: Any = None) -> None:
        objects = list(objects)
        self.by_pk = {str(o.pk): o for o in objects}
        choices = [(str(o.pk), label(o)) for o in objects]
        self.choices = _blank(choices, blank_label) if blank_label is not None else choices

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return self.by_pk.get(value) if value else None


class FilesField(forms.FileField):
    """Several files; cleans to ``[(name, bytes), …]`` as the actions take them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", FILES_HELP)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[str, bytes]]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if self.required and not uploads:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(_("Upload at most %(n)s files at a time.") % {"n": MAX_FILES})
        if sum(getattr(f, "size", 0) or 0 for f in uploads) > MAX_TOTAL_BYTES:
            raise forms.ValidationError(
                _("At most %(mb)s MB in all at a time.") % {"mb": MAX_TOTAL_BYTES // MB}
            )
        return [read_upload(super(FilesField, self).clean(f, initial)) for f in uploads]


def read_upload(upload: UploadedFile) -> tuple[str, bytes]:
    name = upload.name or "file"
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("“%(name)s” is too large: at most %(mb)s MB per file.")
            % {"name": name, "mb": MAX_UPLOAD_BYTES // MB}
        )
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("“%(name)s” is too large: at most %(mb)s MB per file.")
            % {"name": name, "mb": MAX_UPLOAD_BYTES // MB}
        )
    return name, data


def on_field(label: Any = None, required: bool = False, **kwargs: Any) -> forms.DateField:
    """A date, today unless the user says otherwise (e.g. a letter dated the day it was signed)."""
    kwargs.setdefault("help_text", _("Leave empty for today.") if not required else "")
    return forms.DateField(label=label or _("Date"), required=required, widget=DateInput(), **kwargs)


class OnForm(forms.Form):
    """A form with a date that defaults to today."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField) and name == "on":
                self.initial.setdefault(name, _today())


# --- the queue's filters ----------------------------------------------------------------------


class ApplicationFilterForm(forms.Form):
    """The list's filters (GET); a filter with a bad value is shown as an error and ignored."""

    q = forms.CharField(label=_("Case number, applicant or title"), max_length=100, required=False)
    queue = forms.ChoiceField(label=_("Queue"), required=False)
    organisation = OrganisationChoiceField(label=_("Agency"), required=False)
    below = forms.BooleanField(label=_("Include units below"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=_blank(Channel.choices, _("All")), required=False)
    rule_set = forms.ChoiceField(
        label=_("Rule set"), choices=_blank(RuleSetCode.choices, _("All")), required=False
    )
    date_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Received to"), required=False, widget=DateInput())

    def __init__(
        self, *args: Any, organisations: list[Any], queues: list[tuple[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(organisations, str(_("All")))
        self.fields["queue"].choices = queues

    def values(self) -> dict[str, Any]:
        """The valid filters (an empty dict for an unbound form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


# --- registering a staff-entered application ------------------------------------------------------


class RegisterForm(forms.Form):
    """An application handed in, posted, faxed, e-mailed or made orally, with its receipt facts."""

    organisation = OrganisationChoiceField(label=_("Agency applied to"), widget=FastSelect(attrs=REQUIRED))
    channel = forms.ChoiceField(
        label=_("How it arrived"), choices=_blank(STAFF_CHANNELS), widget=FastSelect(attrs=REQUIRED)
    )
    submitted_on = forms.DateField(
        label=_("Submitted on"), widget=DateInput(attrs=REQUIRED),
        help_text=_("The day it was handed in, made orally, posted, faxed or sent."),
    )  # fmt: skip
    signed_for_on = forms.DateField(
        label=_("Signed for on"), required=False, widget=DateInput(),
        help_text=_("Registered mail: the day the office signed for it, which is the day of receipt."),
    )  # fmt: skip
    confirmed_on = forms.DateField(
        label=_("Confirmed with the applicant on"), required=False, widget=DateInput(),
        help_text=_(
            "Ordinary mail: the day the office confirmed the application with the applicant (the day of "
            "receipt). Fax and e-mail: leave empty until both sides have confirmed, then confirm it on "
            "the application's page."
        ),
    )  # fmt: skip
    receipt_note = forms.CharField(label=_("Receipt note"), max_length=300, required=False)
    applicant_type = forms.ChoiceField(
        label=_("Applicant type"), choices=_blank(ApplicantType.choices), required=False,
        widget=FastSelect(attrs=REQUIRED),
    )  # fmt: skip
    applicant_name = forms.CharField(
        label=_("Name of the person or organisation"), max_length=200, required=False,
        widget=forms.TextInput(attrs=REQUIRED),
    )  # fmt: skip
    id_type = forms.ChoiceField(label=_("Identity document"), choices=_blank(IdType.choices), required=False)
    id_number = forms.CharField(
        label=_("Document number"), max_length=60, required=False,
        help_text=_("Required under the 2019 text (Art. 29)."),
    )  # fmt: skip
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100, required=False)
    contact_person = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    address = forms.CharField(label=_("Postal address"), max_length=300, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=6, required=False)
    info_title = forms.CharField(
        label=_("Title of the information"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=REQUIRED),
    )
    info_number = forms.CharField(label=_("Document number (文号)"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    info_form = forms.ChoiceField(
        label=_("Form wanted"), choices=_blank(InfoForm.choices), required=False,
        widget=FastSelect(attrs=REQUIRED),
    )  # fmt: skip
    delivery = forms.ChoiceField(
        label=_("Delivery"),
        choices=_blank(Delivery.choices),
        required=False,
        widget=FastSelect(attrs=REQUIRED),
    )
    documents = FilesField(label=_("Documents from the applicant (ID copy, licence, the form itself)"))

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"submitted_on": _today()})
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(organisations, "—" if len(organisations) > 1 else None)

    GROUPS = (
        (_("Receipt"), ("organisation", "channel", "submitted_on", "signed_for_on", "confirmed_on", "receipt_note")),
        (_("Applicant"), ("applicant_type", "applicant_name", "id_type", "id_number", "legal_representative",
                          "contact_person", "phone", "email", "address", "postcode")),
        (_("Information asked for"), ("info_title", "info_number", "description", "purpose", "info_form",
                                      "delivery")),
        (_("Documents"), ("documents",)),
    )  # fmt: skip

    def groups(self) -> list[tuple[Any, list[Any]]]:
        """The fields in fieldsets, as the paper form groups them."""
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    def applicant_fields(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) or "" for k in APPLICANT_FIELDS}


# --- one form per step --------------------------------------------------------------------------


class ConfirmForm(OnForm):
    on = on_field(_("Confirmed on"), help_text=_("The day of receipt (2019 Art. 31). Leave empty for today."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ForwardForm(forms.Form):
    to = OrganisationChoiceField(label=_("Forward to"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].set_organisations(organisations, "—")


class CorrectionForm(OnForm):
    items = forms.CharField(
        label=_("What to correct or supplement"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Under the 2019 text there is one single notice: list everything (Art. 30)."),
    )  # fmt: skip
    period_days = forms.IntegerField(
        label=_("Period (working days)"), min_value=1, max_value=60, initial=10,
        help_text=_("A reasonable period for the applicant to correct the application."),
    )  # fmt: skip
    on = on_field(_("Notice date"))


class CorrectionReceivedForm(OnForm):
    text = forms.CharField(
        label=_("The correction"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the applicant corrected or supplemented."),
    )  # fmt: skip
    info_title = forms.CharField(
        label=_("Corrected title of the information"), max_length=300, required=False,
        help_text=_("Leave empty to keep the title."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Corrected description"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty to keep the description."),
    )  # fmt: skip
    on = on_field(
        _("Received on"), help_text=_("The reply period counts afresh from this day. Leave empty for today.")
    )
    documents = FilesField(label=_("Documents received"))

    def changed_fields(self) -> dict[str, str]:
        d = self.cleaned_data
        return {k: d[k].strip() for k in ("info_title", "description") if (d.get(k) or "").strip()}


class ConsultForm(OnForm):
    kind = forms.ChoiceField(label=_("Consulted"), choices=ConsultationKind.choices)
    party = forms.CharField(label=_("Party consulted"), max_length=200)
    on = on_field(_("Sent on"))


class ConsultationAnswerForm(OnForm):
    consultation = ObjectChoiceField(label=_("Consultation"))
    answer = forms.ChoiceField(label=_("Answer"), choices=_blank(ConsultationAnswer.choices))
    on = on_field(_("Answered on"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, consultations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultation"].set_objects(
            consultations,
            lambda c: f"{c.party} ({c.sent_on:%Y-%m-%d})",
            None if len(consultations) == 1 else "—",
        )


class ExtendForm(OnForm):
    days = forms.IntegerField(label=_("Extension (working days)"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    approved_by = ObjectChoiceField(label=_("Approved by (head of the disclosure office)"))
    on = on_field(_("Approved on"))

    def __init__(self, *args: Any, approvers: list[Any], remaining: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].set_objects(approvers, str, None if len(approvers) == 1 else "—")
        if remaining is not None:
            self.fields["days"].help_text = _("At most %(n)s more working days.") % {"n": remaining}


class LaterDateForm(OnForm):
    later_date = forms.DateField(label=_("Reply by"), widget=DateInput())
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    on = on_field(_("Notice date"))


class AssignForm(forms.Form):
    unit = OrganisationChoiceField(label=_("Unit drafting the reply"))
    assignee = ObjectChoiceField(label=_("Clerk"), required=False)
    note = forms.CharField(label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: list[Any], people: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_organisations(units, "—")
        labels = {p.pk: label for p, label in people}
        self.fields["assignee"].set_objects(
            [p for p, _label in people], lambda p: labels[p.pk], _("(any clerk of the unit)")
        )


def outcome_choices(rule_set: str) -> list[tuple[str, Any]]:
    allowed = [o for o in outcomes_for(rule_set) if o not in LAPSE_OUTCOMES]
    return _blank((o, label) for o, label in Outcome.choices if o in allowed)


def reply_type_choices(rule_set: str) -> list[tuple[str, Any]]:
    allowed = reply_types_for(rule_set)
    return _blank((t, label) for t, label in ReplyType.choices if t in allowed)


class DraftForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Result"))
    reply_type = forms.ChoiceField(
        label=_("Reply type"), help_text=_("The reply type must fit the result under the case's rule set.")
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when anything is withheld or not processed."),
    )  # fmt: skip
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, rule_set: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = outcome_choices(rule_set)
        self.fields["reply_type"].choices = reply_type_choices(rule_set)


class ReplyForm(DraftForm, OnForm):
    on = on_field(_("Reply date"))
    documents = FilesField(label=_("Information provided (disclosed documents)"))


class FeeForm(OnForm):
    mode = forms.ChoiceField(label=_("Charged"))
    pages = forms.IntegerField(label=_("Pages"), min_value=1, max_value=1_000_000, required=False)
    search_cost = forms.DecimalField(label=_("Search (yuan)"), min_value=Decimal(0), max_digits=10, decimal_places=2,
                                     required=False)  # fmt: skip
    copy_cost = forms.DecimalField(label=_("Copying (yuan)"), min_value=Decimal(0), max_digits=10, decimal_places=2,
                                   required=False)  # fmt: skip
    postage = forms.DecimalField(label=_("Postage (yuan)"), min_value=Decimal(0), max_digits=10, decimal_places=2,
                                 required=False)  # fmt: skip
    instructions = forms.CharField(label=_("How to pay"), widget=forms.Textarea(attrs={"rows": 2}))
    on = on_field(_("Notice date"))

    def __init__(self, *args: Any, rules: RuleSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rules.progressive_fees:
            self.fields["mode"].choices = [
                (m, label) for m, label in FeeMode.choices if m in (FeeMode.PER_APPLICATION, FeeMode.PER_PAGE)
            ]
            self.fields["pages"].help_text = _("Per page only: up to 30 pages are free.")
            for name in ("search_cost", "copy_cost", "postage"):
                del self.fields[name]
        else:
            self.fields["mode"].choices = [(FeeMode.COST, FeeMode.COST.label)]
            del self.fields["pages"]

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {"mode": d["mode"], "instructions": d["instructions"], "on": d.get("on")}
        if "pages" in self.fields:
            out["pages"] = d.get("pages")
        for name in ("search_cost", "copy_cost", "postage"):
            if name in self.fields:
                out[name] = d.get(name) or Decimal(0)
        return out


class PaymentForm(OnForm):
    on = on_field(_("Paid on"), required=True)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=60)


class WaiveForm(OnForm):
    reason = forms.CharField(label=_("Reason for the waiver"), widget=forms.Textarea(attrs={"rows": 2}))
    on = on_field(_("Date"))


class WithdrawForm(OnForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the applicant withdrew (letter, call), recorded with the case."),
    )  # fmt: skip
    on = on_field(_("Withdrawn on"))


class DeliveryForm(OnForm):
    on = on_field(_("Delivered on"), required=True)
    note = forms.CharField(
        label=_("Delivery record"), max_length=300, required=False,
        help_text=_("E.g. the EMS number, or who collected it."),
    )  # fmt: skip


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), help_text=FILES_HELP)

    def clean_file(self) -> tuple[str, bytes]:
        return read_upload(self.cleaned_data["file"])
