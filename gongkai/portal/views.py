"""Public portal pages. Anyone may read them; they show only what policies make public."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.orgs.models import OrgKind
from gongkai.orgs.policies import OrganisationPolicy

policy = OrganisationPolicy()


def home(request: HttpRequest) -> HttpResponse:
    orgs = list(policy.visible_to(request.user).filter(is_active=True).order_by("path", "sort_order", "name"))
    governments = [o for o in orgs if o.kind == OrgKind.GOVERNMENT]
    by_parent: dict[int | None, list] = {}
    for o in orgs:
        by_parent.setdefault(o.parent_id, []).append(o)
    sections = [(g, by_parent.get(g.pk, [])) for g in governments]
    return render(request, "portal/home.html", {"sections": sections})


def unit(request: HttpRequest, pk: int) -> HttpResponse:
    org = policy.get(request.user, pk=pk)
    children = (
        policy.visible_to(request.user).filter(parent=org, is_active=True).order_by("sort_order", "name")
    )
    return render(request, "portal/unit.html", {"org": org, "children": children})
