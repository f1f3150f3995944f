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
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongkai.applications import actions, actions_base, actions_replies
from gongkai.applications.fees import FeeMode
from gongkai.applications.models import (
    ApplicantType,
    Application,
    ApplicationSerial,
    Channel,
    Delivery,
    IdType,
    InfoForm,
    Status,
)
from gongkai.applications.outcomes import Outcome, ReplyType, allowed_reply_types
from gongkai.applications.policies import ApplicationPolicy
from gongkai.applications.rules import NotInForce, RuleSet, rule_set_for
from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action
from gongkai.disclosure.bulk import ImportRejected, Progress, RowError
from gongkai.disclosure.imports import (
    Column,
    FileRejected,
    Importer,
    map_header,
    parse_date,
    read_table,
    register_importer,
)
from gongkai.notifications.models import Message, MessageStatus
from gongkai.notifications.send import topic_of
from gongkai.orgs.codes import normalise_code
from gongkai.orgs.models import Organisation
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.clock import REASON_MAX as clock_reason_max
from gongkai.workdays.engine import compute_due
from gongkai.workdays.models import Clock

# --- the table ----------------------------------------------------------------------------------

COLUMNS = [
    Column("case_number", "案件编号", ("case_number", "case_no", "申请编号", "编号")),
    Column("organisation", "受理机关", ("organisation", "organization", "agency", "被申请机关", "受理单位")),
    Column("organisation_code", "机构代码", ("organisation_code", "organization_code", "org_code")),
    Column("channel", "申请方式", ("channel", "申请渠道"), required=True),
    Column("submitted_on", "提交日期", ("submitted_on", "submitted", "申请日期"), required=True),
    Column("received_on", "收到日期", ("received_on", "received", "收到申请日期", "受理日期")),
    Column("applicant_type", "申请人类型", ("applicant_type",), required=True),
    Column(
        "applicant_name", "申请人", ("applicant_name", "applicant", "申请人姓名或名称", "姓名"), required=True
    ),
    Column("id_type", "证件类型", ("id_type", "身份证明类型")),
    Column("id_number", "证件号码", ("id_number", "身份证号码", "身份证号")),
    Column("legal_representative", "法定代表人", ("legal_representative",)),
    Column("contact_person", "联系人", ("contact_person",)),
    Column("phone", "联系电话", ("phone", "telephone", "电话")),
    Column("email", "电子邮箱", ("email", "e-mail", "邮箱")),
    Column("address", "通信地址", ("address", "地址", "联系地址")),
    Column("postcode", "邮政编码", ("postcode", "邮编")),
    Column(
        "info_title", "所需信息名称", ("info_title", "title", "信息名称", "所需政府信息名称"), required=True
    ),
    Column("info_number", "所需信息文号", ("info_number", "文号")),
    Column("description", "所需信息描述", ("description", "内容描述", "信息描述")),
    Column("purpose", "用途", ("purpose",)),
    Column("info_form", "信息载体形式", ("info_form", "载体形式", "信息形式"), required=True),
    Column("delivery", "获取方式", ("delivery", "获取信息方式", "送达方式"), required=True),
    Column("correction_requested_on", "补正告知日期", ("correction_requested_on", "补正日期")),
    Column("correction_items", "补正事项", ("correction_items", "补正内容")),
    Column("correction_period_days", "补正期限", ("correction_period_days", "补正期限工作日")),
    Column("corrected_on", "补正收到日期", ("corrected_on", "补正完成日期")),
    Column("extension_days", "延期工作日", ("extension_days", "延期天数", "延长期限")),
    Column("extension_on", "延期批准日期", ("extension_on", "extension_date", "延期日期")),
    Column("extension_approved_by", "延期批准人", ("extension_approved_by", "approved_by")),
    Column("extension_reason", "延期理由", ("extension_reason",)),
    Column("fee_amount", "收费金额", ("fee_amount", "fee", "信息处理费")),
    Column("fee_pages", "收费页数", ("fee_pages", "pages", "页数")),
    Column("fee_issued_on", "收费通知日期", ("fee_issued_on", "fee_notice_on")),
    Column("paid_on", "缴费日期", ("paid_on", "fee_paid_on")),
    Column("fee_receipt", "收据号", ("fee_receipt", "receipt_number", "票据号")),
    Column("outcome", "办理结果", ("outcome", "result", "处理结果")),
    Column("reply_type", "答复类型", ("reply_type",)),
    Column("legal_basis", "法律依据", ("legal_basis", "依据")),
    Column("reply_text", "答复内容", ("reply_text", "reply", "答复")),
    Column("replied_on", "答复日期", ("replied_on", "replied", "办结日期")),
]
HEADERS = {c.field: c.header for c in COLUMNS}

