"""Public pages of 决策公开: drafts open for comment, their published comments and feedback,
the comment form, and the hearings held.

The lists and the decision pages are the same for every reader and are cached whole for
anonymous readers (``anonymous_page``); the actions bump the cache generation when a
decision is opened, closed or answered, a comment is moderated or a hearing recorded.
Comments show their name and text masked (``Comment.public_name`` / ``public_text``),
never the contact. The comment form is a private page of its own (it carries a CSRF token
and the check question), and sending is limited per client address and hour.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from gongkai.core.actions import ActionError
from gongkai.interaction import actions_decisions as actions
from gongkai.interaction.models_decisions import DecisionStatus, DraftDecision
from gongkai.interaction.policies_decisions import CommentPolicy, DraftDecisionPolicy, HearingPolicy
from gongkai.portal import captcha
from gongkai.portal.cache import anonymous_page
from gongkai.portal.views_applications import (
    HOUR,
    _put_errors,
    error_summary,
    private_page,
    throttle_count,
    throttle_hit,
)

PER_PAGE = 20
decision_policy = DraftDecisionPolicy()
comment_policy = CommentPolicy()
hearing_policy = HearingPolicy()


def comment_limit() -> int:
    return int(getattr(settings, "DECISION_COMMENTS_PER_HOUR", 10))


class CommentForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, required=False,
        help_text=gettext_lazy("Optional. Shown masked with your comment."),
    )  # fmt: skip
    contact = forms.CharField(
        label=gettext_lazy("Telephone or e-mail"), max_length=200, required=False,
        help_text=gettext_lazy("Optional. Only the office sees it, to ask you about your comment."),
    )  # fmt: skip
    text = forms.CharField(
        label=gettext_lazy("Your comment"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy("5 to 3,000 characters. Comments are published after review."),
    )  # fmt: skip
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    captcha_answer = forms.CharField(
        label=gettext_lazy("Answer"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "size": 6}),
    )  # fmt: skip

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reason = captcha.verify(
            self.request, self.data.get("captcha_token", ""), self.data.get("captcha_answer", "")
        )
        if reason is not None:
            self.add_error("captcha_answer", {
                captcha.MISSING: _("Answer the check question."),
                captcha.UNKNOWN: _("The check question has expired or was already answered; answer the new one."),
                captcha.EXPIRED: _("The check question has expired; answer the new one."),
                captcha.WRONG: _("That is not the answer; try the new question."),
            }[reason])  # fmt: skip
        return data


def _public_decision(request: HttpRequest, pk: int) -> DraftDecision:
    return decision_policy.get(
        request.user, "view", DraftDecision.objects.select_related("organisation"), pk=pk
    )


@anonymous_page
@require_safe
def decision_list(request: HttpRequest) -> HttpResponse:
    """征求意见: the drafts published for comment, newest first."""
    decisions = decision_policy.visible_to(request.user).filter(
        status__in=(DecisionStatus.OPEN, DecisionStatus.CLOSED, DecisionStatus.FEEDBACK)
    )
    page = Paginator(decisions.select_related("organisation").order_by("-published_at", "-id"), PER_PAGE)
    return render(request, "portal/decisions/list.html", {
        "nav": "decisions", "page": page.get_page(request.GET.get("page")),
    })  # fmt: skip


@anonymous_page
@require_safe
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _public_decision(request, pk)
    if decision.status == DecisionStatus.DRAFT:  # staff preview their drafts in the office
        raise Http404
    comments = comment_policy.visible_to(request.user, decision.comments.filter(status="published"))
    hearings = hearing_policy.visible_to(request.user, decision.hearings.filter(status="held"))
    return render(request, "portal/decisions/detail.html", {
        "nav": "decisions", "decision": decision, "comments": comments, "hearings": hearings,
        "accepting": _accepting(decision),
    })  # fmt: skip


def _accepting(decision: DraftDecision) -> bool:
    today = actions.today()
    return (
        decision.status == DecisionStatus.OPEN
        and decision.opens_on is not None
        and decision.closes_on is not None
        and decision.opens_on <= today <= decision.closes_on
    )


def _comment_page(
    request: HttpRequest, decision: DraftDecision, form: CommentForm, sent: bool = False
) -> Any:
    challenge = captcha.new_challenge(request)
    if form.is_bound:
        form.data = form.data.copy()
        form.data["captcha_answer"] = ""
        form.data["captcha_token"] = challenge.token
    else:
        form.initial["captcha_token"] = challenge.token
    return render(request, "portal/decisions/comment.html", {
        "nav": "decisions", "decision": decision, "form": form, "challenge": challenge, "sent": sent,
        "errors": error_summary(form) if form.is_bound else [],
    })  # fmt: skip


@private_page
@sensitive_post_parameters("contact", "captcha_answer")
@require_http_methods(["GET", "HEAD", "POST"])
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """提出意见: the comment form of a draft open for comment (no account needed)."""
    decision = _public_decision(request, pk)
    if not _accepting(decision):
        raise Http404
    if request.method != "POST":
        return _comment_page(request, decision, CommentForm(request=request))
    if throttle_count("decision_comment", request) >= comment_limit():
        response = render(request, "portal/decisions/throttled.html", {"nav": "decisions", "decision": decision},
                          status=429)  # fmt: skip
        response["Retry-After"] = str(HOUR)
        return response
    form = CommentForm(request.POST, request=request)
    if form.is_valid():
        user = request.user
        try:
            actions.submit_comment(
                actor=user if user.is_authenticated else None, decision=decision,
                **{k: form.cleaned_data[k] for k in ("name", "contact", "text")},
            )  # fmt: skip
        except ActionError as exc:
            _put_errors(form, exc)
        else:
            throttle_hit("decision_comment", request)
            return render(request, "portal/decisions/sent.html", {"nav": "decisions", "decision": decision})
    throttle_hit("decision_comment", request)
    return _comment_page(request, decision, form)


@anonymous_page
@require_safe
def hearing_list(request: HttpRequest) -> HttpResponse:
    """听证会: the hearings held, with their record and outcome."""
    hearings = hearing_policy.visible_to(request.user).filter(status="held")
    page = Paginator(hearings.select_related("organisation", "decision").order_by("-date", "-id"), PER_PAGE)
    return render(request, "portal/decisions/hearings.html", {
        "nav": "decisions", "page": page.get_page(request.GET.get("page")),
    })  # fmt: skip
