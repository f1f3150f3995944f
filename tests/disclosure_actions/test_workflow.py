"""The disclosure workflow actions: drafting, review, 索引号, timeliness, validity, permissions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.disclosure import actions
from gongkai.disclosure.models import DisclosureItem, ItemStatus, Validity
from gongkai.orgs.actions import update_organisation
from gongkai.workdays.models import ClockStatus

pytestmark = pytest.mark.django_db


def draft(world, actor=None, org=None, **over):
    fields = {"title": "攸县财政局关于2013年部门预算公开的通知", "summary": "公开2013年部门预算。",
              "body": "<p>根据《预算法》……</p>", "formed_on": date(2025, 9, 26), **over}  # fmt: skip
    return actions.create_item(actor=actor or world.clerk_a, organisation=org or world.unit_a, **fields)


def test_a_draft_gets_a_timeliness_clock_of_20_working_days(world):
    item = draft(world)
    assert item.status == ItemStatus.DRAFT and item.index_no is None
    assert item.due_on == date(2025, 10, 30)  # the statutory worked example
    assert item.clock.status == ClockStatus.RUNNING


def test_review_and_publication_assign_the_index_number(world):
    item = draft(world)
    actions.submit_item(actor=world.clerk_a, item=item)
    published = actions.publish_item(actor=world.reviewer, item=item, published_on=date(2025, 10, 30))
    assert published.index_no == f"{world.unit_a.code}/2025-00001"
    assert published.late is False and published.status == ItemStatus.PUBLISHED
    second = actions.publish_item(actor=world.reviewer, item=draft(world, title="第二份", formed_on=date(2025, 10, 1)),
                                  published_on=date(2025, 10, 31))  # fmt: skip
    assert second.index_no == f"{world.unit_a.code}/2025-00002"
    other_year = actions.publish_item(actor=world.reviewer, item=draft(world, title="次年", formed_on=date(2026, 1, 5)),
                                      published_on=date(2026, 1, 6))  # fmt: skip
    assert other_year.index_no == f"{world.unit_a.code}/2026-00001"


def test_publishing_after_20_working_days_is_flagged_late(world):
    item = actions.publish_item(actor=world.reviewer, item=draft(world), published_on=date(2025, 10, 31))
    assert item.late is True and item.due_on == date(2025, 10, 30)


def test_clerks_cannot_publish_unless_their_unit_self_publishes(world):
    item = draft(world)
    with pytest.raises(PermissionDenied):
        actions.publish_item(actor=world.clerk_a, item=item)
    update_organisation(actor=world.root, organisation=world.unit_a, self_publish=True)
    world.fresh(world.clerk_a)
    item.refresh_from_db()
    item.organisation.refresh_from_db()
    assert actions.publish_item(actor=world.clerk_a, item=item).status == ItemStatus.PUBLISHED


@pytest.mark.parametrize("who", ["clerk_b", "window", "citizen", "anonymous", "other_admin"])
def test_outsiders_cannot_draft_or_touch_another_units_items(world, who):
    outsider = getattr(world, who)
    with pytest.raises(PermissionDenied):
        draft(world, actor=outsider)
    item = draft(world)
    with pytest.raises(PermissionDenied):
        actions.update_item(actor=outsider, item=item, title="改")
    with pytest.raises(PermissionDenied):
        actions.submit_item(actor=outsider, item=item)
    with pytest.raises(PermissionDenied):
        actions.publish_item(actor=outsider, item=item)
    item.refresh_from_db()
    assert item.title.startswith("攸县财政局") and item.status == ItemStatus.DRAFT


def test_script_in_the_body_is_removed(world):
    item = draft(
        world, body='<p onclick="x()">正文<script>alert(1)</script><a href="javascript:alert(1)">链接</a></p>'
    )
    assert "script" not in item.body and "onclick" not in item.body and "javascript" not in item.body
    assert "正文" in item.body_text


def test_a_duplicate_document_number_is_refused_and_nothing_is_stored(world):
    draft(world, doc_number="攸财发〔2013〕12号")
    count = DisclosureItem.objects.count()
    with pytest.raises(ActionError) as info:
        draft(world, doc_number="攸财发〔2013〕12号", title="另一份")
    assert "doc_number" in info.value.message_dict
    assert DisclosureItem.objects.count() == count
    # Another organisation may use the same number.
    draft(world, actor=world.clerk_b, org=world.unit_b, doc_number="攸财发〔2013〕12号")


@pytest.mark.parametrize(
    "over,field",
    [
        ({"formed_on": timezone.localdate() + timedelta(days=3)}, "formed_on"),
        ({"written_on": date(2025, 10, 1), "formed_on": date(2025, 9, 1)}, "formed_on"),
        ({"title": ""}, "title"),
        ({"channels": ["carrier-pigeon"]}, "channels"),
    ],
)
def test_bad_input_is_refused_with_a_field_error(world, over, field):
    count = DisclosureItem.objects.count()
    with pytest.raises(ActionError) as info:
        draft(world, **over)
    assert field in info.value.message_dict
    assert DisclosureItem.objects.count() == count


def test_repealing_keeps_the_original_published_with_a_link(world):
    old = actions.publish_item(actor=world.reviewer, item=draft(world, doc_number="攸政发〔2010〕1号"))
    new = actions.publish_item(
        actor=world.reviewer, item=draft(world, title="新办法", doc_number="攸政发〔2025〕1号")
    )
    actions.change_validity(actor=world.reviewer, item=old, validity=Validity.REPEALED, on=timezone.localdate(),
                            by_item=new, reason="被新办法废止")  # fmt: skip
    old.refresh_from_db()
    assert (
        old.status == ItemStatus.PUBLISHED and old.validity == Validity.REPEALED and old.superseded_by == new
    )
    with pytest.raises(ActionError):
        actions.change_validity(
            actor=world.reviewer, item=old, validity=Validity.REPEALED, on=timezone.localdate(), by_item=old
        )


def test_withdrawal_keeps_the_index_number_and_frees_the_document_number(world):
    item = actions.publish_item(actor=world.reviewer, item=draft(world, doc_number="攸财发〔2013〕1号"))
    index_no = item.index_no
    actions.withdraw_item(actor=world.reviewer, item=item, reason="内容有误")
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN and item.index_no == index_no
    again = draft(world, doc_number="攸财发〔2013〕1号")
    assert actions.publish_item(actor=world.reviewer, item=again).index_no != index_no


def test_return_requires_a_reason_and_sends_the_item_back(world):
    item = actions.submit_item(actor=world.clerk_a, item=draft(world))
    with pytest.raises(ActionError):
        actions.return_item(actor=world.reviewer, item=item, reason=" ")
    item = actions.return_item(actor=world.reviewer, item=item, reason="请补充内容概述")
    assert item.status == ItemStatus.DRAFT and item.return_reason == "请补充内容概述"


def test_every_step_is_audited(world):
    item = draft(world)
    actions.submit_item(actor=world.clerk_a, item=item)
    actions.publish_item(actor=world.reviewer, item=item)
    verbs = list(AuditEvent.objects.filter(object_id=str(item.pk), verb__startswith="disclosure.").order_by("seq")
                 .values_list("verb", flat=True))  # fmt: skip
    assert verbs == ["disclosure.create_item", "disclosure.submit_item", "disclosure.publish_item"]


def test_bulk_reports_each_item(world):
    good = draft(world)
    published = actions.publish_item(actor=world.reviewer, item=draft(world, title="已发布"))
    results = actions.bulk(world.reviewer, [good, published], actions.publish_item)
    assert [r.ok for r in results] == [True, False]
    assert results[1].message


def test_the_history_of_a_published_item_is_for_its_units_staff_only(world, client):
    from django.contrib.contenttypes.models import ContentType

    item = actions.publish_item(actor=world.reviewer, item=draft(world))
    actions.withdraw_item(actor=world.reviewer, item=item, reason="内部原因")
    item = actions.publish_item(actor=world.reviewer, item=draft(world, title="公开件"))
    ct = ContentType.objects.get_for_model(DisclosureItem).pk
    for outsider in (world.clerk_b, world.other_admin):
        client.force_login(outsider)
        assert client.get(f"/office/history/{ct}/{item.pk}/").status_code == 404
    client.force_login(world.clerk_a)
    assert client.get(f"/office/history/{ct}/{item.pk}/").status_code == 200


def test_a_clerk_cannot_change_the_attachments_of_a_published_item(world):
    from tests.disclosure_actions.test_files import PDF

    item = actions.publish_item(actor=world.reviewer, item=draft(world))
    with pytest.raises(PermissionDenied):
        actions.add_attachment(actor=world.clerk_a, item=item, name="补充.pdf", data=PDF)
