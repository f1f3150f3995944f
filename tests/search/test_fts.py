"""The match expressions and index encodings, and that filter tokens never meet text tokens."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.search import fts
from gongkai.search.query import SearchQuery, facets_of
from gongkai.search.segment import Term, query_terms, tokens_for_index


def test_sort_key_orders_by_date_then_item_and_round_trips() -> None:
    keys = [
        fts.sort_key(date(2024, 1, 2), 7),
        fts.sort_key(date(2024, 1, 2), 8),
        fts.sort_key(date(2024, 1, 3), 1),
    ]
    assert keys == sorted(keys)
    assert [fts.item_id(k) for k in keys] == [7, 8, 1]
    lo, hi = fts.day_range(date(2024, 1, 2), date(2024, 1, 2))
    assert all(lo <= k <= hi for k in keys[:2]) and not lo <= keys[2] <= hi
    assert fts.day_range(None, None) is None
    with pytest.raises(ValueError):
        fts.sort_key(date(2024, 1, 1), 2**32)


def test_fts5_match_quotes_every_token() -> None:
    terms = [Term("财政预算", True), Term("公开", True), Term("县", True), Term("pm2", False)]
    assert fts.fts5_match(terms, ["#o5"]) == '"财政 政预 预算" AND "公开" AND "县"* AND "pm2" AND "#o5"'
    assert fts.fts5_match([], []) == '"#all"'
    assert fts.fts5_match([Term('a"b', False)], []) == '"a""b"'


def test_tsquery_quotes_every_lexeme() -> None:
    terms = [Term("财政预算", True), Term("县", True), Term("o'k\\", False)]
    # Longer words as their bigrams (the phrase is checked on the page, see query.search).
    assert fts.tsquery_text(terms, ["#g4"]) == "'财政' & '政预' & '预算' & '县':* & 'o''k\\\\' & '#g4'"
    assert fts.tsquery_text([], []) == "'#all'"
    assert (
        fts.tsquery_text([], [], fts.month_tokens(2024 * 12 + 10, 2025 * 12))
        == "('#m202411' | '#m202412' | '#m202501')"
    )


def test_tsvector_weights_positions_and_facets() -> None:
    literal = fts.tsvector_literal([(["预算", "公开"], "A"), (["预算"], "C")], ["#all", "#o5"])
    assert literal == "'预算':1A,11C '公开':2A '#all' '#o5'"


def test_no_text_token_spells_a_filter_token() -> None:
    text = "#o5 #all o5 kitem ＃g4"
    assert all(not t.startswith("#") for t in tokens_for_index(text))
    assert all(not t.text.startswith("#") for t in query_terms(text))


def test_filters_become_tokens() -> None:
    q = SearchQuery(organisation_id=5, category_id=3, genre_id=4, kind="news", validity="repealed")
    assert facets_of(q) == ["#o5", "#c3", "#g4", "#knews", "#vrepealed"]
    assert facets_of(SearchQuery(organisation_id=5, include_subunits=False)) == ["#u5"]
    assert facets_of(SearchQuery(q="x", date_from=date(2024, 1, 1))) == []


@pytest.mark.django_db
def test_words_that_look_like_filters_are_only_text(world, make_item, find) -> None:
    tricky = make_item("#all kitem o1 g4 vvalid 预算")
    plain = make_item("预算", genre="notice")
    from gongkai.disclosure.models import Genre

    notice = Genre.objects.get(code="notice")
    assert find("预算", genre_id=notice.pk) == [plain.pk]
    assert find("kitem") == [tricky.pk]
    # The plain item is filed under genre notice (#g<id>), but it does not contain the text g<id>.
    assert find(f"g{notice.pk}") == ([tricky.pk] if notice.pk == 4 else [])
    assert find("#all") == [tricky.pk] and find("all") == [tricky.pk]


def test_whole_past_years_are_one_lexeme_and_the_rest_months() -> None:
    # 2022-11 … 2025-02: 2023 and 2024 whole; 2025 is the current year, so its months stay.
    tokens = fts.period_tokens(2022 * 12 + 10, 2025 * 12 + 1, years_before=2025)
    assert tokens == ["#m202211", "#m202212", "#y2023", "#y2024", "#m202501", "#m202502"]
    # The current year keeps its months even when the slice holds all of it.
    assert fts.period_tokens(2025 * 12, 2025 * 12 + 11, years_before=2025) == fts.month_tokens(2025 * 12, 2025 * 12 + 11)
    assert fts.period_tokens(2024 * 12, 2024 * 12 + 11, years_before=2025) == ["#y2024"]
    assert fts.period_tokens(5, 4, years_before=2025) == []


def test_a_dated_document_carries_its_month_and_its_year() -> None:
    assert (fts.month_token(date(2023, 4, 9)), fts.year_token(date(2023, 4, 9))) == ("#m202304", "#y2023")
    assert (fts.month_token(None), fts.year_token(None)) == ("#m000000", "#y0000")
