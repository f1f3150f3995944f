"""Importing the service catalogue and cases (``gongkai import services|cases FILE``).

Both read CSV (UTF-8 or GBK) or XLSX through the shared reader of
:mod:`gongkai.disclosure.imports` and are all or nothing, every problem reported
with its row, column and reason.

- ``services``: one row per service item (事项), matched to an existing item by
  the unit and the item code (updated) or created, through ``save_item`` and
  ``set_item_published``; a refused row is reported under the column the action
  named.
- ``cases``: one row per case (办件), historical or current, stored by the bulk
  path :func:`gongkai.services.bulk.import_cases`, which keeps the actions' rules
  (the clock, the case numbers, on time, the fee standard, the audit trail).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
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
from gongkai.orgs.codes import normalise_code
from gongkai.orgs.models import Organisation
from gongkai.services.models import (
    ApplicantKind,
    CaseChannel,
    CaseResult,
    ItemKind,
    ServiceItem,
    ServiceWindow,
)

# --- shared cell helpers ------------------------------------------------------------------------

YES = {"是", "y", "yes", "true", "1", "√", "收费", "可以", "支持"}
NO = {"否", "n", "no", "false", "0", "", "免费", "不收费", "不可以", "不支持"}
KIND_ZH = {
    ItemKind.LICENSING: "行政许可",
    ItemKind.NON_LICENSING: "非行政许可审批",
    ItemKind.PUBLIC_SERVICE: "公共服务",
    ItemKind.OTHER: "其他",
}
CHANNEL_ZH = {
    CaseChannel.WINDOW: "中心窗口",
    CaseChannel.TOWNSHIP: "乡镇便民服务中心",
    CaseChannel.ONLINE: "网上办理",
}
RESULT_ZH = {CaseResult.APPROVED: "准予", CaseResult.DENIED: "不予批准"}
APPLICANT_ZH = {ApplicantKind.PERSON: "自然人", ApplicantKind.ORGANISATION: "法人或其他组织"}


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


def _words(mapping: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {_key(value): value for value in mapping}
    out.update({_key(label): value for value, label in mapping.items()})
    out.update({_key(k): v for k, v in (extra or {}).items()})
    return out


KIND_WORDS = _words(KIND_ZH, {"许可": ItemKind.LICENSING, "非许可": ItemKind.NON_LICENSING,
                              "非行政许可": ItemKind.NON_LICENSING, "服务": ItemKind.PUBLIC_SERVICE,
                              "公共服务事项": ItemKind.PUBLIC_SERVICE})  # fmt: skip
CHANNEL_WORDS = _words(CHANNEL_ZH, {"窗口": CaseChannel.WINDOW, "政务中心": CaseChannel.WINDOW,
                                    "乡镇": CaseChannel.TOWNSHIP, "便民服务中心": CaseChannel.TOWNSHIP,
                                    "网上": CaseChannel.ONLINE, "网上申请": CaseChannel.ONLINE})  # fmt: skip
RESULT_WORDS = _words(RESULT_ZH, {"同意": CaseResult.APPROVED, "批准": CaseResult.APPROVED,
                                  "准予许可": CaseResult.APPROVED, "不予许可": CaseResult.DENIED,
                                  "不同意": CaseResult.DENIED, "不批准": CaseResult.DENIED})  # fmt: skip
APPLICANT_WORDS = _words(APPLICANT_ZH, {"个人": ApplicantKind.PERSON, "法人": ApplicantKind.ORGANISATION,
                                        "企业": ApplicantKind.ORGANISATION, "单位": ApplicantKind.ORGANISATION})  # fmt: skip


class Cells:
    """The cells of one row, read by field name; every problem is kept with its column."""

    def __init__(self, number: int, cells: list[Any], index: dict[str, int], labels: dict[str, str]) -> None:
        self.number, self.cells, self.index, self.labels = number, cells, index, labels
        self.problems: list[RowError] = []

    def bad(self, name: str, message: str) -> None:
        self.problems.append(RowError(self.number, self.labels.get(name, name), message))

    def has(self, name: str) -> bool:
        return any(p.column == self.labels.get(name, name) for p in self.problems)

    def raw(self, name: str) -> Any:
        i = self.index.get(name)
        return self.cells[i] if i is not None and i < len(self.cells) else None

    def text(self, name: str, limit: int | None = None, required: bool = False) -> str:
        value = _text(self.raw(name))
        if required and not value:
            self.bad(name, _("Required."))
        if limit is not None and len(value) > limit:
            self.bad(name, _("At most %(n)s characters.") % {"n": limit})
        return value

    def choice(self, name: str, words: dict[str, str], default: str = "") -> str:
        raw = self.text(name)
        if not raw:
            return default
        value = words.get(_key(raw))
        if value is None:
            labels = sorted({w for w in words if not w.isascii()})
            self.bad(name, _("Unknown value; use one of: %(choices)s.") % {"choices": ", ".join(labels)})
            return default
        return value

    def yes_no(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if not raw:
            return default
        if _key(raw) in YES:
            return True
        if _key(raw) in NO:
            return False
        self.bad(name, _("Write 是 or 否."))
        return default

    def integer(self, name: str, *, low: int = 0, high: int = 32767) -> int | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            self.bad(name, _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
            return None
        return value

    def amount(self, name: str) -> Decimal | None:
        raw = self.text(name).replace(",", "").replace("，", "").removesuffix("元")
        if not raw:
            return None
        try:
            value = Decimal(raw)
            if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
                value = None
        except InvalidOperation:  # also from quantize: 1e308 has more digits than the context holds
            value = None
        if value is None:
            self.bad(name, _("Give an amount in yuan with at most two decimals."))
            return None
        return value.quantize(Decimal("0.01"))

    def day(self, name: str, today: date) -> date | None:
        raw = self.raw(name)
        try:
            value = parse_date(raw)
        except ValueError:
            self.bad(name, _("Not a date: “%(value)s”.") % {"value": _text(raw)})
            return None
        if value is not None and value > today:
            self.bad(name, _("The date cannot be in the future."))
            return None
        return value


class Units:
    """Organisations by code or name (a name shared by several is ambiguous)."""

    def __init__(self, queryset: Any = None) -> None:
        self.by_code: dict[str, Organisation] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        qs = Organisation.objects.filter(is_active=True) if queryset is None else queryset
        for org in qs.order_by("path", "id"):
            self.by_code[_key(normalise_code(org.code))] = org
            for name in dict.fromkeys(n for n in (org.name, org.short_name) if n):
                self.by_name.setdefault(_key(name), []).append(org)

    def find(self, text: str) -> Organisation | None:
        org = self.by_code.get(_key(normalise_code(text)))
        if org is not None:
            return org
        found = self.by_name.get(_key(text), [])
        return found[0] if len(found) == 1 else None


def read_rows(
    data: bytes, filename: str, columns: list[Column]
) -> tuple[Any, dict[str, int], dict[str, str]]:
    """Open the table and match its header; a missing required column rejects the file."""
    table = read_table(data, filename)
    index, used, errors = map_header(table.header, columns)
    labels = {**{c.field: c.header for c in columns}, **used}
    for col in columns:
        if col.required and col.field not in index:
            errors.append(RowError(None, col.header, _("The column is missing.")))
    if errors:
        raise ImportRejected(errors)
    return table, index, labels


def action_errors(number: int, exc: Exception, labels: dict[str, str], default: str) -> list[RowError]:
    """An action's refusal as row errors, under the column of the field it named."""
    if isinstance(exc, PermissionDenied):
        return [RowError(number, labels[default], _("You are not allowed to do this."))]
    assert isinstance(exc, ActionError)
    if hasattr(exc, "error_dict"):
        pairs = [(name, m) for name, messages in exc.message_dict.items() for m in messages]
    else:
        pairs = [("", m) for m in exc.messages]
    return [RowError(number, labels.get(name) or labels[default], m) for name, m in pairs]


