"""The annual report's narrative, drafted from the computed figures (RULES §4).

``draft(report, previous=None)`` returns the text of each section of the report's format
(:data:`SECTIONS`), in the register of a published 政府信息公开工作年度报告: sentences with the
figures filled in. The office edits the text afterwards; R6 (:func:`gongkai.reports.checks.check_narrative`)
then checks every figure it still quotes, so the draft writes each figure right after the label R6
knows for its cell: a figure is always written through :meth:`_Writer.quote`, which takes the label
text from ``LABELS_2008`` / ``LABELS_2021`` themselves, and the two can never drift apart.

- An absent figure (``None``) leaves its clause out; a zero is said in words where a count of
  nothing would read oddly ("全年未发生……").
- ``previous`` (the previous year's report) adds the change of a few totals ("比上年增加N件"), written
  after the figure and never after a label, so R6 does not take it for a cell.
- The sections in :data:`FREE_TEXT` are the office's own account (problems and improvements): the
  draft gives a short starting text without figures.

The narrative is the report's content, in Chinese whatever the user's language; only the section
headings are translatable strings (they also head the section forms in the back office).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from gongkai.applications.outcomes import Outcome
from gongkai.reports.checks import LABELS_2008, LABELS_2021, Label
from gongkai.reports.figures import TOTAL
from gongkai.reports.narrative import VALUE
from gongkai.reports.tables import OTHER_OUTCOMES, Key, Report

_STANDARD_SECTIONS: list[tuple[str, Any]] = [
    ("overview", _("一、总体情况")),
    ("proactive", _("二、主动公开政府信息情况")),
    ("applications", _("三、收到和处理政府信息公开申请情况")),
    ("disputes", _("四、政府信息公开行政复议、行政诉讼情况")),
    ("problems", _("五、存在的主要问题及改进情况")),
    ("other", _("六、其他需要报告的事项")),
]
SECTIONS: dict[str, list[tuple[str, Any]]] = {
    "2021": _STANDARD_SECTIONS,
    "2019": _STANDARD_SECTIONS,
    "2008": [
        ("overview", _("一、概述")),
        ("proactive", _("二、主动公开政府信息情况")),
        ("applications", _("三、依申请公开政府信息情况")),
        ("consultation", _("四、咨询处理情况")),
        ("disputes", _("五、复议、诉讼和申诉情况")),
        ("staff", _("六、工作人员配备和政府财政投入情况")),
        ("problems", _("七、存在的主要问题和改进措施")),
    ],
}
FREE_TEXT = {"problems"}
TABLE_OF_SECTION: dict[str, str] = {"proactive": "t2", "applications": "t3", "disputes": "t4", "other": "t6"}

NUMERALS = "一二三四五六七八九十"
FORMAT_NOTICE = {
    "2021": "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
    "（国办公开办函〔2021〕30号）",
    "2019": "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
    "（国办公开办函〔2019〕60号）",
}
# Table 三's result groups, each with its rows in the table's order (2019: 其他处理 is one row).
RESULT_GROUPS = [
    ("不予公开的", [o.value for o in Outcome if o.value.startswith("refuse_")]),
    ("无法提供的", [o.value for o in Outcome if o.value.startswith("unable_")]),
    ("不予处理的", [o.value for o in Outcome if o.value.startswith("noprocess_")]),
]
OTHER_ROWS_2021 = [o.value for o in OTHER_OUTCOMES]


def number(value: Any) -> str:
    """A figure as the seed writes it: no separators, trailing zeros trimmed (2306.4, 1.234, 99.9).

    Never rounded: the figure written is the cell (万元 cells hold four decimals)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def paragraphs(parts: Iterable[str | None]) -> str:
    return "\n\n".join(p for p in parts if p)


def clauses(parts: Iterable[str | None], sep: str = "，") -> str:
    return sep.join(p for p in parts if p)


