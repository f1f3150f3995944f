"""The item list's filters and tabs, the timeliness list, and bounded query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.disclosure import actions
from gongkai.disclosure.models import Category, Genre
from gongkai.office import views_items
from tests.office_items.conftest import workdays_ago


def titles(body: str) -> set[str]:
    return set(re.findall(r'<th scope="row"><a href="/office/items/\d+/">([^<]+)</a>', body))


def tab_counts(body: str) -> dict[str, int]:
    nav = body[body.index('<nav aria-label="Status"') :]
    nav = nav[: nav.index("</nav>")]
    return {
        label.strip(): int(n) for label, n in re.findall(r'>([^<>]+) <span class="tag">(\d+)</span></a>', nav)
    }


@pytest.fixture
def catalogue(world, make_item, published):
    """A mix of items in unit_a, unit_b and the township."""
    budget, funds = Category.objects.get(code="budget"), Category.objects.get(code="funds")
    notice = Genre.objects.get(code="notice")
    items = {
        "预算草稿": make_item("预算草稿", category=budget, doc_number="攸财〔2026〕1号"),
        "专项资金": published("专项资金", category=funds, genre=notice, doc_number="攸财〔2026〕2号"),
        "工作动态": published("工作动态", kind="news"),
        "教育局通知": make_item("教育局通知", by=world.clerk_b, organisation=world.unit_b, genre=notice),
        "镇里的公告": make_item(
            "镇里的公告", by=world.reviewer, organisation=world.township, formed_on=workdays_ago(25)
        ),  # fmt: skip
    }
    actions.submit_item(actor=world.clerk_a, item=items["预算草稿"])
    actions.change_validity(
        actor=world.reviewer, item=items["工作动态"], validity="expired", on=timezone.localdate()
    )
    return items


def test_status_tabs_count_in_one_go_and_follow_the_other_filters(world, as_, catalogue):
    client = as_("reviewer")
    body = client.get("/office/items/").content.decode()
    assert tab_counts(body) == {
        "All": 5,
        "Draft": 2,
        "Submitted for review": 1,
        "Published": 2,
        "Withdrawn": 0,
    }
    assert titles(body) == set(catalogue)
    body = client.get("/office/items/?status=published").content.decode()
    assert titles(body) == {"专项资金", "工作动态"}
    assert 'href="/office/items/?status=published" aria-current="page"' in body
    body = client.get(f"/office/items/?organisation={world.unit_a.pk}&status=draft").content.decode()
    assert tab_counts(body)["All"] == 3 and titles(body) == set()
    assert f"organisation={world.unit_a.pk}&amp;status=published" in body  # the tabs keep the filters


def test_the_tabs_of_everything_count_as_far_as_the_limit_and_the_work_in_hand_exactly(
    world, as_, catalogue, monkeypatch
):
    from gongkai.office import queues

    monkeypatch.setattr(queues, "COUNT_LIMIT", 1)
    body = as_("reviewer").get("/office/items/").content.decode()
    assert '>All <span class="tag">1+</span>' in body and '>Published <span class="tag">1+</span>' in body
    assert tab_counts(body) == {"Draft": 2, "Submitted for review": 1, "Withdrawn": 0}
    assert "More than 1 items; the first 1 are listed" in body and len(titles(body)) == 1


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=攸财〔2026〕2号", {"专项资金"}),
        ("q=预算", {"预算草稿"}),
        ("kind=news", {"工作动态"}),
        ("validity=expired", {"工作动态"}),
        ("timeliness=overdue", {"镇里的公告"}),
        ("timeliness=late", set()),
    ],
)
def test_filters(world, as_, catalogue, query, expected):
    assert titles(as_("reviewer").get(f"/office/items/?{query}").content.decode()) == expected


def test_filter_by_index_number_category_genre_and_organisation(world, as_, catalogue):
    client = as_("reviewer")
    index_no = catalogue["专项资金"].index_no
    assert titles(client.get(f"/office/items/?q={index_no}").content.decode()) == {"专项资金"}
    finance = Category.objects.get(code="finance")  # the parent of 预算 and 专项资金
    assert titles(client.get(f"/office/items/?category={finance.pk}").content.decode()) == {
        "预算草稿",
        "专项资金",
    }
    notice = Genre.objects.get(code="notice")
    assert titles(client.get(f"/office/items/?genre={notice.pk}").content.decode()) == {
        "专项资金",
        "教育局通知",
    }
    assert titles(client.get(f"/office/items/?organisation={world.unit_b.pk}").content.decode()) == {
        "教育局通知"
    }
    assert titles(client.get(f"/office/items/?organisation={world.county.pk}").content.decode()) == set()
    assert (
        len(titles(client.get(f"/office/items/?organisation={world.county.pk}&below=on").content.decode()))
        == 5
    )


def test_date_range_filters(world, as_, catalogue):
    client = as_("reviewer")
    today = timezone.localdate().isoformat()
    body = client.get(
        f"/office/items/?date_field=published_on&date_from={today}&date_to={today}"
    ).content.decode()
    assert titles(body) == {"专项资金", "工作动态"}
    old = workdays_ago(20).isoformat()
    body = client.get(f"/office/items/?date_field=formed_on&date_to={old}").content.decode()
    assert titles(body) == {"镇里的公告"}


def test_bad_filter_values_are_shown_and_ignored(world, as_, catalogue):
    response = as_("clerk_a").get(
        f"/office/items/?organisation={world.unit_b.pk}&date_from=2025-02-30&status=nope"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice" in body and "Enter a valid date." in body
    assert titles(body) == {"预算草稿", "专项资金", "工作动态"}  # clerk_a's unit only


def test_pagination_keeps_the_filters(world, as_, make_item, monkeypatch):
    monkeypatch.setattr(views_items, "PAGE_SIZE", 2)
    for i in range(5):
        make_item(f"文件{i}")
    client = as_("clerk_a")
    body = client.get("/office/items/?kind=item").content.decode()
    assert len(titles(body)) == 2 and "Page 1 of 3" in body
    assert 'href="?kind=item&amp;page=2"' in body
    last = client.get("/office/items/?kind=item&page=3").content.decode()
    assert len(titles(last)) == 1


def test_the_timeliness_list(world, as_, make_item, published):
    make_item("还早", formed_on=workdays_ago(3))
    make_item("快到期", formed_on=workdays_ago(17))
    make_item("已超期", formed_on=workdays_ago(25))
    make_item("别人的超期", by=world.clerk_b, organisation=world.unit_b, formed_on=workdays_ago(25))
    late = published("迟发布", formed_on=workdays_ago(30))
    published("按时发布", formed_on=workdays_ago(2))
    assert late.late is True
    body = as_("clerk_a").get("/office/items/timeliness/").content.decode()
    overdue = body[body.index('id="overdue"') : body.index('id="approaching"')]
    approaching = body[body.index('id="approaching"') : body.index('id="late"')]
    late_part = body[body.index('id="late"') :]
    assert titles(overdue) == {"已超期"} and "5 working days overdue" in overdue
    assert titles(approaching) == {"快到期"} and "3 working days left" in approaching
    assert titles(late_part) == {"迟发布"}
    assert late.index_no in late_part and late.due_on.isoformat() in late_part
    assert "别人的超期" in as_("reviewer").get("/office/items/timeliness/").content.decode()
    # A period that ends before today leaves out today's late publication.
    yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    body = as_("clerk_a").get(f"/office/items/timeliness/?date_to={yesterday}").content.decode()
    assert "迟发布" not in body
    # The list's timeliness filter agrees.
    assert titles(as_("clerk_a").get("/office/items/?timeliness=approaching").content.decode()) == {"快到期"}
    assert titles(as_("clerk_a").get("/office/items/?timeliness=late").content.decode()) == {"迟发布"}


def test_the_item_page_explains_the_due_date(world, as_, make_item):
    item = make_item(formed_on=workdays_ago(25))
    body = as_("clerk_a").get(f"/office/items/{item.pk}/").content.decode()
    assert item.due_on.isoformat() in body and "5 working days overdue" in body
    assert "20th working day" in body
    zh = as_("clerk_a")
    zh.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    assert "第20个工作日" in zh.get(f"/office/items/{item.pk}/").content.decode()


# --- query counts -----------------------------------------------------------------------------


def grow(world, make_item, n: int) -> None:
    """n more items of every shape: drafts, submitted, published with categories, late ones."""
    budget = Category.objects.get(code="budget")
    notice = Genre.objects.get(code="notice")
    for i in range(n):
        item = make_item(f"批量{i}", category=budget if i % 2 else None, genre=notice if i % 3 else None,
                         formed_on=workdays_ago(15 + i % 12))  # fmt: skip
        if i % 3 == 1:
            actions.submit_item(actor=world.clerk_a, item=item)
        elif i % 3 == 2:
            actions.publish_item(actor=world.reviewer, item=item)
        other = make_item(
            f"教育{i}", by=world.clerk_b, organisation=world.unit_b, formed_on=workdays_ago(i % 25)
        )
        actions.submit_item(actor=world.clerk_b, item=other)


def count(client, url: str) -> tuple[int, int]:
    """(queries, rows) of one page."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    rows = len(titles(response.content.decode()))
    assert rows, f"{url} shows no rows: the count would prove nothing"
    return len(ctx.captured_queries), rows


