"""What the portal may show, and the catalogue's facets.

Every list starts from the disclosure policy's ``visible_to`` and keeps only
published items: the portal never shows a draft, not even to its author (the
back office does that).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.defaulttags import querystring
from django.urls import reverse

from gongkai.disclosure.models import Category, DisclosureItem, Genre, ItemKind, ItemStatus, Validity
from gongkai.disclosure.policies import AttachmentPolicy, DisclosureItemPolicy
from gongkai.orgs.models import Organisation
from gongkai.orgs.policies import OrganisationPolicy
from gongkai.portal.cache import generation

log = logging.getLogger("gongkai.portal")
item_policy = DisclosureItemPolicy()
attachment_policy = AttachmentPolicy()
org_policy = OrganisationPolicy()

# Columns a list row needs; the body can be long and is left in the database.
LIST_DEFER = ("body", "body_text", "channels", "return_reason")


# The tag class of each validity (portal/_validity.html shows the same).
VALIDITY_TAGS = {Validity.VALID: "ok", Validity.AMENDED: "warn"}


def as_rows(items: Iterable[DisclosureItem]) -> list[DisclosureItem]:
    """The items, each with what a list row shows worked out once here rather than by template tags
    in the row (each a few dozen microseconds, twenty rows a page): ``row_url``, ``row_day``
    (publication date, YYYY-MM-DD), ``row_tag`` and ``row_validity`` (the validity's class and label)."""
    items = list(items)
    marker = 2**31 - 1
    url = reverse("portal:item", args=[marker])
    labels = {value: str(label) for value, label in Validity.choices}
    for item in items:
        item.row_url = url.replace(str(marker), str(item.pk))  # type: ignore[attr-defined]
        item.row_day = item.published_on.isoformat() if item.published_on else ""  # type: ignore[attr-defined]
        item.row_tag = VALIDITY_TAGS.get(item.validity, "err")  # type: ignore[attr-defined]
        item.row_validity = labels.get(item.validity, item.validity)  # type: ignore[attr-defined]
    return items


def published(user: Any, kind: str | None = None) -> QuerySet[DisclosureItem]:
    qs = item_policy.visible_to(user).filter(status=ItemStatus.PUBLISHED)
    return qs.filter(kind=kind) if kind else qs


def for_list(qs: QuerySet[DisclosureItem]) -> QuerySet[DisclosureItem]:
    return qs.select_related("organisation", "category", "genre").defer(*LIST_DEFER)


def public_units(user: Any) -> QuerySet[Organisation]:
    return org_policy.visible_to(user).filter(is_active=True)


def counts_by(qs: QuerySet[DisclosureItem], field_name: str) -> dict[Any, int]:
    """``{value: number of items}`` for one column, in one GROUP BY query."""
    return dict(qs.order_by().values(field_name).annotate(n=Count("pk")).values_list(field_name, "n"))


# A catalogue of at least this many items may show facet counts up to FACET_LAG_SECONDS old: over a
# province's three million items the GROUP BY takes 600 ms, and every publication (retiring every
# cached page) would have the next reader of each catalogue page wait for it.
FACET_LAG_FROM = 100_000
FACET_LAG_SECONDS = 60


def facet_groups(qs: QuerySet[DisclosureItem]) -> list[tuple[Any, Any, str, int]]:
    """(category, genre, validity, items) of ``qs``, grouped by the database.

    Kept in the cache with the portal's generation (see ``cache``): counted afresh after any
    change, except that a catalogue of ``FACET_LAG_FROM`` items or more reuses its counts for up
    to ``FACET_LAG_SECONDS`` — a count a minute behind a publication in a million."""
    key = "portal:facets:" + hashlib.sha256(str(qs.query).encode()).hexdigest()
    now, current = time.time(), generation()
    try:
        kept = cache.get(key)
    except Exception:  # a cache outage must not take the portal down
        kept = None
    if kept is not None:
        made_under, made_at, total, rows = kept
        if made_under == current or (total >= FACET_LAG_FROM and now - made_at < FACET_LAG_SECONDS):
            return rows
    rows = list(qs.order_by().values_list("category_id", "genre_id", "validity").annotate(n=Count("pk")))
    try:
        cache.set(key, (current, now, sum(r[3] for r in rows), rows), timeout=FACET_LAG_SECONDS)
    except Exception:
        log.warning("portal cache unavailable; facet counts not kept", exc_info=True)
    return rows


@dataclass
class FacetCounts:
    """The catalogue's facet counts and its total, from one GROUP BY over (category, genre,
    validity) instead of a query per facet and a count. Each facet counts the items the other
    filters leave, so that every count is what a click on it gives."""

    category: dict[Any, int]
    genre: dict[Any, int]
    validity: dict[Any, int]
    total: int  # the items every filter leaves

    @classmethod
    def of(
        cls, qs: QuerySet[DisclosureItem], categories: set[int] | None, genre_id: int | None, validity: str
    ) -> FacetCounts:
        groups = facet_groups(qs)
        out = cls(Counter(), Counter(), Counter(), 0)
        for c, g, v, n in groups:
            in_c = categories is None or c in categories
            in_g = genre_id is None or g == genre_id
            in_v = not validity or v == validity
            if in_g and in_v:
                out.category[c] += n
            if in_c and in_v:
                out.genre[g] += n
            if in_c and in_g:
                out.validity[v] += n
                if in_v:
                    out.total += n
        return out


@dataclass
class CategoryNode:
    category: Category
    own: int = 0
    children: list[CategoryNode] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.own + sum(c.count for c in self.children)

    @property
    def code(self) -> str:
        return self.category.code

    @property
    def name(self) -> str:
        return self.category.name


class CategoryTree:
    """All subject categories (one query), with item counts rolled up to the parents."""

    def __init__(self, categories: list[Category] | None = None) -> None:
        self.categories = categories if categories is not None else list(Category.objects.all())
        self.by_code = {c.code: c for c in self.categories}
        self.by_id = {c.pk: c for c in self.categories}

    def get(self, code: str | None) -> Category | None:
        return self.by_code.get(code or "")

    def ids_under(self, category: Category) -> list[int]:
        """The category and every category below it."""
        out, todo = [], [category.pk]
        while todo:
            pk = todo.pop()
            out.append(pk)
            todo.extend(c.pk for c in self.categories if c.parent_id == pk)
        return out

    def nodes(self, counts: dict[Any, int]) -> list[CategoryNode]:
        """The top-level nodes, each with its children, counted from ``counts`` (category id → n)."""
        nodes = {c.pk: CategoryNode(c, counts.get(c.pk, 0)) for c in self.categories}
        roots = []
        for c in self.categories:
            if c.parent_id in nodes:
                nodes[c.parent_id].children.append(nodes[c.pk])
            else:
                roots.append(nodes[c.pk])
        return roots


@dataclass
class Facet:
    """One selectable value of a facet and how many items it would give."""

    code: str
    name: str
    count: int
    selected: bool
    children: list[Facet] = field(default_factory=list)
    url: str = ""  # the query string that selects it (see ``link_facets``)


def category_facets(tree: CategoryTree, counts: dict[Any, int], selected: Category | None) -> list[Facet]:
    def facet(node: CategoryNode) -> Facet:
        return Facet(
            node.code, node.name, node.count, selected is not None and selected.pk == node.category.pk,
            [facet(c) for c in node.children if c.count or (selected and selected.pk == c.category.pk)],
        )  # fmt: skip

    return [
        facet(n)
        for n in tree.nodes(counts)
        if n.count or (selected and selected.pk in tree.ids_under(n.category))
    ]


def genre_facets(genres: list[Genre], counts: dict[Any, int], selected: Genre | None) -> list[Facet]:
    return [
        Facet(g.code, g.name, counts.get(g.pk, 0), selected is not None and selected.pk == g.pk)
        for g in genres
        if counts.get(g.pk) or (selected is not None and selected.pk == g.pk)
    ]


def validity_facets(counts: dict[Any, int], selected: str) -> list[Facet]:
    return [
        Facet(value, str(label), counts.get(value, 0), selected == value)
        for value, label in Validity.choices
        if counts.get(value) or selected == value
    ]


class _Request:
    def __init__(self, request: HttpRequest) -> None:
        self.request = request


def link_facets(request: HttpRequest, name: str, facets: list[Facet]) -> list[Facet]:
    """Give each facet (and its children) the query string that selects it, as
    ``{% querystring name=f.code page=None %}`` would (the same function), without the template
    tag's work for each of the page's few dozen facets."""
    context = _Request(request)
    for f in facets:
        f.url = querystring(context, **{name: f.code, "page": None})
        link_facets(request, name, f.children)
    return facets


__all__ = [
    "ItemKind",
    "published",
    "for_list",
    "public_units",
    "counts_by",
    "CategoryTree",
    "category_facets",
    "genre_facets",
    "validity_facets",
]