def write_template(header: list[str], values: list[Any], title: str, fmt: str) -> bytes:
    """A table with the header and one example row: CSV in UTF-8 with a BOM, or XLSX."""
    if fmt == "xlsx":
        import openpyxl
        from openpyxl.styles import Font

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = title
        sheet.append(header)
        sheet.append(values)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for cell in sheet[2]:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerow([v.isoformat() if isinstance(v, date) else v for v in values])
    return buffer.getvalue().encode("utf-8-sig")


# --- the service catalogue ----------------------------------------------------------------------

ITEM_COLUMNS = [
    Column("organisation", "实施单位", ("organisation", "unit", "实施机关", "实施主体", "单位代码", "organisation_code"),
           required=True),
    Column("code", "事项编码", ("code", "item_code", "编码", "事项代码"), required=True),
    Column("name", "事项名称", ("name", "名称", "title"), required=True),
    Column("kind", "事项类型", ("kind", "type", "类型", "事项类别"), required=True),
    Column("legal_basis", "设定依据", ("legal_basis", "法律依据", "依据")),
    Column("conditions", "受理条件", ("conditions", "申请条件", "办理条件")),
    Column("materials", "申请材料", ("materials", "申报材料", "所需材料")),
    Column("process", "办理流程", ("process", "流程", "办理程序")),
    Column("statutory_limit_days", "法定时限", ("statutory_limit_days", "法定办结时限", "法定期限")),
    Column("promised_limit_days", "承诺时限", ("promised_limit_days", "承诺办结时限", "承诺期限")),
    Column("charged", "是否收费", ("收费",)),  # not "fee_free": its yes would mean the opposite
    Column("fee_amount", "收费标准", ("fee_amount", "fee", "收费金额")),
    Column("fee_unit", "计费单位", ("fee_unit", "收费单位")),
    Column("fee_basis", "收费依据", ("fee_basis",)),
    Column("window", "办理窗口", ("window", "窗口", "窗口号")),
    Column("location", "办理地点", ("location", "地点")),
    Column("online", "网上办理", ("online", "可网上办理", "网上申请")),
    Column("certificate_name", "办理结果证件", ("certificate_name", "certificate", "证件名称", "审批结果")),
    Column("published", "是否公布", ("published", "公布", "发布")),
    Column("is_active", "是否有效", ("is_active", "active", "有效")),
    Column("id", "ID", ignored=True),
]  # fmt: skip
ITEM_HEADERS = {c.field: c.header for c in ITEM_COLUMNS}
# The text fields an item row carries as they are, with their length limits (None: a text field).
_ITEM_TEXT = {"name": 200, "legal_basis": None, "conditions": None, "materials": None, "process": None,
              "fee_unit": 20, "fee_basis": None, "location": 200, "certificate_name": 100}  # fmt: skip


