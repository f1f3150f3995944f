"""The service guide (/services/): the list with its filters and search, an item's "五公开", the
public results with masked names, escaping, the sitemap, and a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongkai.portal.views_services import mask_applicant
from gongkai.services import actions
from gongkai.services.models import ApplicantKind, ItemKind
from tests.portal.test_services_support import complete, english, make_item, make_services, page, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def services(world: Any) -> Any:
    return make_services(world)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_guide_and_an_item_render_in_both_languages(world, services, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/services/")
    html = page(response)
    assert response.status_code == 200
    assert "财政票据领购" in html and "会计证明开具" in html and "攸县财政局" in html
    assert f'href="/services/items/{services.item.pk}/"' in html
    assert 'href="/services/"' in page(client.get("/"))  # the main navigation links the guide
    response = client.get(f"/services/items/{services.item.pk}/")
    assert response.status_code == 200
    html = page(response)
    assert "<script" not in html and "style=" not in html
    for text in (
        "申请人具有完全民事行为能力",
        "身份证复印件",
        "行政许可法",
        "受理",
        "县政务服务中心一楼",
        "A01",
    ):
        assert text in html, text
    assert f'href="/services/items/{services.item.pk}/book/"' in html
    assert f'href="/services/items/{services.item.pk}/apply/"' in html


def test_an_item_shows_the_five_public_parts(world, services, en):
    html = page(en.get(f"/services/items/{services.item.pk}/"))
    for heading in ("Content", "Fees", "Process", "Time limits", "Results", "Where to apply"):
        assert f">{heading}</h2>" in html, heading
    assert "Free of charge" in html and "20 working days" in html and "5 working days" in html
    assert "Online application</dt><dd>Available" in html and "票据领购证" in html
    html = page(en.get(f"/services/items/{services.counter.pk}/"))
    assert "10.00 yuan per 件" in html and "湘价费〔2010〕1号" in html
    assert "On the spot (即办)" in html
    assert f"/services/items/{services.counter.pk}/apply/" not in html  # not online
    assert "cannot be applied for online" in html
    assert en.get(f"/services/items/{services.counter.pk}/apply/").status_code == 404


def test_unpublished_items_are_not_in_the_guide(world, services, en):
    draft = make_item(world, services.window, name="未发布事项", publish=False)
    assert "未发布事项" not in page(en.get("/services/"))
    assert en.get(f"/services/items/{draft.pk}/").status_code == 404
    actions.set_item_published(actor=world.clerk_a, item=services.counter, published=False)
    assert en.get(f"/services/items/{services.counter.pk}/").status_code == 404
    # Staff who may edit the draft still do not see it on the public guide.
    en.force_login(world.clerk_a)
    assert en.get(f"/services/items/{draft.pk}/").status_code == 404
    assert "未发布事项" not in page(en.get("/services/"))


def test_the_guide_filters_by_unit_and_kind_and_searches_name_and_code(world, services, en):
    other = actions.save_item(
        actor=world.clerk_b, organisation=world.unit_b, code="JY0001", name="教师资格认定", kind=ItemKind.OTHER,
        legal_basis="《教师资格条例》", statutory_limit_days=30, promised_limit_days=20,
    )  # fmt: skip
    actions.set_item_published(actor=world.clerk_b, item=other, published=True)

    def names(query: str) -> set[str]:
        html = page(en.get(f"/services/?{query}"))
        return {n for n in ("财政票据领购", "会计证明开具", "教师资格认定") if f">{n}</a>" in html}

    assert names("") == {"财政票据领购", "会计证明开具", "教师资格认定"}
    assert names(f"unit={world.unit_b.pk}") == {"教师资格认定"}
    assert names(f"unit={world.unit_a.pk}") == {"财政票据领购", "会计证明开具"}
    assert names("kind=public_service") == {"会计证明开具"}
    assert names(f"unit={world.unit_a.pk}&kind=other") == set()
    assert names("q=票据") == {"财政票据领购"}
    assert names("q=jy0001") == {"教师资格认定"}  # the code, in any case
    assert names("q=不存在") == set()
    assert "No service item matches these filters" in page(en.get("/services/?q=不存在"))
    # Unknown filter values are ignored, not errors.
    assert names("unit=abc&kind=nonsense&page=99") == {"财政票据领购", "会计证明开具", "教师资格认定"}
    html = page(en.get("/services/"))
    assert f'<option value="{world.unit_b.pk}">攸县教育局</option>' in html
    assert "攸县网岭镇" not in html  # a unit without published items is not offered


def test_the_guide_is_paginated(world, services, en):
    for i in range(21):
        make_item(world, services.window, name=f"批量事项{i:02d}")
    html = page(en.get("/services/"))
    assert "23 service items" in html and "Page 1 of 2" in html
    html = page(en.get("/services/?page=2"))
    assert "Page 2 of 2" in html


def test_the_results_list_completed_cases_with_masked_names(world, services, en):
    complete(services, receive(services, "张三丰"))
    complete(services, receive(services, "攸县宏达建材有限公司", kind=ApplicantKind.ORGANISATION), "PJ-2")
    receive(services, "王五")  # still open: not a result
    html = page(en.get(f"/services/items/{services.item.pk}/"))
    assert "2 cases completed" in html
    assert "张**" in html and "张三丰" not in html
    assert "攸县****有限公司" in html and "宏达" not in html
    assert "王" not in html.split("Results</h2>")[1].split("</section>")[0]
    assert "13907331001" not in html and "430223199001011234" not in html


def test_masking_of_applicant_names():
    assert mask_applicant(ApplicantKind.PERSON, "张三") == "张*"
    assert mask_applicant(ApplicantKind.PERSON, "欧阳娜娜") == "欧***"
    assert mask_applicant(ApplicantKind.ORGANISATION, "某某公司") == "某某**"
    assert mask_applicant(ApplicantKind.ORGANISATION, "长沙某某科技有限公司") == "长沙****有限公司"
    assert mask_applicant(ApplicantKind.ORGANISATION, "攸县农民专业合作社") == "攸县**专业合作社"
    assert mask_applicant(ApplicantKind.PERSON, "") == ""


def test_script_in_names_is_escaped(world, services, en):
    evil = make_item(world, services.window, name="<script>alert(1)</script>事项",
                     conditions="<b>粗体</b>", materials="<img src=x onerror=alert(1)>")  # fmt: skip
    complete(services, receive(services, "<script>x</script>", item=evil), "PJ-9")
    for url in ("/services/", f"/services/items/{evil.pk}/", "/services/?q=%3Cscript%3E"):
        html = page(en.get(url))
        assert "<script" not in html and "<img" not in html and "<b>" not in html, url
    html = page(en.get(f"/services/items/{evil.pk}/"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;事项" in html and "&lt;img src=x" in html


def test_the_guide_is_in_the_sitemap(world, services, en):
    index = page(en.get("/sitemap.xml"))
    assert "sitemap-services.xml" in index
    xml = page(en.get("/sitemap-services.xml"))
    assert "/services/</loc>" in xml and f"/services/items/{services.item.pk}/</loc>" in xml


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["anonymous", "citizen"])
def test_the_guide_pages_do_not_grow_with_the_number_of_items_and_cases(world, services, settings, persona):
    settings.PORTAL_CACHE_SECONDS = 0  # count the queries of the page, not of the cache
    client = english()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    make_item(world, services.window, name="事项甲")
    complete(services, receive(services))
    urls = ["/services/", f"/services/?unit={world.unit_a.pk}&kind=licensing&q=事项",
            f"/services/items/{services.item.pk}/"]  # fmt: skip
    small = {url: _count(client, url) for url in urls}
    for i in range(25):
        make_item(world, services.window, name=f"事项{i}")
        complete(services, receive(services, f"申请人{i}"), f"PJ-{i}")
    for url in urls:
        assert _count(client, url) <= small[url], url
    if persona == "anonymous":  # the units offered, the count, the page
        assert small["/services/"] <= 3


def test_publishing_and_results_retire_the_cached_guide_pages(
    world, services, django_capture_on_commit_callbacks
):
    from gongkai.portal import cache as page_cache

    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.get(f"/services/items/{services.counter.pk}/").status_code == 200  # now cached
    before = page_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_item_published(actor=world.clerk_a, item=services.counter, published=False)
    assert page_cache.generation() != before
    assert anonymous.get(f"/services/items/{services.counter.pk}/").status_code == 404  # not the cached 200
    before = page_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        complete(services, receive(services))
    assert page_cache.generation() != before  # the item's page lists its newest results
