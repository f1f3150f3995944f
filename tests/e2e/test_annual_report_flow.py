"""The annual report (issue 7), from the records to the visitor's download, in the browser.

A county's year of records is made through the actions (tests/reports/conftest.py). The
disclosure office's reviewer generates the county's 2025 report in the back office, sees its
figures and that every check passes, misquotes a figure in the narrative (R6 catches it and
the sign-off is refused), corrects it, writes the problems section, signs the report off and
publishes it. An anonymous visitor finds it on the portal's annual-reports page, reads the
tables and the office's text, and downloads the DOCX and the XLSX, whose figures are the
page's. A record is then edited through an action: the published page (with the page cache
emptied) and a fresh DOCX still show the frozen figure. The pages pass axe-core.
"""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import openpyxl
import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from gongkai.reports.models import AnnualReport, PublishedVersion
from tests import factories
from tests.e2e.helpers import assert_accessible, log_in
from tests.reports import records
from tests.reports.conftest import Year

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

YEAR = 2025
PENALTY = "t2/penalty/decisions"
PROBLEMS = "一是部分单位信息发布不够及时；二是依申请公开答复质量有待提高。下一步将加强培训。"


def cell(page: Page, key: str) -> Any:
    return page.locator(f"td[data-key='{key}'] .report-value").first


def docx_text(path: str) -> str:
    document = docx.Document(path)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_office_publishes_the_report_and_a_visitor_reads_and_downloads_it(
    world: Any, live_server: Any, page: Page, axe_page: Page
) -> None:
    y = Year(world).build()
    del y
    base = live_server.url
    log_in(page, base, world.reviewer.username, factories.PASSWORD)

    # Generate the county's report for 2025.
    page.goto(f"{base}/office/reports/?year={YEAR}")
    form = page.locator("form[action$='/office/reports/generate/']")
    form.locator("select[name=organisation]").select_option(str(world.county.pk))
    form.locator("input[name=year]").fill(str(YEAR))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    report = AnnualReport.objects.get(organisation=world.county, year=YEAR)
    expect(page).to_have_url(re.compile(rf"/office/reports/{report.pk}/$"))
    figures = report.figures()
    new = figures["t3/new/total"]
    penalty = figures[PENALTY]
    expect(cell(page, "t3/new/total")).to_have_text(str(new))
    expect(cell(page, PENALTY)).to_have_text(str(penalty))
    assert not page.locator("[role=alert]").count()

    # A misquoted figure in the narrative: R6 names it and the sign-off is refused.
    page.click(f"a[href$='/office/reports/{report.pk}/narrative/']")
    page.fill("textarea[name='s-applications']", f"本年新收政府信息公开申请{new + 5}件。")
    page.fill("textarea[name='s-problems']", PROBLEMS)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("[role=alert]").first).to_be_visible()
    expect(page.locator("table.checks")).to_contain_text("R6")
    with page.expect_navigation():
        page.click(f"form[action$='/office/reports/{report.pk}/review/'] button[type=submit]")
    report.refresh_from_db()
    assert report.status == "draft"

    page.goto(f"{base}/office/reports/{report.pk}/narrative/")
    page.fill("textarea[name='s-applications']", f"本年新收政府信息公开申请{new}件，均已依法答复。")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert not page.locator("table.checks").count()

    axe_page.context.add_cookies(page.context.cookies())
    axe_page.goto(f"{base}/office/reports/{report.pk}/")
    assert_accessible(axe_page)

    # Sign off and publish.
    with page.expect_navigation():
        page.click(f"form[action$='/office/reports/{report.pk}/review/'] button[type=submit]")
    with page.expect_navigation():
        page.click(f"form[action$='/office/reports/{report.pk}/publish/'] button[type=submit]")
    version = PublishedVersion.objects.get(report=report)
    assert version.number == 1 and version.sections["problems"] == PROBLEMS

    # A visitor reads it on the portal.
    visitor = page.context.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    reader = visitor.new_page()
    reader.goto(f"{base}/reports/")
    with reader.expect_navigation():
        reader.click(f"main a[href*='/reports/{world.county.code}/{YEAR}/']")
    expect(cell(reader, "t3/new/total")).to_have_text(str(new))
    expect(cell(reader, PENALTY)).to_have_text(str(penalty))
    expect(reader.locator("main")).to_contain_text(PROBLEMS)
    assert not reader.locator("main a[href*='/office/']").count()  # no links into the records

    with reader.expect_download() as word:
        reader.click("main a[href*='/docx/']")
    assert word.value.suggested_filename.endswith(".docx")
    text = docx_text(word.value.path())
    assert PROBLEMS in text and str(new) in text
    with reader.expect_download() as sheet:
        reader.click("main a[href*='/xlsx/']")
    assert sheet.value.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(open(sheet.value.path(), "rb").read()))
    numbers = {c.value for ws in workbook.worksheets for row in ws.iter_rows() for c in row}
    assert new in numbers and penalty in numbers

    axe_page.goto(f"{base}/reports/{world.county.code}/{YEAR}/")
    assert_accessible(axe_page)

    # A record changes after publication: the published figures do not.
    records.decision_count(world, world.unit_a, YEAR, "penalty", 40)
    cache.clear()
    reader.reload()
    expect(cell(reader, PENALTY)).to_have_text(str(penalty))
    with reader.expect_download() as again:
        reader.click("main a[href*='/docx/']")
    assert str(penalty) in docx_text(again.value.path())
    visitor.close()

    # The office sees how far the records have moved since.
    page.goto(f"{base}/office/reports/{report.pk}/?drift=1")
    expect(page.locator("main")).to_contain_text(str(penalty - 12 + 40))