def numbered(items: Iterable[tuple[str, str | None]]) -> list[str]:
    """（一）title。body … numbered over the items that have a body."""
    kept = [(title, body) for title, body in items if body]
    return [f"（{NUMERALS[i]}）{title}。{body}" for i, (title, body) in enumerate(kept)]


class _Writer:
    """Reads the report's cells and writes each figure after its R6 label."""

    def __init__(self, report: Report, previous: Report | None) -> None:
        self.report = report
        self.previous = previous
        self.labels: list[Label] = LABELS_2008 if report.template == "2008" else LABELS_2021
        self.year = report.year
        self.name = report.organisation.name

    def value(self, key: Key) -> Any:
        return self.report.value(key) if self.report.has(key) else None

    def label(self, key: Key) -> Label:
        for label in self.labels:
            if label.key == key:
                return label
        raise LookupError(f"R6 has no label for {key}")

    def quote(self, key: Key, unit: str, zero: str | None = None) -> str | None:
        """``label + figure + unit``; None when the figure is absent; ``zero`` (if given) says a zero
        in words ("" leaves the clause out)."""
        value = self.value(key)
        if value is None:
            return None
        if value == 0 and zero is not None:
            return zero or None
        label = self.label(key)
        return f"{label.text}{number(value)}{'万元' if label.unit == 'wan' else unit}"

    def change(self, key: Key, unit: str) -> str | None:
        """The change from the previous year, in words that follow the figure (not a label)."""
        if self.previous is None or not self.previous.has(key):
            return None
        now, before = self.value(key), self.previous.value(key)
        if now is None or before is None:
            return None
        delta = now - before
        if delta == 0:
            return "与上年持平"
        return f"比上年{'增加' if delta > 0 else '减少'}{number(abs(delta))}{unit}"


def draft(report: Report, previous: Report | None = None) -> dict[str, str]:
    """Section key → text (paragraphs separated by a blank line), in the order of :data:`SECTIONS`."""
    w = _Writer(report, previous)
    texts = _draft_2008(w) if report.template == "2008" else _draft_standard(w)
    return {key: texts[key] for key, _heading in SECTIONS[report.template]}


def full_text(sections: dict[str, str], template: str) -> str:
    """The headings and texts joined: what R6 checks and what the exports print."""
    parts = []
    with translation.override("zh-hans"):
        for key, heading in SECTIONS[template]:
            if key in sections:
                parts.append(str(heading))
                if sections[key].strip():
                    parts.append(sections[key].strip())
    return "\n\n".join(parts)


# --- the 2008-era narrative (the seed's seven parts) ---------------------------------------------------


def _n(row: str) -> Key:
    return ("n", row, VALUE)


def _draft_2008(w: _Writer) -> dict[str, str]:
    return {
        "overview": _overview_2008(w),
        "proactive": _proactive_2008(w),
        "applications": _applications_2008(w),
        "consultation": _consultation_2008(w),
        "disputes": _disputes_2008(w),
        "staff": _staff_2008(w),
        "problems": _problems_2008(w),
    }


def _preamble(w: _Writer, notice: str, parts: str) -> str:
    scope = f"{w.name}及其所属各单位" if w.report.rollup else f"{w.name}本级"
    return (
        f"本年报根据《中华人民共和国政府信息公开条例》{notice}编制而成。{parts}"
        f"本报告所列数据的统计期限自{w.year}年1月1日至{w.year}年12月31日，统计范围为{scope}。"
    )


