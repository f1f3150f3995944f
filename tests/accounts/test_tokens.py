"""API tokens: only a hash is stored, the key is shown once, revoked or expired keys are dead."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongkai.accounts import actions
from gongkai.accounts.models import ApiToken, TokenScope, hash_token
from gongkai.accounts.policies import ApiTokenPolicy
from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError


def test_only_the_hash_of_a_new_token_is_stored(world):
    token, raw = actions.create_api_token(actor=world.clerk_a, name="导出脚本", scope=TokenScope.READ)
    assert raw.startswith("gk_") and len(raw) > 40
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest() == hash_token(raw)
    assert token.prefix == raw[:10]
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(raw in v for v in stored)


def test_the_key_is_shown_once_and_cannot_be_read_back(world):
    token, raw = actions.create_api_token(actor=world.clerk_a, name="x")
    again = ApiToken.objects.get(pk=token.pk)
    assert not any(raw in str(getattr(again, f.attname)) for f in ApiToken._meta.concrete_fields)
    assert raw not in str(again)


def test_creating_a_token_is_recorded_without_the_key(world):
    token, raw = actions.create_api_token(actor=world.clerk_a, name="报表", scope=TokenScope.WRITE)
    event = AuditEvent.objects.get(verb="accounts.create_token")
    assert event.actor == world.clerk_a
    assert event.after == {"name": "报表", "scope": "write"}
    assert raw not in str(event.payload())


def test_every_token_is_different(world):
    raws = {actions.create_api_token(actor=world.clerk_a, name=f"t{i}")[1] for i in range(5)}
    assert len(raws) == 5


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": "  "}, "name"),
        ({"name": "x", "scope": "admin"}, "scope"),
        ({"name": "x", "expires_at": timezone.now() - timedelta(minutes=1)}, "expires_at"),
    ],
)
def test_bad_token_requests_are_refused(world, kwargs, field):
    with pytest.raises(ActionError) as info:
        actions.create_api_token(actor=world.clerk_a, **kwargs)
    assert field in info.value.message_dict
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("persona", ["citizen", "anonymous"])
def test_citizens_and_anonymous_get_no_tokens(world, persona):
    with pytest.raises(PermissionDenied):
        actions.create_api_token(actor=getattr(world, persona), name="x")
    assert not ApiToken.objects.exists()


def test_a_new_token_is_usable_and_a_revoked_one_is_not(world):
    token, _ = actions.create_api_token(actor=world.clerk_a, name="x")
    assert token.is_usable
    actions.revoke_api_token(actor=world.clerk_a, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_usable
    assert AuditEvent.objects.filter(verb="accounts.revoke_token").count() == 1
    actions.revoke_api_token(actor=world.clerk_a, token=token)  # again: nothing new
    assert AuditEvent.objects.filter(verb="accounts.revoke_token").count() == 1


def test_a_token_stops_working_when_it_expires(world):
    token, _ = actions.create_api_token(
        actor=world.clerk_a, name="x", expires_at=timezone.now() + timedelta(days=1)
    )
    assert token.is_usable
    later = timezone.now() + timedelta(days=1, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert not token.is_usable


@pytest.mark.parametrize("persona", ["clerk_b", "county_admin", "other_admin"])
def test_nobody_else_revokes_your_token_except_a_platform_administrator(world, persona):
    token, _ = actions.create_api_token(actor=world.clerk_a, name="x")
    with pytest.raises(PermissionDenied):
        actions.revoke_api_token(actor=getattr(world, persona), token=token)
    token.refresh_from_db()
    assert token.is_usable
    actions.revoke_api_token(actor=world.root, token=token)
    token.refresh_from_db()
    assert not token.is_usable


def test_tokens_are_visible_to_their_owner_and_the_platform_administrator_only(world):
    token, _ = actions.create_api_token(actor=world.clerk_a, name="x")
    policy = ApiTokenPolicy()
    assert list(policy.visible_to(world.clerk_a)) == [token]
    assert list(policy.visible_to(world.root)) == [token]
    for persona in ("clerk_b", "county_admin", "reviewer", "citizen", "anonymous"):
        assert not policy.visible_to(getattr(world, persona)).exists()


def test_deactivating_an_account_revokes_its_tokens(world):
    live, _ = actions.create_api_token(actor=world.clerk_a, name="live")
    old, _ = actions.create_api_token(actor=world.clerk_a, name="old")
    actions.revoke_api_token(actor=world.clerk_a, token=old)
    old.refresh_from_db()
    revoked_at = old.revoked_at
    other, _ = actions.create_api_token(actor=world.clerk_b, name="other")
    actions.set_user_active(actor=world.county_admin, user=world.clerk_a, active=False, reason="离职")
    live.refresh_from_db()
    old.refresh_from_db()
    other.refresh_from_db()
    assert live.revoked_at is not None and not live.is_usable
    assert old.revoked_at == revoked_at  # the earlier revocation time is kept
    assert other.is_usable
    # Reactivating the account does not bring the tokens back.
    actions.set_user_active(actor=world.county_admin, user=world.clerk_a, active=True, reason="返岗")
    live.refresh_from_db()
    assert not live.is_usable
