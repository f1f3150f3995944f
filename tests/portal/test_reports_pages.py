"""The public annual-report pages: only published versions, frozen figures, corrections, files, caching."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.core.context_processors import LARGE_TEXT_COOKIE
from gongkai.reports import actions, exports
from gongkai.reports.models import AnnualReport
from tests.reports import records

pytestmark = pytest.mark.django_db

YEAR = 2025
PENALTY = "t2/penalty/decisions"  # 行政处罚 decisions made in the year (table 二)
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
MAGIC = {"docx": b"PK", "pdf": b"%PDF", "xlsx": b"PK"}


def publish(world: Any, org: Any, year: int = YEAR, reason: str = "") -> Any:
    """Generate (or recompute) the report, sign it off and publish it, as the county's reviewer does."""
    existing = AnnualReport.objects.filter(organisation=org, year=year).first()
    if existing is not None and existing.status != "draft":
        actions.reopen_report(actor=world.reviewer, report=existing, reason=reason)
    report = actions.generate_report(actor=world.reviewer, organisation=org, year=year, redraft=True)
    report = actions.review_report(actor=world.reviewer, report=report)
    return actions.publish_report(actor=world.reviewer, report=report, reason=reason)


def page_url(org: Any, year: int = YEAR) -> str:
    return reverse("portal:annual_report", args=[org.code, year])


def figure(response: Any, key: str) -> str:
    """The text of one figure as the page prints it (the cell named by its key)."""
    found = re.findall(
        rf'<td[^>]*data-key="{re.escape(key)}"[^>]*>.*?<span class="report-value"[^>]*>([^<]*)</span>',
        response.content.decode(),
    )
    assert len(found) == 1, key
    return found[0]


@pytest.fixture
def penalties(world: Any) -> Any:
    """12 penalty decisions of the finance bureau in 2025, entered through the records action."""
    return records.decision_count(world, world.unit_a, YEAR, "penalty", 12)


@pytest.fixture
def published(world: Any, penalties: Any) -> Any:
    return publish(world, world.unit_a)


