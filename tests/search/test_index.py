"""The index: bulk sync, rebuilding, the command, and the number of queries a search costs."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.disclosure.actions import withdraw_item
from gongkai.disclosure.models import Category, DisclosureItem, Genre
from gongkai.search import fts, index
from gongkai.search.models import SearchDocument
from gongkai.search.query import SearchQuery, search

pytestmark = pytest.mark.django_db

QUERIES = [
    SearchQuery(q="预算"),
    SearchQuery(q="预算", sort="date"),
    SearchQuery(q="拆迁 补偿"),
    SearchQuery(q="信息公开"),
    SearchQuery(q="县"),
    SearchQuery(q="2024 预算", per_page=2, page=2),
    SearchQuery(q="", organisation_id=None, kind="news"),
]


@pytest.fixture
def catalogue(world, make_item):
    items = [
        make_item("攸县财政局关于2024年部门预算公开的通知", body="根据政府信息公开条例，现将部门预算公开如下。",
                  doc_number="攸财发〔2024〕3号", category="budget", genre="budget", published_on=date(2024, 2, 1)),
        make_item("房屋拆迁补偿安置方案", body="依法实施房屋拆迁，补偿标准见附件。", org=world.unit_b,
                  published_on=date(2024, 3, 5)),
        make_item("网岭镇征地补偿公告", summary="征地拆迁补偿安置", org=world.township, published_on=date(2024, 4, 1)),
        make_item("县政府常务会议召开", body="会议研究了2024年预算调整方案。", kind="news", org=world.county,
                  published_on=date(2024, 5, 1)),
        make_item("政府信息公开工作年度报告", body="本年度主动公开政府信息1200条。", published_on=date(2024, 1, 20)),
        make_item("预算草稿", state="draft"),
    ]  # fmt: skip
    withdrawn = make_item("已撤回的预算公告")
    withdraw_item(actor=world.reviewer, item=withdrawn, reason="重复发布")
    return items


def snapshot(world):
    out = []
    for query in QUERIES:
        page = search(world.anonymous, query)
        out.append((page.total, page.exact, [(h.item.pk, h.title_html, h.snippet_html) for h in page.hits]))
    return out


def test_reindex_rebuilds_identical_results(world, catalogue):
    before = snapshot(world)
    assert before[0][0] == 2 and before[2][0] == 2
    assert index.reindex() == 5
    assert snapshot(world) == before
    assert SearchDocument.objects.count() == 5


def test_reindex_restores_a_lost_or_broken_index(world, catalogue):
    before = snapshot(world)
    SearchDocument.objects.all().delete()
    assert search(world.anonymous, SearchQuery(q="预算")).total == 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:  # the full-text index itself emptied behind the table's back
            cur.execute(f"INSERT INTO {fts.FTS_TABLE}({fts.FTS_TABLE}) VALUES ('delete-all')")
    index.reindex(batch_size=2)
    assert snapshot(world) == before
    # The triggers are back: publishing and withdrawing still keep the index in step.
    withdraw_item(actor=world.reviewer, item=catalogue[1], reason="过期")
    assert search(world.anonymous, SearchQuery(q="拆迁")).total == 1


def test_reindex_command_shows_a_progress_bar(world, catalogue):
    out = io.StringIO()
    call_command("search", "reindex", "--batch-size", "2", stdout=out)
    text = out.getvalue()
    assert "100%" in text and "5/5" in text and "[####" in text
    assert text.rstrip().endswith("indexed 5 published items")
    quiet = io.StringIO()
    call_command("search", "reindex", "--quiet", stdout=quiet)
    assert quiet.getvalue() == "indexed 5 published items\n"


def test_query_command(world, catalogue):
    out = io.StringIO()
    call_command("search", "query", "拆迁", stdout=out)
    assert out.getvalue().startswith("2 results") and "房屋拆迁补偿安置方案" in out.getvalue()


def test_sync_items_indexes_published_and_drops_the_rest(world, catalogue):
    before = snapshot(world)
    SearchDocument.objects.all().delete()
    assert index.sync_items(DisclosureItem.objects.all()) == 5
    assert snapshot(world) == before
    assert set(SearchDocument.objects.values_list("pk", flat=True)) == set(
        DisclosureItem.objects.filter(status="published").values_list("pk", flat=True)
    )
    # Items that stopped being published leave the index.
    DisclosureItem.objects.filter(pk=catalogue[0].pk).update(status="withdrawn")
    assert index.sync_items(DisclosureItem.objects.filter(pk__in=[catalogue[0].pk, catalogue[1].pk])) == 1
    assert not SearchDocument.objects.filter(pk=catalogue[0].pk).exists()


def test_the_index_copies_the_filter_fields(world, catalogue):
    doc = SearchDocument.objects.get(pk=catalogue[0].pk)
    item = catalogue[0]
    assert (doc.organisation_id, doc.category_id, doc.genre_id, doc.kind, doc.validity, doc.published_on) == (
        item.organisation_id,
        item.category_id,
        item.genre_id,
        "item",
        "valid",
        date(2024, 2, 1),
    )
    assert doc.index_no == item.index_no.upper() and doc.doc_number == "攸财发〔2024〕3号"
    assert "预算" in doc.title_tokens.split() and "2024" in doc.meta_tokens.split()
    if connection.vendor == "postgresql":
        assert "'#m202402'" in doc.vector and not doc.body_tokens
    else:
        assert doc.vector is None and "预算" in doc.body_tokens.split()


PG = connection.vendor == "postgresql"


def queries(ranked: bool = True) -> int:
    """The queries of a search over a small index, its page of items included: the first and last
    dates; PostgreSQL: the SET LOCAL that keeps it on the GIN index; the matches (a small index, a
    few months: all at once); by relevance on SQLite, the tokens of the newest that rank them
    (PostgreSQL reads them with the matches); the page of items."""
    return 4 if PG else (4 if ranked else 3)


def _count(user, query) -> tuple[int, int]:
    """Queries issued (savepoints aside: inside a test's transaction, ``atomic`` makes them) and hits."""
    with CaptureQueriesContext(connection) as ctx:
        page = search(user, query)
    queries = [q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    return len(queries), len(page.hits)


@pytest.mark.parametrize("who", ["anonymous", "reviewer"])
def test_the_number_of_queries_does_not_grow_with_the_page(
    world, make_item, who, django_assert_max_num_queries
):
    genre = Genre.objects.get(code="notice")
    for i in range(20):
        make_item(f"第{i}号预算公告", category="budget", genre="notice", org=[world.unit_a, world.unit_b][i % 2],
                  published_on=date(2024, 1, 1 + i))  # fmt: skip
    for i in range(5):
        make_item(f"第{i}号拆迁公告", category="budget", genre="notice", org=world.township,
                  published_on=date(2024, 2, 1 + i))  # fmt: skip
    finance = Category.objects.get(code="finance")
    counts = {}
    for q, expected in (("预算", 20), ("拆迁", 5)):
        for filtered in (False, True):
            query = SearchQuery(q=q, per_page=20)
            if filtered:
                query = SearchQuery(q=q, organisation_id=world.county.pk, category_id=finance.pk, genre_id=genre.pk,
                                    date_from=date(2024, 1, 1), sort="date")  # fmt: skip
            user = world.fresh(getattr(world, who))  # role scope not cached yet: the worst case
            n, hits = _count(user, query)
            assert hits == expected
            counts[(q, filtered)] = n
    # Filters are index tokens; published items need no role scope; the page size plays no part.
    assert counts[("预算", False)] == counts[("拆迁", False)] == queries(ranked=True)
    assert counts[("预算", True)] == counts[("拆迁", True)] == queries(ranked=False)
    savepoints = 2 if PG else 0
    with django_assert_max_num_queries(queries(ranked=True) + savepoints):
        search(world.fresh(getattr(world, who)), SearchQuery(q="预算", category_id=finance.pk, per_page=5))


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_more_matches_than_are_counted_cost_no_more_queries(world, make_item, monkeypatch, sort):
    from gongkai.search import query as search_query

    monkeypatch.setattr(search_query, "MAX_PAGE", 2)
    for i in range(5):
        make_item(f"第{i}号预算公告", published_on=date(2024, 1, 1 + i))
    n, hits = _count(world.anonymous, SearchQuery(q="预算", sort=sort, per_page=2))
    assert hits == 2 and n == queries(ranked=sort == "relevance")


def test_an_exact_lookup_costs_one_more_query(world, make_item):
    item = make_item("部门预算", doc_number="攸财发〔2024〕9号")
    n, hits = _count(world.anonymous, SearchQuery(q="攸财发〔2024〕9号"))
    assert hits == 1 and n == 2  # the look-up, the page of items
    n, hits = _count(world.anonymous, SearchQuery(q="预算 2024"))
    assert n == queries() + 1  # the look-up found nothing: then the search
    n, hits = _count(world.anonymous, SearchQuery(q="预算"))
    assert n == queries() and hits == 1 and item.pk  # no digit: no look-up
