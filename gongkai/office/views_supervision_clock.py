"""Back office of e-supervision: one clock seen by a supervisor, notes, chase notices, cards, shares.

Every change is a POST to its own URL that calls one action of ``gongkai.supervision.actions``;
the action's errors go back onto the form that was sent and nothing changes. Clocks and cards
are fetched through the supervision policies: outside the user's scope they are a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gongkai.core.policies import policy_for
from gongkai.office import forms_supervision as forms
from gongkai.office.views import run_form, staff_required
from gongkai.office.views_supervision import LEVEL_TAG, annotate_rows, period_of, supervised
from gongkai.orgs.models import Organisation
from gongkai.supervision import actions
from gongkai.supervision.models import Card, CardColour, WarningRule
from gongkai.supervision.policies import supervision_policy
from gongkai.workdays import clock as clocks
from gongkai.workdays.models import Clock, ClockKind, ClockStatus

PAGE_SIZE = 50


def _clock(request: HttpRequest, pk: int) -> Clock:
    """The clock if the user supervises its unit; a 404 otherwise."""
    return supervision_policy.get(
        request.user, "view", queryset=Clock.objects.select_related("organisation", "content_type"), pk=pk
    )


def _clock_page(request: HttpRequest, clock: Clock, bound: dict[str, Form] | None = None) -> HttpResponse:
    bound = bound or {}
    can = supervision_policy.can(request.user, "supervise", clock)
    card_policy = policy_for(Card)
    cards = list(clock.cards.select_related("issued_by", "withdrawn_by"))
    for card in cards:
        card.can_withdraw = card.withdrawn_on is None and card_policy.can(request.user, "withdraw", card)
    annotate_rows([clock], clocks.today())
    is_open = clock.status != ClockStatus.CLOSED
    chase = bound.get("chase")
    if chase is not None and not is_open:
        # The case closed meanwhile, so the chase form is not shown: its errors become messages.
        for errors in chase.errors.values():
            for message in errors:
                messages.error(request, message)
    return render(request, "office/supervision/clock.html", {
        "clock": clock,
        "explanation": clocks.explanation(clock, translation.get_language() or "zh"),
        "alerts": list(clock.alerts.all()),
        "notes": list(clock.supervision_notes.select_related("written_by")),
        "chases": list(clock.supervision_chases.select_related("sent_by")),
        "cards": cards,
        "can": can,
        "is_open": is_open,
        "note_form": bound.get("note") or forms.NoteForm(auto_id="note_%s"),
        "chase_form": bound.get("chase") or forms.ChaseForm(auto_id="chase_%s"),
        "card_form": bound.get("card") or forms.CardForm(auto_id="card_%s"),
        "level_tag": LEVEL_TAG.get(clock.level, ""),
    })  # fmt: skip


@staff_required
@require_safe
def clock_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _clock_page(request, _clock(request, pk))


def _clock_step(
    request: HttpRequest, pk: int, name: str, form_cls: type[Form], run: Any, done: str
) -> HttpResponse:
    clock = _clock(request, pk)
    if not supervision_policy.can(request.user, "supervise", clock):
        raise PermissionDenied
    form = form_cls(request.POST, auto_id=f"{name}_%s")
    if not run_form(request, form, lambda d: run(clock, d)):
        return _clock_page(request, _clock(request, pk), {name: form})
    messages.success(request, done)
    return redirect("office:supervision_clock", pk=clock.pk)


@staff_required
@require_POST
def clock_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _clock_step(request, pk, "note", forms.NoteForm,
                       lambda c, d: actions.add_note(actor=request.user, clock=c, text=d["text"]),
                       _("Note added."))  # fmt: skip


@staff_required
@require_POST
def clock_chase(request: HttpRequest, pk: int) -> HttpResponse:
    return _clock_step(request, pk, "chase", forms.ChaseForm,
                       lambda c, d: actions.chase_clock(actor=request.user, clock=c, note=d["note"]),
                       _("Chase notice sent to the unit."))  # fmt: skip


@staff_required
@require_POST
def clock_card(request: HttpRequest, pk: int) -> HttpResponse:
    """A yellow or red card to the clock's unit, about this clock."""
    return _clock_step(request, pk, "card", forms.CardForm,
                       lambda c, d: actions.issue_card(actor=request.user, organisation=c.organisation, clock=c,
                                                       colour=d["colour"], reason=d["reason"]),
                       _("Card issued to the unit."))  # fmt: skip


# --- cards --------------------------------------------------------------------------------------


def _units(ids: frozenset[int]) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=list(ids), is_active=True).order_by("path"))


