"""The bulk path: import_items keeps every rule of create_item + publish_item, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.audit.log import verify
from gongkai.audit.models import AuditEvent
from gongkai.disclosure import actions
from gongkai.disclosure.bulk import ImportRejected, ItemRow, import_items, validate_rows
from gongkai.disclosure.models import Category, DisclosureItem, Genre, IndexSerial, ItemStatus, Validity
from gongkai.orgs.actions import set_organisation_active, update_organisation
from gongkai.search.models import SearchDocument
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.engine import compute_due
from gongkai.workdays.models import Clock, ClockStatus

pytestmark = pytest.mark.django_db


def rows_for(org, n, start=1, **over):
    cat = Category.objects.get(code="budget")
    genre = Genre.objects.get(code="notice")
    out = []
    for i in range(start, start + n):
        formed = date(2013, 1, 4) + timedelta(days=i % 300)
        fields = dict(
            row=i + 1, organisation=org, title=f"攸县财政局2013年第{i}号公告", formed_on=formed,
            written_on=formed - timedelta(days=2), published_on=formed + timedelta(days=(i % 40)),
            doc_number=f"攸财发〔2013〕{i}号", summary=f"第{i}号", body=f"<p>第{i}号公告正文<script>x()</script></p>",
            category=cat, genre=genre, keywords="财政",
        )  # fmt: skip
        fields.update(over)
        out.append(ItemRow(**fields))
    return out


def state():
    return (DisclosureItem.objects.count(), Clock.objects.count(), AuditEvent.objects.count(),
            list(IndexSerial.objects.values_list("organisation_id", "year", "last")), SearchDocument.objects.count())  # fmt: skip


def publish_one(world, title, formed, published):
    item = actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title=title, formed_on=formed)
    return actions.publish_item(actor=world.reviewer, item=item, published_on=published)


def test_500_rows_are_published_with_consecutive_index_numbers_clocks_audit_and_search(world):
    before = publish_one(world, "单独发布一", date(2013, 1, 4), date(2013, 1, 7))
    events_before = AuditEvent.objects.count()
    result = import_items(actor=world.reviewer, rows=rows_for(world.unit_a, 500))
    after = publish_one(world, "单独发布二", date(2013, 12, 2), date(2013, 12, 3))

    assert result.created == 500 == result.published and result.drafts == 0 and result.organisations == 1
    items = list(DisclosureItem.objects.filter(pk__in=[r.item_id for r in result.rows]).order_by("index_no"))
    assert len(items) == 500
    code = world.unit_a.code
    assert before.index_no == f"{code}/2013-00001"
    assert [i.index_no for i in items] == [f"{code}/2013-{n:05d}" for n in range(2, 502)]
    assert after.index_no == f"{code}/2013-00502"
    # serials follow the publication dates
    assert [i.published_on for i in items] == sorted(i.published_on for i in items)

    cal = get_calendar()
    ct = ContentType.objects.get_for_model(DisclosureItem)
    clocks = Clock.objects.in_bulk([i.clock_id for i in items])
    for item in items:
        assert item.status == ItemStatus.PUBLISHED and item.published_by == world.reviewer
        assert item.created_by == world.reviewer
        assert "<script>" not in item.body and "x()" not in item.body_text and item.body_text.startswith("第")
        clock = clocks[item.clock_id]
        due = compute_due(cal, item.formed_on, 20).due
        assert clock.content_type_id == ct.pk and clock.object_id == str(item.pk)
        assert (
            clock.start_date == item.formed_on
            and clock.limit_days == 20
            and clock.due_date == due == item.due_on
        )
        assert clock.status == ClockStatus.CLOSED and clock.closed_on == item.published_on
        assert clock.on_time is (item.published_on <= due) and item.late is (item.published_on > due)
    assert 0 < result.late < 500

    events = AuditEvent.objects.filter(verb="disclosure.import_item")
    assert events.count() == 500
    assert AuditEvent.objects.count() - events_before >= 500
    sample = events.get(object_id=str(items[0].pk))
    assert sample.actor == world.reviewer and sample.after["index_no"] == items[0].index_no
    assert sample.organisation_id == world.unit_a.pk
    assert verify() == []
    assert SearchDocument.objects.filter(item_id__in=[i.pk for i in items]).count() == 500


def test_the_bulk_path_matches_the_single_actions(world):
    single = publish_one(world, "单独", date(2013, 9, 2), date(2013, 10, 15))
    bulk = import_items(actor=world.reviewer, rows=[ItemRow(organisation=world.unit_a, title="批量", formed_on=date(2013, 9, 2),
                                                             published_on=date(2013, 10, 15))])  # fmt: skip
    item = DisclosureItem.objects.get(pk=bulk.rows[0].item_id)
    single.refresh_from_db()
    for name in ("due_on", "late", "status", "validity", "kind"):
        assert getattr(item, name) == getattr(single, name), name
    assert item.clock.due_date == single.clock.due_date and item.clock.on_time == single.clock.on_time
    assert item.published_at == single.published_at
    # The supervision fields too: the warning date and the working days used.
    assert item.clock.warn_date == single.clock.warn_date is not None
    assert item.clock.used_days == single.clock.used_days is not None


def test_drafts_get_running_clocks_and_no_index_number(world):
    result = import_items(actor=world.clerk_a, rows=rows_for(world.unit_a, 5), publish=False)
    assert result.drafts == 5 and result.published == 0
    for item in DisclosureItem.objects.filter(pk__in=[r.item_id for r in result.rows]):
        assert item.status == ItemStatus.DRAFT and item.index_no is None and item.published_on is None
        assert item.clock.status == ClockStatus.RUNNING and item.clock.closed_on is None and item.late is None
    assert not IndexSerial.objects.exists() and not SearchDocument.objects.exists()
    # and a draft imported in bulk then goes through the ordinary workflow
    item = DisclosureItem.objects.get(pk=result.rows[0].item_id)
    published = actions.publish_item(
        actor=world.reviewer, item=item, published_on=date(2013, 3, 1) + timedelta(days=60)
    )
    assert published.index_no.endswith("-00001")
    assert Clock.objects.get(pk=published.clock_id).status == ClockStatus.CLOSED


def test_one_bad_row_stores_nothing_and_every_problem_is_listed(world):
    good = publish_one(world, "已有", date(2013, 1, 4), date(2013, 1, 7))
    before = state()
    rows = rows_for(world.unit_a, 20)
    rows[4].published_on = rows[4].formed_on - timedelta(days=1)
    rows[9].title = ""
    rows[12].formed_on = timezone.localdate() + timedelta(days=3)
    rows[15].written_on = rows[15].formed_on + timedelta(days=1)
    with pytest.raises(ImportRejected) as caught:
        import_items(actor=world.reviewer, rows=rows)
    problems = {(e.row, e.column) for e in caught.value.errors}
    assert {
        (rows[4].row, "发布日期"),
        (rows[9].row, "名称"),
        (rows[12].row, "生成日期"),
        (rows[15].row, "生成日期"),
    } <= problems
    assert any("Row 6, 发布日期" in m or "第6行" in m for m in caught.value.messages)
    assert state() == before
    assert verify() == []
    assert DisclosureItem.objects.get() == good


def test_document_numbers_are_unique_within_the_file_and_against_the_database(world):
    publish_one(world, "已有", date(2013, 1, 4), date(2013, 1, 7))
    taken = DisclosureItem.objects.get()
    actions.update_item(actor=world.reviewer, item=taken, doc_number="攸财发〔2013〕3号")
    withdrawn = publish_one(world, "撤回的", date(2013, 1, 4), date(2013, 1, 7))
    actions.update_item(actor=world.reviewer, item=withdrawn, doc_number="攸财发〔2013〕4号")
    actions.withdraw_item(actor=world.reviewer, item=withdrawn, reason="错误")
    rows = rows_for(world.unit_a, 6)
    rows[5].doc_number = rows[1].doc_number
    with pytest.raises(ImportRejected) as caught:
        import_items(actor=world.reviewer, rows=rows)
    errors = [(e.row, e.column) for e in caught.value.errors]
    assert errors == [(rows[2].row, "文号"), (rows[5].row, "文号")]  # 3号 taken; 4号 withdrawn is free
    assert "row 3" in str(caught.value.errors[1])
    # the same number in another organisation is fine
    other = rows_for(world.unit_b, 1, start=3)
    assert import_items(actor=world.reviewer, rows=other).created == 1


def test_permission_is_checked_per_target_organisation(world):
    rows = rows_for(world.unit_a, 2) + rows_for(world.unit_b, 2, start=10)
    with pytest.raises(ImportRejected) as caught:
        import_items(actor=world.clerk_a, rows=rows, publish=False)
    assert {e.row for e in caught.value.errors} == {rows[2].row, rows[3].row}
    assert all(e.column == "发布机构" for e in caught.value.errors)
    # a clerk may not publish, unless the unit publishes without review
    with pytest.raises(ImportRejected):
        import_items(actor=world.clerk_a, rows=rows_for(world.unit_a, 2))
    update_organisation(actor=world.root, organisation=world.unit_a, self_publish=True)
    world.unit_a.refresh_from_db()
    assert import_items(actor=world.fresh(world.clerk_a), rows=rows_for(world.unit_a, 2)).published == 2
    for outsider in (world.other_admin, world.citizen, world.anonymous, world.window):
        with pytest.raises(ImportRejected):
            import_items(actor=outsider, rows=rows_for(world.unit_b, 1, start=50), publish=False)
    assert DisclosureItem.objects.count() == 2


def test_the_system_actor_imports_without_a_policy_but_not_into_an_inactive_unit(world):
    assert import_items(actor=None, rows=rows_for(world.unit_b, 3)).created == 3
    assert (
        AuditEvent.objects.filter(
            verb="disclosure.import_item", actor__isnull=True, actor_label="system"
        ).count()
        == 3
    )
    set_organisation_active(actor=world.root, organisation=world.township, active=False, reason="撤并")
    world.township.refresh_from_db()
    with pytest.raises(ImportRejected) as caught:
        import_items(actor=None, rows=rows_for(world.township, 1))
    assert "not active" in caught.value.errors[0].message


def test_validity_and_its_date_apply_to_published_items(world):
    rows = rows_for(world.unit_a, 3)
    rows[0].validity = Validity.REPEALED
    rows[0].validity_changed_on = date(2014, 5, 1)
    rows[1].validity = Validity.EXPIRED
    result = import_items(actor=world.reviewer, rows=rows)
    a, b, c = (DisclosureItem.objects.get(pk=r.item_id) for r in result.rows)
    assert (a.validity, a.validity_changed_on) == (Validity.REPEALED, date(2014, 5, 1))
    assert (b.validity, b.validity_changed_on) == (Validity.EXPIRED, None)
    assert c.validity == Validity.VALID
    bad = rows_for(world.unit_a, 2, start=10)
    bad[0].validity = "gone"
    bad[1].validity_changed_on = date(2014, 1, 1)  # but it is in force
    _prepared, errors = validate_rows(actor=world.reviewer, rows=bad)
    assert [(e.row, e.column) for e in errors] == [(bad[0].row, "有效性"), (bad[1].row, "有效性变更日期")]


def test_today_is_the_publication_date_when_none_is_given(world):
    today = timezone.localdate()
    result = import_items(
        actor=world.reviewer, rows=[ItemRow(organisation=world.unit_a, title="今天", formed_on=today)]
    )
    item = DisclosureItem.objects.get(pk=result.rows[0].item_id)
    assert (
        item.published_on == today and item.index_no.endswith(f"/{today.year}-00001") and item.late is False
    )


def test_the_number_of_queries_does_not_grow_with_the_rows(world):
    def count(rows):
        with CaptureQueriesContext(connection) as ctx:
            import_items(actor=world.reviewer, rows=rows)
        return len(ctx.captured_queries)

    small = count(rows_for(world.unit_a, 20))
    large = count(rows_for(world.unit_b, 400))
    # Inserts go in batches (SQLite allows 999 parameters a query, so ~30 items a batch); nothing per row.
    assert large - small <= (400 - 20) // 10, (small, large)


def test_an_empty_batch_is_refused(world):
    from gongkai.core.actions import ActionError

    with pytest.raises(ActionError):
        import_items(actor=world.reviewer, rows=[])
