"""Anonymous portal pages are cached whole and retired by any published change."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.disclosure import actions, viewcounts
from gongkai.disclosure.models import DailyViews

pytestmark = pytest.mark.django_db


def _publish(world, title):
    item = actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title=title, formed_on=date(2025, 9, 1)
    )
    return actions.publish_item(actor=world.reviewer, item=item)


def test_anonymous_pages_are_served_from_the_cache_until_something_is_published(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _publish(world, "第一份通知")
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss" and "第一份通知" in first.content.decode()
    again = client.get("/")
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    with django_capture_on_commit_callbacks(execute=True):
        _publish(world, "第二份通知")
    fresh = client.get("/")
    assert fresh["X-Page-Cache"] == "miss" and "第二份通知" in fresh.content.decode()


def test_a_withdrawn_item_disappears_at_once(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = _publish(world, "将被撤回")
    assert client.get(f"/items/{item.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_item(actor=world.reviewer, item=item, reason="错误")
    assert client.get(f"/items/{item.pk}/").status_code == 404


def test_signed_in_staff_and_other_languages_get_their_own_pages(world, client):
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert english.content != chinese.content
    client.force_login(world.clerk_a)
    assert "X-Page-Cache" not in client.get("/")


def test_public_pages_carry_no_csrf_token_and_the_switches_work_without_one(client):
    page = client.get("/").content.decode()
    assert "csrfmiddlewaretoken" not in page
    response = client.get("/i18n/setlang/", {"language": "en", "next": "/catalogue/"})
    assert response.status_code == 302 and response["Location"] == "/catalogue/"
    assert client.get("/").content.decode().count('lang="en"') >= 1
    off_site = client.get("/a11y/large-text", {"on": "1", "next": "https://evil.example/"})
    assert off_site["Location"] == "/"


def test_views_are_counted_on_cache_hits_too(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = _publish(world, "热门信息")
    viewcounts.reset()
    for _ in range(3):
        assert client.get(f"/items/{item.pk}/").status_code == 200
    viewcounts.flush()
    assert sum(DailyViews.objects.filter(item=item).values_list("count", flat=True)) == 3