def test_list_shows_published_reports_only(en, world, published):
    publish(world, world.county)
    actions.generate_report(actor=world.reviewer, organisation=world.unit_b, year=YEAR)  # a draft
    reviewed = actions.generate_report(actor=world.reviewer, organisation=world.township, year=YEAR)
    actions.review_report(actor=world.reviewer, report=reviewed)  # signed off, not published
    response = en.get(reverse("portal:annual_reports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert page_url(world.unit_a) in html and page_url(world.county) in html
    assert world.unit_b.name not in html.split("<main", 1)[1]
    assert page_url(world.unit_b) not in html and page_url(world.township) not in html
    # The county government comes before its departments.
    assert html.index(page_url(world.county)) < html.index(page_url(world.unit_a))


def test_list_filters_by_year_and_organisation(en, world, published):
    publish(world, world.county)
    publish(world, world.unit_a, year=YEAR - 1)
    base = reverse("portal:annual_reports")
    by_org = en.get(base, {"org": world.county.code}).content.decode()
    assert page_url(world.county) in by_org and page_url(world.unit_a) not in by_org
    by_year = en.get(base, {"year": str(YEAR - 1)}).content.decode()
    assert page_url(world.unit_a, YEAR - 1) in by_year and page_url(world.unit_a) not in by_year
    assert en.get(base, {"year": "²⁰²⁵"}).status_code == 200  # digits that int() refuses
    bad = en.get(base, {"year": "1999", "org": "nonsense"})
    assert bad.status_code == 200
    assert b'role="alert"' in bad.content
    assert page_url(world.unit_a).encode() in bad.content  # the filters are left out, not failed on


def test_list_queries_do_not_grow_with_reports(settings, client, world, published):
    settings.PORTAL_CACHE_SECONDS = 0  # count the page's queries, not the cache's
    url = reverse("portal:annual_reports")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    publish(world, world.county)
    publish(world, world.unit_a, year=YEAR - 1)
    publish(world, world.unit_a, reason="更正行政处罚数")  # a correction: still one entry
    assert count() == one


def test_draft_or_reviewed_report_is_not_found(client, world, penalties):
    report = actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=YEAR)
    assert client.get(page_url(world.unit_a)).status_code == 404
    actions.review_report(actor=world.reviewer, report=report)
    assert client.get(page_url(world.unit_a)).status_code == 404
    assert client.get(reverse("portal:annual_report_download", args=[world.unit_a.code, YEAR, "json"])
                      ).status_code == 404  # fmt: skip


def test_page_shows_the_stored_figures(en, world, published):
    response = en.get(page_url(world.unit_a))
    assert response.status_code == 200
    assert figure(response, PENALTY) == "12"
    html = response.content.decode()
    assert f"{world.unit_a.name}{YEAR}年政府信息公开工作年度报告" in html
    assert "<caption" in html and 'scope="col"' in html
    for fmt in exports.FORMATS:
        assert reverse("portal:annual_report_download", args=[world.unit_a.code, YEAR, fmt]) in html


def test_page_keeps_the_published_figure_until_a_correction(settings, en, world, published):
    settings.PORTAL_CACHE_SECONDS = 0  # every request renders the page
    records.decision_count(world, world.unit_a, YEAR, "penalty", 20)  # the records change afterwards
    assert figure(en.get(page_url(world.unit_a)), PENALTY) == "12"
    # The office reopens and recomputes: its draft has the new figure, the public still the published one.
    report = AnnualReport.objects.get(organisation=world.unit_a, year=YEAR)
    actions.reopen_report(actor=world.reviewer, report=report, reason="处罚数有误")
    actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=YEAR, redraft=True)
    assert figure(en.get(page_url(world.unit_a)), PENALTY) == "12"

    report.refresh_from_db()
    actions.review_report(actor=world.reviewer, report=report)
    actions.publish_report(actor=world.reviewer, report=report, reason="补录行政处罚决定8件")
    latest = en.get(page_url(world.unit_a))
    assert figure(latest, PENALTY) == "20"
    html = latest.content.decode()
    assert "补录行政处罚决定8件" in html
    assert f'{page_url(world.unit_a)}?version=1"' in html  # the earlier version stays reachable
    first = en.get(page_url(world.unit_a) + "?version=1")
    assert first.status_code == 200
    assert figure(first, PENALTY) == "12"
    assert "This is version 1, which has been corrected." in first.content.decode()
    assert (
        f"{reverse('portal:annual_report_download', args=[world.unit_a.code, YEAR, 'json'])}?version=1"
        in (first.content.decode())
    )


def test_page_shows_nothing_of_the_office(client, world, published):
    html = client.get(page_url(world.unit_a)).content.decode()
    assert world.reviewer.username not in html
    assert "/office/reports" not in html  # no cell links to the records behind a figure
    assert "R1" not in html and "R6" not in html