@dataclass
class ItemRow:
    row: int
    organisation: Organisation
    code: str
    fields: dict[str, Any]
    published: bool
    item: ServiceItem | None = None  # the stored item of the same unit and code (updated)


@dataclass
class ParsedItems:
    rows: list[ItemRow] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def _windows() -> dict[str, list[ServiceWindow]]:
    out: dict[str, list[ServiceWindow]] = {}
    for window in ServiceWindow.objects.filter(is_active=True).prefetch_related("units"):
        for name in dict.fromkeys((window.number, window.name, f"{window.centre_id}/{window.number}")):
            out.setdefault(_key(name), []).append(window)
    return out


def parse_item_rows(data: bytes, filename: str = "") -> ParsedItems:
    """Read a service catalogue table; every cell is checked and every problem collected."""
    table, index, labels = read_rows(data, filename, ITEM_COLUMNS)
    units = Units()
    windows = _windows()
    parsed = ParsedItems(labels=labels)
    seen: dict[tuple[int, str], int] = {}
    for number, cells in table.rows:
        c = Cells(number, cells, index, labels)
        org = units.find(c.text("organisation", required=True))
        if org is None and not c.has("organisation"):
            c.bad("organisation", _("No single active organisation with that code or name."))
        code = c.text("code", 40, required=True)
        fields: dict[str, Any] = {name: c.text(name, limit) for name, limit in _ITEM_TEXT.items()}
        if not fields["name"]:
            c.bad("name", _("Required."))
        fields["kind"] = c.choice("kind", KIND_WORDS)
        if not fields["kind"] and not c.has("kind"):
            c.bad("kind", _("Required."))
        statutory = c.integer("statutory_limit_days")
        promised = c.integer("promised_limit_days")
        if statutory is None and promised is None and not c.has("statutory_limit_days"):
            c.bad("statutory_limit_days", _("Give the time limit in working days (0: on the spot)."))
        fields["statutory_limit_days"] = statutory if statutory is not None else promised
        fields["promised_limit_days"] = promised if promised is not None else statutory
        fee = c.amount("fee_amount")
        charged = c.yes_no("charged", fee is not None and fee > 0)
        fields["fee_free"] = not charged
        fields["fee_amount"] = fee if charged else None
        fields["online"] = c.yes_no("online", False)
        fields["issues_certificate"] = bool(fields["certificate_name"])
        fields["is_active"] = c.yes_no("is_active", True)
        fields["window"] = None
        window_text = c.text("window")
        if window_text:
            found = windows.get(_key(window_text), [])
            if len(found) > 1 and org is not None:
                found = [w for w in found if org in w.units.all()] or found
            if len(found) != 1:
                c.bad("window", _("No single active window with that number or name."))
            else:
                fields["window"] = found[0]
        published = c.yes_no("published", True)
        if org is not None and code:
            key = (org.pk, _key(code))
            if key in seen:
                c.bad("code", _("The item code is already used in row %(row)s.") % {"row": seen[key]})
            seen[key] = number
        if c.problems:
            parsed.errors.extend(c.problems)
        else:
            parsed.rows.append(ItemRow(number, org, code, fields, published))  # type: ignore[arg-type]
    if parsed.rows:
        orgs = {r.organisation.pk for r in parsed.rows}
        stored = {
            (i.organisation_id, _key(i.code)): i for i in ServiceItem.objects.filter(organisation_id__in=orgs)
        }
        for r in parsed.rows:
            r.item = stored.get((r.organisation.pk, _key(r.code)))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(None, "", _("There is nothing to import.")))
    return parsed