def _overview_2008(w: _Writer) -> str:
    q = w.quote
    preamble = _preamble(
        w,
        "及有关政府信息公开工作的规定",
        "全文由概述、主动公开政府信息情况、依申请公开政府信息情况、咨询处理情况、复议、诉讼和申诉情况、"
        "工作人员配备和政府财政投入情况、存在的主要问题和改进措施等七部分组成。",
    )
    intro = (
        f"{w.year}年，{w.name}把政府信息公开作为推进政府自身建设的一项重要工作来抓，坚持以深化公开内容为重点，"
        "进一步提高公开意识、完善制度机制、加大公开力度、拓宽公开渠道，持续推进政府信息公开工作。"
    )
    decisions = None
    decided = q(_n("decisions_published"), "项", zero="")
    held = q(_n("hearings"), "次", zero="未举办听证会")
    if decided or w.value(_n("hearings")):
        decisions = (
            "凡涉及人民群众切身利益的重要改革方案、重点工程项目，在决策前通过召开听证会等不同形式征求群众意见和建议，"
            + clauses(
                [
                    f"全年通过纸质文件、广播电视和网站等多种形式公开各种{decided}" if decided else None,
                    f"举办{held}" if w.value(_n("hearings")) else held,
                ]
            )  # fmt: skip
            + "。"
        )
    centre = None
    if w.value(_n("centre_units")) is not None:
        at_centre = clauses(
            [q(_n("centre_units"), "家"), q(_n("centre_staff"), "人"), q(_n("centre_items"), "项")]
        )
        handled = clauses([
            q(_n("centre_received"), "件"),
            _rate(w, "办件办结率", _n("centre_completion_rate")),
            q(_n("centre_fees"), "", zero=""),
        ])  # fmt: skip
        centre = clauses([f"政务服务中心建设不断加强，目前{at_centre}。" if at_centre else None,
                          f"{w.year}年，共{handled}。" if handled else None], sep="")  # fmt: skip
    townships = q(_n("township_centres"), "个", zero="")
    if townships:
        townships = (
            f"已建成运行的{townships}，所有与群众密切相关的工作均入驻服务中心集中办理，"
            "实行预约服务、全程代办、限时办结等服务模式，为基层群众提供便捷服务。"
        )
    online = None
    if w.value(_n("online_units")) or w.value(_n("online_received")):
        units = q(_n("online_units"), "家", zero="")
        cases = clauses([
            q(_n("online_received"), "件"),
            q(_n("online_completed"), "件"),
            _rate(w, "系统办结率", _n("online_completion_rate")),
        ])  # fmt: skip
        online = clauses([
            f"启用网上政务服务和电子监察{units}，实现网上政务服务和电子监察系统与现场办公同步审批。" if units else None,
            f"{w.year}年，网上政务服务和电子监察{cases}。" if cases else None,
        ], sep="")  # fmt: skip
    items = numbered([
        ("不断规范行政权力公开透明运行", decisions),
        ("深入推进政务服务体系建设", clauses([centre, townships], sep="")),
        ("进一步加强电子政务建设", online),
    ])  # fmt: skip
    return paragraphs([preamble, intro, *items])


def _rate(w: _Writer, label: str, key: Key) -> str | None:
    """A rate after the label R6 knows for it (``label`` is the text the sentence reads best with)."""
    quoted = w.quote(key, "%")
    if quoted is None:
        return None
    if not quoted.startswith(label):
        raise LookupError(f"R6 reads {key} after {w.label(key).text!r}, not {label!r}")
    return quoted


def _proactive_2008(w: _Writer) -> str:
    q = w.quote
    total = q(_n("items_total"), "条")
    parts = clauses([q(_n("items_government"), "条", zero=""), q(_n("items_townships"), "条", zero="")])
    content = clauses([f"{w.year}年，{w.name}共{total}。" if total else None,
                       f"其中，{parts}。" if parts else None], sep="")  # fmt: skip
    web = clauses([
        q(_n("portal_total"), "条"),
        q(_n("images_videos"), "个", zero=""),
        _page_views(w),
    ])  # fmt: skip
    internet = (
        f"1、互联网。本年度{w.name}门户网站{web}，重点对机构职能、领导信息、政策法规、计划规划、人事信息、"
        "财政资金、政府采购招标、环境保护、食品安全、价格收费、征地拆迁等政府信息进行公开。"
    ).replace("门户网站，", "门户网站")
    visits = q(_n("reading_room_visits"), "人次", zero="")
    rooms = "2、查阅点。在政务服务中心、档案馆、图书馆等处设置政府信息公开查阅场所" + (
        f"，全年共{visits}。" if visits else "，方便公众就近查阅。"
    )
    other = (
        "3、其他途径。各级行政机关、法律法规授权组织以及公共企事业单位结合自身工作实际，不断丰富和拓展信息公开渠道，"
        "积极探索手机短信、热线电话、新闻媒体、宣传单、居民小区宣传栏等多种便民利民渠道公开政府信息，"
        "形成覆盖城乡、多层次、全方位的主动公开渠道。"
    )
    return paragraphs(["（一）公开的主要内容", content, "（二）公开形式", internet, rooms, other])


