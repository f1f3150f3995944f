"""Back office for applications for disclosure (依申请公开): one case and what can be done with it.

The case page shows the case's deadline, clock, corrections, consultations, fees, letters,
documents and outbox, and a form for each step the user may take now (``STEPS``); each step is
a POST to its own URL that calls one action, and the action's errors go back onto its form.
The case's letters and documents are served here too. The queues and registration are in
``views_applications``, with the helpers both modules use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from gongkai.accounts.models import User
from gongkai.applications import actions, actions_replies
from gongkai.applications.models import (
    OPEN_STATUSES,
    Application,
    FeeStatus,
    LetterKind,
    Status,
)
from gongkai.core.actions import ActionError
from gongkai.notifications.send import messages_about
from gongkai.office import forms_applications as forms
from gongkai.office.views import run_form, staff_required
from gongkai.office.views_applications import (
    HANDLER_ROLES,
    WARN_DAYS,
    _app,
    _today,
    due_of,
    office_applications,
    policy,
)
from gongkai.orgs.models import Organisation, Role, RoleAssignment
from gongkai.portal.downloads import stored_file_response
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.clock import explanation
from gongkai.workdays.models import Clock

APPROVER_ROLES = (Role.REVIEWER, Role.ADMIN)
MAX_MESSAGES = 100
MAX_PEOPLE = 500


# --- who and where a case can go to ---------------------------------------------------------------


def same_government(org: Organisation) -> QuerySet:
    """Active organisations of the government ``org`` belongs to (forwarding and assignment stay inside)."""
    top = org.path.strip("/").split("/")[0]
    return Organisation.objects.filter(path__startswith=f"/{top}/", is_active=True).order_by("path")


def approvers(app: Application, user: Any) -> list[Any]:
    """Who may approve an extension of this case: the acting user first, if they may."""
    org = app.organisation
    found = (
        User.objects.filter(is_active=True, role_assignments__role__in=APPROVER_ROLES)
        .filter(
            Q(role_assignments__organisation=org)
            | Q(
                role_assignments__organisation_id__in=org.ancestor_ids(),
                role_assignments__covers_subunits=True,
            )
        )
        .distinct()
        .order_by("display_name", "username")
    )
    people = [u for u in found if policy.can(u, "approve", app)]
    if policy.can(user, "approve", app):
        people = [user, *[u for u in people if u.pk != user.pk]]
    return people


def drafting_people(app: Application) -> list[tuple[Any, str]]:
    """Staff of the case's government who may draft a reply, each with the units they work for."""
    top = app.organisation.path.strip("/").split("/")[0]
    rows = (
        RoleAssignment.objects.filter(
            role__in=HANDLER_ROLES, user__is_active=True, organisation__is_active=True,
            organisation__path__startswith=f"/{top}/",
        )
        .select_related("user", "organisation")
        .order_by("user__display_name", "user__username", "organisation__path")[:MAX_PEOPLE]
    )  # fmt: skip
    people: dict[int, tuple[Any, list[str]]] = {}
    for ra in rows:
        people.setdefault(ra.user_id, (ra.user, []))[1].append(ra.organisation.display_name)
    return [(user, f"{user} — {', '.join(dict.fromkeys(units))}") for user, units in people.values()]


# --- one case, and what can be done with it --------------------------------------------------------


