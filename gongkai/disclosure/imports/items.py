"""Importing disclosure items (the ``items`` import kind).

:func:`parse_item_rows` turns the rows of a table into
:class:`~gongkai.disclosure.bulk.ItemRow` values, checking every cell;
:func:`import_items_file` then stores them through the
:func:`~gongkai.disclosure.bulk.import_items` action. Either every row is stored
or none, and every problem is reported with its row, column and reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongkai.disclosure.bulk import (
    COLUMNS,
    ImportRejected,
    ImportResult,
    ItemRow,
    Progress,
    RowError,
    import_items,
    validate_rows,
)
from gongkai.disclosure.imports.columns import ITEM_COLUMNS, KIND_ZH, VALIDITY_ZH, map_header
from gongkai.disclosure.imports.registry import Importer, register_importer
from gongkai.disclosure.imports.tables import FileRejected, read_table
from gongkai.disclosure.imports.template import item_template
from gongkai.disclosure.models import Category, Channel, Genre, ItemKind, Validity
from gongkai.orgs.codes import normalise_code
from gongkai.orgs.models import Organisation, Role
from gongkai.orgs.scope import scope_ids
from gongkai.workdays.models import MAX_YEAR, MIN_YEAR

_VALIDITY_WORDS = {
    **{v: k for k, v in VALIDITY_ZH.items()},
    "现行有效": Validity.VALID, "修改": Validity.AMENDED, "废止": Validity.REPEALED, "失效": Validity.EXPIRED,
    "in force": Validity.VALID,
}  # fmt: skip
_KIND_WORDS = {
    **{v: k for k, v in KIND_ZH.items()},
    "政府信息": ItemKind.ITEM, "信息公开": ItemKind.ITEM, "动态": ItemKind.NEWS, "新闻": ItemKind.NEWS,
    "工作动态": ItemKind.NEWS,
}  # fmt: skip

_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: Any) -> date | None:
    """A date from a cell: a real date, ``2013-02-05``, ``2013/2/5``, ``2013年2月5日``, ``20130205``
    or an Excel serial number. Blank is None; anything else raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            return parse_date(str(int(value)))
        if not 1 <= value < 2958466:
            raise ValueError(value)
        from openpyxl.utils.datetime import from_excel

        day = from_excel(value).date()
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        match = _DATE.match(text) or _COMPACT_DATE.match(text)
        if not match:
            raise ValueError(value)
        day = date(*(int(g) for g in match.groups()))
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(value)
    return day


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


class _Names:
    """Resolve a cell to one object by code or name; report unknown and ambiguous names."""

    def __init__(self) -> None:
        self.by_code: dict[str, Any] = {}
        self.by_name: dict[str, list[Any]] = {}

    def add(self, obj: Any, code: str, *names: str) -> None:
        self.by_code[_key(code)] = obj
        for name in dict.fromkeys(n for n in names if n):
            self.by_name.setdefault(_key(name), []).append(obj)

    def find(self, text: str, prefer: Callable[[Any], bool] | None = None) -> list[Any]:
        key = _key(text)
        if key in self.by_code:
            return [self.by_code[key]]
        found = self.by_name.get(key, [])
        if len(found) > 1 and prefer is not None:
            found = [o for o in found if prefer(o)] or found
        return found


def _organisations(actor: Any) -> tuple[_Names, Callable[[Any], bool]]:
    from gongkai.orgs.policies import OrganisationPolicy

    qs = Organisation.objects.all() if actor is None else OrganisationPolicy().visible_to(actor)
    names = _Names()
    for org in qs.order_by("path", "id"):
        names.add(org, normalise_code(org.code), org.name, org.short_name)
    if actor is None or getattr(actor, "is_superuser", False):
        return names, lambda org: True
    writable = scope_ids(actor, (Role.CLERK, Role.REVIEWER, Role.ADMIN))
    return names, lambda org: org.pk in writable


def _vocabulary(model: type[Category] | type[Genre]) -> _Names:
    names = _Names()
    for obj in model.objects.all():
        names.add(obj, obj.code, obj.name)
    return names


CHANNEL_WORDS = {
    "政府网站": Channel.WEBSITE, "网站": Channel.WEBSITE, "门户网站": Channel.WEBSITE,
    "查阅场所": Channel.READING_ROOM, "查阅点": Channel.READING_ROOM, "阅览室": Channel.READING_ROOM,
    "政府公报": Channel.GAZETTE, "公报": Channel.GAZETTE,
    "报刊广播电视": Channel.MEDIA, "新闻媒体": Channel.MEDIA, "媒体": Channel.MEDIA,
    "公开栏": Channel.BULLETIN, "公告栏": Channel.BULLETIN, "宣传栏": Channel.BULLETIN,
    "短信": Channel.SMS, "手机短信": Channel.SMS, "热线": Channel.HOTLINE, "热线电话": Channel.HOTLINE,
}  # fmt: skip


