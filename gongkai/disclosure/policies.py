"""Who may see and work on disclosure items.

Published items are public. Drafts and submitted items belong to their
organisation: its clerks write them, reviewers (公开办) publish them; a unit
configured to self-publish lets its clerks publish directly.
"""

from __future__ import annotations

from gongkai.core.policies import Policy, field_is, platform_admin, register
from gongkai.disclosure.models import Attachment, DisclosureItem, ItemStatus
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope

published = field_is("published", "status", ItemStatus.PUBLISHED)
staff_of_unit = in_scope(field="organisation")
writer = in_scope(Role.CLERK, Role.REVIEWER, Role.ADMIN, field="organisation")
reviewer = in_scope(Role.REVIEWER, Role.ADMIN, field="organisation")
self_publishing_clerk = in_scope(Role.CLERK, field="organisation") & field_is(
    "self_publish", "organisation__self_publish", True
)
publisher = reviewer | self_publishing_clerk


@register
class DisclosureItemPolicy(Policy):
    model = DisclosureItem
    rules = {
        "view": published | staff_of_unit | platform_admin,
        "view_office": staff_of_unit | platform_admin,
        # Published items are public, their history (reasons, who did what) is not.
        "view_history": staff_of_unit | platform_admin,
        "edit": writer | platform_admin,
        "submit": writer | platform_admin,
        "publish": publisher | platform_admin,
        "return": reviewer | platform_admin,
        "withdraw": publisher | platform_admin,
        "change_validity": publisher | platform_admin,
    }


@register
class AttachmentPolicy(Policy):
    model = Attachment
    rules = {
        "view": field_is("published", "item__status", ItemStatus.PUBLISHED)
        | in_scope(field="item__organisation")
        | platform_admin,
    }