URLS = [
    "/office/items/",
    "/office/items/?status=published",
    "/office/items/?status=submitted&category={budget}&timeliness=approaching&q=批量",
    "/office/items/review/",
    "/office/items/timeliness/",
]


@pytest.mark.parametrize("persona", ["reviewer", "clerk_a", "root"])
def test_list_pages_do_not_grow_with_the_number_of_rows(
    world, as_, make_item, persona, django_assert_max_num_queries
):
    grow(world, make_item, 3)
    client = as_(persona)
    budget = Category.objects.get(code="budget").pk
    urls = [u.format(budget=budget) for u in URLS]
    if persona == "clerk_a":  # a clerk of a reviewed unit has nothing to review
        urls.remove("/office/items/review/")
    small = {url: count(client, url) for url in urls}
    grow(world, make_item, 30)
    for url in urls:
        queries, rows = small[url]
        with django_assert_max_num_queries(queries, info=url):
            body = client.get(url).content.decode()
        assert len(titles(body)) > rows, url


def test_the_list_pages_stay_under_a_fixed_budget(world, as_, make_item, django_assert_max_num_queries):
    grow(world, make_item, 10)
    client = as_("reviewer")
    for url in ("/office/items/", "/office/items/review/", "/office/items/timeliness/"):
        with django_assert_max_num_queries(18, info=url):
            assert client.get(url).status_code == 200
