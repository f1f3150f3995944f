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

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate

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


def _scores(texts: Sequence[str], wanted: Sequence[str], weight: float) -> dict[int, float]:
    """The weighted BM25-style score of each field holding a term, by its position in ``texts``:
    saturated term frequencies, normalised by the field's length relative to the average.

    Most fields of a window hold none of the terms, and a loop over a thousand of them costs
    more than the scoring: the fields are joined into one string (each between spaces, one per
    line; no token holds a space or a line break) and searched for each term, and only the
    fields found are scored. ``str.find`` from the end of each occurrence counts as
    ``str.count`` does in each field."""
    n = len(texts)
    joined = " " + " \n ".join(texts) + " "
    total = joined.count(" ") - 2 * n + (n - texts.count(""))  # tokens: a field's spaces + 1
    average = max(1.0, total / n)
    starts = list(accumulate((len(t) + 3 for t in texts), initial=0))  # where each field's line begins
    counts: dict[int, list[int]] = {}
    for k, needle in enumerate(wanted):
        at = joined.find(needle)
        while at != -1:
            row = bisect_right(starts, at) - 1
            counts.setdefault(row, [0] * len(wanted))[k] += 1
            at = joined.find(needle, at + len(needle))
    out = {}
    for row, tfs in sorted(counts.items()):
        norm = K1 * (1 - B + B * (texts[row].count(" ") + 1) / average)
        score = 0.0
        for tf in tfs:
            if tf:
                score += tf * (K1 + 1) / (tf + norm)
        out[row] = weight * score
    return out


def order(rows: Iterable[tuple[int, str, str]], terms: Sequence[Term]) -> list[int]:
    """The keys of ``rows`` — ``(sort key, title tokens, meta tokens)`` — most relevant first,
    ties newest (largest key) first."""
    rows = list(rows)
    if not rows:
        return []
    wanted = needles(terms)
    title = _scores([r[1] or "" for r in rows], wanted, TITLE_WEIGHT)
    meta = _scores([r[2] or "" for r in rows], wanted, META_WEIGHT)
    relevant = sorted(
        (-(0.0 + title.get(i, 0.0) + meta.get(i, 0.0)), -rows[i][0]) for i in title.keys() | meta.keys()
    )
    keys = [-key for score, key in relevant if score < 0]
    chosen = set(keys)
    return keys + sorted((r[0] for r in rows if r[0] not in chosen), reverse=True)
