"""Who may see and edit letter templates, and who reads the outbox of notices.

An organisation's wording of its letters belongs to its administrators (and to those of the
governments above it, whose administrator role reaches down); the platform's own wording
(no organisation) to the platform administrators.

The outbox holds the e-mails and SMS sent to applicants, with their addresses and telephone
numbers, so it is read by the same staff who handle applications (see ``policies``): clerks,
the disclosure office, supervisors and administrators of the organisation, not window staff.
The policy lives here because the notices are the applications' (registered from this app's
``ready``); it belongs in ``gongkai/notifications`` once that app registers policies itself.
"""

from __future__ import annotations

from gongkai.applications.models import LetterTemplate
from gongkai.applications.policies import OFFICE_ROLES
from gongkai.core.policies import Policy, platform_admin, register
from gongkai.notifications.models import Message
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope

template_admin = in_scope(Role.ADMIN, field="organisation") | platform_admin
outbox_reader = in_scope(*OFFICE_ROLES, field="organisation") | platform_admin


@register
class LetterTemplatePolicy(Policy):
    model = LetterTemplate
    rules = {
        "view": template_admin,
        "change": template_admin,
        "view_history": template_admin,
    }


@register
class MessagePolicy(Policy):
    model = Message
    rules = {"view": outbox_reader}
