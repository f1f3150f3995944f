"""The review queue and the bulk actions: each item succeeds or fails on its own."""

from __future__ import annotations

from django.utils import timezone

from gongkai.disclosure import actions
from gongkai.disclosure.models import DisclosureItem, ItemStatus, Validity
from tests.office_items.conftest import workdays_ago


def submitted(world, make_item, title, **fields):
    item = make_item(title, **fields)
    return actions.submit_item(actor=world.clerk_a, item=item)


def test_the_review_queue_lists_submitted_items_in_scope_earliest_due_first(world, as_, make_item):
    newer = submitted(world, make_item, "较新的", formed_on=workdays_ago(1))
    older = submitted(world, make_item, "较早的", formed_on=workdays_ago(15))
    make_item("仍是草稿")
    other = make_item("茶陵的", by=world.other_admin, organisation=world.other_county)
    actions.submit_item(actor=world.other_admin, item=other)
    body = as_("reviewer").get("/office/items/review/").content.decode()
    assert body.index("较早的") < body.index("较新的")
    assert "仍是草稿" not in body and "茶陵的" not in body
    assert f'name="ids" value="{older.pk}"' in body and f'name="ids" value="{newer.pk}"' in body
    assert "较新的" not in as_("clerk_b").get("/office/items/review/").content.decode()
    assert "Nothing is waiting for review." in as_("clerk_a").get("/office/items/review/").content.decode()


def test_bulk_publish_reports_each_item_and_one_failure(world, as_, make_item):
    a = submitted(world, make_item, "甲", formed_on=workdays_ago(10))
    b = submitted(world, make_item, "乙", formed_on=workdays_ago(1))
    c = submitted(world, make_item, "丙", formed_on=workdays_ago(8))
    day = workdays_ago(5)  # before 乙 was formed
    response = as_("reviewer").post("/office/items/bulk/", {
        "op": "publish", "on": day.isoformat(), "ids": [a.pk, b.pk, c.pk],
    })  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 items done" in body and "1 failed" in body
    assert "An item cannot be published before it was formed." in body
    for item in (a, b, c):
        item.refresh_from_db()
    assert a.status == c.status == ItemStatus.PUBLISHED and a.published_on == day
    assert b.status == ItemStatus.SUBMITTED and b.index_no is None
    assert a.index_no in body and c.index_no in body
    assert {a.index_no, c.index_no} == {
        f"{world.unit_a.code}/{day.year}-00001",
        f"{world.unit_a.code}/{day.year}-00002",
    }


def test_unknown_foreign_and_malformed_ids_are_reported_not_500(world, as_, make_item):
    mine = submitted(world, make_item, "本单位的")
    theirs = make_item("茶陵的", by=world.other_admin, organisation=world.other_county)
    actions.submit_item(actor=world.other_admin, item=theirs)
    response = as_("reviewer").post("/office/items/bulk/", {
        "op": "publish", "ids": [str(mine.pk), str(theirs.pk), "999999", "abc", "-3", "1.5", str(mine.pk)],
    })  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 item done" in body and "5 failed" in body
    assert body.count("No such item, or not one of yours.") == 2
    assert body.count("Not a valid item id.") == 3
    theirs.refresh_from_db()
    assert theirs.status == ItemStatus.SUBMITTED
    assert "茶陵的" not in body


def test_bulk_publish_by_a_clerk_is_not_allowed_per_item(world, as_, make_item):
    item = submitted(world, make_item, "甲")
    body = as_("clerk_a").post("/office/items/bulk/", {"op": "publish", "ids": [item.pk]}).content.decode()
    assert "Not allowed." in body and "0 items done" in body
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


def test_bulk_without_a_selection_or_with_a_bad_operation(world, as_, make_item):
    client = as_("reviewer")
    response = client.post("/office/items/bulk/", {"op": "publish"}, follow=True)
    assert "Select at least one item." in response.content.decode()
    item = submitted(world, make_item, "甲")
    response = client.post("/office/items/bulk/", {"op": "delete", "ids": [item.pk]})
    assert response.status_code == 400 and "Nothing was done" in response.content.decode()
    response = client.post("/office/items/bulk/", {"op": "publish", "on": "2025-02-30", "ids": [item.pk]})
    assert response.status_code == 400 and "Enter a valid date." in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


def test_bulk_repeal_and_expire_on_the_published_list(world, as_, published, make_item):
    one, two, three = published("一号文"), published("二号文"), published("三号文")
    draft = make_item("草稿")
    client = as_("reviewer")
    page = client.get("/office/items/?status=published").content.decode()
    assert f'name="ids" value="{one.pk}"' in page and 'value="repeal"' in page and 'value="expire"' in page
    assert f'name="ids" value="{draft.pk}"' not in page
    response = client.post(
        "/office/items/bulk/", {"op": "repeal", "reason": "清理", "ids": [one.pk, two.pk, draft.pk]}
    )
    body = response.content.decode()
    assert "2 items done" in body and "Only a published item has a validity to change." in body
    assert 'href="/office/items/?status=published"' in body
    response = client.post("/office/items/bulk/", {"op": "expire", "ids": [three.pk]})
    assert "1 item done" in response.content.decode()
    today = timezone.localdate()
    validity = dict(DisclosureItem.objects.values_list("title", "validity"))
    assert validity == {"一号文": Validity.REPEALED, "二号文": Validity.REPEALED, "三号文": Validity.EXPIRED,
                        "草稿": Validity.VALID}  # fmt: skip
    assert set(
        DisclosureItem.objects.filter(validity=Validity.REPEALED).values_list(
            "validity_changed_on", flat=True
        )
    ) == {today}


def test_the_published_list_offers_no_bulk_to_a_clerk(world, as_, published):
    published("一号文")
    page = as_("clerk_a").get("/office/items/?status=published").content.decode()
    assert "一号文" in page and 'name="ids"' not in page
