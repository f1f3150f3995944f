"""Actions on the way to the reply and the reply itself (RULES §2).

The time the office takes (an extension approved by the office head; the 2019 Art. 35 later
date), assigning a unit to draft, drafting and review, and closing the case: the reply with its
letter, a withdrawal, the delivery of the reply. ``_close`` also closes the cases whose
correction or fee period passed (``actions.lapse_overdue``). Receipt, 补正, consultation and
fees are in ``gongkai.applications.actions``; what the steps share is in ``actions_base``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from gongkai.applications import letters
from gongkai.applications.actions_base import (
    _authorize_applicant_or_staff,
    _check_date,
    _documents,
    _due,
    _locked,
    _notify,
    _require,
    today,
)
from gongkai.applications.models import (
    OPEN_STATUSES,
    Application,
    Delivery,
    DocumentKind,
    FeeStatus,
    LetterKind,
    Status,
)
from gongkai.applications.outcomes import Outcome, ReplyType, allowed_reply_types
from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, authorize, snapshot
from gongkai.core.policies import policy_for
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.scope import scope_ids
from gongkai.workdays import clock as clocks

# --- time: extension and Art. 35 -----------------------------------------------------------------------


@action
def extend_application(
    *, actor: Any, application: Application, days: int, reason: str, approved_by: Any, on: date | None = None
) -> Application:
    """Extend with the office head's approval: at most 15 (2008) or 20 (2019) working days; applicant told."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, *OPEN_STATUSES)
    on = on or today()
    _check_date(app, on)
    if approved_by is None or not policy_for(app).can(approved_by, "approve", app):
        raise ActionError(
            {"approved_by": _("An extension needs the approval of the head of the disclosure office.")}
        )
    if app.clock.due_date is not None and on > app.clock.due_date:
        raise ActionError(
            {"on": _("The reply period has already ended; an extension must be decided within it.")}
        )
    try:
        clocks.extend_clock(actor=actor, clock=app.clock, days=days, approved_by=approved_by, approved_on=on,
                            reason=reason)  # fmt: skip
    except ActionError as exc:  # the clock's refusals are about the days or the reason asked for
        about_reason = not reason.strip() or len(reason) > clocks.REASON_MAX
        raise ActionError({"reason" if about_reason else "days": exc.messages}) from exc
    app.clock.refresh_from_db()
    record(actor=actor, verb="applications.extend", obj=app,
           after={"days": days, "approved_by": approved_by.pk, "due_date": app.clock.due_date}, reason=reason)  # fmt: skip
    letters.issue(application=app, kind=LetterKind.EXTENSION, on=on, actor=actor, reason=reason, days=days)
    _notify(
        app,
        N_("Reply period extended"),
        N_("The reply period was extended by %(days)s working days; the reply is due by %(due)s."),
        {"days": days, "due": _due(app)},
    )
    return app


@action
def set_later_date(
    *, actor: Any, application: Application, later_date: date, reason: str, on: date | None = None
) -> Application:
    """2019 Art. 35: a massive application, reasonable but impossible in time, gets a reasoned later date."""
    app = _locked(application)
    authorize(actor, "approve", app)
    _require(app, *OPEN_STATUSES)
    if not app.rules.massive_applications_rule:
        raise ActionError(_("The 2008 text has no rule on massive applications (2019 Art. 35)."))
    on = on or today()
    _check_date(app, on)
    if app.clock.due_date is None or later_date <= app.clock.due_date:
        raise ActionError({"later_date": _("The later date must come after the current due date.")})
    if not reason.strip():
        raise ActionError({"reason": _("Give the reasons for the later date.")})
    app.later_date = later_date
    app.later_reason = reason.strip()
    app.save(update_fields=["later_date", "later_reason", "updated_at"])
    record(
        actor=actor, verb="applications.later_date", obj=app, after={"later_date": later_date}, reason=reason
    )
    letters.issue(application=app, kind=LetterKind.LATER_DATE, on=on, actor=actor, later_date=later_date,
                  reason=reason.strip())  # fmt: skip
    return app


# --- assignment and drafting -----------------------------------------------------------------------------


