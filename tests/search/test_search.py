"""Searching published items: matching, exact look-ups, filters, order, pages, visibility, safety."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction

from gongkai.disclosure.actions import change_validity, update_item, withdraw_item
from gongkai.disclosure.models import Category, DisclosureItem, Genre
from gongkai.search.query import SearchQuery, search

pytestmark = pytest.mark.django_db


def run(world, q="", user=None, **fields):
    return search(user if user is not None else world.anonymous, SearchQuery(q=q, **fields))


# --- matching ----------------------------------------------------------------------------------------


def test_two_character_words_match_inside_longer_words(world, make_item, find):
    notice = make_item(
        "关于做好政府信息公开工作的通知", body="各乡镇人民政府，县直各单位：现就有关事项通知如下。"
    )
    budget = make_item("攸县2024年部门决算", body="本年度财政预算执行情况良好，一般公共预算收入稳步增长。")
    houses = make_item("城区棚户区改造项目公告", body="依法实施房屋拆迁，补偿标准见附件。", org=world.unit_b)
    land = make_item("网岭镇集体土地征收公告", summary="征地补偿安置方案", org=world.township)
    assert find("公开") == [notice.pk]
    assert find("预算") == [budget.pk]
    assert find("拆迁") == [houses.pk]
    assert find("征地") == [land.pk]
    assert set(find("补偿")) == {houses.pk, land.pk}
    assert find("信息公开") == [notice.pk]  # four characters, inside 政府信息公开
    assert find("财政预算执行") == [budget.pk]
    assert find("统计") == []


def test_every_query_word_must_occur(world, make_item, find):
    both = make_item("部门预算公开", body="")
    only_budget = make_item("部门预算说明")
    assert find("预算 公开") == [both.pk]
    assert set(find("部门 预算")) == {both.pk, only_budget.pk}
    assert find("财政预算公开") == []  # 财政预算 occurs in neither


def test_a_query_without_spaces_is_segmented_into_words(world, make_item, find):
    report = make_item("2023年政府信息公开工作年度报告", body="本报告由县政府办公室编制。")
    make_item("政府工作报告")
    assert find("信息公开年度报告") == [report.pk]
    assert find("2023年的政府信息公开") == [report.pk]


def test_single_character_queries(world, make_item, find):
    a = make_item("攸县卫生院招聘公告")
    b = make_item("关于召开会议的通知", body="请准时参加。")
    assert find("县") == [a.pk]  # the last character of 攸县 as well as inside 县卫生院
    assert find("知") == [b.pk]  # at the very end of a run of Han characters


def test_mixed_chinese_and_ascii(world, make_item, find):
    air = make_item("PM2.5 监测数据公开", body="2024年第一季度空气质量AQI报告：优良天数比例92%。")
    other = make_item("2024年第一季度工作动态")
    assert find("pm2.5") == [air.pk]
    assert find("PM2.5 监测") == [air.pk]
    assert find("ＡＱＩ") == [air.pk]  # full-width
    assert find("aqi报告") == [air.pk]
    assert find("2024年空气质量") == [air.pk]
    assert set(find("2024 第一季度")) == {air.pk, other.pk}
    hit = run(world, "pm2.5 aqi").hits[0]
    assert "<mark>PM2</mark>.<mark>5</mark>" in hit.title_html
    assert "<mark>AQI</mark>" in hit.snippet_html


def test_title_and_snippet_are_highlighted(world, make_item):
    make_item(
        "财政预算公开", summary="", body="根据《预算法》的规定，现将本单位部门预算公开如下：一、收入预算。"
    )
    hit = run(world, "预算").hits[0]
    assert hit.title_html == "财政<mark>预算</mark>公开"
    assert hit.snippet_html.startswith("根据《<mark>预算</mark>法》")
    assert hit.snippet_html.count("<mark>") == 3


def test_rich_text_body_is_searched_as_plain_text(world, make_item, find):
    item = make_item("通知", body="<p>关于<strong>房屋</strong>征收</p><ul><li>补偿<em>标准</em></li></ul>")
    assert find("房屋征收") == [item.pk]
    assert find("strong") == []


# --- exact look-ups ----------------------------------------------------------------------------------


def test_document_number_lookup_is_exact(world, make_item):
    doc = make_item(
        "攸县人民政府关于印发预算管理办法的通知", doc_number="攸政发〔2013〕12号", org=world.county
    )
    citing = make_item("预算管理办法解读", body="根据攸政发〔2013〕12号文件精神，解读如下。")
    make_item("其他文件", doc_number="攸政发〔2013〕13号", org=world.county)
    for spelling in ("攸政发〔2013〕12号", "攸政发[2013]12号", "攸政发（2013）12号", "攸政发［２０１３］１２号",
                     "攸政发〔2013〕第12号", " 攸政发〔2013〕12号 "):  # fmt: skip
        page = run(world, spelling)
        assert page.exact is True, spelling
        assert [h.item.pk for h in page.hits] == [doc.pk], spelling
        assert page.total == 1
    # Not a 文号 on record: a plain text search, which finds both.
    page = run(world, "攸政发 2013 12号")
    assert page.exact is False
    assert {h.item.pk for h in page.hits} >= {doc.pk, citing.pk}


def test_index_number_lookup_is_exact(world, make_item):
    item = make_item("部门预算")
    other = make_item("部门决算")
    page = run(world, item.index_no)
    assert page.exact and [h.item.pk for h in page.hits] == [item.pk]
    page = run(world, item.index_no.lower().replace("/", "／"))
    assert page.exact and [h.item.pk for h in page.hits] == [item.pk]
    assert run(world, other.index_no).hits[0].item.pk == other.pk


def test_exact_lookup_skips_withdrawn_items(world, make_item):
    item = make_item("部门预算", doc_number="攸财发〔2024〕1号")
    withdraw_item(actor=world.reviewer, item=item, reason="发布有误")
    for q in (item.index_no, "攸财发〔2024〕1号"):
        page = run(world, q)
        assert page.exact is False and page.hits == []


def test_exact_lookup_respects_filters(world, make_item):
    item = make_item("部门预算", doc_number="攸财发〔2024〕2号", genre="notice")
    assert run(world, "攸财发〔2024〕2号", genre_id=item.genre_id).exact
    other = Genre.objects.exclude(pk=item.genre_id).first()
    assert run(world, "攸财发〔2024〕2号", genre_id=other.pk).hits == []


# --- filters -----------------------------------------------------------------------------------------


@pytest.fixture
def spread(world, make_item):
    a = make_item("财政预算执行情况", category="budget", genre="notice", published_on=date(2024, 1, 15))
    b = make_item("教育经费预算说明", org=world.unit_b, category="education", genre="report", kind="news",
                  published_on=date(2024, 6, 15))  # fmt: skip
    c = make_item("县级预算管理规定", org=world.county, category="finance", genre="normative",
                  published_on=date(2023, 12, 1))  # fmt: skip
    d = make_item("茶陵县预算公开", org=world.other_county, category="budget", published_on=date(2024, 2, 1))
    return a, b, c, d


def test_filter_by_organisation_and_its_units(world, spread, find):
    a, b, c, d = spread
    assert set(find("预算")) == {a.pk, b.pk, c.pk, d.pk}
    assert set(find("预算", organisation_id=world.county.pk)) == {a.pk, b.pk, c.pk}
    assert find("预算", organisation_id=world.county.pk, include_subunits=False) == [c.pk]
    assert find("预算", organisation_id=world.unit_a.pk) == [a.pk]
    assert find("预算", organisation_id=world.other_county.pk) == [d.pk]
    assert find("预算", organisation_id=10**9) == []


def test_filter_by_category_includes_sub_categories(world, spread, find):
    a, b, c, d = spread
    finance = Category.objects.get(code="finance")
    budget = Category.objects.get(code="budget")
    assert set(find("预算", category_id=finance.pk)) == {a.pk, c.pk, d.pk}
    assert set(find("预算", category_id=budget.pk)) == {a.pk, d.pk}
    assert find("预算", category_id=Category.objects.get(code="education").pk) == [b.pk]


def test_filter_by_genre_kind_and_dates(world, spread, find):
    a, b, c, d = spread
    assert find("预算", genre_id=Genre.objects.get(code="notice").pk) == [a.pk]
    assert find("预算", kind="news") == [b.pk]
    assert set(find("预算", kind="item")) == {a.pk, c.pk, d.pk}
    assert set(find("预算", date_from=date(2024, 1, 1), date_to=date(2024, 3, 31))) == {a.pk, d.pk}
    assert find("预算", date_from=date(2024, 6, 15)) == [b.pk]
    assert find("预算", date_to=date(2023, 12, 1)) == [c.pk]


def test_validity_change_is_reflected(world, spread, find):
    a, b, c, d = spread
    assert find("预算", validity="repealed") == []
    change_validity(actor=world.reviewer, item=c, validity="repealed", on=date(2024, 1, 10), by_item=a)
    assert find("预算", validity="repealed") == [c.pk]
    assert c.pk not in find("预算", validity="valid")
    change_validity(actor=world.reviewer, item=c, validity="valid", on=date(2024, 1, 10))
    assert find("预算", validity="repealed") == []


def test_filters_without_text_list_by_date(world, spread, find):
    a, b, c, d = spread
    assert find(organisation_id=world.county.pk) == [b.pk, a.pk, c.pk]
    assert find("", genre_id=Genre.objects.get(code="normative").pk) == [c.pk]
    assert find() == [b.pk, d.pk, a.pk, c.pk]


# --- order and pages ---------------------------------------------------------------------------------


def test_sort_by_relevance_or_date(world, make_item, find):
    strong = make_item(
        "部门预算管理办法", summary="预算编制、预算执行和预算监督", published_on=date(2024, 1, 10)
    )
    weak = make_item(
        "工作动态", body="会议还听取了有关预算的汇报。" + "其他事项。" * 30, published_on=date(2024, 6, 1)
    )
    middle = make_item("会议纪要", summary="研究预算调整事项", published_on=date(2024, 3, 1))
    assert find("预算") == [strong.pk, middle.pk, weak.pk]
    assert find("预算", sort="relevance") == [strong.pk, middle.pk, weak.pk]
    assert find("预算", sort="date") == [weak.pk, middle.pk, strong.pk]


def test_pagination(world, make_item):
    items = [make_item(f"第{i}号预算公告", published_on=date(2024, 1, 1 + i)) for i in range(25)]
    seen = []
    for n in (1, 2, 3):
        page = run(world, "预算", sort="date", page=n, per_page=10)
        assert page.total == 25 and page.num_pages == 3 and page.page == n
        seen += [h.item.pk for h in page.hits]
        assert page.has_previous == (n > 1) and page.has_next == (n < 3)
    assert seen == [i.pk for i in reversed(items)]
    assert run(world, "预算", page=4, per_page=10).hits == []
    assert run(world, "预算", page=4, per_page=10, sort="date").total == 25  # past the end: still counted
    assert len(run(world, "预算", per_page=1000).hits) == 25  # at most 100 a page, all 25 here
    assert run(world, "预算", per_page=-5).per_page == 1


# --- keeping in step ---------------------------------------------------------------------------------


def test_publication_indexes_and_withdrawal_removes_in_the_same_transaction(world, make_item, find):
    item = make_item("房屋拆迁公告")
    assert find("拆迁") == [item.pk]
    with transaction.atomic():
        withdraw_item(actor=world.reviewer, item=item, reason="内容有误")
        assert find("拆迁") == []  # at once, inside the withdrawing transaction
        transaction.set_rollback(True)  # …which then fails
    assert find("拆迁") == [item.pk]  # so the item is still published and still found
    withdraw_item(actor=world.reviewer, item=item, reason="内容有误")
    assert find("拆迁") == []
    assert DisclosureItem.objects.get(pk=item.pk).status == "withdrawn"


def test_editing_a_published_item_reindexes_it(world, make_item, find):
    item = make_item("城区改造公告", body="详见附件。")
    assert find("拆迁") == []
    update_item(actor=world.reviewer, item=item, body="<p>依法实施房屋拆迁。</p>", reason="补充")
    assert find("拆迁") == [item.pk]
    update_item(actor=world.reviewer, item=item, title="城区棚改公告", reason="更正")
    assert find("改造") == [] and find("棚改") == [item.pk]


def test_drafts_and_submitted_items_never_appear_even_for_staff(world, make_item, find):
    make_item("预算草稿", state="draft")
    make_item("预算送审稿", state="submitted")
    make_item("预算送审稿", state="submitted", org=world.county)
    for user in (
        world.anonymous,
        world.citizen,
        world.clerk_a,
        world.reviewer,
        world.county_admin,
        world.root,
    ):
        assert find("预算", user=user) == []
        assert find(user=user) == []


def test_results_are_rechecked_against_the_policy(world, make_item, find):
    item = make_item("部门预算")
    # A stale index row (the item went back to draft behind the actions' back) shows to nobody
    # who may not see the draft.
    DisclosureItem.objects.filter(pk=item.pk).update(status="draft")
    assert find("预算") == []
    assert find("预算", user=world.clerk_b) == []
    assert find("预算", user=world.clerk_a) == [item.pk]  # its own unit's draft


# --- safety ------------------------------------------------------------------------------------------


def test_markup_in_titles_and_bodies_is_escaped(world, make_item):
    make_item('<script>alert("x")</script>预算<img src=x onerror=alert(1)>',
              body="<p>&lt;script&gt;alert(2)&lt;/script&gt; 预算 &amp; 决算</p>")  # fmt: skip
    hit = run(world, "预算").hits[0]
    assert "<script" not in hit.title_html and "<img" not in hit.title_html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<mark>预算</mark>&lt;img" in hit.title_html
    assert hit.snippet_html == "&lt;script&gt;alert(2)&lt;/script&gt; <mark>预算</mark> &amp; 决算"


# (query, whether it finds "部门预算公开"): operators of FTS5 and tsquery are plain words here.
@pytest.mark.parametrize("q, found", [
    ('"', False), ("'", False), ("*", False), ("预算*", True), ('"预算" "公开"', True), ('"预算" OR "公开"', False),
    ("AND OR NOT", False), ("NEAR(预算 公开)", False), ("预算 -公开", True), ("title_tokens:预算", False),
    ("'; DROP TABLE search_searchdocument; --", False), ("预算 & 公开 | !", True), ("预算:* <-> 公开", True),
    ("\\", False), ("%_%", False), ("^预算", True), ("\x00", False), ("1\x00预算", False), ("预算\x00", True),
    ("()", False), ("{}", False), ("预算\n公开", True), ("a" * 200, False), ("。，、；：？！", False), ("😀 预算", True),
    ("预算" * 100, True),
])  # fmt: skip
def test_query_syntax_is_never_interpreted(world, make_item, q, found):
    item = make_item("部门预算公开")
    page = run(world, q)
    assert ([h.item.pk for h in page.hits] == [item.pk]) is found
    assert page.total == len(page.hits)


def test_nothing_searchable_in_the_text_finds_nothing(world, make_item, find):
    make_item("部门预算")
    assert find("。，！") == []


def test_relevance_orders_the_newest_matches_and_every_match_shows_once(world, make_item, monkeypatch):
    from gongkai.search import query as search_query

    monkeypatch.setattr(search_query, "RANK_WINDOW", 4)
    # Newest first: d7 … d0. The odd ones mention 预算 in the title (more relevant).
    items = [
        make_item(f"预算{'管理办法' if n % 2 else '说明'}{n}" if n % 2 else f"工作动态{n}",
                  body="" if n % 2 else "会议听取了预算执行情况的汇报。", published_on=date(2024, 1, 1 + n))
        for n in range(8)
    ]  # fmt: skip
    pages = [run(world, "预算", per_page=2, page=n) for n in (1, 2, 3, 4)]
    order = [h.item.pk for p in pages for h in p.hits]
    assert sorted(order) == sorted(i.pk for i in items) and pages[0].total == 8
    newest4 = [i.pk for i in items[4:]]
    # The first two pages (the window of 4) hold the newest four, title matches first …
    assert set(order[:4]) == set(newest4)
    assert order[:2] == [items[7].pk, items[5].pk]
    # … and the rest follow newest first.
    assert order[4:] == [items[3].pk, items[2].pk, items[1].pk, items[0].pk]


def test_filters_combine(world, spread, find):
    a, b, c, d = spread
    finance = Category.objects.get(code="finance")
    assert set(find("预算", organisation_id=world.county.pk, category_id=finance.pk)) == {a.pk, c.pk}
    assert find("", organisation_id=world.county.pk, category_id=finance.pk, date_to=date(2023, 12, 31)) == [
        c.pk
    ]
    assert find("预算", organisation_id=world.unit_b.pk, kind="item") == []


def test_matching_is_by_substring_whatever_jieba_cut(world, make_item, find):
    item = make_item("大学生活动中心开放公告")  # jieba: 大学生/活动/中心 — no 生活
    assert find("生活") == [item.pk]  # as LIKE '%生活%' would
    assert find("预算") == []


# --- totals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_totals_are_exact_as_far_as_one_can_page_then_a_lower_bound(world, make_item, monkeypatch, sort):
    from gongkai.search import query as search_query

    monkeypatch.setattr(search_query, "MAX_PAGE", 3)  # at most 3 pages of 2: totals counted up to 6
    monkeypatch.setattr(search_query, "RANK_WINDOW", 2)  # relevance ranks the newest 2, counts the rest
    monkeypatch.setattr(search_query, "SQLITE_SMALL", 0)  # SQLite too reads in slices of dates
    items = [make_item(f"第{n}号预算公告", published_on=date(2024, 1, 1 + n)) for n in range(8)]
    newest_first = [i.pk for i in reversed(items)]
    for n in (1, 2, 3):
        page = run(world, "预算", sort=sort, per_page=2, page=n)
        assert (page.total, page.total_exact, page.num_pages) == (6, False, 3)
        assert len(page.hits) == 2
        if sort == "date":
            assert [h.item.pk for h in page.hits] == newest_first[2 * n - 2 : 2 * n]
    # Beyond the pages one can reach (the API and the form refuse them; search() answers anyway).
    assert [h.item.pk for h in run(world, "预算", sort=sort, per_page=2, page=4).hits] == newest_first[6:8]
    assert run(world, "预算", sort=sort, per_page=2, page=9).total == 6

    withdraw_item(actor=world.reviewer, item=items[0], reason="重复")
    withdraw_item(actor=world.reviewer, item=items[1], reason="重复")
    for n in (1, 3, 4):  # exactly 6 left: exact again, whichever page is asked for
        page = run(world, "预算", sort=sort, per_page=2, page=n)
        assert (page.total, page.total_exact, page.num_pages) == (6, True, 3)
    page = run(world, "预算 2024", sort=sort, per_page=2, organisation_id=world.county.pk)
    assert (page.total, page.total_exact) == (6, True)
    assert run(world, "预算", sort=sort, per_page=5, date_from=date(2024, 1, 7)).total == 2


def test_filters_only_totals_are_capped_too(world, make_item, monkeypatch):
    from gongkai.search import query as search_query

    monkeypatch.setattr(search_query, "MAX_PAGE", 2)
    for n in range(5):
        make_item(f"公告{n}", published_on=date(2024, 1, 1 + n))
    page = run(world, "", per_page=2)  # no text, no filter: straight from the table
    assert (page.total, page.total_exact, len(page.hits)) == (4, False, 2)
    page = run(world, "", per_page=2, organisation_id=world.unit_a.pk)  # a filter: from the index
    assert (page.total, page.total_exact, len(page.hits)) == (4, False, 2)
    page = run(world, "", per_page=3, organisation_id=world.unit_a.pk)
    assert (page.total, page.total_exact) == (5, True)


def _month(n: int) -> date:
    return date(2020 + n // 12, n % 12 + 1, 10)


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_matches_spread_over_years_come_newest_first_and_counted(world, make_item, monkeypatch, sort):
    # PostgreSQL reads the newest months first, then wider slices, then the rest at once: every
    # page must be what one query over everything would give.
    from gongkai.search import query as search_query

    monkeypatch.setattr(search_query, "RANK_WINDOW", 4)
    monkeypatch.setattr(search_query, "SQLITE_SMALL", 0)  # SQLite too reads in slices of dates
    dense = [make_item(f"预算公告{n}", published_on=_month(n)) for n in range(0, 40)]  # monthly
    sparse = [make_item(f"拆迁公告{n}", published_on=_month(n)) for n in range(0, 40, 13)]  # 0, 13, 26, 39
    for word, items in (("预算", dense), ("拆迁", sparse)):
        expected = [i.pk for i in reversed(items)]
        seen = []
        for n in range(1, 12):
            page = run(world, word, sort=sort, per_page=4, page=n)
            assert (page.total, page.total_exact) == (len(items), True)
            seen += [h.item.pk for h in page.hits]
        assert sorted(seen) == sorted(expected)
        if sort == "date":
            assert seen == expected
        else:  # the newest four ranked (all alike here: newest first), then the rest newest first
            assert seen[4:] == expected[4:]
        window = run(world, word, sort=sort, per_page=4, date_from=_month(13), date_to=_month(26))
        assert window.total == len([i for i in items if _month(13) <= i.published_on <= _month(26)])

    monkeypatch.setattr(search_query, "MAX_PAGE", 3)  # counted up to 12
    page = run(world, "预算", sort=sort, per_page=4, page=2)
    assert (page.total, page.total_exact) == (12, False)
    assert [h.item.pk for h in page.hits] == [i.pk for i in reversed(dense)][4:8]
    assert run(world, "预算", sort=sort, per_page=4, organisation_id=world.unit_b.pk).total == 0
    assert run(world, "", per_page=4, organisation_id=world.unit_a.pk).total == 12


def test_a_longer_word_matches_where_its_characters_follow_each_other(world, make_item):
    real = make_item("财政预算执行情况")
    apart = make_item("财政局工作", body="行政预案一份；预算另行公布。")  # 财政, 政预, 预算: not in a row
    page = run(world, "财政预算")
    assert [h.item.pk for h in page.hits] == [real.pk] and apart.pk
    # PostgreSQL counts the items holding the bigrams and leaves the impostor off the page.
    assert page.total == (2 if connection.vendor == "postgresql" else 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="year lexemes are PostgreSQL's")
def test_postgresql_asks_for_whole_past_years_by_their_year_lexeme(world, make_item, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from gongkai.search import query as search_query

    monkeypatch.setattr(search_query, "PG_READ_AT_ONCE", 0)  # slices all the way down
    items = [make_item(f"预算公告{n}", published_on=date(2016 + n // 12, n % 12 + 1, 10)) for n in range(96)]
    with CaptureQueriesContext(connection) as queries:
        page = run(world, "预算", sort="date", per_page=4, page=20)
    assert [h.item.pk for h in page.hits] == [i.pk for i in reversed(items)][76:80]
    assert (page.total, page.total_exact) == (96, True)
    asked = " ".join(q["sql"] for q in queries.captured_queries)
    assert "#y2021" in asked and "#m2021" not in asked  # a slice of whole years, by year
