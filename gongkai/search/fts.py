"""The database side of full-text search: SQLite FTS5 and PostgreSQL tsvector.

Nothing here interpolates user text into SQL: match expressions are passed as
parameters, and the tokens inside them are quoted for the FTS5 / tsquery
syntax (they contain only letters and digits anyway, see ``segment``).

Filters are tokens too (``facets``): ``#o5`` (organisation 5 or a unit below
it), ``#u5`` (organisation 5 itself), ``#c3`` (category 3 or one below it),
``#g4``, ``#kitem``, ``#vvalid``, and ``#all`` on every document. No text
token can spell them (text tokens are letters and digits only), so they need no
column filter: in FTS5 they have their own column (weight 0) and ``#`` is a
token character; in PostgreSQL they are lexemes of the same tsvector.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from gongkai.search.segment import Term

DOC_TABLE = "search_searchdocument"
FTS_TABLE = "search_fts"
TEXT_COLUMNS = ("title_tokens", "meta_tokens", "body_tokens")
# bm25 weights of the FTS5 columns: title, summary/keywords/文号/索引号, body, facets.
BM25_WEIGHTS = (10.0, 4.0, 1.0, 0.0)
GIN_INDEX = "search_doc_vector"
ALL = "#all"
FACET_MARK = "#"

_COLS = ", ".join((*TEXT_COLUMNS, "facets"))
FTS_CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        {_COLS}, content='{DOC_TABLE}', content_rowid='sort_key',
        tokenize="unicode61 remove_diacritics 0 tokenchars '#'"
    )""",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('rank', 'bm25({', '.join(map(str, BM25_WEIGHTS))})')",
]
FTS_DROP = [f"DROP TABLE IF EXISTS {FTS_TABLE}"]

_OLD = ", ".join(f"old.{c}" for c in ("sort_key", *TEXT_COLUMNS, "facets"))
_NEW = ", ".join(f"new.{c}" for c in ("sort_key", *TEXT_COLUMNS, "facets"))
_CHANGED = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("sort_key", *TEXT_COLUMNS, "facets"))
TRIGGERS_CREATE = [
    f"""CREATE TRIGGER search_fts_insert AFTER INSERT ON {DOC_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES ({_NEW});
    END""",
    f"""CREATE TRIGGER search_fts_delete AFTER DELETE ON {DOC_TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', {_OLD});
    END""",
    f"""CREATE TRIGGER search_fts_update AFTER UPDATE ON {DOC_TABLE} WHEN {_CHANGED} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', {_OLD});
        INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES ({_NEW});
    END""",
]
TRIGGERS_DROP = [f"DROP TRIGGER IF EXISTS search_fts_{op}" for op in ("insert", "delete", "update")]

# SQLite: the tokens that relevance scores (see ``rank``), covered by an index on the sort key, so
# that the newest 2,000 matches' are read from its compact pages, not from 2,000 pages of the table.
RANK_INDEX = "search_doc_rank"
RANK_INDEX_CREATE = (
    f"CREATE INDEX IF NOT EXISTS {RANK_INDEX} ON {DOC_TABLE} (sort_key, title_tokens, meta_tokens)"
)
RANK_INDEX_DROP = f"DROP INDEX IF EXISTS {RANK_INDEX}"

_ID_BITS = 32
_ID_MASK = ID_MASK = (1 << _ID_BITS) - 1
MAX_KEY = 1 << 62  # above every sort key


def sort_key(published_on: date | None, item_id: int) -> int:
    """Publication date, then item id, packed into one integer (the FTS5 rowid)."""
    if not 0 < item_id <= _ID_MASK:
        raise ValueError(f"item id out of range for the search index: {item_id}")
    return ((published_on.toordinal() if published_on else 0) << _ID_BITS) | item_id


def item_id(key: int) -> int:
    return key & _ID_MASK


def day_range(date_from: date | None, date_to: date | None) -> tuple[int, int] | None:
    """The sort-key range of publication dates ``[date_from, date_to]`` (either may be open)."""
    if date_from is None and date_to is None:
        return None
    lo = date_from.toordinal() << _ID_BITS if date_from else 0
    hi = ((date_to.toordinal() + 1) << _ID_BITS) - 1 if date_to else MAX_KEY
    return lo, hi


