"""Anonymous portal pages are cached whole and retired by any published change."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.disclosure import actions, viewcounts
from gongkai.disclosure.models import DailyViews
from tests.portal.test_viewcounts import read

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
        page = read(client, item)  # the page, then its beacon
    assert page["X-Page-Cache"] == "hit"
    viewcounts.flush()
    assert sum(DailyViews.objects.filter(item=item).values_list("count", flat=True)) == 3


def test_a_reader_without_a_session_is_served_before_the_middleware_with_the_same_headers(
    world, client, django_assert_num_queries
):
    first = client.get("/catalogue/", HTTP_ACCEPT_LANGUAGE="en")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):  # no session, no user, no page: the cached response
        hit = client.get("/catalogue/", HTTP_ACCEPT_LANGUAGE="en")
    assert hit["X-Page-Cache"] == "hit" and hit.content == first.content
    replayed = {k: v for k, v in hit.items() if k != "X-Page-Cache"}
    assert replayed == {k: v for k, v in first.items() if k != "X-Page-Cache"}
    for header in ("Content-Security-Policy", "Content-Language", "Vary", "X-Frame-Options", "Content-Type"):
        assert hit[header], header

    # Language (header or cookie) and text size are part of the key; the query string too.
    assert client.get("/catalogue/", HTTP_ACCEPT_LANGUAGE="zh-CN")["Content-Language"] == "zh-hans"
    client.cookies["gk_large_text"] = "1"
    large = client.get("/catalogue/", HTTP_ACCEPT_LANGUAGE="en")
    assert large["X-Page-Cache"] == "miss" and 'class="large-text' in large.content.decode()
    assert client.get("/catalogue/?page=2", HTTP_ACCEPT_LANGUAGE="en")["X-Page-Cache"] != "hit"


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "messages"])
def test_a_reader_with_a_session_or_a_message_is_not_served_the_cached_response(world, client, cookie, rf):
    from gongkai.portal.cache import PageCacheMiddleware

    assert client.get("/news/")["X-Page-Cache"] == "miss"
    client.cookies[cookie] = "x"
    response = client.get("/news/")
    assert response.status_code == 200
    # Served by the view: from its own cache for an anonymous session (kept apart from the
    # sessionless readers' responses), fresh with a message waiting.
    assert response.get("X-Page-Cache") == (None if cookie == "messages" else "miss")
    assert client.get("/news/").get("X-Page-Cache") == (None if cookie == "messages" else "hit")
    request = rf.get("/news/")
    assert PageCacheMiddleware._key(request) is not None
    request.COOKIES[cookie] = "x"
    assert PageCacheMiddleware._key(request) is None


def test_errors_posts_and_credentials_are_never_kept(world, client, rf):
    from gongkai.portal.cache import PageCacheMiddleware

    assert client.get("/items/999999/").status_code == 404
    assert "X-Page-Cache" not in client.get("/items/999999/")
    assert PageCacheMiddleware._key(rf.get("/", HTTP_AUTHORIZATION="Bearer x")) is None
    assert PageCacheMiddleware._key(rf.post("/")) is None
    assert PageCacheMiddleware._key(rf.head("/")) is None
    request = rf.get("/?page=2")
    request.COOKIES = {"django_language": "en", "gk_large_text": "1"}
    assert PageCacheMiddleware._key(request) is not None


def test_the_cache_switched_off_keeps_nothing(client, settings):
    settings.PORTAL_CACHE_SECONDS = 0
    assert "X-Page-Cache" not in client.get("/")
    assert "X-Page-Cache" not in client.get("/")
