"""Back-office forms of the annual report: the year shown, generating, the narrative, sign-off steps.

They check the shape of the input only; ``gongkai.reports.actions`` decides what is allowed (the
years a report may be made for, the formats, the state a report must be in, a correction's
reason) and says why not, and the views put those messages onto these forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.office.forms_applications import REQUIRED
from gongkai.office.forms_items import OrganisationChoiceField
from gongkai.reports.actions import FIRST_YEAR
from gongkai.reports.models import TEMPLATE_CHOICES


def years() -> list[int]:
    """The years a report can be made for, newest first."""
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def last_year() -> int:
    return timezone.localdate().year - 1


class YearForm(forms.Form):
    """The year the list shows (a GET form; a bad year falls back to last year)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years()]

    def chosen_year(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return last_year()


class GenerateForm(forms.Form):
    """Create a unit's report for a year (or compute a draft's figures again)."""

    organisation = OrganisationChoiceField(label=_("Organisation"))
    year = forms.IntegerField(label=_("Year"), widget=forms.NumberInput(attrs=REQUIRED))
    template = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("The year's own format")), *TEMPLATE_CHOICES],
        help_text=_("Reports for 2021 onwards use the 2021 format, 2019 and 2020 the 2019 format, earlier years the 2008 narrative."),
    )  # fmt: skip
    rollup = forms.BooleanField(
        label=_("Include the units below"), required=False, initial=True,
        help_text=_("Count the records of every unit below the organisation as well as its own."),
    )  # fmt: skip

    def __init__(self, *args: Any, organisations: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(list(organisations), None)


class RefreshForm(forms.Form):
    redraft = forms.BooleanField(
        label=_("Draft the narrative again from the new figures"), required=False,
        help_text=_("Sections the office writes itself (such as the problems and improvements) are kept."),
    )  # fmt: skip


class ConfirmForm(forms.Form):
    """Signing off: nothing to fill in, the action says what is missing."""


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3, **REQUIRED})
    )


class PublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the report has been published before: it is shown beside the new version."),
    )  # fmt: skip


SECTION_PREFIX = "s"


class NarrativeForm(forms.Form):
    """One textarea per section of the format, named ``s-<section key>``."""

    def __init__(self, *args: Any, sections: list[tuple[str, Any]], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", SECTION_PREFIX)
        super().__init__(*args, **kwargs)
        for key, heading in sections:
            self.fields[key] = forms.CharField(
                label=heading, required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8})
            )

    def extra_sections(self) -> dict[str, Any]:
        """Sections sent that the format does not have (the action refuses them by name)."""
        start = f"{self.prefix}-"
        return {
            k[len(start) :]: v
            for k, v in (self.data or {}).items()
            if k.startswith(start) and k[len(start) :] not in self.fields
        }
