"""Back office for letters and calls (互动交流): queue, registration, the letter page, channels.

Thin views over ``LetterPolicy`` and ``gongkai.interaction.actions``, built like the back office
of applications for disclosure: every letter is fetched through the policy (another
government's letter is a 404, exactly like a missing one), every step is a POST to one URL
per step that calls one action, and an action's errors go back onto the form that was sent.
A step's form is shown only when the policy allows the user the step's verb and the letter's
state allows the step; the action checks both again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from gongkai.core.actions import ActionError
from gongkai.interaction import actions
from gongkai.interaction.masking import mask
from gongkai.interaction.models import (
    OPEN_LETTER_STATUSES,
    Category,
    Channel,
    Letter,
    LetterStatus,
    Rating,
)
from gongkai.interaction.policies import UNIT_ROLES, ChannelPolicy, LetterPolicy
from gongkai.office import forms_interaction as forms
from gongkai.office.queues import (
    ALL,
    DUE,
    WARN_DAYS,
    WORK,
    CountedPaginator,
    Due,
    Tab,
    TabCount,
    count_tabs,
    due_info,
)
from gongkai.office.shown_once import CodeShownOnce
from gongkai.office.views import run_form, staff_required
from gongkai.orgs.models import Organisation, OrgKind, Role
from gongkai.orgs.scope import scope_ids, scope_in
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.clock import explanation

policy = LetterPolicy()
channel_policy = ChannelPolicy()

PAGE_SIZE = 50
ROW_RELATED = ("channel", "category", "lead_unit", "clock")
DETAIL_RELATED = ("organisation", "channel", "category", "lead_unit", "clock", "duplicate_of", "drafted_by",
                  "reply_unit", "writer")  # fmt: skip
SHOWN_CODE = CodeShownOnce("letter")


def _today() -> date:
    return timezone.localdate()


# --- read-only queries --------------------------------------------------------------------------


def office_letters(user: Any) -> QuerySet:
    """Letters whose back-office pages the user may open.

    The policy's rules filter the table directly (each rule an indexed column, assisting units a
    subquery, so no letter is listed twice): the database then reads only the rows the user may see,
    or walks the newest-first index, instead of testing every letter against a subquery.
    """
    return policy.filter(user, "view_office")


def _letter(request: HttpRequest, pk: int) -> Letter:
    """The letter if the user may open it in the office; a 404 otherwise."""
    return policy.get(
        request.user, "view_office", queryset=Letter.objects.select_related(*DETAIL_RELATED), pk=pk
    )


def handling_channels(user: Any) -> list[Channel]:
    """Open channels of the governments whose letters the user may register (the "handle" verb)."""
    qs = Channel.objects.filter(is_active=True).select_related("organisation")
    if not user.is_superuser:
        qs = qs.filter(organisation_id__in=scope_in(user, UNIT_ROLES))
    return [c for c in qs if policy.can(user, "handle", Letter(organisation_id=c.organisation_id, channel=c))]


def government_units(org: Organisation) -> list[Organisation]:
    """Active organisations of the letter's government and below (assignment stays inside)."""
    return list(Organisation.objects.filter(path__startswith=org.path, is_active=True).order_by("path"))


def due_of(letter: Letter, today: date, cal: Any) -> Due:
    return due_info(letter, today, cal, open_statuses=OPEN_LETTER_STATUSES, done=LetterStatus.CLOSED)


# --- the queue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    value: str
    label: Any
    q: Callable[[date, Any], Q]
    order: tuple[Any, ...] = ("-received_at", "-id")
    # How the tab is counted (see ``queues``): WORK, DUE (on the due date, the letter's clock,
    # which only open letters have) or ALL (up to a limit).
    count: str = WORK


BY_DUE = (F("due").asc(nulls_last=True), "received_on", "id")