@dataclass
class ItemsImported:
    created: int = 0
    updated: int = 0
    published: int = 0
    items: list[ServiceItem] = field(default_factory=list)


@action
def import_service_items(
    *, actor: Any, rows: list[ItemRow], labels: dict[str, str] | None = None, progress: Progress | None = None,
    dry_run: bool = False,
) -> ItemsImported:  # fmt: skip
    """Save every row through ``save_item`` (and ``set_item_published``); all or nothing."""
    from gongkai.services import actions

    labels = {**ITEM_HEADERS, **(labels or {})}
    if not rows:
        raise ActionError(_("There is nothing to import."))
    errors: list[RowError] = []
    done = ItemsImported()
    for n, row in enumerate(rows, start=1):
        try:
            with transaction.atomic():  # a refused row leaves nothing; the others go on being checked
                item = actions.save_item(actor=actor, organisation=row.organisation, item=row.item,
                                         code=row.code, **row.fields)  # fmt: skip
                if item.published != row.published:
                    item = actions.set_item_published(actor=actor, item=item, published=row.published)
        except (ActionError, PermissionDenied) as exc:
            errors.extend(action_errors(row.row, exc, labels, "organisation"))
            continue
        done.items.append(item)
        if row.item is None:
            done.created += 1
        else:
            done.updated += 1
        done.published += int(item.published)
        if progress and (n % 50 == 0 or n == len(rows)):
            progress("services", n, len(rows))
    if errors:
        raise ImportRejected(errors)
    if dry_run:
        transaction.set_rollback(True)
    return done


