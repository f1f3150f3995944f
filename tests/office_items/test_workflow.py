"""Draft → submitted → published, return, withdraw, validity, through the pages."""

from __future__ import annotations

import re

from django.utils import timezone

from gongkai.audit.models import AuditEvent
from gongkai.disclosure import actions
from gongkai.disclosure.models import DisclosureItem, ItemStatus, Validity
from gongkai.orgs.actions import update_organisation
from tests.office_items.conftest import workdays_ago


def new_item(client, world, **extra):
    data = {
        "organisation": world.unit_a.pk, "kind": "item", "title": "关于调整城乡低保标准的通知",
        "summary": "低保标准调整", "body": "<p>自2026年起……</p>", "doc_number": "攸财发〔2026〕7号",
        "written_on": workdays_ago(4).isoformat(), "formed_on": workdays_ago(3).isoformat(),
        "keywords": "低保 标准", "channels": ["website", "reading_room"], **extra,
    }  # fmt: skip
    response = client.post("/office/items/new/", data)
    assert response.status_code == 302, response.content.decode()
    return DisclosureItem.objects.get(title=data["title"])


def test_clerk_drafts_and_submits_then_the_reviewer_publishes(world, as_):
    clerk = as_("clerk_a")
    item = new_item(clerk, world)
    assert item.status == ItemStatus.DRAFT and item.created_by == world.clerk_a
    assert item.channels == ["website", "reading_room"] and item.due_on is not None
    page = clerk.get(f"/office/items/{item.pk}/").content.decode()
    assert "攸财发〔2026〕7号" in page and "assigned when first published" in page
    assert "working days left" in page and "How the due date was computed" in page

    response = clerk.post(f"/office/items/{item.pk}/submit/", follow=True)
    assert "Submitted for review." in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED

    reviewer = as_("reviewer")
    assert "关于调整城乡低保标准的通知" in reviewer.get("/office/items/review/").content.decode()
    response = reviewer.post(f"/office/items/{item.pk}/publish/", {"published_on": ""}, follow=True)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert item.published_on == timezone.localdate() and item.published_by == world.reviewer
    year = timezone.localdate().year
    assert item.index_no == f"{world.unit_a.code}/{year}-00001"
    assert re.fullmatch(r"[0-9A-Z]+/\d{4}-\d{5}", item.index_no)
    body = response.content.decode()
    assert f"Published with the index number {item.index_no}." in body
    assert item.late is False and "Published on time" in body
    assert "关于调整城乡低保标准的通知" not in reviewer.get("/office/items/review/").content.decode()

    # The next one of the same unit gets the next serial.
    second = new_item(as_("clerk_a"), world, title="第二份文件", doc_number="")
    as_("reviewer").post(f"/office/items/{second.pk}/publish/", {})
    second.refresh_from_db()
    assert second.index_no == f"{world.unit_a.code}/{year}-00002"