def _due_soon(today: date, cal: Any) -> Q:
    # Due dates before the (WARN_DAYS + 1)-th working day after today leave at most WARN_DAYS.
    return Q(status__in=OPEN_LETTER_STATUSES, due__gte=today, due__lt=cal.add_workdays(today, WARN_DAYS + 1))


QUEUES = [
    Queue("", gettext_lazy("All"), lambda t, c: Q(), count=ALL),
    Queue("triage", gettext_lazy("To triage"), lambda t, c: Q(status=LetterStatus.RECEIVED), ("received_at", "id")),
    Queue("assign", gettext_lazy("To assign"),
          lambda t, c: Q(status__in=(LetterStatus.ACCEPTED, LetterStatus.RETURNED)), BY_DUE),
    Queue("handling", gettext_lazy("Being handled"), lambda t, c: Q(status=LetterStatus.ASSIGNED), BY_DUE),
    Queue("due_soon", gettext_lazy("Due within 3 working days"), _due_soon, BY_DUE, count=DUE),
    Queue("overdue", gettext_lazy("Overdue"), lambda t, c: Q(status__in=OPEN_LETTER_STATUSES, due__lt=t), BY_DUE,
          count=DUE),
    Queue("review", gettext_lazy("Replies to review"), lambda t, c: Q(status=LetterStatus.REVIEW), BY_DUE),
    Queue("closed", pgettext_lazy("case status", "Closed"), lambda t, c: Q(status=LetterStatus.CLOSED), ("-replied_on", "-id"),
          ALL),
    Queue("invalid", gettext_lazy("Not valid"), lambda t, c: Q(status=LetterStatus.INVALID), count=ALL),
]  # fmt: skip
QUEUE_BY_VALUE = {q.value: q for q in QUEUES}


