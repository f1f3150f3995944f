"""Chinese-aware tokenisation for the search index and for queries.

Text is normalised (NFKC, so full-width letters and digits become ASCII, then
lower-cased) and split into runs of Han characters and runs of other letters
and digits; everything else (punctuation, spaces) separates tokens.

Index tokens, per field, in text order:

* every **character bigram** of each Han run (``财政预算`` → 财政 政预 预算), and
  the last character of the run on its own (so that any single character has
  a token that starts with it: a one-character query is a prefix query);
* jieba's search-mode words (dictionary only, no HMM: faster) of three or more
  characters (财政预算, 财政局, 国有土地); its two-character words are already
  bigrams;
* ASCII (and other non-Han) words and numbers.

Query terms: the query is segmented with jieba (accurate mode) into words;
single characters between words are dropped (2013年的预算 → 2013, 预算), and a
run made only of single characters is kept whole; a lone Han character is
dropped too when the query has other words (2013年 预算 → 2013, 预算). A
one-character query is a prefix query. Each Han word matches as the *phrase
of its bigrams* — i.e. wherever it occurs as a substring, even inside a longer
word (公开 in 政府信息公开, 预算 in 财政预算, 拆迁 in 房屋拆迁), whatever jieba
made of the document. The terms of a query are AND-ed. Bigrams make matching independent of how jieba
happened to cut a document: a word matches wherever it occurs, as with
LIKE '%…%' — coincidences included (生活 in 大学生活动中心, which jieba cuts
大学生/活动/中心).

jieba's dictionary takes about a second to load; it is loaded once per
process, on first use (or by :func:`warm_up`).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff\u3007"
_RUN = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<word>[^\W_{_HAN}]+)")
MAX_TOKEN = 60  # longer "words" (hashes, base64 …) are not indexed
MAX_QUERY_TERMS = 12
# Han runs whose jieba words are remembered, per process: at most this many, of at most this
# many characters (a few megabytes).
RUN_CACHE_SIZE = 50_000
RUN_CACHE_MAX_CHARS = 40

_lock = threading.Lock()
_tokenizer = None


def _jieba():
    """The jieba tokenizer, loaded once per process."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _tokenizer = jieba.dt
    return _tokenizer


def warm_up() -> None:
    """Load the dictionary now (e.g. when a worker process starts)."""
    _jieba()


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def bigrams(run: str) -> list[str]:
    """The bigrams of one Han run, and its last character alone."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def _cut_run(run: str) -> tuple[str, ...]:
    """jieba's search-mode words of three or more characters in one Han run."""
    return tuple(w for w in _jieba().cut_for_search(run, HMM=False) if 3 <= len(w) <= MAX_TOKEN)


_remembered_run = functools.lru_cache(maxsize=RUN_CACHE_SIZE)(_cut_run)


def _run_words(run: str) -> tuple[str, ...]:
    """The words of a run, remembered for short runs. jieba cuts each run on its own
    (punctuation, digits and letters end a run), so a run has the same words wherever it occurs;
    and government documents repeat their runs (各乡镇人民政府, 县直各单位, 根据 … 有关规定):
    remembered, they cost jieba once. Reindexing a catalogue spends most of its time in jieba;
    with the runs remembered it segments several times faster. Long runs seldom repeat and are
    not kept."""
    return _remembered_run(run) if len(run) <= RUN_CACHE_MAX_CHARS else _cut_run(run)


def tokens_for_index(text: str) -> list[str]:
    """The index tokens of a text (see the module docstring), in text order."""
    text = normalise(text)
    out: list[str] = []
    words: list[str] = []
    for m in _RUN.finditer(text):
        run = m.group("han")
        if run is None:
            word = m.group("word")
            if len(word) <= MAX_TOKEN:
                out.append(word)
            continue
        out.extend(bigrams(run))
        if len(run) >= 3:
            words.extend(_run_words(run))
    # Whole words go after the bigrams: phrases of bigrams never straddle them.
    out.extend(words)
    return out


@dataclass(frozen=True)
class Term:
    """One query term: ``text`` is what is highlighted; ``han`` tells how it matches."""

    text: str
    han: bool

    @property
    def grams(self) -> list[str]:
        """The bigram phrase a Han term matches as (one token for two characters)."""
        t = self.text
        return [t[i : i + 2] for i in range(len(t) - 1)] if len(t) > 1 else [t]


def query_terms(q: str) -> list[Term]:
    """The AND-ed terms of a query, de-duplicated, at most ``MAX_QUERY_TERMS``."""
    text = normalise(q)
    terms: list[Term] = []
    for m in _RUN.finditer(text):
        run = m.group("han")
        if run is None:
            word = m.group("word")
            if len(word) <= MAX_TOKEN:
                terms.append(Term(word, False))
            continue
        if len(run) <= 2:
            terms.append(Term(run, True))
            continue
        words = [w for w in _jieba().cut(run, HMM=True) if len(w) >= 2]
        # Single characters between words (的, 年, 与 …) are dropped; a run of nothing but
        # single characters is searched as it stands.
        terms.extend(Term(w, True) for w in (words or [run]))
    # A lone Han character next to other words (the 年 of "2023年 预算", the 县 of "县 预算") is
    # dropped like those between words: it adds next to nothing, and as a prefix of every token
    # starting with it, it would cost more than the rest of the query.
    if any(not (t.han and len(t.text) == 1) for t in terms):
        terms = [t for t in terms if not (t.han and len(t.text) == 1)]
    seen: set[Term] = set()
    unique = [t for t in terms if not (t in seen or seen.add(t))]
    return unique[:MAX_QUERY_TERMS]


def tokens_for_query(q: str) -> list[str]:
    """The query's words (see :func:`query_terms`), lower-cased."""
    return [t.text for t in query_terms(q)]
