"""The supervisor's dashboard, drill-down, alerts, charts and exports."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.utils import timezone

from gongkai.services import actions as services
from gongkai.services.models import CaseResult
from gongkai.workdays.models import ClockKind
from tests.office import test_supervision_support as support
from tests.services.conftest import Svc

BASE, PERIOD = support.BASE, support.PERIOD
clocks_data = support.clocks_data

pytestmark = pytest.mark.django_db


def links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


def test_dashboard_shows_the_figures_of_the_period(world, as_, clocks_data):
    client = as_("supervisor")
    response = client.get(f"{BASE}/?{PERIOD}")
    assert response.status_code == 200
    html = response.content.decode()
    units = response.context["units"]
    a = next(u for u in units if u["pk"] == world.unit_a.pk)["values"]
    assert (a["received"], a["completed"], a["on_time_rate"], a["overdue_now"], a["yellow_cards"]) == (
        3,
        2,
        0.5,
        1,
        1,
    )
    assert world.other_county.name not in html
    assert "50.0%" in html and "÷" in html  # the rate and its definition
    assert "Open now: 2 at alarm (overdue), 0 at warning." in html
    kinds = {k["kind"]: k["values"] for k in response.context["kinds"]}
    assert set(kinds) >= {
        ClockKind.APPLICATION,
        ClockKind.LETTER,
        ClockKind.SERVICE_CASE,
        ClockKind.DISCLOSURE,
    }
    assert kinds[ClockKind.APPLICATION]["avg_used_days"] == 11.0
    headline = {c["figure"]: c["text"] for c in response.context["headline"]}
    assert headline["received"] == "3" and headline["overdue_now"] == "2" and headline["red_cards"] == "1"
    # Every number is a link to the list of its cases.
    for cell in [*response.context["headline"], *(c for u in units for c in u["cells"])]:
        if cell["text"] != "—":
            assert f'href="{cell["url"].replace("&", "&amp;")}"' in html


def test_default_period_is_this_year_to_today(world, as_):
    response = as_("supervisor").get(f"{BASE}/")
    today = timezone.localdate()
    assert response.status_code == 200
    assert (response.context["first"], response.context["last"]) == (today.replace(month=1, day=1), today)


def test_a_period_ending_before_it_starts_is_refused_with_a_message(world, as_):
    response = as_("supervisor").get(f"{BASE}/?first=2024-03-31&last=2024-03-01")
    assert response.status_code == 200
    assert "The period ends before it starts." in response.content.decode()
    assert response.context["first"] <= response.context["last"]


def test_drill_down_from_a_figure_lists_its_clocks(world, as_, clocks_data):
    client = as_("supervisor")
    dashboard = client.get(f"{BASE}/?{PERIOD}")
    unit = next(u for u in dashboard.context["units"] if u["pk"] == world.unit_a.pk)
    url = next(c["url"] for c in unit["cells"] if c["figure"] == "on_time_rate")
    response = client.get(url)
    assert response.status_code == 200
    rows = {c.label for c in response.context["page"]}
    assert rows == {"c1 按时办结", "c2 超期办结"}
    html = response.content.decode()
    assert "completed on time" in html and "completed late" in html
    overdue = client.get(f"{BASE}/cases/?figure=overdue_now&{PERIOD}")
    assert {c.label for c in overdue.context["page"]} == {"c3 逾期未办", "old 旧案"}
    assert 'class="tag err"' in overdue.content.decode() and "Alarm" in overdue.content.decode()
    by_kind = client.get(f"{BASE}/cases/?figure=received&kind=letter&{PERIOD}")
    assert {c.label for c in by_kind.context["page"]} == {"c4 来信"}


def test_drill_down_refuses_unknown_figures_and_units_outside_the_scope(world, as_, clocks_data):
    client = as_("supervisor")
    assert client.get(f"{BASE}/cases/?figure=nonsense&{PERIOD}").status_code == 404
    assert client.get(f"{BASE}/cases/?figure=received&unit={world.other_county.pk}").status_code == 404
    assert client.get(f"{BASE}/cases/?figure=received&unit=x").status_code == 404
    assert client.get(f"{BASE}/cases/?figure=received&kind=x").status_code == 404
    assert client.get(f"{BASE}/cases/?figure=received&window=999999").status_code == 404


def test_supervisor_drills_down_from_the_units_on_time_rate_to_the_service_case(world, as_):
    svc = Svc(world)
    case, _code = svc.receive()
    services.complete_case(actor=svc.centre_staff, case=case, result=CaseResult.APPROVED)
    client = as_("supervisor")
    dashboard = client.get(f"{BASE}/")
    unit = next(u for u in dashboard.context["units"] if u["pk"] == world.unit_a.pk)
    rate = next(c for c in unit["cells"] if c["figure"] == "on_time_rate")
    assert rate["text"] == "100.0%"
    listing = client.get(rate["url"])
    case_url = f"/office/services/cases/{case.pk}/"
    assert case_url in links(listing.content.decode())
    assert client.get(case_url).status_code == 200
    # The window table drills down too.
    window = next(w for w in dashboard.context["windows"] if w["window_id"] == svc.window.pk)
    received = next(c for c in window["cells"] if c["figure"] == "received")
    assert received["text"] == "1"
    assert case_url in links(client.get(received["url"]).content.decode())


def test_charts_render_as_svg_with_titles_and_tables(world, as_, clocks_data):
    html = as_("supervisor").get(f"{BASE}/?{PERIOD}").content.decode()
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        # Bars link to their cases, so the chart is a group of links, not an image (axe: nested-interactive).
        assert (
            'role="group"' in svg
            and "<a href=" in svg
            and "<title id=" in svg
            and "<desc id=" in svg
            and "<rect" in svg
        )
        assert "<script" not in svg and "style=" not in svg
    assert "On-time rate per unit" in svgs[0] and world.unit_a.name in svgs[0] and "50.0%" in svgs[0]
    assert "Received and completed per kind of case" in svgs[1]
    assert html.count("as a table</summary>") == 2


def test_chart_escapes_labels():
    from gongkai.core import charts

    chart = charts.Chart(chart_id="x", title="<b>", description="d", series=["s"],
                         groups=[charts.Group("<script>", [charts.Bar(0.5, "50%", "/a?b=1&c=2")])])  # fmt: skip
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg and "&amp;c=2" in chart.svg


def test_alerts_now_lists_open_clocks_at_warning_and_alarm_oldest_first(world, as_, clocks_data):
    support.start(world.unit_a, label="warn 预警", on=support.date(2024, 3, 8), limit=10)
    from gongkai.supervision import scan as scanning

    scanning.scan()
    client = as_("supervisor")
    response = client.get(f"{BASE}/alerts/")
    labels = [c.label for c in response.context["page"]]
    assert labels == ["old 旧案", "c3 逾期未办", "warn 预警"]
    html = response.content.decode()
    assert "tag err" in html and "tag warn" in html
    alarm = client.get(f"{BASE}/alerts/?level=alarm")
    assert [c.label for c in alarm.context["page"]] == ["old 旧案", "c3 逾期未办"]


def test_exports_of_the_unit_table(world, as_, clocks_data):
    client = as_("supervisor")
    csv = client.get(f"{BASE}/export.csv?{PERIOD}")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "attachment" in csv["Content-Disposition"]
    text = csv.content.decode("utf-8-sig")
    assert world.unit_a.name in text and world.other_county.name not in text
    xlsx = client.get(f"{BASE}/export.xlsx?{PERIOD}")
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert len(rows) == len(text.splitlines())
    assert client.get(f"{BASE}/export.pdf").status_code == 404


def test_card_figures_list_the_cards_even_those_about_no_case(world, as_, clocks_data):
    client = as_("supervisor")
    dashboard = client.get(f"{BASE}/?{PERIOD}")
    red = next(c for c in dashboard.context["headline"] if c["figure"] == "red_cards")
    listing = client.get(red["url"])
    assert listing.status_code == 200
    assert [card.reason for card in listing.context["page"]] == ["多次逾期"]
    unit = next(u for u in dashboard.context["units"] if u["pk"] == world.unit_a.pk)
    yellow = next(c for c in unit["cells"] if c["figure"] == "yellow_cards")
    assert [card.reason for card in client.get(yellow["url"]).context["page"]] == ["逾期"]
    outside = f"{BASE}/cards/?unit={world.other_county.pk}"
    assert client.get(outside).status_code == 404
    none = client.get(f"{BASE}/cards/?colour=red&first=2024-01-01&last=2024-01-31")
    assert none.context["page"].paginator.count == 0


def test_every_kind_of_case_links_to_its_own_office_page(world, as_, settings, tmp_path):
    from gongkai.applications import actions as applications
    from gongkai.disclosure import actions as disclosure
    from tests.office.test_applications_support import PERSON

    settings.MEDIA_ROOT = str(tmp_path / "media")
    today = timezone.localdate()
    app, _code = applications.register_application(
        actor=world.reviewer, organisation=world.unit_a, channel="in_person", submitted_on=today, **PERSON
    )
    item = disclosure.create_item(actor=world.clerk_a, organisation=world.unit_a, title="攸县财政局预算公开",
                                  summary="预算", body="<p>预算</p>", formed_on=today)  # fmt: skip
    case, _code = Svc(world).receive()
    client = as_("supervisor")
    html = client.get(f"{BASE}/cases/?figure=received").content.decode()
    for url in (
        f"/office/applications/{app.pk}/",
        f"/office/items/{item.pk}/",
        f"/office/services/cases/{case.pk}/",
    ):
        assert f'href="{url}"' in html, url
    assert client.get(f"/office/applications/{app.pk}/").status_code == 200


def test_a_case_goes_from_normal_to_warning_to_alarm_as_the_days_pass(world, as_, monkeypatch):
    from datetime import date

    from gongkai.supervision import scan as scanning

    client = as_("supervisor")
    clock = support.start(world.unit_a, label="进度 case", on=date(2024, 3, 4), limit=10)  # due 18 March
    for today, level in [
        (date(2024, 3, 5), None),
        (date(2024, 3, 14), "warning"),
        (date(2024, 3, 19), "alarm"),
    ]:
        support.set_today(monkeypatch, today)
        scanning.scan()
        page = client.get(f"{BASE}/alerts/")
        rows = list(page.context["page"])
        assert [c.level for c in rows] == ([level] if level else []), today
    html = client.get(f"{BASE}/clocks/{clock.pk}/").content.decode()
    assert "Alarm · overdue" in html and "Warning" in html  # the level now and the alerts raised