class Case:
    """What the case page needs about one application for one user, each part computed once."""

    def __init__(self, request: HttpRequest, app: Application) -> None:
        self.request = request
        self.user = request.user
        self.app = app
        self.today = _today()
        self._can: dict[str, bool] = {}

    def can(self, verb: str) -> bool:
        if verb not in self._can:
            self._can[verb] = policy.can(self.user, verb, self.app)
        return self._can[verb]

    @property
    def rules(self) -> Any:
        return self.app.rules

    @property
    def clock(self) -> Any:
        return self.app.clock if self.app.clock_id else None

    @cached_property
    def letters(self) -> list[Any]:
        return list(self.app.letters.all())

    @cached_property
    def has_reply_letter(self) -> bool:
        """Replied with a letter (a withdrawal or a lapsed period closes a case without one)."""
        return any(letter.kind == LetterKind.REPLY for letter in self.letters)

    @cached_property
    def corrections(self) -> list[Any]:
        return list(self.app.corrections.select_related("requested_by"))

    @cached_property
    def consultations(self) -> list[Any]:
        return list(self.app.consultations.all())

    @cached_property
    def open_consultations(self) -> list[Any]:
        return [c for c in self.consultations if c.answered_on is None]

    @cached_property
    def fees(self) -> list[Any]:
        return list(self.app.fees.all())

    @cached_property
    def due_fee(self) -> Any:
        due = [f for f in self.fees if f.status == FeeStatus.DUE]
        return due[-1] if due else None

    @cached_property
    def extensions(self) -> list[Any]:
        return list(self.clock.extensions.select_related("approved_by")) if self.clock else []

    @cached_property
    def extension_left(self) -> int | None:
        if self.clock is None or self.clock.extension_limit_days is None:
            return None
        return max(0, self.clock.extension_limit_days - sum(e.days for e in self.extensions))

    @cached_property
    def within_period(self) -> bool:
        """Still inside the reply period (extensions and fee notices must be decided within it)."""
        due = self.clock.due_date if self.clock else None
        return due is None or self.today <= due

    @cached_property
    def correction_deadline(self) -> date | None:
        return actions.correction_notice_deadline(self.app)

    @cached_property
    def may_request_correction(self) -> bool:
        if self.app.rule_set != "2019":
            return True
        deadline = self.correction_deadline
        return not self.corrections and (deadline is None or self.today <= deadline)

    @cached_property
    def approvers(self) -> list[Any]:
        return approvers(self.app, self.user)

    @cached_property
    def units(self) -> list[Organisation]:
        return list(same_government(self.app.organisation))


def _in(*statuses: str) -> Callable[[Case], bool]:
    return lambda case: case.app.status in statuses


@dataclass(frozen=True)
class Step:
    """One thing that can be done with a case: its verb, when, its form, its action and its message."""

    name: str
    title: Any
    verb: str
    when: Callable[[Case], bool]
    form: Callable[..., Form]  # form(case, data, files, auto_id=…)
    run: Callable[[Case, Form], Any]
    done: Callable[[Case, Any], str]
    style: str = "secondary"
    multipart: bool = False
    note: Callable[[Case], str] = field(default=lambda case: "")


def _cd(form: Form) -> dict[str, Any]:
    return form.cleaned_data


def _fee_or_error(case: Case) -> Any:
    if case.due_fee is None:
        raise ActionError(_("There is no fee awaiting payment."))
    return case.due_fee


def _due_text(app: Application) -> str:
    """The case's reply due date as stored now (after the action changed the clock)."""
    due = (
        Clock.objects.filter(pk=app.clock_id).values_list("due_date", flat=True).first()
        if app.clock_id
        else None
    )
    return due.isoformat() if due else "—"


def _extension_note(case: Case) -> str:
    if case.extension_left is None:
        return ""
    return _(
        "An extension needs the approval of the head of the disclosure office; the applicant is told. "
        "At most %(cap)s working days in total under the %(rules)s; %(left)s left."
    ) % {"cap": case.clock.extension_limit_days, "rules": case.rules.label, "left": case.extension_left}


def _correction_note(case: Case) -> str:
    if case.app.rule_set == "2019" and case.correction_deadline:
        return _(
            "One single notice, by %(date)s (7 working days after receipt, 2019 Art. 30). The reply period "
            "stops until the corrected application arrives and then counts afresh."
        ) % {"date": case.correction_deadline.isoformat()}
    return _("The reply period stops until the corrected application arrives.")


def _fee_note(case: Case) -> str:
    if case.rules.progressive_fees:
        return _(
            "Free unless quantity or frequency clearly exceed a reasonable range. Charged per application "
            "(the applicant's 11th and later applications to this agency in a month) or per page (over 30 "
            "pages), never both. The applicant has 20 working days to pay; the reply period stops meanwhile."
        )
    return _("Under the 2008 text only the cost of search, copying and postage is charged (Art. 27).")


