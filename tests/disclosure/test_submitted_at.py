"""When an item was submitted for review: set by submitting, cleared by returning, kept on publishing."""

from __future__ import annotations

import importlib
import json
from datetime import date, timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from gongkai.disclosure import actions
from gongkai.disclosure.models import DisclosureItem
from tests.disclosure.test_exports import export

pytestmark = pytest.mark.django_db


def draft(world, title="关于2026年财政预算的通知", **fields):
    fields.setdefault("formed_on", timezone.localdate() - timedelta(days=2))
    return actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title=title, **fields)


def shown(moment):
    """How the back office marks a time up: local time, to the minute, with the exact time."""
    local = timezone.localtime(moment)
    return f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time>'


def test_submitting_records_the_time_and_returning_clears_it(world):
    item = draft(world)
    assert item.submitted_at is None
    before = timezone.now()
    item = actions.submit_item(actor=world.clerk_a, item=item)
    item.refresh_from_db()
    assert item.submitted_at is not None and timezone.is_aware(item.submitted_at)
    assert before <= item.submitted_at <= timezone.now()

    actions.return_item(actor=world.reviewer, item=item, reason="文号有误")
    item.refresh_from_db()
    assert item.status == "draft" and item.submitted_at is None

    first = timezone.now()
    actions.submit_item(actor=world.clerk_a, item=item)
    item.refresh_from_db()
    assert item.submitted_at >= first  # a new submission, a new time


def test_publishing_keeps_the_submission_time_and_a_direct_publication_has_none(world):
    item = actions.submit_item(actor=world.clerk_a, item=draft(world))
    submitted_at = DisclosureItem.objects.get(pk=item.pk).submitted_at
    actions.publish_item(actor=world.reviewer, item=item)
    item.refresh_from_db()
    assert item.status == "published" and item.submitted_at == submitted_at

    direct = actions.publish_item(actor=world.reviewer, item=draft(world, "未经提交直接发布"))
    direct.refresh_from_db()
    assert direct.status == "published" and direct.submitted_at is None


def test_a_refused_submission_leaves_the_time_alone(world):
    item = actions.submit_item(actor=world.clerk_a, item=draft(world))
    submitted_at = DisclosureItem.objects.get(pk=item.pk).submitted_at
    with pytest.raises(actions.ActionError):
        actions.submit_item(actor=world.clerk_a, item=item)  # already submitted
    assert DisclosureItem.objects.get(pk=item.pk).submitted_at == submitted_at


def test_the_json_export_carries_it_and_the_tables_do_not(world):
    submitted = actions.submit_item(
        actor=world.clerk_a, item=draft(world, "经审核发布", formed_on=date(2013, 5, 6))
    )
    actions.publish_item(actor=world.reviewer, item=submitted)
    actions.publish_item(actor=world.reviewer, item=draft(world, "直接发布", formed_on=date(2013, 5, 6)))
    submitted.refresh_from_db()
    data = {d["title"]: d for d in json.loads(export("json"))}
    assert data["经审核发布"]["submitted_at"] == submitted.submitted_at.isoformat()
    assert data["直接发布"]["submitted_at"] is None
    # CSV and XLSX keep the import format's columns, so that an export imports again as it is.
    header = export("csv").decode("utf-8-sig").splitlines()[0]
    assert "submitted" not in header


def test_the_back_office_shows_it_on_the_item_the_list_and_the_review_queue(world, as_):
    item = actions.submit_item(actor=world.clerk_a, item=draft(world))
    item.refresh_from_db()
    when = shown(item.submitted_at)
    detail = as_("clerk_a").get(f"/office/items/{item.pk}/").content.decode()
    assert "Date submitted for review" in detail and when in detail
    assert (
        when.replace("<time ", '<time class="muted" ')
        in as_("clerk_a").get("/office/items/").content.decode()
    )
    assert when in as_("reviewer").get("/office/items/review/").content.decode()

    actions.return_item(actor=world.reviewer, item=item, reason="请补充内容概述")
    detail = as_("clerk_a").get(f"/office/items/{item.pk}/").content.decode()
    assert when not in detail
    assert 'time class="muted"' not in as_("clerk_a").get("/office/items/").content.decode()


def test_the_migration_takes_existing_submissions_from_the_audit_log(world):
    waiting = actions.submit_item(actor=world.clerk_a, item=draft(world, "待审核"))
    returned = actions.submit_item(actor=world.clerk_a, item=draft(world, "已退回"))
    actions.return_item(actor=world.reviewer, item=returned, reason="退回")
    published = actions.submit_item(actor=world.clerk_a, item=draft(world, "审核后发布"))
    actions.publish_item(actor=world.reviewer, item=published)
    never = draft(world, "从未提交")
    expected = {i.pk: i.submitted_at for i in DisclosureItem.objects.all()}
    assert expected[waiting.pk] and expected[published.pk] and not expected[returned.pk]
    DisclosureItem.objects.update(submitted_at=None)  # as before the migration

    migration = importlib.import_module("gongkai.disclosure.migrations.0004_item_submitted_at")
    migration.backfill(django_apps, None)

    got = {i.pk: i.submitted_at for i in DisclosureItem.objects.all()}
    assert got[never.pk] is None and got[returned.pk] is None
    # The audit event's time, taken in the same transaction as the action's own clock reading.
    for pk in (waiting.pk, published.pk):
        assert abs(got[pk] - expected[pk]) < timedelta(seconds=5)
