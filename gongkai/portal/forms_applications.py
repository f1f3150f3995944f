"""Public forms of applications for disclosure. They check the shape of the input; the actions
(``gongkai.applications.actions``) decide what the law requires and their messages go on the fields."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gongkai.applications.models import ApplicantType, Delivery, IdType, InfoForm
from gongkai.core.actions import ActionError
from gongkai.core.files import MB, check_upload
from gongkai.core.widgets import FastSelect
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.portal import captcha

INDENT = "\u3000"  # an ideographic space per level below the government


def max_files() -> int:
    return int(getattr(settings, "APPLY_MAX_FILES", 5))


def max_file_bytes() -> int:
    return int(getattr(settings, "APPLY_UPLOAD_MAX_MB", 10)) * MB


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; cleans to a list of ``(name, bytes)``, each checked by type and size."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[str, bytes]]:  # type: ignore[override]
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        limit, most = max_file_bytes(), max_files()
        if len(uploads) > most:
            raise forms.ValidationError(
                ngettext_lazy("Attach at most %(n)s file.", "Attach at most %(n)s files.", "n") % {"n": most}
            )
        errors: list[str] = []
        out: list[tuple[str, bytes]] = []
        for upload in uploads:
            if not isinstance(upload, UploadedFile):
                errors.append(str(_("No file was submitted. Check the encoding type on the form.")))
                continue
            name = (upload.name or "file")[:150]
            if upload.size is not None and upload.size > limit:
                errors.append(
                    str(
                        _("“%(name)s” is too large: at most %(mb)s MB per file.")
                        % {"name": name, "mb": limit // MB}
                    )
                )
                continue
            content = upload.read(limit + 1)
            if len(content) > limit:
                errors.append(
                    str(
                        _("“%(name)s” is too large: at most %(mb)s MB per file.")
                        % {"name": name, "mb": limit // MB}
                    )
                )
                continue
            try:
                check_upload(content, name)  # the action checks again; here the message goes on the field
            except ActionError as exc:
                errors.extend(exc.messages)
                continue
            out.append((name, content))
        if errors:
            raise forms.ValidationError(errors)
        return out


def _ids(org: Organisation) -> list[int]:
    return [int(x) for x in org.path.strip("/").split("/") if x]


def _government_of(
    org: Organisation, by_pk: dict[int, Organisation], *, include_self: bool = True
) -> Organisation | None:
    """The nearest government at (or above) ``org`` among the active organisations."""
    ids = _ids(org) if include_self else [i for i in _ids(org) if i != org.pk]
    for pk in reversed(ids):
        candidate = by_pk.get(pk)
        if candidate is not None and candidate.kind == OrgKind.GOVERNMENT:
            return candidate
    return None


# Up to this many agencies are offered in one select; a province's 5,000 are offered a government
# at a time (see ``Agencies``).
AGENCY_LIST_MAX = 400


@dataclass
class Agencies:
    """The agency select's choices, and how they were narrowed.

    Each group starts with the government itself, offered as "not sure": its disclosure office
    then passes the application to the agency that holds the information. The default is the
    top government when there is exactly one. With more than ``AGENCY_LIST_MAX`` agencies the
    select offers the governments, and the agencies of one of them (``government``: the one asked
    for, or the one of the agency chosen); ``governments`` feed the page's "show its agencies"
    form.
    """

    choices: list[Any]
    default: str
    narrowed: bool = False
    governments: list[Organisation] = field(default_factory=list)
    government: Organisation | None = None


def agency_choices(organisations: Iterable[Organisation], *, government: str = "", chosen: str = "") -> Agencies:
    """The agencies of ``organisations`` as the select offers them (see ``Agencies``)."""
    by_pk = {o.pk: o for o in organisations}

    def tree_order(o: Organisation) -> list[tuple[int, str, int]]:  # siblings by sort order, then name
        return [(by_pk[i].sort_order, by_pk[i].name, i) if i in by_pk else (0, "", i) for i in _ids(o)]

    orgs = sorted(by_pk.values(), key=tree_order)
    groups: dict[int | None, list[Organisation]] = {}
    governments: dict[int | None, Organisation | None] = {}
    for org in orgs:
        gov = _government_of(org, by_pk)
        key = gov.pk if gov else None
        groups.setdefault(key, []).append(org)
        governments[key] = gov

    def not_sure(gov: Organisation) -> tuple[str, str]:
        return str(gov.pk), _("Not sure: %(gov)s (its disclosure office decides)") % {"gov": gov.name}

    def options(key: int | None, *, with_government: bool = True) -> list[tuple[str, str]]:
        gov = governments[key]
        out = [not_sure(gov)] if gov is not None and with_government else []
        for org in groups[key]:
            if gov is None or org.pk != gov.pk:
                depth = org.depth - (gov.depth if gov else 0)
                out.append((str(org.pk), INDENT * max(0, depth) + org.name))
        return out

    tops = [o for o in orgs if o.kind == OrgKind.GOVERNMENT and _government_of(o, by_pk, include_self=False) is None]
    default = str(tops[0].pk) if len(tops) == 1 else ""
    if len(orgs) <= AGENCY_LIST_MAX:
        choices: list[Any] = [
            (gov.name if gov else _("Other public bodies"), options(key)) for key, gov in governments.items()
        ]
        if not default:
            choices.insert(0, ("", _("Choose the agency")))
        return Agencies(choices, default)
    govs = [gov for gov in governments.values() if gov is not None]
    choices = [("", _("Choose the agency")), (_("Governments"), [not_sure(gov) for gov in govs])]
    # The government whose agencies are offered: that of the agency chosen (a form shown again),
    # else the one asked for.
    picked = next(
        (_government_of(by_pk[int(v)], by_pk) for v in (chosen, government) if v.isdigit() and int(v) in by_pk),
        None,
    )
    if picked is not None:
        choices.append((picked.name, options(picked.pk, with_government=False)))
    if None in groups:  # bodies under no government (rare): few, always offered
        choices.append((_("Other public bodies"), options(None)))
    return Agencies(choices, default, narrowed=True, governments=govs, government=picked)


def mark_optional(form: forms.Form, names: Iterable[str]) -> None:
    for name in names:
        form.fields[name].label = format_lazy("{} ({})", form.fields[name].label, _("optional"))


def applicant_type_choices() -> list[tuple[str, Any]]:
    """A person, or one of the kinds of organisation the annual report counts (table 三)."""
    return [
        (
            value,
            _("A natural person")
            if value == ApplicantType.PERSON
            else format_lazy("{}: {}", _("An organisation"), label),
        )
        for value, label in ApplicantType.choices
    ]


class ApplicationForm(forms.Form):
    """政府信息公开申请表 (2019 Art. 29): who applies, how to reach them, what they want and in what form."""

    organisation = forms.ChoiceField(
        label=_("Agency applied to"),
        widget=FastSelect,
        help_text=_(
            "The agency that holds the information. If you are not sure, choose the government: "
            "its disclosure office passes the application on."
        ),  # fmt: skip
    )
    applicant_type = forms.ChoiceField(label=_("You apply as"), widget=forms.RadioSelect, initial="person")
    applicant_name = forms.CharField(
        label=_("Name"), max_length=200,
        help_text=_("Your full name, or the organisation's full registered name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    id_type = forms.ChoiceField(
        label=_("Identity document"), choices=[("", "—"), *IdType.choices], required=False
    )
    id_number = forms.CharField(
        label=_("Document number"), max_length=40, required=False,
        help_text=_("Required as proof of identity (2019 Art. 29). A resident identity card number has 18 "
                    "characters; the last one may be X. Organisations give their unified social credit code."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=100, required=False,
        help_text=_("Organisations only."),
    )  # fmt: skip
    contact_person = forms.CharField(
        label=_("Contact person"), max_length=100, required=False, help_text=_("Organisations only.")
    )
    phone = forms.CharField(
        label=_("Telephone"), max_length=40, required=False,
        help_text=_("Give at least one way to reach you: telephone, e-mail or postal address."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )  # fmt: skip
    email = forms.CharField(
        label=_("E-mail"), max_length=254, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )  # fmt: skip
    address = forms.CharField(
        label=_("Postal address"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )  # fmt: skip
    postcode = forms.CharField(
        label=_("Postcode"), max_length=6, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )  # fmt: skip
    info_title = forms.CharField(
        label=_("Title of the information"), max_length=300,
        help_text=_("The title of the document, or a short description that identifies the information."),
    )  # fmt: skip
    info_number = forms.CharField(
        label=_("Document number (文号)"), max_length=120, required=False,
        help_text=_("If you know it, e.g. 攸政发〔2025〕1号."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Anything else that helps to find the information: dates, places, who made it."),
    )  # fmt: skip
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    info_form = forms.ChoiceField(
        label=_("Form wanted"),
        choices=InfoForm.choices,
        widget=forms.RadioSelect,
        initial=InfoForm.ELECTRONIC,
    )
    delivery = forms.ChoiceField(
        label=_("Delivery"), choices=Delivery.choices, widget=forms.RadioSelect, initial=Delivery.DOWNLOAD,
        help_text=_("Post needs a postal address; e-mail needs an e-mail address."),
    )  # fmt: skip
    attachments = MultipleFileField(label=_("Attachments"))
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    captcha_answer = forms.CharField(
        label=_("Answer"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 6}),
    )  # fmt: skip

    FIELDSETS = (
        (_("Agency"), ("organisation",)),
        (_("Applicant"), ("applicant_type", "applicant_name", "id_type", "id_number", "legal_representative",
                          "contact_person")),
        (_("How to reach you"), ("phone", "email", "address", "postcode")),
        (_("The information you want"), ("info_title", "info_number", "description", "purpose")),
        (_("How you want to receive it"), ("info_form", "delivery")),
        (_("Attachments"), ("attachments",)),
    )  # fmt: skip

    def __init__(
        self, *args: Any, request: HttpRequest, organisations: Iterable[Organisation], captcha_passed: bool = False,
        government: str = "", **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.request = request
        self.captcha_passed = captcha_passed
        self.captcha_ok = False
        orgs = list(organisations)
        self.organisations = {str(o.pk): o for o in orgs}
        self.agencies = agency_choices(
            orgs, government=government, chosen=str(self.data.get("organisation", "")) if self.is_bound else ""
        )
        self.fields["organisation"].choices = self.agencies.choices
        self.fields["organisation"].initial = self.agencies.default
        self.fields["applicant_type"].choices = applicant_type_choices()
        mark_optional(self, ("postcode", "info_number", "description", "purpose", "attachments"))
        self.fields["attachments"].help_text = _(
            "A copy of your identity document; organisations add their business licence or registration "
            "certificate. PDF, images, Word, Excel or WPS files; at most %(n)s files of %(mb)s MB each."
        ) % {"n": max_files(), "mb": max_file_bytes() // MB}
        if captcha_passed:
            del self.fields["captcha_answer"]
            del self.fields["captcha_token"]

    def clean_organisation(self) -> Organisation:
        org = self.organisations.get(self.cleaned_data.get("organisation") or "")
        if org is None:
            raise forms.ValidationError(_("Choose the agency you apply to."))
        return org

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
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.FIELDSETS
        ]

    def action_fields(self) -> dict[str, Any]:
        """The applicant's fields, as ``submit_application`` takes them."""
        names = ("applicant_type", "applicant_name", "id_type", "id_number", "legal_representative",
                 "contact_person", "phone", "email", "address", "postcode", "info_title", "info_number",
                 "description", "purpose", "info_form", "delivery")  # fmt: skip
        return {name: self.cleaned_data.get(name, "") for name in names}


def normalise_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


class TrackForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"), max_length=30, help_text=_("For example YSQ2025000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    tracking_code = forms.CharField(
        label=_("Tracking code"), max_length=30,
        help_text=_("The 10-character code shown when you applied (or on the acknowledgement you were given)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip

    def clean_case_number(self) -> str:
        return normalise_code(self.cleaned_data["case_number"])

    def clean_tracking_code(self) -> str:
        return normalise_code(self.cleaned_data["tracking_code"])


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your correction"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Answer each point of the correction notice."),
    )  # fmt: skip
    documents = MultipleFileField(label=_("Documents"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "correction")
        super().__init__(*args, **kwargs)
        self.fields["documents"].help_text = _("At most %(n)s files of %(mb)s MB each.") % {
            "n": max_files(), "mb": max_file_bytes() // MB,
        }  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("documents") and not self.errors:
            self.add_error("text", _("Write the correction or attach a document."))
        return data


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I withdraw this application. I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you withdraw the application.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "withdraw")
        super().__init__(*args, **kwargs)
        mark_optional(self, ("reason",))
