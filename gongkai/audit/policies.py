"""Who may read the audit log."""

from __future__ import annotations

from gongkai.audit.models import AuditEvent
from gongkai.core.policies import Policy, platform_admin, register
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope

is_superuser = platform_admin


@register
class AuditEventPolicy(Policy):
    model = AuditEvent
    rules = {
        # Events belong to an organisation; those with none (calendar, system)
        # are for platform administrators only.
        "view": in_scope(Role.ADMIN, Role.SUPERVISOR, Role.REVIEWER, field="organisation") | is_superuser,
    }
