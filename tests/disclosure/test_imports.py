"""Reading items tables: encodings, XLSX, headers, cells, limits, templates; all or nothing."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date, datetime

import pytest

from gongkai.disclosure import imports
from gongkai.disclosure.bulk import ImportRejected
from gongkai.disclosure.imports import (
    FileRejected,
    import_items_file,
    item_template,
    parse_date,
    parse_item_rows,
    read_table,
)
from gongkai.disclosure.models import Category, Channel, DisclosureItem, Genre, ItemKind, ItemStatus, Validity
from tests import factories
from tests.disclosure.conftest import HEADER, csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db


def errors_of(caught) -> list[tuple[int | None, str]]:
    return [(e.row, e.column) for e in caught.value.errors]


def titles() -> list[str]:
    return sorted(DisclosureItem.objects.values_list("title", flat=True))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(world, encoding):
    data = csv_bytes(
        [row(world.unit_a, 1), row(world.unit_a, 2, 名称="攸县财政局关于“三公”经费的说明")], encoding=encoding
    )
    result = import_items_file(data, "目录.csv", actor=world.reviewer)
    assert result.created == 2 == result.published
    assert titles() == sorted(["攸县关于第1项工作的通知", "攸县财政局关于“三公”经费的说明"])
    item = DisclosureItem.objects.get(doc_number="攸财发〔2013〕1号")
    assert (
        item.organisation == world.unit_a and item.category.code == "budget" and item.genre.code == "notice"
    )
    assert (item.written_on, item.formed_on, item.published_on) == (
        date(2013, 3, 1),
        date(2013, 3, 4),
        date(2013, 3, 15),
    )
    assert item.kind == ItemKind.ITEM and item.validity == Validity.VALID and item.keywords == "财政 预算"
    assert item.index_no.startswith(f"{world.unit_a.code}/2013-")


def test_xlsx_with_real_dates_and_text_dates(world):
    rows = [
        row(
            world.unit_a,
            1,
            成文日期=date(2013, 3, 1),
            生成日期=datetime(2013, 3, 4),
            发布日期=date(2013, 3, 15),
        ),
        row(world.unit_a, 2, 成文日期="2013/3/1", 生成日期="2013年3月4日", 发布日期="20130315"),
        row(world.unit_a, 3, 文号=None, 主题词=None, 类型="政务动态"),
    ]
    result = import_items_file(xlsx_bytes(rows), "目录.xlsx", actor=world.reviewer)
    assert result.created == 3
    a, b, c = (DisclosureItem.objects.get(pk=r.item_id) for r in result.rows)
    assert (
        (a.formed_on, a.published_on)
        == (b.formed_on, b.published_on)
        == (date(2013, 3, 4), date(2013, 3, 15))
    )
    assert c.kind == ItemKind.NEWS and c.doc_number == "" and c.keywords == ""


def test_english_headers_and_codes_are_accepted(world):
    header = ["Title", "doc_number", "organisation_code", "category", "genre", "kind", "date_formed", "published_on",
              "validity", "channels"]  # fmt: skip
    data = csv_bytes([{"Title": "英文表头", "doc_number": "A-1", "organisation_code": world.unit_b.code, "category": "budget",
                       "genre": "notice", "kind": "news", "date_formed": "2013-05-02", "published_on": "2013-05-03",
                       "validity": "repealed", "channels": "website、公报"}], header=header)  # fmt: skip
    import_items_file(data, "x.csv", actor=world.reviewer)
    item = DisclosureItem.objects.get()
    assert (
        item.organisation == world.unit_b
        and item.kind == ItemKind.NEWS
        and item.validity == Validity.REPEALED
    )
    assert item.category.code == "budget" and item.channels == [Channel.WEBSITE, Channel.GAZETTE]


def test_a_bad_date_names_the_row_and_the_column_and_nothing_is_stored(world):
    data = csv_bytes(
        [
            row(world.unit_a, 1),
            row(world.unit_a, 2),
            row(world.unit_a, 3),
            row(world.unit_a, 4, 发布日期="2013-02-30"),
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        import_items_file(data, "x.csv", actor=world.reviewer)
    assert errors_of(caught) == [(5, "发布日期")]
    assert caught.value.messages == ["Row 5, 发布日期: “2013-02-30” is not a valid date (use YYYY-MM-DD)."]
    assert not DisclosureItem.objects.exists()


def test_every_problem_of_every_row_is_reported(world):
    rows = [
        row(world.unit_a, 1, 名称=""),
        row(world.unit_a, 2, 发布机构="不存在的局"),
        row(world.unit_a, 3, 主题分类="不存在", 体裁分类="也不存在", 有效性="作废", 类型="通报"),
        row(world.unit_a, 4, 生成日期=""),
        row(world.unit_a, 5, 发布日期="2013-03-01"),  # before it was formed
        row(world.unit_a, 6, 文号="攸财发〔2013〕7号"),  # the same as row 8
        row(world.unit_a, 7),
    ]
    with pytest.raises(ImportRejected) as caught:
        import_items_file(csv_bytes(rows), "x.csv", actor=world.reviewer)
    assert errors_of(caught) == [
        (2, "名称"), (3, "发布机构"), (4, "主题分类"), (4, "体裁分类"), (4, "类型"), (4, "有效性"), (5, "生成日期"),
        (6, "发布日期"), (8, "文号"),
    ]  # fmt: skip
    assert not DisclosureItem.objects.exists()


def test_the_header_must_have_the_required_columns_and_no_unknown_ones(world):
    header = [h for h in HEADER if h != "生成日期"] + ["备注"]
    with pytest.raises(ImportRejected) as caught:
        import_items_file(csv_bytes([row(world.unit_a, 1)], header=header), "x.csv", actor=world.reviewer)
    assert set(errors_of(caught)) == {(None, "生成日期"), (None, "备注")}
    assert "Unknown column" in " ".join(caught.value.messages)
    header = [h for h in HEADER if h != "发布机构"]
    with pytest.raises(ImportRejected) as caught:
        import_items_file(csv_bytes([row(world.unit_a, 1)], header=header), "x.csv", actor=world.reviewer)
    assert errors_of(caught) == [(None, "发布机构")]
    # … unless a default organisation is given
    result = import_items_file(csv_bytes([row(world.unit_a, 1)], header=header), "x.csv", actor=world.reviewer,
                               default_organisation=world.unit_b)  # fmt: skip
    assert DisclosureItem.objects.get(pk=result.rows[0].item_id).organisation == world.unit_b


def test_a_column_given_twice_is_refused(world):
    with pytest.raises(ImportRejected) as caught:
        import_items_file(
            csv_bytes([row(world.unit_a, 1)], header=[*HEADER, "title"]), "x.csv", actor=world.reviewer
        )
    assert errors_of(caught) == [(None, "title")]


def test_the_index_number_column_is_ignored(world):
    header = ["索引号", *HEADER]
    import_items_file(
        csv_bytes([row(world.unit_a, 1, 索引号="伪造/2013-99999")], header=header),
        "x.csv",
        actor=world.reviewer,
    )
    assert DisclosureItem.objects.get().index_no == f"{world.unit_a.code}/2013-00001"


@pytest.mark.parametrize(
    "content", [os.urandom(3000), b"PK\x03\x04" + os.urandom(3000), b"not a workbook at all"]
)
def test_a_broken_xlsx_is_refused_with_a_clear_message(world, content):
    with pytest.raises(FileRejected) as caught:
        import_items_file(content, "目录.xlsx", actor=world.reviewer)
    assert caught.value.messages == ["The file is not a valid XLSX workbook."]
    assert errors_of(caught) == [(None, "")]


def test_a_zip_that_is_not_a_workbook_and_an_old_xls_are_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(FileRejected, match="not a valid XLSX"):
        read_table(buf.getvalue(), "x.csv")
    with pytest.raises(FileRejected, match="xls"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls")


def test_binary_content_named_csv_is_refused(world):
    with pytest.raises(FileRejected):
        read_table(b"\x00\x01\x02" * 100 + bytes(range(256)), "x.csv")


def test_size_and_row_limits(world, monkeypatch):
    data = csv_bytes([row(world.unit_a, n) for n in range(1, 6)])
    with pytest.raises(FileRejected, match="larger than"):
        read_table(data, "x.csv", max_bytes=100)
    table = read_table(data, "x.csv", max_rows=3)
    with pytest.raises(FileRejected, match="more than 3 rows"):
        list(table.rows)
    monkeypatch.setattr(imports.tables, "MAX_ROWS", 4)  # read_table's own module
    with pytest.raises(FileRejected, match="more than 4 rows"):
        import_items_file(data, "x.csv", actor=world.reviewer)
    assert not DisclosureItem.objects.exists()
    with pytest.raises(FileRejected, match="empty"):
        read_table(b"  \n", "x.csv")


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_file(world):
    data = csv_bytes([row(world.unit_a, 1), {}, row(world.unit_a, 2, 生成日期="soon")])
    with pytest.raises(ImportRejected) as caught:
        import_items_file(data, "x.csv", actor=world.reviewer)
    assert errors_of(caught) == [(4, "生成日期")]


def test_formula_escapes_of_an_export_are_undone(world):
    data = csv_bytes([row(world.unit_a, 1, 名称='\'=HYPERLINK("x")', 内容概述="'-3 万元", 主题词="'plain")])
    import_items_file(data, "x.csv", actor=world.reviewer)
    item = DisclosureItem.objects.get()
    assert item.title == '=HYPERLINK("x")' and item.summary == "-3 万元" and item.keywords == "'plain"


def test_bodies_are_sanitised(world):
    data = csv_bytes(
        [
            row(
                world.unit_a,
                1,
                正文='<p onclick="x()">正文<script>alert(1)</script><a href="javascript:x">链接</a></p>',
            )
        ]
    )
    import_items_file(data, "x.csv", actor=world.reviewer)
    item = DisclosureItem.objects.get()
    assert "script" not in item.body and "onclick" not in item.body and "javascript" not in item.body
    assert item.body_text == "正文链接"


def test_organisations_by_name_code_short_name_and_ambiguity(world):
    twin = factories.make_org(
        actor=world.root, parent=world.other_county, name="攸县财政局"
    )  # the same name elsewhere
    rows = [
        row(world.unit_a, 1, 发布机构=world.unit_a.code),
        row(world.unit_a, 2, 发布机构=world.unit_b.code.lower()),
    ]
    parsed = parse_item_rows(csv_bytes(rows), "x.csv", actor=world.root)
    assert [r.organisation for r in parsed.rows] == [world.unit_a, world.unit_b]
    # the same name twice: the reviewer of Youxian means his own; the platform admin must say which
    parsed = parse_item_rows(csv_bytes([row(world.unit_a, 1)]), "x.csv", actor=world.reviewer)
    assert parsed.rows[0].organisation == world.unit_a
    parsed = parse_item_rows(csv_bytes([row(world.unit_a, 1)]), "x.csv", actor=world.root)
    assert parsed.errors and "more than one organisation" in parsed.errors[0].message
    header = [*HEADER, "机构代码"]
    parsed = parse_item_rows(
        csv_bytes([row(world.unit_a, 1, 机构代码=twin.code)], header=header), "x.csv", actor=world.root
    )
    assert parsed.rows[0].organisation == twin
    parsed = parse_item_rows(csv_bytes([row(world.unit_a, 1, 机构代码=world.unit_b.code)], header=header), "x.csv",
                             actor=world.root)  # fmt: skip
    assert parsed.errors[0].column == "发布机构" and "does not match" in parsed.errors[0].message


def test_the_publish_and_draft_modes(world):
    data = csv_bytes([row(world.unit_a, 1, 有效性="已废止")])
    with pytest.raises(ImportRejected) as caught:  # a clerk of a reviewed unit may not publish …
        import_items_file(data, "x.csv", actor=world.clerk_a)
    assert errors_of(caught) == [(2, "发布机构")]
    result = import_items_file(data, "x.csv", actor=world.clerk_a, publish=False)  # … but may import drafts
    item = DisclosureItem.objects.get(pk=result.rows[0].item_id)
    assert item.status == ItemStatus.DRAFT and item.published_on is None and item.validity == Validity.VALID


def test_a_dry_run_checks_and_stores_nothing(world):
    assert (
        import_items_file(csv_bytes([row(world.unit_a, 1)]), "x.csv", actor=world.reviewer, dry_run=True)
        is None
    )
    assert not DisclosureItem.objects.exists()
    with pytest.raises(ImportRejected):
        import_items_file(
            csv_bytes([row(world.unit_a, 1, 生成日期="x")]), "x.csv", actor=world.reviewer, dry_run=True
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_templates_import_as_they_are(world, fmt):
    data = item_template(fmt)
    if fmt == "csv":
        assert data.startswith("\ufeff名称,".encode())
    result = import_items_file(data, f"template.{fmt}", actor=world.root)
    item = DisclosureItem.objects.get(pk=result.rows[0].item_id)
    assert item.organisation == world.county and item.published_on == date(2024, 2, 5)
    assert item.category == Category.objects.get(name="县政府文件") and item.genre == Genre.objects.get(
        name="通知公告"
    )


def test_dates_in_their_usual_spellings():
    assert parse_date("2013-2-5") == parse_date("2013/02/05") == parse_date("2013.2.5") == date(2013, 2, 5)
    assert parse_date("2013年2月5日") == parse_date("20130205") == parse_date(20130205) == date(2013, 2, 5)
    assert parse_date("２０１３－０２－０５") == date(2013, 2, 5)  # full-width
    assert parse_date("2013-02-05 00:00:00") == parse_date(datetime(2013, 2, 5, 9, 30)) == date(2013, 2, 5)
    assert parse_date(41310) == date(2013, 2, 5)  # an Excel serial number
    assert parse_date("") is None and parse_date(None) is None
    for bad in ("2013-02-30", "05/02/2013", "明天", "1800-01-01", "2013-13-01", -5):
        with pytest.raises(ValueError):
            parse_date(bad)