def _apply_filters(qs: QuerySet, f: dict[str, Any]) -> QuerySet:
    """Every filter but the queue (the queue tabs count across it)."""
    if f.get("q"):
        q = f["q"]
        qs = qs.filter(
            Q(case_number__icontains=q) | Q(writer_name__icontains=q) | Q(subject__icontains=q)
            | Q(body__icontains=q) | Q(external_number__icontains=q)
        )  # fmt: skip
    if f.get("channel"):
        qs = qs.filter(channel=f["channel"])
    if f.get("category"):
        qs = qs.filter(category=f["category"])
    if f.get("date_from"):
        qs = qs.filter(received_on__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(received_on__lte=f["date_to"])
    return qs


def queue_counts(filtered: QuerySet, today: date, cal: Any) -> dict[str, TabCount]:
    """Letters per queue tab (see ``queues.count_tabs``)."""
    tabs = [Tab(q.value, q.q(today, cal), q.count) for q in QUEUES]
    return count_tabs(
        filtered,
        tabs,
        with_due=lambda qs: qs.annotate(due=F("clock__due_date")),
        open_condition=Q(status__in=OPEN_LETTER_STATUSES),
    )


def channel_options(user: Any, visible: QuerySet) -> list[Channel]:
    """Channels holding at least one of the ``visible`` letters (the filter's choices).

    Per channel, one index probe for one visible letter rather than a pass over them all. A letter
    stays inside its government (lead and assisting units are its units: ``assign_letter``), so
    only the channels of governments at or above the user's units are probed, not every channel of
    the province.
    """
    qs = Channel.objects.select_related("organisation")
    if not user.is_superuser:
        if not (scope_ids(user, UNIT_ROLES) or scope_ids(user, (Role.SUPERVISOR,))):  # the policy's, cached
            return []
        reach = Q(pk__in=scope_in(user, UNIT_ROLES)) | Q(pk__in=scope_in(user, (Role.SUPERVISOR,)))
        below = Organisation.objects.filter(reach, path__startswith=OuterRef("organisation__path"))
        qs = qs.filter(Exists(below))
    return list(qs.filter(Exists(visible.filter(organisation_id=OuterRef("organisation_id")))))


@staff_required
@require_safe
def letter_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    # One filter, computed once, reused by the channel options, the tab counts and the page.
    visible = office_letters(user)
    channels = channel_options(user, visible)
    categories = list(Category.objects.all())
    form = forms.LetterFilterForm(
        request.GET or None,
        channels=channels,
        categories=categories,
        queues=[(q.value, q.label) for q in QUEUES],
    )
    f = form.values()
    today, cal = _today(), get_calendar()
    filtered = _apply_filters(visible, f)
    counts = queue_counts(filtered, today, cal)
    queue = QUEUE_BY_VALUE.get(f.get("queue", ""), QUEUES[0])
    rows = (
        filtered.annotate(due=F("clock__due_date"))
        .filter(queue.q(today, cal))
        .select_related(*ROW_RELATED)
        .order_by(*queue.order)
    )
    page = CountedPaginator(rows, PAGE_SIZE, counts[queue.value]).get_page(request.GET.get("page"))
    for letter in page:
        letter.due_info = due_of(letter, today, cal)
    tabs = [(q.value, q.label, counts[q.value]) for q in QUEUES]
    return render(request, "office/interaction/list.html", {
        "form": form, "page": page, "tabs": tabs, "queue": queue, "warn_days": WARN_DAYS,
        "can_register": bool(handling_channels(user)),
        "can_configure": bool(configurable_governments(user)),
    })  # fmt: skip


# --- registering --------------------------------------------------------------------------------


@staff_required
def letter_create(request: HttpRequest) -> HttpResponse:
    """Register a call, a forwarded case or a letter by post."""
    user = request.user
    channels = handling_channels(user)
    if not channels:
        raise PermissionDenied
    categories = list(Category.objects.filter(is_active=True))
    form = forms.RegisterLetterForm(request.POST or None, channels=channels, categories=categories)
    result = run_form(request, form, lambda d: actions.register_letter(actor=user, **form.action_kwargs()))
    if result:
        letter, code = result
        # The tracking code is stored only as a hash: shown once, on the next page, then gone.
        SHOWN_CODE.keep(request, letter, code)
        return redirect("office:letter_registered", pk=letter.pk)
    return render(request, "office/interaction/form.html", {"form": form})


@staff_required
@require_safe
@never_cache
def letter_registered(request: HttpRequest, pk: int) -> HttpResponse:
    """The case number and the tracking code to give to the writer, shown this once."""
    letter = _letter(request, pk)
    code = SHOWN_CODE.take(request, letter)
    if code is None:
        messages.info(
            request, _("The tracking code was shown once when the letter was registered and is not stored.")
        )
        return redirect("office:letter_detail", pk=letter.pk)
    return render(request, "office/interaction/registered.html", {"letter": letter, "code": code})


# --- one letter, and what can be done with it ----------------------------------------------------


class Case:
    """What the letter page needs about one letter for one user, each part computed once."""

    def __init__(self, request: HttpRequest, letter: Letter) -> None:
        self.request = request
        self.user = request.user
        self.letter = letter
        self.today = _today()
        self._can: dict[str, bool] = {}

    def can(self, verb: str) -> bool:
        if verb not in self._can:
            self._can[verb] = policy.can(self.user, verb, self.letter)
        return self._can[verb]

    @cached_property
    def units(self) -> list[Organisation]:
        return government_units(self.letter.organisation)

    @property
    def status(self) -> str:
        return self.letter.status


def _in(*statuses: str) -> Callable[[Case], bool]:
    return lambda case: case.status in statuses


@dataclass(frozen=True)
class Step:
    """One thing that can be done with a letter: its verb, when, its form, its action and its message."""

    name: str
    title: Any
    verb: str
    when: Callable[[Case], bool]
    form: Callable[..., Form]  # form(case, data, auto_id=…, initial=…)
    run: Callable[[Case, Form], Any]
    done: Callable[[Case, Any], str]
    style: str = "secondary"


def _cd(form: Form) -> dict[str, Any]:
    return form.cleaned_data


def _triage(case: Case, form: Form) -> Any:
    d = _cd(form)
    duplicate = None
    number = (d.get("duplicate_of") or "").strip().upper()
    if number:
        duplicate = Letter.objects.filter(
            case_number=number, organisation_id=case.letter.organisation_id
        ).first()
        if duplicate is None:
            raise ActionError({"duplicate_of": _("No letter of this government has that case number.")})
    return actions.triage_letter(actor=case.user, letter=case.letter, valid=d["valid"] == "yes",
                                 reason=d["reason"] if d["valid"] == "no" else "", note=d["note"],
                                 duplicate_of=duplicate)  # fmt: skip


def _may_reopen(case: Case) -> bool:
    letter = case.letter
    return (
        letter.status == LetterStatus.CLOSED and letter.rating == Rating.NOT and not letter.reopened
        and letter.lead_unit_id is not None and letter.clock_id is not None
    )  # fmt: skip


STEPS: list[Step] = [
    Step(
        name="triage", title=gettext_lazy("Triage"), verb="handle", when=_in(LetterStatus.RECEIVED),
        form=lambda c, *a, **k: forms.TriageForm(*a, **k), run=_triage,
        done=lambda c, r: _("Accepted; it can now be assigned.") if r.valid else _("Marked as not valid."),
        style="primary",
    ),
    Step(
        name="assign", title=gettext_lazy("Assign to a unit"), verb="handle",
        when=_in(LetterStatus.ACCEPTED, LetterStatus.RETURNED),
        form=lambda c, *a, **k: forms.AssignForm(*a, units=c.units, **k),
        run=lambda c, f: actions.assign_letter(actor=c.user, letter=c.letter, lead_unit=_cd(f)["lead_unit"],
                                               assist_units=_cd(f)["assist_units"], limit_days=_cd(f)["limit_days"],
                                               note=_cd(f)["note"]),
        done=lambda c, r: _("Assigned to %(unit)s.") % {"unit": r.lead_unit.name},
        style="primary",
    ),
    Step(
        name="return", title=gettext_lazy("Return to the office (not for this unit)"), verb="draft",
        when=_in(LetterStatus.ASSIGNED),
        form=lambda c, *a, **k: forms.ReasonForm(*a, **k),
        run=lambda c, f: actions.return_letter(actor=c.user, letter=c.letter, reason=_cd(f)["reason"]),
        done=lambda c, r: _("Returned to the office for re-assignment."),
        style="danger",
    ),
    Step(
        name="draft", title=gettext_lazy("Draft the reply"), verb="draft",
        when=_in(LetterStatus.ASSIGNED, LetterStatus.REVIEW),
        form=lambda c, *a, **k: forms.DraftForm(*a, **k),
        run=lambda c, f: actions.draft_letter_reply(actor=c.user, letter=c.letter, text=_cd(f)["text"]),
        done=lambda c, r: _("Draft sent to the office for review."),
        style="primary",
    ),
    Step(
        name="send_back", title=gettext_lazy("Send the draft back"), verb="approve", when=_in(LetterStatus.REVIEW),
        form=lambda c, *a, **k: forms.ReasonForm(*a, **k),
        run=lambda c, f: actions.send_back_reply(actor=c.user, letter=c.letter, reason=_cd(f)["reason"]),
        done=lambda c, r: _("The draft was sent back to the unit."),
    ),
    Step(
        name="approve", title=gettext_lazy("Approve the reply"), verb="approve", when=_in(LetterStatus.REVIEW),
        form=lambda c, *a, **k: forms.ApproveForm(*a, **k),
        run=lambda c, f: actions.approve_reply(actor=c.user, letter=c.letter, text=_cd(f)["text"],
                                               publish=_cd(f)["publish"]),
        done=lambda c, r: _("Reply approved; the letter is closed."),
        style="primary",
    ),
    Step(
        name="chase", title=gettext_lazy("Chase the unit"), verb="handle",
        when=_in(LetterStatus.ASSIGNED, LetterStatus.REVIEW),
        form=lambda c, *a, **k: forms.ChaseForm(*a, **k),
        run=lambda c, f: actions.chase_letter(actor=c.user, letter=c.letter, note=_cd(f)["note"]),
        done=lambda c, r: _("Chase notice recorded."),
    ),
    Step(
        name="callback", title=gettext_lazy("Record a call-back rating"), verb="handle",
        when=lambda c: c.status == LetterStatus.CLOSED and not c.letter.rating and bool(c.letter.reply),
        form=lambda c, *a, **k: forms.CallbackForm(*a, **k),
        run=lambda c, f: actions.rate_letter(actor=c.user, letter=c.letter, rating=_cd(f)["rating"],
                                             note=_cd(f)["note"], callback=True),
        done=lambda c, r: _("Rating recorded."),
    ),
    Step(
        name="reopen", title=gettext_lazy("Reopen"), verb="handle", when=_may_reopen,
        form=lambda c, *a, **k: forms.ReasonForm(*a, **k),
        run=lambda c, f: actions.reopen_letter(actor=c.user, letter=c.letter, reason=_cd(f)["reason"]),
        done=lambda c, r: _("Reopened; the lead unit handles it again."),
    ),
    Step(
        name="publish", title=gettext_lazy("Publish the question and answer"), verb="approve",
        when=lambda c: (c.status == LetterStatus.CLOSED and bool(c.letter.reply) and c.letter.publish_consent
                        and not c.letter.published),
        form=lambda c, *a, **k: forms.PublishForm(*a, **k),
        run=lambda c, f: actions.publish_letter(actor=c.user, letter=c.letter, **_cd(f)),
        done=lambda c, r: _("Published."),
    ),
    Step(
        name="unpublish", title=gettext_lazy("Take off the portal"), verb="approve",
        when=lambda c: c.letter.published,
        form=lambda c, *a, **k: forms.ReasonForm(*a, **k),
        run=lambda c, f: actions.unpublish_letter(actor=c.user, letter=c.letter, reason=_cd(f)["reason"]),
        done=lambda c, r: _("Taken off the portal."),
        style="danger",
    ),
]  # fmt: skip
STEP_BY_NAME = {s.name: s for s in STEPS}


def _initial(case: Case, step: Step) -> dict[str, Any]:
    letter = case.letter
    if step.name == "approve":
        return {"text": letter.draft_reply}
    if step.name == "draft" and letter.draft_reply:
        return {"text": letter.draft_reply}
    if step.name == "publish":
        names = (letter.writer_name,)
        return {"subject": mask(letter.subject, names=names), "body": mask(letter.body, names=names),
                "reply": mask(letter.reply, names=names)}  # fmt: skip
    return {}


def _detail(request: HttpRequest, letter: Letter, bound: dict[str, Form] | None = None) -> HttpResponse:
    case = Case(request, letter)
    bound = bound or {}
    steps = []
    for step in STEPS:
        shown = case.can(step.verb) and step.when(case)
        form = bound.get(step.name)
        if form is not None and not shown:
            # The letter moved on meanwhile: errors become messages.
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        if shown:
            if form is None:
                form = step.form(case, initial=_initial(case, step), auto_id=f"{step.name}_%s")
            steps.append({"step": step, "form": form, "open": step.name in bound,
                          "url": reverse(f"office:letter_{step.name}", args=[letter.pk])})  # fmt: skip
    clock = letter.clock if letter.clock_id else None
    return render(request, "office/interaction/detail.html", {
        "letter": letter,
        "due": due_of(letter, case.today, get_calendar()),
        "clock": clock,
        "clock_text": explanation(clock, translation.get_language() or "zh") if clock else "",
        "assignments": list(letter.assignments.select_related("unit", "assigned_by")),
        "assist_units": list(letter.assist_units.all()),
        "can_history": case.can("view_history"),
        "steps": steps,
    })  # fmt: skip


@staff_required
@require_safe
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _letter(request, pk))


