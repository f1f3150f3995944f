"""The letter policy's lists: the same rows as the rule says, read in a form the database can index.

``LetterPolicy`` names the letters assisted by the user's units by id so that the database can OR
one index scan per rule instead of testing every letter against a subquery; the rows must stay
exactly those the rule (and the per-object test) allows, for every persona.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from gongkai.core.policies import Predicate, platform_admin
from gongkai.interaction import actions, policies
from gongkai.interaction.models import Channel, Letter
from gongkai.interaction.policies import LetterPolicy, lead_unit, office, published, supervisor
from gongkai.office.views_letters_queue import channel_options, office_letters
from gongkai.orgs.models import Role
from gongkai.orgs.scope import scope_ids
from tests import factories
from tests.interaction.conftest import LETTER

policy = LetterPolicy()


def _subquery_assist(user):
    # The rule as it was first written: letters whose assisting units the user's roles reach.
    through = Letter.assist_units.through.objects.filter(
        organisation_id__in=scope_ids(user, policies.UNIT_ROLES)
    )
    return Q(pk__in=through.values("letter_id"))


assisting_as_subquery = Predicate("assisting_as_subquery", _subquery_assist, lambda u, o: False)
REFERENCE = {
    "view": published | office | supervisor | lead_unit | assisting_as_subquery | platform_admin,
    "view_office": office | supervisor | lead_unit | assisting_as_subquery | platform_admin,
}


def _new(world, channels, category, subject: str) -> Letter:
    letter, _code = actions.register_letter(
        actor=world.reviewer, channel=channels["hotline"], category=category, **{**LETTER, "subject": subject}
    )
    return letter


@pytest.fixture
def letters(world, channels, category):
    """One letter per way of being seen: assisted, unassigned, new, published, another county's."""
    assisted = _new(world, channels, category, "协办来信")
    actions.triage_letter(actor=world.reviewer, letter=assisted, valid=True)
    actions.assign_letter(
        actor=world.reviewer, letter=assisted, lead_unit=world.unit_a, assist_units=[world.township]
    )
    unassigned = _new(world, channels, category, "待交办")
    actions.triage_letter(actor=world.reviewer, letter=unassigned, valid=True)
    new = _new(world, channels, category, "新来信")
    answered = _new(world, channels, category, "已公开")
    actions.triage_letter(actor=world.reviewer, letter=answered, valid=True)
    actions.assign_letter(actor=world.reviewer, letter=answered, lead_unit=world.unit_a)
    actions.draft_letter_reply(
        actor=world.clerk_a, letter=answered, text="经核实，该路段已列入今年维修计划。"
    )
    actions.approve_reply(actor=world.reviewer, letter=answered, publish=True)
    other_channel = actions.create_channel(
        actor=world.other_admin, organisation=world.other_county, kind="hotline", name="茶陵县热线"
    )
    elsewhere, _code = actions.register_letter(
        actor=world.other_admin, channel=other_channel, category=category, **LETTER
    )
    return {
        "assisted": assisted,
        "unassigned": unassigned,
        "new": new,
        "answered": answered,
        "elsewhere": elsewhere,
    }


@pytest.fixture
def people(world):
    township_clerk = factories.make_staff(
        actor=world.root, organisation=world.township, role=Role.CLERK, username="clerk_township"
    )
    return {
        "lead unit's clerk": world.clerk_a, "assisting unit's clerk": township_clerk,
        "another unit's clerk": world.clerk_b, "reviewer": world.reviewer, "supervisor": world.supervisor,
        "county administrator": world.county_admin, "another county's administrator": world.other_admin,
        "platform administrator": world.root, "citizen": world.citizen, "anonymous": world.anonymous,
    }  # fmt: skip


EXPECTED_OFFICE = {
    "lead unit's clerk": {"assisted", "answered"},
    "assisting unit's clerk": {"assisted"},
    "another unit's clerk": set(),
    "reviewer": {"assisted", "unassigned", "new", "answered"},
    "supervisor": {"assisted", "unassigned", "new", "answered"},
    "county administrator": {"assisted", "unassigned", "new", "answered"},
    "another county's administrator": {"elsewhere"},
    "platform administrator": {"assisted", "unassigned", "new", "answered", "elsewhere"},
    "citizen": set(),
    "anonymous": set(),
}


def _names(letters, rows) -> set[str]:
    by_pk = {letter.pk: name for name, letter in letters.items()}
    return {by_pk[pk] for pk in rows}