DEFAULT_CORRECTION_ITEMS = "申请内容不明确，请予更改、补充（历史数据，原补正事项未录入）。"
DEFAULT_CORRECTION_PERIOD = 15
DEFAULT_CORRECTION_TEXT = "申请人已提交补正材料（历史数据）。"
DEFAULT_EXTENSION_REASON = "需要延长答复期限（历史数据，原延期理由未录入）。"
EXTENSION_REASON_MAX = clock_reason_max
DEFAULT_RECEIPT = "（历史数据）"
DEFAULT_FEE_INSTRUCTIONS = "（历史数据）"

# Chinese words for the choices, besides the codes and the labels in English and Chinese.
CHANNEL_WORDS = {
    "网上": Channel.ONLINE, "网上申请": Channel.ONLINE, "在线申请": Channel.ONLINE, "网络": Channel.ONLINE,
    "当面": Channel.IN_PERSON, "当面申请": Channel.IN_PERSON, "现场": Channel.IN_PERSON, "当面提交": Channel.IN_PERSON,
    "挂号信": Channel.REGISTERED_MAIL, "ems": Channel.REGISTERED_MAIL, "邮政特快专递": Channel.REGISTERED_MAIL,
    "平信": Channel.ORDINARY_MAIL, "信函": Channel.ORDINARY_MAIL, "邮寄": Channel.ORDINARY_MAIL,
    "传真": Channel.FAX, "口头": Channel.ORAL, "口头申请": Channel.ORAL,
    "电子邮件": Channel.EMAIL, "邮件": Channel.EMAIL, "电邮": Channel.EMAIL,
}  # fmt: skip
APPLICANT_WORDS = {
    "自然人": ApplicantType.PERSON, "个人": ApplicantType.PERSON, "公民": ApplicantType.PERSON,
    "商业企业": ApplicantType.BUSINESS, "企业": ApplicantType.BUSINESS, "公司": ApplicantType.BUSINESS,
    "科研机构": ApplicantType.RESEARCH, "社会公益组织": ApplicantType.NONPROFIT,
    "法律服务机构": ApplicantType.LEGAL, "律师事务所": ApplicantType.LEGAL,
    "其他": ApplicantType.OTHER_ORG, "其他组织": ApplicantType.OTHER_ORG,
}  # fmt: skip
ID_WORDS = {
    "居民身份证": IdType.RESIDENT_ID, "身份证": IdType.RESIDENT_ID, "护照": IdType.PASSPORT,
    "港澳居民来往内地通行证": IdType.HK_MACAO, "回乡证": IdType.HK_MACAO,
    "台湾居民来往大陆通行证": IdType.TAIWAN, "台胞证": IdType.TAIWAN,
    "统一社会信用代码": IdType.CREDIT_CODE, "营业执照": IdType.CREDIT_CODE, "其他": IdType.OTHER,
    "其他证件": IdType.OTHER,
}  # fmt: skip
FORM_WORDS = {
    "纸质": InfoForm.PAPER, "纸质文本": InfoForm.PAPER, "纸面": InfoForm.PAPER,
    "电子文件": InfoForm.ELECTRONIC, "电子": InfoForm.ELECTRONIC, "电子文档": InfoForm.ELECTRONIC,
    "光盘": InfoForm.DATA_COPY, "磁盘": InfoForm.DATA_COPY, "光盘、磁盘": InfoForm.DATA_COPY,
    "查阅": InfoForm.VIEW, "现场查阅": InfoForm.VIEW,
}  # fmt: skip
DELIVERY_WORDS = {
    "邮寄": Delivery.POST, "邮政寄送": Delivery.POST, "电子邮件": Delivery.EMAIL, "邮件": Delivery.EMAIL,
    "当面领取": Delivery.COLLECT, "自行领取": Delivery.COLLECT, "领取": Delivery.COLLECT,
    "网上下载": Delivery.DOWNLOAD, "在线下载": Delivery.DOWNLOAD, "下载": Delivery.DOWNLOAD,
}  # fmt: skip
FEE_MODE_DEFAULTS = {
    "2019": (FeeMode.PER_PAGE, FeeMode.PER_APPLICATION),
    "2008": (FeeMode.COST, FeeMode.COST),
}
SAME_DAY_CHANNELS = (Channel.IN_PERSON, Channel.ORAL)
WITHDRAWN = (ReplyType.R19_WITHDRAWN, ReplyType.R08_WITHDRAWN)
LAPSES = (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID)
APPLICANT_COLUMNS = actions_base.APPLICANT_FIELDS
WITHDRAW_WORDS = ("撤回", "申请人撤回", "撤回申请", "withdrawn")  # as _key() leaves them
CASE_NUMBER = re.compile(r"^YSQ(\d{4})(\d{6})$")


