"""The annual report's back-office pages: the units against their deadlines, a report's page and steps,
the narrative, the records behind a cell, downloads, and who may do what."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.applications import actions as app_actions
from gongkai.applications import actions_replies
from gongkai.applications.outcomes import ALLOWED
from gongkai.office import views_reports
from gongkai.reports import actions
from gongkai.reports.models import AnnualReport, PublishedVersion
from tests import factories
from tests.applications.conftest import PERSON
from tests.reports import records

BASE = "/office/reports"
YEAR = 2025


def register(world: Any, on: date, org: Any = None) -> Any:
    app, _code = app_actions.register_application(
        actor=world.reviewer, organisation=org or world.unit_a, channel="in_person", submitted_on=on, **PERSON
    )
    return app


def reply(world: Any, app: Any, on: date) -> Any:
    return actions_replies.reply_application(actor=world.reviewer, application=app, outcome="open",
                                             reply_type=ALLOWED["2019"]["open"][0], legal_basis="第二十七条", text="答复", on=on)  # fmt: skip


@pytest.fixture
def recs(world: Any) -> dict[str, Any]:
    """A few records of 2025 in unit A: two applications (one answered) and a review case."""
    first = register(world, date(2025, 3, 3))
    second = register(world, date(2025, 5, 6))
    reply(world, first, date(2025, 3, 10))
    case = records.dispute(world, world.unit_a, "review", date(2025, 4, 1), date(2025, 6, 1), "maintained")
    return {"apps": [first, second], "dispute": case}


@pytest.fixture
def report(world: Any, recs: Any) -> AnnualReport:
    return actions.generate_report(actor=world.clerk_a, organisation=world.unit_a, year=YEAR)


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def fill_free_text(client: Any, report: AnnualReport) -> None:
    """Every section written (the draft leaves the office's own sections empty)."""
    from gongkai.reports import drafting

    data = {
        f"s-{k}": report.sections.get(k) or "本年度无其他事项。"
        for k, _h in drafting.SECTIONS[report.template]
    }
    assert client.post(f"{BASE}/{report.pk}/narrative/", data).status_code == 302


# --- the list ---------------------------------------------------------------------------------------


def standing_of(html: str, org: Any) -> str:
    m = re.search(rf'data-unit="{org.pk}">([^<]*)<', html)
    assert m, org
    return m.group(1)


def test_the_list_shows_each_unit_against_its_deadline(world, as_, recs, monkeypatch):
    monkeypatch.setattr(views_reports, "today", lambda: date(2026, 2, 15))
    actions.generate_report(actor=world.reviewer, organisation=world.county, year=YEAR)
    html = page(as_("reviewer").get(f"{BASE}/?year={YEAR}"))
    assert f"Annual reports for {YEAR}" in html
    assert standing_of(html, world.unit_a) == "Overdue"  # a department: due on 31 January
    assert standing_of(html, world.county) == "Draft"  # a government: due on 31 March
    assert standing_of(html, world.township) == "Not started"
    assert "2026-01-31" in html and "2026-03-31" in html
    report = AnnualReport.objects.get(organisation=world.county)
    assert f"{BASE}/{report.pk}/" in html
    assert world.other_county.display_name not in html
    # A clerk sees the units of their own role only; the default year is last year.
    html = page(as_("clerk_a").get(f"{BASE}/"))
    assert standing_of(html, world.unit_a) and world.unit_b.display_name not in html
    assert 'name="organisation"' in html  # the form to generate a report


def test_the_list_reads_a_constant_number_of_queries(world, as_, recs):
    client = as_("reviewer")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{BASE}/?year={YEAR}").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(3):
        unit = factories.make_org(actor=world.root, parent=world.county, name=f"攸县第{i}局")
        actions.generate_report(actor=world.fresh(world.reviewer), organisation=unit, year=YEAR)
    actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=YEAR)
    assert count() == before


# --- generate, detail, narrative, sign-off, publish ---------------------------------------------------------


def test_generating_a_report_shows_its_cells_and_checks(world, as_, recs):
    client = as_("clerk_a")
    response = client.post(f"{BASE}/generate/", {"organisation": world.unit_a.pk, "year": YEAR,
                                                  "template": "2021", "rollup": "on"})  # fmt: skip
    report = AnnualReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}/{report.pk}/"
    assert report.cells["t3/new/total"] == 2 and report.generated_by == world.clerk_a
    html = page(client.get(f"{BASE}/{report.pk}/"))
    assert f"{BASE}/{report.pk}/cells/t3/new/total/" in html
    assert "Every check passes." in html
    assert "Edit the narrative" in html and "Sign off" not in html  # a clerk prepares, does not sign
    assert f"{BASE}/{report.pk}/download/pdf/" in html