def test_publishing_with_a_past_date_and_refusing_a_future_one(world, as_, make_item):
    item = make_item(formed_on=workdays_ago(10))
    client = as_("reviewer")
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = client.post(f"/office/items/{item.pk}/publish/", {"published_on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "The publication date cannot be in the future." in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.index_no is None
    day = workdays_ago(2)
    client.post(f"/office/items/{item.pk}/publish/", {"published_on": day.isoformat()})
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_on == day


def test_a_self_publishing_units_clerk_publishes_directly(world, as_, make_item):
    update_organisation(actor=world.root, organisation=world.unit_a, self_publish=True)
    item = make_item()
    client = as_("clerk_a")
    page = client.get(f"/office/items/{item.pk}/").content.decode()
    assert f"/office/items/{item.pk}/publish/" in page
    client.post(f"/office/items/{item.pk}/publish/", {})
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_by == world.clerk_a
    assert item.index_no.startswith(f"{world.unit_a.code}/")
    # … and may withdraw it, but not return anything (that is the disclosure office's).
    assert f"/office/items/{item.pk}/withdraw/" in client.get(f"/office/items/{item.pk}/").content.decode()


def test_the_reviewer_returns_an_item_with_a_reason(world, as_, make_item):
    item = make_item()
    actions.submit_item(actor=world.clerk_a, item=item)
    client = as_("reviewer")
    response = client.post(f"/office/items/{item.pk}/return/", {"reason": "  "})
    assert response.status_code == 200
    assert (
        'id="return_reason"' in response.content.decode()
        and "This field is required." in response.content.decode()
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED
    client.post(f"/office/items/{item.pk}/return/", {"reason": "请补充文号"})
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.return_reason == "请补充文号"
    page = as_("clerk_a").get(f"/office/items/{item.pk}/").content.decode()
    assert "Returned by the disclosure office:" in page and "请补充文号" in page
    assert AuditEvent.objects.filter(verb="disclosure.return_item", reason="请补充文号").exists()


def test_returning_a_draft_is_an_error_on_the_form(world, as_, make_item):
    item = make_item()
    response = as_("reviewer").post(f"/office/items/{item.pk}/return/", {"reason": "不行"})
    assert response.status_code == 200
    assert "Only a submitted item can be returned." in response.content.decode()


def test_submitting_twice_reports_the_error(world, as_, make_item):
    item = make_item()
    client = as_("clerk_a")
    client.post(f"/office/items/{item.pk}/submit/")
    response = client.post(f"/office/items/{item.pk}/submit/", follow=True)
    assert "Only a draft can be submitted." in response.content.decode()


def test_withdrawing_needs_a_reason_and_keeps_the_index_number(world, as_, published):
    item = published()
    client = as_("reviewer")
    response = client.post(f"/office/items/{item.pk}/withdraw/", {"reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    response = client.post(f"/office/items/{item.pk}/withdraw/", {"reason": "内容有误"}, follow=True)
    assert "Withdrawn from the portal." in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN and item.index_no
    page = client.get(f"/office/items/{item.pk}/").content.decode()
    assert item.index_no in page and f"/office/items/{item.pk}/edit/" not in page
    assert AuditEvent.objects.filter(verb="disclosure.withdraw_item", reason="内容有误").exists()


def test_repealing_an_item_with_the_repealing_item_by_index_number(world, as_, published):
    old = published("旧办法", doc_number="攸财发〔2020〕1号")
    new = published("新办法", doc_number="攸财发〔2026〕1号")
    client = as_("reviewer")
    today = timezone.localdate()
    response = client.post(f"/office/items/{old.pk}/validity/", {
        "validity": "repealed", "on": today.isoformat(), "by_item": new.index_no, "reason": "被新办法废止",
    }, follow=True)  # fmt: skip
    assert "Validity changed to “Repealed”." in response.content.decode()
    old.refresh_from_db()
    assert old.validity == Validity.REPEALED and old.validity_changed_on == today and old.superseded_by == new
    assert f'href="/office/items/{new.pk}/"' in client.get(f"/office/items/{old.pk}/").content.decode()
    assert "Amends or repeals" in client.get(f"/office/items/{new.pk}/").content.decode()


def test_amending_by_id_and_the_errors_of_the_validity_form(world, as_, published, make_item):
    old = published("旧办法")
    draft = make_item("尚未公开")
    client = as_("reviewer")
    url = f"/office/items/{old.pk}/validity/"
    today = timezone.localdate().isoformat()
    body = client.post(url, {"validity": "amended", "on": today, "by_item": "no-such"}).content.decode()
    assert "No item you can see has this index number or id." in body
    body = client.post(url, {"validity": "amended", "on": today, "by_item": str(old.pk)}).content.decode()
    assert "An item cannot amend or repeal itself." in body
    body = client.post(url, {"validity": "amended", "on": today, "by_item": str(draft.pk)}).content.decode()
    assert "The amending or repealing item must be published." in body
    body = client.post(url, {"validity": "amended", "on": "2025-02-30"}).content.decode()
    assert "Enter a valid date." in body and 'value="2025-02-30"' in body
    body = client.post(url, {"validity": "amended", "on": "2000-01-03"}).content.decode()
    assert "The date must lie between publication and today." in body
    old.refresh_from_db()
    assert old.validity == Validity.VALID
    newer = published("修正案")
    client.post(url, {"validity": "amended", "on": today, "by_item": str(newer.pk)})
    old.refresh_from_db()
    assert old.validity == Validity.AMENDED and old.superseded_by == newer
    client.post(url, {"validity": "valid", "on": today})
    old.refresh_from_db()
    assert old.validity == Validity.VALID and old.superseded_by is None


def test_only_the_buttons_the_user_may_use_are_shown(world, as_, make_item):
    item = make_item()
    clerk_page = as_("clerk_a").get(f"/office/items/{item.pk}/").content.decode()
    assert f"/office/items/{item.pk}/submit/" in clerk_page
    for verb in ("publish", "return", "withdraw", "validity"):
        assert f"/office/items/{item.pk}/{verb}/" not in clerk_page
    supervisor_page = as_("supervisor").get(f"/office/items/{item.pk}/").content.decode()
    for verb in ("submit", "publish", "edit", "attachments"):
        assert f"/office/items/{item.pk}/{verb}/" not in supervisor_page
