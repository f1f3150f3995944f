"""The search page over gongkai.search: form, highlighted results, filters, errors, pagination."""

from __future__ import annotations

import re

import pytest

from gongkai.disclosure import actions

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_empty_search_page_shows_the_form_only(world, en):
    page = html(en.get("/search/"))
    assert '<form class="search-form" role="search"' in page
    for name in ("q", "org", "category", "genre", "kind", "validity", "from", "to", "sort"):
        assert f'name="{name}"' in page, name
    assert world.unit_a.name in page and "财政预决算" in page and "行政规范性文件" in page
    assert "result" not in page


def test_results_are_highlighted_with_their_metadata(world, publish, en):
    item = publish(title="攸县财政局关于2025年部门预算公开的通知", doc_number="攸财发〔2025〕3号", category="budget",
                   summary="公开2025年部门预算和三公经费。")  # fmt: skip
    publish(title="教育局招生工作通知", org=world.unit_b)
    page = html(en.get("/search/?q=预算"))
    assert "1 result" in page
    assert "<mark>预算</mark>" in page
    assert f'href="/items/{item.pk}/"' in page
    assert item.index_no in page and "攸财发〔2025〕3号" in page and "攸县财政局" in page
    assert "教育局招生工作通知" not in page


def test_filters_narrow_the_results_and_stay_selected(world, publish, en):
    publish(title="财政局的通知")
    publish(title="教育局的通知", org=world.unit_b)
    page = html(en.get(f"/search/?q=通知&org={world.unit_b.pk}"))
    assert "1 result" in page and "教育局的" in page and "财政局的" not in page
    assert f'<option value="{world.unit_b.pk}" selected>' in page


def test_an_exact_index_number_finds_the_item(world, publish, en):
    item = publish(title="某文件")
    page = html(en.get(f"/search/?q={item.index_no}"))
    assert "exact match" in page and f'href="/items/{item.pk}/"' in page


def test_drafts_and_withdrawn_items_are_never_found(world, publish, en):
    publish.draft(title="草稿预算")
    actions.withdraw_item(actor=world.reviewer, item=publish(title="撤回的预算"), reason="错误")
    page = html(en.get("/search/?q=预算"))
    assert "0 results" in page and "草稿预算" not in page and "撤回的预算" not in page


def test_bad_input_is_reported_next_to_the_field_not_a_500(world, en):
    page = html(en.get("/search/?q=x&from=2025-13-45&org=abc"))
    assert 'role="alert"' in page
    assert (
        'id="s-from" name="from" value="2025-13-45" aria-invalid="true" aria-describedby="s-from-error"'
        in page
    )
    assert 'id="s-from-error"' in page and 'id="s-org-error"' in page
    assert "result" not in page.split("</form>")[1]  # no results under errors


def test_the_query_is_escaped(world, en):
    page = html(en.get("/search/?q=%3Cscript%3Ealert(1)%3C/script%3E"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_pagination_keeps_the_filters(world, publish, en):
    for n in range(23):
        publish(title=f"预算通知{n}")
    page = html(en.get("/search/?q=预算&kind=item&sort=date"))
    assert "23 results" in page and "Page 1 of 2" in page
    link = re.search(r'href="(\?[^"]*page=2[^"]*)"', page).group(1)
    assert "kind=item" in link and "sort=date" in link and "q=" in link
    second = html(en.get("/search/" + link.replace("&amp;", "&")))
    assert "Page 2 of 2" in second and second.count('class="hit"') == 3


def test_a_total_beyond_the_last_page_reads_more_than(world, publish, en, monkeypatch):
    from gongkai.search import query as search_query

    monkeypatch.setattr(search_query, "MAX_PAGE", 1)  # 20 a page: totals are counted up to 20
    for n in range(21):
        publish(title=f"预算通知{n}")
    publish(title="教育经费预算")
    page = html(en.get("/search/?q=预算"))
    assert "More than 20 results" in page and page.count('class="hit"') == 20
    assert "Page 1 of" not in page  # the one page that can be reached
    page = html(en.get("/search/?q=教育"))
    assert "1 result" in page and "More than" not in page


def test_a_province_of_units_is_offered_down_to_the_level_that_keeps_the_list_short(
    world, publish, en, monkeypatch
):
    from gongkai.orgs.models import Organisation
    from gongkai.portal import search as search_page

    monkeypatch.setattr(search_page, "UNIT_OPTIONS_MAX", Organisation.objects.filter(depth=0).count())
    select = lambda page: re.search(r'<select id="s-org" name="org".*?</select>', page, re.S).group(0)  # noqa: E731
    offered = select(html(en.get("/search/")))
    assert world.county.name in offered and world.other_county.name in offered
    assert world.unit_a.name not in offered and world.township.name not in offered
    # The unit searched in stays offered (and selected), with its parents.
    offered = select(html(en.get(f"/search/?q=预算&org={world.unit_a.pk}")))
    assert f'<option value="{world.unit_a.pk}" selected>' in offered and world.county.name in offered
    assert world.unit_b.name not in offered
