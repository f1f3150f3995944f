"""Segmentation and highlighting: pure functions, no database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.search import segment
from gongkai.search.highlight import highlight, match_spans, snippet
from gongkai.search.index import lookup_key
from gongkai.search.segment import Term, query_terms, tokens_for_index, tokens_for_query


def test_index_tokens_hold_bigrams_long_words_and_ascii_words() -> None:
    tokens = tokens_for_index("攸县财政局关于2013年部门预算公开的通知（PM2.5）")
    for expected in ("攸县", "财政", "预算", "公开", "通知", "财政局", "2013", "pm2", "5"):
        assert expected in tokens
    # No punctuation, no spaces, no upper case.
    assert all(t.strip() and t.isalnum() and t == t.lower() for t in tokens)


def test_index_tokens_normalise_full_width_characters() -> None:
    assert tokens_for_index("ＰＭ２.５ ＡＱＩ") == ["pm2", "5", "aqi"]


def test_every_character_has_a_token_starting_with_it() -> None:
    run = "房屋拆迁补偿"
    tokens = tokens_for_index(run)
    assert all(any(t.startswith(ch) for t in tokens) for ch in run)


def test_query_words_come_from_jieba() -> None:
    assert tokens_for_query("财政预算公开") == ["财政预算", "公开"]
    assert tokens_for_query("政府信息公开") == ["政府", "信息", "公开"]
    # Single characters between words are dropped; ASCII words and numbers are kept.
    assert tokens_for_query("2013年的预算") == ["2013", "预算"]
    assert tokens_for_query("PM2.5 监测数据") == ["pm2", "5", "监测数据"]
    # A query of one or two characters is taken as it is.
    assert tokens_for_query("县") == ["县"]
    assert tokens_for_query("拆迁") == ["拆迁"]
    assert tokens_for_query("  ，。！ ") == []
    # A lone character next to other words is dropped too; on its own, or with other lone
    # characters only, it is kept.
    assert tokens_for_query("2013年 预算") == ["2013", "预算"]
    assert tokens_for_query("县 预算") == ["预算"]
    assert tokens_for_query("县 乡") == ["县", "乡"]


def test_query_terms_are_unique_and_bounded() -> None:
    assert tokens_for_query("预算 预算 预算") == ["预算"]
    assert len(query_terms(" ".join(f"w{i}" for i in range(50)))) == segment.MAX_QUERY_TERMS


def test_jieba_is_loaded_once_per_process() -> None:
    assert segment._jieba() is segment._jieba()


def test_lookup_key_unifies_the_spellings_of_a_document_number() -> None:
    key = lookup_key("攸政发〔2013〕12号")
    for spelling in ("攸政发[2013]12号", "攸政发（2013）12号", "攸政发【2013】12号", "攸政发［２０１３］１２号",
                     " 攸政发 〔2013〕 12号 ", "攸政发〔2013〕第12号", "攸政发﹝2013﹞12号"):  # fmt: skip
        assert lookup_key(spelling) == key, spelling
    assert lookup_key("43022300a/2017-00110") == "43022300A/2017-00110"


def test_highlight_escapes_then_marks() -> None:
    html = highlight("<script>alert(1)</script>预算公开", [Term("预算", True)])
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>预算</mark>公开"
    assert highlight("a<b", []) == "a&lt;b"


def test_highlight_maps_full_width_text_back() -> None:
    html = highlight("ＰＭ２.５监测", [Term("pm2", False), Term("监测", True)])
    assert html == "<mark>ＰＭ２</mark>.５<mark>监测</mark>"


def test_ascii_terms_light_up_whole_words_only() -> None:
    assert match_spans("npm2 pm2 于2013年", [Term("pm2", False), Term("2013", False)]) == [(5, 8), (10, 14)]


def test_overlapping_matches_merge() -> None:
    assert highlight("财政预算", [Term("财政预算", True), Term("预算", True)]) == "<mark>财政预算</mark>"


def test_snippet_is_a_window_around_the_first_match() -> None:
    body = "甲" * 200 + "房屋拆迁" + "乙" * 200
    html = snippet(["", body], [Term("拆迁", True)])
    assert html.startswith("…") and html.endswith("…")
    assert "房屋<mark>拆迁</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 122


def test_snippet_prefers_the_summary_and_falls_back_to_the_start() -> None:
    assert snippet(["内容概述：预算", "正文预算"], [Term("预算", True)]) == "内容概述：<mark>预算</mark>"
    assert snippet(["内容概述", "正文"], [Term("拆迁", True)]) == "内容概述"
    assert snippet(["", "正文\n第二段"], []) == "正文 第二段"
    assert snippet(["", "<b>x</b>"], []) == "&lt;b&gt;x&lt;/b&gt;"


def _reference_spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Each character normalised on its own (NFKC, lower case), matched, mapped back: what
    ``match_spans`` computes with its tables and its shortcut for text it need not translate."""
    import re
    import unicodedata

    word = re.compile(r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff\u3007]")
    norm, origin = "", []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch).lower()
        if len(n) > 1 and not any(c.isalnum() for c in n):
            n = " "  # punctuation such as …
        norm += n
        origin += [i] * len(n)
    spans = []
    for term in terms:
        for m in re.finditer(f"(?={re.escape(term.text)})", norm):
            s, e = m.start(), m.start() + len(term.text)
            if term.han or (
                (s == 0 or not word.match(norm[s - 1])) and (e == len(norm) or not word.match(norm[e]))
            ):
                spans.append((origin[s], origin[e - 1] + 1))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


@given(
    st.text(alphabet=st.sampled_from("预算公开ＰＭ２pm2PM.，（）…①ﬁ豈更 \n<&Ａａ𠀀〇"), max_size=40),
    st.lists(
        st.sampled_from(["预算", "公开", "pm2", "2", "更", "a", "fi", "1", "〇"]), min_size=1, max_size=3
    ),
)
@settings(max_examples=400, deadline=None)
def test_match_spans_agree_with_normalising_each_character(text: str, words: list[str]) -> None:
    terms = [Term(w, not w.isascii()) for w in words]
    assert match_spans(text, terms) == _reference_spans(text, terms)


def test_remembered_runs_give_what_jieba_gives_and_long_runs_are_not_kept() -> None:
    text = "各乡镇人民政府要切实加强组织领导。各乡镇人民政府、县直各单位：根据有关规定" + "政府信息公开" * 10
    remembered = tokens_for_index(text)
    segment._remembered_run.cache_clear()
    dt = segment._jieba()
    expected_words = [
        w
        for run in (
            "各乡镇人民政府要切实加强组织领导",
            "各乡镇人民政府",
            "县直各单位",
            "根据有关规定" + "政府信息公开" * 10,
        )
        for w in dt.cut_for_search(run, HMM=False)
        if 3 <= len(w) <= segment.MAX_TOKEN
    ]
    assert [t for t in remembered if len(t) >= 3] == expected_words
    assert tokens_for_index(text) == remembered
    assert tokens_for_index(text) == remembered  # the second time from the cache
    info = segment._remembered_run.cache_info()
    assert info.hits >= 3 and info.currsize == 3  # the 66-character run is not kept
