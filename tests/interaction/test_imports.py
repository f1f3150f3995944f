"""Importing historical letters: checked cell by cell, replayed through the actions, all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.disclosure.imports import importers
from gongkai.interaction import actions
from gongkai.interaction.imports import (
    HEADERS,
    LettersImporter,
    import_letters_file,
    parse_letter_rows,
)
from gongkai.interaction.models import Letter
from gongkai.notifications.models import Message
from gongkai.orgs.models import Role
from tests import factories

BODY = "我是刘建国，村里道路破损严重，雨天无法通行，请尽快维修。电话13907331001。"
REPLY = "经核实，该路段已列入今年农村公路养护计划，近期将组织维修。"


@pytest.fixture
def channels(world):
    make = actions.create_channel
    return {
        "mailbox": make(actor=world.county_admin, organisation=world.county, kind="mailbox", name="县长信箱"),
        "hotline": make(actor=world.county_admin, organisation=world.county, kind="hotline", name="县政府服务热线",
                        limit_days=5),
        "forwarded": make(actor=world.county_admin, organisation=world.county, kind="forwarded", name="市长热线转办"),
    }  # fmt: skip


NO_HANDLING = {"lead_unit": "", "assigned_on": "", "reply": "", "replied_on": "", "rating": ""}


def row(**over) -> dict:
    base = {
        "channel": "县长信箱", "category": "投诉", "received_on": "2013-03-18", "writer_name": "刘建国",
        "phone": "13907331001", "subject": "罗家坪村道路破损", "body": BODY, "publish_consent": "是",
        "valid": "是", "lead_unit": "攸县财政局", "assigned_on": "2013-03-19", "reply": REPLY,
        "replied_on": "2013-04-02", "rating": "满意",
    }  # fmt: skip
    return {**base, **over}


def csv_bytes(rows: list[dict]) -> bytes:
    fields = list(HEADERS)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([HEADERS[f] for f in fields])
    for r in rows:
        writer.writerow([r.get(f, "") for f in fields])
    return buffer.getvalue().encode("utf-8-sig")


def good_rows() -> list[dict]:
    return [
        row(),
        row(valid="否", invalid_reason="重复", duplicate_of_row="2", lead_unit="", assigned_on="", reply="",
            replied_on="", rating="", received_on="2013-03-20"),
        row(valid="否", invalid_reason="广告", lead_unit="", assigned_on="", reply="", replied_on="", rating="",
            subject="广告", body="低价代办各类证件，联系QQ。"),
        row(channel="县政府服务热线", answered_on_spot="是", lead_unit="", assigned_on="", replied_on="",
            rating="基本满意", publish_consent="否"),
        row(channel="市长热线转办", external_number="ZZSZRX-2013-00012", forwarded_on="2013-05-06",
            external_limit_days="5", received_on="2013-05-07", assigned_on="2013-05-07", replied_on="2013-05-10",
            lead_unit="攸县教育局", category="咨询", rating=""),
        row(received_on="2013-06-03", assigned_on="2013-06-03", replied_on="2013-07-15", rating=""),  # late
    ]  # fmt: skip


def test_a_good_file_replays_every_letter_through_the_actions(world, channels):
    result = import_letters_file(csv_bytes(good_rows()), "letters.csv", actor=world.reviewer)
    assert (result.created, result.closed, result.invalid, result.late) == (6, 4, 2, 1)
    first, duplicate, spam, call, forwarded, late = _by_subject_and_date()
    assert (first.status, first.on_time, first.reply_unit, first.rating) == (
        "closed",
        True,
        world.unit_a,
        "satisfied",
    )
    assert first.received_on == date(2013, 3, 18) and first.replied_on == date(2013, 4, 2)
    assert first.assignments.get().assigned_on == date(2013, 3, 19)
    assert (duplicate.status, duplicate.invalid_reason, duplicate.duplicate_of) == (
        "invalid",
        "duplicate",
        first,
    )
    assert (spam.status, spam.invalid_reason) == ("invalid", "spam")
    assert (call.status, call.answered_on_spot, call.rating) == ("closed", True, "basic")
    assert forwarded.clock.start_date == date(2013, 5, 6) and forwarded.external_limit_days == 5
    assert forwarded.on_time and forwarded.reply_unit == world.unit_b
    assert late.on_time is False
    assert not Message.objects.exists()  # nobody is told about historical letters


def _by_subject_and_date() -> list[Letter]:
    letters = list(Letter.objects.order_by("received_on", "id"))
    first = next(x for x in letters if x.received_on == date(2013, 3, 18) and x.channel.kind == "mailbox"
                 and x.valid)  # fmt: skip
    duplicate = next(x for x in letters if x.invalid_reason == "duplicate")
    spam = next(x for x in letters if x.invalid_reason == "spam")
    call = next(x for x in letters if x.channel.kind == "hotline")
    forwarded = next(x for x in letters if x.channel.kind == "forwarded")
    late = next(x for x in letters if x.received_on == date(2013, 6, 3))
    return [first, duplicate, spam, call, forwarded, late]


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        ({"channel": "不存在的信箱"}, "channel"),
        ({"category": "乱写"}, "category"),
        ({"received_on": "2013-13-45"}, "received_on"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"body": "短"}, "body"),
        ({"writer_name": ""}, "writer_name"),
        ({"valid": "否", "invalid_reason": ""}, "invalid_reason"),
        (
            {"valid": "否", "invalid_reason": "重复", "duplicate_of_row": "99", **NO_HANDLING},
            "duplicate_of_row",
        ),
        ({"lead_unit": "茶陵县人民政府"}, "lead_unit"),
        ({"assigned_on": ""}, "assigned_on"),
        ({"replied_on": "2013-03-01"}, "replied_on"),
        ({"rating": "很好"}, "rating"),
        ({"channel": "市长热线转办"}, "external_number"),
        ({"answered_on_spot": "是"}, "answered_on_spot"),
    ],
)
def test_one_bad_row_stores_nothing_and_names_the_row_and_column(world, channels, bad, column):
    rows = good_rows()
    rows[0] = {**rows[0], **bad}
    before = AuditEvent.objects.count()
    with pytest.raises(ActionError) as err:
        import_letters_file(csv_bytes(rows), "letters.csv", actor=world.reviewer)
    errors = err.value.errors
    assert any(e.row == 2 and e.column == HEADERS[column] for e in errors), errors
    assert Letter.objects.count() == 0 and AuditEvent.objects.count() == before


def test_a_row_the_actions_refuse_rolls_back_every_row(world, channels):
    rows = good_rows()
    rows[0] = {**rows[0], "assigned_on": "2013-03-17", "received_on": "2013-03-18"}  # caught by the checks
    with pytest.raises(ActionError):
        import_letters_file(csv_bytes(rows), "letters.csv", actor=world.reviewer)
    # A clerk of the county registers and triages, but drafts only for the county itself: the
    # actions refuse the draft, and the refusal names the row and the column.
    clerk = factories.make_staff(
        actor=world.root, organisation=world.county, role=Role.CLERK, username="gov_clerk"
    )
    with pytest.raises(ActionError) as err:
        import_letters_file(csv_bytes(good_rows()), "letters.csv", actor=clerk)
    assert (2, HEADERS["lead_unit"]) in {(e.row, e.column) for e in err.value.errors}
    assert (
        Letter.objects.count() == 0
        and not AuditEvent.objects.filter(verb__startswith="interaction.t").exists()
    )


def test_outsiders_cannot_import_letters_of_other_governments(world, channels):
    with pytest.raises(ActionError) as err:
        import_letters_file(csv_bytes(good_rows()), "letters.csv", actor=world.other_admin)
    assert {e.column for e in err.value.errors} == {HEADERS["channel"]}
    assert Letter.objects.count() == 0


def test_missing_columns_are_reported(world, channels):
    data = "渠道,标题\n县长信箱,道路\n".encode()
    with pytest.raises(ActionError) as err:
        parse_letter_rows(data, "x.csv", actor=world.reviewer)
    assert {e.column for e in err.value.errors} >= {"类别", "收到日期", "姓名", "内容"}


def test_the_command_imports_as_a_user_and_only_as_a_user(world, channels, tmp_path):
    path = tmp_path / "letters.csv"
    path.write_bytes(csv_bytes(good_rows()[:2]))
    with pytest.raises(CommandError):
        call_command("import", "letters", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("import", "letters", str(path), "--actor", "reviewer", "--dry-run", stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    assert Letter.objects.count() == 0 and out.getvalue()
    call_command(
        "import", "letters", str(path), "--actor", "reviewer", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert Letter.objects.count() == 2


def test_the_kind_is_registered_with_a_template_that_parses(world, channels):
    factories.make_org(actor=world.root, parent=world.county, name="攸县交通运输局")
    assert isinstance(importers()["letters"], LettersImporter)
    for fmt in ("csv", "xlsx"):
        parsed = parse_letter_rows(importers()["letters"].template(fmt), f"t.{fmt}", actor=world.reviewer)
        assert parsed.errors == [] and len(parsed.rows) == 1
