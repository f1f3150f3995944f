"""Creating many service cases at once (the ``cases`` import, the demo's year of cases).

:func:`import_cases` stores what the actions (``receive_case`` / ``submit_case_online`` +
``accept_case``, ``reject_case``, ``collect_fee``, ``complete_case``) would store for each
row, in a fixed number of queries however many rows there are:

- the same checks: the actor may process cases at the centre (or of the unit, online),
  the item is active (published and online for an online case), the window serves it, dates
  in order and not in the future, a reason for 不予受理 and 不予批准, a certificate number where
  the item issues one, the fee equal to the standard x quantity, a charged item's fee collected
  before approval, receipt numbers unique;
- one clock per accepted case (kind ``service_case``, day 0 the day of acceptance, the item's
  promised limit), its due date, warning date, closing, on time and working days used computed
  with the engine in one pass with one calendar, as ``workdays.clock`` computes them;
- case numbers ``<code suffix>-<year>-<serial>`` from :class:`CaseSerial`, reserved in one block
  per numbering organisation and year under a row lock;
- one audit event per case (``services.import_case``), as the disclosure bulk import records
  one per item.

Nothing is stored if any row fails; :class:`ImportRejected` lists every problem by row and
column. ``actor=None`` is the system (an operator on the server), for whom no policy is checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.audit.log import record_many
from gongkai.core.actions import ActionError, action
from gongkai.disclosure.bulk import BATCH, ImportRejected, Progress, RowError
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.services.actions_base import government_of, hash_code, new_code
from gongkai.services.models import (
    CaseChannel,
    CaseResult,
    CaseSerial,
    CaseStatus,
    ServiceCase,
    ServiceItem,
    ServiceWindow,
)
from gongkai.services.policies import ServiceCasePolicy
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.clock import DEFAULT_WARNING_SHARE, warn_date_for, warning_shares
from gongkai.workdays.engine import DueResult, compute_due, workdays_used
from gongkai.workdays.models import Clock, ClockKind, ClockLevel, ClockStatus

# The column that names each field in error messages (the cases import's headers).
LABELS: dict[str, str] = {
    "item": "事项编码", "organisation": "实施单位", "channel": "办理渠道", "centre": "受理中心", "window": "窗口",
    "applicant_kind": "申请人类型", "applicant_name": "申请人", "id_number": "证件号码", "phone": "联系电话",
    "received_on": "收件日期", "accepted": "是否受理", "rejection_reason": "不予受理原因", "completed_on": "办结日期",
    "result": "办理结果", "result_reason": "不予批准理由", "certificate_number": "证件编号",
    "fee_quantity": "收费数量", "fee_amount": "收费金额", "fee_receipt": "收费票据号",
}  # fmt: skip


@dataclass(kw_only=True)
class CaseRow:
    """One case to store; ``row`` is its number in the source (for error messages)."""

    item: ServiceItem
    channel: str
    received_on: date
    applicant_name: str
    row: int = 0
    window: ServiceWindow | None = None  # a window or township case: the window that received it
    applicant_kind: str = "person"
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    description: str = ""
    accepted: bool = True
    rejection_reason: str = ""
    completed_on: date | None = None
    result: str = ""
    result_reason: str = ""
    certificate_number: str = ""
    fee_quantity: Decimal | None = None
    fee_amount: Decimal | None = None
    fee_receipt: str = ""
    fee_collected_on: date | None = None  # the day of completion (or of receipt) unless given


@dataclass
class CasesImported:
    cases: list[ServiceCase] = field(default_factory=list)

    @property
    def created(self) -> int:
        return len(self.cases)

    @property
    def completed(self) -> int:
        return sum(1 for c in self.cases if c.status == CaseStatus.COMPLETED)

    @property
    def open(self) -> int:
        return sum(1 for c in self.cases if c.is_open)

    @property
    def late(self) -> int:
        return sum(1 for c in self.cases if c.on_time is False)

    @property
    def fees(self) -> Decimal:
        return sum((c.fee_amount or Decimal(0) for c in self.cases), Decimal("0.00"))


def _status(row: CaseRow) -> str:
    if not row.accepted:
        return CaseStatus.REJECTED
    if row.completed_on is not None:
        return CaseStatus.COMPLETED
    return CaseStatus.ACCEPTED


def validate_cases(
    *, actor: Any, rows: Sequence[CaseRow], labels: Mapping[str, str] | None = None
) -> list[RowError]:
    """Every problem of every row, as the actions would refuse them (a fixed number of queries)."""
    labels = {**LABELS, **(labels or {})}
    today = timezone.localdate()
    errors: list[RowError] = []
    policy = ServiceCasePolicy()
    allowed: dict[tuple[int | None, int], bool] = {}
    window_units: dict[int, set[int]] = defaultdict(set)
    window_ids = {r.window.pk for r in rows if r.window is not None}
    for window_id, unit_id in ServiceWindow.units.through.objects.filter(
        servicewindow_id__in=window_ids
    ).values_list("servicewindow_id", "organisation_id"):
        window_units[window_id].add(unit_id)
    receipts: dict[str, int] = {}

    for row in rows:

        def bad(name: str, message: str, row: CaseRow = row) -> None:
            errors.append(RowError(row.row, labels.get(name, name), message))

        item, window = row.item, row.window
        if not item.is_active:
            bad("item", _("The item is not active."))
        if row.channel == CaseChannel.ONLINE:
            if window is not None:
                bad("window", _("An online case is not received at a window."))
            if not (item.online and item.published):
                bad("channel", _("This item cannot be applied for online."))
            centre = None
        elif row.channel in (CaseChannel.WINDOW, CaseChannel.TOWNSHIP):
            if window is None:
                bad("window", _("Give the window that received the case."))
                continue
            centre = window.centre
            expected = CaseChannel.WINDOW if centre.kind == OrgKind.CENTRE else CaseChannel.TOWNSHIP
            if row.channel != expected:
                bad("channel", _("This window's centre receives cases as “%(channel)s”.")
                    % {"channel": CaseChannel(expected).label})  # fmt: skip
            if not window.is_active:
                bad("window", _("The window is not active."))
            elif item.window_id != window.pk and item.organisation_id not in window_units[window.pk]:
                bad("window", _("This window does not handle this service."))
        else:
            bad("channel", _("Unknown channel."))
            continue
        if actor is not None:
            key = (centre.pk if centre else None, item.organisation_id)
            if key not in allowed:
                probe = ServiceCase(item=item, organisation_id=item.organisation_id, centre=centre, window=window,
                                    channel=row.channel)  # fmt: skip
                allowed[key] = policy.can(actor, "process", probe)
            if not allowed[key]:
                bad("centre" if centre else "organisation", _("You may not process these cases."))
        if not row.applicant_name.strip():
            bad("applicant_name", _("Give the applicant's name."))
        if row.received_on > today:
            bad("received_on", _("The date cannot be in the future."))
        if not row.accepted:
            if not row.rejection_reason.strip():
                bad("rejection_reason", _("Give the reason for not accepting the case."))
            for name in ("completed_on", "result", "certificate_number", "fee_amount", "fee_receipt"):
                if getattr(row, name):
                    bad(name, _("A case that was not accepted has no handling."))
            continue
        if row.rejection_reason:
            bad("rejection_reason", _("Only a case that was not accepted has a reason for it."))
        if row.completed_on is not None:
            if row.completed_on < row.received_on:
                bad("completed_on", _("A case cannot be completed before it was received."))
            elif row.completed_on > today:
                bad("completed_on", _("The date cannot be in the future."))
            if row.result not in CaseResult.values:
                bad("result", _("Give the result of a completed case."))
            elif row.result == CaseResult.APPROVED:
                if item.issues_certificate and not row.certificate_number.strip():
                    bad("certificate_number", _("This item issues a certificate: give its number."))
                if not item.fee_free and row.fee_amount is None:
                    bad("fee_amount", _("The fee must be collected before the case is completed."))
            elif not row.result_reason.strip():
                bad("result_reason", _("Give the reason for not approving."))
        elif row.result:
            bad("completed_on", _("Give the day the case was completed."))
        if row.fee_amount is not None or row.fee_receipt:
            quantity = row.fee_quantity if row.fee_quantity is not None else Decimal(1)
            if item.fee_free or item.fee_amount is None:
                bad("fee_amount", _("This item is free of charge."))
            elif quantity <= 0:
                bad("fee_quantity", _("The quantity must be positive."))
            elif row.fee_amount != (item.fee_amount * quantity).quantize(Decimal("0.01")):
                bad("fee_amount", _("The fee must be %(amount)s yuan (the standard x the quantity).")
                    % {"amount": (item.fee_amount * quantity).quantize(Decimal("0.01"))})  # fmt: skip
            if not row.fee_receipt.strip():
                bad("fee_receipt", _("Give the receipt number."))
            elif row.fee_receipt in receipts:
                bad("fee_receipt", _("The receipt number is already used in row %(row)s.")
                    % {"row": receipts[row.fee_receipt]})  # fmt: skip
            else:
                receipts[row.fee_receipt] = row.row
            if row.fee_amount is None:
                bad("fee_amount", _("Give the amount collected."))
    if receipts:
        numbers = sorted(receipts)
        for i in range(0, len(numbers), BATCH):
            for taken in ServiceCase.objects.filter(fee_receipt__in=numbers[i : i + BATCH]).values_list(
                "fee_receipt", flat=True
            ):
                errors.append(RowError(receipts[taken], labels["fee_receipt"],
                                       _("Another case already has this receipt number.")))  # fmt: skip
    return errors


def reserve_numbers(organisation: Organisation, year: int, count: int) -> list[str]:
    """``count`` consecutive case numbers of ``organisation`` and ``year``, under the serial's row lock."""
    try:
        with transaction.atomic():
            CaseSerial.objects.get_or_create(organisation=organisation, year=year)
    except IntegrityError:  # created concurrently: it exists now
        pass
    serial = CaseSerial.objects.select_for_update().get(organisation=organisation, year=year)
    first = serial.last + 1
    serial.last += count
    serial.save(update_fields=["last"])
    prefix = organisation.code[-6:].upper()
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, serial.last + 1)]


