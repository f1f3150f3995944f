"""What the portal may show, and the catalogue's facets.

Every list starts from the disclosure policy's ``visible_to`` and keeps only
published items: the portal never shows a draft, not even to its author (the
back office does that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from gongkai.disclosure.models import Category, DisclosureItem, Genre, ItemKind, ItemStatus, Validity
from gongkai.disclosure.policies import AttachmentPolicy, DisclosureItemPolicy
from gongkai.orgs.models import Organisation
from gongkai.orgs.policies import OrganisationPolicy

item_policy = DisclosureItemPolicy()
attachment_policy = AttachmentPolicy()
org_policy = OrganisationPolicy()

# Columns a list row needs; the body can be long and is left in the database.
LIST_DEFER = ("body", "body_text", "channels", "return_reason")


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
