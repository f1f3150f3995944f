"""Importing historical applications with their timeline (the ``applications`` import kind).

``gongkai import applications FILE --actor USERNAME`` reads a CSV (UTF-8 or GBK) or XLSX table,
one row per application: the agency, channel and dates of submission and receipt, the applicant,
what was asked for, and what happened: a 补正 (requested and received), an extension (days,
approving office head, reason), a fee (amount or pages, notice date, payment) and the result
(table 三 row, reply type of the rule set in force on the day of receipt, legal basis, text, date).

Two passes, all or nothing:

1. :func:`parse_application_rows` checks every cell of every row without touching the database
   beyond look-ups: formats, choices, identity card numbers (as ``clean_applicant`` checks them),
   dates in order and not in the future, the reply type allowed for the rule set of the receipt
   date, extension caps, historical case numbers unique in the file and the database. Every
   problem is listed with its row, column and reason.
2. :func:`import_applications` replays each row through the actions, in one transaction:
   ``register_application`` with the historical dates, ``request_correction`` /
   ``submit_correction``, ``extend_application``, ``issue_fee_notice`` / ``record_payment``,
   ``reply_application`` or ``withdraw_application``; a case closed because the correction or fee
   period passed (其他处理 1 and 2) is closed by ``lapse_overdue`` as the daily job would. The
   clocks, on-time flags and audit events are therefore those of the actions. Anything an action
   refuses is reported as that row's error (with the column the action named) and the whole
   import is rolled back.

Historical imports notify nobody: the applicants heard from the old system long ago, so the
messages the actions queue for the imported applications are dropped before the transaction
commits (they were never sent). The actions do issue their numbered letters (acknowledgement,
correction, extension, fee, reply), dated on the historical days.

A historical case number is kept when given (unique; the year's serial is moved past a number
of the platform's own ``YSQ<year><serial>`` form so that new cases never collide with it);
otherwise one is generated. Applications are imported as a user (``--actor``): the actions check
that user's permissions ("handle", and "reply" for closed cases) on every agency in the file.

The table's columns and the first pass (:func:`parse_application_rows`) are in
``gongkai.applications.imports_parsing``; this module stores the rows (the second pass), writes
the template and registers the importer.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongkai.applications import actions, actions_base, actions_replies
from gongkai.applications.fees import FeeMode
from gongkai.applications.imports_parsing import (
    APPLICANT_COLUMNS,
    COLUMNS,
    HEADERS,
    SAME_DAY_CHANNELS,
    WITHDRAWN,
    ApplicationRow,
    parse_application_rows,
)
from gongkai.applications.models import Application, ApplicationSerial, Channel, Status
from gongkai.applications.outcomes import Outcome
from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action
from gongkai.disclosure.bulk import ImportRejected, Progress, RowError
from gongkai.disclosure.imports import FileRejected, Importer, register_importer
from gongkai.notifications.models import Message, MessageStatus
from gongkai.notifications.send import topic_of
from gongkai.workdays.models import Clock

# --- storing ------------------------------------------------------------------------------------

DEFAULT_CORRECTION_TEXT = "申请人已提交补正材料（历史数据）。"
DEFAULT_RECEIPT = "（历史数据）"
DEFAULT_FEE_INSTRUCTIONS = "（历史数据）"
FEE_MODE_DEFAULTS = {
    "2019": (FeeMode.PER_PAGE, FeeMode.PER_APPLICATION),
    "2008": (FeeMode.COST, FeeMode.COST),
}
LAPSES = (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID)
CASE_NUMBER = re.compile(r"^YSQ(\d{4})(\d{6})$")


@dataclass
class ImportedApplication:
    row: int
    application_id: int
    case_number: str
    status: str
    on_time: bool | None


@dataclass
class ApplicationsImported:
    rows: list[ImportedApplication] = field(default_factory=list)

    @property
    def created(self) -> int:
        return len(self.rows)

    @property
    def closed(self) -> int:
        return sum(1 for r in self.rows if r.status == Status.CLOSED)

    @property
    def late(self) -> int:
        return sum(1 for r in self.rows if r.on_time is False)


class _RowFailed(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors


# Which column an action's field error belongs to, per step of the timeline.
_STEP_COLUMNS: dict[str, dict[str, str]] = {
    "register": {"organisation": "organisation", "channel": "channel", "submitted_on": "submitted_on",
                 "signed_for_on": "received_on", "confirmed_on": "received_on", "received_on": "received_on",
                 **{f: f for f in APPLICANT_COLUMNS}, "": "submitted_on"},
    "case_number": {"": "case_number"},
    "correction": {"on": "correction_requested_on", "items": "correction_items",
                   "period_days": "correction_period_days", "": "correction_requested_on"},
    "corrected": {"on": "corrected_on", "": "corrected_on"},
    "extension": {"on": "extension_on", "approved_by": "extension_approved_by", "days": "extension_days",
                  "reason": "extension_reason", "": "extension_days"},
    "fee": {"on": "fee_issued_on", "pages": "fee_pages", "": "fee_amount"},
    "payment": {"on": "paid_on", "receipt_number": "fee_receipt", "": "paid_on"},
    "reply": {"on": "replied_on", "outcome": "outcome", "reply_type": "reply_type", "legal_basis": "legal_basis",
              "text": "reply_text", "": "outcome"},
}  # fmt: skip


def _refused(row: ApplicationRow, step: str, exc: Exception, labels: dict[str, str]) -> list[RowError]:
    columns = _STEP_COLUMNS[step]
    if isinstance(exc, PermissionDenied):
        return [RowError(row.row, labels["organisation"], _("You are not allowed to do this."))]
    assert isinstance(exc, ActionError)
    if hasattr(exc, "error_dict"):
        items = [(name, m) for name, messages in exc.message_dict.items() for m in messages]
    else:
        items = [("", m) for m in exc.messages]
    out = []
    for name, message in items:
        column = columns.get(name) or columns.get("") or "outcome"
        out.append(RowError(row.row, labels.get(column, column), message))
    return out


def _run(row: ApplicationRow, step: str, labels: dict[str, str], fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except (ActionError, PermissionDenied) as exc:
        raise _RowFailed(_refused(row, step, exc, labels)) from exc


@action
def keep_case_number(
    *, actor: Any, application: Application, case_number: str, tracking_code: str
) -> Application:
    """Give an imported application its historical case number (the acknowledgement and clock follow)."""
    app = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    old = app.case_number
    if Application.objects.filter(case_number=case_number).exclude(pk=app.pk).exists():
        raise ActionError(_("An application with this case number exists already."))
    app.case_number = case_number
    app.tracking_hash = actions_base.hash_code(case_number, tracking_code)
    try:
        with transaction.atomic():
            app.save(update_fields=["case_number", "tracking_hash", "updated_at"])
    except IntegrityError as exc:
        raise ActionError(_("An application with this case number exists already.")) from exc
    if app.clock_id:
        Clock.objects.filter(pk=app.clock_id).update(label=case_number)
    for letter in app.letters.all():
        if old in letter.body:
            letter.body = letter.body.replace(old, case_number)
            letter.save(update_fields=["body"])
    record(actor=actor, verb="applications.keep_case_number", obj=app, before={"case_number": old},
           after={"case_number": case_number}, reason=_("Historical case number kept on import"))  # fmt: skip
    return app


def _reserve_serials(rows: list[ApplicationRow]) -> None:
    """Move each year's serial past the historical numbers of the platform's own form."""
    highest: dict[int, int] = {}
    for row in rows:
        match = CASE_NUMBER.match(row.case_number)
        if match:
            year, n = int(match.group(1)), int(match.group(2))
            highest[year] = max(highest.get(year, 0), n)
    for year, n in highest.items():
        serial, _created = ApplicationSerial.objects.select_for_update().get_or_create(year=year)
        if serial.last < n:
            serial.last = n
            serial.save(update_fields=["last"])


def _replay(actor: Any, row: ApplicationRow, labels: dict[str, str]) -> tuple[Application, bool]:
    """One application through the actions; returns it and whether it waits for a lapse."""
    received = row.received_on
    app, code = _run(row, "register", labels, lambda: actions.register_application(
        actor=actor, organisation=row.organisation, channel=row.channel, submitted_on=row.submitted_on,
        signed_for_on=received if row.channel == Channel.REGISTERED_MAIL else None,
        confirmed_on=received if row.channel not in (*SAME_DAY_CHANNELS, Channel.REGISTERED_MAIL) else None,
        receipt_note=_("Imported historical application"), **row.fields,
    ))  # fmt: skip
    if app.status != Status.PROCESSING:  # never without a receipt date (all channels get one above)
        raise _RowFailed([RowError(row.row, labels["received_on"], _("The application was not received."))])
    if row.case_number:
        app = _run(row, "case_number", labels, lambda: keep_case_number(
            actor=actor, application=app, case_number=row.case_number, tracking_code=code))  # fmt: skip
    if row.correction_requested_on:
        _run(row, "correction", labels, lambda: actions.request_correction(
            actor=actor, application=app, items=row.correction_items, period_days=row.correction_period_days,
            on=row.correction_requested_on))  # fmt: skip
        if row.corrected_on:
            _run(row, "corrected", labels, lambda: actions.submit_correction(
                actor=actor, application=app, text=DEFAULT_CORRECTION_TEXT, on=row.corrected_on))  # fmt: skip

    steps: list[tuple[date, int, str, Callable[[], Any]]] = []
    if row.extension_days:
        approver = row.extension_approved_by or actor

        def extend() -> Any:
            on = row.extension_on
            if on is None:  # the last day it could be decided: the due date (or the reply, if earlier)
                app.clock.refresh_from_db()
                candidates = [d for d in (app.clock.due_date, row.replied_on, timezone.localdate()) if d]
                on = min(candidates)
            return actions_replies.extend_application(actor=actor, application=app, days=row.extension_days,
                                                      reason=row.extension_reason, approved_by=approver, on=on)  # fmt: skip

        steps.append((row.extension_on or date.min, 0, "extension", extend))
    fee_box: dict[str, Any] = {}
    if row.has_fee:
        per_page, per_application = FEE_MODE_DEFAULTS[row.rules.code]
        mode = per_page if row.fee_pages else per_application

        def issue() -> Any:
            fee_box["fee"] = actions.issue_fee_notice(
                actor=actor, application=app, mode=mode, instructions=DEFAULT_FEE_INSTRUCTIONS,
                pages=row.fee_pages if mode == FeeMode.PER_PAGE else None,
                copy_cost=row.fee_amount if mode == FeeMode.COST else Decimal(0), on=row.fee_issued_on,
            )  # fmt: skip
            fee = fee_box["fee"]
            if row.fee_amount is not None and fee.amount != row.fee_amount:
                raise ActionError({"": [_("The fee under the %(rules)s comes to %(amount)s yuan, not %(given)s.")
                                        % {"rules": row.rules.label, "amount": f"{fee.amount:.2f}",
                                           "given": f"{row.fee_amount:.2f}"}]})  # fmt: skip
            return fee

        steps.append((row.fee_issued_on, 1, "fee", issue))
        if row.paid_on:
            steps.append((row.paid_on, 2, "payment", lambda: actions.record_payment(
                actor=actor, fee=fee_box["fee"], on=row.paid_on, receipt_number=row.fee_receipt or DEFAULT_RECEIPT)))  # fmt: skip
    for _day, _order, step, fn in sorted(steps, key=lambda s: (s[0], s[1])):
        _run(row, step, labels, fn)

    if not row.outcome:
        return app, False
    if row.outcome in LAPSES:
        return app, True
    if row.reply_type in WITHDRAWN:
        _run(row, "reply", labels, lambda: actions_replies.withdraw_application(
            actor=actor, application=app, reason=row.reply_text or "申请人撤回申请。", on=row.replied_on))  # fmt: skip
    else:
        _run(row, "reply", labels, lambda: actions_replies.reply_application(
            actor=actor, application=app, outcome=row.outcome, reply_type=row.reply_type,
            legal_basis=row.legal_basis, text=row.reply_text or _default_reply(row.outcome), on=row.replied_on))  # fmt: skip
    return app, False


def _default_reply(outcome: str) -> str:
    label = str(Outcome(outcome).label)
    match = re.search(r"[（(]([^（()）]+)[)）]$", label)
    return f"经审查，{match.group(1) if match else label}。（历史数据，原答复内容未录入）"


@action
def import_applications(
    *, actor: Any, rows: list[ApplicationRow], labels: dict[str, str] | None = None,
    progress: Progress | None = None, dry_run: bool = False,
) -> ApplicationsImported:  # fmt: skip
    """Replay every row through the actions; all or nothing (``ImportRejected`` lists every refusal).

    With ``dry_run`` everything is done and then rolled back: the file is checked against the
    actions' rules too.
    """
    labels = {**HEADERS, **(labels or {})}
    if not rows:
        raise ActionError(_("There is nothing to import."))
    _reserve_serials(rows)
    errors: list[RowError] = []
    done: list[tuple[ApplicationRow, Application]] = []
    waiting: list[tuple[ApplicationRow, Application]] = []
    order = sorted(rows, key=lambda r: (r.submitted_on, r.received_on, r.row))
    for n, row in enumerate(order, start=1):
        try:
            with transaction.atomic():  # a refused row leaves nothing behind, the others go on being checked
                app, lapse = _replay(actor, row, labels)
        except _RowFailed as failed:
            errors.extend(failed.errors)
            continue
        (waiting if lapse else done).append((row, app))
        if progress and (n % 100 == 0 or n == len(order)):
            progress("applications", n, len(order))
    if waiting and not errors:
        # Cases closed because the correction or fee period passed: closed as the daily job closes them.
        actions.lapse_overdue(actor=actor)
        for row, app in waiting:
            app.refresh_from_db()
            if app.status != Status.CLOSED or app.outcome != row.outcome:
                errors.append(
                    RowError(row.row, labels["outcome"], _("The case could not be closed this way."))
                )
    if errors:
        raise ImportRejected(errors)
    # Nobody is told about historical cases: drop the messages the actions queued for them.
    apps = [app for _row, app in [*done, *waiting]]
    Message.objects.filter(topic__in=[topic_of(app) for app in apps], status=MessageStatus.QUEUED).delete()
    result = ApplicationsImported()
    for row, app in sorted([*done, *waiting], key=lambda pair: pair[0].row):
        app.refresh_from_db()
        result.rows.append(ImportedApplication(row.row, app.pk, app.case_number, app.status, app.on_time))
    if dry_run:
        transaction.set_rollback(True)
    return result


def import_applications_file(
    data: bytes, filename: str = "", *, actor: Any, dry_run: bool = False, progress: Progress | None = None
) -> ApplicationsImported:
    """Read, check and store an applications table; all or nothing."""
    if not getattr(actor, "is_authenticated", False):
        raise FileRejected(_("Applications are imported as a user: give --actor (an administrator or the "
                             "disclosure office of the agencies in the file)."))  # fmt: skip
    parsed = parse_application_rows(data, filename, actor=actor)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    return import_applications(actor=actor, rows=parsed.rows, labels=parsed.labels, progress=progress,
                               dry_run=dry_run)  # fmt: skip


# --- the template -------------------------------------------------------------------------------

TEMPLATE_EXAMPLE = {
    "case_number": "", "organisation": "攸县财政局", "channel": "当面申请", "submitted_on": date(2020, 6, 1),
    "received_on": date(2020, 6, 1), "applicant_type": "自然人", "applicant_name": "李明",
    "id_type": "居民身份证", "id_number": "430223198001010019", "phone": "13800000000", "email": "",
    "address": "湖南省攸县联星街道1号", "postcode": "412300", "info_title": "2019年攸县财政局部门决算",
    "info_number": "", "description": "部门决算表及说明", "purpose": "", "info_form": "纸质", "delivery": "邮寄",
    "correction_requested_on": "", "correction_items": "", "correction_period_days": "", "corrected_on": "",
    "extension_days": 10, "extension_on": date(2020, 6, 24), "extension_approved_by": "reviewer",
    "extension_reason": "需调取档案", "fee_amount": "", "fee_pages": "", "fee_issued_on": "", "paid_on": "",
    "fee_receipt": "", "outcome": "予以公开", "reply_type": "r19_provide", "legal_basis": "",
    "reply_text": "现将所申请的信息提供给您。", "replied_on": date(2020, 7, 6),
}  # fmt: skip
TEMPLATE_FIELDS = [c.field for c in COLUMNS if c.field != "organisation_code"]


def column_notes() -> list[tuple[str, str]]:
    return [
        (HEADERS["case_number"], _("Optional: the historical case number (unique); generated when empty.")),
        (HEADERS["organisation"], _("The agency applied to: its name or code (or use the 机构代码 column).")),
        (
            HEADERS["channel"],
            _("当面申请, 网上申请, 挂号信, 平信, 传真, 口头申请 or 电子邮件 (or the codes)."),
        ),
        (HEADERS["submitted_on"], _("Required date, YYYY-MM-DD.")),
        (
            HEADERS["received_on"],
            _(
                "The date of receipt (day 0 of the reply period); the date submitted if "
                "empty. It decides the rule set: 2008 or 2019 text."
            ),
        ),  # fmt: skip
        (HEADERS["applicant_type"], _("自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构 or 其他.")),
        (
            HEADERS["id_type"],
            _(
                "居民身份证, 护照, 港澳居民来往内地通行证, 台湾居民来往大陆通行证, 统一社会信用代码 "
                "or 其他; required with the number under the 2019 text."
            ),
        ),  # fmt: skip
        (HEADERS["id_number"], _("Identity card numbers are checked (check digit, date of birth).")),
        (HEADERS["info_form"], _("纸质, 电子文件, 光盘 or 查阅.")),
        (
            HEADERS["delivery"],
            _("邮寄 (needs an address), 电子邮件 (needs an e-mail), 当面领取 or 网上下载."),
        ),
        (HEADERS["correction_requested_on"], _("Optional: the date of the correction notice (补正).")),
        (HEADERS["correction_period_days"], _("Working days given to correct; 15 if empty.")),
        (
            HEADERS["corrected_on"],
            _("The date the corrected application arrived: the reply period restarts."),
        ),
        (
            HEADERS["extension_days"],
            _("Working days of extension: at most 15 (2008 text) or 20 (2019 text)."),
        ),
        (
            HEADERS["extension_on"],
            _("The date the extension was approved; the last day of the period if empty."),
        ),
        (
            HEADERS["extension_approved_by"],
            _("The user name of the office head who approved it; the importing user if empty."),
        ),  # fmt: skip
        (
            HEADERS["fee_amount"],
            _(
                "Yuan. 2019 text: checked against the pages (per page) or the applicant's "
                "applications that month (per application); 2008 text: recorded as the cost "
                "of copying."
            ),
        ),  # fmt: skip
        (HEADERS["fee_pages"], _("Pages charged per page (2019 text).")),
        (HEADERS["fee_issued_on"], _("Required with a fee: the date of the fee notice.")),
        (HEADERS["paid_on"], _("The date the fee was paid.")),
        (
            HEADERS["outcome"],
            _(
                "The result row of table 三 (予以公开, 部分公开, 属于国家秘密 …) or its code; empty "
                "for a case still open."
            ),
        ),  # fmt: skip
        (
            HEADERS["reply_type"],
            _(
                "The reply type code (r19_provide, r08_public …); may be empty when the result "
                "allows only one. r19_withdrawn / r08_withdrawn for a withdrawal."
            ),
        ),  # fmt: skip
        (
            HEADERS["legal_basis"],
            _("Required for partial disclosure, refusals and applications not processed."),
        ),
        (
            HEADERS["replied_on"],
            _(
                "The date of the reply; for a missed correction or fee period, the day the "
                "period ended (may be empty)."
            ),
        ),  # fmt: skip
    ]


def application_template(fmt: str) -> bytes:
    header = [HEADERS[f] for f in TEMPLATE_FIELDS]
    values = [TEMPLATE_EXAMPLE.get(f, "") for f in TEMPLATE_FIELDS]
    if fmt == "xlsx":
        import openpyxl
        from openpyxl.styles import Font

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "applications"
        sheet.append(header)
        sheet.append(values)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for cell in sheet[2]:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
        notes = workbook.create_sheet("notes")
        notes.append([_("Column"), _("What it holds")])
        for column, note in column_notes():
            notes.append([column, note])
        notes.column_dimensions["A"].width = 16
        notes.column_dimensions["B"].width = 100
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerow([v.isoformat() if isinstance(v, date) else v for v in values])
    return buffer.getvalue().encode("utf-8-sig")


@register_importer
class ApplicationsImporter(Importer):
    kind = "applications"
    help = "historical applications for disclosure (依申请公开) with their timeline, from CSV or XLSX"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file through the actions, store nothing"
        )

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        result = import_applications_file(
            data, filename, actor=actor, dry_run=options.get("dry_run", False), progress=progress
        )
        lines = [
            ngettext("%(n)s application imported.", "%(n)s applications imported.", result.created)
            % {"n": result.created},
            ngettext("%(n)s closed.", "%(n)s closed.", result.closed) % {"n": result.closed},
            ngettext("%(n)s answered late.", "%(n)s answered late.", result.late) % {"n": result.late},
        ]
        if options.get("dry_run"):
            lines.insert(0, _("The file is valid; nothing was stored (dry run)."))
        return lines

    def template(self, fmt: str) -> bytes:
        return application_template(fmt)
