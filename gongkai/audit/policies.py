"""Who may read the audit log."""

from __future__ import annotations

from gongkai.audit.models import AuditEvent
from gongkai.core.policies import Policy, register, user_is
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope

is_superuser = user_is("superuser", lambda u: bool(getattr(u, "is_superuser", False) and u.is_active))


@register
class AuditEventPolicy(Policy):
    model = AuditEvent
    rules = {
        # Events belong to an organisation; those with none (calendar, system)
        # are for platform administrators only.
        "view": in_scope(Role.ADMIN, Role.SUPERVISOR, Role.REVIEWER, field="organisation") | is_superuser,
    }
