"""The public pages: what they show, and that nothing unpublished leaks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongkai.disclosure import actions
from gongkai.disclosure.models import Validity
from gongkai.orgs.actions import set_organisation_active, update_organisation

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# -- visibility ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "clerk_b", "other_admin"])
def test_drafts_submitted_and_withdrawn_items_are_404_for_outsiders(world, publish, client, persona):
    draft = publish.draft(title="草稿文件")
    submitted = actions.submit_item(actor=world.clerk_a, item=publish.draft(title="待审文件"))
    withdrawn = actions.withdraw_item(
        actor=world.reviewer, item=publish(title="已撤回文件"), reason="内容有误"
    )
    user = getattr(world, persona)
    if user.is_authenticated:
        client.force_login(user)
    for item in (draft, submitted, withdrawn):
        assert client.get(f"/items/{item.pk}/").status_code == 404
    for url in ("/", "/catalogue/", f"/units/{world.unit_a.pk}/catalogue/", "/news/", "/feeds/items.rss"):
        page = html(client.get(url))
        assert "草稿文件" not in page and "待审文件" not in page and "已撤回文件" not in page, url


def test_the_portal_shows_only_published_items_even_to_the_units_own_staff(world, publish, client):
    """Drafts are previewed in the back office; the public page of an item exists once it is published."""
    draft = publish.draft(title="草稿文件")
    client.force_login(world.clerk_a)
    assert client.get(f"/items/{draft.pk}/").status_code == 404
    assert "草稿文件" not in html(client.get(f"/units/{world.unit_a.pk}/catalogue/"))


def test_a_missing_item_and_a_missing_unit_are_404(world, client):
    assert client.get("/items/999999/").status_code == 404
    assert client.get("/units/999999/catalogue/").status_code == 404
    assert client.get("/units/999999/guide/").status_code == 404


def test_a_deactivated_units_pages_are_404_but_its_published_items_stay(world, publish, client):
    item = publish(org=world.unit_b, title="停用前发布的文件")
    set_organisation_active(actor=world.root, organisation=world.unit_b, active=False, reason="机构改革")
    assert client.get(f"/units/{world.unit_b.pk}/catalogue/").status_code == 404
    assert client.get(f"/units/{world.unit_b.pk}/guide/").status_code == 404
    assert client.get(f"/items/{item.pk}/").status_code == 200


# -- item page ----------------------------------------------------------------------------------------


def test_the_item_page_shows_all_the_catalogue_metadata(world, publish, en):
    item = publish(
        title="攸县财政局关于2025年部门预算公开的通知", category="budget", genre="normative",
        doc_number="攸财发〔2025〕3号", keywords="预算 公开", summary="公开2025年部门预算。",
        written_on=timezone.localdate() - timedelta(days=5),
    )  # fmt: skip
    page = html(en.get(f"/items/{item.pk}/"))
    for label in ("Index number", "Publishing organisation", "Subject category", "Genre", "Date written",
                  "Date published", "Document number", "Keywords", "Validity", "Summary"):  # fmt: skip
        assert f'<th scope="row">{label}</th>' in page, label
    for value in (item.index_no, "攸县财政局", "财政资金", "财政预决算", "行政规范性文件", "攸财发〔2025〕3号", "预算 公开",
                  "公开2025年部门预算。", item.published_on.isoformat(), item.written_on.isoformat()):  # fmt: skip
        assert value in page, value
    assert "<p>正文" in page  # the sanitised body is rendered as HTML
    assert "validity-banner" not in page


def test_a_repealed_item_carries_a_banner_linking_to_the_repealing_item(world, publish, en):
    old = publish(title="旧办法", doc_number="攸政发〔2020〕1号")
    new = publish(title="新办法", doc_number="攸政发〔2025〕9号")
    day = timezone.localdate()
    actions.change_validity(actor=world.reviewer, item=old, validity=Validity.REPEALED, on=day, by_item=new)
    page = html(en.get(f"/items/{old.pk}/"))
    assert 'class="validity-banner repealed"' in page
    assert "This document has been repealed." in page and f"Since {day.isoformat()}." in page
    assert f'Repealed by: <a href="/items/{new.pk}/">新办法</a>' in page
    # The repealing item names what it repealed.
    assert f'<a href="/items/{old.pk}/">旧办法</a>' in html(en.get(f"/items/{new.pk}/"))


@pytest.mark.parametrize("validity", [Validity.AMENDED, Validity.EXPIRED])
def test_amended_and_expired_items_are_marked_too(world, publish, en, validity):
    item = publish()
    actions.change_validity(actor=world.reviewer, item=item, validity=validity, on=timezone.localdate())
    page = html(en.get(f"/items/{item.pk}/"))
    assert f'class="validity-banner {validity}"' in page
    assert "by:" not in page  # no amending item was named


def test_no_link_to_a_repealing_item_that_was_withdrawn_since(world, publish, en):
    old, new = publish(title="旧办法"), publish(title="新办法")
    actions.change_validity(
        actor=world.reviewer, item=old, validity=Validity.REPEALED, on=timezone.localdate(), by_item=new
    )
    actions.withdraw_item(actor=world.reviewer, item=new, reason="错误")
    page = html(en.get(f"/items/{old.pk}/"))
    assert "This document has been repealed." in page and "新办法" not in page


def test_a_news_article_has_the_simple_layout(world, publish, en):
    item = publish(kind="news", title="县政府召开常务会议")
    page = html(en.get(f"/items/{item.pk}/"))
    assert "县政府召开常务会议" in page and 'class="news-meta"' in page
    assert "Index number" not in page


def test_titles_and_metadata_are_escaped_and_the_body_is_sanitised(world, publish, en):
    evil = '<script>alert("x")</script>'
    item = publish(title=f"通知{evil}", summary=evil, keywords=evil, doc_number=f"文{evil}",
                   body=f'<p onclick="steal()">正文</p>{evil}<a href="javascript:steal()">链接</a>')  # fmt: skip
    news = publish(kind="news", title=f"动态{evil}")
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    for url in (f"/items/{item.pk}/", f"/items/{news.pk}/", "/", "/catalogue/", f"/units/{world.unit_a.pk}/catalogue/",
                "/news/", f"/units/{world.unit_a.pk}/"):  # fmt: skip
        page = html(en.get(url))
        assert "<script>" not in page, url
        assert escaped in page, url
    body = html(en.get(f"/items/{item.pk}/"))
    assert "onclick" not in body and "javascript:" not in body


# -- catalogue ----------------------------------------------------------------------------------------


@pytest.fixture
def catalogue_items(world, publish):
    publish(category="budget", genre="normative")
    publish(category="budget", genre="notice")
    publish(category="funds", genre="notice")
    publish(category="procurement", genre="notice")
    repealed = publish(category="procurement", genre="normative")
    actions.change_validity(
        actor=world.reviewer, item=repealed, validity=Validity.REPEALED, on=timezone.localdate()
    )
    publish(org=world.unit_b, category="education", genre="notice")
    publish(org=world.county, category="policy-county", genre="normative")
    publish(kind="news", category="news")  # news is not in the catalogue
    publish.draft(category="budget", genre="normative")  # nor are drafts


def facet(page: str, name: str) -> str:
    """The count shown beside a facet value."""
    import re

    m = re.search(re.escape(name) + r' <span class="count">(\d+)</span>', page)
    assert m, f"no facet {name}"
    return m.group(1)


def test_catalogue_facets_count_the_published_items(world, catalogue_items, en):
    page = html(en.get(f"/units/{world.unit_a.pk}/catalogue/"))
    assert "5 items" in page
    assert facet(page, "财政资金") == "3"  # budget 2 + funds 1, rolled up to the parent
    assert facet(page, "财政预决算") == "2"
    assert facet(page, "专项资金") == "1"
    assert facet(page, "政府采购招标") == "2"
    assert facet(page, "行政规范性文件") == "2"
    assert facet(page, "通知公告") == "3"
    assert facet(page, "In force") == "4" and facet(page, "Repealed") == "1"
    assert "教育" not in page and "工作动态" not in page


def test_catalogue_filters_and_facets_narrow_each_other(world, catalogue_items, en):
    page = html(en.get(f"/units/{world.unit_a.pk}/catalogue/?category=finance"))
    assert "3 items" in page
    assert facet(page, "通知公告") == "2" and facet(page, "行政规范性文件") == "1"
    # The category facet keeps counting every category under the genre filter alone.
    assert facet(page, "政府采购招标") == "2"
    page = html(en.get(f"/units/{world.unit_a.pk}/catalogue/?category=finance&genre=notice"))
    assert "2 items" in page
    page = html(en.get(f"/units/{world.unit_a.pk}/catalogue/?validity=repealed"))
    assert "1 item" in page and facet(page, "政府采购招标") == "1"


def test_unknown_filter_values_are_ignored_not_errors(world, catalogue_items, en):
    page = html(
        en.get(
            f"/units/{world.unit_a.pk}/catalogue/?category=nope&genre=%3Cx%3E&validity=x&sort=x&page=abc&sub=9"
        )
    )
    assert "5 items" in page


def test_a_governments_catalogue_can_include_its_units(world, catalogue_items, en):
    own = html(en.get(f"/units/{world.county.pk}/catalogue/"))
    assert "1 item" in own and "Including its units" in own
    everything = html(en.get(f"/units/{world.county.pk}/catalogue/?sub=1"))
    assert "7 items" in everything and "攸县教育局" in everything and "攸县财政局" in everything


def test_the_whole_site_catalogue_and_its_rows(world, catalogue_items, en):
    page = html(en.get("/catalogue/"))
    assert "7 items" in page
    for header in (
        "Index number",
        "Title",
        "Publishing organisation",
        "Document number",
        "Date published",
        "Validity",
    ):
        assert f'<th scope="col">{header}</th>' in page
    assert "<caption" in page and 'class="tag err">Repealed' in page


def test_the_catalogue_is_paginated_and_sorted(world, publish, en):
    today = timezone.localdate()
    for n in range(23):
        publish(
            title=f"文件{n:02d}", published_on=today - timedelta(days=n), formed_on=today - timedelta(days=40)
        )
    first = html(en.get(f"/units/{world.unit_a.pk}/catalogue/"))
    assert "Items 1–20 of 23" in first and "文件00" in first and "文件22" not in first
    assert "?page=2" in first
    second = html(en.get(f"/units/{world.unit_a.pk}/catalogue/?page=2"))
    assert "文件22" in second and "文件00" not in second
    oldest = html(en.get(f"/units/{world.unit_a.pk}/catalogue/?sort=oldest"))
    assert oldest.index("文件22") < oldest.index("文件21")
    assert "sort=oldest&amp;page=2" in oldest  # the pager keeps the sort order


# -- home, news, guide, unit ----------------------------------------------------------------------------


def test_the_home_page_lists_latest_items_news_subjects_and_units(world, catalogue_items, en):
    page = html(en.get("/"))
    assert "Latest government information" in page and "News" in page
    assert facet(page, "财政资金") == "3" and facet(page, "教育") == "1"
    assert 'action="/search/"' in page and 'name="q"' in page
    for org in (world.county, world.unit_a, world.unit_b, world.township, world.other_county):
        assert org.name in page
    assert "Government departments" in page and "Townships and streets" in page


def test_the_news_list_shows_news_only(world, publish, en):
    publish(kind="news", title="县长调研春耕")
    publish(org=world.unit_b, kind="news", title="教育局开学检查")
    publish(title="一份政府文件")
    page = html(en.get("/news/"))
    assert "县长调研春耕" in page and "教育局开学检查" in page and "一份政府文件" not in page
    unit_page = html(en.get(f"/units/{world.unit_b.pk}/news/"))
    assert "教育局开学检查" in unit_page and "县长调研春耕" not in unit_page


def test_the_guide_is_built_from_the_organisations_records(world, catalogue_items, en):
    update_organisation(
        actor=world.root, organisation=world.unit_a, office_name="攸县财政局办公室", address="攸县联星街道城关路1号",
        postcode="412300", office_hours="工作日 8:00-12:00，14:30-17:30", phone="0731-24222222",
        fax="0731-24222223", email="czj@youxian.gov.cn", website="https://czj.youxian.gov.cn/",
    )  # fmt: skip
    page = html(en.get(f"/units/{world.unit_a.pk}/guide/"))
    for text in ("攸县财政局办公室", "攸县联星街道城关路1号", "412300", "工作日 8:00-12:00，14:30-17:30", "0731-24222222",
                 "0731-24222223", "mailto:czj@youxian.gov.cn", "https://czj.youxian.gov.cn/"):  # fmt: skip
        assert text in page, text
    # The classification lists the categories and genres actually used, with counts.
    assert "5 items of government information are currently published" in page
    assert "财政预决算" in page and "政府采购招标" in page and "教育" not in page
    assert f"{world.unit_a.code}/YYYY-NNNNN" in page
    assert f"/units/{world.unit_a.pk}/catalogue/" in page
    assert "攸县人民政府" in page  # complaints go to the government above
    assert "20 working days" in page and "Article 51" in page


def test_the_guide_of_a_unit_with_nothing_published_says_so(world, en):
    page = html(en.get(f"/units/{world.township.pk}/guide/"))
    assert "No government information has been published on this platform yet." in page


def test_pages_are_chinese_by_default(world, publish, client):
    item = publish()
    assert '<html lang="zh-Hans">' in html(client.get(f"/items/{item.pk}/"))


def test_the_unit_page_links_its_catalogue_guide_and_feed(world, publish, en):
    publish(title="财政局的文件")
    page = html(en.get(f"/units/{world.unit_a.pk}/"))
    for url in ("catalogue/", "guide/", "news/", "feeds/items.atom"):
        assert f'href="/units/{world.unit_a.pk}/{url}"' in page
    assert "财政局的文件" in page


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert (
        response.status_code == 200 and "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    )
    assert "Disallow: /office/" in response.content.decode()


def test_post_is_refused(world, publish, client):
    item = publish()
    assert client.post(f"/items/{item.pk}/").status_code == 405


def test_absurd_ids_and_pages_are_404_or_ignored_never_500(world, client):
    huge = "9" * 22
    for url in (
        f"/items/{huge}/",
        f"/units/{huge}/catalogue/",
        f"/attachments/{huge}/download/",
        f"/units/{huge}/feeds/items.atom",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/catalogue/?page={huge}").status_code == 200
    assert client.get("/news/?page=-1").status_code == 200


def test_facet_counts_from_one_query_agree_with_a_query_per_facet(world, catalogue_items, publish):
    from gongkai.disclosure.models import Category, Genre
    from gongkai.portal.queries import CategoryTree, FacetCounts, counts_by, published

    publish(category=None, genre=None)
    base = published(world.anonymous, "item")
    tree = CategoryTree()
    for category in [None, *Category.objects.filter(code__in=["finance", "budget", "education"])]:
        under = tree.ids_under(category) if category else None
        for genre in [None, *Genre.objects.filter(code__in=["notice", "normative"])]:
            for validity in ("", Validity.VALID, Validity.REPEALED):
                by_category = base.filter(category_id__in=under) if category else base
                by_genre = base.filter(genre=genre) if genre else base
                by_validity = base.filter(validity=validity) if validity else base
                counts = FacetCounts.of(
                    base, set(under) if under else None, genre.pk if genre else None, validity
                )
                assert counts.category == counts_by(by_genre & by_validity, "category_id")
                assert counts.genre == counts_by(by_category & by_validity, "genre_id")
                assert counts.validity == counts_by(by_category & by_genre, "validity")
                assert counts.total == (by_category & by_genre & by_validity).count()