def _channel_words() -> dict[str, str]:
    words = {_key(c): c for c in Channel.values} | {_key(k): v for k, v in CHANNEL_WORDS.items()}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            words.update({_key(str(label)): value for value, label in Channel.choices})
    return words


@dataclass
class ParsedItems:
    rows: list[ItemRow]
    errors: list[RowError]
    labels: dict[str, str]  # field → the header used in the file


def parse_item_rows(
    data: bytes, filename: str = "", *, actor: Any, default_organisation: Organisation | None = None,
    progress: Progress | None = None,
) -> ParsedItems:  # fmt: skip
    """Read an items table; every cell is checked and every problem is collected."""
    table = read_table(data, filename)
    index, used, errors = map_header(table.header, ITEM_COLUMNS)
    labels = {**COLUMNS, **used}
    for col in ITEM_COLUMNS:
        if col.required and col.field not in index:
            errors.append(RowError(None, col.header, _("The column is missing.")))
    if "organisation" not in index and "organisation_code" not in index and default_organisation is None:
        errors.append(RowError(None, COLUMNS["organisation"],
                               _("The column is missing (or choose a default organisation).")))  # fmt: skip
    if errors:
        raise ImportRejected(errors)

    orgs, prefer = _organisations(actor)
    categories, genres = _vocabulary(Category), _vocabulary(Genre)
    channel_words = _channel_words()
    rows: list[ItemRow] = []

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
                return parse_date(raw)
            except (ValueError, OverflowError):
                bad(name, _("“%(value)s” is not a valid date (use YYYY-MM-DD).") % {"value": _text(raw)})
                return None

        org = _resolve_org(
            text("organisation"), text("organisation_code"), orgs, prefer, default_organisation, bad
        )
        category = _resolve(
            text("category"), categories, "category", _("Unknown subject category “%(value)s”."), bad
        )
        genre = _resolve(text("genre"), genres, "genre", _("Unknown genre “%(value)s”."), bad)

        kind = ItemKind.ITEM
        if raw := text("kind"):
            kind = _KIND_WORDS.get(raw) or next((k for k in ItemKind.values if _key(k) == _key(raw)), None)
            if kind is None:
                bad("kind", _("Unknown type “%(value)s” (use 公开信息 or 政务动态).") % {"value": raw})
        validity = Validity.VALID
        if raw := text("validity"):
            validity = _VALIDITY_WORDS.get(_key(raw)) or _VALIDITY_WORDS.get(raw) \
                or next((v for v in Validity.values if v == _key(raw)), None)  # fmt: skip
            if validity is None:
                bad(
                    "validity",
                    _("Unknown validity “%(value)s” (use 有效, 已修改, 已废止 or 已失效).") % {"value": raw},
                )
        channels: list[str] = []
        if raw := text("channels"):
            for word in filter(None, (w.strip() for w in re.split(r"[,，、;；/]", raw))):
                if _key(word) in channel_words:
                    channels.append(channel_words[_key(word)])
                else:
                    bad("channels", _("Unknown channel “%(value)s”.") % {"value": word})

        title = text("title")
        if not title:
            bad("title", _("This value is required."))
        formed_on = day("formed_on")
        if formed_on is None and not any(p.column == labels["formed_on"] for p in problems):
            bad("formed_on", _("This value is required."))
        written_on, published_on, changed_on = (
            day("written_on"),
            day("published_on"),
            day("validity_changed_on"),
        )

        if problems or org is None:  # (no organisation is always reported)
            errors.extend(problems)
            continue
        rows.append(ItemRow(
            row=number, organisation=org, title=title, formed_on=formed_on, kind=kind or ItemKind.ITEM,
            summary=text("summary"), body=_text(cell(cells, "body")), doc_number=text("doc_number"),
            written_on=written_on, category=category, genre=genre, keywords=text("keywords"), channels=channels,
            published_on=published_on, validity=validity or Validity.VALID, validity_changed_on=changed_on,
        ))  # fmt: skip
        if progress and number % 5000 == 0:
            progress("read", len(rows), 0)
    if not rows and not errors:
        raise FileRejected(_("The file has a header but no rows."))
    return ParsedItems(rows, errors, labels)


