"""Who sees and works on letters and calls.

The government's office (its clerks, reviewers and administrators) receives, triages and
assigns; the lead unit drafts the reply (assisting units see the letter); the office's
reviewers approve and publish; supervisors see every unit. Writers reach their own letter
with the tracking code; published Q&A are public.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongkai.core.policies import NONE, Policy, Predicate, field_is, platform_admin, register
from gongkai.interaction.models import Channel, Letter
from gongkai.orgs.models import Role
from gongkai.orgs.scope import in_scope, scope_ids, scope_in

UNIT_ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)

office = in_scope(*UNIT_ROLES, field="organisation")
supervisor = in_scope(Role.SUPERVISOR, field="organisation")
lead_unit = in_scope(*UNIT_ROLES, field="lead_unit")
approver = in_scope(Role.REVIEWER, Role.ADMIN, field="organisation")


# Up to this many letters assisted by the user's units are named by id in the list filter.
MAX_ASSISTED_BY_ID = 1000


def _assist_q(user: Any) -> Q:
    if not scope_ids(user, UNIT_ROLES):
        return NONE
    # A subquery, not a join: a letter with several assisting units must not be listed twice.
    through = Letter.assist_units.through.objects.filter(
        organisation_id__in=scope_in(user, UNIT_ROLES)
    ).values("letter_id")
    # Named by id, the letters are one more index scan the database can OR with the scans of the
    # other rules (organisation, lead unit), so a list reads only the rows the user may see. A
    # subquery in the OR would make it test every letter of the table instead.
    letter_ids = list(through.values_list("letter_id", flat=True).distinct()[: MAX_ASSISTED_BY_ID + 1])
    if len(letter_ids) > MAX_ASSISTED_BY_ID:
        return Q(pk__in=through)
    return Q(pk__in=letter_ids) if letter_ids else NONE


def _assist_test(user: Any, letter: Letter) -> bool:
    ids = scope_ids(user, UNIT_ROLES)
    return bool(ids) and letter.pk is not None and letter.assist_units.filter(pk__in=ids).exists()


assisting_unit = Predicate("assisting_unit", _assist_q, _assist_test)
published = field_is("published", "published", True)


@register
class LetterPolicy(Policy):
    model = Letter
    rules = {
        "view": published | office | supervisor | lead_unit | assisting_unit | platform_admin,
        "view_office": office | supervisor | lead_unit | assisting_unit | platform_admin,
        "view_history": office | supervisor | platform_admin,
        "handle": office | platform_admin,
        "draft": lead_unit | platform_admin,
        "approve": approver | platform_admin,
    }


@register
class ChannelPolicy(Policy):
    model = Channel
    rules = {
        "view": field_is("active", "is_active", True) | in_scope(field="organisation") | platform_admin,
        "configure": in_scope(Role.ADMIN, field="organisation") | platform_admin,
    }