def _key(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip().casefold()


def _words(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    """Codes, English and Chinese labels, and the extra words, normalised, to the code."""
    words = {_key(value): value for value in choices.values}
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            words.update({_key(str(label)): value for value, label in choices.choices})
    words.update({_key(k): v for k, v in extra.items()})
    return words


def _outcome_words() -> dict[str, str]:
    words = _words(Outcome, {})
    for value, label in Outcome.choices:
        match = re.search(r"[（(]([^（()）]+)[)）]$", str(label))
        if match:  # the table 三 row name given in the label, e.g. 予以公开
            words.setdefault(_key(match.group(1)), value)
    words[_key("其他处理")] = Outcome.OTHER
    words.update({word: Outcome.OTHER for word in WITHDRAW_WORDS})
    return words


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def mask_name(name: str, applicant_type: str = ApplicantType.PERSON) -> str:
    """A person's name with all but the first character hidden (李明 → 李*); organisations as they are."""
    name = (name or "").strip()
    if applicant_type != ApplicantType.PERSON or not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


# --- parsing ------------------------------------------------------------------------------------


@dataclass
class ApplicationRow:
    """One historical application, checked, ready to be replayed through the actions."""

    row: int
    organisation: Organisation
    channel: str
    submitted_on: date
    received_on: date
    rules: RuleSet
    fields: dict[str, Any]  # the applicant fields, as clean_applicant returned them
    case_number: str = ""
    correction_requested_on: date | None = None
    correction_items: str = ""
    correction_period_days: int = DEFAULT_CORRECTION_PERIOD
    corrected_on: date | None = None
    extension_days: int | None = None
    extension_on: date | None = None
    extension_approved_by: Any = None
    extension_reason: str = ""
    fee_amount: Decimal | None = None
    fee_pages: int | None = None
    fee_issued_on: date | None = None
    paid_on: date | None = None
    fee_receipt: str = ""
    outcome: str = ""
    reply_type: str = ""
    legal_basis: str = ""
    reply_text: str = ""
    replied_on: date | None = None

    @property
    def has_fee(self) -> bool:
        return bool(self.fee_pages) or bool(self.fee_amount)


@dataclass
class ParsedApplications:
    rows: list[ApplicationRow]
    errors: list[RowError]
    labels: dict[str, str]  # field → the header used in the file


def _organisations() -> tuple[dict[str, Organisation], dict[str, list[Organisation]]]:
    by_code: dict[str, Organisation] = {}
    by_name: dict[str, list[Organisation]] = {}
    for org in Organisation.objects.order_by("path", "id"):
        by_code[_key(normalise_code(org.code))] = org
        for name in dict.fromkeys(n for n in (org.name, org.short_name) if n):
            by_name.setdefault(_key(name), []).append(org)
    return by_code, by_name


def parse_application_rows(data: bytes, filename: str = "", *, actor: Any) -> ParsedApplications:
    """Read an applications table; every cell is checked and every problem collected."""
    table = read_table(data, filename)
    index, used, errors = map_header(table.header, COLUMNS)
    labels = {**HEADERS, **used}
    for col in COLUMNS:
        if col.required and col.field not in index:
            errors.append(RowError(None, col.header, _("The column is missing.")))
    if "organisation" not in index and "organisation_code" not in index:
        errors.append(RowError(None, HEADERS["organisation"], _("The column is missing.")))
    if errors:
        raise ImportRejected(errors)

    today = timezone.localdate()
    by_code, by_name = _organisations()
    words = {
        "channel": _words(Channel, CHANNEL_WORDS), "applicant_type": _words(ApplicantType, APPLICANT_WORDS),
        "id_type": _words(IdType, ID_WORDS), "info_form": _words(InfoForm, FORM_WORDS),
        "delivery": _words(Delivery, DELIVERY_WORDS), "outcome": _outcome_words(),
        "reply_type": _words(ReplyType, {}),
    }  # fmt: skip
    users: dict[str, Any] = {}
    seen_numbers: dict[str, int] = {}
    policy = ApplicationPolicy()
    rows: list[ApplicationRow] = []

    def cell(cells: list[Any], name: str) -> Any:
        i = index.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    for number, cells in table.rows:
        problems: list[RowError] = []

        def bad(name: str, message: str, number: int = number, problems: list[RowError] = problems) -> None:
            problems.append(RowError(number, labels[name], message))

        def text(name: str) -> str:
            return _text(cell(cells, name))  # noqa: B023 (used within this iteration only)

        def day(name: str) -> date | None:
            raw = cell(cells, name)  # noqa: B023
            try:
                value = parse_date(raw)
            except (ValueError, OverflowError):
                bad(name, _("“%(value)s” is not a valid date (use YYYY-MM-DD).") % {"value": _text(raw)})
                return None
            if value is not None and value > today:
                bad(name, _("The date cannot be in the future."))
                return None
            return value

        def choice(name: str) -> str:
            raw = text(name)
            if not raw:
                return ""
            value = words[name].get(_key(raw))
            if value is None:
                bad(name, _("Unknown value “%(value)s”.") % {"value": raw})
                return ""
            return value

        def whole(name: str, low: int, high: int) -> int | None:
            raw = text(name)
            if not raw:
                return None
            try:
                number = Decimal(raw)
                if not number.is_finite() or number != number.to_integral_value():  # inf, NaN, 1.5
                    raise ValueError(raw)
            except (InvalidOperation, ValueError):
                bad(name, _("“%(value)s” is not a whole number.") % {"value": raw})
                return None
            if not low <= number <= high:  # compared as a Decimal: int() of 1e999999999 never ends
                bad(name, _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high})
                return None
            return int(number)

        def user(name: str) -> Any:
            raw = text(name)
            if not raw:
                return None
            if raw not in users:
                users[raw] = get_user_model().objects.filter(username=raw, is_active=True).first()
            if users[raw] is None:
                bad(name, _("No active user called “%(value)s”.") % {"value": raw})
            return users[raw]

        org = _organisation(text("organisation"), text("organisation_code"), by_code, by_name, bad)
        channel = choice("channel")
        submitted_on, received_on = day("submitted_on"), day("received_on")
        if submitted_on is None and not text("submitted_on"):
            bad("submitted_on", _("This value is required."))
        received_on = received_on or submitted_on
        rules = None
        if received_on is not None:
            try:
                rules = rule_set_for(received_on)
            except NotInForce:
                bad("received_on", _("No regulation on disclosure applied before 1 May 2008."))
            if submitted_on is not None and received_on < submitted_on:
                bad("received_on", _("The application cannot be received before it was submitted."))
            elif channel in SAME_DAY_CHANNELS and submitted_on is not None and received_on != submitted_on:
                bad(
                    "received_on",
                    _("An application made in person or orally is received the day it is made."),
                )
        if not channel and not text("channel"):
            bad("channel", _("This value is required."))

        # The applicant, checked as the actions check it (identity card numbers included).
        fields = {name: text(name) for name in APPLICANT_COLUMNS}
        for name in ("applicant_type", "id_type", "info_form", "delivery"):
            if fields[name]:
                fields[name] = choice(name) or fields[name]
        if rules is not None:
            reported = {p.column for p in problems}
            try:
                fields = actions_base.clean_applicant(fields, rules, on=submitted_on)
            except ActionError as exc:
                for name, messages in exc.message_dict.items():
                    column = name if name in labels else "applicant_name"
                    if labels[column] not in reported:  # a choice already reported as unknown
                        for message in messages:
                            bad(column, message)

        case_number = unicodedata.normalize("NFKC", text("case_number")).strip().upper()
        if case_number:
            if len(case_number) > 20:
                bad("case_number", _("A case number has at most 20 characters."))
            elif case_number in seen_numbers:
                bad("case_number", _("The case number is already used in row %(row)s.")
                    % {"row": seen_numbers[case_number]})  # fmt: skip
            else:
                seen_numbers[case_number] = number

        extension_reason = text("extension_reason")
        if len(extension_reason) > EXTENSION_REASON_MAX:  # PostgreSQL would refuse it (a 500, not a reason)
            bad("extension_reason", _("At most %(n)s characters.") % {"n": EXTENSION_REASON_MAX})

        row = ApplicationRow(
            row=number, organisation=org, channel=channel, submitted_on=submitted_on, received_on=received_on,
            rules=rules, fields=fields, case_number=case_number,
            correction_requested_on=day("correction_requested_on"),
            correction_items=text("correction_items") or DEFAULT_CORRECTION_ITEMS,
            correction_period_days=whole("correction_period_days", 1, 60) or DEFAULT_CORRECTION_PERIOD,
            corrected_on=day("corrected_on"), extension_days=whole("extension_days", 1, 60),
            extension_on=day("extension_on"), extension_approved_by=user("extension_approved_by"),
            extension_reason=extension_reason or DEFAULT_EXTENSION_REASON,
            fee_amount=_amount(text("fee_amount"), bad), fee_pages=whole("fee_pages", 0, 1_000_000),
            fee_issued_on=day("fee_issued_on"), paid_on=day("paid_on"), fee_receipt=text("fee_receipt")[:60],
            outcome=choice("outcome"), reply_type=choice("reply_type"), legal_basis=text("legal_basis"),
            reply_text=text("reply_text"), replied_on=day("replied_on"),
        )  # fmt: skip
        said_withdrawn = _key(text("outcome")) in WITHDRAW_WORDS
        if said_withdrawn and row.outcome == Outcome.OTHER and not row.reply_type and rules is not None:
            row.reply_type = ReplyType.R19_WITHDRAWN if rules.code == "2019" else ReplyType.R08_WITHDRAWN
        if rules is not None and received_on is not None and not problems:
            _check_timeline(row, bad, today)
        if org is not None and not problems:
            _check_permission(row, actor, policy, bad)
        if problems:
            errors.extend(problems)
            continue
        rows.append(row)

    if seen_numbers:
        taken = set(
            Application.objects.filter(case_number__in=list(seen_numbers)).values_list(
                "case_number", flat=True
            )
        )
        for case_number in sorted(taken, key=seen_numbers.get):
            errors.append(RowError(seen_numbers[case_number], labels["case_number"],
                                   _("An application with this case number exists already.")))  # fmt: skip
        rows = [r for r in rows if r.case_number not in taken]
    if not rows and not errors:
        raise FileRejected(_("The file has a header but no rows."))
    return ParsedApplications(rows, errors, labels)


def _organisation(
    name: str, code: str, by_code: dict[str, Organisation], by_name: dict[str, list[Organisation]],
    bad: Callable[[str, str], None],
) -> Organisation | None:  # fmt: skip
    found_by_code = None
    if code:
        found_by_code = by_code.get(_key(normalise_code(code)))
        if found_by_code is None:
            bad("organisation_code", _("Unknown organisation “%(value)s”.") % {"value": code})
            return None
    if name:
        found = by_name.get(_key(name), [])
        if not found and _key(normalise_code(name)) in by_code:
            found = [by_code[_key(normalise_code(name))]]
        if found_by_code is not None:
            if found_by_code not in found:
                bad("organisation", _("The organisation does not match the organisation code."))
                return None
            return found_by_code
        if not found:
            bad("organisation", _("Unknown organisation “%(value)s”.") % {"value": name})
            return None
        if len(found) > 1:
            bad(
                "organisation",
                _("“%(value)s” names more than one organisation; give its code.") % {"value": name},
            )
            return None
        return found[0]
    if found_by_code is None:
        bad("organisation", _("Give the agency the application was made to."))
    return found_by_code


def _amount(raw: str, bad: Callable[[str, str], None]) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw.replace(",", "").replace("元", "").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > 1_000_000:
        bad("fee_amount", _("“%(value)s” is not an amount in yuan.") % {"value": raw})
        return None
    return value.quantize(Decimal("0.01"))


def _check_timeline(row: ApplicationRow, bad: Callable[[str, str], None], today: date) -> None:
    """Dates in order; a correction, extension, fee and result consistent with the rule set."""
    rules = row.rules
    cal = get_calendar()

    def after(name: str, value: date | None, earlier: str, limit: date | None) -> None:
        if value is not None and limit is not None and value < limit:
            bad(name, _("This date comes before “%(other)s” (%(date)s).")
                % {"other": HEADERS[earlier], "date": limit.isoformat()})  # fmt: skip

    # 补正
    after("correction_requested_on", row.correction_requested_on, "received_on", row.received_on)
    if row.corrected_on is not None and row.correction_requested_on is None:
        bad("correction_requested_on", _("Give the date of the correction notice."))
    after("corrected_on", row.corrected_on, "correction_requested_on", row.correction_requested_on)
    handling_from = row.corrected_on or row.received_on
    correction_pending = row.correction_requested_on is not None and row.corrected_on is None

    # Extension
    if row.extension_days is not None:
        if row.extension_days > rules.extension_days:
            bad("extension_days", _("The %(rules)s allows at most %(n)s working days of extension.")
                % {"rules": rules.label, "n": rules.extension_days})  # fmt: skip
        after("extension_on", row.extension_on, "received_on", row.received_on)
    elif row.extension_on is not None or (row.extension_approved_by is not None):
        bad("extension_days", _("Give the number of working days of the extension."))

    # Fee
    if row.has_fee:
        if row.fee_issued_on is None:
            bad("fee_issued_on", _("Give the date of the fee notice."))
        elif correction_pending:
            bad("fee_issued_on", _("No fee notice while the application awaits its correction."))
        after("fee_issued_on", row.fee_issued_on, "corrected_on" if row.corrected_on else "received_on",
              handling_from)  # fmt: skip
        after("paid_on", row.paid_on, "fee_issued_on", row.fee_issued_on)
        if rules.code == "2008" and not row.fee_amount:
            bad("fee_amount", _("Under the 2008 text give the amount charged (the cost of search, copying and "
                                "postage)."))  # fmt: skip
    elif row.paid_on is not None or row.fee_issued_on is not None:
        bad("fee_amount", _("Give the amount (or the pages) of the fee."))

    # Result
    outcome = row.outcome
    if not outcome:
        for name in ("reply_type", "legal_basis", "reply_text", "replied_on"):
            if getattr(row, name):
                bad("outcome", _("Give the result of the application (or leave “%(column)s” empty).")
                    % {"column": HEADERS[name]})  # fmt: skip
                return
        return
    allowed = allowed_reply_types(rules.code, outcome)
    if not allowed:
        bad("outcome", _("This result does not exist under the %(rules)s (received %(date)s).")
            % {"rules": rules.label, "date": row.received_on.isoformat()})  # fmt: skip
        return
    if not row.reply_type:
        if len(allowed) == 1:
            row.reply_type = allowed[0]
        else:
            bad("reply_type", _("Give the reply type: %(types)s.") % {"types": ", ".join(allowed)})
            return
    elif row.reply_type not in allowed:
        bad("reply_type", _("This reply type is not allowed for this result under the %(rules)s (received "
                            "%(date)s); use %(types)s.")
            % {"rules": rules.label, "date": row.received_on.isoformat(), "types": ", ".join(allowed)})  # fmt: skip
        return
    needs_basis = outcome == Outcome.PARTIAL or outcome.startswith(("refuse_", "noprocess_"))
    if needs_basis and not row.legal_basis:
        bad("legal_basis", _("Give the legal ground for what is withheld or not processed."))
    withdrawn = row.reply_type in WITHDRAWN
    if outcome == Outcome.OTHER_NO_CORRECTION:
        if not correction_pending:
            bad("corrected_on", _("A case closed for a missed correction has a correction notice and no "
                                  "correction."))  # fmt: skip
            return
        due = compute_due(cal, row.correction_requested_on, row.correction_period_days).due
        _check_lapse(row, bad, due, today)
    elif outcome == Outcome.OTHER_FEE_UNPAID:
        if not row.has_fee or row.paid_on is not None or row.fee_issued_on is None:
            bad("paid_on", _("A case closed for an unpaid fee has a fee notice and no payment."))
            return
        due = compute_due(cal, row.fee_issued_on, rules.fee_payment_days).due
        _check_lapse(row, bad, due, today)
    else:
        if row.replied_on is None:
            bad("replied_on", _("Give the date of the reply."))
            return
        if correction_pending and not withdrawn:
            bad("corrected_on", _("Give the date the correction arrived (the case was answered)."))
        if row.has_fee and row.paid_on is None and not withdrawn:
            bad("paid_on", _("Give the date the fee was paid (the case was answered)."))
        last = max(
            (d, n) for d, n in (
                (row.received_on, "received_on"), (row.correction_requested_on, "correction_requested_on"),
                (row.corrected_on, "corrected_on"), (row.extension_on, "extension_on"),
                (row.fee_issued_on, "fee_issued_on"), (row.paid_on, "paid_on"),
            ) if d is not None
        )  # fmt: skip
        after("replied_on", row.replied_on, last[1], last[0])


def _check_lapse(row: ApplicationRow, bad: Callable[[str, str], None], due: date, today: date) -> None:
    """A case closed because a period passed closes the day that period ended."""
    if due >= today:
        bad("outcome", _("The period runs until %(date)s: the case cannot be closed for it yet.")
            % {"date": due.isoformat()})  # fmt: skip
    elif row.replied_on is not None and row.replied_on != due:
        bad(
            "replied_on",
            _("Such a case closes on the day the period ended (%(date)s).") % {"date": due.isoformat()},
        )
    row.replied_on = due


def _check_permission(row: ApplicationRow, actor: Any, policy: ApplicationPolicy, bad: Any) -> None:
    probe = Application(organisation=row.organisation)
    if not policy.can(actor, "handle", probe):
        bad(
            "organisation",
            _("You may not register applications of %(org)s.") % {"org": row.organisation.name},
        )
    elif row.outcome and not policy.can(actor, "reply", probe):
        bad(
            "organisation",
            _("You may not reply to applications of %(org)s.") % {"org": row.organisation.name},
        )


# --- storing ------------------------------------------------------------------------------------


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