@action
def assign_application(
    *, actor: Any, application: Application, unit: Organisation, assignee: Any = None, note: str = ""
) -> Application:
    """Ask a unit (and optionally one of its clerks) to draft the reply."""
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, *OPEN_STATUSES)
    if unit is None or not unit.is_active or unit.path.split("/")[1] != app.organisation.path.split("/")[1]:
        raise ActionError({"unit": _("Choose an active unit of the same government.")})
    if assignee is not None and unit.pk not in scope_ids(assignee, (Role.CLERK, Role.REVIEWER, Role.ADMIN)):
        raise ActionError({"assignee": _("This person does not work for that unit.")})
    before = {"assigned_unit": app.assigned_unit_id, "assignee": app.assignee_id}
    app.assigned_unit = unit
    app.assignee = assignee
    app.assigned_note = note
    app.save()
    record(actor=actor, verb="applications.assign", obj=app, before=before,
           after={"assigned_unit": unit.pk, "assignee": getattr(assignee, "pk", None)}, reason=note)  # fmt: skip
    return app


def check_reply(app: Application, outcome: str, reply_type: str, legal_basis: str, text: str) -> None:
    if outcome not in Outcome.values:
        raise ActionError({"outcome": _("Choose the result.")})
    allowed = allowed_reply_types(app.rule_set, outcome)
    if not allowed:
        raise ActionError(
            {"outcome": _("This result does not exist under the %(rules)s.") % {"rules": app.rules.label}}
        )
    if reply_type not in allowed:
        raise ActionError({"reply_type": _("This reply type is not allowed for this result under the %(rules)s.")
                           % {"rules": app.rules.label}})  # fmt: skip
    needs_basis = outcome == Outcome.PARTIAL or outcome.startswith(("refuse_", "noprocess_"))
    if needs_basis and not legal_basis.strip():
        raise ActionError({"legal_basis": _("Give the legal ground for what is withheld or not processed.")})
    if not text.strip():
        raise ActionError({"text": _("Write the reply.")})


@action
def draft_reply(
    *, actor: Any, application: Application, outcome: str, reply_type: str, legal_basis: str = "", text: str
) -> Application:
    app = _locked(application)
    authorize(actor, "draft", app)
    _require(app, Status.PROCESSING, Status.REVIEW)
    check_reply(app, outcome, reply_type, legal_basis, text)
    if outcome in (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID):
        raise ActionError(
            {"outcome": _("This result follows from a missed correction or fee period, not a reply.")}
        )
    app.draft_outcome, app.draft_reply_type = outcome, reply_type
    app.draft_legal_basis, app.draft_text = legal_basis.strip(), text.strip()
    app.drafted_by, app.drafted_at = actor, timezone.now()
    app.status = Status.REVIEW
    app.save()
    record(actor=actor, verb="applications.draft_reply", obj=app,
           after={"outcome": outcome, "reply_type": reply_type})  # fmt: skip
    return app


@action
def return_draft(*, actor: Any, application: Application, reason: str) -> Application:
    app = _locked(application)
    authorize(actor, "reply", app)
    _require(app, Status.REVIEW)
    if not reason.strip():
        raise ActionError({"reason": _("Say what to change in the draft.")})
    app.status = Status.PROCESSING
    app.save(update_fields=["status", "updated_at"])
    record(actor=actor, verb="applications.return_draft", obj=app, reason=reason)
    return app


# --- closing ----------------------------------------------------------------------------------------------

DECISION_TEXT = {
    Outcome.OPEN: "经审查，您申请获取的信息属于公开范围，本机关予以公开。",
    Outcome.PARTIAL: "经审查，您申请获取的信息中部分内容不应当公开，本机关对可以公开的部分予以公开。",
}


def _decision_text(outcome: str) -> str:
    if outcome in DECISION_TEXT:
        return DECISION_TEXT[outcome]
    label = str(Outcome(outcome).label)
    return "经审查，" + (label.split("(")[-1].rstrip(")") if "(" in label else label) + "。"


