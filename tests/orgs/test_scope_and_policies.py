"""Which units a user's roles reach, and the organisation/role policies built on that."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from gongkai.accounts.actions import create_api_token, revoke_api_token, set_user_active
from gongkai.accounts.models import ApiToken, TokenScope, User
from gongkai.core.policies import Policy, policy_for
from gongkai.orgs import actions, scope
from gongkai.orgs.models import Organisation, OrgKind, Role, RoleAssignment
from gongkai.orgs.policies import OrganisationPolicy, RoleAssignmentPolicy
from gongkai.orgs.scope import clear_scope_cache, has_role, in_scope, roles_on, scope_ids, scope_in
from tests import factories

PERSONAS = (
    "root", "county_admin", "reviewer", "supervisor", "clerk_a", "clerk_b", "window", "other_admin",
    "citizen", "anonymous",
)  # fmt: skip


def ids(*orgs) -> frozenset[int]:
    return frozenset(o.pk for o in orgs)


# --- scope --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["county_admin", "reviewer", "supervisor"])
def test_roles_held_on_the_county_reach_every_unit_below_it(world, persona):
    user = getattr(world, persona)
    assert scope_ids(user) == ids(world.county, world.unit_a, world.unit_b, world.township)
    assert world.other_county.pk not in scope_ids(user)


def test_a_clerk_reaches_only_their_own_unit(world):
    assert scope_ids(world.clerk_a) == ids(world.unit_a)
    assert scope_ids(world.clerk_b) == ids(world.unit_b)
    assert scope_ids(world.window) == ids(world.township)


def test_the_administrator_of_another_county_reaches_only_that_county(world):
    assert scope_ids(world.other_admin) == ids(world.other_county)


def test_scope_is_filtered_by_role(world):
    assert scope_ids(world.reviewer, (Role.REVIEWER,)) == scope_ids(world.reviewer)
    assert scope_ids(world.reviewer, (Role.ADMIN,)) == frozenset()
    assert scope_ids(world.clerk_a, (Role.ADMIN, Role.REVIEWER)) == frozenset()
    assert roles_on(world.reviewer, world.unit_a) == {Role.REVIEWER}
    assert roles_on(world.clerk_a, world.unit_a) == {Role.CLERK}
    assert roles_on(world.clerk_a, world.unit_b) == set()
    assert has_role(world.county_admin, (Role.ADMIN,))
    assert not has_role(world.clerk_a, (Role.ADMIN,))


def test_citizens_anonymous_and_platform_administrators_hold_no_unit_roles(world):
    for user in (world.citizen, world.anonymous, world.root):
        assert scope_ids(user) == frozenset()


def test_a_role_granted_without_covering_sub_units_reaches_only_that_unit(world):
    auditor = factories.make_staff(actor=world.root, organisation=world.other_county, role=Role.CLERK)
    actions.grant_role(
        actor=world.root, user=auditor, organisation=world.county, role=Role.REVIEWER, covers_subunits=False
    )
    auditor = world.fresh(auditor)
    assert scope_ids(auditor, (Role.REVIEWER,)) == ids(world.county)
    assert world.unit_a.pk not in scope_ids(auditor)
    assert not OrganisationPolicy().can(auditor, "view_office", world.unit_a)


def test_an_administrator_granted_without_covering_sub_units_cannot_manage_them(world):
    admin = factories.make_staff(actor=world.root, organisation=world.unit_a, role=Role.CLERK)
    actions.grant_role(
        actor=world.root, user=admin, organisation=world.county, role=Role.ADMIN, covers_subunits=False
    )
    admin = world.fresh(admin)
    policy = OrganisationPolicy()
    assert policy.can(admin, "change", world.county)
    assert not policy.can(admin, "change", world.unit_b)
    assert not policy.can(admin, "change", world.unit_a)  # a clerk there, not an administrator


def test_by_default_clerks_and_window_staff_do_not_cover_sub_units_and_the_others_do(world):
    expected = {
        Role.CLERK: False, Role.WINDOW: False, Role.REVIEWER: True, Role.SUPERVISOR: True, Role.ADMIN: True,
    }  # fmt: skip
    user = factories.make_staff(actor=world.root, organisation=world.other_county, role=Role.CLERK)
    for role, covers in expected.items():
        a = actions.grant_role(actor=world.root, user=user, organisation=world.county, role=role)
        assert a.covers_subunits is covers, role


def test_a_role_on_a_deactivated_unit_grants_nothing(world):
    actions.set_organisation_active(
        actor=world.county_admin, organisation=world.unit_a, active=False, reason="撤销"
    )
    clerk = world.fresh(world.clerk_a)
    assert scope_ids(clerk) == frozenset()
    unit_a = Organisation.objects.get(pk=world.unit_a.pk)
    assert not OrganisationPolicy().can(clerk, "view_office", unit_a)
    assert not RoleAssignmentPolicy().visible_to(clerk).exists()


def test_a_covering_role_on_a_deactivated_unit_grants_nothing_below_it_either(world):
    village = factories.make_org(
        actor=world.root, parent=world.township, name="网岭镇村委会", kind=OrgKind.OTHER
    )
    chief = factories.make_staff(actor=world.root, organisation=world.township, role=Role.ADMIN)
    assert scope_ids(chief) == ids(world.township, village)
    actions.set_organisation_active(actor=world.root, organisation=village, active=False, reason="撤并")
    actions.set_organisation_active(
        actor=world.root, organisation=world.township, active=False, reason="撤并"
    )
    assert scope_ids(world.fresh(chief)) == frozenset()


def test_a_deactivated_unit_stays_in_reach_of_roles_held_above_it(world):
    actions.set_organisation_active(
        actor=world.county_admin, organisation=world.unit_a, active=False, reason="撤销"
    )
    for persona in ("county_admin", "reviewer", "supervisor"):
        assert world.unit_a.pk in scope_ids(world.fresh(getattr(world, persona))), persona


def test_a_deactivated_account_reaches_nothing(world):
    set_user_active(actor=world.county_admin, user=world.clerk_a, active=False, reason="离职")
    clerk = User.objects.get(pk=world.clerk_a.pk)
    assert scope_ids(clerk) == frozenset()


def test_new_units_join_the_scope_of_roles_above_them(world):
    unit = factories.make_org(actor=world.root, parent=world.unit_a, name="国库股")
    assert unit.pk in scope_ids(world.fresh(world.reviewer))
    assert unit.pk not in scope_ids(world.fresh(world.clerk_a))


def test_scope_is_computed_once_per_user_object(world, django_assert_num_queries):
    user = User.objects.get(pk=world.reviewer.pk)
    with django_assert_num_queries(2):
        for _ in range(5):
            scope_ids(user)
            OrganisationPolicy().can(user, "view_office", world.unit_a)
    clear_scope_cache(user)
    with django_assert_num_queries(2):
        scope_ids(user)


def test_granting_and_revoking_a_role_takes_effect_for_that_user_object(world):
    clerk = world.clerk_a
    assert world.unit_b.pk not in scope_ids(clerk)
    a = actions.grant_role(actor=world.county_admin, user=clerk, organisation=world.unit_b, role=Role.CLERK)
    assert world.unit_b.pk in scope_ids(clerk)
    actions.revoke_role(actor=world.county_admin, assignment=a)
    assert world.unit_b.pk not in scope_ids(clerk)


# --- role actions -------------------------------------------------------------------------------


def test_granting_a_role_is_recorded(world):
    user = factories.make_staff(actor=world.root, organisation=world.unit_b, role=Role.CLERK)
    actions.grant_role(actor=world.county_admin, user=user, organisation=world.unit_a, role=Role.CLERK)
    from gongkai.audit.models import AuditEvent

    event = AuditEvent.objects.filter(verb="orgs.grant_role", object_id=str(user.pk)).order_by("-seq").first()
    assert event.actor == world.county_admin
    assert event.organisation_id == world.unit_a.pk
    assert event.after == {"role": "clerk", "organisation": world.unit_a.pk, "covers_subunits": False}


def test_revoking_a_role_is_recorded_with_what_was_removed(world):
    from gongkai.audit.models import AuditEvent

    assignment = RoleAssignment.objects.get(user=world.clerk_a)
    actions.revoke_role(actor=world.county_admin, assignment=assignment, reason="调岗")
    assert not RoleAssignment.objects.filter(user=world.clerk_a).exists()
    event = AuditEvent.objects.get(verb="orgs.revoke_role")
    assert event.actor == world.county_admin
    assert event.before == {"role": "clerk", "organisation": world.unit_a.pk, "covers_subunits": False}
    assert event.reason == "调岗"


def test_citizens_cannot_hold_staff_roles(world):
    from gongkai.core.actions import ActionError

    with pytest.raises(ActionError):
        actions.grant_role(actor=world.root, user=world.citizen, organisation=world.unit_a, role=Role.CLERK)
    assert not RoleAssignment.objects.filter(user=world.citizen).exists()


@pytest.mark.parametrize("case", ["already held", "unknown role", "inactive unit"])
def test_bad_role_grants_are_refused(world, case):
    from gongkai.core.actions import ActionError

    role, target = ("mayor" if case == "unknown role" else Role.CLERK), world.unit_a
    if case == "inactive unit":
        actions.set_organisation_active(
            actor=world.root, organisation=world.unit_b, active=False, reason="撤销"
        )
        target = Organisation.objects.get(pk=world.unit_b.pk)
    before = RoleAssignment.objects.count()
    with pytest.raises(ActionError):
        actions.grant_role(actor=world.root, user=world.clerk_a, organisation=target, role=role)
    assert RoleAssignment.objects.count() == before


@pytest.mark.parametrize("persona", ["clerk_a", "reviewer", "supervisor", "other_admin", "anonymous"])
def test_only_administrators_grant_roles(world, persona):
    from django.core.exceptions import PermissionDenied

    before = RoleAssignment.objects.count()
    with pytest.raises(PermissionDenied):
        actions.grant_role(
            actor=getattr(world, persona), user=world.clerk_b, organisation=world.unit_a, role=Role.CLERK
        )
    assert RoleAssignment.objects.count() == before


def test_administrators_cannot_remove_their_own_administrator_role(world):
    from gongkai.core.actions import ActionError

    own = RoleAssignment.objects.get(user=world.county_admin)
    with pytest.raises(ActionError):
        actions.revoke_role(actor=world.county_admin, assignment=own)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("persona", ["clerk_a", "clerk_b", "reviewer", "other_admin"])
def test_only_administrators_of_the_unit_revoke_roles(world, persona):
    from django.core.exceptions import PermissionDenied

    assignment = RoleAssignment.objects.get(user=world.clerk_a)
    with pytest.raises(PermissionDenied):
        actions.revoke_role(actor=getattr(world, persona), assignment=assignment)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


# --- organisation policy ------------------------------------------------------------------------


def test_the_directory_of_active_units_is_public(world):
    visible = set(OrganisationPolicy().visible_to(world.anonymous))
    assert visible == {world.county, world.unit_a, world.unit_b, world.township, world.other_county}


def test_the_back_office_page_of_a_unit_is_for_its_own_staff(world):
    policy = OrganisationPolicy()
    assert policy.can(world.clerk_a, "view_office", world.unit_a)
    assert not policy.can(world.clerk_a, "view_office", world.unit_b)
    assert not policy.can(world.clerk_a, "view_office", world.county)
    assert not policy.can(world.other_admin, "view_office", world.unit_a)
    assert not policy.can(world.citizen, "view_office", world.unit_a)
    assert policy.can(world.supervisor, "view_office", world.unit_b)
    assert policy.can(world.root, "view_office", world.other_county)
    assert set(policy.filter(world.clerk_a, "view_office")) == {world.unit_a}


def test_reviewers_and_supervisors_see_but_do_not_change_units(world):
    policy = OrganisationPolicy()
    for persona in ("reviewer", "supervisor"):
        user = getattr(world, persona)
        assert policy.can(user, "view_audit", world.unit_a)
        for verb in ("change", "add_child", "manage_roles"):
            assert not policy.can(user, verb, world.unit_a), (persona, verb)


def test_a_clerk_sees_only_the_role_assignments_of_their_unit(world):
    visible = set(RoleAssignmentPolicy().visible_to(world.clerk_a))
    assert visible == set(RoleAssignment.objects.filter(organisation=world.unit_a))
    assert {a.user for a in visible} == {world.clerk_a}


def test_unknown_verbs_are_denied_to_everyone(world):
    for persona in PERSONAS:
        user = getattr(world, persona)
        for obj in (world.county, RoleAssignment.objects.first(), world.clerk_a):
            policy = policy_for(obj)
            assert not policy.can(user, "frobnicate", obj)
            assert not policy.can(user, "", obj)
            assert not policy.filter(user, "delete_everything").exists()


def test_a_policy_without_a_view_rule_shows_nothing(world):
    class Closed(Policy):
        model = Organisation
        rules = {}

    assert not Closed().visible_to(world.root).exists()
    assert not Closed().can(world.root, "view", world.county)


# --- consistency: lists and single checks agree ---------------------------------------------------


@pytest.fixture
def crowded_world(world):
    """The world plus the awkward cases: an inactive unit and account, a user with roles in
    two counties, a role not covering sub-units, and live, revoked and expired tokens."""
    actions.set_organisation_active(
        actor=world.root, organisation=world.township, active=False, reason="撤并"
    )
    two_hats = factories.make_staff(
        actor=world.root, organisation=world.unit_b, role=Role.CLERK, username="two_hats"
    )
    actions.grant_role(actor=world.root, user=two_hats, organisation=world.other_county, role=Role.REVIEWER)
    actions.grant_role(
        actor=world.root,
        user=world.clerk_b,
        organisation=world.county,
        role=Role.SUPERVISOR,
        covers_subunits=False,
    )
    leaver = factories.make_staff(
        actor=world.root, organisation=world.unit_a, role=Role.CLERK, username="leaver"
    )
    for persona in ("clerk_a", "county_admin", "other_admin", "root"):
        create_api_token(actor=getattr(world, persona), name=f"{persona} script", scope=TokenScope.WRITE)
    create_api_token(actor=leaver, name="leaver script")
    token, _ = create_api_token(
        actor=world.clerk_b, name="old", expires_at=timezone.now() + timedelta(days=1)
    )
    revoke_api_token(actor=world.clerk_b, token=token)
    set_user_active(actor=world.root, user=leaver, active=False, reason="离职")
    for persona in PERSONAS:
        user = getattr(world, persona)
        if persona != "anonymous":
            user.refresh_from_db()
        clear_scope_cache(user)
    return world


def all_objects():
    return [
        *Organisation.objects.all(),
        *User.objects.all(),
        *RoleAssignment.objects.all(),
        *ApiToken.objects.all(),
    ]


def test_visible_to_and_can_view_agree_for_every_persona_and_object(crowded_world):
    w = crowded_world
    objects = all_objects()
    assert len(objects) > 30
    for persona, obj in itertools.product(PERSONAS, objects):
        user = getattr(w, persona)
        policy = policy_for(obj)
        listed = policy.visible_to(user).filter(pk=obj.pk).exists()
        assert listed == policy.can(user, "view", obj), (persona, obj)


def test_filter_and_can_agree_for_every_verb_persona_and_object(crowded_world):
    w = crowded_world
    objects = all_objects()
    users = [getattr(w, p) for p in PERSONAS] + list(User.objects.filter(username__in=["two_hats", "leaver"]))
    for user, obj in itertools.product(users, objects):
        policy = policy_for(obj)
        for verb in policy.rules:
            in_list = policy.filter(user, verb).filter(pk=obj.pk).exists()
            assert in_list == policy.can(user, verb, obj), (user, verb, obj)


def test_the_consistency_check_is_not_vacuous(crowded_world):
    """Each persona sees some objects and is refused others (except the platform administrator)."""
    w = crowded_world
    objects = all_objects()
    for persona in PERSONAS:
        user = getattr(w, persona)
        seen = [o for o in objects if policy_for(o).can(user, "view", o)]
        if persona == "root":
            assert len(seen) == len(objects)
        else:
            assert 0 < len(seen) < len(objects), persona


def _next_org_id_will_be(value: int) -> None:
    """Move the id sequence so that the next organisation gets ``value`` (test set-up only)."""
    from django.db import connection

    table = Organisation._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, value - 1])
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [value - 1, table])


def test_covering_sub_units_follows_the_tree_not_the_digits_of_ids(world):
    """A role on organisation 1 must not reach organisation 12 (paths /1/ and /12/)."""
    prefix = str(world.county.pk)
    _next_org_id_will_be(int(prefix + "0"))
    lookalike = factories.make_org(actor=world.root, parent=None, kind=OrgKind.GOVERNMENT)
    assert str(lookalike.pk).startswith(prefix) and lookalike.path.startswith(f"/{prefix}")
    for persona in ("county_admin", "reviewer", "supervisor"):
        assert lookalike.pk not in scope_ids(world.fresh(getattr(world, persona))), persona


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("roles", [tuple(Role.values), (Role.ADMIN,), (Role.CLERK, Role.REVIEWER), (Role.WINDOW,)])
def test_a_wide_scope_filters_by_a_subquery_holding_the_same_organisations(world, persona, roles, monkeypatch):
    user = getattr(world, persona, None) or AnonymousUser()
    world.township.is_active = False  # a deactivated unit stays in reach of the roles above it
    world.township.save(update_fields=["is_active"])
    expected = scope_ids(user, roles)
    monkeypatch.setattr(scope, "IN_LIST_MAX", 0)
    clear_scope_cache(user)
    value = scope_in(user, roles)
    assert set(Organisation.objects.filter(pk__in=value).values_list("pk", flat=True)) == expected
    if expected:
        assert not isinstance(value, frozenset)
        condition = str(Organisation.objects.filter(in_scope(*roles, field="pk").q(user)).query)
        assert "SELECT" in condition.split("WHERE", 1)[1]  # a subquery, not a list of ids


def test_a_narrow_scope_filters_by_its_ids(world):
    assert scope_in(world.clerk_a) == frozenset({world.unit_a.pk})