def test_a_tampered_figure_in_the_narrative_is_shown_and_blocks_sign_off(world, as_, report):
    client = as_("clerk_a")
    response = client.post(
        f"{BASE}/{report.pk}/narrative/", {"s-applications": "本年新收政府信息公开申请99件。"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert [c["rule"] for c in report.checks] == ["R6"]
    html = page(client.get(f"{BASE}/{report.pk}/"))
    assert "R6" in html and "99" in html and f"{BASE}/{report.pk}/cells/t3/new/total/" in html
    response = as_("reviewer").post(f"{BASE}/{report.pk}/review/")
    assert "fails 1 check" in page(response)
    report.refresh_from_db()
    assert report.status == "draft"


def test_a_clean_report_is_signed_off_published_and_corrected_with_a_reason(world, as_, report):
    client = as_("reviewer")
    form = page(client.get(f"{BASE}/{report.pk}/narrative/"))
    assert "checked against the tables" in form and 'name="s-problems"' in form
    fill_free_text(client, report)
    assert page(client.get(f"{BASE}/{report.pk}/")).count("Sign off") >= 1
    assert client.post(f"{BASE}/{report.pk}/review/").status_code == 302
    report.refresh_from_db()
    assert report.status == "reviewed" and report.reviewed_by == world.reviewer
    assert client.post(f"{BASE}/{report.pk}/publish/").status_code == 302
    report.refresh_from_db()
    assert report.status == "published" and report.versions.count() == 1
    # A second publication is a correction: refused without its reason.
    response = client.post(f"{BASE}/{report.pk}/reopen/", {"reason": ""})
    assert "This field is required" in page(response)
    assert client.post(f"{BASE}/{report.pk}/reopen/", {"reason": "数字有误"}).status_code == 302
    assert client.post(f"{BASE}/{report.pk}/review/").status_code == 302
    assert "Reason for the correction" in page(client.get(f"{BASE}/{report.pk}/"))
    response = client.post(f"{BASE}/{report.pk}/publish/", {"reason": "  "})
    assert "A correction needs its reason" in page(response)
    assert report.versions.count() == 1
    assert client.post(f"{BASE}/{report.pk}/publish/", {"reason": "更正表三数字"}).status_code == 302
    assert list(report.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    html = page(client.get(f"{BASE}/{report.pk}/"))
    assert "更正表三数字" in html and "Published" in html


def test_drift_is_shown_only_when_asked(world, as_, report):
    register(world, date(2025, 7, 1))
    client = as_("reviewer")
    html = page(client.get(f"{BASE}/{report.pk}/"))
    assert "?drift=1" in html and "The records now give" not in html
    html = page(client.get(f"{BASE}/{report.pk}/?drift=1"))
    assert "The records now give" in html and "t3/new/total" in html


# --- cells and downloads -----------------------------------------------------------------------------


def test_the_cell_page_lists_the_records_behind_a_figure(world, as_, recs, report):
    client = as_("clerk_a")
    html = page(client.get(f"{BASE}/{report.pk}/cells/t3/new/total/"))
    for app in recs["apps"]:
        assert app.case_number in html and f"/office/applications/{app.pk}/" in html
    assert "Applications received in the year." in html  # its definition
    assert f"{BASE}/{report.pk}/cells/t3/new/person/" in html  # the cells it is computed from
    html = page(client.get(f"{BASE}/{report.pk}/cells/t4/review/maintained/"))
    assert recs["dispute"].reference in html and f"/office/records/disputes/{recs['dispute'].pk}/" in html
    for bad in ("t9/new/total", "t3/nope/total", "t3/new/nope", "n/items_total/value"):
        assert client.get(f"{BASE}/{report.pk}/cells/{bad}/").status_code == 404


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx", "json"])
def test_each_download_is_a_file_of_its_format(world, as_, report, fmt):
    from gongkai.reports import exports

    response = as_("clerk_a").get(f"{BASE}/{report.pk}/download/{fmt}/")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and f".{fmt}" in response["Content-Disposition"]
    )
    assert response.content and fmt in exports.FORMATS
    assert as_("clerk_a").get(f"{BASE}/{report.pk}/download/exe/").status_code == 404


# --- access --------------------------------------------------------------------------------------------


def test_outsiders_get_nothing(world, as_, report):
    urls = [f"{BASE}/{report.pk}/", f"{BASE}/{report.pk}/narrative/", f"{BASE}/{report.pk}/cells/t3/new/total/",
            f"{BASE}/{report.pk}/download/json/"]  # fmt: skip
    for who in ("clerk_b", "window", "other_admin"):
        client = as_(who)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(f"{BASE}/{report.pk}/review/").status_code == 404
    html = page(as_("window").get(f"{BASE}/"))  # the nav links here for all staff: no unit listed
    assert "Your roles reach no unit's report" in html and world.unit_a.display_name not in html
    assert (
        as_("window").post(f"{BASE}/generate/", {"organisation": world.unit_a.pk, "year": YEAR}).status_code
        == 403
    )
    client = as_("citizen")
    for url in [f"{BASE}/", *urls]:
        assert client.get(url).status_code == 403
    client = as_("anonymous")
    for url in [f"{BASE}/", *urls]:
        response = client.get(url)
        assert response.status_code == 302 and "/office/login/" in response["Location"]
    assert (
        as_("clerk_b").post(f"{BASE}/generate/", {"organisation": world.unit_a.pk, "year": YEAR}).status_code
        == 200
    )
    assert AnnualReport.objects.count() == 1


def test_a_clerk_cannot_sign_off_or_publish_and_a_supervisor_only_reads(world, as_, report):
    client = as_("reviewer")
    fill_free_text(client, report)
    for who in ("clerk_a", "supervisor"):
        assert as_(who).post(f"{BASE}/{report.pk}/review/").status_code == 403
    report.refresh_from_db()
    assert report.status == "draft"
    assert as_("reviewer").post(f"{BASE}/{report.pk}/review/").status_code == 302
    for who in ("clerk_a", "supervisor"):
        assert as_(who).post(f"{BASE}/{report.pk}/publish/").status_code == 403
        assert as_(who).post(f"{BASE}/{report.pk}/reopen/", {"reason": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "reviewed" and not PublishedVersion.objects.exists()
    html = page(as_("supervisor").get(f"{BASE}/{report.pk}/"))
    assert f"{BASE}/{report.pk}/publish/" not in html and f"{BASE}/{report.pk}/reopen/" not in html
    assert as_("supervisor").get(f"{BASE}/{report.pk}/narrative/").status_code == 403


# --- bad input -----------------------------------------------------------------------------------------


def test_bad_posts_give_form_errors_and_change_nothing(world, as_, report):
    client = as_("clerk_a")
    sections = dict(report.sections)
    response = client.post(f"{BASE}/{report.pk}/narrative/", {"s-overview": "改了", "s-nonexistent": "x"})
    assert "This format has no such section" in page(response)
    report.refresh_from_db()
    assert report.sections == sections
    cases = [
        ({"organisation": world.unit_a.pk}, "This field is required"),
        ({"organisation": world.unit_a.pk, "year": 1900}, "Give a year from 2008"),
        ({"organisation": world.unit_a.pk, "year": 2024, "template": "1999"}, "Select a valid choice"),
        ({"organisation": world.unit_b.pk, "year": 2024}, "Select a valid choice"),
        ({"organisation": world.unit_a.pk, "year": "abc"}, "Enter a whole number"),
    ]
    for data, message in cases:
        assert message in page(client.post(f"{BASE}/generate/", data)), data
    assert AnnualReport.objects.count() == 1
    assert client.get(f"{BASE}/generate/").status_code == 405
    # A bad year in the list's selector falls back to last year.
    assert "Annual reports for" in page(client.get(f"{BASE}/?year=1900"))


@pytest.mark.parametrize("template", ["2021", "2019", "2008"])
def test_every_cell_of_every_format_has_a_page(world, as_, recs, template):
    report = actions.generate_report(
        actor=world.reviewer, organisation=world.county, year=YEAR, template=template
    )
    client = as_("reviewer")
    html = page(client.get(f"{BASE}/{report.pk}/"))
    assert report.cells and f"{BASE}/{report.pk}/cells/" in html
    for key in report.cells:
        assert client.get(f"{BASE}/{report.pk}/cells/{key}/").status_code == 200, key


def test_refreshing_a_draft_recomputes_its_figures_and_a_signed_off_one_is_refused(world, as_, report):
    register(world, date(2025, 8, 1))
    client = as_("clerk_a")
    narrative = dict(report.sections)
    assert client.post(f"{BASE}/{report.pk}/refresh/", {}).status_code == 302
    report.refresh_from_db()
    assert report.cells["t3/new/total"] == 3 and report.sections == narrative  # the office's text is kept
    assert client.post(f"{BASE}/{report.pk}/refresh/", {"redraft": "on"}).status_code == 302
    report.refresh_from_db()
    assert "本年新收政府信息公开申请3件" in report.sections["applications"] and not report.checks
    reviewer = as_("reviewer")
    fill_free_text(reviewer, report)
    assert reviewer.post(f"{BASE}/{report.pk}/review/").status_code == 302
    register(world, date(2025, 8, 2))
    assert "reopen it before computing" in page(as_("clerk_a").post(f"{BASE}/{report.pk}/refresh/", {}))
    report.refresh_from_db()
    assert report.cells["t3/new/total"] == 3 and report.status == "reviewed"


def test_a_server_without_pdf_says_so_instead_of_failing(world, as_, report, monkeypatch):
    from gongkai.applications.documents import PdfUnavailable
    from gongkai.reports import exports

    def unavailable(doc: Any, fmt: str) -> bytes:
        raise PdfUnavailable("no Chinese font")

    monkeypatch.setattr(exports, "render", unavailable)
    client = as_("clerk_a")
    response = client.get(f"{BASE}/{report.pk}/download/pdf/")
    assert response.status_code == 302 and response["Location"] == f"{BASE}/{report.pk}/"
    assert "PDF" in page(client.get(response["Location"]))
