"""The records actions: validation per field, audit events, upserts that keep who and when."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.records import actions
from gongkai.records.models import DecisionCount, DisputeCase, ReadingRoomVisit, SpendingFigure, StaffFigure
from tests.applications.conftest import PERSON


def errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def test_save_and_conclude_a_review(world, review, day):
    assert review.result == "pending" and review.concluded_on is None
    assert AuditEvent.objects.filter(verb="records.save_dispute", object_id=str(review.pk)).exists()
    done = actions.conclude_dispute(actor=world.reviewer, case=review, result="corrected", concluded_on=day)
    assert (done.result, done.concluded_on) == ("corrected", day)
    event = AuditEvent.objects.get(verb="records.conclude_dispute")
    assert event.before["result"] == "pending" and event.after["result"] == "corrected"
    with pytest.raises(ActionError) as exc:
        actions.conclude_dispute(actor=world.reviewer, case=done, result="other", concluded_on=day)
    assert "result" in errors(exc)
    assert DisputeCase.objects.get().result == "corrected"


def test_conclusion_before_filing_or_bad_result_is_refused(world, review, day):
    for kwargs, field in [
        ({"result": "corrected", "concluded_on": day - dt.timedelta(days=1)}, "concluded_on"),
        ({"result": "pending", "concluded_on": day}, "result"),
        ({"result": "maintained", "concluded_on": dt.date.today() + dt.timedelta(days=1)}, "concluded_on"),
    ]:
        with pytest.raises(ActionError) as exc:
            actions.conclude_dispute(actor=world.reviewer, case=review, **kwargs)
        assert field in errors(exc)
    review.refresh_from_db()
    assert review.result == "pending"


def test_update_keeps_the_organisation_and_audits_the_change(world, review, day):
    case = actions.save_dispute(actor=world.clerk_a, organisation=world.unit_a, kind="review",
                                reference=review.reference, subject="新的事由", filed_on=day, case=review)  # fmt: skip
    assert case.subject == "新的事由"
    event = AuditEvent.objects.filter(verb="records.save_dispute").latest("seq")
    assert event.before == {"subject": "不予公开答复", "body": "攸县人民政府"}
    with pytest.raises(ActionError) as exc:
        actions.save_dispute(actor=world.reviewer, organisation=world.unit_b, kind="review",
                             reference="x", subject="x", filed_on=day, case=review)  # fmt: skip
    assert "organisation" in errors(exc)


@pytest.mark.parametrize(
    "override,field",
    [
        ({"kind": "appeal"}, "kind"),
        ({"reference": "  "}, "reference"),
        ({"subject": ""}, "subject"),
        ({"filed_on": dt.date.today() + dt.timedelta(days=2)}, "filed_on"),
        ({"filed_on": "2026-01-01"}, "filed_on"),
        ({"application": "12"}, "application"),
    ],
)
def test_bad_dispute_input_changes_nothing(world, day, override, field):
    fields = {"kind": "review", "reference": "R-1", "subject": "s", "filed_on": day, **override}
    with pytest.raises(ActionError) as exc:
        actions.save_dispute(actor=world.reviewer, organisation=world.unit_a, **fields)
    assert field in errors(exc)
    assert not DisputeCase.objects.exists()


def test_duplicate_reference_is_refused(world, review, day):
    with pytest.raises(ActionError) as exc:
        actions.save_dispute(actor=world.reviewer, organisation=world.unit_a, kind="review",
                             reference=review.reference, subject="s", filed_on=day)  # fmt: skip
    assert "reference" in errors(exc)


def test_litigation_after_review_must_follow_a_review_of_the_same_unit(world, review, day):
    suit = actions.save_dispute(actor=world.reviewer, organisation=world.unit_a, kind="litigation_after_review",
                                reference="(2026)湘0223行初1号", subject="s", filed_on=day, review_case=review,
                                body="攸县人民法院")  # fmt: skip
    assert suit.review_case == review and list(review.lawsuits.all()) == [suit]
    other = actions.save_dispute(actor=world.reviewer, organisation=world.unit_b, kind="review",
                                 reference="B-1", subject="s", filed_on=day)  # fmt: skip
    bad = [
        ({"kind": "litigation_after_review", "review_case": other}, "review_case"),
        ({"kind": "litigation_direct", "review_case": review}, "review_case"),
        ({"kind": "litigation_after_review", "review_case": suit}, "review_case"),
        ({"kind": "litigation_after_review", "review_case": review, "filed_on": day - dt.timedelta(days=1)},
         "filed_on"),
    ]  # fmt: skip
    for override, field in bad:
        fields = {"reference": "L-2", "subject": "s", "filed_on": day, **override}
        with pytest.raises(ActionError) as exc:
            actions.save_dispute(actor=world.reviewer, organisation=world.unit_a, **fields)
        assert field in errors(exc), override
    with pytest.raises(ActionError) as exc:
        actions.save_dispute(actor=world.reviewer, organisation=world.unit_a, kind="complaint",
                             reference=review.reference, subject="s", filed_on=day, case=review)  # fmt: skip
    assert "kind" in errors(exc)
    with pytest.raises(ActionError) as exc:
        actions.save_dispute(actor=world.reviewer, organisation=world.unit_a, kind="review",
                             reference=review.reference, subject="s", filed_on=day + dt.timedelta(days=1),
                             case=review)  # fmt: skip
    assert "filed_on" in errors(exc)
    assert DisputeCase.objects.count() == 3
    review.refresh_from_db()
    assert review.filed_on == day


def test_application_must_belong_to_the_respondents_government(world, day):
    from gongkai.applications import actions as app_actions

    app, _ = app_actions.register_application(actor=world.reviewer, organisation=world.unit_a,
                                              channel="in_person", submitted_on=day, **PERSON)  # fmt: skip
    case = actions.save_dispute(actor=world.reviewer, organisation=world.unit_b, kind="review",
                                reference="R-9", subject="s", filed_on=day, application=app)  # fmt: skip
    assert case.application == app
    other_unit = actions.government_of(world.other_county)
    assert other_unit == world.other_county
    with pytest.raises(ActionError) as exc:
        actions.save_dispute(actor=world.other_admin, organisation=world.other_county, kind="review",
                             reference="R-10", subject="s", filed_on=day, application=app)  # fmt: skip
    assert "application" in errors(exc)


def test_outsiders_cannot_enter_disputes(world, review, day):
    for user in (world.clerk_b, world.supervisor, world.window, world.other_admin, world.citizen, world.anonymous,
                 None):  # fmt: skip
        with pytest.raises(PermissionDenied):
            actions.save_dispute(actor=user, organisation=world.unit_a, kind="review", reference="X",
                                 subject="s", filed_on=day)  # fmt: skip
        with pytest.raises(PermissionDenied):
            actions.conclude_dispute(actor=user, case=review, result="other", concluded_on=day)
    assert DisputeCase.objects.count() == 1
    assert DisputeCase.objects.get().result == "pending"


def test_reading_room_and_visits(world, day):
    room = actions.save_reading_room(actor=world.clerk_a, organisation=world.unit_a, name="查阅室",
                                     opening_hours="工作日 8:00-17:30")  # fmt: skip
    visit = actions.record_visit(actor=world.clerk_a, room=room, day=day, visitors="3", purpose="预算")
    assert (visit.visitors, visit.recorded_by) == (3, world.clerk_a)
    for kwargs, field in [
        ({"day": day, "visitors": 0}, "visitors"),
        ({"day": day, "visitors": -1}, "visitors"),
        ({"day": day, "visitors": "many"}, "visitors"),
        ({"day": dt.date.today() + dt.timedelta(days=1), "visitors": 1}, "day"),
    ]:
        with pytest.raises(ActionError) as exc:
            actions.record_visit(actor=world.clerk_a, room=room, **kwargs)
        assert field in errors(exc)
    with pytest.raises(ActionError) as exc:
        actions.save_reading_room(actor=world.clerk_a, organisation=world.unit_a, name="查阅室")
    assert "name" in errors(exc)
    for user in (world.clerk_b, world.supervisor, world.window, world.citizen, world.other_admin):
        with pytest.raises(PermissionDenied):
            actions.record_visit(actor=user, room=room, day=day, visitors=1)
        with pytest.raises(PermissionDenied):
            actions.save_reading_room(actor=user, organisation=world.unit_a, name="其他", room=None)
    assert ReadingRoomVisit.objects.count() == 1
    renamed = actions.save_reading_room(
        actor=world.reviewer, organisation=world.unit_a, name="阅览室", room=room
    )
    assert renamed.name == "阅览室"


def test_year_figures_are_upserts_that_keep_who_and_when(world):
    year = dt.date.today().year - 1
    first = actions.set_staff_figure(actor=world.clerk_a, organisation=world.unit_a, year=year, full_time=0,
                                     part_time=1)  # fmt: skip
    assert (first.entered_by, first.source) == (world.clerk_a, "entered")
    again = actions.set_staff_figure(actor=world.reviewer, organisation=world.unit_a, year=str(year),
                                     full_time=1, part_time=1, source="imported")  # fmt: skip
    assert again.pk == first.pk and StaffFigure.objects.count() == 1
    assert (again.entered_by, again.source, again.full_time) == (world.reviewer, "imported", 1)
    assert again.entered_at >= first.entered_at
    event = AuditEvent.objects.filter(verb="records.set_staff_figure").latest("seq")
    assert event.before == {"full_time": 0, "source": "entered", "entered_by_id": world.clerk_a.pk}
    assert event.after["full_time"] == 1 and event.after["year"] == year

    spent = actions.set_spending(actor=world.clerk_a, organisation=world.unit_a, year=year, amount="12,345.5",
                                 purpose="培训")  # fmt: skip
    assert spent.amount == Decimal("12345.50")
    count = actions.set_decision_count(actor=world.clerk_a, organisation=world.unit_a, year=year,
                                       kind="penalty", count=7)  # fmt: skip
    actions.set_decision_count(actor=world.clerk_a, organisation=world.unit_a, year=year, kind="enforcement",
                               count=2)  # fmt: skip
    actions.set_decision_count(actor=world.clerk_a, organisation=world.unit_a, year=year, kind="penalty",
                               count=8)  # fmt: skip
    assert DecisionCount.objects.get(pk=count.pk).count == 8 and DecisionCount.objects.count() == 2


@pytest.mark.parametrize(
    "call,field",
    [
        (lambda w, y: actions.set_staff_figure(actor=w.clerk_a, organisation=w.unit_a, year=y, full_time=-1,
                                               part_time=0), "full_time"),
        (lambda w, y: actions.set_staff_figure(actor=w.clerk_a, organisation=w.unit_a, year=y + 2, full_time=1,
                                               part_time=0), "year"),
        (lambda w, y: actions.set_staff_figure(actor=w.clerk_a, organisation=w.unit_a, year="20x", full_time=1,
                                               part_time=0), "year"),
        (lambda w, y: actions.set_spending(actor=w.clerk_a, organisation=w.unit_a, year=y, amount="-1"), "amount"),
        (lambda w, y: actions.set_spending(actor=w.clerk_a, organisation=w.unit_a, year=y, amount="1.001"),
         "amount"),
        (lambda w, y: actions.set_spending(actor=w.clerk_a, organisation=w.unit_a, year=y, amount="abc"), "amount"),
        (lambda w, y: actions.set_decision_count(actor=w.clerk_a, organisation=w.unit_a, year=y, kind="fine",
                                                 count=1), "kind"),
        (lambda w, y: actions.set_decision_count(actor=w.clerk_a, organisation=w.unit_a, year=y, kind="penalty",
                                                 count=-3), "count"),
    ],
)  # fmt: skip
def test_bad_figures_change_nothing(world, call, field):
    with pytest.raises(ActionError) as exc:
        call(world, dt.date.today().year - 1)
    assert field in errors(exc)
    assert not (
        StaffFigure.objects.exists() or SpendingFigure.objects.exists() or DecisionCount.objects.exists()
    )
    assert not AuditEvent.objects.filter(verb__startswith="records.").exists()


def test_outsiders_cannot_set_figures(world):
    year = dt.date.today().year - 1
    for user in (
        world.clerk_b,
        world.supervisor,
        world.window,
        world.other_admin,
        world.citizen,
        world.anonymous,
    ):
        with pytest.raises(PermissionDenied):
            actions.set_staff_figure(
                actor=user, organisation=world.unit_a, year=year, full_time=1, part_time=1
            )
        with pytest.raises(PermissionDenied):
            actions.set_spending(actor=user, organisation=world.unit_a, year=year, amount=1)
        with pytest.raises(PermissionDenied):
            actions.set_decision_count(
                actor=user, organisation=world.unit_a, year=year, kind="penalty", count=1
            )
    # The county's administrator and reviewer reach down; the township's staff figure is theirs too.
    actions.set_staff_figure(actor=world.county_admin, organisation=world.township, year=year, full_time=0,
                             part_time=1)  # fmt: skip
    assert StaffFigure.objects.count() == 1
