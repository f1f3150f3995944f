"""Fuzzing the search query path (issue 8 §6): any text goes through the segmenter and the search
on either database without an error, and the query syntax of FTS5 (MATCH) or PostgreSQL (tsquery)
never leaks: operators in the text neither raise nor change which items are found."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gongkai.search.query import MAX_QUERY_CHARS, SearchQuery, parse_query, search
from gongkai.search.segment import MAX_QUERY_TERMS, query_terms, tokens_for_index
from tests.search.conftest import make_item  # noqa: F401 (the fixture)

FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip

# The query syntax of both engines, and what tends to break hand-built queries.
OPERATORS = [
    '"', '""', "*", ":", ":*", "&", "|", "!", "(", ")", "()", "NEAR", "NEAR(", "NEAR/2", "OR", "AND", "NOT",
    "or", "-", "^", "+", "{", "}", "[", "]", "'", "\\", "<->", "<2>", "%", "_", ";", "--", "/*", "*/", "\x00",
    "title:", "#o1", "#c1", "#", "\u3000", "，", "“", "”", "（", "）", "\U0001f600", "\ufffd", "\u200b",
]  # fmt: skip
PUNCTUATION = [op for op in OPERATORS if not any(ch.isalnum() for ch in op)]

queries = st.one_of(
    st.text(max_size=MAX_QUERY_CHARS),
    st.lists(st.sampled_from(OPERATORS + ["预算", "教育", "公开", "2013", "a" * 61, "县"]), max_size=12).map(
        lambda parts: " ".join(parts)
    ),
    st.lists(st.sampled_from(OPERATORS), max_size=12).map("".join),
)


@FUZZ
@given(q=st.one_of(queries, st.text(max_size=3000)))
@example(q='"')
@example(q="NEAR(预算 教育, 2)")
@example(q="预算\x00教育")
def test_the_segmenter_takes_any_text(q: str) -> None:
    terms = query_terms(q)
    assert len(terms) <= MAX_QUERY_TERMS
    assert all(t.text and t.text == t.text.strip() for t in terms)
    assert all(tok for tok in tokens_for_index(q))


def test_search_takes_any_text_and_operators_change_nothing(world: Any, make_item: Any) -> None:  # noqa: F811
    budget = make_item(
        "攸县财政预算公开", body="<p>一般公共预算收入稳步增长。</p>", published_on=date(2024, 3, 1)
    )
    make_item("攸县教育工作通知", body="<p>做好春季学期教育工作。</p>", published_on=date(2024, 3, 2))

    def ids(q: str, **fields: Any) -> set[int]:
        return {h.item.pk for h in search(world.anonymous, SearchQuery(q=q, **fields)).hits}

    assert ids("预算") == {budget.pk}  # the seeds are found: the checks below are not vacuous

    @FUZZ
    @given(
        q=queries,
        sort=st.sampled_from(["relevance", "date"]),
        params=st.dictionaries(
            st.sampled_from(["org", "sub", "kind", "validity", "from", "to", "page"]),
            st.one_of(st.sampled_from(["1", "0", "-1", "99999999999999999999", "2024-03-01", "item", ""]),
                      st.text(max_size=8)),
            max_size=3,
        ),
    )  # fmt: skip
    @example(q="预算 OR 教育", sort="relevance", params={})
    @example(q="预算\x00", sort="date", params={})
    def check(q: str, sort: str, params: dict[str, str]) -> None:
        query, _errors = parse_query({**params, "q": q, "sort": sort})
        page = search(world.anonymous, query)
        assert page.total >= len(page.hits)

    @FUZZ
    @given(
        ops=st.lists(st.sampled_from(PUNCTUATION), min_size=1, max_size=4),
        sort=st.sampled_from(["relevance", "date"]),
    )
    @example(ops=['"', "*"], sort="relevance")
    def operators_are_text(ops: list[str], sort: str) -> None:
        junk = " ".join(ops)
        # Punctuation only separates words: the budget item alone, whatever the operators.
        assert ids(f"预算 {junk}", sort=sort) == {budget.pk}
        assert ids(f"{junk}预算{junk}", sort=sort) == {budget.pk}
        # No item holds both words: an operator read as OR, NOT or a column filter would find one.
        assert ids(f"预算 {junk} 教育", sort=sort) == set()
        assert ids(f"预算 {junk}OR{junk} 教育", sort=sort) == set()

    check()
    operators_are_text()
