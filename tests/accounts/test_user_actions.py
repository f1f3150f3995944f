"""Staff and citizen accounts: creation rules, changes, deactivation."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied

from gongkai.accounts import actions
from gongkai.accounts.models import User, UserKind
from gongkai.accounts.policies import UserPolicy
from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.orgs.actions import grant_role
from gongkai.orgs.models import Role, RoleAssignment
from tests import factories

GOOD_PASSWORD = "Tea-garden-2025"


def counts() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count()


def create(actor, organisation, **kw):
    kw.setdefault("role", Role.CLERK)
    kw.setdefault("username", "new_clerk")
    kw.setdefault("password", GOOD_PASSWORD)
    return actions.create_staff_user(actor=actor, organisation=organisation, **kw)


# --- creating staff ---------------------------------------------------------------------------


def test_an_administrator_creates_a_clerk_holding_a_role_in_the_unit(world):
    user = create(world.county_admin, world.unit_a, display_name="李四", email="li@example.cn ")
    assert user.kind == UserKind.STAFF and user.is_active and not user.is_superuser
    assert user.email == "li@example.cn"
    assert user.check_password(GOOD_PASSWORD)
    assert list(user.role_assignments.values_list("organisation_id", "role", "covers_subunits")) == [
        (world.unit_a.pk, "clerk", False)
    ]
    created = AuditEvent.objects.get(verb="accounts.create_user", object_id=str(user.pk))
    assert created.actor == world.county_admin
    assert created.organisation_id == world.unit_a.pk
    assert created.after["username"] == "new_clerk"
    assert "password" not in created.after
    assert AuditEvent.objects.filter(verb="orgs.grant_role", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    "password",
    ["short1!", "1234567890123", "password123", "new_clerk_2025", "qwertyuiop"],
    ids=["too short", "only digits", "common", "like the user name", "common keyboard"],
)
def test_a_weak_password_is_refused_and_nothing_is_created(world, password):
    before = counts()
    with pytest.raises(ActionError) as info:
        create(world.county_admin, world.unit_a, password=password)
    assert "password" in info.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("username", ["clerk_a", "CLERK_A", "Clerk_A", " clerk_a "])
def test_a_taken_user_name_is_refused_whatever_its_case(world, username):
    before = counts()
    with pytest.raises(ActionError) as info:
        create(world.county_admin, world.unit_a, username=username)
    assert "username" in info.value.message_dict
    assert counts() == before


def test_a_citizen_user_name_is_also_taken(world):
    with pytest.raises(ActionError):
        create(world.county_admin, world.unit_a, username="Citizen")


@pytest.mark.parametrize("username", ["", "has space", "a" * 151, "斜杠/名字"])
def test_an_invalid_user_name_is_refused(world, username):
    before = counts()
    with pytest.raises(ActionError):
        create(world.county_admin, world.unit_a, username=username)
    assert counts() == before


def test_an_unknown_role_rolls_back_the_new_account(world):
    before = counts()
    with pytest.raises(ActionError):
        create(world.county_admin, world.unit_a, role="mayor")
    assert counts() == before
    assert not User.objects.filter(username="new_clerk").exists()


@pytest.mark.parametrize("persona", ["clerk_a", "reviewer", "supervisor", "window", "other_admin", "citizen"])
def test_only_administrators_of_the_unit_create_staff_accounts(world, persona):
    before = counts()
    with pytest.raises(PermissionDenied):
        create(getattr(world, persona), world.unit_a)
    assert counts() == before


def test_no_staff_account_is_created_in_a_deactivated_unit(world):
    from gongkai.orgs.actions import set_organisation_active
    from gongkai.orgs.models import Organisation

    set_organisation_active(actor=world.root, organisation=world.township, active=False, reason="撤并")
    before = counts()
    with pytest.raises((ActionError, PermissionDenied)):
        create(world.fresh(world.county_admin), Organisation.objects.get(pk=world.township.pk))
    assert counts() == before


def test_production_hashes_passwords_with_argon2(world, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = create(world.county_admin, world.unit_a)
    assert user.password.startswith("argon2$")
    assert GOOD_PASSWORD not in user.password


# --- citizens ---------------------------------------------------------------------------------


def test_a_citizen_registers_their_own_account(db):
    user = actions.register_citizen(
        actor=None, username="wangwu", password=GOOD_PASSWORD, display_name="王五"
    )
    assert user.is_citizen and user.kind == UserKind.CITIZEN
    event = AuditEvent.objects.get(verb="accounts.register_citizen")
    assert event.actor == user


def test_citizen_registration_applies_the_same_rules(world):
    before = counts()
    for kw in ({"username": "CITIZEN"}, {"username": "zhao", "password": "12345"}):
        with pytest.raises(ActionError):
            actions.register_citizen(actor=None, **{"password": GOOD_PASSWORD, **kw})
    assert counts() == before


def test_citizens_cannot_hold_roles(world):
    before = counts()
    with pytest.raises(ActionError):
        grant_role(actor=world.root, user=world.citizen, organisation=world.unit_a, role=Role.CLERK)
    assert counts() == before


def test_only_platform_administrators_create_platform_administrators(world):
    with pytest.raises(PermissionDenied):
        actions.create_platform_admin(actor=world.county_admin, username="root2", password=GOOD_PASSWORD)
    admin = actions.create_platform_admin(actor=world.root, username="root2", password=GOOD_PASSWORD)
    assert admin.is_superuser
    assert (
        AuditEvent.objects.get(verb="accounts.create_platform_admin", object_id=str(admin.pk)).actor
        == world.root
    )


# --- changing accounts ------------------------------------------------------------------------


def test_an_administrator_updates_a_clerks_details_and_the_change_is_recorded(world):
    actions.update_user(
        actor=world.county_admin, user=world.clerk_a, display_name="李会计", email="a@b.cn", phone="1"
    )
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.display_name == "李会计"
    event = AuditEvent.objects.get(verb="accounts.update_user")
    assert event.before["display_name"] == "clerk_a" and event.after["display_name"] == "李会计"


def test_an_invalid_email_changes_nothing(world):
    with pytest.raises(ActionError):
        actions.update_user(
            actor=world.county_admin, user=world.clerk_a, display_name="X", email="nope", phone=""
        )
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.display_name == "clerk_a"


@pytest.mark.parametrize("persona", ["clerk_b", "reviewer", "supervisor", "other_admin", "clerk_a"])
def test_only_administrators_change_an_account(world, persona):
    with pytest.raises(PermissionDenied):
        actions.update_user(
            actor=getattr(world, persona), user=world.clerk_a, display_name="X", email="", phone=""
        )


def test_users_set_their_own_password_and_it_is_not_recorded(world):
    actions.set_user_password(actor=world.clerk_a, user=world.clerk_a, password="New-password-77")
    assert authenticate(username="clerk_a", password="New-password-77") is not None
    event = AuditEvent.objects.get(verb="accounts.set_password")
    assert event.before is None and event.after is None
    assert "New-password" not in str(event.payload())


def test_a_weak_new_password_is_refused(world):
    with pytest.raises(ActionError):
        actions.set_user_password(actor=world.clerk_a, user=world.clerk_a, password="clerk_a123")
    assert authenticate(username="clerk_a", password=factories.PASSWORD) is not None


def test_a_clerk_cannot_set_another_clerks_password(world):
    with pytest.raises(PermissionDenied):
        actions.set_user_password(actor=world.clerk_a, user=world.clerk_b, password="Takeover-pass-1")
    assert authenticate(username="clerk_b", password=factories.PASSWORD) is not None


def test_a_county_administrator_cannot_take_over_a_platform_administrator(world):
    """Even when the platform administrator also holds a role in the county."""
    grant_role(actor=world.root, user=world.root, organisation=world.unit_a, role=Role.CLERK)
    admin = world.fresh(world.county_admin)
    assert UserPolicy().can(admin, "view", world.root)
    with pytest.raises(PermissionDenied):
        actions.set_user_password(actor=admin, user=world.root, password="Takeover-pass-1")
    with pytest.raises(PermissionDenied):
        actions.set_user_active(actor=admin, user=world.root, active=False, reason="x")
    world.root.refresh_from_db()
    assert world.root.is_active and world.root.check_password(factories.PASSWORD)


def test_a_county_administrator_cannot_take_over_someone_who_also_works_in_another_county(world):
    grant_role(actor=world.root, user=world.other_admin, organisation=world.unit_a, role=Role.CLERK)
    admin = world.fresh(world.county_admin)
    assert UserPolicy().can(admin, "view", world.other_admin)
    for verb in ("change", "set_password"):
        assert not UserPolicy().can(admin, verb, world.other_admin)
        assert world.other_admin not in UserPolicy().filter(admin, verb)
    with pytest.raises(PermissionDenied):
        actions.set_user_password(actor=admin, user=world.other_admin, password="Takeover-pass-1")


def test_granting_someone_a_role_does_not_hand_their_account_to_the_granter(world):
    grant_role(actor=world.county_admin, user=world.other_admin, organisation=world.unit_a, role=Role.CLERK)
    with pytest.raises(PermissionDenied):
        actions.set_user_password(
            actor=world.fresh(world.county_admin), user=world.other_admin, password="Takeover-pass-1"
        )


# --- deactivating -----------------------------------------------------------------------------


def test_deactivating_an_account_is_recorded_with_the_reason(world):
    actions.set_user_active(actor=world.county_admin, user=world.clerk_a, active=False, reason="离职")
    world.clerk_a.refresh_from_db()
    assert not world.clerk_a.is_active
    event = AuditEvent.objects.get(verb="accounts.set_active")
    assert (event.actor, event.before, event.after, event.reason) == (
        world.county_admin, {"is_active": True}, {"is_active": False}, "离职",
    )  # fmt: skip
    assert authenticate(username="clerk_a", password=factories.PASSWORD) is None


@pytest.mark.parametrize("persona", ["county_admin", "root"])
def test_nobody_deactivates_their_own_account(world, persona):
    user = getattr(world, persona)
    with pytest.raises(ActionError):
        actions.set_user_active(actor=user, user=user, active=False, reason="test")
    user.refresh_from_db()
    assert user.is_active


def test_deactivation_needs_a_reason(world):
    with pytest.raises(ActionError) as info:
        actions.set_user_active(actor=world.county_admin, user=world.clerk_a, active=False, reason=" ")
    assert "reason" in info.value.message_dict
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.is_active


@pytest.mark.parametrize("persona", ["clerk_b", "reviewer", "other_admin", "citizen", "anonymous"])
def test_only_administrators_deactivate_accounts(world, persona):
    with pytest.raises(PermissionDenied):
        actions.set_user_active(actor=getattr(world, persona), user=world.clerk_a, active=False, reason="x")
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.is_active


def test_an_administrator_reactivates_an_account(world):
    actions.set_user_active(actor=world.county_admin, user=world.clerk_a, active=False, reason="离职")
    actions.set_user_active(actor=world.county_admin, user=world.clerk_a, active=True, reason="返岗")
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.is_active
    assert AuditEvent.objects.filter(verb="accounts.set_active").count() == 2


# --- who sees which account -------------------------------------------------------------------


def test_a_clerk_sees_only_their_own_account(world):
    assert set(UserPolicy().visible_to(world.clerk_a)) == {world.clerk_a}


def test_a_county_administrator_sees_the_staff_of_the_county_and_nobody_else(world):
    visible = set(UserPolicy().visible_to(world.county_admin))
    assert visible == {
        world.county_admin,
        world.reviewer,
        world.supervisor,
        world.clerk_a,
        world.clerk_b,
        world.window,
    }


def test_citizens_and_anonymous_see_no_staff_accounts(world):
    assert set(UserPolicy().visible_to(world.citizen)) == {world.citizen}
    assert not UserPolicy().visible_to(world.anonymous).exists()
