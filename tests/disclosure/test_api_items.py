"""/api/v1/items: public reads of published items, staff writes through the actions."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.audit.models import AuditEvent
from gongkai.disclosure import actions
from gongkai.disclosure.bulk import ItemRow, import_items
from gongkai.disclosure.models import Category, DisclosureItem, Genre, ItemStatus

pytestmark = pytest.mark.django_db


def make(
    world, title="攸县财政局2013年部门预算", org=None, publish=True, published_on=date(2013, 3, 8), **fields
):
    item = actions.create_item(actor=world.root, organisation=org or world.unit_a, title=title,
                               formed_on=fields.pop("formed_on", date(2013, 3, 4)), **fields)  # fmt: skip
    if publish:
        item = actions.publish_item(actor=world.root, item=item, published_on=published_on)
    return item


def new_item(world, **over):
    return {"organisation_id": world.unit_a.pk, "title": "攸县财政局关于公开2014年预算的通知", "formed_on": "2014-01-06",
            "summary": "预算公开", "body": "<p>正文<script>x()</script></p>", "doc_number": "攸财发〔2014〕1号", **over}  # fmt: skip


# --- reading -----------------------------------------------------------------------------------


def test_anonymous_visitors_see_only_published_items(world, api):
    published = make(world)
    draft = make(world, title="草稿", publish=False)
    data = api.get("/items").json()
    assert data["count"] == 1 and [r["id"] for r in data["results"]] == [published.pk]
    one = data["results"][0]
    assert one["index_no"] == published.index_no and one["organisation"] == "攸县财政局" and "body" not in one
    detail = api.get(f"/items/{published.pk}").json()
    assert detail["body"] == published.body and detail["status"] == "published"
    response = api.get(f"/items/{draft.pk}")
    assert response.status_code == 404 and response.json() == {"message": "Not found."}


def test_drafts_are_shown_to_the_staff_of_their_unit_only(world, api, token):
    draft = make(world, title="草稿", publish=False)
    assert api.get(f"/items/{draft.pk}", token=token("clerk_a")).json()["status"] == "draft"
    assert api.get(f"/items/{draft.pk}", token=token("reviewer")).status_code == 200
    assert api.get(f"/items/{draft.pk}", token=token("clerk_b")).status_code == 404
    assert api.get(f"/items/{draft.pk}", token=token("other_admin")).status_code == 404
    assert api.get("/items", token=token("clerk_a")).json()["count"] == 0  # the list is of published items


def test_lookup_by_index_number(world, api):
    item = make(world)
    assert "/" in item.index_no
    assert api.get(f"/items/by-index/{item.index_no}").json()["id"] == item.pk
    assert api.get("/items/by-index/000000000/2013-99999").status_code == 404


def test_filters_and_pagination(world, api):
    budget, notice = Category.objects.get(code="budget"), Genre.objects.get(code="notice")
    a = make(world, category=budget, genre=notice)
    b = make(world, title="教育局动态", org=world.unit_b, kind="news", published_on=date(2013, 6, 3))
    c = make(world, title="第三条", formed_on=date(2013, 7, 1), published_on=date(2013, 7, 2))
    actions.change_validity(actor=world.root, item=c, validity="repealed", on=date(2013, 8, 1))

    def ids(**params):
        response = api.get("/items", **params)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert ids() == [c.pk, b.pk, a.pk]  # newest first
    assert ids(org=world.unit_b.pk) == [b.pk]
    assert ids(org=world.county.pk) == [c.pk, b.pk, a.pk]  # with the units below by default
    assert ids(org=world.county.pk, sub="false") == []
    assert ids(kind="news") == [b.pk]
    assert ids(validity="repealed") == [c.pk]
    assert ids(category=Category.objects.get(code="finance").pk) == [a.pk]  # a parent category
    assert ids(genre=notice.pk) == [a.pk]
    assert ids(**{"from": "2013-06-01", "to": "2013-06-30"}) == [b.pk]
    page = api.get("/items", per_page=2, page=2).json()
    assert page["count"] == 3 and [r["id"] for r in page["results"]] == [a.pk] and page["per_page"] == 2
    for bad in ({"per_page": 0}, {"per_page": 101}, {"page": 0}, {"kind": "memo"}, {"from": "2013-02-30"}):
        response = api.get("/items", **bad)
        assert response.status_code == 422 and response.json()["message"], bad


def test_search_text_goes_through_the_search_module(world, api):
    a = make(world, title="攸县财政局2013年部门预算公开")
    make(world, title="教育局招生工作安排", org=world.unit_b)
    data = api.get("/items", q="预算").json()
    assert [r["id"] for r in data["results"]] == [a.pk] and data["count"] == 1 and data["count_exact"] is True
    assert "<mark>" in data["results"][0]["title_html"] if "title_html" in data["results"][0] else True
    assert data["results"][0]["snippet"] is not None
    exact = api.get("/items", q=a.index_no).json()
    assert exact["exact"] is True and [r["id"] for r in exact["results"]] == [a.pk]


def test_a_search_beyond_the_pageable_total_says_its_count_is_a_lower_bound(world, api, monkeypatch):
    from gongkai.search import query

    monkeypatch.setattr(query, "MAX_PAGE", 1)
    for n in range(3):
        make(world, title=f"攸县财政局第{n}号预算公告")
    data = api.get("/items", q="预算", per_page=2).json()
    assert data["count_exact"] is False and data["count"] >= 2


def test_the_list_issues_a_fixed_number_of_queries(world, api):
    def count(**params):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/items", **params).status_code == 200
        return len(ctx.captured_queries)

    make(world)
    small, small_search = count(), count(q="预算")
    rows = [ItemRow(organisation=org, title=f"预算第{n}号", formed_on=date(2013, 3, 1), published_on=date(2013, 3, 5),
                    category=Category.objects.get(code="budget"), genre=Genre.objects.get(code="notice"))
            for n, org in enumerate([world.unit_a, world.unit_b, world.township] * 15)]  # fmt: skip
    import_items(actor=None, rows=rows)
    assert count() == small and count(q="预算") == small_search
    assert api.get("/items", per_page=100).json()["count"] == 46


# --- writing -----------------------------------------------------------------------------------


def test_a_clerk_creates_a_draft_with_a_write_token(world, api, token):
    response = api.post(
        "/items",
        new_item(world, category_id=Category.objects.get(code="budget").pk),
        token=token("clerk_a", "write"),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    item = DisclosureItem.objects.get(pk=data["id"])
    assert (
        item.status == ItemStatus.DRAFT
        and item.created_by == world.clerk_a
        and item.category.code == "budget"
    )
    assert (
        "<script>" not in data["body"]
        and data["due_on"] == str(item.due_on)
        and data["category"] == "财政预决算"
    )
    assert AuditEvent.objects.filter(verb="disclosure.create_item", object_id=str(item.pk)).exists()


def test_a_read_only_token_cannot_post(world, api, token):
    response = api.post("/items", new_item(world), token=token("clerk_a", "read"))
    assert response.status_code == 403 and "read-only" in response.json()["message"]
    assert api.post("/items", new_item(world)).status_code == 401
    assert not DisclosureItem.objects.exists()


def test_a_clerk_cannot_write_into_another_unit(world, api, token):
    response = api.post("/items", new_item(world), token=token("clerk_b", "write"))
    assert response.status_code == 403 and response.json()["message"]
    response = api.post("/items", new_item(world, organisation_id=999999), token=token("clerk_b", "write"))
    assert response.status_code == 400 and "organisation_id" in response.json()["message"]
    assert not DisclosureItem.objects.exists()


def test_clerk_b_cannot_patch_unit_a_items(world, api, token):
    draft = make(world, publish=False)
    published = make(world, title="已发布")
    raw = token("clerk_b", "write")
    for item in (draft, published):
        response = api.patch(f"/items/{item.pk}", {"title": "改"}, token=raw)
        assert response.status_code == 404 and response.json() == {"message": "Not found."}
        for op in ("submit", "publish"):
            assert api.post(f"/items/{item.pk}/{op}", token=raw).status_code == 404
    assert DisclosureItem.objects.get(pk=draft.pk).title == draft.title


def test_validation_errors_are_json_with_a_message(world, api, token):
    raw = token("clerk_a", "write")
    response = api.post("/items", new_item(world, formed_on="2099-01-01"), token=raw)
    assert response.status_code == 400
    body = response.json()
    assert "formed_on" in body["message"] and body["errors"]["formed_on"]
    response = api.post("/items", new_item(world, title=""), token=raw)
    assert response.status_code == 400 and "title" in response.json()["message"]
    response = api.post("/items", {"title": "no organisation"}, token=raw)
    assert response.status_code == 422 and response.json()["message"]
    draft = make(world, publish=False)
    response = api.patch(f"/items/{draft.pk}", {"title": None}, token=raw)
    assert response.status_code == 400 and "title" in response.json()["message"]
    response = api.patch(f"/items/{draft.pk}", {"genre_id": 999999}, token=raw)
    assert response.status_code == 400 and "genre_id" in response.json()["message"]


def test_the_workflow_through_the_api(world, api, token):
    clerk, reviewer = token("clerk_a", "write"), token("reviewer", "write")
    item_id = api.post("/items", new_item(world), token=clerk).json()["id"]
    response = api.patch(
        f"/items/{item_id}",
        {"summary": "新的概述", "written_on": "2014-01-02", "reason": "补充"},
        token=clerk,
    )
    assert response.status_code == 200 and response.json()["summary"] == "新的概述"
    assert api.post(f"/items/{item_id}/submit", token=clerk).json()["status"] == "submitted"
    response = api.post(f"/items/{item_id}/publish", {}, token=clerk)  # a clerk of a reviewed unit
    assert response.status_code == 403 and response.json()["message"]
    response = api.post(f"/items/{item_id}/publish", {"published_on": "2014-01-20"}, token=reviewer)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (
        data["status"] == "published"
        and data["index_no"] == f"{world.unit_a.code}/2014-00001"
        and data["late"] is False
    )
    assert api.get(f"/items/{item_id}").status_code == 200  # now public
    response = api.post(f"/items/{item_id}/publish", {}, token=reviewer)
    assert response.status_code == 400 and "published" in response.json()["message"]

    later = make(world, title="新文件", formed_on=date(2014, 3, 3), published_on=date(2014, 3, 4))
    response = api.post(f"/items/{item_id}/validity", {"validity": "amended", "on": "2014-03-04", "by_item_id": later.pk,
                                                        "reason": "已修订"}, token=reviewer)  # fmt: skip
    assert response.status_code == 200 and response.json()["superseded_by_id"] == later.pk
    assert response.json()["validity_changed_on"] == "2014-03-04"
    response = api.post(
        f"/items/{item_id}/validity", {"validity": "nonsense", "on": "2014-03-04"}, token=reviewer
    )
    assert response.status_code == 400

    response = api.post(f"/items/{item_id}/withdraw", {"reason": ""}, token=reviewer)
    assert response.status_code == 400 and "reason" in response.json()["message"]
    response = api.post(f"/items/{item_id}/withdraw", {"reason": "内容有误"}, token=reviewer)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert api.get(f"/items/{item_id}").status_code == 404
    verbs = set(AuditEvent.objects.filter(object_id=str(item_id), content_type__model="disclosureitem")
                .values_list("verb", flat=True))  # fmt: skip
    assert {"disclosure.create_item", "disclosure.update_item", "disclosure.submit_item", "disclosure.publish_item",
            "disclosure.change_validity", "disclosure.withdraw_item"} <= verbs  # fmt: skip


def test_the_endpoints_are_documented(world, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/items", "/api/v1/items/{item_id}", "/api/v1/items/by-index/{index_no}",
            "/api/v1/items/{item_id}/publish"} <= set(paths)  # fmt: skip
