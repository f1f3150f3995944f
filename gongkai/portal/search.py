"""The public search page, over ``gongkai.search`` (one interface, SQLite FTS5 or PostgreSQL).

Parsing, visibility and highlighting belong to the search module; this page
renders its form, its results and its errors.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from gongkai.disclosure.models import Genre, ItemKind, Validity
from gongkai.portal.cache import anonymous_page
from gongkai.portal.queries import CategoryTree, as_rows, public_units
from gongkai.search.query import parse_query, search

# The parameters of the search form; any of them present means "search now".
# The names are those ``gongkai.search.query.parse_query`` reads.
FIELDS = ("q", "org", "category", "genre", "kind", "validity", "from", "to", "sort")


# The organisation select offers at most about this many (the upper levels of a province's 5,000).
UNIT_OPTIONS_MAX = 400


def _unit_options(user: Any, selected: str = "") -> list[tuple[str, str]]:
    """(value, label) for the organisation select, indented by depth (a full-width space per level).

    A province's units are offered down to the deepest level that keeps the list within
    ``UNIT_OPTIONS_MAX`` (its departments and counties; each includes its units by default), with
    the unit selected and its parents; a unit further down is searched from its catalogue page."""
    # Rows, not model instances: a province's 5,000 instances cost 50 ms on each results page.
    units = list(public_units(user).values_list("pk", "name", "path", "depth"))
    if len(units) > UNIT_OPTIONS_MAX:
        by_depth = Counter(depth for _pk, _name, _path, depth in units)
        deepest, shown = min(by_depth), 0
        for depth in sorted(by_depth):
            shown += by_depth[depth]
            if shown > UNIT_OPTIONS_MAX:
                break
            deepest = depth
        chosen = next((path for pk, _name, path, _depth in units if str(pk) == selected), None)
        keep = set(chosen.strip("/").split("/")) if chosen else set()
        units = [u for u in units if u[3] <= deepest or str(u[0]) in keep]
    # Ordered by the tree: each unit right after its parent (ids in the path are numbers, not text).
    ordered = sorted(units, key=lambda u: [int(x) for x in u[2].strip("/").split("/") if x])
    return [(str(pk), "\u3000" * depth + name) for pk, name, _path, depth in ordered]


@require_safe
@anonymous_page
def search_page(request: HttpRequest) -> HttpResponse:
    asked = any(request.GET.get(name, "").strip() for name in FIELDS)
    # The "include its units" box: a hidden sub=0 precedes the checkbox's sub=1, the last one counts.
    include_sub = request.GET.get("sub", "1") != "0"
    query, errors = parse_query(request.GET)
    results = search(request.user, query) if asked and not errors else None
    if results:
        as_rows(hit.item for hit in results.hits)
    tree = CategoryTree()
    return render(request, "portal/search.html", {
        "nav": "search",
        "asked": asked,
        "errors": errors,
        "error_list": [(name, message, name in FIELDS) for name, message in errors.items()],
        "results": results,
        "units": _unit_options(request.user, request.GET.get("org", "").strip()),
        "first_number": (results.page - 1) * results.per_page + 1 if results else 1,
        "categories": tree.nodes({}),
        "genres": list(Genre.objects.all()),
        "kinds": ItemKind.choices,
        "validities": Validity.choices,
        "values": {name: request.GET.get(name, "") for name in FIELDS},
        "include_sub": include_sub,
    })  # fmt: skip
