"""The first pass of the applications import: the table and the check of every cell.

The columns (with the other headers each accepts), the words taken for each choice besides its
codes and labels, and :func:`parse_application_rows`, which reads the file and checks every row
without storing anything: formats, choices, the applicant as ``clean_applicant`` checks it, the
timeline against the rule set of the receipt date, the importing user's permissions. The second
pass, replaying the rows through the actions, is in ``gongkai.applications.imports``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongkai.applications import actions_base
from gongkai.applications.models import (
    ApplicantType,
    Application,
    Channel,
    Delivery,
    IdType,
    InfoForm,
)
from gongkai.applications.outcomes import Outcome, ReplyType, allowed_reply_types
from gongkai.applications.policies import ApplicationPolicy
from gongkai.applications.rules import NotInForce, RuleSet, rule_set_for
from gongkai.core.actions import ActionError
from gongkai.disclosure.bulk import ImportRejected, RowError
from gongkai.disclosure.imports import Column, FileRejected, map_header, parse_date, read_table
from gongkai.orgs.codes import normalise_code
from gongkai.orgs.models import Organisation
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.clock import REASON_MAX as clock_reason_max
from gongkai.workdays.engine import compute_due

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
DEFAULT_EXTENSION_REASON = "需要延长答复期限（历史数据，原延期理由未录入）。"
EXTENSION_REASON_MAX = clock_reason_max

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
SAME_DAY_CHANNELS = (Channel.IN_PERSON, Channel.ORAL)
WITHDRAWN = (ReplyType.R19_WITHDRAWN, ReplyType.R08_WITHDRAWN)
APPLICANT_COLUMNS = actions_base.APPLICANT_FIELDS
WITHDRAW_WORDS = ("撤回", "申请人撤回", "撤回申请", "withdrawn")  # as _key() leaves them


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