def _close(
    actor: Any, app: Application, *, outcome: str, reply_type: str, legal_basis: str, text: str, on: date,
    letter: bool = True,
) -> Application:  # fmt: skip
    before = snapshot(app, ["status", "outcome", "reply_type", "replied_on"])
    if app.clock_id:
        clocks.close_clock(actor=actor, clock=app.clock, on=on)
        app.clock.refresh_from_db()
        app.on_time = bool(app.clock.on_time) or (app.later_date is not None and on <= app.later_date)
    app.outcome, app.reply_type = outcome, reply_type
    app.legal_basis, app.reply_text = legal_basis.strip(), text.strip()
    app.replied_on = on
    app.replied_by = actor if getattr(actor, "is_authenticated", False) else None
    app.status = Status.CLOSED
    app.save()
    record(actor=actor, verb="applications.close", obj=app, before=before,
           after=snapshot(app, ["status", "outcome", "reply_type", "replied_on", "on_time"]))  # fmt: skip
    if letter:
        obtain = ""
        if outcome in (Outcome.OPEN, Outcome.PARTIAL):
            obtain = {
                Delivery.DOWNLOAD: "所提供的信息可凭案件编号和查询码在本机关门户网站下载。",
                Delivery.EMAIL: "所提供的信息已通过电子邮件发送至您预留的邮箱。",
                Delivery.POST: "所提供的信息将邮寄至您预留的地址。",
                Delivery.COLLECT: "请携带身份证明到本机关政府信息公开工作机构领取所提供的信息。",
            }[app.delivery] + "\n\n"
        letters.issue(application=app, kind=LetterKind.REPLY, on=on, actor=actor, decision=_decision_text(outcome),
                      reply_text=text.strip(), legal_basis=legal_basis.strip() or "《中华人民共和国政府信息公开条例》",
                      how_to_obtain=obtain)  # fmt: skip
    _notify(
        app,
        N_("Reply to your application"),
        N_(
            "Your application %(case)s has been answered: %(result)s. See the reply letter on the tracking page."
        ),
        {"case": app.case_number, "result": Outcome(app.outcome).label},
    )
    return app


@action
def reply_application(
    *,
    actor: Any,
    application: Application,
    outcome: str,
    reply_type: str,
    legal_basis: str = "",
    text: str,
    on: date | None = None,
    documents: list[tuple[str, bytes]] | None = None,
) -> Application:
    """The office's decision: one result row of table 三 and the reply type; the reply letter is issued."""
    app = _locked(application)
    authorize(actor, "reply", app)
    _require(app, Status.PROCESSING, Status.REVIEW)
    on = on or today()
    _check_date(app, on)
    check_reply(app, outcome, reply_type, legal_basis, text)
    if outcome in (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID):
        raise ActionError(
            {"outcome": _("This result follows from a missed correction or fee period, not a reply.")}
        )
    if documents and outcome not in (Outcome.OPEN, Outcome.PARTIAL):
        raise ActionError({"documents": _("Only information that is disclosed can be attached.")})
    _documents(actor, app, DocumentKind.DISCLOSED, documents)
    return _close(
        actor, app, outcome=outcome, reply_type=reply_type, legal_basis=legal_basis, text=text, on=on
    )


@action
def withdraw_application(
    *, actor: Any, application: Application, reason: str = "", tracking_code: str = "", on: date | None = None
) -> Application:
    """The applicant withdraws (counted as 其他处理 3 in table 三)."""
    app = _locked(application)
    _authorize_applicant_or_staff(actor, app, tracking_code)
    _require(app, Status.PENDING, *OPEN_STATUSES)
    on = on or today()
    if app.status == Status.PENDING:
        # Never received: not a case, nothing to count.
        app.status = Status.DISCARDED
        app.save(update_fields=["status", "updated_at"])
        record(
            actor=actor, verb="applications.withdraw", obj=app, after={"status": app.status}, reason=reason
        )
        return app
    _check_date(app, on)
    rt = ReplyType.R19_WITHDRAWN if app.rule_set == "2019" else ReplyType.R08_WITHDRAWN
    for fee in app.fees.filter(status=FeeStatus.DUE):
        fee.status = FeeStatus.LAPSED
        fee.save(update_fields=["status"])
    return _close(actor, app, outcome=Outcome.OTHER, reply_type=rt, legal_basis="",
                  text=reason.strip() or "申请人撤回申请。", on=on, letter=False)  # fmt: skip


@action
def record_delivery(*, actor: Any, application: Application, on: date, note: str) -> Application:
    app = _locked(application)
    authorize(actor, "handle", app)
    _require(app, Status.CLOSED)
    if app.replied_on and (on < app.replied_on or on > today()):
        raise ActionError({"on": _("The date must lie between the reply and today.")})
    app.delivered_on, app.delivery_note = on, note.strip()[:300]
    app.save(update_fields=["delivered_on", "delivery_note", "updated_at"])
    record(actor=actor, verb="applications.deliver", obj=app, after={"on": on, "note": note})
    return app
