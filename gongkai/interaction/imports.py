"""Importing historical letters and calls (``gongkai import letters FILE``).

One row per letter, call or forwarded case: the channel (by name), the category, the day of
receipt, the writer, the text, whether it was valid (and why not), the lead unit (code or
name) and the day it was assigned, the reply and the day it was approved, and the rating
recorded on calling back. A call answered on the spot has its reply and 当场答复 = 是.

Every cell is checked first and every problem reported with its row and column; then the
rows are replayed through the actions (``register_letter``, ``triage_letter``,
``assign_letter``, ``draft_letter_reply``, ``approve_reply``, ``rate_letter``) with their
historical dates, all or nothing. Nobody is told about historical letters: the messages the
actions queue are dropped.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from gongkai.interaction import actions
from gongkai.interaction.actions import MAX_BODY, MIN_BODY
from gongkai.interaction.models import Category, Channel, ChannelKind, InvalidReason, Letter, Rating
from gongkai.interaction.policies import LetterPolicy
from gongkai.notifications.models import Message, MessageStatus
from gongkai.notifications.send import topic_of
from gongkai.orgs.codes import normalise_code
from gongkai.orgs.models import Organisation

COLUMNS = [
    Column("channel", "渠道", ("channel", "来信渠道", "信箱"), required=True),
    Column("category", "类别", ("category", "信件类别", "诉求类别"), required=True),
    Column("received_on", "收到日期", ("received_on", "received", "来信日期", "来电日期"), required=True),
    Column("writer_name", "姓名", ("writer_name", "name", "来信人", "来电人"), required=True),
    Column("phone", "联系电话", ("phone", "telephone", "电话")),
    Column("email", "电子邮箱", ("email", "e-mail", "邮箱")),
    Column("address", "地址", ("address", "联系地址")),
    Column("subject", "标题", ("subject", "title", "主题"), required=True),
    Column("body", "内容", ("body", "text", "来信内容", "诉求内容"), required=True),
    Column("publish_consent", "同意公开", ("publish_consent", "是否公开")),
    Column("valid", "是否有效", ("valid", "有效")),
    Column("invalid_reason", "无效原因", ("invalid_reason", "reason")),
    Column("duplicate_of_row", "重复件原件行号", ("duplicate_of_row", "原件行号")),
    Column("external_number", "转办编号", ("external_number", "外部编号", "市长热线编号")),
    Column("forwarded_on", "转办日期", ("forwarded_on",)),
    Column("external_limit_days", "转办时限", ("external_limit_days", "办理时限")),
    Column("answered_on_spot", "当场答复", ("answered_on_spot",)),
    Column("lead_unit", "承办单位", ("lead_unit", "lead_unit_code", "承办单位代码", "主办单位")),
    Column("assigned_on", "交办日期", ("assigned_on", "assigned")),
    Column("reply", "答复内容", ("reply", "reply_text", "答复")),
    Column("replied_on", "答复日期", ("replied_on", "replied", "办结日期")),
    Column("rating", "评价", ("rating", "满意度")),
]
HEADERS = {c.field: c.header for c in COLUMNS}

YES = {"是", "y", "yes", "true", "1", "有效", "同意", "√"}
NO = {"否", "n", "no", "false", "0", "无效", "不同意", ""}
REASON_WORDS = {
    "垃圾信息": InvalidReason.SPAM, "垃圾": InvalidReason.SPAM, "广告": InvalidReason.SPAM, "测试": InvalidReason.SPAM,
    "重复": InvalidReason.DUPLICATE, "重复件": InvalidReason.DUPLICATE, "重复来信": InvalidReason.DUPLICATE,
    "辱骂": InvalidReason.ABUSIVE, "不属管辖": InvalidReason.OUT_OF_SCOPE, "超出范围": InvalidReason.OUT_OF_SCOPE,
    "不属受理范围": InvalidReason.OUT_OF_SCOPE, "信访": InvalidReason.PETITION, "信访事项": InvalidReason.PETITION,
    "无内容": InvalidReason.EMPTY, "空白": InvalidReason.EMPTY,
}  # fmt: skip
RATING_WORDS = {"满意": Rating.SATISFIED, "基本满意": Rating.BASIC, "不满意": Rating.NOT}


def _key(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip().casefold()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _words(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    out = {_key(v): v for v in choices.values}
    out.update({_key(str(label)): v for v, label in choices.choices})
    out.update({_key(k): v for k, v in extra.items()})
    return out


@dataclass
class LetterRow:
    row: int
    channel: Channel
    category: Category
    received_on: date
    fields: dict[str, Any]
    valid: bool = True
    invalid_reason: str = ""
    duplicate_of_row: int | None = None
    external_number: str = ""
    forwarded_on: date | None = None
    external_limit_days: int | None = None
    answered_on_spot: bool = False
    lead_unit: Organisation | None = None
    assigned_on: date | None = None
    reply: str = ""
    replied_on: date | None = None
    rating: str = ""


@dataclass
class ParsedLetters:
    rows: list[LetterRow] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def parse_letter_rows(data: bytes, filename: str = "", *, actor: Any) -> ParsedLetters:
    """Read a letters table; every cell is checked and every problem collected."""
    table = read_table(data, filename)
    index, used, errors = map_header(table.header, COLUMNS)
    labels = {**HEADERS, **used}
    for col in COLUMNS:
        if col.required and col.field not in index:
            errors.append(RowError(None, col.header, _("The column is missing.")))
    if errors:
        raise ImportRejected(errors)
    today = timezone.localdate()
    channels: dict[str, list[Channel]] = {}
    for channel in Channel.objects.filter(is_active=True).select_related("organisation"):
        channels.setdefault(_key(channel.name), []).append(channel)
    categories = {}
    for cat in Category.objects.filter(is_active=True):
        categories[_key(cat.code)] = categories[_key(cat.name)] = cat
    units_by_code: dict[str, Organisation] = {}
    units_by_name: dict[str, list[Organisation]] = {}
    for org in Organisation.objects.filter(is_active=True).order_by("path", "id"):
        units_by_code[_key(normalise_code(org.code))] = org
        for name in dict.fromkeys(n for n in (org.name, org.short_name) if n):
            units_by_name.setdefault(_key(name), []).append(org)
    reasons = _words(InvalidReason, REASON_WORDS)
    ratings = _words(Rating, RATING_WORDS)
    policy = LetterPolicy()
    parsed = ParsedLetters(labels=labels, errors=errors)
    numbers: set[int] = set()

    for number, cells in table.rows:
        problems: list[RowError] = []

        def bad(name: str, message: str, number: int = number, problems: list[RowError] = problems) -> None:
            problems.append(RowError(number, labels[name], message))

        def text(name: str, cells: list[Any] = cells) -> str:
            i = index.get(name)
            return _text(cells[i]) if i is not None and i < len(cells) else ""

        def day(name: str, cells: list[Any] = cells) -> date | None:
            i = index.get(name)
            raw = cells[i] if i is not None and i < len(cells) else None
            try:
                value = parse_date(raw)
            except ValueError:
                bad(name, _("Not a date: “%(value)s”.") % {"value": _text(raw)})
                return None
            if value is not None and value > today:
                bad(name, _("The date cannot be in the future."))
            return value

        def yes_no(name: str, default: bool) -> bool:
            raw = text(name)
            if not raw:
                return default
            if _key(raw) in YES:
                return True
            if _key(raw) in NO:
                return False
            bad(name, _("Write 是 or 否."))
            return default

        numbers.add(number)
        found = channels.get(_key(text("channel")), [])
        channel = found[0] if len(found) == 1 else None
        if not found:
            bad("channel", _("No active channel of that name."))
        elif len(found) > 1:
            bad("channel", _("Several governments have a channel of that name."))
        elif not policy.can(
            actor, "handle", Letter(organisation_id=channel.organisation_id, channel=channel)
        ):
            bad("channel", _("You may not register letters of %(org)s.") % {"org": channel.organisation.name})
            channel = None
        category = categories.get(_key(text("category")))
        if category is None:
            bad("category", _("Unknown category; use one of: %(choices)s.")
                % {"choices": ", ".join(sorted({c.name for c in categories.values()}))})  # fmt: skip
        received_on = day("received_on")
        if received_on is None and "received_on" in index and not text("received_on"):
            bad("received_on", _("Give the date."))
        fields = {
            name: text(name) for name in ("writer_name", "phone", "email", "address", "subject", "body")
        }
        for name, limit in (("writer_name", 100), ("phone", 40), ("address", 300), ("subject", 200)):
            if len(fields[name]) > limit:
                bad(name, _("At most %(n)s characters.") % {"n": limit})
        for name in ("writer_name", "subject"):
            if not fields[name]:
                bad(name, _("Required."))
        if not MIN_BODY <= len(fields["body"]) <= MAX_BODY:
            bad("body", _("Write %(min)s to %(max)s characters.") % {"min": MIN_BODY, "max": MAX_BODY})
        fields["publish_consent"] = yes_no("publish_consent", False)
        row = LetterRow(number, channel, category, received_on or today, fields)  # type: ignore[arg-type]
        row.valid = yes_no("valid", True)
        reason = text("invalid_reason")
        if not row.valid:
            row.invalid_reason = reasons.get(_key(reason), "")
            if not row.invalid_reason:
                bad("invalid_reason", _("Give why the letter is not valid (%(choices)s).")
                    % {"choices": ", ".join(str(label) for _v, label in InvalidReason.choices)})  # fmt: skip
            if row.invalid_reason == InvalidReason.DUPLICATE:
                try:
                    row.duplicate_of_row = int(text("duplicate_of_row"))
                except ValueError:
                    bad("duplicate_of_row", _("Give the row number of the original letter in this file."))
        row.external_number = text("external_number")
        row.forwarded_on = day("forwarded_on")
        limit_text = text("external_limit_days")
        if limit_text:
            try:
                row.external_limit_days = int(limit_text)
                if not 1 <= row.external_limit_days <= 365:
                    raise ValueError
            except ValueError:
                bad("external_limit_days", _("Give 1 to 365 working days."))
        if channel is not None and channel.kind == ChannelKind.FORWARDED:
            for name, value in (("external_number", row.external_number), ("forwarded_on", row.forwarded_on),
                                ("external_limit_days", row.external_limit_days)):  # fmt: skip
                if not value and not any(p.column == labels[name] for p in problems):
                    bad(name, _("Required for a forwarded case."))
            if row.forwarded_on and received_on and row.forwarded_on > received_on:
                bad("forwarded_on", _("The case cannot be forwarded after it was received."))
        row.answered_on_spot = yes_no("answered_on_spot", False)
        unit_text = text("lead_unit")
        if unit_text:
            unit = units_by_code.get(_key(normalise_code(unit_text)))
            if unit is None:
                named = units_by_name.get(_key(unit_text), [])
                if channel is not None:
                    named = [u for u in named if u.path.startswith(channel.organisation.path)]
                unit = named[0] if len(named) == 1 else None
            if unit is None or (channel is not None and not unit.path.startswith(channel.organisation.path)):
                bad("lead_unit", _("No single active unit of this government with that code or name."))
            row.lead_unit = unit
        row.assigned_on = day("assigned_on")
        row.reply = text("reply")
        row.replied_on = day("replied_on")
        rating = text("rating")
        if rating:
            row.rating = ratings.get(_key(rating), "")
            if not row.rating:
                bad("rating", _("Write 满意, 基本满意 or 不满意."))
        # The timeline.
        if not row.valid:
            for name in ("lead_unit", "assigned_on", "reply", "replied_on", "rating"):
                if text(name):
                    bad(name, _("An invalid letter has no handling."))
        elif row.answered_on_spot:
            if channel is not None and channel.kind != ChannelKind.HOTLINE:
                bad("answered_on_spot", _("Only a call can be answered on the spot."))
            if len(row.reply) < MIN_BODY:
                bad("reply", _("Write at least %(n)s characters.") % {"n": MIN_BODY})
            for name in ("lead_unit", "assigned_on"):
                if text(name):
                    bad(name, _("A call answered on the spot is not assigned."))
        else:
            if bool(unit_text) != bool(text("assigned_on")):
                bad("assigned_on" if unit_text else "lead_unit",
                    _("Give the lead unit and the day it was assigned together."))  # fmt: skip
            if row.assigned_on and received_on and row.assigned_on < received_on:
                bad("assigned_on", _("A letter cannot be assigned before it was received."))
            if row.reply or row.replied_on:
                if not unit_text:
                    bad("lead_unit", _("A reply needs the lead unit that drafted it."))
                if len(row.reply) < MIN_BODY:
                    bad("reply", _("Write at least %(n)s characters.") % {"n": MIN_BODY})
                if row.replied_on is None and not any(p.column == labels["replied_on"] for p in problems):
                    bad("replied_on", _("Give the date of the reply."))
                elif row.replied_on and row.assigned_on and row.replied_on < row.assigned_on:
                    bad("replied_on", _("The reply cannot come before the assignment."))
            if row.rating and not row.reply:
                bad("rating", _("Only a reply can be rated."))
        if problems:
            parsed.errors.extend(problems)
        else:
            parsed.rows.append(row)
    for row in parsed.rows:
        if row.duplicate_of_row is not None:
            original = next((r for r in parsed.rows if r.row == row.duplicate_of_row), None)
            if original is None or original.row == row.row or original.channel.organisation_id != \
                    row.channel.organisation_id:  # fmt: skip
                parsed.errors.append(RowError(row.row, labels["duplicate_of_row"],
                                              _("No other letter of the same government in that row.")))  # fmt: skip
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(None, "", _("There is nothing to import.")))
    return parsed


# --- the replay ---------------------------------------------------------------------------------


class _RowFailed(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors


_STEP_COLUMNS: dict[str, dict[str, str]] = {
    "register": {"channel": "channel", "category": "category", "received_on": "received_on",
                 "writer_name": "writer_name", "phone": "phone", "email": "email", "address": "address",
                 "subject": "subject", "body": "body", "external_number": "external_number",
                 "forwarded_on": "forwarded_on", "external_limit_days": "external_limit_days",
                 "answered_on_spot": "answered_on_spot", "": "channel"},
    "triage": {"reason": "invalid_reason", "duplicate_of": "duplicate_of_row", "on": "received_on",
               "": "valid"},
    "assign": {"lead_unit": "lead_unit", "on": "assigned_on", "limit_days": "lead_unit", "": "lead_unit"},
    "draft": {"text": "reply", "": "lead_unit"},
    "approve": {"on": "replied_on", "text": "reply", "": "replied_on"},
    "rate": {"rating": "rating", "": "rating"},
}  # fmt: skip


def _run(row: LetterRow, step: str, labels: dict[str, str], fn: Callable[[], Any]) -> Any:
    columns = _STEP_COLUMNS[step]
    try:
        return fn()
    except PermissionDenied as exc:
        column = columns[""]
        raise _RowFailed([RowError(row.row, labels[column], _("You are not allowed to do this."))]) from exc
    except ActionError as exc:
        if hasattr(exc, "error_dict"):
            items = [(name, m) for name, messages in exc.message_dict.items() for m in messages]
        else:
            items = [("", m) for m in exc.messages]
        raise _RowFailed([RowError(row.row, labels[columns.get(name) or columns[""]], m) for name, m in items]) \
            from exc  # fmt: skip


def _replay(actor: Any, row: LetterRow, labels: dict[str, str], originals: dict[int, Letter]) -> Letter:
    extra: dict[str, Any] = {}
    if row.channel.kind == ChannelKind.FORWARDED:
        extra = {"external_number": row.external_number, "forwarded_on": row.forwarded_on,
                 "external_limit_days": row.external_limit_days}  # fmt: skip
    if row.answered_on_spot:
        extra["answered_on_spot"] = row.reply
    letter, _code = _run(row, "register", labels, lambda: actions.register_letter(
        actor=actor, channel=row.channel, category=row.category, received_on=row.received_on, **row.fields,
        **extra))  # fmt: skip
    if not row.valid:
        _run(row, "triage", labels, lambda: actions.triage_letter(
            actor=actor, letter=letter, valid=False, reason=row.invalid_reason, on=row.received_on,
            note=_("Imported (historical)."), duplicate_of=originals.get(row.duplicate_of_row or 0)))  # fmt: skip
    elif not row.answered_on_spot:
        _run(row, "triage", labels, lambda: actions.triage_letter(
            actor=actor, letter=letter, valid=True, on=row.received_on))  # fmt: skip
        if row.lead_unit is not None and row.assigned_on is not None:
            _run(row, "assign", labels, lambda: actions.assign_letter(
                actor=actor, letter=letter, lead_unit=row.lead_unit, on=row.assigned_on))  # fmt: skip
            if row.reply and row.replied_on:
                _run(row, "draft", labels, lambda: actions.draft_letter_reply(
                    actor=actor, letter=letter, text=row.reply))  # fmt: skip
                _run(row, "approve", labels, lambda: actions.approve_reply(
                    actor=actor, letter=letter, on=row.replied_on))  # fmt: skip
    if row.rating:
        _run(row, "rate", labels, lambda: actions.rate_letter(
            actor=actor, letter=letter, rating=row.rating, callback=True, on=row.replied_on,
            note=_("Imported (historical).")))  # fmt: skip
    letter.refresh_from_db()
    return letter


@dataclass
class LettersImported:
    letters: list[Letter] = field(default_factory=list)

    @property
    def created(self) -> int:
        return len(self.letters)

    @property
    def closed(self) -> int:
        return sum(1 for letter in self.letters if letter.status == "closed")

    @property
    def invalid(self) -> int:
        return sum(1 for letter in self.letters if letter.valid is False)

    @property
    def late(self) -> int:
        return sum(1 for letter in self.letters if letter.on_time is False)


@action
def import_letters(
    *, actor: Any, rows: list[LetterRow], labels: dict[str, str] | None = None,
    progress: Progress | None = None, dry_run: bool = False,
) -> LettersImported:  # fmt: skip
    """Replay every row through the actions; all or nothing (``ImportRejected`` lists every refusal)."""
    labels = {**HEADERS, **(labels or {})}
    if not rows:
        raise ActionError(_("There is nothing to import."))
    errors: list[RowError] = []
    originals: dict[int, Letter] = {}
    done: list[Letter] = []
    # Originals before their duplicates, otherwise in the order received.
    order = sorted(rows, key=lambda r: (r.duplicate_of_row is not None, r.received_on, r.row))
    for n, row in enumerate(order, start=1):
        try:
            with transaction.atomic():  # a refused row leaves nothing behind, the others go on being checked
                letter = _replay(actor, row, labels, originals)
        except _RowFailed as failed:
            errors.extend(failed.errors)
            continue
        originals[row.row] = letter
        done.append(letter)
        if progress and (n % 100 == 0 or n == len(order)):
            progress("letters", n, len(order))
    if errors:
        raise ImportRejected(errors)
    topics = [topic_of(letter) for letter in done]
    for i in range(0, len(topics), 500):  # nobody is told about historical letters
        Message.objects.filter(topic__in=topics[i : i + 500], status=MessageStatus.QUEUED).delete()
    if dry_run:
        transaction.set_rollback(True)
    return LettersImported(sorted(done, key=lambda letter: letter.pk))


def import_letters_file(
    data: bytes, filename: str = "", *, actor: Any, dry_run: bool = False, progress: Progress | None = None
) -> LettersImported:
    """Read, check and store a letters table; all or nothing."""
    if not getattr(actor, "is_authenticated", False):
        raise FileRejected(_("Letters are imported as a user: give --actor (the office of the government "
                             "whose channels the file names)."))  # fmt: skip
    parsed = parse_letter_rows(data, filename, actor=actor)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    return import_letters(actor=actor, rows=parsed.rows, labels=parsed.labels, progress=progress,
                          dry_run=dry_run)  # fmt: skip


# --- the template -------------------------------------------------------------------------------

TEMPLATE_EXAMPLE = {
    "channel": "县长信箱", "category": "投诉", "received_on": date(2013, 3, 18), "writer_name": "刘建国",
    "phone": "13907331001", "email": "", "address": "湖南省攸县网岭镇罗家坪村",
    "subject": "网岭镇罗家坪村道路破损", "body": "村里道路破损严重，雨天无法通行，请尽快维修。",
    "publish_consent": "是", "valid": "是", "invalid_reason": "", "duplicate_of_row": "", "external_number": "",
    "forwarded_on": "", "external_limit_days": "", "answered_on_spot": "否", "lead_unit": "攸县交通运输局",
    "assigned_on": date(2013, 3, 19), "reply": "该路段已列入今年农村公路养护计划，近期将组织维修。",
    "replied_on": date(2013, 4, 2), "rating": "满意",
}  # fmt: skip


def letter_template(fmt: str) -> bytes:
    header = [HEADERS[c.field] for c in COLUMNS]
    values = [TEMPLATE_EXAMPLE.get(c.field, "") for c in COLUMNS]
    if fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "letters"
        sheet.append(header)
        sheet.append(values)
        for cell in sheet[2]:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerow([v.isoformat() if isinstance(v, date) else v for v in values])
    return buffer.getvalue().encode("utf-8-sig")


@register_importer
class LettersImporter(Importer):
    kind = "letters"
    help = "historical letters, calls and forwarded cases (互动交流) with their handling, from CSV or XLSX"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file through the actions, store nothing"
        )

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        result = import_letters_file(
            data, filename, actor=actor, dry_run=options.get("dry_run", False), progress=progress
        )
        lines = [
            ngettext("%(n)s letter imported.", "%(n)s letters imported.", result.created)
            % {"n": result.created},
            ngettext("%(n)s closed.", "%(n)s closed.", result.closed) % {"n": result.closed},
            ngettext("%(n)s not valid.", "%(n)s not valid.", result.invalid) % {"n": result.invalid},
            ngettext("%(n)s answered late.", "%(n)s answered late.", result.late) % {"n": result.late},
        ]
        if options.get("dry_run"):
            lines.insert(0, _("The file is valid; nothing was stored (dry run)."))
        return lines

    def template(self, fmt: str) -> bytes:
        return letter_template(fmt)