STEPS: list[Step] = [
    Step(
        name="confirm",
        title=gettext_lazy("Confirm receipt"),
        verb="handle",
        when=_in(Status.PENDING),
        form=lambda c, *a, **k: forms.ConfirmForm(*a, **k),
        run=lambda c, f: actions.confirm_receipt(
            actor=c.user, application=c.app, on=_cd(f)["on"], note=_cd(f)["note"]
        ),
        done=lambda c, r: _("Receipt confirmed; the reply is due by %(date)s.") % {"date": _due_text(r)},
        style="primary",
        note=lambda c: _(
            "The day both sides confirm is the day of receipt; the reply period counts from it."
        ),
    ),
    Step(
        name="discard",
        title=gettext_lazy("Do not register (junk or duplicate)"),
        verb="handle",
        when=_in(Status.PENDING),
        form=lambda c, *a, **k: forms.ReasonForm(*a, **k),
        run=lambda c, f: actions.discard_submission(actor=c.user, application=c.app, reason=_cd(f)["reason"]),
        done=lambda c, r: _("The submission was not registered."),
        style="danger",
    ),
    Step(
        name="forward",
        title=gettext_lazy("Forward to another agency"),
        verb="handle",
        when=_in(Status.PENDING, Status.PROCESSING),
        form=lambda c, *a, **k: forms.ForwardForm(
            *a, organisations=[o for o in c.units if o.pk != c.app.organisation_id], **k
        ),
        run=lambda c, f: actions.forward_application(
            actor=c.user, application=c.app, to=_cd(f)["to"], reason=_cd(f)["reason"]
        ),
        done=lambda c, r: _("Forwarded to %(org)s.") % {"org": r.organisation.name},
    ),
    Step(
        name="correction",
        title=gettext_lazy("Ask for a correction (补正)"),
        verb="handle",
        when=lambda c: c.app.status == Status.PROCESSING and c.may_request_correction,
        form=lambda c, *a, **k: forms.CorrectionForm(*a, **k),
        run=lambda c, f: actions.request_correction(
            actor=c.user,
            application=c.app,
            items=_cd(f)["items"],
            period_days=_cd(f)["period_days"],
            on=_cd(f)["on"],
        ),
        done=lambda c, r: (
            _("Correction notice issued; the applicant corrects by %(date)s.")
            % {"date": r.due_on.isoformat()}
        ),
        note=_correction_note,
    ),
    Step(
        name="correction_received",
        title=gettext_lazy("Record the corrected application"),
        verb="handle",
        when=_in(Status.CORRECTION),
        form=lambda c, *a, **k: forms.CorrectionReceivedForm(*a, **k),
        run=lambda c, f: actions.submit_correction(
            actor=c.user,
            application=c.app,
            text=_cd(f)["text"],
            on=_cd(f)["on"],
            documents=_cd(f)["documents"] or None,
            **f.changed_fields(),
        ),
        done=lambda c, r: (
            _("Correction recorded; the reply is now due by %(date)s.") % {"date": _due_text(r)}
        ),
        style="primary",
        multipart=True,
    ),
    Step(
        name="consult",
        title=gettext_lazy("Consult a third party or another agency"),
        verb="handle",
        when=_in(Status.PROCESSING, Status.CONSULTING),
        form=lambda c, *a, **k: forms.ConsultForm(*a, **k),
        run=lambda c, f: actions.start_consultation(
            actor=c.user, application=c.app, kind=_cd(f)["kind"], party=_cd(f)["party"], on=_cd(f)["on"]
        ),
        done=lambda c, r: (
            _("Consultation letter issued; the answer is due by %(date)s.")
            % {"date": r.reply_due.isoformat()}
        ),
        note=lambda c: _(
            "15 working days to answer. A third party's time is not counted; another agency's only under the 2019 text (Art. 33)."
        ),
    ),
    Step(
        name="consultation_answer",
        title=gettext_lazy("Record a consultation answer"),
        verb="handle",
        when=lambda c: bool(c.open_consultations),
        form=lambda c, *a, **k: forms.ConsultationAnswerForm(*a, consultations=c.open_consultations, **k),
        run=lambda c, f: actions.record_consultation_answer(
            actor=c.user,
            consultation=_cd(f)["consultation"],
            answer=_cd(f)["answer"],
            on=_cd(f)["on"],
            note=_cd(f)["note"],
        ),
        done=lambda c, r: _("Answer recorded."),
        style="primary",
    ),
    Step(
        name="extend",
        title=gettext_lazy("Extend the reply period"),
        verb="handle",
        when=lambda c: (
            c.app.status in OPEN_STATUSES
            and c.clock is not None
            and c.within_period
            and (c.extension_left != 0)
        ),
        form=lambda c, *a, **k: forms.ExtendForm(*a, approvers=c.approvers, remaining=c.extension_left, **k),
        run=lambda c, f: actions_replies.extend_application(
            actor=c.user,
            application=c.app,
            days=_cd(f)["days"],
            reason=_cd(f)["reason"],
            approved_by=_cd(f)["approved_by"],
            on=_cd(f)["on"],
        ),
        done=lambda c, r: _("Extended; the reply is now due by %(date)s.") % {"date": _due_text(r)},
        note=_extension_note,
    ),
    Step(
        name="later_date",
        title=gettext_lazy("Set a later reply date (2019 Art. 35)"),
        verb="approve",
        when=lambda c: (
            c.app.status in OPEN_STATUSES
            and c.rules.massive_applications_rule
            and (c.clock is not None)
            and (c.clock.due_date is not None)
        ),
        form=lambda c, *a, **k: forms.LaterDateForm(*a, **k),
        run=lambda c, f: actions_replies.set_later_date(
            actor=c.user,
            application=c.app,
            later_date=_cd(f)["later_date"],
            reason=_cd(f)["reason"],
            on=_cd(f)["on"],
        ),
        done=lambda c, r: (
            _("The applicant is told the reply comes by %(date)s.") % {"date": r.later_date.isoformat()}
        ),
        note=lambda c: _(
            "Massive or repeated applications with good reason that cannot be answered in time: set and notify a reasonable later date."
        ),
    ),
    Step(
        name="assign",
        title=gettext_lazy("Assign for a draft reply"),
        verb="handle",
        when=_in(*OPEN_STATUSES),
        form=lambda c, *a, **k: forms.AssignForm(*a, units=c.units, people=drafting_people(c.app), **k),
        run=lambda c, f: actions_replies.assign_application(
            actor=c.user,
            application=c.app,
            unit=_cd(f)["unit"],
            assignee=_cd(f)["assignee"],
            note=_cd(f)["note"],
        ),
        done=lambda c, r: _("Assigned to %(unit)s.") % {"unit": r.assigned_unit.name},
    ),
    Step(
        name="draft",
        title=gettext_lazy("Draft the reply"),
        verb="draft",
        when=_in(Status.PROCESSING, Status.REVIEW),
        form=lambda c, *a, **k: forms.DraftForm(*a, rule_set=c.app.rule_set, **k),
        run=lambda c, f: actions_replies.draft_reply(actor=c.user, application=c.app, **_cd(f)),
        done=lambda c, r: _("Draft sent to the disclosure office for review."),
        style="primary",
    ),
    Step(
        name="return_draft",
        title=gettext_lazy("Return the draft"),
        verb="reply",
        when=_in(Status.REVIEW),
        form=lambda c, *a, **k: forms.ReasonForm(*a, **k),
        run=lambda c, f: actions_replies.return_draft(
            actor=c.user, application=c.app, reason=_cd(f)["reason"]
        ),
        done=lambda c, r: _("Draft returned."),
    ),
    Step(
        name="reply",
        title=gettext_lazy("Decide and reply"),
        verb="reply",
        when=_in(Status.PROCESSING, Status.REVIEW),
        form=lambda c, *a, **k: forms.ReplyForm(*a, rule_set=c.app.rule_set, **k),
        run=lambda c, f: actions_replies.reply_application(
            actor=c.user,
            application=c.app,
            outcome=_cd(f)["outcome"],
            reply_type=_cd(f)["reply_type"],
            legal_basis=_cd(f)["legal_basis"],
            text=_cd(f)["text"],
            on=_cd(f)["on"],
            documents=_cd(f)["documents"] or None,
        ),
        done=lambda c, r: _("Replied; the reply letter was issued."),
        style="primary",
        multipart=True,
        note=lambda c: _("The reply letter is numbered and issued; the case is closed."),
    ),
    Step(
        name="fee",
        title=gettext_lazy("Issue a fee notice"),
        verb="handle",
        when=lambda c: (
            c.app.status == Status.PROCESSING
            and c.within_period
            and (not any(f.status != FeeStatus.LAPSED for f in c.fees))
        ),
        form=lambda c, *a, **k: forms.FeeForm(*a, rules=c.rules, **k),
        run=lambda c, f: actions.issue_fee_notice(actor=c.user, application=c.app, **f.action_kwargs()),
        done=lambda c, r: (
            _("Fee notice issued: %(amount)s yuan, to be paid by %(date)s.")
            % {"amount": f"{r.amount:.2f}", "date": r.pay_by.isoformat()}
        ),
        note=_fee_note,
    ),
    Step(
        name="payment",
        title=gettext_lazy("Record the payment"),
        verb="handle",
        when=lambda c: c.due_fee is not None,
        form=lambda c, *a, **k: forms.PaymentForm(*a, **k),
        run=lambda c, f: actions.record_payment(
            actor=c.user, fee=_fee_or_error(c), on=_cd(f)["on"], receipt_number=_cd(f)["receipt_number"]
        ),
        done=lambda c, r: _("Payment recorded; the reply period runs again."),
        style="primary",
    ),
    Step(
        name="waive",
        title=gettext_lazy("Waive the fee"),
        verb="handle",
        when=lambda c: c.due_fee is not None,
        form=lambda c, *a, **k: forms.WaiveForm(*a, **k),
        run=lambda c, f: actions.waive_fee(
            actor=c.user, fee=_fee_or_error(c), reason=_cd(f)["reason"], on=_cd(f)["on"]
        ),
        done=lambda c, r: _("Fee waived; the reply period runs again."),
    ),
    Step(
        name="withdraw",
        title=gettext_lazy("Record a withdrawal"),
        verb="handle",
        when=_in(Status.PENDING, *OPEN_STATUSES),
        form=lambda c, *a, **k: forms.WithdrawForm(*a, **k),
        run=lambda c, f: actions_replies.withdraw_application(
            actor=c.user, application=c.app, reason=_cd(f)["reason"], on=_cd(f)["on"]
        ),
        done=lambda c, r: _("The withdrawal was recorded."),
        style="danger",
        note=lambda c: _("The applicant withdraws the application; it is closed (counted as 其他处理)."),
    ),
    Step(
        name="delivery",
        title=gettext_lazy("Record delivery of the reply"),
        verb="handle",
        when=lambda c: c.app.status == Status.CLOSED and c.has_reply_letter,
        form=lambda c, *a, **k: forms.DeliveryForm(*a, **k),
        run=lambda c, f: actions_replies.record_delivery(
            actor=c.user, application=c.app, on=_cd(f)["on"], note=_cd(f)["note"]
        ),
        done=lambda c, r: _("Delivery recorded."),
    ),
    Step(
        name="document",
        title=gettext_lazy("Add a document"),
        verb="draft",
        when=lambda c: c.app.status != Status.DISCARDED,
        form=lambda c, *a, **k: forms.DocumentForm(*a, **k),
        run=lambda c, f: actions.add_document(
            actor=c.user,
            application=c.app,
            kind=_cd(f)["kind"],
            name=_cd(f)["file"][0],
            data=_cd(f)["file"][1],
        ),
        done=lambda c, r: _("“%(name)s” added.") % {"name": r.filename},
        multipart=True,
    ),
]
STEP_BY_NAME = {s.name: s for s in STEPS}


