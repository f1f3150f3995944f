"""Exports of published items: CSV, XLSX and JSON, streamed, formula-safe, importable again."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest

from gongkai.disclosure import actions
from gongkai.disclosure.exports import (
    ItemFilters,
    escape_formula,
    item_columns,
    item_rows,
    iter_csv,
    iter_json,
    published_items,
    write_xlsx,
)
from gongkai.disclosure.imports import import_items_file, parse_item_rows
from gongkai.disclosure.models import Category, DisclosureItem, Validity
from tests.disclosure.conftest import csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(world):
    rows = [
        row(world.unit_a, 1, 名称='=HYPERLINK("http://evil","点击")', 内容概述="+86 电话", 主题词="@提及"),
        row(world.unit_a, 2, 名称="-负数开头", 有效性="已废止", 发布日期="2013-04-01"),
        row(world.unit_b, 3, 类型="政务动态", 主题分类="工作动态", 发布日期="2013-06-01"),
    ]
    import_items_file(csv_bytes(rows), "x.csv", actor=world.reviewer)
    draft = actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title="草稿不导出", formed_on=date(2013, 5, 5)
    )
    return draft


def export(fmt, qs=None, user=None):
    from django.contrib.auth.models import AnonymousUser

    qs = qs if qs is not None else published_items(user or AnonymousUser())
    rows = item_rows(qs, fmt)
    columns = item_columns(fmt)
    if fmt == "xlsx":
        out = io.BytesIO()
        write_xlsx(out, columns, rows)
        return out.getvalue()
    return b"".join((iter_csv if fmt == "csv" else iter_json)(columns, rows))


def test_csv_has_a_bom_the_chinese_headers_and_escaped_formulas(world, catalogue):
    data = export("csv")
    assert data.startswith("\ufeff索引号,名称,".encode())
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == 3 and "草稿不导出" not in data.decode("utf-8-sig")
    first = next(r for r in table if "HYPERLINK" in r["名称"])
    assert first["名称"] == '\'=HYPERLINK("http://evil","点击")'
    assert first["内容概述"] == "'+86 电话" and first["主题词"] == "'@提及"
    assert next(r for r in table if "负数" in r["名称"])["名称"] == "'-负数开头"
    assert {r["有效性"] for r in table} == {"有效", "已废止"} and {r["类型"] for r in table} == {
        "公开信息",
        "政务动态",
    }
    assert table[0]["发布日期"] == "2013-06-01"  # newest first


def test_xlsx_cells_are_text_not_formulas_and_dates_are_dates(world, catalogue):
    wb = openpyxl.load_workbook(io.BytesIO(export("xlsx")))
    ws = wb.active
    header = [c.value for c in ws[1]]
    values = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    evil = next(v for v in values if "HYPERLINK" in v["名称"])
    assert evil["名称"].startswith("'=") and ws.cell(row=2, column=2).data_type != "f"
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    assert values[0]["发布日期"].date() == date(2013, 6, 1)


def test_json_keeps_the_text_as_it_is_with_codes(world, catalogue):
    data = json.loads(export("json"))
    assert len(data) == 3
    evil = next(d for d in data if "HYPERLINK" in d["title"])
    assert evil["title"].startswith("=HYPERLINK") and evil["kind"] == "item" and evil["validity"] == "valid"
    assert evil["organisation_code"] == world.unit_a.code and evil["id"] and evil["late"] in (True, False)
    assert {d["validity"] for d in data} == {Validity.VALID, Validity.REPEALED}


def test_the_escape_rule():
    assert [escape_formula(v) for v in ("=1", "+1", "-1", "@x", "\tx", "\rx", "a=1", "", 5, None)] == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "a=1", "", 5, None,
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reads_back_as_the_same_items(world, catalogue, fmt):
    parsed = parse_item_rows(export(fmt), f"x.{fmt}", actor=world.root)
    assert not parsed.errors
    originals = {i.title: i for i in DisclosureItem.objects.filter(status="published")}
    assert {r.title for r in parsed.rows} == set(originals)
    for r in parsed.rows:
        item = originals[r.title]
        assert (
            r.organisation,
            r.doc_number,
            r.formed_on,
            r.published_on,
            r.validity,
            r.kind,
            r.category,
        ) == (
            item.organisation,
            item.doc_number,
            item.formed_on,
            item.published_on,
            item.validity,
            item.kind,
            item.category,
        )
        assert r.summary == item.summary and r.body == item.body and r.keywords == item.keywords


def test_filters(world, catalogue):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()

    def titles(**f):
        return sorted(published_items(anon, ItemFilters(**f)).values_list("title", flat=True))

    assert len(titles()) == 3
    assert titles(organisation_id=world.unit_b.pk) == ["攸县关于第3项工作的通知"]
    assert len(titles(organisation_id=world.county.pk)) == 0
    assert len(titles(organisation_id=world.county.pk, include_subunits=True)) == 3
    assert titles(kind="news") == ["攸县关于第3项工作的通知"]
    assert titles(validity="repealed") == ["-负数开头"]
    assert len(titles(date_from=date(2013, 4, 1), date_to=date(2013, 5, 1))) == 1
    parent = Category.objects.get(code="finance")  # 财政预决算 lies under 财政资金
    assert len(titles(category_id=parent.pk)) == 2


def test_rows_are_streamed_not_loaded_whole(world, catalogue, monkeypatch):
    from django.db.models.query import QuerySet

    def refuse(self):
        raise AssertionError("the export loaded a whole queryset into memory")

    monkeypatch.setattr(QuerySet, "_fetch_all", refuse)  # iterator() never calls it
    rows = item_rows(published_items(world.anonymous), "csv", chunk_size=1)
    assert len(list(rows)) == 3
