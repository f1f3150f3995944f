"""The drafted narrative quotes the report's own figures, each where R6 reads and checks it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gongkai.orgs.models import Organisation
from gongkai.reports.checks import LABELS_2008, LABELS_2021, check_narrative, find_quotes
from gongkai.reports.drafting import FREE_TEXT, SECTIONS, TABLE_OF_SECTION, draft, full_text, number
from gongkai.reports.narrative import ROWS, VALUE
from gongkai.reports.tables import Report, Table, compute
from tests.reports import records
from tests.reports.conftest import Year

pytestmark = pytest.mark.django_db
D = date
TEMPLATES = ["2021", "2019", "2008"]
# Digits a report writes that are not figures: years, dates, document numbers, the 1、2、3、 of a list,
# and the change from the previous year (written after the figure, never after a label).
NOT_FIGURES = re.compile(r"\d{4}年|\d{1,2}月\d{1,2}日|〔\d{4}〕\d+号|^\d、|比上年(?:增加|减少)\d[\d.]*", re.M)


def labels(template: str) -> list[Any]:
    return LABELS_2008 if template == "2008" else LABELS_2021


def unquoted_numbers(text: str, template: str) -> list[str]:
    """The numbers in ``text`` that are neither a figure R6 reads nor one of NOT_FIGURES."""
    chars = list(text)
    spans = [(q.start, q.start + len(q.text)) for q in find_quotes(text, labels(template))]
    spans += [m.span() for m in NOT_FIGURES.finditer(text)]
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return re.findall(r"\d+", "".join(chars))


def with_2008_records(year: Year) -> Year:
    """Staff and spending figures, which only the 2008-era report quotes."""
    w = year.world
    records.staff(w, w.county, 2025, 2, 0)
    for org, part in ((w.unit_a, 1), (w.unit_b, 1), (w.township, 2)):
        records.staff(w, org, 2025, 0, part)
    records.spending(w, w.county, 2025, "300000")
    records.spending(w, w.unit_a, 2025, "456780")
    records.spending(w, w.township, 2025, "210000")
    return year


def county_report(year: Year, template: str, y: int = 2025) -> Report:
    if template == "2008":
        with_2008_records(year)
    return compute(year.world.county, y, template=template)


def quoted(text: str, report: Report) -> dict[tuple[str, str, str], list[str]]:
    found: dict[tuple[str, str, str], list[str]] = {}
    for q in find_quotes(text, labels(report.template)):
        found.setdefault(q.label.key, []).append(q.text)
    return found


# --- the interface ------------------------------------------------------------------------------------


def test_sections_headings_and_tables() -> None:
    standard = ["overview", "proactive", "applications", "disputes", "problems", "other"]
    assert [k for k, _h in SECTIONS["2021"]] == [k for k, _h in SECTIONS["2019"]] == standard
    assert [str(h) for _k, h in SECTIONS["2021"]][1] == "二、主动公开政府信息情况"
    assert [k for k, _h in SECTIONS["2008"]] == [
        "overview", "proactive", "applications", "consultation", "disputes", "staff", "problems",
    ]  # fmt: skip
    assert str(SECTIONS["2008"][4][1]) == "五、复议、诉讼和申诉情况"
    assert FREE_TEXT == {"problems"}
    assert TABLE_OF_SECTION == {"proactive": "t2", "applications": "t3", "disputes": "t4", "other": "t6"}


@pytest.mark.parametrize(
    ("value", "written"),
    [(17380, "17380"), (Decimal("2306.4000"), "2306.4"), (Decimal("1.2340"), "1.234"), (Decimal("120.0000"), "120"),
     (Decimal("100.0"), "100"), (Decimal("99.9"), "99.9"), (Decimal("0.0000"), "0"), (Decimal("30.0000"), "30")],
)  # fmt: skip
def test_numbers_are_written_like_the_seed(value: Any, written: str) -> None:
    assert number(value) == written


# --- every template, from a year of records -----------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_draft_passes_r6_and_every_figure_in_it_is_one_r6_reads(year: Year, template: str) -> None:
    report = county_report(year, template)
    sections = draft(report)
    assert list(sections) == [k for k, _h in SECTIONS[template]]
    text = full_text(sections, template)
    assert check_narrative(text, report) == []
    assert unquoted_numbers(text, template) == []
    assert "None" not in text and "攸县人民政府" in text and "2025年" in text
    for key in FREE_TEXT:
        assert not re.search(r"\d", sections[key].replace("2025年", ""))
    # Each figure the draft quotes is the report's cell, read from the report.
    for key in quoted(text, report):
        assert report.value(key) is not None, key


def test_the_2021_draft_quotes_tables_two_three_and_four(year: Year) -> None:
    report = county_report(year, "2021")
    sections = draft(report)
    v = report.value
    t2, t3, t4 = sections["proactive"], sections["applications"], sections["disputes"]
    assert f"本年制发行政规范性文件{v(('t2', 'normative', 'issued'))}件" in t2
    assert f"现行有效行政规范性文件{v(('t2', 'normative', 'in_force'))}件" in t2
    assert f"行政处罚决定{v(('t2', 'penalty', 'decisions'))}件" in t2
    assert f"行政许可决定{v(('t2', 'licensing', 'decisions'))}件" in t2
    assert f"行政事业性收费{number(v(('t2', 'fee', 'amount')))}万元" in t2 and "1.234万元" in t2
    assert f"本年新收政府信息公开申请{v(('t3', 'new', 'total'))}件" in t3
    assert f"上年结转政府信息公开申请{v(('t3', 'carried_in', 'total'))}件" in t3
    assert f"办结政府信息公开申请{v(('t3', 'closed', 'total'))}件" in t3
    assert (
        f"予以公开{v(('t3', 'open', 'total'))}件" in t3 and f"部分公开{v(('t3', 'partial', 'total'))}件" in t3
    )
    assert f"属于国家秘密{v(('t3', 'refuse_1', 'total'))}件" in t3
    assert f"逾期未按收费通知要求缴纳费用{v(('t3', 'other_2', 'total'))}件" in t3
    assert f"其他处理的，申请人无正当理由逾期不补正{v(('t3', 'other_1', 'total'))}件" in t3
    assert f"结转下年度继续办理{v(('t3', 'carried_out', 'total'))}件" in t3
    assert f"行政复议案件{v(('t4', 'review', 'total'))}件" in t4
    assert f"未经复议直接起诉{v(('t4', 'litigation_direct', 'total'))}件" in t4
    assert f"复议后起诉{v(('t4', 'litigation_after_review', 'total'))}件" in t4
    # Every result row of table 三 is quoted (the year has one application of each).
    found = quoted(full_text(sections, "2021"), report)
    assert {("t3", row, "total") for row, _l in report.tables["t3"].rows} <= set(found)
    assert "国办公开办函〔2021〕30号" in sections["overview"] and "信息处理费" in sections["other"]


def test_the_2019_draft_uses_the_trial_formats_rows(year: Year) -> None:
    report = county_report(year, "2019")
    sections = draft(report)
    v = report.value
    assert f"新制作规范性文件{v(('t2', 'normative', 'made'))}件" in sections["proactive"]
    assert f"对外公开规范性文件总数{v(('t2', 'normative', 'public_total'))}件" in sections["proactive"]
    assert f"其他处理{v(('t3', 'other', 'total'))}件" in sections["applications"]
    assert "逾期不补正" not in sections["applications"]  # one row in 2019
    assert "国办公开办函〔2019〕60号" in sections["overview"]
    assert "行政事业性收费" not in sections["proactive"]  # the trial format has no amount


def test_the_2008_draft_quotes_the_narrative_figures(year: Year) -> None:
    report = county_report(year, "2008")
    n = {row: report.value(("n", row, VALUE)) for row, _l in ROWS}
    sections = draft(report)
    assert f"共主动公开政府信息{n['items_total']}条" in sections["proactive"]
    assert f"县政府和县直各部门单位主动公开政府信息{n['items_government']}条" in sections["proactive"]
    assert f"共受理政府信息公开申请{n['applications_received']}件" in sections["applications"]
    assert f"按期答复率{number(n['applications_on_time_rate'])}%" in sections["applications"]
    assert (
        f"行政复议案件{n['reviews']}件、行政诉讼案件{n['litigations']}件、申诉案件{n['complaints']}件"
        in sections["disputes"]
    )
    staff = sections["staff"]
    assert f"全职工作人员为{n['staff_full_time']}人" in staff and "兼职人员为1.3人" in staff
    assert f"设备配备等方面的费用{number(n['spending_total'])}万元" in staff and "96.678万元" in staff
    assert "县政府30万元" in staff and "乡镇政府21万元" in staff
    assert "未收取任何费用" in staff
    assert f"办理各类事项{n['centre_received']}件" in sections["overview"]
    assert f"完成收费{number(n['centre_fees'])}万元" in sections["overview"]


# --- R6 catches a figure changed after drafting -------------------------------------------------------


def change_figure(text: str, quote: Any) -> str:
    """The text with the figure of ``quote`` replaced by another number."""
    m = re.search(r"\d[\d,]*(?:\.\d+)?", quote.text[len(quote.label.text) :])
    start = quote.start + len(quote.label.text) + m.start()
    changed = str(int(Decimal(m.group(0))) + 7)
    return text[:start] + changed + text[start + len(m.group(0)) :]


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_quoted_figure_changed_is_caught_naming_its_cell(year: Year, template: str) -> None:
    report = county_report(year, template)
    text = full_text(draft(report), template)
    quotes = find_quotes(text, labels(template))
    assert len(quotes) >= 15
    for q in quotes:
        (v,) = check_narrative(change_figure(text, q), report)
        assert (
            v.rule == "R6" and v.right.cells == [q.label.key] and v.right.value == report.value(q.label.key)
        )


def test_the_change_from_the_previous_year_is_stated_but_not_taken_for_a_cell(year: Year) -> None:
    w = year.world
    report, previous = compute(w.county, 2025), compute(w.county, 2024)
    new, before = report.value(("t3", "new", "total")), previous.value(("t3", "new", "total"))
    reviews = report.value(("t4", "review", "total")) - previous.value(("t4", "review", "total"))
    assert new > before and reviews > 0
    sections = draft(report, previous)
    said = f"本年新收政府信息公开申请{new}件，比上年增加{new - before}件"
    assert said in sections["applications"] and said in sections["overview"]
    assert f"比上年增加{reviews}件" in sections["disputes"]
    text = full_text(sections, "2021")
    assert check_narrative(text, report) == [] and unquoted_numbers(text, "2021") == []
    assert check_narrative(text.replace(f"比上年增加{new - before}件", "比上年增加99件"), report) == []
    # Without a previous report, or the same figure, the draft says so plainly.
    assert "比上年" not in full_text(draft(report), "2021")
    assert "与上年持平" in draft(report, report)["applications"]


# --- absent and zero figures --------------------------------------------------------------------------


def test_an_absent_figure_leaves_its_sentence_out(year: Year) -> None:
    report = county_report(year, "2008")
    cells = report.tables["n"].cells
    for row in (
        "centre_fees",
        "applications_on_time_rate",
        "staff_part_time_average",
        "page_views",
        "reviews",
    ):
        cells[(row, VALUE)] = None
    text = full_text(draft(report), "2008")
    assert "None" not in text and check_narrative(text, report) == []
    for label in ("完成收费", "按期答复率", "兼职人员为", "年点击量", "行政复议案件"):
        assert label not in text
    assert "行政诉讼案件" in text and "办理各类事项" in text  # the rest of the sentence stays

    report = county_report(year, "2021")
    report.tables["t3"].cells[("partial", "total")] = None
    report.tables["t2"].cells[("fee", "amount")] = None
    sections = draft(report)
    assert "部分公开" not in sections["applications"] and "行政事业性收费" not in sections["proactive"]
    assert f"予以公开{report.value(('t3', 'open', 'total'))}件" in sections["applications"]
    assert check_narrative(full_text(sections, "2021"), report) == []


def test_a_year_without_records_reads_naturally(world: Any) -> None:
    for template in TEMPLATES:
        report = compute(world.county, 2025, template=template)
        text = full_text(draft(report), template)
        assert check_narrative(text, report) == [] and "None" not in text
        assert unquoted_numbers(text, template) == []
    text = full_text(draft(compute(world.county, 2025, template="2008")), "2008")
    assert "全年未发生针对攸县人民政府有关政府信息公开事务的行政复议、行政诉讼和申诉案件。" in text
    assert "未收到政府信息公开申请" in text and "未收取任何费用" in text
    text = full_text(draft(compute(world.county, 2025)), "2021")
    assert "未发生政府信息公开行政复议、行政诉讼案件" in text
    assert "本年未新收政府信息公开申请" in text and "本年度未收取行政事业性收费" in text


# --- full text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_full_text_has_the_headings_in_order(year: Year, template: str) -> None:
    report = county_report(year, template)
    sections = draft(report)
    text = full_text(sections, template)
    positions = [text.index(str(heading) + "\n\n") for _k, heading in SECTIONS[template]]
    assert positions == sorted(positions) and positions[0] == 0
    for key, body in sections.items():
        assert body in text, key
    assert full_text({"overview": "前言。"}, template) == f"{SECTIONS[template][0][1]}\n\n前言。"


def test_headings_stay_chinese_in_an_english_session(year: Year) -> None:
    from django.utils import translation

    with translation.override("en"):
        text = full_text(draft(county_report(year, "2021")), "2021")
    assert text.startswith("一、总体情况\n\n")


# --- the seed county's figures --------------------------------------------------------------------------

# The 2013 report of 攸县人民政府 (the seed report), with the figures
# the seed gives in words filled in (every valid letter completed, every application on time).
SEED = {
    "items_total": 22000, "items_government": 17380, "items_townships": 4620, "news": 0, "portal_total": 28000,
    "images_videos": 4000, "page_views": 3_012_345, "reading_room_visits": 1789, "applications_received": 5,
    "applications_online": 3, "applications_written": 2, "applications_other": 0, "applications_replied": 5,
    "applications_on_time": 5, "applications_on_time_rate": Decimal("100.0"), "fees_charged": Decimal("0.00"),
    "mailbox_received": 1429, "mailbox_valid": 1106, "mailbox_completed": 1106,
    "mailbox_completion_rate": Decimal("100.0"), "forwarded_received": 290, "hotline_received": 967,
    "hotline_valid": 967, "decisions_published": 8, "hearings": 5, "reviews": 0, "litigations": 0, "complaints": 0,
    "staff_full_time": 2, "staff_part_time": 65, "staff_units": 65, "staff_part_time_average": Decimal("1.0"),
    "spending_total": Decimal("120.0000"), "spending_government": Decimal("30.0000"),
    "spending_departments": Decimal("69.0000"), "spending_townships": Decimal("21.0000"), "centre_units": 48,
    "centre_staff": 100, "centre_items": 339, "centre_received": 13174, "centre_completion_rate": Decimal("100.0"),
    "centre_fees": Decimal("2306.4000"), "township_centres": 21, "online_units": 44, "online_received": 10332,
    "online_completed": 10324, "online_completion_rate": Decimal("99.9"),
}  # fmt: skip


# The figures the seed's own text quotes after a label.
SEED_QUOTES = [
    "items_total", "items_government", "items_townships", "portal_total", "images_videos", "page_views",
    "reading_room_visits", "applications_received", "applications_online", "applications_written",
    "applications_on_time_rate", "mailbox_received", "mailbox_valid", "forwarded_received", "hotline_valid",
    "decisions_published", "hearings", "centre_units", "centre_staff", "centre_items", "centre_received",
    "centre_fees", "online_received", "online_completed", "staff_full_time", "staff_part_time_average",
    "spending_total", "spending_government", "spending_departments", "spending_townships",
]  # fmt: skip


def seed_report() -> Report:
    table = Table("n", "", rows=list(ROWS), columns=[(VALUE, "")])
    table.cells = {(row, VALUE): SEED[row] for row, _l in ROWS}
    org = Organisation(name="攸县人民政府", path="/1/")
    return Report(organisation=org, year=2013, template="2008", rollup=True, org_ids=[], tables={"n": table})


def test_the_seed_figures_drafted_in_the_seeds_register() -> None:
    report = seed_report()
    sections = draft(report)
    text = full_text(sections, "2008")
    assert check_narrative(text, report) == [] and unquoted_numbers(text, "2008") == []
    for said in (
        "2013年，攸县人民政府共主动公开政府信息22000条。其中，县政府和县直各部门单位主动公开政府信息17380条，"
        "乡镇政府主动公开政府信息4620条。",
        "共发布各类信息28000条，图片、视频4000个，年点击量超过301万次",
        "全年共接待公众查阅政府信息1789人次",
        "共受理政府信息公开申请5件，其中通过网络渠道申请的3件，书面申请的2件。",
        "按期答复率100%",
        "共收到信件1429件，其中有效信件1106件，信件办结率100%",
        "交办的信件290件",
        "有效电话967个",
        "公开各种重大决策8项，举办听证会5次",
        "目前进驻中心的单位有48家，工作人员100人，核定审批事项339项。2013年，共办理各类事项13174件，办件办结率100%，"
        "完成收费2306.4万元。",
        "系统收件10332件，办结10324件，系统办结率99.9%",
        "全年未发生针对攸县人民政府有关政府信息公开事务的行政复议、行政诉讼和申诉案件。",
        "全职工作人员为2人",
        "兼职人员为1人",
        "设备配备等方面的费用120万元，其中，县政府30万元、政府各部门单位包括政务中心69万元、乡镇政府21万元。",
        "攸县人民政府依申请公开政府信息未收取任何费用。",
    ):
        assert said in text, said
    # Every figure the seed itself quotes, the draft quotes too.
    assert {("n", row, VALUE) for row in SEED_QUOTES} <= set(quoted(text, report))
    (v,) = check_narrative(text.replace("主动公开政府信息17380条", "主动公开政府信息17830条"), report)
    assert v.right.cells == [("n", "items_government", VALUE)] and v.right.value == 17380