def _page_views(w: _Writer) -> str | None:
    """Page views in 万 from a million up, as the seed writes them ("年点击量超过300万次")."""
    key = _n("page_views")
    views = w.value(key)
    if not views:
        return None
    label = w.label(key).text
    if views < 1_000_000:
        return f"{label}{views}次"
    tens, rest = divmod(views, 10_000)
    return f"{label}{'超过' if rest else ''}{tens}万次"


def _applications_2008(w: _Writer) -> str:
    q = w.quote
    received = q(_n("applications_received"), "件", zero="")
    if received:
        channels = clauses([
            q(_n("applications_online"), "件", zero=""),
            q(_n("applications_written"), "件", zero=""),
            q(_n("applications_other"), "件", zero=""),
        ])  # fmt: skip
        first = f"全年，{w.name}共{received}" + (f"，其中{channels}。" if channels else "。")
    else:
        first = f"全年，{w.name}未收到政府信息公开申请。"
    replied = q(_n("applications_replied"), "件", zero="")
    second = None
    if replied:
        on_time = clauses(
            [q(_n("applications_on_time"), "件"), _rate(w, "按期答复率", _n("applications_on_time_rate"))]
        )
        second = f"全年共{replied}" + (f"，其中{on_time}。" if on_time else "。")
    return paragraphs([first, second])


def _consultation_2008(w: _Writer) -> str:
    q = w.quote
    mailbox = q(_n("mailbox_received"), "件", zero="")
    if mailbox:
        valid = clauses([q(_n("mailbox_valid"), "件"), _rate(w, "信件办结率", _n("mailbox_completion_rate"))])
        mailbox = f"全年，领导信箱共{mailbox}" + (f"，其中{valid}" if valid else "")
    forwarded = q(_n("forwarded_received"), "件", zero="")
    if forwarded:
        forwarded = f"办理上级热线（信箱）{forwarded}"
    hotline = q(_n("hotline_received"), "个", zero="")
    if hotline:
        valid_calls = q(_n("hotline_valid"), "个", zero="")
        hotline = f"全年共{hotline}" + (
            f"，其中{valid_calls}，均当场答复或交办有关单位限时办结" if valid_calls else ""
        )
    said = clauses([mailbox, forwarded, hotline], sep="；")
    return f"{said}。" if said else "全年未收到领导信箱信件和热线电话。"


def _disputes_2008(w: _Writer) -> str:
    rows = [("reviews", "行政复议"), ("litigations", "行政诉讼"), ("complaints", "申诉")]
    happened = [w.quote(_n(row), "件", zero="") for row, _word in rows]
    none = [word for (row, word), said in zip(rows, happened, strict=True) if w.value(_n(row)) == 0]
    subject = f"针对{w.name}有关政府信息公开事务的"
    if not any(happened):
        if not none:
            return ""
        return f"全年未发生{subject}{_and(none)}案件。"
    text = f"全年共发生{subject}{'、'.join(h for h in happened if h)}"
    return text + (f"，未发生{_and(none)}案件。" if none else "。")


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else "、".join(words[:-1]) + "和" + words[-1]


