"""The application queues: tabs with counts, due-date warnings, filters, and a bounded number of queries."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.applications import actions, actions_replies
from tests.office import test_applications_support as support
from tests.office.test_applications_support import PERSON, workdays_ago

_media, register = support._media, support.register  # fixtures


def row_of(page: str, app) -> str:
    """The table row of one case."""
    m = re.search(
        rf"<tr>\s*<th scope=\"row\"><a href=\"/office/applications/{app.pk}/\">.*?</tr>", page, re.S
    )
    assert m, f"{app.case_number} is not listed"
    return m.group(0)


def tab_count(page: str, label: str) -> int:
    return int(re.search(rf">{re.escape(label)} <span class=\"tag[^\"]*\">(\d+)</span>", page).group(1))


@pytest.fixture
def cases(world, register):
    """One case in each state that has a queue."""
    fresh = register(info_title="新收到的申请")
    soon = register(workdays_ago(18), info_title="快到期的申请")  # 2 working days left of 20
    late = register(date(2025, 9, 26), info_title="已超期的申请")
    corr = register(info_title="待补正的申请")
    actions.request_correction(actor=world.reviewer, application=corr, items="请写明年度", period_days=10)
    review = register(info_title="待审核的申请")
    actions_replies.assign_application(
        actor=world.reviewer, application=review, unit=world.unit_a, assignee=world.clerk_a
    )
    actions_replies.draft_reply(
        actor=world.clerk_a, application=review, outcome="open", reply_type="r19_public", text="x"
    )
    closed = register(info_title="已办结的申请")
    actions_replies.reply_application(actor=world.reviewer, application=closed, outcome="open", reply_type="r19_public",
                                      text="已主动公开。")  # fmt: skip
    pending, _code = actions.submit_application(actor=None, organisation=world.unit_a, **PERSON)
    other = register(organisation=world.unit_b, info_title="教育局的申请", channel="registered_mail",
                     signed_for_on=workdays_ago(1), on=workdays_ago(3))  # fmt: skip
    return {"fresh": fresh, "soon": soon, "late": late, "corr": corr, "review": review, "closed": closed,
            "pending": pending, "other": other}  # fmt: skip


def test_the_tabs_count_each_queue_and_the_rows_carry_warnings(world, as_, cases):
    client = as_("reviewer")
    page = client.get("/office/applications/").content.decode()
    counts = {label: tab_count(page, label) for label in (
        "All", "To confirm", "Being handled", "Due within 3 working days", "Overdue", "Awaiting correction",
        "Replies to review", "Closed", "Awaiting payment", "Awaiting a third party",
    )}  # fmt: skip
    assert counts == {
        "All": 8, "To confirm": 1, "Being handled": 4, "Due within 3 working days": 1, "Overdue": 1,
        "Awaiting correction": 1, "Replies to review": 1, "Closed": 1, "Awaiting payment": 0,
        "Awaiting a third party": 0,
    }  # fmt: skip
    assert 'class="tag ok">' in row_of(page, cases["fresh"]) and "20 working days left" in row_of(
        page, cases["fresh"]
    )
    assert 'class="tag warn">2 working days left' in row_of(page, cases["soon"])
    assert 'class="tag err">' in row_of(page, cases["late"]) and "overdue" in row_of(page, cases["late"])
    assert "clock stopped" in row_of(page, cases["corr"])
    assert "replied on time" in row_of(page, cases["closed"])
    review_row = row_of(page, cases["review"])
    assert "Reply under review" in review_row and "财政局" in review_row  # the assigned unit
    assert "李明" in review_row and "待审核的申请" in review_row

    soon = client.get("/office/applications/?queue=due_soon").content.decode()
    assert "快到期的申请" in soon and "新收到的申请" not in soon and "已超期的申请" not in soon
    overdue = client.get("/office/applications/?queue=overdue").content.decode()
    assert "已超期的申请" in overdue and "快到期的申请" not in overdue
    mine = as_("clerk_a").get("/office/applications/?queue=mine").content.decode()
    assert "待审核的申请" in mine and "新收到的申请" not in mine


def test_the_filters(world, as_, cases):
    client = as_("reviewer")

    def listed(query: str) -> set[str]:
        page = client.get(f"/office/applications/?{query}").content.decode()
        return {c.info_title for c in cases.values() if f"/office/applications/{c.pk}/" in page}

    assert listed(f"organisation={world.unit_b.pk}") == {"教育局的申请"}
    assert listed(f"organisation={world.county.pk}&below=on") == listed("") and len(listed("")) == 8
    assert listed("channel=registered_mail") == {"教育局的申请"}
    assert listed("channel=online") == {PERSON["info_title"]}
    assert listed("rule_set=2008") == set()
    assert listed(f"q={cases['late'].case_number}") == {"已超期的申请"}
    assert listed("q=快到期") == {"快到期的申请"}
    assert "快到期的申请" in listed("q=李明")
    assert listed("date_to=2025-12-31") == {"已超期的申请"}
    assert listed(f"date_from={timezone.localdate().isoformat()}&queue=processing") == {"新收到的申请"}
    # A bad filter value is shown as an error and ignored, never a 500.
    response = client.get("/office/applications/?date_from=2025-02-30&organisation=abc&queue=nonsense")
    assert response.status_code == 200 and "Enter a valid date." in response.content.decode()


def test_each_user_is_offered_only_their_agencies_as_filters(world, as_, cases):
    page = as_("clerk_a").get("/office/applications/").content.decode()
    select = re.search(r'<select name="organisation".*?</select>', page, re.S).group(0)
    assert "攸县财政局" in select and "攸县教育局" not in select
    assert "教育局的申请" not in page


def test_the_filter_offers_the_agencies_of_applications_assigned_to_the_users_unit(world, as_, register):
    county_case = register(organisation=world.county, info_title="县政府的申请")
    page = as_("clerk_a").get("/office/applications/").content.decode()
    assert "县政府的申请" not in page
    select = re.search(r'<select name="organisation".*?</select>', page, re.S).group(0)
    assert "攸县人民政府" not in select  # nothing of the county's is assigned to unit_a yet
    actions_replies.assign_application(actor=world.reviewer, application=county_case, unit=world.unit_a)
    page = as_("clerk_a").get("/office/applications/").content.decode()
    select = re.search(r'<select name="organisation".*?</select>', page, re.S).group(0)
    assert "县政府的申请" in page and "攸县人民政府" in select and "攸县财政局" in select
    assert "茶陵县" not in select
    filtered = as_("clerk_a").get(f"/office/applications/?organisation={world.county.pk}").content.decode()
    assert "县政府的申请" in filtered


def test_the_list_takes_the_same_number_of_queries_for_5_or_25_rows(world, as_, register):
    def grow(n: int) -> None:
        for i in range(n):
            app = register(workdays_ago(i * 5 % 25), organisation=world.unit_a if i % 2 else world.unit_b,
                           info_title=f"申请{i}")  # fmt: skip
            actions_replies.assign_application(actor=world.reviewer, application=app, unit=world.unit_a)

    def queries(client, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    grow(5)
    client = as_("reviewer")
    urls = ["/office/applications/", "/office/applications/?queue=processing&q=申请",
            "/office/applications/?queue=due_soon", f"/office/applications/?organisation={world.unit_a.pk}"]  # fmt: skip
    small = {url: queries(client, url) for url in urls}
    grow(20)
    page = client.get("/office/applications/").content.decode()
    assert page.count('<th scope="row"><a href="/office/applications/') == 25
    for url in urls:
        assert queries(client, url) == small[url], url
    # Session, user and scope included; the tabs of everything are one capped count each (queues.py).
    assert small["/office/applications/"] <= 17


def test_the_tabs_of_everything_count_only_as_far_as_the_limit(world, as_, cases, monkeypatch):
    from gongkai.office import queues

    monkeypatch.setattr(queues, "COUNT_LIMIT", 3)
    client = as_("reviewer")
    page = client.get("/office/applications/").content.decode()
    assert re.search(r">All <span class=\"tag[^\"]*\">3\+</span>", page)  # 8 cases: more than 3
    assert tab_count(page, "Closed") == 1  # under the limit: exact
    assert tab_count(page, "Being handled") == 4  # the work in hand is always exact, limit or not
    assert "All: more than 3 applications; the first 3 are listed" in page
    assert len(re.findall(r'<th scope="row"><a href="/office/applications/\d+/">', page)) == 3
    handling = client.get("/office/applications/?queue=processing").content.decode()
    assert "Being handled: 4 applications" in handling
