"""Relevance scoring of the newest matches: pure functions, no database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.search import rank
from gongkai.search.segment import Term, query_terms, tokens_for_index


def tokens(text: str) -> str:
    return " ".join(tokens_for_index(text))


def test_terms_are_found_as_tokens_phrases_and_prefixes() -> None:
    assert rank.needles(
        [Term("公开", True), Term("财政预算", True), Term("县", True), Term("pm2", False)]
    ) == [
        " 公开 ",
        " 财政 政预 预算 ",
        " 县",
        " pm2 ",
    ]
    text = f" {tokens('攸县财政预算公开（PM2.5）')} "
    assert all(needle in text for needle in rank.needles(query_terms("财政预算 公开 pm2")))
    assert " 财政 政预 预算 " not in f" {tokens('财政局预算')} "  # the bigrams, but not in a row


def test_title_before_summary_before_body_then_newest_first() -> None:
    terms = query_terms("预算")
    rows = [
        (1, tokens("部门预算"), ""),  # oldest
        (2, tokens("工作动态"), ""),  # in the body only
        (3, tokens("会议纪要"), tokens("研究预算调整事项")),
        (4, tokens("工作动态"), ""),  # in the body only, newer
        (5, tokens("部门预算管理办法"), tokens("预算编制、预算执行和预算监督")),
    ]
    assert rank.order(rows, terms) == [5, 1, 3, 4, 2]
    assert rank.order([], terms) == []


def test_more_occurrences_and_shorter_fields_rank_higher_but_saturate() -> None:
    terms = query_terms("拆迁")
    rows = [
        (1, tokens("关于城区房屋拆迁补偿安置工作的实施意见和有关事项的通知"), ""),
        (2, tokens("房屋拆迁公告"), ""),
        (3, tokens("拆迁拆迁拆迁拆迁拆迁拆迁拆迁拆迁"), ""),
    ]
    order = rank.order(rows, terms)
    assert order.index(2) < order.index(1)  # the same once, in a shorter title
    assert order[0] == 3


def test_every_term_counts() -> None:
    terms = query_terms("预算 公开")
    rows = [
        (1, tokens("部门预算公开"), ""),
        (2, tokens("部门预算说明"), tokens("预算")),
        (3, tokens("公开"), ""),
    ]
    assert rank.order(rows, terms)[0] == 1


def _reference_order(rows: list[tuple[int, str, str]], terms: list[Term]) -> list[int]:
    """The scoring as the module describes it, field by field, every row counted."""
    wanted = rank.needles(terms)

    def field(text: str, length: int, average: float) -> float:
        norm = rank.K1 * (1 - rank.B + rank.B * length / average)
        score = 0.0
        for needle in wanted:
            tf = f" {text} ".count(needle)
            if tf:
                score += tf * (rank.K1 + 1) / (tf + norm)
        return score

    lengths = [(t.count(" ") + 1 if t else 0, m.count(" ") + 1 if m else 0) for _, t, m in rows]
    avg_t = max(1.0, sum(a for a, _ in lengths) / len(rows))
    avg_m = max(1.0, sum(b for _, b in lengths) / len(rows))
    scored = []
    for (key, title, meta), (nt, nm) in zip(rows, lengths, strict=True):
        score = 0.0
        if nt:
            score += rank.TITLE_WEIGHT * field(title, nt, avg_t)
        if nm:
            score += rank.META_WEIGHT * field(meta, nm, avg_m)
        scored.append((-score, -key))
    return [-key for _, key in sorted(scored)]


_TOKENS = st.sampled_from(["公开", "预算", "财政", "政预", "公", "开", "2023", "pm2", "财政预算", "通知"])
_FIELD = st.lists(_TOKENS, max_size=6).map(" ".join)


@given(
    st.lists(st.tuples(_FIELD, _FIELD), min_size=1, max_size=30),
    st.lists(st.sampled_from(["公开", "财政预算", "公", "pm2", "预算", "通知"]), min_size=1, max_size=3),
)
@settings(max_examples=300, deadline=None)
def test_the_order_is_the_reference_scoring_of_every_row(
    fields: list[tuple[str, str]], words: list[str]
) -> None:
    rows = [(1000 - i, title, meta) for i, (title, meta) in enumerate(fields)]
    terms = [Term(w, w != "pm2") for w in words]
    assert rank.order(rows, terms) == _reference_order(rows, terms)
    assert rank.order(list(reversed(rows)), terms) == _reference_order(rows, terms)