@pytest.mark.parametrize("fmt", list(MIME))
def test_download_each_format(client, world, published, fmt):
    response = client.get(reverse("portal:annual_report_download", args=[world.unit_a.code, YEAR, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == MIME[fmt]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    if fmt == "json":
        assert json.loads(response.content)
    else:
        assert response.content.startswith(MAGIC[fmt])


def test_download_is_rendered_once_per_version(client, world, published, monkeypatch):
    calls = []
    render = exports.render

    def counting(doc: Any, fmt: str) -> bytes:
        calls.append((doc.version, fmt))
        return render(doc, fmt)

    monkeypatch.setattr(exports, "render", counting)
    url = reverse("portal:annual_report_download", args=[world.unit_a.code, YEAR, "json"])
    first = client.get(url)
    second = client.get(url)
    assert first.content == second.content
    assert calls == [(1, "json")]
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")  # another language is another file
    assert len(calls) == 2


def test_download_of_an_earlier_version(client, world, published):
    records.decision_count(world, world.unit_a, YEAR, "penalty", 20)
    publish(world, world.unit_a, reason="补录行政处罚决定")
    url = reverse("portal:annual_report_download", args=[world.unit_a.code, YEAR, "json"])
    old, new = client.get(url + "?version=1").content, client.get(url).content
    assert old != new


@pytest.mark.parametrize("suffix", [
    "ZZZZZZZZZ/2025/", "{code}/2024/", "{code}/2025/?version=9", "{code}/2025/?version=abc",
    "{code}/2025/?version=-1", "{code}/2025/?version=99999999999999999999", "{code}/2025/doc/",
    "{code}/2025/pdf/?version=2", "{code}/2025/json/?version=x", "{code}/99999/", "{code}/0/",
])  # fmt: skip
def test_unknown_things_are_not_found(client, world, published, suffix):
    url = reverse("portal:annual_reports") + suffix.format(code=world.unit_a.code)
    assert client.get(url).status_code == 404


def test_inactive_organisation_is_not_shown(client, world, published):
    from gongkai.orgs import actions as org_actions

    org_actions.set_organisation_active(
        actor=world.root, organisation=world.unit_a, active=False, reason="撤并"
    )
    assert client.get(page_url(world.unit_a)).status_code == 404
    assert page_url(world.unit_a) not in client.get(reverse("portal:annual_reports")).content.decode()


def test_anonymous_pages_are_cached(client, world, published):
    for url in (reverse("portal:annual_reports"), page_url(world.unit_a)):
        with CaptureQueriesContext(connection) as first:
            assert client.get(url)["X-Page-Cache"] == "miss"
        with CaptureQueriesContext(connection) as second:
            assert client.get(url)["X-Page-Cache"] == "hit"
        assert len(second.captured_queries) < len(first.captured_queries)


def test_publishing_retires_the_cached_list(client, world, published, django_capture_on_commit_callbacks):
    url = reverse("portal:annual_reports")
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, world.county)
    assert page_url(world.county) in client.get(url).content.decode()


def test_english_and_chinese(client, world, published):
    en = client.get(page_url(world.unit_a), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in en
    assert "Download:" in en
    assert f'lang="zh-Hans">{world.unit_a.name}' in en  # the organisation's name is marked as Chinese
    zh = client.get(page_url(world.unit_a), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-Hans">' in zh
    assert f"{world.unit_a.name}{YEAR}年政府信息公开工作年度报告" in zh
    listing = client.get(reverse("portal:annual_reports"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Annual reports on government information disclosure" in listing
    assert client.get(reverse("portal:annual_reports"), HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200


def test_large_text_mode(client, world, published):
    client.cookies[LARGE_TEXT_COOKIE] = "1"
    response = client.get(page_url(world.unit_a))
    assert response.status_code == 200
    assert b'<body class="large-text' in response.content


def test_unit_page_links_to_its_reports(en, world):
    html = en.get(reverse("portal:unit", args=[world.township.pk])).content.decode()
    assert f"{reverse('portal:annual_reports')}?org={world.township.code}" in html
    listing = en.get(reverse("portal:annual_reports"), {"org": world.township.code})
    assert listing.status_code == 200 and b'role="alert"' not in listing.content


def test_nav_links_to_the_reports(en, world):
    assert reverse("portal:annual_reports").encode() in en.get(reverse("portal:home")).content


def test_report_page_queries_do_not_grow_with_versions(settings, client, world, published):
    settings.PORTAL_CACHE_SECONDS = 0

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url(world.unit_a)).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in (20, 21):
        records.decision_count(world, world.unit_a, YEAR, "penalty", n)
        publish(world, world.unit_a, reason=f"行政处罚决定改为{n}件")
    assert count() == one


def test_staff_see_only_the_published_version_too(login, world, published):
    records.decision_count(world, world.unit_a, YEAR, "penalty", 20)
    report = AnnualReport.objects.get(organisation=world.unit_a, year=YEAR)
    actions.reopen_report(actor=world.reviewer, report=report, reason="处罚数有误")
    actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=YEAR, redraft=True)
    client = login(world.reviewer)
    assert figure(client.get(page_url(world.unit_a)), PENALTY) == "12"
    actions.generate_report(actor=world.reviewer, organisation=world.unit_b, year=YEAR)
    assert client.get(page_url(world.unit_b)).status_code == 404
