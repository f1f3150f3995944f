"""Highlighted titles and snippets, computed in Python for one page of results.

Matching is done on the normalised text (NFKC, lower case — as the index sees
it) and mapped back to the original characters; everything is HTML-escaped and
only then are the matches wrapped in ``<mark>``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

from gongkai.search.segment import _HAN, Term

SNIPPET_CHARS = 120
_BEFORE = 30
_WORD_CHAR = re.compile(rf"[^\W_{_HAN}]")  # a letter or digit of a non-Han word
_SPACES = re.compile(r"\s+")


_table: dict[int, str] | None = None
_complex: re.Pattern[str] | None = None
_changed: re.Pattern[str] | None = None
_WORD = re.compile(r"\w")


def _tables() -> tuple[dict[int, str], re.Pattern[str], re.Pattern[str]]:
    """Built once: a one-for-one translation giving each character its normalised form (NFKC, lower
    case); the few characters whose form is longer and holds a letter or digit (①, ﬁ …); and the
    characters the translation changes that are, or become, part of a word (Ａ, Ｂ, 豈 …). Terms
    are words, so a text without the last two is matched as it is: only punctuation (，（）) would
    change, into other punctuation."""
    global _table, _complex, _changed
    if _table is None or _complex is None or _changed is None:
        table: dict[int, str] = {}
        longer: list[str] = []
        for code in range(0x80, 0x10000):
            ch = chr(code)
            if 0xD800 <= code <= 0xDFFF:
                continue
            n = unicodedata.normalize("NFKC", ch).lower()
            if n == ch:
                continue
            if len(n) == 1:
                table[code] = n
            elif any(c.isalnum() for c in n):
                longer.append(ch)
            else:
                table[code] = " "  # punctuation such as …: never part of a match
        for code in range(ord("A"), ord("Z") + 1):
            table[code] = chr(code).lower()
        _complex = re.compile("[" + "".join(re.escape(c) for c in longer) + "]|[\U00010000-\U0010ffff]")
        wordy = (chr(k) for k, v in table.items() if _WORD.match(chr(k)) or _WORD.match(v))
        _changed = re.compile("[" + "".join(re.escape(c) for c in wordy) + "]")
        _table = table
    return _table, _complex, _changed


def _normalised(text: str) -> tuple[str, Sequence[int]]:
    """The normalised text and, for each of its characters, the index of the original character."""
    table, complex_chars, changed = _tables()
    if not complex_chars.search(text):
        if not changed.search(text):
            return text, range(len(text))  # the usual case: nothing a term could match changes
        return text.translate(table), range(len(text))  # one character for one
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch).lower() if ord(ch) > 0x7F else ch.lower()
        out.append(n)
        origin.extend([i] * len(n))
    return "".join(out), origin


def match_spans(text: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    """Sorted, merged ``(start, end)`` spans of ``text`` where a term occurs."""
    if not text or not terms:
        return []
    norm, origin = _normalised(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        needle = term.text
        if not needle:
            continue
        start = norm.find(needle)
        while start != -1:
            end = start + len(needle)
            # A non-Han term is a whole token: "pm" does not light up inside "npm2".
            whole = term.han or (
                (start == 0 or not _WORD_CHAR.match(norm[start - 1]))
                and (end == len(norm) or not _WORD_CHAR.match(norm[end]))
            )
            if whole:
                spans.append((origin[start], origin[end - 1] + 1))
            start = norm.find(needle, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _render(text: str, spans: Sequence[tuple[int, int]], lo: int = 0, hi: int | None = None) -> str:
    hi = len(text) if hi is None else hi
    parts: list[str] = []
    pos = lo
    for s, e in spans:
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        parts.append(html.escape(text[pos:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    parts.append(html.escape(text[pos:hi]))
    return "".join(parts)


def highlight(text: str, terms: Sequence[Term]) -> SafeString:
    """The whole text, escaped, with the matches marked."""
    text = text or ""
    return mark_safe(_render(text, match_spans(text, terms)))  # noqa: S308 - escaped in _render


def snippet(sources: Sequence[str], terms: Sequence[Term], length: int = SNIPPET_CHARS) -> SafeString:
    """About ``length`` characters of the first source containing a match, around the first
    match (else the start of the first non-empty source), escaped, matches marked."""
    texts = [_SPACES.sub(" ", s or "").strip() for s in sources]
    chosen, spans = "", []
    for text in texts:
        spans = match_spans(text, terms)
        if spans:
            chosen = text
            break
    else:
        chosen = next((t for t in texts if t), "")
    if not chosen:
        return mark_safe("")
    first = spans[0][0] if spans else 0
    lo = max(0, first - _BEFORE)
    hi = min(len(chosen), lo + length)
    lo = max(0, hi - length)
    # Never cut a match in half at the edges.
    for s, e in spans:
        if s < lo < e:
            lo = s
        if s < hi < e:
            hi = e
    html = _render(chosen, spans, lo, hi)
    return mark_safe(("…" if lo > 0 else "") + html + ("…" if hi < len(chosen) else ""))  # noqa: S308