def _staff_2008(w: _Writer) -> str:
    q = w.quote
    full = q(_n("staff_full_time"), "人", zero="")
    part = q(_n("staff_part_time_average"), "人", zero="")
    staff = clauses([
        f"{w.name}办公室从事政府信息公开工作的{full}" if full else None,
        f"平均每个所属部门和乡镇从事政府信息公开工作的{part}" if part else None,
    ])  # fmt: skip
    spending_total = q(_n("spending_total"), "", zero="")
    if spending_total:
        shares = clauses([
            q(_n("spending_government"), "", zero=""),
            ("政府各部门单位" + q(_n("spending_departments"), "", zero="")) if w.value(_n("spending_departments")) else None,
            q(_n("spending_townships"), "", zero=""),
        ], sep="、")  # fmt: skip
        spending = f"{w.year}年用于政府信息公开宣传培训、网站建设、{spending_total}" + (
            f"，其中，{shares}。" if shares else "。"
        )
    elif w.value(_n("spending_total")) is not None:
        spending = f"{w.year}年未单独列支政府信息公开工作经费。"
    else:
        spending = None
    fees = w.value(_n("fees_charged"))
    charged = None
    if fees is not None:
        charged = f"{w.name}依申请公开政府信息" + (
            f"共{q(_n('fees_charged'), '元')}。" if fees else "未收取任何费用。"
        )
    return paragraphs([
        f"（一）工作人员配备情况。{staff}。" if staff else None,
        f"（二）政府财政投入情况。{spending}" if spending else None,
        "（三）对公民、法人和其他组织的收费情况。" if charged else None,
        charged,
    ])  # fmt: skip


def _problems_2008(w: _Writer) -> str:
    return paragraphs([
        f"{w.year}年，{w.name}在政府信息公开方面做了大量工作，取得了一定成效，但离上级的要求和群众的需求还有一定差距，"
        "也存在一些问题和不足。主要表现在：少数单位对政府信息公开工作认识不深、重视不够；政府信息公开内容有待进一步规范，"
        "信息公开时效有待进一步提升；政府门户网站的服务功能和互动功能有待进一步增强等。",
        "下一步，我们将继续加大工作力度，突出重点领域和重点环节，继续优化办事服务，细化办事公开指南，健全公开制度，"
        "规范公开内容，提高公开质量，推动政府信息公开工作再上新台阶。",
    ])  # fmt: skip


# --- the standard formats (2021, and the 2019 trial format) -------------------------------------------


def _draft_standard(w: _Writer) -> dict[str, str]:
    return {
        "overview": _overview(w),
        "proactive": _proactive(w),
        "applications": _applications(w),
        "disputes": _disputes(w),
        "problems": _problems(w),
        "other": _other(w),
    }


def _t3(row: str) -> Key:
    return ("t3", row, TOTAL)


def _t4(block: str) -> Key:
    return ("t4", block, TOTAL)


def _with_change(w: _Writer, key: Key, unit: str, zero: str | None = None) -> str | None:
    quoted = w.quote(key, unit, zero=zero)
    if quoted is None or (zero is not None and w.value(key) == 0):
        return quoted
    return clauses([quoted, w.change(key, unit)])


def _normative(w: _Writer) -> str | None:
    q = w.quote
    if w.report.template == "2019":
        return clauses([
            q(("t2", "normative", "made"), "件", zero="本年未新制作规范性文件"),
            q(("t2", "normative", "public_total"), "件"),
        ])  # fmt: skip
    return clauses([
        q(("t2", "normative", "issued"), "件", zero="本年未制发行政规范性文件"),
        q(("t2", "normative", "in_force"), "件"),
    ])  # fmt: skip


