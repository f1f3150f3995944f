"""Relevance scoring of the newest matches: pure functions, no database."""

from __future__ import annotations

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
