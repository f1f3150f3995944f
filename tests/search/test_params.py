"""GET parameters → SearchQuery, with an error per bad parameter and never an exception."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import QueryDict
from django.utils import translation

from gongkai.search.query import MAX_PAGE, SearchQuery, parse_query, search


def test_good_parameters() -> None:
    query, errors = parse_query(QueryDict(
        "q=+预算公开+&org=12&sub=0&category=3&genre=4&kind=news&validity=repealed&from=2024-01-01&to=2024-12-31"
        "&sort=date&page=3"
    ))  # fmt: skip
    assert errors == {}
    assert query == SearchQuery(q="预算公开", organisation_id=12, include_subunits=False, category_id=3, genre_id=4,
                                kind="news", validity="repealed", date_from=date(2024, 1, 1), date_to=date(2024, 12, 31),
                                sort="date", page=3)  # fmt: skip


def test_no_parameters_give_the_defaults() -> None:
    assert parse_query({}) == (SearchQuery(), {})
    assert parse_query({"q": "", "org": " ", "sub": "", "page": "", "from": ""}) == (SearchQuery(), {})
    assert parse_query({"sub": "1"})[0].include_subunits is True


@pytest.mark.parametrize("name, value", [
    ("org", "abc"), ("org", "-1"), ("org", "0"), ("org", "1.5"), ("org", "９"), ("org", "1" * 30),
    ("category", "x"), ("genre", "1e3"), ("sub", "maybe"), ("kind", "rumour"), ("validity", "forever"),
    ("from", "2024-13-01"), ("from", "yesterday"), ("to", "2024/01/01"), ("sort", "best"),
    ("page", "0"), ("page", "-2"), ("page", "x"), ("page", str(MAX_PAGE + 1)), ("page", "1" * 400),
    ("q", "预" * 201),
])  # fmt: skip
def test_bad_parameters_are_reported_not_raised(name, value) -> None:
    query, errors = parse_query({name: value})
    assert list(errors) == [name]
    assert errors[name]
    assert query == SearchQuery()  # the bad value is left at its default


def test_dates_in_the_wrong_order() -> None:
    query, errors = parse_query({"from": "2024-06-01", "to": "2024-01-01"})
    assert list(errors) == ["to"] and query.date_from == date(2024, 6, 1) and query.date_to is None


def test_every_error_at_once() -> None:
    params = {"org": "a", "category": "b", "genre": "c", "kind": "d", "validity": "e", "from": "f", "to": "g",
              "sort": "h", "page": "i", "sub": "j", "q": "x" * 500}  # fmt: skip
    query, errors = parse_query(params)
    assert set(errors) == set(params)
    assert query == SearchQuery()


def test_messages_are_translated() -> None:
    with translation.override("en"):
        assert parse_query({"page": "0"})[1]["page"] == f"The page must be a number from 1 to {MAX_PAGE}."
        assert parse_query({"from": "x"})[1]["from"] == "Enter a valid date (YYYY-MM-DD)."


@pytest.mark.django_db
def test_parsed_parameters_always_search(world) -> None:
    for params in (
        {"q": "预算", "org": "999999", "category": "999999", "genre": "999999"},
        {"page": str(MAX_PAGE)},
    ):
        query, errors = parse_query(params)
        assert not errors
        page = search(world.anonymous, query)
        assert page.hits == [] and page.total == 0
