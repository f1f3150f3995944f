"""Who reaches which letter pages and steps: outsiders get a 404 (or 403/redirect), never a hint."""

from __future__ import annotations

import pytest

from gongkai.interaction import actions
from gongkai.interaction.models import Letter
from tests.office import test_interaction_support as support
from tests.office.test_interaction_support import step

channels, category, submitted, accepted = (
    support.channels,
    support.category,
    support.submitted,
    support.accepted,
)

STEPS = ["triage", "assign", "return", "draft", "send-back", "approve", "chase", "callback", "reopen", "publish",
         "unpublish"]  # fmt: skip


@pytest.fixture
def assigned(world, accepted):
    """A letter assigned to unit B (unit A's clerk is an outsider to it)."""
    actions.assign_letter(actor=world.reviewer, letter=accepted, lead_unit=world.unit_b)
    accepted.refresh_from_db()
    return accepted


@pytest.mark.parametrize("persona", ["clerk_a", "window", "other_admin"])
def test_outsiders_get_a_404_for_the_letter_and_its_steps(world, as_, assigned, persona):
    client = as_(persona)
    base = f"/office/interaction/{assigned.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/registered/").status_code == 404
    for name in STEPS:
        assert step(client, assigned, name, {"reason": "x", "text": "x" * 20}).status_code == 404, name
    page = client.get("/office/interaction/").content.decode()
    assert assigned.case_number not in page and "No letters match." in page
    assert Letter.objects.get().status == "assigned"


def test_a_citizen_and_a_stranger_are_kept_out(world, as_, client, assigned):
    assert as_("citizen").get(f"/office/interaction/{assigned.pk}/").status_code == 403
    assert as_("citizen").get("/office/interaction/").status_code == 403
    client.logout()
    response = client.get(f"/office/interaction/{assigned.pk}/")
    assert response.status_code == 302 and "/login/" in response.url
    assert client.post(f"/office/interaction/{assigned.pk}/triage/").status_code == 302


def test_insiders_see_it_but_only_their_steps(world, as_, assigned):
    base = f"/office/interaction/{assigned.pk}/"
    clerk_b = as_("clerk_b")
    page = clerk_b.get(base).content.decode()
    assert 'id="step-draft"' in page and 'id="step-chase"' not in page and "History" not in page
    assert step(clerk_b, assigned, "chase", {"note": "请抓紧"}).status_code == 403
    supervisor = as_("supervisor")
    page = supervisor.get(base).content.decode()
    assert assigned.case_number in page and 'id="step-' not in page
    assert step(supervisor, assigned, "chase", {"note": "请抓紧"}).status_code == 403
    assert assigned.case_number in supervisor.get("/office/interaction/").content.decode()
    # An assisting unit sees the letter but cannot draft.
    reviewer = as_("reviewer")
    actions.return_letter(actor=world.clerk_b, letter=assigned, reason="不属于本单位")
    actions.assign_letter(
        actor=world.reviewer, letter=assigned, lead_unit=world.unit_b, assist_units=[world.unit_a]
    )
    page = as_("clerk_a").get(base).content.decode()
    assert assigned.case_number in page and 'id="step-draft"' not in page
    assert reviewer  # the office keeps every step


def test_a_missing_letter_looks_like_a_forbidden_one(as_, assigned):
    assert as_("reviewer").get(f"/office/interaction/{assigned.pk + 1000}/").status_code == 404
    assert as_("reviewer").post(f"/office/interaction/{assigned.pk + 1000}/triage/").status_code == 404
    assert as_("reviewer").post(f"/office/interaction/{assigned.pk}/nothing/").status_code == 404


def test_registering_and_channels_are_for_the_right_people(world, as_, channels):
    for persona in ("window", "supervisor"):
        assert as_(persona).get("/office/interaction/new/").status_code == 403, persona
    for persona in ("clerk_a", "reviewer", "window", "supervisor"):
        assert as_(persona).get("/office/interaction/channels/").status_code == 403, persona
    # Another county's administrator configures only their own county's channels.
    page = as_("other_admin").get("/office/interaction/channels/").content.decode()
    assert "茶陵县人民政府" in page and "县长信箱" not in page and "攸县人民政府" not in page
    # Another county's administrator is offered none of this county's channels.
    page = as_("other_admin").get("/office/interaction/new/")
    assert page.status_code == 403
    assert as_("county_admin").get("/office/interaction/channels/").status_code == 200
    # The queue offers registering and configuring only to those who may.
    page = as_("clerk_a").get("/office/interaction/").content.decode()
    assert "/office/interaction/new/" not in page and "/office/interaction/channels/" not in page
    page = as_("reviewer").get("/office/interaction/").content.decode()
    assert "/office/interaction/new/" in page and "/office/interaction/channels/" not in page
    assert "/office/interaction/channels/" in as_("county_admin").get("/office/interaction/").content.decode()
