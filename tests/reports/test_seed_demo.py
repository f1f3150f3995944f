"""Acceptance: the demo county's 2013 report, computed from its records, says what the seed says.

The whole demo is loaded through the actions (as `gongkai demo` does), the 2008-format report of
攸县人民政府 for 2013 is computed with its units rolled up, and the seed's own text is checked
against it with R6: every figure the seed quotes is found and equals the computed cell. Where the
seed writes "about" or "more than" (22000余条, 超过300万次), the exact computed figures are
asserted beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from gongkai.core.demo import load_demo
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.reports import stored
from gongkai.reports.checks import LABELS_2008, check, check_narrative, find_quotes
from gongkai.reports.models import AnnualReport, ReportStatus
from gongkai.reports.tables import compute
from tests.reports.test_narrative import SEED, SEED_FIGURES

pytestmark = pytest.mark.django_db


def test_the_demo_reproduces_every_figure_of_the_seed_report() -> None:
    load_demo()
    county = Organisation.objects.get(kind=OrgKind.GOVERNMENT, parent=None)
    report = compute(county, 2013, rollup=True, template="2008")

    text = SEED.read_text(encoding="utf-8")
    quoted = {q.label.key[1] for q in find_quotes(text, LABELS_2008)}
    assert quoted == set(SEED_FIGURES)  # every figure the seed quotes is one the report computes
    assert check_narrative(text, report) == []

    n = {key[1]: value for key, value in report.cells()}
    exact = {
        "items_total": 22000, "items_government": 17380, "items_townships": 4620, "applications_received": 5,
        "applications_online": 3, "applications_written": 2, "applications_on_time_rate": Decimal("100.0"),
        "fees_charged": Decimal("0"), "mailbox_received": 1429, "mailbox_valid": 1106, "mailbox_completed": 1106,
        "forwarded_received": 290, "hotline_valid": 967, "decisions_published": 8, "hearings": 5,
        "reviews": 0, "litigations": 0, "complaints": 0, "reading_room_visits": 1789, "staff_full_time": 2,
        "staff_part_time_average": Decimal("1.0"), "spending_total": Decimal("120"),
        "spending_government": Decimal("30"), "spending_departments": Decimal("69"),
        "spending_townships": Decimal("21"), "centre_units": 48, "centre_staff": 100, "centre_items": 339,
        "centre_received": 13174, "centre_completion_rate": Decimal("100.0"), "centre_fees": Decimal("2306.4"),
        "township_centres": 21, "online_units": 44, "online_received": 10332, "online_completed": 10324,
        "online_completion_rate": Decimal("99.9"),
    }  # fmt: skip
    assert {k: n[k] for k in exact} == exact
    # "about 28,000 items on the portal", "over 4,000 images and videos", "over 3 million page views"
    assert 28000 <= n["portal_total"] < 28100 and 4000 <= n["images_videos"] < 4100
    assert n["page_views"] > 3_000_000
    assert check(report) == []

    # The demo publishes that report, with the seed's own text as its narrative, and drafts this year's.
    published = AnnualReport.objects.get(organisation=county, year=2013).latest_version()
    assert published is not None and published.number == 1 and published.template == "2008"
    assert published.figures() == report.as_dict()
    assert published.checks == [] and stored.verify(published) == []
    assert "22000余条" in published.sections["proactive"] and "1789人次" in published.sections["proactive"]
    current = AnnualReport.objects.get(organisation=county, year=timezone.localdate().year)
    assert current.template == "2021" and current.status == ReportStatus.DRAFT
    assert current.checks == []  # R1–R6 hold on the current year under the 2019 rules
    cells = current.figures()
    assert cells["t3/new/total"] > 0 and cells["t4/review/total"] >= 3
    assert cells["t3/carried_in/total"] == current.previous_figures()["t3/carried_out/total"]