def import_items_file(
    data: bytes, filename: str = "", *, actor: Any, dry_run: bool = False, progress: Progress | None = None
) -> ItemsImported:
    """Read, check and store a service catalogue table; all or nothing."""
    if not getattr(actor, "is_authenticated", False):
        raise FileRejected(_("Service items are imported as a user: give --actor (a clerk or administrator of "
                             "the units the file names)."))  # fmt: skip
    parsed = parse_item_rows(data, filename)
    if parsed.errors:
        # The rows whose cells are fine still go through the actions (rolled back), so that one
        # report lists every problem of the file.
        errors = list(parsed.errors)
        if parsed.rows:
            try:
                import_service_items(actor=actor, rows=parsed.rows, labels=parsed.labels, dry_run=True)
            except ImportRejected as exc:
                errors.extend(exc.errors)
        raise ImportRejected(errors)
    return import_service_items(actor=actor, rows=parsed.rows, labels=parsed.labels, progress=progress,
                                dry_run=dry_run)  # fmt: skip


ITEM_EXAMPLE = {
    "organisation": "攸县住房和城乡建设局", "code": "ZJ-XK-001", "name": "建筑工程施工许可证核发",
    "kind": "行政许可", "legal_basis": "《中华人民共和国建筑法》第七条；《建筑工程施工许可管理办法》",
    "conditions": "已经办理该建筑工程用地批准手续；已取得建设工程规划许可证。",
    "materials": "建筑工程施工许可证申请表\n建设工程规划许可证\n施工合同", "process": "受理\n审核\n批准\n发证",
    "statutory_limit_days": 15, "promised_limit_days": 5, "charged": "否", "fee_amount": "",
    "fee_unit": "件", "fee_basis": "", "window": "", "location": "攸县政务服务中心二楼",
    "online": "是", "certificate_name": "建筑工程施工许可证", "published": "是", "is_active": "是",
}  # fmt: skip


def item_template(fmt: str) -> bytes:
    shown = [c for c in ITEM_COLUMNS if not c.ignored]
    return write_template(
        [c.header for c in shown], [ITEM_EXAMPLE.get(c.field, "") for c in shown], "services", fmt
    )


@register_importer
class ServicesImporter(Importer):
    kind = "services"
    help = "the service catalogue (事项目录): one row per service item, created or updated, from CSV or XLSX"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="check the file, store nothing")

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        result = import_items_file(data, filename, actor=actor, dry_run=options.get("dry_run", False),
                                   progress=progress)  # fmt: skip
        lines = [
            ngettext("%(n)s item created.", "%(n)s items created.", result.created) % {"n": result.created},
            ngettext("%(n)s item updated.", "%(n)s items updated.", result.updated) % {"n": result.updated},
            ngettext("%(n)s published.", "%(n)s published.", result.published) % {"n": result.published},
        ]
        if options.get("dry_run"):
            lines.insert(0, _("The file is valid; nothing was stored (dry run)."))
        return lines

    def template(self, fmt: str) -> bytes:
        return item_template(fmt)


# --- cases --------------------------------------------------------------------------------------

