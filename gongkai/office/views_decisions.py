"""Back office of 决策公开: draft decisions, their comment period, moderation and feedback.

Every page runs an action of ``gongkai.interaction.actions_decisions``; the policies of
``policies_decisions`` decide who sees and does what, and anything the user may not see
does not exist for them (404).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from gongkai.core.widgets import FastSelect
from gongkai.interaction import actions_decisions as actions
from gongkai.interaction.models_decisions import CommentStatus, DecisionStatus, DraftDecision, HearingStatus
from gongkai.interaction.policies_decisions import (
    UNIT_ROLES,
    CommentPolicy,
    DraftDecisionPolicy,
    HearingPolicy,
)
from gongkai.office.views import run_form, simple_form, staff_required
from gongkai.orgs.models import Organisation
from gongkai.orgs.scope import scope_ids, scope_in

decision_policy = DraftDecisionPolicy()
comment_policy = CommentPolicy()
hearing_policy = HearingPolicy()
DATE = forms.DateInput(attrs={"type": "date"})


class DecisionForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none(), widget=FastSelect
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body = forms.CharField(label=gettext_lazy("Text of the draft"), widget=forms.Textarea(attrs={"rows": 18}))
    major = forms.BooleanField(label=gettext_lazy("Major administrative decision"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(is_active=True).order_by("path")
        if not getattr(user, "is_superuser", False):
            orgs = orgs.filter(pk__in=scope_in(user, UNIT_ROLES))
        self.fields["organisation"].queryset = orgs


class PeriodForm(forms.Form):
    opens_on = forms.DateField(label=gettext_lazy("Comments open on"), widget=DATE)
    closes_on = forms.DateField(label=gettext_lazy("Comments close on"), widget=DATE)


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=300, required=False,
        help_text=gettext_lazy("Needed when the period has not ended yet."),
    )  # fmt: skip


class FeedbackForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Feedback on the comments"), widget=forms.Textarea(attrs={"rows": 8})
    )
    comments_received = forms.IntegerField(
        label=gettext_lazy("Comments received"), min_value=0, required=False,
        help_text=gettext_lazy("Leave empty to count the comments received online."),
    )  # fmt: skip
    adopted = forms.IntegerField(label=gettext_lazy("Adopted"), min_value=0, initial=0)
    partly_adopted = forms.IntegerField(label=gettext_lazy("Partly adopted"), min_value=0, initial=0)
    not_adopted = forms.IntegerField(label=gettext_lazy("Not adopted"), min_value=0, initial=0)
    not_adopted_reasons = forms.CharField(
        label=gettext_lazy("Reasons for not adopting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ModerateForm(forms.Form):
    publish = forms.TypedChoiceField(
        label=gettext_lazy("Decision"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
        choices=[("1", gettext_lazy("Publish on the portal")), ("0", gettext_lazy("Reject"))],
    )  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Reason for rejecting"), max_length=300, required=False)


class HearingForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none(), widget=FastSelect
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    participants = forms.CharField(
        label=gettext_lazy("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decision = forms.ModelChoiceField(
        label=gettext_lazy("Draft decision"), queryset=DraftDecision.objects.none(), required=False,
        help_text=gettext_lazy("Leave empty for a hearing not on a draft decision."),
    )  # fmt: skip

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(is_active=True).order_by("path")
        if not getattr(user, "is_superuser", False):
            orgs = orgs.filter(pk__in=scope_in(user, UNIT_ROLES))
        self.fields["organisation"].queryset = orgs
        self.fields["decision"].queryset = decision_policy.filter(user, "view_office").order_by("-created_at")


class RecordHearingForm(forms.Form):
    held_on = forms.DateField(
        label=gettext_lazy("Held on"), widget=DATE, required=False,
        help_text=gettext_lazy("Leave empty if it was held on the planned date."),
    )  # fmt: skip
    participants = forms.CharField(
        label=gettext_lazy("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Leave empty to keep the planned participants."),
    )  # fmt: skip
    record = forms.CharField(label=gettext_lazy("Record"), widget=forms.Textarea(attrs={"rows": 10}))
    outcome = forms.CharField(label=gettext_lazy("Outcome"), widget=forms.Textarea(attrs={"rows": 4}))


def _decision(request: HttpRequest, pk: int, verb: str = "view_office") -> DraftDecision:
    return decision_policy.get(
        request.user, verb, DraftDecision.objects.select_related("organisation"), pk=pk
    )


def _detail_url(decision: DraftDecision) -> str:
    return reverse("office:decision_detail", args=[decision.pk])


@staff_required
@require_safe
def decision_list(request: HttpRequest) -> HttpResponse:
    decisions = decision_policy.filter(request.user, "view_office").select_related("organisation")
    status = request.GET.get("status", "")
    if status in DecisionStatus.values:
        decisions = decisions.filter(status=status)
    hearings = hearing_policy.filter(request.user, "view_office").select_related("organisation")[:50]
    return render(
        request,
        "office/decisions/list.html",
        {
            "decisions": decisions.order_by("-created_at", "-id")[:200],
            "hearings": hearings,
            "planned": HearingStatus.PLANNED,
            "statuses": DecisionStatus.choices,
            "status": status,
            "can_create": bool(scope_ids(request.user, UNIT_ROLES)) or request.user.is_superuser,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest) -> HttpResponse:
    form = DecisionForm(request.POST or None, user=request.user)
    decision = run_form(request, form, lambda d: actions.create_decision(actor=request.user, **d))
    if decision:
        messages.success(request, _("The draft was saved."))
        return redirect(_detail_url(decision))
    return simple_form(request, form, _("New draft decision"), reverse("office:decision_list"))


@staff_required
@require_safe
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    user = request.user
    comments = comment_policy.filter(user, "view_office", decision.comments.all())
    return render(
        request,
        "office/decisions/detail.html",
        {
            "decision": decision,
            "comments": comments,
            "pending": CommentStatus.PENDING,
            "hearings": hearing_policy.filter(user, "view_office", decision.hearings.all()),
            "can_approve": decision_policy.can(user, "approve", decision),
        },
    )


def _step(request: HttpRequest, pk: int, form_class: type[forms.Form], title: str, run: Any) -> HttpResponse:
    decision = _decision(request, pk, "approve")
    form = form_class(request.POST or None)
    if run_form(request, form, lambda d: run(decision, d)):
        messages.success(request, _("Done."))
        return redirect(_detail_url(decision))
    return simple_form(request, form, f"{title} · {decision.title}", _detail_url(decision))


@staff_required
@require_http_methods(["GET", "POST"])
def decision_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, PeriodForm, _("Publish for comment"),
                 lambda decision, d: actions.open_for_comment(actor=request.user, decision=decision, **d))  # fmt: skip


@staff_required
@require_http_methods(["GET", "POST"])
def decision_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, CloseForm, _("Close the comment period"),
                 lambda decision, d: actions.close_comments(actor=request.user, decision=decision, **d))  # fmt: skip


@staff_required
@require_http_methods(["GET", "POST"])
def decision_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, FeedbackForm, _("Publish the feedback"),
                 lambda decision, d: actions.publish_feedback(actor=request.user, decision=decision, **d))  # fmt: skip


@staff_required
@require_http_methods(["GET", "POST"])
def comment_moderate(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    comment = comment_policy.get(request.user, "moderate", decision.comments.all(), pk=comment_pk)
    form = ModerateForm(request.POST or None)
    if run_form(request, form, lambda d: actions.moderate_comment(actor=request.user, comment=comment, **d)):
        messages.success(request, _("Done."))
        return redirect(_detail_url(decision))
    return simple_form(request, form, _("Moderate a comment"), _detail_url(decision))


@staff_required
@require_http_methods(["GET", "POST"])
def hearing_create(request: HttpRequest) -> HttpResponse:
    form = HearingForm(request.POST or None, user=request.user)
    if run_form(request, form, lambda d: actions.create_hearing(actor=request.user, **d)):
        messages.success(request, _("The hearing was saved."))
        return redirect("office:decision_list")
    return simple_form(request, form, _("New hearing"), reverse("office:decision_list"))


@staff_required
@require_http_methods(["GET", "POST"])
def hearing_record(request: HttpRequest, pk: int) -> HttpResponse:
    hearing = hearing_policy.get(request.user, "edit", pk=pk)

    def run(d: dict[str, Any]) -> Any:
        participants = d.pop("participants") or None  # empty keeps the planned participants
        return actions.record_hearing(actor=request.user, hearing=hearing, participants=participants, **d)

    form = RecordHearingForm(request.POST or None)
    if run_form(request, form, run):
        messages.success(request, _("The hearing was recorded."))
        return redirect("office:decision_list")
    return simple_form(
        request, form, f"{_('Record the hearing')} · {hearing.title}", reverse("office:decision_list")
    )
