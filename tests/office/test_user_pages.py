"""Staff accounts in the back office: lists, details, creating a clerk, roles, passwords."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate

from gongkai.accounts.models import User
from gongkai.audit.models import AuditEvent
from gongkai.orgs.models import Organisation, Role, RoleAssignment
from tests import factories

NEW_PASSWORD = "Lotus-pond-2025"


def errors(response) -> str:
    return " ".join(re.findall(r'role="alert">(.*?)</div>', response.content.decode(), re.S))


def staff_form(organisation, **over) -> dict:
    return {
        "username": "new_clerk", "display_name": "赵六", "email": "", "phone": "", "organisation": organisation.pk,
        "role": "clerk", "password": NEW_PASSWORD, **over,
    }  # fmt: skip


def state() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count()


def test_a_clerk_sees_only_themselves_in_the_user_list(world, as_):
    body = as_("clerk_a").get("/office/users/").content.decode()
    assert "clerk_a" in body
    for name in ("clerk_b", "county_admin", "reviewer", "other_admin", "window"):
        assert name not in body


def test_the_county_administrator_sees_the_county_staff_only(world, as_):
    body = as_("county_admin").get("/office/users/").content.decode()
    for name in ("clerk_a", "clerk_b", "reviewer", "supervisor", "window"):
        assert name in body
    assert "other_admin" not in body and "citizen" not in body


def test_the_user_list_can_be_searched(world, as_):
    body = as_("county_admin").get("/office/users/", {"q": "clerk"}).content.decode()
    assert "clerk_a" in body and "clerk_b" in body and "reviewer" not in body


def test_a_clerk_gets_404_for_other_users_pages(world, as_):
    client = as_("clerk_a")
    for user in (world.clerk_b, world.county_admin, world.root, world.citizen, world.other_admin):
        for suffix in ("", "edit/", "password/", "active/"):
            assert client.get(f"/office/users/{user.pk}/{suffix}").status_code == 404, (user, suffix)
    assert client.get(f"/office/users/{world.clerk_a.pk}/").status_code == 200


def test_a_clerk_cannot_create_accounts(world, as_):
    before = state()
    client = as_("clerk_a")
    assert client.get("/office/users/new/").status_code == 403
    assert client.post("/office/users/new/", staff_form(world.unit_a)).status_code == 403
    assert state() == before


def test_the_county_administrator_creates_a_department_and_a_clerk_who_then_sees_only_it(world, as_, client):
    admin = as_("county_admin")
    response = admin.post(
        "/office/organisations/new/",
        {
            "kind": "department",
            "name": "攸县统计局",
            "code": factories.org_code(),
            "sort_order": "0",
            "parent": world.county.pk,
        },  # fmt: skip
    )
    assert response.status_code == 302
    dept = Organisation.objects.get(name="攸县统计局")
    page = admin.get(f"/office/users/new/?organisation={dept.pk}")
    assert page.status_code == 200 and "攸县统计局" in page.content.decode()
    response = admin.post("/office/users/new/", staff_form(dept, username="tongji_clerk"))
    new = User.objects.get(username="tongji_clerk")
    assert response.status_code == 302 and response["Location"] == f"/office/users/{new.pk}/"
    assert list(new.role_assignments.values_list("organisation_id", "role")) == [(dept.pk, "clerk")]

    # The new clerk signs in with the password chosen by the administrator.
    admin.logout()
    response = client.post("/office/login/", {"username": "tongji_clerk", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/office/organisations/{dept.pk}/").status_code == 200
    assert client.get(f"/office/organisations/{world.unit_b.pk}/").status_code == 404
    assert client.get(f"/office/organisations/{world.unit_a.pk}/").status_code == 404
    assert client.get(f"/office/users/{world.clerk_b.pk}/").status_code == 404
    body = client.get("/office/organisations/").content.decode()
    assert "攸县统计局" in body and "攸县教育局" not in body


@pytest.mark.parametrize(
    "over, message",
    [
        ({"password": "123456789012"}, "entirely numeric"),
        ({"password": "short"}, "too short"),
        ({"password": "password1234"}, "too common"),
        ({"username": "CLERK_A"}, "taken"),
        ({"username": "has space"}, "letters, digits"),
        ({"username": ""}, "required"),
        ({"display_name": ""}, "required"),
        ({"email": "nope"}, "valid email"),
        ({"role": "mayor"}, "valid choice"),
    ],
)
def test_bad_input_in_the_new_account_form_is_shown_and_creates_nothing(world, as_, over, message):
    before = state()
    response = as_("county_admin").post("/office/users/new/", staff_form(world.unit_a, **over))
    assert response.status_code == 200
    assert message in errors(response)
    assert state() == before
    assert NEW_PASSWORD not in response.content.decode()


def test_an_organisation_outside_the_administrators_reach_is_not_a_valid_choice(world, as_):
    before = state()
    response = as_("county_admin").post("/office/users/new/", staff_form(world.other_county))
    assert response.status_code == 200
    assert "valid choice" in errors(response)
    assert state() == before
    assert "茶陵县人民政府" not in response.content.decode()


def test_the_administrator_edits_a_clerks_details(world, as_):
    response = as_("county_admin").post(
        f"/office/users/{world.clerk_a.pk}/edit/",
        {"display_name": "李会计", "email": "li@yx.gov.cn", "phone": ""},
    )
    assert response.status_code == 302
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.display_name == "李会计"


def test_a_bad_email_in_the_edit_form_changes_nothing(world, as_):
    response = as_("county_admin").post(
        f"/office/users/{world.clerk_a.pk}/edit/", {"display_name": "李会计", "email": "nope", "phone": ""}
    )
    assert response.status_code == 200 and "valid email" in errors(response)
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.display_name == "clerk_a"


def test_users_change_their_own_password_and_stay_signed_in(world, as_):
    client = as_("clerk_a")
    url = f"/office/users/{world.clerk_a.pk}/password/"
    response = client.post(
        url, {"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert authenticate(username="clerk_a", password=NEW_PASSWORD) is not None
    assert client.get("/office/").status_code == 200


def test_changing_ones_own_password_needs_the_current_one(world, as_):
    url = f"/office/users/{world.clerk_a.pk}/password/"
    response = as_("clerk_a").post(
        url, {"current": "not-my-password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 200 and "current password is wrong" in errors(response)
    assert authenticate(username="clerk_a", password=factories.PASSWORD) is not None


def test_an_administrator_resets_a_password_without_knowing_it(world, as_):
    url = f"/office/users/{world.clerk_a.pk}/password/"
    response = as_("county_admin").post(url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert authenticate(username="clerk_a", password=NEW_PASSWORD) is not None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"password": NEW_PASSWORD, "confirm": "different-123"}, "differ"),
        ({"password": "short", "confirm": "short"}, "too short"),
        ({"password": "", "confirm": ""}, "required"),
    ],
)
def test_bad_new_passwords_are_refused(world, as_, data, message):
    response = as_("clerk_a").post(
        f"/office/users/{world.clerk_a.pk}/password/", {"current": factories.PASSWORD, **data}
    )
    assert response.status_code == 200 and message in errors(response)
    assert authenticate(username="clerk_a", password=factories.PASSWORD) is not None


def test_the_administrator_deactivates_an_account_and_its_owner_is_signed_out(world, as_, client):
    client.force_login(world.clerk_a)
    admin_client = type(client)(HTTP_ACCEPT_LANGUAGE="en")
    admin_client.force_login(world.county_admin)
    response = admin_client.post(f"/office/users/{world.clerk_a.pk}/active/", {"reason": "离职"})
    assert response.status_code == 302
    world.clerk_a.refresh_from_db()
    assert not world.clerk_a.is_active
    assert client.get("/office/").status_code == 302  # the old session no longer works


def test_deactivating_an_account_needs_a_reason(world, as_):
    response = as_("county_admin").post(f"/office/users/{world.clerk_a.pk}/active/", {"reason": ""})
    assert response.status_code == 200 and "required" in errors(response)
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.is_active


def test_administrators_cannot_deactivate_themselves_through_the_form(world, as_):
    response = as_("county_admin").post(f"/office/users/{world.county_admin.pk}/active/", {"reason": "x"})
    assert response.status_code == 200 and "your own account" in errors(response)
    world.county_admin.refresh_from_db()
    assert world.county_admin.is_active


def test_the_administrator_grants_and_removes_a_role(world, as_):
    client = as_("county_admin")
    response = client.post(
        f"/office/users/{world.clerk_a.pk}/roles/",
        {"organisation": world.unit_b.pk, "role": "clerk", "covers_subunits": ""},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=world.clerk_a, organisation=world.unit_b)
    assert "Role granted" in client.get(response["Location"]).content.decode()
    response = client.post(f"/office/roles/{assignment.pk}/revoke/", {"reason": "借调结束"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_duplicate_role_grant_shows_a_message_and_changes_nothing(world, as_):
    before = state()
    client = as_("county_admin")
    response = client.post(
        f"/office/users/{world.clerk_a.pk}/roles/",
        {"organisation": world.unit_a.pk, "role": "clerk"},
        follow=True,
    )
    assert "already holds this role" in response.content.decode()
    response = client.post(
        f"/office/users/{world.clerk_a.pk}/roles/", {"organisation": "", "role": "x"}, follow=True
    )
    assert "Choose an organisation and a role" in response.content.decode()
    assert state() == before


def test_outsiders_cannot_grant_or_remove_roles(world, as_):
    before = state()
    assignment = RoleAssignment.objects.get(user=world.clerk_a)
    for persona in ("clerk_b", "reviewer", "other_admin"):
        client = as_(persona)
        response = client.post(f"/office/roles/{assignment.pk}/revoke/")
        assert response.status_code == 404, persona
        client.post(
            f"/office/users/{world.clerk_a.pk}/roles/", {"organisation": world.unit_a.pk, "role": "admin"}
        )
    assert state() == before
    assert not RoleAssignment.objects.filter(user=world.clerk_a, role=Role.ADMIN).exists()


def test_a_county_administrator_cannot_reset_the_password_of_someone_working_elsewhere_too(world, as_):
    from gongkai.orgs.actions import grant_role

    grant_role(actor=world.root, user=world.other_admin, organisation=world.unit_a, role=Role.CLERK)
    client = as_("county_admin")
    assert client.get(f"/office/users/{world.other_admin.pk}/").status_code == 200
    response = client.post(
        f"/office/users/{world.other_admin.pk}/password/", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 404
    assert authenticate(username="other_admin", password=factories.PASSWORD) is not None
