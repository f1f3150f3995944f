"""Public portal pages. Anyone may read them; they show only what policies make public.

Every page issues a fixed number of queries whatever the number of items:
lists are paginated, related rows are joined, facet counts are one GROUP BY each.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from gongkai.disclosure import viewcounts
from gongkai.disclosure.models import Genre, ItemKind, ItemStatus, Validity
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.portal.cache import anonymous_page
from gongkai.portal.queries import (
    CategoryTree,
    FacetCounts,
    as_rows,
    category_facets,
    counts_by,
    for_list,
    genre_facets,
    item_policy,
    link_facets,
    org_policy,
    public_units,
    published,
    validity_facets,
)

PER_PAGE = 20
HOME_ITEMS = 10
HOME_NEWS = 8

# Sort orders offered on the catalogue: key → (label, ordering).
SORTS: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "newest": (_("Newest first"), ("-published_on", "-id")),
    "oldest": (_("Oldest first"), ("published_on", "id")),
    "written": (_("By date written"), (F("written_on").desc(nulls_last=True), "-published_on", "-id")),
}

# How units are grouped in the directory, in this order.
UNIT_GROUPS = [
    (OrgKind.DEPARTMENT, _("Government departments")),
    (OrgKind.TOWNSHIP, _("Townships and streets")),
    (OrgKind.CENTRE, _("Service centres")),
    (OrgKind.OTHER, _("Other public bodies")),
    (OrgKind.GOVERNMENT, _("Governments")),
]


# Beyond this many organisations the home page lists the top governments' own units only (a
# province's departments and counties); each unit's page lists the units below it.
DIRECTORY_MAX = 400


def _directory(
    orgs: list[Organisation], compact: bool = False
) -> list[tuple[Organisation, list[tuple[Any, list[Organisation]]]]]:
    """Each government with its direct units, grouped by kind (departments, townships, …); with
    ``compact``, only the top governments (those under no other)."""
    by_parent: dict[int | None, list[Organisation]] = {}
    for o in orgs:
        by_parent.setdefault(o.parent_id, []).append(o)
    governments = [o for o in orgs if o.kind == OrgKind.GOVERNMENT]
    if compact:
        ids = {g.pk for g in governments}
        governments = [g for g in governments if not ids & {int(x) for x in g.path.strip("/").split("/")[:-1]}]
    sections = []
    for gov in governments:
        units = sorted(by_parent.get(gov.pk, []), key=lambda o: (o.sort_order, o.name))
        groups = [(label, [u for u in units if u.kind == kind]) for kind, label in UNIT_GROUPS]
        sections.append((gov, [(label, members) for label, members in groups if members]))
    return sections


@require_safe
@anonymous_page
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = public_units(user).only("pk", "parent_id", "kind", "name", "path", "depth", "sort_order")
    size = units.aggregate(n=Count("pk"), top=Min("depth"))
    compact = size["n"] > DIRECTORY_MAX
    if compact:  # the upper two levels are all the directory shows then
        units = units.filter(depth__lte=size["top"] + 1)
    orgs = list(units.order_by("path", "sort_order", "name"))
    items = published(user, ItemKind.ITEM)
    tree = CategoryTree()
    context = {
        "nav": "home",
        "sections": _directory(orgs, compact),
        "latest_items": list(for_list(items).order_by("-published_on", "-id")[:HOME_ITEMS]),
        "latest_news": list(
            for_list(published(user, ItemKind.NEWS)).order_by("-published_on", "-id")[:HOME_NEWS]
        ),
        # The site-wide catalogue's counts (shared with /catalogue/, see FacetCounts).
        "categories": tree.nodes(FacetCounts.of(items, None, None, "").category),
    }
    return render(request, "portal/home.html", context)


@require_safe
@anonymous_page
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    org = org_policy.get(request.user, queryset=Organisation.objects.select_related("parent"), pk=pk)
    children = public_units(request.user).filter(parent=org).order_by("sort_order", "name")
    latest = for_list(published(request.user, ItemKind.ITEM).filter(organisation=org)).order_by(
        "-published_on", "-id"
    )
    news = for_list(published(request.user, ItemKind.NEWS).filter(organisation=org)).order_by(
        "-published_on", "-id"
    )
    return render(request, "portal/unit.html", {
        "org": org, "children": children, "latest_items": latest[:HOME_ITEMS], "latest_news": news[:5],
    })  # fmt: skip


def _choice(request: HttpRequest, name: str, allowed: Any) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


@require_safe
@anonymous_page
def catalogue(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """目录: the published items of one unit (or of the whole site), browsable by facet."""
    user = request.user
    org = org_policy.get(user, pk=pk) if pk is not None else None
    include_sub = org is not None and request.GET.get("sub") == "1"

    base = published(user, ItemKind.ITEM)
    if org is not None:
        base = (
            base.filter(organisation__path__startswith=org.path)
            if include_sub
            else base.filter(organisation=org)
        )

    tree = CategoryTree()
    genres = list(Genre.objects.all())
    category = tree.get(request.GET.get("category"))
    genre = next((g for g in genres if g.code == request.GET.get("genre")), None)
    validity = _choice(request, "validity", Validity.values)
    sort = _choice(request, "sort", SORTS) or "newest"

    under = tree.ids_under(category) if category else None
    counts = FacetCounts.of(base, set(under) if under else None, genre.pk if genre else None, validity)
    qs = base.filter(category_id__in=under) if category else base
    if genre:
        qs = qs.filter(genre=genre)
    if validity:
        qs = qs.filter(validity=validity)
    paginator = Paginator(for_list(qs).order_by(*SORTS[sort][1]), PER_PAGE)
    paginator.count = counts.total  # known already: no count query
    page = paginator.get_page(request.GET.get("page"))
    rows = as_rows(page.object_list)

    return render(request, "portal/catalogue.html", {
        "nav": "catalogue",
        "org": org,
        "include_sub": include_sub,
        "offer_sub": org is not None and org.kind == OrgKind.GOVERNMENT,
        "page": page,
        "rows": rows,
        "category": category,
        "genre": genre,
        "validity": validity,
        "validity_label": Validity(validity).label if validity else "",
        "sort": sort,
        "sorts": [(key, label) for key, (label, _o) in SORTS.items()],
        "category_facets": link_facets(request, "category", category_facets(tree, counts.category, category)),
        "genre_facets": link_facets(request, "genre", genre_facets(genres, counts.genre, genre)),
        "validity_facets": link_facets(request, "validity", validity_facets(counts.validity, validity)),
        "filtered": bool(category or genre or validity),
    })  # fmt: skip


# A transparent GIF of one pixel.
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


@require_GET
@never_cache
def item_seen(request: HttpRequest, pk: int) -> HttpResponse:
    """The item page's beacon: one view of the item, however the page itself was served — rendered,
    from the page cache, or from nginx's cache in front (which never reaches the application). A
    browser that loads the page loads it; crawlers, which read the text only, are not counted."""
    viewcounts.count_view(pk)  # buffered: no database write (views of no item are dropped on flush)
    return HttpResponse(PIXEL, content_type="image/gif")


@require_safe
@anonymous_page
def item(request: HttpRequest, pk: int) -> HttpResponse:
    """One published item or news article; anything else is a 404 (as if it did not exist)."""
    user = request.user
    qs = published(user).select_related("organisation", "category__parent", "genre", "superseded_by")
    obj = item_policy.get(user, queryset=qs, pk=pk)
    replacement = (
        obj.superseded_by if obj.superseded_by and obj.superseded_by.status == ItemStatus.PUBLISHED else None
    )
    supersedes = (
        list(
            published(user)
            .filter(superseded_by=obj)
            # In the order they were made: ordered by date, SQLite (without statistics) walked
            # the index of every published item by date instead of this one's (30 ms a page).
            .order_by("pk")
            .only("pk", "title", "validity", "validity_changed_on", "index_no")
        )
        if obj.kind == ItemKind.ITEM
        else []
    )
    return render(request, "portal/item.html", {
        "nav": "news" if obj.kind == ItemKind.NEWS else "catalogue",
        "item": obj,
        "is_news": obj.kind == ItemKind.NEWS,
        "attachments": list(obj.attachments.all()),
        "replacement": replacement,
        "supersedes": supersedes,
        "changed": obj.validity != Validity.VALID,
    })  # fmt: skip


@require_safe
@anonymous_page
def news(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """政务动态: news articles, newest first, for the site or one unit."""
    org = org_policy.get(request.user, pk=pk) if pk is not None else None
    qs = published(request.user, ItemKind.NEWS)
    if org is not None:
        qs = qs.filter(organisation=org)
    page = Paginator(for_list(qs).order_by("-published_on", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/news.html", {"nav": "news", "org": org, "page": page})


@require_safe
@anonymous_page
def guide(request: HttpRequest, pk: int) -> HttpResponse:
    """指南: generated from the organisation's own records and contact details (Art. 12)."""
    org = org_policy.get(request.user, pk=pk)
    items = published(request.user, ItemKind.ITEM).filter(organisation=org)
    tree = CategoryTree()
    category_counts = counts_by(items, "category_id")
    genre_counts = counts_by(items, "genre_id")
    span = items.aggregate(first=Min("published_on"), last=Max("published_on"))
    categories = [n for n in tree.nodes(category_counts) if n.count]
    for node in categories:
        node.children = [c for c in node.children if c.count]
    genres = [(g, genre_counts[g.pk]) for g in Genre.objects.all() if genre_counts.get(g.pk)]
    parent = (
        org_policy.visible_to(request.user)
        .filter(pk=org.parent_id, is_active=True)
        .only("pk", "name", "office_name")
        .first()
        if org.parent_id
        else None
    )
    return render(request, "portal/guide.html", {
        "org": org,
        "parent": parent,
        "total": sum(category_counts.values()),
        "uncategorised": category_counts.get(None, 0),
        "ungenred": genre_counts.get(None, 0),
        "first": span["first"],
        "last": span["last"],
        "categories": categories,
        "genres": genres,
        "today": timezone.localdate(),
        "catalogue_url": request.build_absolute_uri(reverse("portal:unit_catalogue", args=[org.pk])),
        "portal_url": request.build_absolute_uri(reverse("portal:home")),
    })  # fmt: skip


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("portal:sitemap"))
    body = f"User-agent: *\nDisallow: /office/\nDisallow: /api/\nDisallow: /admin/\nSitemap: {sitemap}\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
