"""Seeds and mutations shared by the fuzz tests (hypothesis) and ``bench/fuzz.py`` (atheris).

The valid seeds are the importers' own downloadable templates (the header row and one example
row); :func:`build_extras` stores what their example rows name, so that each imports as it stands.
The mutations are plain functions of a random source, so that hypothesis (``draw``) and atheris
(``FuzzedDataProvider``) can drive the same ones.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import transaction

# Every app whose rows an import may write (the audit trail and the search index included).
STORED_APPS = (
    "disclosure", "applications", "interaction", "services", "records", "workdays", "audit", "search",
    "notifications", "supervision",
)  # fmt: skip

# Cell values that have broken importers elsewhere: sizes, control characters, formulas, dates and
# numbers out of range, text where a number belongs, and characters some databases refuse.
NASTY_CELLS = [
    "", " ", "\u3000", "x" * 5000, "长" * 70000, "\x00", "a\x00b", "\x01\x02\x1b[31m", "\r\n", "\n\n\n",
    "\u202e\u200b\ufeff", "\ud800", "=cmd|' /C calc'!A0", "+1+1", "-1", "@SUM(A1)", "'=1+1", "\t=1",
    "0", "-0", "1e308", "-1e308", "1e-400", "1e999999999", "NaN", "nan", "inf", "-inf", "Infinity",
    "9" * 5000, "99999999999999999999999", "-99999999999999999999", "2147483648", "32768", "-32769", "1.5",
    "0.001", "1,000", "１２", "一二",
    "0001-01-01", "9999-12-31", "1900-01-00", "2013-02-30", "2013-13-01", "2013/2/29", "1949-01-01",
    "2100-12-31", "2101-01-01", "1948-12-31", "20130205", "99999999", "2958466", "0", "2013年2月5日",
    "2013-02-05 25:61", "2013-02-05T10:00:00+08:00", "yesterday", "是", "否", "maybe", "None", "null",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "%s%n%x",
    "{n}", "%(n)s", "' OR 1=1 --", '"', '""', "\\", "😀" * 10, "攸县人民政府", "攸县财政局", "reviewer",
]  # fmt: skip
ENCODINGS = ("utf-8-sig", "utf-8", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-32", "big5", "latin-1")


def row_counts() -> dict[str, int]:
    """The number of rows of every table an import may write (one query: this runs per example)."""
    from django.db import connection

    tables = sorted(
        {
            table
            for label in STORED_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
            if (table := model._meta.db_table) in _existing_tables()
        }
    )
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


@functools.cache
def _existing_tables() -> frozenset[str]:
    from django.db import connection

    return frozenset(connection.introspection.table_names())


def rolled_back(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a savepoint that is always rolled back, so every example sees the same world."""
    with transaction.atomic():
        try:
            return fn()
        finally:
            transaction.set_rollback(True)


# --- the valid seeds ------------------------------------------------------------------------------


@functools.cache
def template(kind: str, fmt: str) -> bytes:
    """An importer's template, made once (a workbook carries the time it was made: the same bytes
    each time keep the strategies reproducible)."""
    from gongkai.disclosure.imports import importers

    return importers()[kind].template(fmt)


def template_table(kind: str) -> tuple[list[str], list[str]]:
    """The header and the example row of an importer's CSV template."""
    text = template(kind, "csv").decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text, newline="")))[:2]
    return header, example


def build_extras(*, root: Any, county: Any, county_admin: Any) -> Any:
    """The organisations, window, service item and channel the template rows name; returns the
    window staff of the county centre (the importer of service cases)."""
    from gongkai.interaction.actions import create_channel
    from gongkai.orgs.models import OrgKind, Role
    from gongkai.services import actions as services
    from gongkai.services.models import ItemKind
    from tests import factories

    housing = factories.make_org(actor=root, parent=county, name="攸县住房和城乡建设局")
    for name in ("攸县国土资源局", "攸县交通运输局"):
        factories.make_org(actor=root, parent=county, name=name)
    centre = factories.make_org(actor=root, parent=county, name="攸县政务服务中心", kind=OrgKind.CENTRE)
    window = services.save_window(
        actor=county_admin, centre=centre, number="08", name="住建窗口", units=[housing]
    )
    item = services.save_item(
        actor=county_admin, organisation=housing, window=window, code="ZJ-XK-001",
        name="建筑工程施工许可证核发", kind=ItemKind.LICENSING, legal_basis="《中华人民共和国建筑法》第七条",
        statutory_limit_days=15, promised_limit_days=5,
    )  # fmt: skip
    services.set_item_published(actor=county_admin, item=item, published=True)
    create_channel(actor=county_admin, organisation=county, kind="mailbox", name="县长信箱")
    return factories.make_staff(actor=root, organisation=centre, role=Role.WINDOW, username="centre_staff")


# --- building files -------------------------------------------------------------------------------


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


def xlsx_bytes(rows: list[list[Any]]) -> bytes | None:
    """The rows as a workbook; None when openpyxl refuses a value (control characters)."""
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    try:
        for row in rows:
            sheet.append(row)
    except (IllegalCharacterError, ValueError, TypeError):
        return None
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the calendar loader --------------------------------------------------------------------------

SCHEDULE_CSV = """# year: 2025
# notice: 国务院办公厅关于2025年部分节假日安排的通知
date,type,name
2025-01-01,holiday,元旦
2025-01-26,makeup,春节
2025-01-28,holiday,春节
2025-01-29,holiday,春节
2025-02-08,makeup,春节
2025-10-01,holiday,国庆节
2025-10-11,makeup,国庆节
"""


def schedule_json() -> str:
    lines = [r.split(",") for r in SCHEDULE_CSV.splitlines() if r and not r.startswith(("#", "date"))]
    return json.dumps({"year": 2025, "notice": "国务院办公厅通知",
                       "days": [{"date": d, "type": t, "name": n} for d, t, n in lines]}, ensure_ascii=False)  # fmt: skip