def _resolve(text: str, names: _Names, name: str, message: str, bad: Callable[[str, str], None]) -> Any:
    if not text:
        return None
    found = names.find(text)
    if len(found) == 1:
        return found[0]
    if not found:
        bad(name, message % {"value": text})
    else:
        bad(name, _("“%(value)s” is ambiguous; give the code.") % {"value": text})
    return None


def _resolve_org(
    name: str, code: str, orgs: _Names, prefer: Callable[[Any], bool], default: Organisation | None,
    bad: Callable[[str, str], None],
) -> Organisation | None:  # fmt: skip
    by_code = None
    if code:
        by_code = orgs.by_code.get(_key(normalise_code(code)))
        if by_code is None:
            bad("organisation_code", _("Unknown organisation “%(value)s”.") % {"value": code})
            return None
    if name:
        found = orgs.find(name, prefer)
        if not found and _key(normalise_code(name)) in orgs.by_code:  # a code in the name column
            found = [orgs.by_code[_key(normalise_code(name))]]
        if by_code is not None:
            if by_code not in found:
                bad("organisation", _("The organisation does not match the organisation code."))
                return None
            return by_code
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
    if by_code is not None:
        return by_code
    if default is None:
        bad("organisation", _("Give the publishing organisation."))
    return default


def import_items_file(
    data: bytes,
    filename: str = "",
    *,
    actor: Any,
    publish: bool = True,
    default_organisation: Organisation | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult | None:
    """Read, check and store an items table; all or nothing.

    Raises :class:`ImportRejected` with every problem (cells, then the rules of
    the actions: permissions, dates, duplicate 文号 …). With ``dry_run`` only
    checks and returns None.
    """
    parsed = parse_item_rows(
        data, filename, actor=actor, default_organisation=default_organisation, progress=progress
    )
    if parsed.errors or dry_run:
        # Check the readable rows against the actions' rules too, so the report is complete.
        _prepared, more = validate_rows(
            actor=actor, rows=parsed.rows, publish=publish, column_labels=parsed.labels
        )
        if parsed.errors or more:
            raise ImportRejected([*parsed.errors, *more])
        return None
    return import_items(
        actor=actor, rows=parsed.rows, publish=publish, column_labels=parsed.labels, progress=progress,
        reason=_("Imported from %(file)s") % {"file": filename} if filename else "",
    )  # fmt: skip


@register_importer
class ItemsImporter(Importer):
    kind = "items"
    help = "disclosure items (主动公开目录) from CSV or XLSX"

    def add_arguments(self, parser: Any) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--publish", dest="publish", action="store_true", default=True,
                          help="publish every item (the default); rows may carry their 发布日期")  # fmt: skip
        mode.add_argument("--draft", dest="publish", action="store_false", help="store every item as a draft")
        parser.add_argument(
            "--org", dest="default_org", help="default organisation (id or code) for rows without one"
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file, store nothing")

    def run(
        self, *, data: bytes, filename: str, actor: Any, options: dict[str, Any], progress: Progress
    ) -> list[str]:
        default = None
        if options.get("default_org"):
            raw = str(options["default_org"])
            default = Organisation.objects.filter(code=normalise_code(raw)).first()  # a code, else an id
            if default is None and raw.isascii() and raw.isdigit():
                default = Organisation.objects.filter(pk=int(raw)).first()
            if default is None:
                raise FileRejected(_("Unknown organisation “%(value)s”.") % {"value": raw})
        result = import_items_file(
            data, filename, actor=actor, publish=options.get("publish", True), default_organisation=default,
            dry_run=options.get("dry_run", False), progress=progress,
        )  # fmt: skip
        if result is None:
            return [_("The file is valid; nothing was stored (dry run).")]
        # One count per line, so that each takes its own plural form.
        counts = [
            (ngettext("%(n)s item imported.", "%(n)s items imported.", result.created), result.created),
            (ngettext("%(n)s item published.", "%(n)s items published.", result.published), result.published),
            (ngettext("%(n)s item stored as a draft.", "%(n)s items stored as drafts.", result.drafts),
             result.drafts),
            (ngettext("Items of %(n)s organisation.", "Items of %(n)s organisations.", result.organisations),
             result.organisations),
            (ngettext("%(n)s item published later than 20 working days after being formed.",
                      "%(n)s items published later than 20 working days after being formed.", result.late),
             result.late),
        ]  # fmt: skip
        return [text % {"n": n} for text, n in counts]

    def template(self, fmt: str) -> bytes:
        return item_template(fmt)