@staff_required
@require_POST
def letter_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Run one step: 404 for a letter the user cannot open, 403 for a step their role does not allow."""
    spec = STEP_BY_NAME.get(step)
    if spec is None:
        raise Http404
    letter = _letter(request, pk)
    case = Case(request, letter)
    if not case.can(spec.verb):
        raise PermissionDenied
    form = spec.form(case, request.POST, auto_id=f"{spec.name}_%s")
    result = run_form(request, form, lambda d: spec.run(case, form))
    if not result:
        return _detail(request, _letter(request, pk), {spec.name: form})
    messages.success(request, spec.done(case, result))
    if not office_letters(request.user).filter(pk=letter.pk).exists():  # e.g. returned by the unit
        return redirect("office:letter_list")
    return redirect("office:letter_detail", pk=letter.pk)


# --- channels and time limits -----------------------------------------------------------------------


def configurable_governments(user: Any) -> list[Organisation]:
    qs = Organisation.objects.filter(is_active=True, kind=OrgKind.GOVERNMENT).order_by("path")
    if not user.is_superuser:
        qs = qs.filter(pk__in=scope_in(user, (Role.ADMIN,)))
    return [o for o in qs if channel_policy.can(user, "configure", Channel(organisation=o))]


def _channels_page(request: HttpRequest, channel_form: Form | None = None, limit_form: Form | None = None,
                   governments: list[Organisation] | None = None) -> HttpResponse:  # fmt: skip
    user = request.user
    governments = governments if governments is not None else configurable_governments(user)
    if not governments:
        raise PermissionDenied
    channels = list(
        Channel.objects.filter(organisation__in=governments)
        .select_related("organisation")
        .prefetch_related("time_limits__category")
    )
    categories = list(Category.objects.filter(is_active=True))
    channel_form = channel_form or forms.ChannelForm(organisations=governments, auto_id="channel_%s")
    limit_form = limit_form or forms.TimeLimitForm(
        channels=channels, categories=categories, auto_id="limit_%s"
    )
    by_gov = [(g, [c for c in channels if c.organisation_id == g.pk]) for g in governments]
    return render(request, "office/interaction/channels.html", {
        "by_gov": by_gov, "channel_form": channel_form, "limit_form": limit_form,
    })  # fmt: skip


@staff_required
def channel_list(request: HttpRequest) -> HttpResponse:
    """Channels per government; POST creates one."""
    user = request.user
    governments = configurable_governments(user)
    if not governments:
        raise PermissionDenied
    if request.method != "POST":
        return _channels_page(request, governments=governments)
    form = forms.ChannelForm(request.POST, organisations=governments, auto_id="channel_%s")
    result = run_form(request, form, lambda d: actions.create_channel(actor=user, **d))
    if result:
        messages.success(request, _("Channel “%(name)s” created.") % {"name": result.name})
        return redirect("office:letter_channels")
    return _channels_page(request, channel_form=form, governments=governments)


@staff_required
@require_POST
def channel_time_limit(request: HttpRequest) -> HttpResponse:
    user = request.user
    governments = configurable_governments(user)
    if not governments:
        raise PermissionDenied
    channels = list(Channel.objects.filter(organisation__in=governments).select_related("organisation"))
    form = forms.TimeLimitForm(
        request.POST,
        channels=channels,
        categories=list(Category.objects.filter(is_active=True)),
        auto_id="limit_%s",
    )
    result = run_form(request, form, lambda d: actions.set_time_limit(actor=user, **d))
    if result:
        messages.success(request, _("Time limit saved."))
        return redirect("office:letter_channels")
    return _channels_page(request, limit_form=form, governments=governments)
