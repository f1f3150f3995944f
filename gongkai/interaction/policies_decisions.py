"""Who sees and works on draft decisions, their comments and hearings (决策公开).

The public (and the staff of other units and governments) see decisions once published
for comment, published comments on them and held hearings. The organisation's clerks,
reviewers and administrators see everything of theirs and prepare drafts and hearings;
reviewers and administrators open and close the period, publish the feedback and
moderate comments.
"""

from __future__ import annotations

from django.db.models import Q

from gongkai.core.policies import Policy, Predicate, field_is, platform_admin, register, resolve
from gongkai.interaction.models_decisions import (
    PUBLIC_DECISION_STATUSES,
    Comment,
    CommentStatus,
    DraftDecision,
    Hearing,
    HearingStatus,
)
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope

UNIT_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)
APPROVER_ROLES = (Role.REVIEWER, Role.ADMIN)


def status_in(name: str, lookup: str, values: tuple[str, ...]) -> Predicate:
    """The object's field at ``lookup`` is one of ``values``."""
    values = tuple(str(v) for v in values)
    return Predicate(
        name, lambda u: Q(**{f"{lookup}__in": values}), lambda u, o: resolve(o, lookup) in values
    )


public_decision = status_in("public_decision", "status", PUBLIC_DECISION_STATUSES)
decision_staff = in_scope(*UNIT_ROLES, field="organisation")
decision_approver = in_scope(*APPROVER_ROLES, field="organisation")


@register
class DraftDecisionPolicy(Policy):
    model = DraftDecision
    rules = {
        "view": public_decision | decision_staff | platform_admin,
        "view_office": decision_staff | platform_admin,
        "edit": decision_staff | platform_admin,
        "approve": decision_approver | platform_admin,
    }


published_comment = field_is("published_comment", "status", CommentStatus.PUBLISHED) & status_in(
    "on_public_decision", "decision__status", PUBLIC_DECISION_STATUSES
)
comment_staff = in_scope(*UNIT_ROLES, field="decision__organisation")
comment_approver = in_scope(*APPROVER_ROLES, field="decision__organisation")


@register
class CommentPolicy(Policy):
    model = Comment
    rules = {
        "view": published_comment | comment_staff | platform_admin,
        "view_office": comment_staff | platform_admin,  # the contact and pending comments
        "moderate": comment_approver | platform_admin,
    }


held_hearing = field_is("held_hearing", "status", HearingStatus.HELD)


@register
class HearingPolicy(Policy):
    model = Hearing
    rules = {
        "view": held_hearing | decision_staff | platform_admin,
        "view_office": decision_staff | platform_admin,
        "edit": decision_staff | platform_admin,
    }
