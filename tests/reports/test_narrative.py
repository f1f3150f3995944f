"""The 2008-era narrative figures from the records, and R6 over a narrative's quoted figures."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from gongkai.disclosure import actions as item_actions
from gongkai.disclosure import viewcounts
from gongkai.orgs.models import Organisation
from gongkai.reports.checks import LABELS_2008, LABELS_2021, check_narrative, find_quotes
from gongkai.reports.demo import SEED_REPORT
from gongkai.reports.narrative import ROWS, VALUE
from gongkai.reports.provenance import records_for
from gongkai.reports.tables import Report, Table, compute
from tests.reports import records
from tests.reports.conftest import Year

pytestmark = pytest.mark.django_db
D = date
# The seed county's 2013 annual report, as published (the demo's copy, so the suite needs nothing outside it).
SEED = SEED_REPORT
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

SEED_FIGURES = {
    "items_total": 22000, "items_government": 17380, "items_townships": 4620, "portal_total": 28000,
    "images_videos": 4000, "page_views": 3_012_345, "reading_room_visits": 1789, "applications_received": 5,
    "applications_online": 3, "applications_written": 2, "applications_on_time_rate": Decimal("100.0"),
    "mailbox_received": 1429, "mailbox_valid": 1106, "forwarded_received": 290, "hotline_valid": 967,
    "decisions_published": 8, "hearings": 5, "centre_units": 48, "centre_staff": 100, "centre_items": 339,
    "centre_received": 13174, "centre_fees": Decimal("2306.4000"), "online_received": 10332,
    "online_completed": 10324, "staff_full_time": 2, "staff_part_time_average": Decimal("1.0"),
    "spending_total": Decimal("120.0000"), "spending_government": Decimal("30.0000"),
    "spending_departments": Decimal("69.0000"), "spending_townships": Decimal("21.0000"),
}  # fmt: skip


def seed_report() -> Report:
    """The seed county's 2013 figures as cells (the parser is tested on the real report's wording)."""
    table = Table("n", "", rows=list(ROWS), columns=[(VALUE, "")])
    table.cells = {(row, VALUE): SEED_FIGURES.get(row, 0) for row, _ in ROWS}
    org = Organisation(name="攸县人民政府", path="/1/")
    return Report(organisation=org, year=2013, template="2008", rollup=True, org_ids=[], tables={"n": table})


def test_r6_finds_every_figure_of_the_seed_report_and_accepts_it() -> None:
    text = SEED.read_text(encoding="utf-8")
    quoted = {q.label.key[1] for q in find_quotes(text, LABELS_2008)}
    assert quoted == set(SEED_FIGURES)
    assert check_narrative(text, seed_report()) == []


@pytest.mark.parametrize(
    ("written", "changed", "row"),
    [
        ("全年共接待公众查阅政府信息1789人次", "全年共接待公众查阅政府信息1798人次", "reading_room_visits"),
        ("主动公开政府信息17380多条", "主动公开政府信息17480多条", "items_government"),
        ("年点击量超过300万次", "年点击量超过400万次", "page_views"),
        ("完成收费2306.4万元", "完成收费2036.4万元", "centre_fees"),
        ("其中,县政府30万元", "其中,县政府31万元", "spending_government"),
        ("按期答复率100%", "按期答复率90%", "applications_on_time_rate"),
    ],
)
def test_r6_catches_a_wrong_figure_in_the_seed_report(written: str, changed: str, row: str) -> None:
    text = SEED.read_text(encoding="utf-8")
    assert written in text
    (v,) = check_narrative(text.replace(written, changed), seed_report())
    assert v.rule == "R6" and v.right.cells == [("n", row, VALUE)]
    assert v.right.value == SEED_FIGURES[row] and re.search(r"\d[\d.]*", changed)[0] in v.left.label


def add_year_2008_records(year: Year) -> None:
    w = year.world
    records.staff(w, w.county, 2025, 2, 0)
    for org, part in ((w.unit_a, 1), (w.unit_b, 1), (w.township, 2)):
        records.staff(w, org, 2025, 0, part)
    records.spending(w, w.county, 2025, "300000")
    records.spending(w, w.unit_a, 2025, "400000")
    records.spending(w, year.svc.centre, 2025, "290000")
    records.spending(w, w.township, 2025, "210000")
    records.spending(w, w.township, 2024, "999")
    records.visits(
        w, w.county, "县档案馆查阅室", [(D(2025, 3, 3), 10), (D(2025, 7, 1), 5), (D(2024, 5, 5), 9)]
    )
    news = item_actions.create_item(actor=w.reviewer, organisation=w.township, kind="news", title="动态",
                                    formed_on=D(2025, 5, 6))  # fmt: skip
    item_actions.add_attachment(actor=w.reviewer, item=news, name="现场.png", data=PNG)
    news = item_actions.publish_item(actor=w.reviewer, item=news, published_on=D(2025, 5, 6))
    viewcounts.write_counts(Counter({(news.pk, D(2025, 5, 6)): 40, (news.pk, D(2025, 5, 7)): 2,
                                     (year.items["rule25"].pk, D(2025, 12, 31)): 100,
                                     (year.items["rule25"].pk, D(2026, 1, 1)): 7}))  # fmt: skip
    # One more application, online, so both channels show.
    year.register(D(2025, 11, 3), channel="online", confirmed_on=D(2025, 11, 4))


def test_the_narrative_figures_from_the_records(year: Year) -> None:
    w = year.world
    add_year_2008_records(year)
    report = compute(w.county, 2025, template="2008")
    n = report.tables["n"]
    v = {row: n.value(row, VALUE) for row, _ in ROWS}
    closed = compute(w.county, 2025).value(("t3", "closed", "total"))
    on_time = records_for(w.county, 2025, ("n", "applications_on_time", VALUE), template="2008")[0].count()
    assert v["items_total"] == 4 and v["items_townships"] == 1 and v["items_government"] == 3
    assert v["news"] == 1 and v["portal_total"] == 5 and v["images_videos"] == 1
    assert v["page_views"] == 142 and v["reading_room_visits"] == 15
    assert (
        v["applications_received"] == 24 and v["applications_written"] == 23 and v["applications_online"] == 1
    )
    assert v["applications_replied"] == closed == 23 and v["applications_on_time"] == on_time
    assert v["applications_on_time_rate"] == (Decimal(100) * on_time / 23).quantize(Decimal("0.1"))
    assert (v["reviews"], v["litigations"], v["complaints"]) == (4, 2, 1)
    assert (v["staff_full_time"], v["staff_part_time"], v["staff_units"]) == (2, 4, 3)
    assert v["staff_part_time_average"] == Decimal("1.3")
    assert (v["spending_government"], v["spending_departments"], v["spending_townships"]) == (
        Decimal("30.0000"), Decimal("69.0000"), Decimal("21.0000"))  # fmt: skip
    assert v["spending_total"] == Decimal("120.0000")
    assert v["centre_received"] == 5 and v["centre_fees"] == Decimal("1.2340") and v["centre_units"] == 1
    assert v["township_centres"] == 1
    assert v["mailbox_received"] == 0 and v["fees_charged"] == Decimal("0.00")
    for row, _label in ROWS:  # every figure lists its records or names its sources
        assert records_for(w.county, 2025, ("n", row, VALUE), template="2008") is not None


def test_a_drafted_narrative_with_a_wrong_figure_is_caught_by_r6(year: Year) -> None:
    w = year.world
    add_year_2008_records(year)
    report = compute(w.county, 2025, template="2008")
    f = {row: report.value(("n", row, VALUE)) for row, _ in ROWS}
    text = (
        f"2025年,主动公开政府信息{f['items_total']}条。其中,县政府和县直各部门单位主动公开政府信息"
        f"{f['items_government']}条,乡镇政府主动公开政府信息{f['items_townships']}条。"
        f"全年共接待公众查阅政府信息{f['reading_room_visits']}人次。"
        f"全年,县政府共受理政府信息公开申请{f['applications_received']}件,其中通过网络渠道申请的共"
        f"{f['applications_online']}件,书面申请的{f['applications_written']}件。"
        f"费用约{f['spending_total']:.0f}万元,其中,县政府{f['spending_government']:.0f}万元、"
        f"政府各部门单位包括政务中心约{f['spending_departments']:.0f}万元、乡镇政府{f['spending_townships']:.0f}万元。"
    )
    text = text.replace("费用约", "设备配备等方面的费用约")
    assert check_narrative(text, report) == []
    wrong = text.replace(
        f"书面申请的{f['applications_written']}件", f"书面申请的{f['applications_written'] - 1}件"
    )
    (v,) = check_narrative(wrong, report)
    assert v.right.cells == [("n", "applications_written", VALUE)] and v.left.value == 22
    assert set(v.records[("n", "applications_written", VALUE)][0]) >= {year.apps["open"]}


def test_r6_on_a_2021_format_narrative(year: Year) -> None:
    report = compute(year.world.county, 2025)
    text = (
        "本年新收政府信息公开申请23件，上年结转政府信息公开申请2件，结转下年度继续办理2件。"
        "本年制发行政规范性文件2件，废止行政规范性文件1件，现行有效行政规范性文件3件。"
        "全年收到行政复议案件4件；行政事业性收费1.234万元。"
    )
    assert [q.label.key for q in find_quotes(text, LABELS_2021)] == [
        ("t3", "new", "total"), ("t3", "carried_in", "total"), ("t3", "carried_out", "total"),
        ("t2", "normative", "issued"), ("t2", "normative", "repealed"), ("t2", "normative", "in_force"),
        ("t4", "review", "total"), ("t2", "fee", "amount"),
    ]  # fmt: skip
    assert check_narrative(text, report) == []
    (v,) = check_narrative(text.replace("行政复议案件4件", "行政复议案件3件"), report)
    assert (v.left.value, v.right.value, v.right.cells) == (3, 4, [("t4", "review", "total")])
    assert len(v.records[("t4", "review", "total")][0]) == 4


def test_an_unknown_template_is_refused(world) -> None:
    with pytest.raises(ValueError, match="template"):
        compute(world.county, 2025, template="2030")
