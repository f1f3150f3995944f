"""Actions on the records behind the annual report: disputes, reading rooms, year figures.

Every change goes through one of these (pages, imports, the demo and tests alike). The year
figures are upserts keyed by organisation and year (and kind): they remember who entered
them, when, and whether by hand or from a file, and the audit event keeps the before/after.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, authorize, changes, full_clean, snapshot
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.records.models import (
    DecisionCount,
    DecisionKind,
    DisputeCase,
    DisputeKind,
    DisputeResult,
    ReadingRoom,
    ReadingRoomVisit,
    Source,
    SpendingFigure,
    StaffFigure,
)

FIRST_YEAR = 1990  # the earliest year a figure may be entered for (reports go back to 2008)
MAX_COUNT = 10_000_000
MAX_STAFF = 10_000
MAX_AMOUNT = Decimal("999999999999.99")
CONCLUDED = (DisputeResult.MAINTAINED, DisputeResult.CORRECTED, DisputeResult.OTHER)


def today() -> dt.date:
    return timezone.localdate()


# --- checks shared by the actions ------------------------------------------------------------------


def _text(value: Any, field: str, message: str, *, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ActionError({field: message})
    return text


def _day(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ActionError({field: _("Enter a date.")})
    if value > today():
        raise ActionError({field: _("The date cannot be in the future.")})
    return value


def _whole(value: Any, field: str, *, minimum: int = 0, maximum: int = MAX_COUNT) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ActionError({field: _("Enter a whole number.")})
    if value < minimum:
        raise ActionError({field: _("The number cannot be less than %(min)s.") % {"min": minimum}})
    if value > maximum:
        raise ActionError({field: _("The number cannot be more than %(max)s.") % {"max": maximum}})
    return value


def _year(value: Any) -> int:
    year = _whole(value, "year", minimum=0, maximum=9999)
    if not FIRST_YEAR <= year <= today().year:
        raise ActionError(
            {
                "year": _("Give a year from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": today().year}
            }
        )
    return year


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ActionError({"amount": _("Enter the amount in yuan.")})
    if amount < 0:
        raise ActionError({"amount": _("The amount cannot be negative.")})
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ActionError({"amount": _("Enter the amount in yuan with at most two decimals.")})
    return amount.quantize(Decimal("0.01"))


def _unit(organisation: Any) -> Organisation:
    if not isinstance(organisation, Organisation) or not organisation.is_active:
        raise ActionError({"organisation": _("Choose an active organisation.")})
    return organisation


def government_of(organisation: Organisation) -> Organisation:
    """The nearest government at or above ``organisation`` (the top of its tree if none)."""
    ids = [*organisation.ancestor_ids(), organisation.pk]
    gov = (
        Organisation.objects.filter(pk__in=ids, kind=OrgKind.GOVERNMENT).order_by("-depth").first()
        if organisation.kind != OrgKind.GOVERNMENT
        else organisation
    )
    return gov or Organisation.objects.get(pk=ids[0])


# --- review, litigation and complaint cases ---------------------------------------------------------


def _check_application(application: Any, organisation: Organisation) -> None:
    from gongkai.applications.models import Application

    if not isinstance(application, Application):
        raise ActionError({"application": _("Choose an application.")})
    gov = government_of(organisation)
    if not application.organisation.path.startswith(gov.path):
        raise ActionError(
            {"application": _("The application must have been made to %(gov)s or one of its units.") % {
                "gov": gov.name}}
        )  # fmt: skip


def _check_review(review: Any, organisation: Organisation, kind: str, filed_on: dt.date, case: Any) -> None:
    if kind != DisputeKind.LITIGATION_AFTER_REVIEW:
        raise ActionError({"review_case": _("Only a lawsuit after review refers to a review case.")})
    if not isinstance(review, DisputeCase) or review.kind != DisputeKind.REVIEW:
        raise ActionError({"review_case": _("Choose an administrative review case.")})
    if review.organisation_id != organisation.pk:
        raise ActionError({"review_case": _("The review must concern the same organisation.")})
    if case is not None and review.pk == case.pk:
        raise ActionError({"review_case": _("A case cannot refer to itself.")})
    if review.filed_on > filed_on:
        raise ActionError({"filed_on": _("The lawsuit cannot be filed before the review it follows.")})


@action
def save_dispute(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    reference: str,
    subject: str,
    filed_on: dt.date,
    body: str = "",
    application: Any = None,
    review_case: DisputeCase | None = None,
    note: str = "",
    case: DisputeCase | None = None,
) -> DisputeCase:
    """Create (``case`` None) or update a review, lawsuit or complaint about ``organisation``."""
    if case is not None:
        authorize(actor, "change", case)
        case = DisputeCase.objects.select_for_update().get(pk=case.pk)
        if organisation is None or case.organisation_id != organisation.pk:
            raise ActionError({"organisation": _("A case cannot move to another organisation.")})
        organisation = case.organisation
        before = snapshot(case)
    else:
        organisation = _unit(organisation)
        case = DisputeCase(organisation=organisation)
        authorize(actor, "change", case)
        before = {}
    if kind not in DisputeKind.values:
        raise ActionError({"kind": _("Choose the kind of case.")})
    reference = _text(reference, "reference", _("Give the case reference."))
    subject = _text(subject, "subject", _("Say what is disputed."))
    filed_on = _day(filed_on, "filed_on")
    if case.concluded_on is not None and filed_on > case.concluded_on:
        raise ActionError({"filed_on": _("The case cannot be filed after it was concluded.")})
    if application is not None:
        _check_application(application, organisation)
    if review_case is not None:
        _check_review(review_case, organisation, kind, filed_on, case if case.pk else None)
    if case.pk is not None:
        lawsuits = case.lawsuits.all()
        if kind != case.kind and lawsuits.exists():
            raise ActionError({"kind": _("A review followed by a lawsuit must stay a review.")})
        if lawsuits.filter(filed_on__lt=filed_on).exists():
            raise ActionError(
                {"filed_on": _("The review cannot be filed after the lawsuit that follows it.")}
            )
    duplicate = DisputeCase.objects.filter(organisation=organisation, kind=kind, reference=reference)
    if case.pk is not None:
        duplicate = duplicate.exclude(pk=case.pk)
    if duplicate.exists():
        raise ActionError({"reference": _("This organisation already has a case with this reference.")})
    case.kind, case.reference, case.subject, case.filed_on = kind, reference, subject, filed_on
    case.body = _text(body, "body", "", required=False)
    case.note = _text(note, "note", "", required=False)
    case.application = application
    case.review_case = review_case
    full_clean(case)
    case.save()
    b, a = changes(before, snapshot(case))
    record(actor=actor, verb="records.save_dispute", obj=case, before=b or None, after=a)
    return case


@action
def conclude_dispute(
    *, actor: Any, case: DisputeCase, result: str, concluded_on: dt.date, note: str = ""
) -> DisputeCase:
    """Record the result of a case (维持, 纠正 or 其他); a case is concluded once."""
    authorize(actor, "change", case)
    case = DisputeCase.objects.select_for_update().get(pk=case.pk)
    if case.result != DisputeResult.PENDING:
        raise ActionError({"result": _("This case has already been concluded.")})
    if result not in CONCLUDED:
        raise ActionError({"result": _("Choose the result: maintained, corrected or other.")})
    concluded_on = _day(concluded_on, "concluded_on")
    if concluded_on < case.filed_on:
        raise ActionError({"concluded_on": _("A case cannot be concluded before it was filed.")})
    before = snapshot(case)
    case.result, case.concluded_on = result, concluded_on
    note = _text(note, "note", "", required=False)
    if note:
        case.note = f"{case.note}\n{note}".strip()
    case.save()
    b, a = changes(before, snapshot(case))
    record(actor=actor, verb="records.conclude_dispute", obj=case, before=b, after=a)
    return case


# --- reading rooms and their visits -----------------------------------------------------------------


@action
def save_reading_room(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    address: str = "",
    opening_hours: str = "",
    phone: str = "",
    is_active: bool = True,
    room: ReadingRoom | None = None,
) -> ReadingRoom:
    """Create (``room`` None) or update a reading room (查阅场所) of ``organisation``."""
    if room is not None:
        authorize(actor, "change", room)
        room = ReadingRoom.objects.select_for_update().get(pk=room.pk)
        if organisation is None or room.organisation_id != organisation.pk:
            raise ActionError({"organisation": _("A reading room cannot move to another organisation.")})
        before = snapshot(room)
    else:
        room = ReadingRoom(organisation=_unit(organisation))
        authorize(actor, "change", room)
        before = {}
    room.name = _text(name, "name", _("Give the reading room's name."))
    same = ReadingRoom.objects.filter(organisation_id=room.organisation_id, name=room.name)
    if same.exclude(pk=room.pk).exists() if room.pk else same.exists():
        raise ActionError({"name": _("This organisation already has a reading room with this name.")})
    room.address = _text(address, "address", "", required=False)
    room.opening_hours = _text(opening_hours, "opening_hours", "", required=False)
    room.phone = _text(phone, "phone", "", required=False)
    room.is_active = bool(is_active)
    full_clean(room)
    room.save()
    b, a = changes(before, snapshot(room))
    record(actor=actor, verb="records.save_reading_room", obj=room, before=b or None, after=a)
    return room


@action
def record_visit(
    *, actor: Any, room: ReadingRoom, day: dt.date, visitors: int, purpose: str = ""
) -> ReadingRoomVisit:
    """Register the visitors a reading room received on one day (人次)."""
    visit = ReadingRoomVisit(room=room)
    authorize(actor, "change", visit)
    visit.day = _day(day, "day")
    visit.visitors = _whole(visitors, "visitors", minimum=1)
    visit.purpose = _text(purpose, "purpose", "", required=False)
    visit.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    full_clean(visit, exclude=["recorded_by"])
    visit.save()
    record(actor=actor, verb="records.record_visit", obj=visit, organisation=room.organisation_id,
           after=snapshot(visit, ["room_id", "day", "visitors", "purpose"]))  # fmt: skip
    return visit


# --- figures per organisation and year -------------------------------------------------------------


def _upsert(
    *, actor: Any, model: Any, verb: str, organisation: Any, year: Any, key: dict, values: dict,
    source: str, note: str,
) -> Any:  # fmt: skip
    organisation = _unit(organisation)
    year = _year(year)
    if source not in Source.values:
        raise ActionError({"source": _("Unknown source.")})
    probe = model(organisation=organisation, year=year, **key)
    authorize(actor, "change", probe)
    figure = model.objects.select_for_update().filter(organisation=organisation, year=year, **key).first()
    fields = [*key, *values, "source", "note", "entered_by_id"]
    before = snapshot(figure, fields) if figure is not None else {}
    figure = figure or probe
    for name, value in values.items():
        setattr(figure, name, value)
    figure.source = source
    figure.note = _text(note, "note", "", required=False)
    figure.entered_by = actor if getattr(actor, "is_authenticated", False) else None
    full_clean(figure, exclude=["entered_by"])
    figure.save()
    after = snapshot(figure, fields)
    # An unchanged figure entered again still records who confirmed it and when.
    b, a = changes(before, after) if before else (None, after)
    record(actor=actor, verb=verb, obj=figure, before=b,
           after={**a, "year": year, "organisation_id": organisation.pk})  # fmt: skip
    return figure


@action
def set_staff_figure(
    *, actor: Any, organisation: Organisation, year: int, full_time: int, part_time: int,
    source: str = Source.ENTERED, note: str = "",
) -> StaffFigure:  # fmt: skip
    """Set the full-time and part-time staff of disclosure work of a unit in a year."""
    values = {
        "full_time": _whole(full_time, "full_time", maximum=MAX_STAFF),
        "part_time": _whole(part_time, "part_time", maximum=MAX_STAFF),
    }
    return _upsert(actor=actor, model=StaffFigure, verb="records.set_staff_figure", organisation=organisation,
                   year=year, key={}, values=values, source=source, note=note)  # fmt: skip


@action
def set_spending(
    *, actor: Any, organisation: Organisation, year: int, amount: Any, purpose: str = "",
    source: str = Source.ENTERED, note: str = "",
) -> SpendingFigure:  # fmt: skip
    """Set what a unit spent on disclosure work in a year, in yuan."""
    values = {"amount": _amount(amount), "purpose": _text(purpose, "purpose", "", required=False)}
    return _upsert(actor=actor, model=SpendingFigure, verb="records.set_spending", organisation=organisation,
                   year=year, key={}, values=values, source=source, note=note)  # fmt: skip


@action
def set_decision_count(
    *, actor: Any, organisation: Organisation, year: int, kind: str, count: int,
    source: str = Source.ENTERED, note: str = "",
) -> DecisionCount:  # fmt: skip
    """Set how many decisions of one kind (行政处罚, 行政强制, …) a unit made in a year."""
    if kind not in DecisionKind.values:
        raise ActionError({"kind": _("Choose the kind of decision.")})
    values = {"count": _whole(count, "count")}
    return _upsert(actor=actor, model=DecisionCount, verb="records.set_decision_count",
                   organisation=organisation, year=year, key={"kind": kind}, values=values, source=source,
                   note=note)  # fmt: skip