CASE_COLUMNS = [
    Column("case_number", "办件编号", ("case_number", "number", "编号"), ignored=True),
    Column("item", "事项编码", ("item", "item_code", "code"), required=True),
    Column("organisation", "实施单位", ("organisation", "unit", "单位代码", "organisation_code"), required=True),
    Column("channel", "办理渠道", ("channel", "渠道", "受理渠道"), required=True),
    Column("centre", "受理中心", ("centre", "中心", "服务中心", "便民服务中心")),
    Column("window", "窗口", ("window", "窗口号", "受理窗口")),
    Column("applicant_kind", "申请人类型", ("applicant_kind", "申请人类别")),
    Column("applicant_name", "申请人", ("applicant_name", "applicant", "申请人姓名", "申请单位"), required=True),
    Column("id_number", "证件号码", ("id_number", "身份证号码", "统一社会信用代码")),
    Column("phone", "联系电话", ("phone", "telephone", "电话")),
    Column("received_on", "收件日期", ("received_on", "received", "受理日期", "申请日期"), required=True),
    Column("accepted", "是否受理", ("accepted", "受理")),
    Column("rejection_reason", "不予受理原因", ("rejection_reason", "不予受理理由")),
    Column("completed_on", "办结日期", ("completed_on", "completed", "办结时间")),
    Column("result", "办理结果", ("result", "结果")),
    Column("result_reason", "不予批准理由", ("result_reason", "理由")),
    Column("certificate_number", "证件编号", ("certificate_number", "证照编号", "批文号")),
    Column("fee_quantity", "收费数量", ("fee_quantity", "quantity", "数量")),
    Column("fee_amount", "收费金额", ("fee_amount", "fee", "金额", "收费金额（元）")),
    Column("fee_receipt", "收费票据号", ("fee_receipt", "receipt", "票据号", "收据号")),
]  # fmt: skip
CASE_HEADERS = {c.field: c.header for c in CASE_COLUMNS}


@dataclass
class ParsedCases:
    rows: list[Any] = field(default_factory=list)  # bulk.CaseRow
    labels: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def parse_case_rows(data: bytes, filename: str = "") -> ParsedCases:
    """Read a cases table; every cell is checked (the bulk path then checks the rules)."""
    from django.utils import timezone

    from gongkai.services.bulk import CaseRow

    table, index, labels = read_rows(data, filename, CASE_COLUMNS)
    today = timezone.localdate()
    units = Units()
    items: dict[tuple[int, str], ServiceItem] = {}
    for item in ServiceItem.objects.select_related("organisation", "window"):
        items[(item.organisation_id, _key(item.code))] = item
    windows: dict[tuple[int, str], list[ServiceWindow]] = {}
    for window in ServiceWindow.objects.select_related("centre"):
        for name in dict.fromkeys((window.number, window.name)):
            windows.setdefault((window.centre_id, _key(name)), []).append(window)
    by_centre: dict[int, list[ServiceWindow]] = {}
    for (centre_id, _name), found in windows.items():
        for w in found:
            if w not in by_centre.setdefault(centre_id, []):
                by_centre[centre_id].append(w)
    served: dict[int, set[int]] = defaultdict(set)
    for window_id, unit_id in ServiceWindow.units.through.objects.values_list(
        "servicewindow_id", "organisation_id"
    ):
        served[window_id].add(unit_id)
    parsed = ParsedCases(labels=labels)
    for number, cells in table.rows:
        c = Cells(number, cells, index, labels)
        unit = units.find(c.text("organisation", required=True))
        if unit is None and not c.has("organisation"):
            c.bad("organisation", _("No single active organisation with that code or name."))
        code = c.text("item", required=True)
        item = items.get((unit.pk, _key(code))) if unit is not None else None
        if item is None and unit is not None and code:
            c.bad("item", _("The unit has no service item with this code."))
        channel = c.choice("channel", CHANNEL_WORDS)
        if not channel and not c.has("channel"):
            c.bad("channel", _("Required."))
        window = None
        centre_text, window_text = c.text("centre"), c.text("window")
        if channel in (CaseChannel.WINDOW, CaseChannel.TOWNSHIP):
            centre = units.find(centre_text) if centre_text else None
            if centre is None:
                c.bad("centre", _("Give the centre (code or name) that received the case."))
            else:
                if window_text:
                    found = windows.get((centre.pk, _key(window_text)), [])
                else:  # the centre's window serving the item
                    found = [w for w in by_centre.get(centre.pk, []) if item is not None and w.is_active
                             and (item.window_id == w.pk or item.organisation_id in served[w.pk])]  # fmt: skip
                if len(found) != 1:
                    c.bad(
                        "window",
                        _("No single window of this centre with that number or name serves the item."),
                    )
                else:
                    window = found[0]
        elif channel == CaseChannel.ONLINE and (centre_text or window_text):
            c.bad("window" if window_text else "centre", _("An online case is not received at a centre."))
        row_fields = {
            "applicant_kind": c.choice("applicant_kind", APPLICANT_WORDS, ApplicantKind.PERSON),
            "applicant_name": c.text("applicant_name", 200, required=True),
            "id_number": c.text("id_number", 30), "phone": c.text("phone", 40),
            "accepted": c.yes_no("accepted", True), "rejection_reason": c.text("rejection_reason"),
            "completed_on": c.day("completed_on", today), "result": c.choice("result", RESULT_WORDS),
            "result_reason": c.text("result_reason"), "certificate_number": c.text("certificate_number", 60),
            "fee_amount": c.amount("fee_amount"), "fee_receipt": c.text("fee_receipt", 40),
        }  # fmt: skip
        quantity = c.amount("fee_quantity")
        row_fields["fee_quantity"] = quantity
        received = c.day("received_on", today)
        if received is None and not c.has("received_on"):
            c.bad("received_on", _("Give the date."))
        if c.problems or item is None or received is None:
            parsed.errors.extend(c.problems)
            continue
        parsed.rows.append(CaseRow(row=number, item=item, channel=channel, window=window, received_on=received,
                                   **row_fields))  # fmt: skip
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(None, "", _("There is nothing to import.")))
    return parsed


