"""Relevance: a BM25-style score over the title and the summary fields of the newest matches.

The database finds the matches (newest first, from the index); this module
orders the newest ``RANK_WINDOW`` of them (see ``query``) by how often the
query's terms occur in the title (weight 10) and in the summary, keywords,
文号 and 索引号 (weight 4), each saturated and normalised by the field's length
as in BM25 (k1 = 1.2, b = 0.75, lengths relative to the window's average).
Every match holds every term somewhere, so a match whose terms are all in
the body scores 0 and those follow, newest first; ties are newest first too.

Why not the databases' own functions: FTS5's ``bm25()`` first counts, for
every term, the documents containing it in the whole index (its IDF), and
``ts_rank`` reads each match's whole tsvector; both grow with the catalogue
(tens of milliseconds per term at a million items), while scoring 1,000 short
token strings here costs a few milliseconds whatever the catalogue's size.

The strings scored are the index tokens of each field (``segment``), space
separated, as stored in ``SearchDocument.title_tokens`` / ``meta_tokens``: a
term occurs where its token does (a two-character or non-Han term), where its
bigrams follow one another (a longer Han term: the substring), or where a
token starts with it (a one-character term).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gongkai.search.segment import Term

TITLE_WEIGHT = 10.0
META_WEIGHT = 4.0
K1 = 1.2
B = 0.75


def needles(terms: Sequence[Term]) -> list[str]:
    """What each term looks like inside ``" " + tokens + " "``."""
    out = []
    for t in terms:
        if not t.han or len(t.text) == 2:
            out.append(f" {t.text} ")
        elif len(t.text) == 1:
            out.append(f" {t.text}")  # a token starting with it
        else:
            out.append(f" {' '.join(t.grams)} ")  # its bigrams in a row
    return out


def _field_score(text: str, length: int, average: float, wanted: Sequence[str]) -> float:
    norm = K1 * (1 - B + B * length / average)
    score = 0.0
    for needle in wanted:
        tf = text.count(needle)
        if tf:
            score += tf * (K1 + 1) / (tf + norm)
    return score


def order(rows: Iterable[tuple[int, str, str]], terms: Sequence[Term]) -> list[int]:
    """The keys of ``rows`` — ``(sort key, title tokens, meta tokens)`` — most relevant first,
    ties newest (largest key) first."""
    wanted = needles(terms)
    fields = []
    for key, title, meta in rows:
        n_title = title.count(" ") + 1 if title else 0
        n_meta = meta.count(" ") + 1 if meta else 0
        fields.append((key, f" {title} ", n_title, f" {meta} ", n_meta))
    if not fields:
        return []
    avg_title = max(1.0, sum(f[2] for f in fields) / len(fields))
    avg_meta = max(1.0, sum(f[4] for f in fields) / len(fields))
    scored = []
    for key, title, n_title, meta, n_meta in fields:
        score = 0.0
        if n_title > 0:
            score += TITLE_WEIGHT * _field_score(title, n_title, avg_title, wanted)
        if n_meta > 0:
            score += META_WEIGHT * _field_score(meta, n_meta, avg_meta, wanted)
        scored.append((-score, -key))
    scored.sort()
    return [-key for _score, key in scored]
