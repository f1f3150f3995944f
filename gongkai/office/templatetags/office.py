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
