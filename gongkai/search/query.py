"""Searching the catalogue: one interface, two backends (SQLite FTS5, PostgreSQL GIN).

``search(user, query)`` returns one page of highlighted hits. The index holds
published items only, and the page's items are checked again with
``DisclosureItemPolicy`` (its "view" rule, the one ``visible_to`` filters with)
so nothing the user may not see is ever shown. A query that is an 索引号 or a
文号 (in any of its usual spellings) returns exactly those items,
``exact=True``.

Filters are tokens in the full-text index (see ``fts``). Queries per search,
whatever the page size: the exact look-up (only when the text contains a
digit); the first and last dates in the index; the matches, newest first, in
slices of dates (on SQLite the index's own order, see ``_search_sqlite``; on
PostgreSQL by month, see ``_search_postgresql``), as many as the page needs —
by relevance the newest ``RANK_WINDOW``, ranked in Python by their title and
summary tokens (``rank``; on SQLite one more query reads those tokens) — and
a count of the older ones as far as the count limit; then the page of items
(plus, for a staff user when an item is not published — a stale index — the
user's role scope: two queries, cached on the user).

PostgreSQL asks for the bigrams of a longer word rather than for them in a
row (see ``fts.tsquery_text``) and drops, page by page, the rare item that
holds them apart; its totals count such items.

Totals are exact up to what can be paged through (``MAX_PAGE`` pages);
beyond that the page says "more than" (``total_exact=False``): counting the
400,000 matches of 公开 exactly would cost more than the whole rest of the
search.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gongkai.disclosure.models import DisclosureItem, ItemKind, Validity
from gongkai.disclosure.policies import DisclosureItemPolicy
from gongkai.search import fts, rank
from gongkai.search.highlight import highlight, snippet
from gongkai.search.index import item_texts, lookup_key
from gongkai.search.segment import Term, normalise, query_terms

SORTS = ("relevance", "date")
MAX_PER_PAGE = 100
# Deeper pages are refused: nobody reads them, and totals are counted only as far as they go
# (1,000 at 20 a page; beyond, "more than 1,000"): each match counted is a step through the GIN index's lists, 15–25 µs at a million items, so
# a limit of 2,000 put filtered phrase queries at 65 ms (p95) where 1,000 keeps them under 50.
MAX_PAGE = 50
MAX_QUERY_CHARS = 200
# Relevance orders the newest RANK_WINDOW matches (about: whole pages); later pages, and the
# matches of very common words beyond them, follow newest first. Ranking every one of 400,000
# matches of 公开 would cost half a second; the newest 1,000 cost milliseconds.
RANK_WINDOW = 1000
# SQLite reads an index of up to this many documents at once, a larger one in slices of dates.
SQLITE_SMALL = 50_000
# PostgreSQL reads the rest of the matches at once when they look no more than this many times
# what is still wanted (matches to read, or to count up to the count limit).
PG_READ_AT_ONCE = 2


@dataclass
class SearchQuery:
    q: str = ""
    organisation_id: int | None = None
    include_subunits: bool = True
    category_id: int | None = None  # includes its sub-categories
    genre_id: int | None = None
    kind: str | None = None  # "item" | "news"
    validity: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"  # "relevance" | "date"
    page: int = 1
    per_page: int = 20


@dataclass
class SearchHit:
    item: DisclosureItem  # with organisation, category and genre loaded
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int  # exact, or with total_exact=False: there are more than this many
    page: int
    per_page: int
    num_pages: int
    took_ms: float
    exact: bool
    query: SearchQuery
    terms: list[str] = field(default_factory=list)  # the words searched for (as segmented)
    total_exact: bool = True

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


# --- parameters --------------------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_query(params: Mapping[str, str]) -> tuple[SearchQuery, dict[str, str]]:
    """A ``SearchQuery`` from GET parameters (q, org, sub, category, genre, kind, validity,
    from, to, sort, page) and the errors per parameter. A bad value is reported and left at its
    default; this never raises."""
    query = SearchQuery()
    errors: dict[str, str] = {}

    def get(name: str) -> str:
        value = params.get(name)
        return str(value).strip() if value is not None else ""

    q = get("q")
    if len(q) > MAX_QUERY_CHARS:
        errors["q"] = _("The search text is too long (at most %(max)d characters).") % {
            "max": MAX_QUERY_CHARS
        }
    else:
        query.q = q

    for name, attr in (("org", "organisation_id"), ("category", "category_id"), ("genre", "genre_id")):
        raw = get(name)
        if raw:
            if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63:
                setattr(query, attr, int(raw))
            else:
                errors[name] = _("Enter a whole number.")

    sub = get("sub").lower()
    if sub in _FALSE:
        query.include_subunits = False
    elif sub and sub not in _TRUE:
        errors["sub"] = _("Enter 1 or 0.")

    kind = get("kind")
    if kind:
        if kind in ItemKind.values:
            query.kind = kind
        else:
            errors["kind"] = _("Unknown kind.")
    validity = get("validity")
    if validity:
        if validity in Validity.values:
            query.validity = validity
        else:
            errors["validity"] = _("Unknown validity.")

    for name, attr in (("from", "date_from"), ("to", "date_to")):
        raw = get(name)
        if raw:
            try:
                setattr(query, attr, date.fromisoformat(raw))
            except ValueError:
                errors[name] = _("Enter a valid date (YYYY-MM-DD).")
    if query.date_from and query.date_to and query.date_from > query.date_to:
        errors["to"] = _("The end date is before the start date.")
        query.date_to = None

    sort = get("sort")
    if sort:
        if sort in SORTS:
            query.sort = sort
        else:
            errors["sort"] = _("Unknown sort order.")

    page = get("page")
    if page:
        if page.isascii() and page.isdigit() and 1 <= int(page) <= MAX_PAGE:
            query.page = int(page)
        else:
            errors["page"] = _("The page must be a number from 1 to %(max)d.") % {"max": MAX_PAGE}
    return query, errors


# --- search ------------------------------------------------------------------------------------------

_DOC = fts.DOC_TABLE
_BY_DATE = "d.published_on DESC, d.item_id DESC"


def facets_of(query: SearchQuery) -> list[str]:
    """The filter tokens the results must carry (see ``fts``)."""
    out = []
    if query.organisation_id is not None:
        out.append(f"#{'o' if query.include_subunits else 'u'}{query.organisation_id}")
    if query.category_id is not None:
        out.append(f"#c{query.category_id}")  # sub-categories carry it too
    if query.genre_id is not None:
        out.append(f"#g{query.genre_id}")
    if query.kind:
        out.append(f"#k{query.kind}")
    if query.validity:
        out.append(f"#v{query.validity}")
    return out


def _rows(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _window(query: SearchQuery) -> int:
    """How many of the newest matches are ordered by relevance: whole pages, about RANK_WINDOW."""
    return query.per_page * max(1, RANK_WINDOW // query.per_page)


def _exact_ids(q: str, query: SearchQuery, facets: list[str]) -> list[int]:
    key = lookup_key(q)
    if not key or len(key) > 100 or not any(c.isdigit() for c in key):
        return []
    rows = _rows(
        f"SELECT d.item_id, d.facets, d.published_on FROM {_DOC} d WHERE d.index_no = %s OR d.doc_number = %s "
        f"ORDER BY {_BY_DATE} LIMIT 1000",
        [key, key],
    )
    wanted = set(facets)
    return [
        pk
        for pk, doc_facets, day in rows
        if wanted <= set(doc_facets.split())
        and (query.date_from is None or (day and day >= query.date_from))
        and (query.date_to is None or (day and day <= query.date_to))
    ]


def _count_limit(query: SearchQuery) -> int:
    """Matches are counted up to what can be paged through; beyond, the total is "more than"."""
    return MAX_PAGE * query.per_page


@dataclass
class _Found:
    """What a backend found: the page of item ids and the total (exact or a lower bound)."""

    ids: list[int]
    total: int
    total_exact: bool = True


def _found(ids: list[int], seen: int, rest: int | None, limit: int) -> _Found:
    """``seen`` matches read, ``rest`` more counted (``None``: none left to count) up to ``limit``."""
    total = seen + (rest or 0)
    return _Found(ids, min(total, limit), total <= limit)


def _search_sqlite(terms: list[Term], facets: list[str], query: SearchQuery, offset: int) -> _Found:
    """Newest first, in slices of the index read forwards. The rowid is the publication date (see
    fts.sort_key), so newest first is the index's own order backwards; but FTS5 reads a doclist
    forwards a third faster than backwards, and common words that seldom meet (乡村振兴 专项资金
    管理办法 in one genre) make a search read most of the index. So the newest slice of dates is
    read forwards first, then older slices as wide as the rate of matches so far says are needed
    (at most four times the dates read), until the page (by relevance: the ranking window) is
    there; then the older matches are counted, as far as the count limit."""
    f = fts.FTS_TABLE
    match = fts.fts5_match(terms, facets)
    limit = _count_limit(query)
    window = _window(query)
    ranked = bool(terms) and query.sort != "date" and offset < window
    need = window if ranked else offset + query.per_page
    floor, top = fts.day_range(query.date_from, query.date_to) or (0, fts.MAX_KEY)
    # The first and last dated documents (the undated, day 0, are read with the oldest slice), and
    # about how many documents there are (the span of their ids).
    first, last, high, low = _rows(
        f"SELECT (SELECT min(sort_key) FROM {_DOC} WHERE sort_key >= %s), (SELECT max(sort_key) FROM {_DOC}), "
        f"(SELECT max(item_id) FROM {_DOC}), (SELECT min(item_id) FROM {_DOC})",  # each from its index
        [1 << 32],
    )[0]
    if first is None or last is None:  # nothing dated: the undated are keys below 1 << 32
        first, last = floor, max(floor, (1 << 32) - 1)
    documents = high - low + 1 if high else 0
    first_key, top = max(floor, first), min(top, last)
    # The first slice: as many dates as hold about four times the matches needed of a common word.
    share = 4 * need / documents if documents > SQLITE_SMALL else 1
    width = max(1, math.ceil((last - first + 1) * min(1.0, share)))
    found: list[int] = []  # newest first
    upper = top
    while upper >= floor:
        lower = max(first_key, upper - width + 1)
        if lower == first_key:
            lower = floor
        keys = _rows(
            f"SELECT rowid FROM {f} WHERE {f} MATCH %s AND {f}.rowid BETWEEN %s AND %s", [match, lower, upper]
        )
        found.extend(r[0] for r in reversed(keys))
        if len(found) >= need:
            break
        done = top - lower + 1
        rate = len(found) / done
        width = min(4 * done, math.ceil(1.25 * (need - len(found)) / rate) if rate else 4 * done)
        upper = lower - 1
    rest = None
    if upper >= floor and lower > floor and len(found) <= limit:  # count the older, up to the limit
        rest = _rows(
            f"SELECT count(*) FROM (SELECT 1 FROM {f} WHERE {f} MATCH %s AND {f}.rowid BETWEEN %s AND %s "
            "LIMIT %s)",
            [match, floor, lower - 1, limit + 1 - len(found)],
        )[0][0]
    if ranked:  # rank the newest ``window`` by their title and summary tokens
        rows = _rows(
            f"SELECT d.sort_key, d.title_tokens, d.meta_tokens FROM {_DOC} d INDEXED BY {fts.RANK_INDEX} "
            "WHERE d.sort_key IN (SELECT value FROM json_each(%s))",
            [json.dumps(found[:window])],
        )
        page = rank.order(rows, terms)[offset : offset + query.per_page]
    else:
        page = found[offset : offset + query.per_page]
    return _found([fts.item_id(k) for k in page], len(found), rest, limit)


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _search_postgresql(terms: list[Term], facets: list[str], query: SearchQuery, offset: int) -> _Found:
    """Newest months first. A GIN bitmap holds every match in the order of the table, and the
    rows of a word in most documents (公开: most of the table) would all be visited to find the
    newest; so the newest months are asked for first, a month lexeme (``#m202403``) AND-ed to the
    query, which the GIN index intersects from the smaller side. Each further slice takes as many
    months as the rate of matches so far says are needed (at most four times those read); once
    the rest looks small, or the oldest month is reached, the rest is asked for at once (with the
    documents without a date). Only as many matches are read as the page and the count need."""
    limit = _count_limit(query)
    window = _window(query)
    ranked = bool(terms) and query.sort != "date" and offset < window
    need = window if ranked else offset + query.per_page  # the matches to read, newest first
    dates, date_params = "", []
    if query.date_from:
        dates += " AND d.published_on >= %s"
        date_params.append(query.date_from)
    if query.date_to:
        dates += " AND d.published_on <= %s"
        date_params.append(query.date_to)
    first, last = _rows(f"SELECT min(d.published_on), max(d.published_on) FROM {_DOC} d", [])[0]
    if query.date_from and first:
        first = max(first, query.date_from)
    if query.date_to and last:
        last = min(last, query.date_to)
    top = _month(last) if last else None  # the newest month not read yet
    bottom = _month(first) if first else None

    this_year = timezone.localdate().year
    found: list[int] = []  # newest first
    tokens: list[tuple[int, str, str]] = []  # when ranked: (sort key, title tokens, meta tokens) of ``found``
    counted = 0  # matches counted beyond ``found``
    months_read = 0
    with transaction.atomic(), connection.cursor() as cur:
        # Only the GIN bitmap: a sequential scan or an index scan on the sort key would read the
        # tsvector of every row to test it (4 µs a row, from TOAST). For this transaction only.
        cur.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        while True:
            reading = len(found) < need
            wanted = (need - len(found)) if reading else (limit + 1 - len(found) - counted)
            if top is None or bottom is None or top < bottom:
                span = None
            elif not months_read:
                # The newest month alone once half of it has passed; two while it has only begun.
                span = 1 if last.day >= 15 else 2
            else:
                rate = (len(found) + counted) / months_read
                left = top - bottom + 1
                if rate * left <= PG_READ_AT_ONCE * wanted:
                    # Few enough to read at once: the GIN index reads the rarest words' lists, the
                    # rows visited are the matches; a wide slice would read its months' lists. But
                    # not when only a few more are wanted: reading (and counting) all the rest to
                    # get the last thirty of a thousand cost more than a slice of two months.
                    span = None
                else:
                    span = min(4 * months_read, math.ceil(1.25 * wanted / rate) if rate else 4 * months_read)
            older_than = None
            if span is not None and top - span + 1 > bottom:
                months = fts.period_tokens(top - span + 1, top, this_year)
                top -= span
                months_read += span
                rest = False
            elif top is not None and bottom is not None and (dates or top - bottom < 24):
                # The rest at once, by its months: a date filter leaves the undated out, and the
                # index then reads those months, not every match of a common word to drop most.
                months = fts.period_tokens(bottom, top, this_year) + ([] if dates else [fts.month_token(None)])
                rest = True
                if not months:
                    break
            else:  # the rest at once, older than month ``top``, the words being rare
                months = []
                if top is not None:
                    older_than = date((top + 1) // 12, (top + 1) % 12 + 1, 1).toordinal() << 32
                rest = True
            cond = f"d.vector @@ %s::tsquery{dates}"
            params = [fts.tsquery_text(terms, facets, months), *date_params]
            if older_than is not None:
                cond += " AND d.sort_key < %s"
                params.append(older_than)
            if reading:  # the newest of the slice, and how many it holds
                # Ranked: the title and summary tokens come with them, from the heap pages the
                # slice visits anyway (not from a second visit to two thousand rows by key).
                columns = "d.sort_key, d.title_tokens, d.meta_tokens" if ranked else "d.sort_key"
                rows = _rows(
                    f"SELECT {columns}, count(*) OVER () FROM {_DOC} d WHERE {cond} ORDER BY d.sort_key DESC "
                    "LIMIT %s",
                    [*params, wanted],
                )
                found.extend(r[0] for r in rows)
                if ranked:
                    tokens.extend(r[:3] for r in rows)
                counted += (rows[0][-1] - len(rows)) if rows else 0
            else:
                counted += _rows(
                    f"SELECT count(*) FROM (SELECT 1 FROM {_DOC} d WHERE {cond} LIMIT %s) d",
                    [*params, wanted],
                )[0][0]
            if rest or len(found) + counted > limit:
                break
    if ranked:  # rank the newest ``window`` by their title and summary tokens
        page = rank.order(tokens[:window], terms)[offset : offset + query.per_page]
    else:
        page = found[offset : offset + query.per_page]
    return _found([fts.item_id(k) for k in page], len(found), counted or None, limit)


def _browse(query: SearchQuery, offset: int) -> _Found:
    """No text and no filter but dates: straight from the table, newest first."""
    where, params = "", []
    if query.date_from:
        where += " AND d.published_on >= %s"
        params.append(query.date_from)
    if query.date_to:
        where += " AND d.published_on <= %s"
        params.append(query.date_to)
    base = f"FROM {_DOC} d WHERE 1 = 1{where}"
    limit = _count_limit(query)
    total = _rows(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s) d", [*params, limit + 1])[0][0]
    sql = f"SELECT d.item_id {base} ORDER BY {_BY_DATE} LIMIT %s OFFSET %s"
    ids = [r[0] for r in _rows(sql, [*params, query.per_page, offset])]
    return _found(ids, total, None, limit)


def _holds(item: DisclosureItem, phrases: list[str]) -> bool:
    """Whether each of the Han words occurs in one of the item's indexed fields."""
    texts = [normalise(text) for text in item_texts(item)]
    return all(any(p in text for text in texts) for p in phrases)


def search(user: Any, query: SearchQuery) -> SearchPage:
    """One page of the items matching ``query`` that ``user`` may see."""
    started = time.perf_counter()
    query = replace(
        query,
        per_page=max(1, min(int(query.per_page or 20), MAX_PER_PAGE)),
        page=max(1, int(query.page or 1)),
    )
    offset = (query.page - 1) * query.per_page
    facets = facets_of(query)
    q = (query.q or "").strip()

    exact = False
    terms: list[Term] = []
    found = _Found([], 0)
    exact_ids = _exact_ids(q, query, facets) if q else []
    if exact_ids:
        exact = True
        found = _Found(exact_ids[offset : offset + query.per_page], len(exact_ids))
    elif q and not (terms := query_terms(q)):
        pass  # nothing searchable in the text: nothing found
    elif terms or facets:
        backend = _search_postgresql if connection.vendor == "postgresql" else _search_sqlite
        found = backend(terms, facets, query, offset)
    else:
        found = _browse(query, offset)
    ids = found.ids

    hits: list[SearchHit] = []
    if ids:
        # Re-checked one by one with the policy's "view" rule (the rule visible_to filters with; no
        # query per item): a filter on status next to the ids would lead SQLite, without
        # statistics, to scan every published item instead of fetching 20 by primary key.
        policy = DisclosureItemPolicy()
        fetched = DisclosureItem.objects.select_related("organisation", "category", "genre").in_bulk(ids)
        items = {pk: item for pk, item in fetched.items() if policy.can(user, "view", item)}
        # PostgreSQL asked for the bigrams of the longer words, not for them in a row (see
        # fts.tsquery_text): the rare item holding them apart is dropped here, page by page.
        phrases = (
            [t.text for t in terms if t.han and len(t.text) > 2] if connection.vendor == "postgresql" else []
        )
        for pk in ids:
            item = items.get(pk)
            if item is None or (phrases and not _holds(item, phrases)):
                continue
            hits.append(SearchHit(
                item=item,
                title_html=highlight(item.title, terms),
                snippet_html=snippet([item.summary, item.body_text], terms),
            ))  # fmt: skip
    return SearchPage(
        hits=hits,
        total=found.total,
        page=query.page,
        per_page=query.per_page,
        num_pages=max(1, math.ceil(found.total / query.per_page)),
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        exact=exact,
        query=query,
        terms=[t.text for t in terms],
        total_exact=found.total_exact,
    )