def _available(case: Case, step: Step) -> bool:
    return case.can(step.verb) and step.when(case)


def _initial(case: Case, step: Step) -> dict[str, Any]:
    app = case.app
    if step.name in ("draft", "reply") and app.draft_outcome:
        return {"outcome": app.draft_outcome, "reply_type": app.draft_reply_type,
                "legal_basis": app.draft_legal_basis, "text": app.draft_text}  # fmt: skip
    if step.name == "assign":
        return {"unit": str(app.assigned_unit_id or app.organisation_id),
                "assignee": str(app.assignee_id) if app.assignee_id else ""}  # fmt: skip
    if step.name == "extend" and case.can("approve"):
        return {"approved_by": str(case.user.pk)}
    return {}


def _correction_warning(case: Case) -> dict[str, Any] | None:
    """For a 2019 case being handled without a correction yet: the last day for a 补正 notice, when near or past."""
    app = case.app
    if app.rule_set != "2019" or app.status != Status.PROCESSING or case.corrections:
        return None
    deadline = case.correction_deadline
    if deadline is None:
        return None
    if deadline < case.today:
        return {"deadline": deadline, "passed": True}
    left = get_calendar().workdays_between(case.today, deadline)
    return {"deadline": deadline, "passed": False, "left": left} if left <= WARN_DAYS else None


