"""Who may open the disclosure pages, and what outsiders get."""

from __future__ import annotations

import pytest
from django.test import Client

from gongkai.disclosure import actions
from gongkai.disclosure.models import DisclosureItem, ItemStatus

PAGES = ["/office/items/", "/office/items/new/", "/office/items/review/", "/office/items/timeliness/"]


def item_pages(pk: int) -> list[str]:
    return [f"/office/items/{pk}/", f"/office/items/{pk}/edit/"]


POSTS = ["submit", "return", "publish", "withdraw", "validity", "attachments", "attachments/1/remove"]


def test_anonymous_visitors_are_sent_to_the_login_page(world, client, make_item):
    item = make_item()
    for url in [*PAGES, *item_pages(item.pk)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/office/login/?next="), url
    for verb in POSTS:
        response = client.post(f"/office/items/{item.pk}/{verb}/", {"reason": "x"})
        assert response.status_code == 302 and "/office/login/" in response["Location"], verb
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


def test_citizens_are_refused(world, as_, make_item):
    item = make_item()
    client = as_("citizen")
    for url in [*PAGES, *item_pages(item.pk)]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/office/items/{item.pk}/submit/").status_code == 403


def test_an_outsider_clerk_gets_404_for_another_units_item(world, as_, make_item):
    item = make_item()
    client = as_("clerk_b")
    for url in item_pages(item.pk):
        assert client.get(url).status_code == 404, url
    for verb in POSTS:
        response = client.post(
            f"/office/items/{item.pk}/{verb}/", {"reason": "mine now", "validity": "repealed"}
        )
        assert response.status_code == 404, verb
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.return_reason == ""


def test_an_outsider_cannot_create_in_another_unit(world, as_):
    client = as_("clerk_b")
    response = client.post("/office/items/new/", {
        "organisation": world.unit_a.pk, "kind": "item", "title": "冒名", "formed_on": "2025-01-06",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not DisclosureItem.objects.exists()
    # The form offers only the clerk's own unit.
    body = client.get("/office/items/new/").content.decode()
    assert "攸县教育局" in body and "攸县财政局" not in body


def test_a_published_item_of_another_unit_is_not_an_office_page_for_outsiders(world, as_, published):
    item = published()
    assert as_("clerk_b").get(f"/office/items/{item.pk}/").status_code == 404
    assert as_("other_admin").get(f"/office/items/{item.pk}/").status_code == 404
    assert as_("clerk_a").get(f"/office/items/{item.pk}/").status_code == 200


def test_staff_without_a_writer_role_cannot_open_the_new_item_form(world, as_):
    assert as_("supervisor").get("/office/items/new/").status_code == 403
    assert as_("window").get("/office/items/new/").status_code == 403
    assert as_("clerk_a").get("/office/items/new/").status_code == 200


def test_the_list_shows_only_the_users_units(world, as_, make_item):
    make_item("财政局的草稿")
    make_item("教育局的草稿", by=world.clerk_b, organisation=world.unit_b)
    a = as_("clerk_a").get("/office/items/").content.decode()
    assert "财政局的草稿" in a and "教育局的草稿" not in a
    r = as_("reviewer").get("/office/items/").content.decode()
    assert "财政局的草稿" in r and "教育局的草稿" in r
    assert "财政局的草稿" not in as_("other_admin").get("/office/items/").content.decode()


def test_a_clerk_of_a_reviewed_unit_may_not_publish_or_return(world, as_, make_item):
    item = make_item()
    actions.submit_item(actor=world.clerk_a, item=item)
    client = as_("clerk_a")
    assert client.post(f"/office/items/{item.pk}/publish/").status_code == 403
    assert client.post(f"/office/items/{item.pk}/return/", {"reason": "x"}).status_code == 403
    body = client.get(f"/office/items/{item.pk}/").content.decode()
    assert f"/office/items/{item.pk}/publish/" not in body
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED and item.index_no is None


def test_a_clerk_cannot_edit_a_published_item(world, as_, published):
    item = published()
    client = as_("clerk_a")
    assert client.get(f"/office/items/{item.pk}/edit/").status_code == 403
    assert client.post(f"/office/items/{item.pk}/edit/", {"title": "改", "kind": "item", "formed_on": "2025-01-06"}
                       ).status_code == 403  # fmt: skip
    assert f"/office/items/{item.pk}/edit/" not in client.get(f"/office/items/{item.pk}/").content.decode()


@pytest.mark.parametrize("verb", POSTS)
def test_state_changes_take_post_only(world, as_, make_item, verb):
    item = make_item()
    assert as_("reviewer").get(f"/office/items/{item.pk}/{verb}/").status_code == 405


def test_the_bulk_endpoint_takes_post_only(world, as_):
    assert as_("reviewer").get("/office/items/bulk/").status_code == 405


def test_missing_and_malformed_ids_are_404(world, as_):
    client = as_("reviewer")
    assert client.get("/office/items/999999/").status_code == 404
    assert client.get("/office/items/abc/").status_code == 404


def test_workflow_posts_need_the_csrf_token(world, make_item):
    item = make_item()
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.clerk_a)
    url = f"/office/items/{item.pk}/submit/"
    assert client.post(url).status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    client.get(f"/office/items/{item.pk}/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


def test_the_navigation_and_dashboard_link_to_the_items(world, as_):
    body = as_("reviewer").get("/office/").content.decode()
    assert 'href="/office/items/"' in body and 'href="/office/items/review/"' in body
    body = as_("clerk_a").get("/office/items/").content.decode()
    assert 'href="/office/items/" aria-current="page"' in body