def _aware(day: date) -> datetime:
    """The moment a historical case was handed in (the actions use the time of the request)."""
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


@action
def import_cases(
    *,
    actor: Any,
    rows: list[CaseRow],
    labels: Mapping[str, str] | None = None,
    reason: str = "",
    progress: Progress | None = None,
) -> CasesImported:
    """Store one case per row with its clock, number, fee and closing; all or nothing."""
    if not rows:
        raise ActionError(_("There is nothing to import."))
    errors = validate_cases(actor=actor, rows=rows, labels=labels)
    if errors:
        raise ImportRejected(errors)
    total = len(rows)
    step = progress or (lambda stage, done, total: None)
    step("validated", total, total)
    today = timezone.localdate()
    staff = actor if getattr(actor, "is_authenticated", False) else None
    cal = get_calendar()
    share = warning_shares().get(ClockKind.SERVICE_CASE, DEFAULT_WARNING_SHARE)
    dues: dict[tuple[date, int], DueResult] = {}
    warns: dict[tuple[date, int], date | None] = {}
    used: dict[tuple[date, date], int] = {}

    def due(start: date, limit: int) -> DueResult:
        if (start, limit) not in dues:
            dues[(start, limit)] = compute_due(cal, start, limit, today=today)
        return dues[(start, limit)]

    def warn(start: date, limit: int) -> date | None:
        # As workdays.clock: a share of the limit, rounded up; the due date when that is the whole limit.
        if (start, limit) not in warns:
            warns[(start, limit)] = warn_date_for(cal, start, limit, share, due=due(start, limit).due)
        return warns[(start, limit)]

    # Case numbers: one block per numbering organisation and year, in order of receipt.
    order = sorted(range(total), key=lambda i: (rows[i].received_on, rows[i].row, i))
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    numbering: dict[int, Organisation] = {}
    governments: dict[int, Organisation] = {}
    for i in order:
        row = rows[i]
        if row.window is not None:
            org = row.window.centre
        else:
            unit = row.item.organisation
            if unit.pk not in governments:
                governments[unit.pk] = government_of(unit)
            org = governments[unit.pk]
        numbering[org.pk] = org
        groups[(org.pk, row.received_on.year)].append(i)
    numbers: list[str] = [""] * total
    for (org_id, year), members in sorted(groups.items()):
        for i, number in zip(members, reserve_numbers(numbering[org_id], year, len(members)), strict=True):
            numbers[i] = number
    step("numbers", total, total)

    cases: list[ServiceCase] = []
    clocks: list[Clock | None] = []
    for i, row in enumerate(rows):
        item = row.item
        status = _status(row)
        case = ServiceCase(
            case_number=numbers[i], tracking_hash=hash_code(numbers[i], new_code()), item=item,
            organisation_id=item.organisation_id, centre=row.window.centre if row.window else None,
            window=row.window, channel=row.channel, applicant_kind=row.applicant_kind,
            applicant_name=row.applicant_name.strip(), id_number=row.id_number, phone=row.phone, email=row.email,
            address=row.address, description=row.description, status=status,
            submitted_at=_aware(row.received_on), received_on=row.received_on,
        )  # fmt: skip
        clock = None
        # An online case refused before acceptance has no clock; a case at a window is accepted on
        # receipt (its clock starts), so refusing it later closes the clock, as reject_case does.
        if status == CaseStatus.REJECTED:
            case.rejection_reason = row.rejection_reason.strip()
            case.completed_on = row.received_on
        if status != CaseStatus.REJECTED or row.channel != CaseChannel.ONLINE:
            case.accepted_on = row.received_on
            limit = item.promised_limit_days
            result = due(row.received_on, limit)
            clock = Clock(
                kind=ClockKind.SERVICE_CASE, organisation_id=item.organisation_id, label=str(case)[:200],
                start_date=row.received_on, original_start_date=row.received_on, limit_days=limit,
                due_date=result.due, provisional=result.provisional, warn_date=warn(row.received_on, limit),
                level=ClockLevel.NORMAL,
            )  # fmt: skip
            closed_on = case.completed_on if status == CaseStatus.REJECTED else row.completed_on
            if closed_on is not None:
                key = (row.received_on, closed_on)
                if key not in used:
                    used[key] = workdays_used(cal, row.received_on, closed_on)
                clock.closed_on = closed_on
                clock.status = ClockStatus.CLOSED
                clock.on_time = result.due is not None and closed_on <= result.due
                clock.used_days = used[key]
                case.on_time = clock.on_time
            else:
                clock.status = ClockStatus.PAUSED if result.paused else ClockStatus.RUNNING
            if status == CaseStatus.COMPLETED:
                case.completed_on = row.completed_on
                case.result = row.result
                case.result_reason = row.result_reason.strip()
                if row.result == CaseResult.APPROVED:
                    case.certificate_number = row.certificate_number.strip()[:60]
        if row.fee_amount is not None:
            case.fee_quantity = row.fee_quantity if row.fee_quantity is not None else Decimal("1.00")
            case.fee_amount = row.fee_amount
            case.fee_receipt = row.fee_receipt.strip()
            case.fee_collected_on = row.fee_collected_on or row.completed_on or row.received_on
            case.fee_collected_by = staff
        cases.append(case)
        clocks.append(clock)

    made = [c for c in clocks if c is not None]
    for start in range(0, len(made), BATCH):
        Clock.objects.bulk_create(made[start : start + BATCH])
        step("clocks", min(start + BATCH, len(made)), len(made))
    for case, clock in zip(cases, clocks, strict=True):
        case.clock = clock
    for start in range(0, total, BATCH):
        try:
            with transaction.atomic():
                ServiceCase.objects.bulk_create(cases[start : start + BATCH])
        except IntegrityError as exc:  # a concurrent writer took a receipt number since the check
            raise ActionError({"fee_receipt": [_("Another case already has this receipt number.")]}) from exc
        step("cases", min(start + BATCH, total), total)

    # Point each clock at its case (one UPDATE per batch, not per row).
    ct = ContentType.objects.get_for_model(ServiceCase)
    clock_ids = [c.pk for c in made]
    case_of_clock = ServiceCase.objects.filter(clock_id=OuterRef("pk")).values("pk")[:1]
    for start in range(0, len(clock_ids), BATCH):
        Clock.objects.filter(pk__in=clock_ids[start : start + BATCH]).update(
            content_type=ct, object_id=Cast(Subquery(case_of_clock), output_field=CharField())
        )
    for case, clock in zip(cases, clocks, strict=True):
        if clock is not None:
            clock.content_type, clock.object_id = ct, str(case.pk)

    afters = [
        {
            "case_number": c.case_number, "item": c.item_id, "channel": c.channel, "centre": c.centre_id,
            "window": c.window_id, "status": c.status, "received_on": c.received_on, "completed_on": c.completed_on,
            "result": c.result, "fee_amount": c.fee_amount, "fee_receipt": c.fee_receipt, "clock": c.clock_id,
            "due_date": c.clock.due_date if c.clock else None, "on_time": c.on_time, "imported": True,
        }
        for c in cases
    ]  # fmt: skip
    record_many(actor=actor, verb="services.import_case", objects=cases, after=afters, reason=reason)
    step("audit", total, total)
    return CasesImported(cases)