def _card_filters(request: HttpRequest, ids: frozenset[int]) -> tuple[Q, list[str]]:
    """The cards behind a figure of the dashboard: unit, colour, kind of case and period."""
    q, said = Q(), []
    unit = request.GET.get("unit", "")
    if unit:
        if not unit.isdigit() or int(unit) not in ids:
            raise Http404  # outside the scope: like a missing unit
        q &= Q(organisation_id=int(unit))
        said.append(Organisation.objects.get(pk=int(unit)).name)
    colour = request.GET.get("colour", "")
    if colour in CardColour.values:
        q &= Q(colour=colour)
        said.append(str(CardColour(colour).label))
    kind = request.GET.get("kind", "")
    if kind in ClockKind.values:
        q &= Q(clock__kind=kind)
        said.append(str(ClockKind(kind).label))
    if "first" in request.GET or "last" in request.GET:
        _form, first, last = period_of(request)
        q &= Q(issued_on__range=(first, last))
        said.append(_("issued from %(first)s to %(last)s") % {"first": first, "last": last})
    return q, said


def _cards_page(request: HttpRequest, ids: frozenset[int], form: Form | None = None) -> HttpResponse:
    which = request.GET.get("which", "")
    where, said = _card_filters(request, ids)
    qs = (
        Card.objects.filter(organisation_id__in=list(ids))
        .filter(where)
        .select_related("organisation", "clock", "issued_by", "withdrawn_by")
    )
    if which == "active":
        qs = qs.filter(withdrawn_on=None)
    elif which == "withdrawn":
        qs = qs.exclude(withdrawn_on=None)
    page = Paginator(qs.order_by("-issued_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "office/supervision/cards.html", {
        "page": page, "which": which, "filters": said,
        "form": form or forms.UnitCardForm(units=_units(ids), auto_id="card_%s"),
    })  # fmt: skip


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def card_list(request: HttpRequest) -> HttpResponse:
    """The cards issued to the units in scope; POST issues a card to a unit (about no case)."""
    ids = supervised(request)
    if request.method != "POST":
        return _cards_page(request, ids)
    form = forms.UnitCardForm(request.POST, units=_units(ids), auto_id="card_%s")
    result = run_form(request, form, lambda d: actions.issue_card(
        actor=request.user, organisation=d["organisation"], colour=d["colour"], reason=d["reason"]))  # fmt: skip
    if not result:
        return _cards_page(request, ids, form)
    messages.success(request, _("Card issued to the unit."))
    return redirect("office:supervision_cards")


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def card_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a card, with the reason (GET shows the form)."""
    card = policy_for(Card).get(
        request.user, "withdraw", queryset=Card.objects.select_related("organisation", "clock"), pk=pk
    )
    form = forms.WithdrawCardForm(request.POST or None)
    if card.withdrawn_on is None and run_form(
        request, form, lambda d: actions.withdraw_card(actor=request.user, card=card, reason=d["reason"])
    ):
        messages.success(request, _("The card was withdrawn."))
        if card.clock_id:
            return redirect("office:supervision_clock", pk=card.clock_id)
        return redirect("office:supervision_cards")
    card.can_withdraw = False  # the form is on this page
    return render(
        request, "office/supervision/card_withdraw.html", {"card": card, "rows": [card], "form": form}
    )


# --- warning shares -----------------------------------------------------------------------------


def _shares_page(request: HttpRequest, bound: dict[str, Form] | None = None) -> HttpResponse:
    bound = bound or {}
    rules = {r.kind: r for r in WarningRule.objects.select_related("updated_by")}
    policy = policy_for(WarningRule)
    rows = []
    for kind, label in ClockKind.choices:
        rule = rules.get(kind) or WarningRule(kind=kind, share=clocks.DEFAULT_WARNING_SHARE)
        can = policy.can(request.user, "change", rule)
        form = bound.get(kind) or (
            forms.WarningShareForm(initial={"share": rule.share}, auto_id=f"{kind}_%s") if can else None
        )
        rows.append({"kind": kind, "label": label, "rule": rule, "stored": rule.pk is not None, "form": form})
    return render(request, "office/supervision/warning_shares.html", {
        "rows": rows, "default": clocks.DEFAULT_WARNING_SHARE,
    })  # fmt: skip


@staff_required
@require_safe
def warning_shares(request: HttpRequest) -> HttpResponse:
    """The warning share per kind of clock; administrators allowed to change them get a form each."""
    supervised(request)
    return _shares_page(request)


@staff_required
@require_POST
def warning_share_set(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ClockKind.values:
        raise Http404
    supervised(request)
    rule = WarningRule.objects.filter(kind=kind).first() or WarningRule(kind=kind)
    if not policy_for(WarningRule).can(request.user, "change", rule):
        raise PermissionDenied
    form = forms.WarningShareForm(request.POST, auto_id=f"{kind}_%s")
    if not run_form(request, form, lambda d: actions.set_warning_share(actor=request.user, kind=kind,
                                                                      share=d["share"], reason=d["reason"])):  # fmt: skip
        return _shares_page(request, {kind: form})
    messages.success(request, _("Warning share saved; the open cases of this kind were recomputed."))
    return redirect("office:supervision_warning_shares")
