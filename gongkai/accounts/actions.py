"""Actions on user accounts and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongkai.accounts.models import ApiToken, TokenScope, User, UserKind, hash_token
from gongkai.audit.log import record
from gongkai.core.actions import ActionError, action, authorize, full_clean
from gongkai.orgs.actions import grant_role
from gongkai.orgs.models import Organisation

USER_AUDIT_FIELDS = ("username", "display_name", "email", "phone", "kind", "is_active")


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ActionError({"password": exc.messages}) from exc


@action
def create_staff_user(
    *,
    actor: Any,
    organisation: Organisation,
    role: str,
    username: str,
    password: str,
    display_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    """Create a staff account holding ``role`` on ``organisation``."""
    authorize(actor, "manage_roles", organisation)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ActionError({"username": [_("This user name is taken.")]})
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        kind=UserKind.STAFF,
    )
    full_clean(user, exclude=["password"])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    record(actor=actor, verb="accounts.create_user", obj=user, organisation=organisation,
           after={f: getattr(user, f) for f in USER_AUDIT_FIELDS})  # fmt: skip
    grant_role(actor=actor, user=user, organisation=organisation, role=role)
    return user


@action
def register_citizen(
    *, actor: Any, username: str, password: str, display_name: str = "", email: str = "", phone: str = ""
) -> User:
    """A citizen's own account (optional: applications work without one)."""
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise ActionError({"username": [_("This user name is taken.")]})
    user = User(
        username=username.strip(), display_name=display_name, email=email, phone=phone, kind=UserKind.CITIZEN
    )
    full_clean(user, exclude=["password"])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    record(
        actor=actor if getattr(actor, "is_authenticated", False) else user,
        verb="accounts.register_citizen",
        obj=user,
    )
    return user


@action
def update_user(*, actor: Any, user: User, display_name: str, email: str, phone: str) -> User:
    authorize(actor, "change", user)
    before = {f: getattr(user, f) for f in ("display_name", "email", "phone")}
    user.display_name, user.email, user.phone = display_name.strip(), email.strip(), phone.strip()
    full_clean(user, exclude=["password"])
    user.save(update_fields=["display_name", "email", "phone"])
    after = {f: getattr(user, f) for f in ("display_name", "email", "phone")}
    if after != before:
        record(actor=actor, verb="accounts.update_user", obj=user, before=before, after=after)
    return user


@action
def set_user_password(*, actor: Any, user: User, password: str) -> None:
    authorize(actor, "set_password", user)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    # Never the password itself, not even hashed.
    record(actor=actor, verb="accounts.set_password", obj=user)


@action
def set_user_active(*, actor: Any, user: User, active: bool, reason: str) -> User:
    authorize(actor, "change", user)
    if user.pk == getattr(actor, "pk", None):
        raise ActionError(_("You cannot deactivate your own account."))
    if not reason.strip():
        raise ActionError({"reason": [_("Give a reason.")]})
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        record(actor=actor, verb="accounts.set_active", obj=user, before={"is_active": not active},
               after={"is_active": active}, reason=reason)  # fmt: skip
    return user


@action
def create_api_token(
    *, actor: Any, name: str, scope: str = TokenScope.READ, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A token for the actor's own use of the API; returns (token, raw key shown once)."""
    if not getattr(actor, "is_authenticated", False) or actor.is_citizen:
        raise PermissionDenied("only staff create API tokens")
    if scope not in TokenScope.values:
        raise ActionError({"scope": [_("Unknown scope.")]})
    if not name.strip():
        raise ActionError({"name": [_("Give the token a name.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ActionError({"expires_at": [_("The expiry must be in the future.")]})
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip(),
        scope=scope,
        prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=expires_at,
    )
    record(actor=actor, verb="accounts.create_token", obj=token, after={"name": token.name, "scope": scope})
    return token, raw


@action
def revoke_api_token(*, actor: Any, token: ApiToken) -> None:
    authorize(actor, "revoke", token)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, verb="accounts.revoke_token", obj=token)


@action
def create_platform_admin(
    *, actor: Any, username: str, password: str, display_name: str = "", email: str = ""
) -> User:
    """A platform administrator (superuser): bootstrap by the system, or by another one."""
    if actor is not None and not (getattr(actor, "is_superuser", False) and actor.is_active):
        raise PermissionDenied("only platform administrators create platform administrators")
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise ActionError({"username": [_("This user name is taken.")]})
    user = User(username=username.strip(), display_name=display_name, email=email, kind=UserKind.STAFF,
                is_superuser=True, is_staff=True)  # fmt: skip
    full_clean(user, exclude=["password"])
    _check_password(password, user)
    user.set_password(password)
    user.save()
    record(
        actor=actor,
        verb="accounts.create_platform_admin",
        obj=user,
        after={f: getattr(user, f) for f in USER_AUDIT_FIELDS},
    )
    return user