@pytest.mark.parametrize("verb", ["view_office", "view"])
def test_each_persona_sees_the_same_letters_as_the_rule_says(world, letters, people, verb):
    everything = list(Letter.objects.all())
    for who, user in people.items():
        listed = list(policy.filter(user, verb).values_list("pk", flat=True))
        assert len(listed) == len(set(listed)), f"{who}: a letter listed twice"
        reference = set(Letter.objects.filter(REFERENCE[verb].q(user)).values_list("pk", flat=True))
        one_by_one = {letter.pk for letter in everything if policy.can(user, verb, letter)}
        assert set(listed) == reference == one_by_one, who
        expected = EXPECTED_OFFICE[who] | ({"answered"} if verb == "view" else set())
        assert _names(letters, listed) == expected, who
    assert {letter.pk for letter in policy.visible_to(world.anonymous)} == {letters["answered"].pk}


def test_many_assisted_letters_fall_back_to_the_subquery_with_the_same_rows(letters, people, monkeypatch):
    assisting = people["assisting unit's clerk"]
    named = set(policy.filter(assisting, "view_office").values_list("pk", flat=True))
    monkeypatch.setattr(policies, "MAX_ASSISTED_BY_ID", 0)
    with CaptureQueriesContext(connection) as ctx:
        fallback = set(policy.filter(assisting, "view_office").values_list("pk", flat=True))
    assert fallback == named == {letters["assisted"].pk}
    assert "interaction_letter_assist_units" in ctx.captured_queries[-1]["sql"]


def test_the_list_reads_the_letters_table_once_per_query(letters, people, client):
    """No query of the list wraps the letters in a subquery over the same table (a full scan)."""
    for who in ("reviewer", "lead unit's clerk", "assisting unit's clerk"):
        client.force_login(people[who])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/office/interaction/")
        assert response.status_code == 200
        on_letters = [q["sql"] for q in ctx.captured_queries if 'FROM "interaction_letter"' in q["sql"]]
        assert len(on_letters) >= 3, who  # the tab counts, the due-date counts, the page
        for sql in on_letters:
            assert len(re.findall(r'FROM "interaction_letter"\s', sql)) == 1, (who, sql)


def test_the_tabs_page_and_count_agree_for_a_unit(letters, people, client):
    client.force_login(people["lead unit's clerk"])
    page = client.get("/office/interaction/").content.decode()
    assert letters["assisted"].case_number in page and letters["answered"].case_number in page
    assert letters["unassigned"].case_number not in page and letters["elsewhere"].case_number not in page
    closed = client.get("/office/interaction/?queue=closed").content.decode()
    assert letters["answered"].case_number in closed and letters["assisted"].case_number not in closed


def test_the_list_takes_the_same_number_of_queries_for_a_unit_however_many_letters(
    world, channels, category, people, client, django_assert_num_queries
):
    def grow(n: int) -> None:
        for i in range(n):
            letter = _new(world, channels, category, f"来信{i}")
            actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
            actions.assign_letter(
                actor=world.reviewer, letter=letter, lead_unit=world.unit_a, assist_units=[world.township]
            )

    urls = [
        "/office/interaction/",
        "/office/interaction/?queue=handling",
        "/office/interaction/?queue=overdue",
    ]
    counts = {}
    grow(2)
    for who in ("lead unit's clerk", "assisting unit's clerk"):
        client.force_login(people[who])
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts[who, url] = len(ctx.captured_queries)
    grow(6)
    for who in ("lead unit's clerk", "assisting unit's clerk"):
        client.force_login(people[who])
        for url in urls:
            with django_assert_num_queries(counts[who, url]):
                page = client.get(url).content.decode()
            if url == urls[0]:
                assert page.count('<th scope="row"><a href="/office/interaction/') == 8


def test_the_channel_filter_offers_the_channels_of_governments_whose_letters_the_user_sees(letters, people):
    county = {"县长信箱", "县政府热线", "市长热线转办"}
    expected = {
        "lead unit's clerk": county,
        "assisting unit's clerk": county,
        "another unit's clerk": set(),
        "reviewer": county,
        "supervisor": county,
        "another county's administrator": {"茶陵县热线"},
        "platform administrator": county | {"茶陵县热线"},
    }
    for who, names in expected.items():
        user = people[who]
        visible = office_letters(user)
        offered = {c.name for c in channel_options(user, visible)}
        # The same as asking of every channel whether its government holds a letter the user sees.
        one_by_one = {
            c.name for c in Channel.objects.all() if visible.filter(organisation=c.organisation).exists()
        }
        assert offered == one_by_one == names, who