def _detail(request: HttpRequest, app: Application, bound: dict[str, Form] | None = None) -> HttpResponse:
    case = Case(request, app)
    bound = bound or {}
    steps = []
    for step in STEPS:
        shown = _available(case, step)
        form = bound.get(step.name)
        if form is not None and not shown:
            # The case moved on meanwhile (or the step does not fit its state): errors become messages.
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        if shown:
            if form is None:
                form = step.form(case, initial=_initial(case, step), auto_id=f"{step.name}_%s")
            steps.append({"step": step, "form": form, "note": step.note(case), "open": step.name in bound,
                          "url": reverse(f"office:application_{step.name}", args=[app.pk])})  # fmt: skip
    clock = case.clock
    context = {
        "app": app,
        "case": case,
        "due": due_of(app, case.today, get_calendar()),
        "clock": clock,
        "clock_text": explanation(clock, translation.get_language() or "zh") if clock else "",
        "pauses": list(clock.pauses.all()) if clock else [],
        "extensions": case.extensions,
        "correction_warning": _correction_warning(case),
        "corrections": case.corrections,
        "consultations": case.consultations,
        "fees": case.fees,
        "letters": case.letters,
        "documents": list(app.documents.select_related("uploaded_by")),
        "outbox": list(messages_about(app)[:MAX_MESSAGES]),
        "can_history": case.can("view_history"),
        "steps": steps,
    }
    return render(request, "office/applications/detail.html", context)


