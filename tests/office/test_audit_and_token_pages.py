"""The audit log pages and API tokens in the back office."""

from __future__ import annotations

import re

import pytest

from gongkai.accounts.actions import create_api_token
from gongkai.accounts.models import ApiToken, hash_token
from gongkai.orgs import actions


@pytest.fixture
def secret_change(world):
    """A change in unit_b that unit_a's clerk must never see."""
    actions.update_organisation(
        actor=world.county_admin,
        organisation=world.unit_b,
        office_name="教育局机要科",
        reason="教育局内部调整",
    )
    return "教育局内部调整"


def test_the_audit_log_shows_a_clerk_nothing_of_other_units(world, as_, secret_change):
    body = as_("clerk_a").get("/office/audit/").content.decode()
    assert secret_change not in body and "教育局机要科" not in body
    assert "攸县教育局" not in body
    assert as_("clerk_a").get("/office/audit/", {"verb": "orgs."}).content.decode().count(secret_change) == 0


def test_the_dashboard_shows_a_clerk_no_changes_of_other_units(world, as_, secret_change):
    assert secret_change not in as_("clerk_a").get("/office/").content.decode()


@pytest.mark.parametrize("persona", ["county_admin", "reviewer", "supervisor", "root"])
def test_the_county_staff_who_oversee_units_see_their_changes(world, as_, persona, secret_change):
    client = as_(persona)
    assert secret_change in client.get("/office/audit/").content.decode()
    assert secret_change in client.get("/office/audit/", {"verb": "orgs.update"}).content.decode()
    assert secret_change not in client.get("/office/audit/", {"verb": "accounts."}).content.decode()


@pytest.mark.parametrize("persona", ["other_admin", "clerk_b", "window"])
def test_staff_of_other_counties_and_units_do_not_see_them(world, as_, persona, secret_change):
    assert secret_change not in as_(persona).get("/office/audit/").content.decode()


def test_only_the_platform_administrator_verifies_the_chain(world, as_):
    assert as_("county_admin").get("/office/audit/verify/").status_code == 403
    client = as_("root")
    assert client.get("/office/audit/verify/").status_code == 200
    response = client.post("/office/audit/verify/")
    assert response.status_code == 200


def test_a_new_token_is_shown_once(world, as_):
    client = as_("clerk_a")
    response = client.post("/office/tokens/", {"name": "导出脚本", "scope": "read", "expires_on": ""})
    assert response.status_code == 200
    raw = re.search(r'<p class="token">(gk_[^<]+)</p>', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=world.clerk_a)
    assert token.key_hash == hash_token(raw)
    again = client.get("/office/tokens/").content.decode()
    assert raw not in again and "导出脚本" in again and token.prefix in again


def test_a_token_form_with_bad_input_creates_nothing(world, as_):
    client = as_("clerk_a")
    for data in ({"name": "", "scope": "read"}, {"name": "x", "scope": "root"}, {"name": "x", "scope": "read", "expires_on": "2025-02-30"},
                 {"name": "x", "scope": "read", "expires_on": "2001-01-01"}):  # fmt: skip
        response = client.post("/office/tokens/", data)
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode(), data
    assert not ApiToken.objects.exists()


def test_tokens_are_listed_only_to_their_owner(world, as_):
    create_api_token(actor=world.clerk_b, name="教育局脚本")
    assert "教育局脚本" not in as_("clerk_a").get("/office/tokens/").content.decode()
    assert "教育局脚本" not in as_("root").get("/office/tokens/").content.decode()  # the page lists one's own


def test_a_token_is_revoked_by_its_owner_and_not_by_others(world, as_):
    token, _ = create_api_token(actor=world.clerk_b, name="教育局脚本")
    for persona in ("clerk_a", "county_admin"):
        assert as_(persona).post(f"/office/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    response = as_("clerk_b").post(f"/office/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