def _overview(w: _Writer) -> str:
    preamble = _preamble(w, f"和{FORMAT_NOTICE[w.report.template]}要求", "")
    intro = (
        f"{w.year}年，{w.name}认真贯彻落实《中华人民共和国政府信息公开条例》（以下简称《条例》），"
        "坚持“以公开为常态、不公开为例外”，扎实做好主动公开、依申请公开、政府信息管理、平台建设和监督保障等工作。"
        "现将有关情况报告如下。"
    )
    normative = _normative(w)
    proactive = (
        "通过政府门户网站、政务新媒体、政府信息公开查阅点等渠道主动公开政府信息，重点做好政策文件、财政预决算、"
        "重大建设项目、公共资源配置、社会公益事业等领域信息公开" + (f"，{normative}。" if normative else "。")
    )
    handled = clauses([
        _with_change(w, _t3("new"), "件", zero="本年未新收政府信息公开申请"),
        w.quote(_t3("closed"), "件", zero=""),
        w.quote(_t3("carried_out"), "件", zero=""),
    ])  # fmt: skip
    applications = f"严格按照《条例》规定的程序和时限办理政府信息公开申请，{handled}。" if handled else None
    items = numbered([
        ("主动公开", proactive),
        ("依申请公开", applications),
        ("政府信息管理", "动态更新政府信息主动公开目录，做好规范性文件的清理工作，在门户网站标注文件的有效性，"
                         "严格落实政府信息公开保密审查制度。"),
        ("平台建设", "加强政府门户网站政府信息公开专栏建设，规范栏目设置，优化检索、浏览和下载功能，"
                     "方便公众获取政府信息。"),
        ("监督保障", "将政府信息公开工作纳入年度工作要点，明确责任分工，加强业务培训和日常督促检查。"),
    ])  # fmt: skip
    return paragraphs([preamble, intro, *items])


def _proactive(w: _Writer) -> str:
    q = w.quote
    if w.report.template == "2019":
        documents = [
            clauses(
                [
                    q(("t2", kind, "made"), "件", zero=f"本年未新制作{word}"),
                    q(("t2", kind, "published"), "件", zero=""),
                    q(("t2", kind, "public_total"), "件"),
                ]
            )  # fmt: skip
            for kind, word in (("rule", "规章"), ("normative", "规范性文件"))
        ]
        decisions = clauses([
            q(("t2", "licensing", "decisions"), "件", zero=""),
            q(("t2", "other_service", "decisions"), "件", zero=""),
            q(("t2", "penalty", "decisions"), "件", zero=""),
            q(("t2", "enforcement", "decisions"), "件", zero=""),
        ], sep="、")  # fmt: skip
        fees = None
    else:
        documents = [
            clauses(
                [
                    q(("t2", kind, "issued"), "件", zero=f"本年未制发{word}"),
                    q(("t2", kind, "repealed"), "件", zero=""),
                    q(("t2", kind, "in_force"), "件", zero=f"无现行有效{word}"),
                ]
            )  # fmt: skip
            for kind, word in (("rule", "规章"), ("normative", "行政规范性文件"))
        ]
        decisions = clauses([
            q(("t2", "licensing", "decisions"), "件", zero=""),
            q(("t2", "penalty", "decisions"), "件", zero=""),
            q(("t2", "enforcement", "decisions"), "件", zero=""),
        ], sep="、")  # fmt: skip
        fees = q(("t2", "fee", "amount"), "", zero="本年度未收取行政事业性收费")
        if fees and not fees.startswith("本年度"):
            fees = f"本年收取{fees}"
    docs = clauses(documents, sep="；")
    return paragraphs([
        f"{w.year}年，{w.name}{docs}。" if docs else None,
        f"全年作出{decisions}。" if decisions else None,
        f"{fees}。" if fees else None,
        "各项主动公开政府信息情况详见下表。",
    ])  # fmt: skip