@staff_required
@require_safe
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _app(request, pk))


@staff_required
@require_POST
def application_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Run one step: 404 for a case the user cannot open, 403 for a step their role does not allow."""
    spec = STEP_BY_NAME.get(step)
    if spec is None:
        raise Http404
    app = _app(request, pk)
    case = Case(request, app)
    if not case.can(spec.verb):
        raise PermissionDenied
    form = spec.form(case, request.POST, request.FILES, auto_id=f"{spec.name}_%s")
    result = run_form(request, form, lambda d: spec.run(case, form))
    if not result:
        return _detail(request, app, {spec.name: form})
    messages.success(request, spec.done(case, result))
    if not office_applications(request.user).filter(pk=app.pk).exists():  # e.g. forwarded out of reach
        return redirect("office:application_list")
    return redirect("office:application_detail", pk=app.pk)


# --- letters and documents ---------------------------------------------------------------------


@staff_required
@require_safe
def application_letter(request: HttpRequest, pk: int, letter_pk: int) -> HttpResponse:
    app = _app(request, pk)
    letter = app.letters.select_related("created_by").filter(pk=letter_pk).first()
    if letter is None:
        raise Http404
    return render(request, "office/applications/letter.html", {"app": app, "letter": letter})


@staff_required
@require_safe
def application_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A document kept with the case, always as a download (typed from its content, never run)."""
    app = _app(request, pk)
    doc = app.documents.filter(pk=document_pk).first()
    if doc is None:
        raise Http404
    return stored_file_response(
        doc.file,
        content_type=doc.content_type,
        name=doc.filename,
        fallback_stem=f"document-{doc.pk}",
        cache_control="private, no-store",
    )
