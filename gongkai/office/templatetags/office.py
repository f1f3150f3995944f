from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

register = template.Library()


@register.simple_tag
def history_url(obj: Any) -> str:
    ct = ContentType.objects.get_for_model(type(obj))
    return reverse("office:history", args=[ct.pk, obj.pk])


@register.filter
def json_pretty(value: Any) -> str:
    import json

    if value in (None, {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


@register.simple_tag(takes_context=True)
def supervises(context: Any) -> bool:
    """Whether the signed-in user supervises any unit (the Supervision link is theirs only)."""
    from gongkai.orgs.scope import scope_ids
    from gongkai.supervision.policies import SUPERVISING_ROLES

    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser and user.is_active) or bool(scope_ids(user, SUPERVISING_ROLES))