def import_cases_file(
    data: bytes, filename: str = "", *, actor: Any, dry_run: bool = False, progress: Progress | None = None
) -> Any:
    """Read, check and store a cases table through the bulk path; all or nothing."""
    from gongkai.services.bulk import import_cases

    parsed = parse_case_rows(data, filename)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    labels = {**CASE_HEADERS, **parsed.labels}
    with transaction.atomic():
        result = import_cases(actor=actor, rows=parsed.rows, labels=labels, progress=progress,
                              reason=_("Imported from %(file)s") % {"file": filename or "-"})  # fmt: skip
        if dry_run:
            transaction.set_rollback(True)
    return result


def case_example() -> dict[str, Any]:
    return {
        "item": "ZJ-XK-001", "organisation": "攸县住房和城乡建设局", "channel": "中心窗口", "centre": "攸县政务服务中心",
        "window": "08", "applicant_kind": "法人或其他组织", "applicant_name": "攸县华新建筑工程有限公司",
        "id_number": "91430223MA4L000000", "phone": "0731-24710000", "received_on": date(2013, 3, 18),
        "accepted": "是", "rejection_reason": "", "completed_on": date(2013, 3, 22), "result": "准予",
        "result_reason": "", "certificate_number": "430223201303220101", "fee_quantity": "", "fee_amount": "",
        "fee_receipt": "",
    }  # fmt: skip


def case_template(fmt: str) -> bytes:
    shown = [c for c in CASE_COLUMNS if not c.ignored]
    example = case_example()
    return write_template([c.header for c in shown], [example.get(c.field, "") for c in shown], "cases", fmt)


@register_importer
class CasesImporter(Importer):
    kind = "cases"
    help = "service cases (办件), historical or current, with their result and fee, from CSV or XLSX"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="check the file, store nothing")

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        result = import_cases_file(data, filename, actor=actor, dry_run=options.get("dry_run", False),
                                   progress=progress)  # fmt: skip
        lines = [
            ngettext("%(n)s case imported.", "%(n)s cases imported.", result.created) % {"n": result.created},
            ngettext("%(n)s completed.", "%(n)s completed.", result.completed) % {"n": result.completed},
            ngettext("%(n)s still open.", "%(n)s still open.", result.open) % {"n": result.open},
            ngettext("%(n)s completed late.", "%(n)s completed late.", result.late) % {"n": result.late},
            _("Fees: %(amount)s yuan.") % {"amount": result.fees},
        ]
        if options.get("dry_run"):
            lines.insert(0, _("The file is valid; nothing was stored (dry run)."))
        return lines

    def template(self, fmt: str) -> bytes:
        return case_template(fmt)