# --- SQLite FTS5 -----------------------------------------------------------------------------------


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts5_match(terms: Sequence[Term], facets: Sequence[str]) -> str:
    """An FTS5 MATCH expression: every term and every facet must occur."""
    parts = []
    for t in terms:
        if not t.han or len(t.text) == 2:
            parts.append(_fts_quote(t.text))
        elif len(t.text) == 1:
            parts.append(_fts_quote(t.text) + "*")  # a bigram starting with it, or the run's last character
        else:
            parts.append(_fts_quote(" ".join(t.grams)))  # consecutive bigrams: the substring
    parts.extend(_fts_quote(f) for f in (facets or ([] if parts else [ALL])))
    return " AND ".join(parts)


# --- PostgreSQL --------------------------------------------------------------------------------------

# Positions: fields are laid out one after another with a gap, so a phrase never spans two fields.
_FIELD_GAP = 8
_MAX_POS = 16383  # PostgreSQL's limit; later tokens all land on the last position
_MAX_POSITIONS_PER_LEXEME = 256


def _ts_quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(fields: Sequence[tuple[list[str], str]], facets: Sequence[str]) -> str:
    """A tsvector in its text form from ``[(tokens, weight), …]`` (positions in order) and the facets."""
    positions: dict[str, list[str]] = {}
    pos = 1
    for tokens, weight in fields:
        for tok in tokens:
            entries = positions.setdefault(tok, [])
            if len(entries) < _MAX_POSITIONS_PER_LEXEME and pos <= _MAX_POS:
                entries.append(f"{pos}{weight}")
            pos += 1
        pos += _FIELD_GAP
    out = [f"{_ts_quote(tok)}:{','.join(ps)}" if ps else _ts_quote(tok) for tok, ps in positions.items()]
    out.extend(_ts_quote(f) for f in facets)
    return " ".join(out)


def month_token(day: date | None) -> str:
    """The lexeme of a document's month of publication (``#m202403``), on PostgreSQL only: a
    search reads the newest months first (see ``query``) with the GIN index alone."""
    return f"#m{day.year:04d}{day.month:02d}" if day else "#m000000"


def month_tokens(first: int, last: int) -> list[str]:
    """The month lexemes of months ``first`` to ``last``, counted as ``year * 12 + month - 1``."""
    return [f"#m{m // 12:04d}{m % 12 + 1:02d}" for m in range(first, last + 1)]


def year_token(day: date | None) -> str:
    """The lexeme of a document's year of publication (``#y2024``), on PostgreSQL only."""
    return f"#y{day.year:04d}" if day else "#y0000"


def period_tokens(first: int, last: int, years_before: int) -> list[str]:
    """Months ``first`` to ``last`` as few lexemes as possible: a year lexeme for every whole
    year before ``years_before``, month lexemes for the other months. GIN checks each lexeme of
    an OR against every candidate, so two dozen month lexemes cost more than the year lexemes
    they add up to. (The current year keeps its months: documents indexed by the previous
    release during an upgrade have no year lexeme.)"""
    out = []
    month = first
    while month <= last:
        if month % 12 == 0 and month + 11 <= last and month // 12 < years_before:
            out.append(f"#y{month // 12:04d}")
            month += 12
        else:
            out.append(f"#m{month // 12:04d}{month % 12 + 1:02d}")
            month += 1
    return out


def tsquery_text(terms: Sequence[Term], facets: Sequence[str], months: Sequence[str] = ()) -> str:
    """A tsquery in its text form (cast with ``::tsquery``, never re-parsed by a text-search config).

    A Han word of three or more characters asks for each of its bigrams, not for them in a row:
    a phrase (``<->``) makes PostgreSQL read every candidate's tsvector from TOAST to check the
    positions (the GIN index has none), 4 µs a row; the search checks the phrase on the page of
    results instead (see ``query``). ``months``: one of these month lexemes."""
    parts = []
    for t in terms:
        if not t.han or len(t.text) == 2:
            parts.append(_ts_quote(t.text))
        elif len(t.text) == 1:
            parts.append(_ts_quote(t.text) + ":*")
        else:
            parts.extend(_ts_quote(g) for g in dict.fromkeys(t.grams))
    parts.extend(_ts_quote(f) for f in (facets or ([] if parts or months else [ALL])))
    if months:
        parts.append("(" + " | ".join(_ts_quote(m) for m in months) + ")")
    return " & ".join(parts)