def _applications(w: _Writer) -> str:
    q = w.quote
    received = clauses([
        _with_change(w, _t3("new"), "件", zero="本年未新收政府信息公开申请"),
        q(_t3("carried_in"), "件", zero="无上年结转政府信息公开申请"),
    ])  # fmt: skip
    results = [
        clauses([q(_t3(row), "件", zero="") for row in ("open", "partial")]),
        *[_group(w, title, rows) for title, rows in RESULT_GROUPS],
    ]
    if w.report.template == "2019":
        results.append(q(_t3("other"), "件", zero=""))
    else:
        results.append(_group(w, "其他处理的", OTHER_ROWS_2021))
    said = clauses(results, sep="；")
    closed = q(_t3("closed"), "件", zero="本年度未办结政府信息公开申请")
    handled = clauses(
        [f"本年度{closed}" if w.value(_t3("closed")) else closed, f"其中，{said}" if said else None]
    )
    carried = q(_t3("carried_out"), "件", zero="无结转下年度继续办理的申请")
    return paragraphs([
        f"{w.year}年度，{w.name}{received}。" if received else None,
        f"{handled}。" if handled else None,
        f"{carried}。" if carried else None,
        f"{w.name}严格按照《条例》规定的程序和时限办理政府信息公开申请，对不予公开、无法提供和不予处理的，"
        "均书面告知申请人理由和依据。具体情况详见下表。",
    ])  # fmt: skip


# Words before a row's label where the label alone would not say who did what.
ROW_SUBJECT = {"other_1": "申请人无正当理由", "other_2": "申请人"}


def _group(w: _Writer, title: str, rows: list[str]) -> str | None:
    said = clauses([_subject(row, w.quote(_t3(row), "件", zero="")) for row in rows], sep="、")

    return f"{title}，{said}" if said else None


def _subject(row: str, quoted: str | None) -> str | None:
    return f"{ROW_SUBJECT.get(row, '')}{quoted}" if quoted else None


def _disputes(w: _Writer) -> str:
    review = _with_change(w, _t4("review"), "件", zero="")
    direct = w.quote(_t4("litigation_direct"), "件", zero="")
    after = w.quote(_t4("litigation_after_review"), "件", zero="")
    subject = f"{w.year}年度，{w.name}"
    if not (review or direct or after):
        said = f"{subject}未发生政府信息公开行政复议、行政诉讼案件。"
    else:
        litigation = clauses([direct, after])
        said = clauses([
            f"{subject}收到政府信息公开{review}" if review else f"{subject}未发生政府信息公开行政复议案件",
            f"政府信息公开行政诉讼方面，{litigation}" if litigation else "未发生政府信息公开行政诉讼案件",
        ], sep="；") + "。"  # fmt: skip
    return paragraphs([said, "具体情况详见下表。"])


def _problems(w: _Writer) -> str:
    return paragraphs([
        f"{w.year}年，{w.name}在政府信息公开方面做了大量工作，取得了一定成效，但仍存在一些问题和不足：一是主动公开的深度和广度有待拓展，"
        "部分领域信息公开不够及时；二是政策解读形式还不够丰富；三是工作人员业务能力有待进一步提升。",
        "下一步，将进一步完善政府信息公开工作机制，加强重点领域信息公开，丰富政策解读形式，加强业务培训，"
        "不断提升政府信息公开工作质量。",
    ])  # fmt: skip


def _other(w: _Writer) -> str:
    """Fees for processing information (信息处理费), the one figure this section reports."""
    fees = w.quote(("t6", "fees_charged", "value"), "元", zero="")
    charged = w.quote(("t6", "fee_applications", "value"), "件")
    if fees is None:
        text = f"{w.year}年度，{w.name}未收取信息处理费。"
    elif w.report.template == "2021":
        basis = "按照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）的规定"
        text = f"{w.year}年度，{w.name}{basis}{fees}" + (f"，{charged}" if charged else "") + "。"
    else:
        text = f"{w.year}年度，{w.name}{fees}" + (f"，{charged}" if charged else "") + "。"
    return text + "无其他需要报告的事项。"
