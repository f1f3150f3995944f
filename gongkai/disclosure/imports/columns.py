"""The columns of a table: matching a file's header to fields, and the items table's columns.

Headers are matched loosely (width, case, spaces, underscores and markers such
as ``*`` or ``（必填）`` are ignored) against each column's canonical Chinese
header, its field name and its aliases.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gongkai.disclosure.bulk import COLUMNS, RowError
from gongkai.disclosure.models import ItemKind, Validity


def normalise_header(text: Any) -> str:
    value = unicodedata.normalize("NFKC", str(text or "")).replace("\ufeff", "").strip()
    value = re.sub(r"[*＊]|[（(]\s*(必填|选填|可选|required|optional)\s*[)）]", "", value, flags=re.I)
    return re.sub(r"[\s_\-]+", "_", value).strip("_").casefold()


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the canonical (Chinese) header
    aliases: tuple[str, ...] = ()
    required: bool = False
    ignored: bool = False  # accepted in a file, not imported (e.g. 索引号, assigned on publication)


def map_header(
    header: list[str], columns: list[Column]
) -> tuple[dict[str, int], dict[str, str], list[RowError]]:
    """The index of each known column, the header text used for it, and the problems."""
    lookup: dict[str, Column] = {}
    for col in columns:
        for name in (col.header, col.field, *col.aliases):
            lookup[normalise_header(name)] = col
    index: dict[str, int] = {}
    used: dict[str, str] = {}
    errors: list[RowError] = []
    for i, text in enumerate(header):
        key = normalise_header(text)
        if not key:
            continue
        col = lookup.get(key)
        if col is None:
            errors.append(RowError(None, str(text).strip(), _("Unknown column.")))
        elif col.field in index:
            errors.append(RowError(None, str(text).strip(), _("The column appears twice.")))
        else:
            index[col.field] = i
            used[col.field] = str(text).strip()
    return index, used, errors


# --- the items table ----------------------------------------------------------------------------

ITEM_COLUMNS = [
    Column("index_no", COLUMNS["index_no"], ("index_number", "index"), ignored=True),
    Column("title", COLUMNS["title"], ("标题", "name", "title"), required=True),
    Column("doc_number", COLUMNS["doc_number"], ("发文字号", "发文文号", "document_number", "doc_no")),
    Column(
        "organisation",
        COLUMNS["organisation"],
        ("发文机关", "发布单位", "organisation", "organization", "org", "publisher"),
    ),
    Column(
        "organisation_code",
        COLUMNS["organisation_code"],
        ("organisation_code", "organization_code", "org_code"),
    ),
    Column("category", COLUMNS["category"], ("subject_category", "subject", "category")),
    Column("genre", COLUMNS["genre"], ("genre", "form")),
    Column("kind", COLUMNS["kind"], ("信息类型", "kind", "type")),
    Column("written_on", COLUMNS["written_on"], ("成文时间", "date_written", "written")),
    Column(
        "formed_on",
        COLUMNS["formed_on"],
        ("生成时间", "变更日期", "生成/变更日期", "date_formed", "formed"),
        required=True,
    ),
    Column(
        "published_on",
        COLUMNS["published_on"],
        ("发布时间", "公开日期", "date_published", "published", "publication_date"),
    ),
    Column("validity", COLUMNS["validity"], ("效力状态", "validity")),
    Column("validity_changed_on", COLUMNS["validity_changed_on"], ("validity_changed", "validity_date")),
    Column("keywords", COLUMNS["keywords"], ("关键词", "keywords", "subject_words")),
    Column("channels", COLUMNS["channels"], ("公开方式", "公开渠道", "channels")),
    Column("summary", COLUMNS["summary"], ("摘要", "summary", "abstract", "description")),
    Column("body", COLUMNS["body"], ("内容", "body", "content", "text")),
    Column("id", "ID", ignored=True),  # in JSON-shaped tables converted to CSV
]


VALIDITY_ZH = {
    Validity.VALID: "有效",
    Validity.AMENDED: "已修改",
    Validity.REPEALED: "已废止",
    Validity.EXPIRED: "已失效",
}
KIND_ZH = {ItemKind.ITEM: "公开信息", ItemKind.NEWS: "政务动态"}
