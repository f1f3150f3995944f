"""Bad input to the letter pages comes back as form errors, never as a 500 or a change."""

from __future__ import annotations

from gongkai.interaction import actions
from gongkai.interaction.models import Letter
from tests import factories
from tests.office import test_interaction_support as support
from tests.office.test_interaction_support import step

channels, category, submitted, accepted = (
    support.channels,
    support.category,
    support.submitted,
    support.accepted,
)


def test_assigning_outside_the_government_is_refused(world, as_, accepted):
    other_unit = factories.make_org(actor=world.root, parent=world.other_county, name="茶陵县交通局")
    client = as_("reviewer")
    for data in ({"lead_unit": other_unit.pk}, {"lead_unit": ""}, {"lead_unit": "x"},
                 {"lead_unit": world.unit_a.pk, "assist_units": [other_unit.pk]},
                 {"lead_unit": world.unit_a.pk, "limit_days": "0"}):  # fmt: skip
        response = step(client, accepted, "assign", data)
        assert response.status_code == 200, data
        page = response.content.decode()
        assert '<details id="step-assign" open>' in page and 'role="alert"' in page
    # The action's own check: the lead unit cannot also assist.
    response = step(
        client, accepted, "assign", {"lead_unit": world.unit_a.pk, "assist_units": [world.unit_a.pk]}
    )
    assert "Assisting units must be other active units of this government." in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.status == "accepted" and not accepted.assignments.exists()


def test_an_empty_or_short_reply_is_refused(world, as_, accepted):
    actions.assign_letter(actor=world.reviewer, letter=accepted, lead_unit=world.unit_a)
    client = as_("clerk_a")
    response = step(client, accepted, "draft", {"text": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = step(client, accepted, "draft", {"text": "短"})
    assert response.status_code == 200 and "A reply has 10 to 5000 characters." in response.content.decode()
    assert Letter.objects.get().status == "assigned"


def test_triage_errors_go_onto_the_form(world, as_, submitted):
    client = as_("reviewer")
    cases = [
        ({}, "This field is required."),
        ({"valid": "no"}, "Choose why the letter is not valid."),
        ({"valid": "no", "reason": "duplicate"}, "Name the original letter of the same government."),
        (
            {"valid": "no", "reason": "duplicate", "duplicate_of": "HD0000000001"},
            "No letter of this government",
        ),
        (
            {"valid": "no", "reason": "duplicate", "duplicate_of": submitted.case_number},
            "Name the original letter",
        ),
    ]
    for data, message in cases:
        response = step(client, submitted, "triage", data)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert Letter.objects.get().status == "received"


def test_a_step_out_of_turn_and_publishing_without_consent(world, as_, channels, category, submitted):
    client = as_("reviewer")
    # Not yet accepted: assigning is out of turn; the error becomes a message.
    response = step(client, submitted, "assign", {"lead_unit": world.unit_a.pk})
    assert response.status_code == 200 and "Not possible while the letter is" in response.content.decode()
    letter, _code = actions.register_letter(
        actor=world.reviewer, channel=channels["hotline"], category=category,
        answered_on_spot="已告知办理地点。", **{**support.LETTER, "publish_consent": False},
    )  # fmt: skip
    response = step(client, letter, "publish", {})
    assert (
        response.status_code == 200
        and "The writer did not agree to publication." in response.content.decode()
    )


def test_bad_registrations(world, as_, channels, category):
    client = as_("reviewer")
    base = {**support.LETTER, "channel": channels["mailbox"].pk, "category": category.pk}
    cases = [
        ({**base, "channel": "99999"}, "Select a valid choice."),
        ({**base, "body": ""}, "Write at least 10 characters."),
        ({**base, "writer_name": ""}, "Give your name."),
        ({**base, "email": "nope"}, "Enter a valid e-mail address."),
        ({**base, "received_on": "2999-01-01"}, "The date cannot be in the future."),
        ({**base, "answered_on_spot": "已答复。"}, "Only a call can be answered on the spot."),
        ({**base, "received_on": "not a date"}, "Enter a valid date."),
    ]
    for data, message in cases:
        response = client.post("/office/interaction/new/", data)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert not Letter.objects.exists()
