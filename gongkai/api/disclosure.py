"""/api/v1/items: the disclosure catalogue.

Reads: published items for everyone (drafts and submitted items only to the
staff of their unit), with the same filters as the portal; ``q`` goes through
the search module. Writes: a read-write token of a staff member; every change
goes through the disclosure actions, so the policies, validation and audit are
those of the back office. An item outside the caller's units is a 404 for every
write; an item of one's own unit on which the action is not allowed is a 403.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from gongkai.api.auth import require_staff
from gongkai.api.schemas import ID_RANGE, Id, Message
from gongkai.core.actions import ActionError
from gongkai.disclosure import actions
from gongkai.disclosure.exports import ItemFilters, published_items
from gongkai.disclosure.models import Category, DisclosureItem, Genre, ItemKind, ItemStatus, Validity
from gongkai.disclosure.policies import DisclosureItemPolicy
from gongkai.orgs.policies import OrganisationPolicy

router = Router(tags=["items"])
policy = DisclosureItemPolicy()
MAX_PER_PAGE = 100
MAX_PAGE = 500
RELATED = ("organisation", "category", "genre")

# --- schemas ----------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    kind: str
    status: str
    index_no: str | None
    title: str
    summary: str
    doc_number: str
    written_on: date | None
    formed_on: date
    published_on: date | None
    published_at: datetime | None
    organisation_id: int
    organisation: str
    category_id: int | None
    category: str | None
    genre_id: int | None
    genre: str | None
    keywords: str
    channels: list[str]
    validity: str
    validity_changed_on: date | None
    superseded_by_id: int | None
    due_on: date | None
    late: bool | None

    @staticmethod
    def resolve_organisation(obj: DisclosureItem) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_category(obj: DisclosureItem) -> str | None:
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_genre(obj: DisclosureItem) -> str | None:
        return obj.genre.name if obj.genre_id else None


class ItemListOut(ItemOut):
    snippet: str | None = None  # with a search: HTML with the matches in <mark>

    @staticmethod
    def resolve_snippet(obj: Any) -> str | None:
        return getattr(obj, "api_snippet", None)


class ItemDetailOut(ItemOut):
    body: str  # sanitised HTML
    return_reason: str


class ItemPage(Schema):
    count: int
    # False when a search found more than can be paged through: count is then a lower bound.
    count_exact: bool = True
    page: int
    per_page: int
    exact: bool = False  # the search text was an 索引号 or 文号
    results: list[ItemListOut]


class ItemIn(Schema):
    organisation_id: Id
    kind: str = ItemKind.ITEM
    title: str
    summary: str = ""
    body: str = ""
    doc_number: str = ""
    written_on: date | None = None
    formed_on: date
    category_id: Id | None = None
    genre_id: Id | None = None
    keywords: str = ""
    channels: list[str] = []


class ItemPatch(Schema):
    kind: str | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    doc_number: str | None = None
    written_on: date | None = None
    formed_on: date | None = None
    category_id: Id | None = None
    genre_id: Id | None = None
    keywords: str | None = None
    channels: list[str] | None = None
    reason: str = ""


class ItemPublishIn(Schema):
    published_on: date | None = None


class ItemReasonIn(Schema):
    reason: str


class ValidityIn(Schema):
    validity: str
    on: date
    by_item_id: Id | None = None
    reason: str = ""


# --- helpers ----------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _detail(actor: Any, **lookup: Any) -> DisclosureItem:
    """A published item, or an unpublished one for its unit's staff; else 404."""
    item = policy.get(actor, "view", queryset=DisclosureItem.objects.select_related(*RELATED), **lookup)
    if item.status != ItemStatus.PUBLISHED and not policy.can(actor, "view_office", item):
        raise Http404
    return item


def _for_writing(request: HttpRequest, item_id: int) -> tuple[Any, DisclosureItem]:
    actor = _actor(request)
    require_staff(actor)
    return actor, policy.get(
        actor, "view_office", queryset=DisclosureItem.objects.select_related(*RELATED), pk=item_id
    )


def _reload(item: DisclosureItem) -> DisclosureItem:
    return DisclosureItem.objects.select_related(*RELATED).get(pk=item.pk)


def _vocabulary(data: dict[str, Any]) -> dict[str, Any]:
    """Turn category_id / genre_id into the objects the actions take."""
    out = dict(data)
    for key, model, name in (("category_id", Category, "category"), ("genre_id", Genre, "genre")):
        if key in out:
            pk = out.pop(key)
            if pk is None:
                out[name] = None
            else:
                obj = model.objects.filter(pk=pk).first()
                if obj is None:
                    raise ActionError({key: [f"No such {name}."]})
                out[name] = obj
    return out


# --- reading ----------------------------------------------------------------------------------


DATE_FROM = Query(None, alias="from", description="Published on or after.")
DATE_TO = Query(None, alias="to", description="Published on or before.")


@router.get("", response={200: ItemPage, 422: Message})
def list_items(
    request: HttpRequest,
    q: str | None = Query(None, max_length=200, description="Search text, an 索引号 or a 文号."),
    org: int | None = Query(None, **ID_RANGE, description="Publishing organisation (id)."),
    sub: bool = Query(True, description="With org: the units below it too."),
    category: int | None = Query(None, **ID_RANGE, description="Subject category (id), with its sub-categories."),
    genre: Id | None = None,
    kind: ItemKind | None = None,
    validity: Validity | None = None,
    date_from: date | None = DATE_FROM,
    date_to: date | None = DATE_TO,
    sort: str | None = Query(
        None, pattern="^(relevance|date)$", description="With q: relevance (default) or date."
    ),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Any:
    """Published items, newest first (or by relevance with ``q``)."""
    actor = _actor(request)
    if q and q.strip():
        from gongkai.search.query import SearchQuery, search

        result = search(actor, SearchQuery(
            q=q.strip(), organisation_id=org, include_subunits=sub, category_id=category, genre_id=genre,
            kind=kind.value if kind else None, validity=validity.value if validity else None,
            date_from=date_from, date_to=date_to, sort=sort or "relevance", page=page, per_page=per_page,
        ))  # fmt: skip
        results = []
        for hit in result.hits:
            hit.item.api_snippet = str(hit.snippet_html)  # type: ignore[attr-defined]
            results.append(hit.item)
        return {
            "count": result.total,
            "count_exact": result.total_exact,
            "page": page,
            "per_page": per_page,
            "exact": result.exact,
            "results": results,
        }
    qs = published_items(actor, ItemFilters(
        organisation_id=org, include_subunits=sub, category_id=category, genre_id=genre,
        kind=kind.value if kind else None, validity=validity.value if validity else None,
        date_from=date_from, date_to=date_to,
    )).select_related(*RELATED)  # fmt: skip
    offset = (page - 1) * per_page
    # Counted as far as can be paged through, as a search counts: a province's three million
    # items cost 300 ms to count on each page; beyond the limit the count is a lower bound.
    limit = MAX_PAGE * per_page
    n = qs.order_by()[: limit + 1].count()
    return {
        "count": min(n, limit),
        "count_exact": n <= limit,
        "page": page,
        "per_page": per_page,
        "results": list(qs[offset : offset + per_page]),
    }


@router.get("/by-index/{path:index_no}", response={200: ItemDetailOut, 404: Message})
def get_item_by_index(request: HttpRequest, index_no: str) -> Any:
    """The item with this 索引号 (e.g. ``000014349/2013-00001``)."""
    return _detail(_actor(request), index_no=index_no.strip())


@router.get("/{int:item_id}", response={200: ItemDetailOut, 404: Message})
def get_item(request: HttpRequest, item_id: int) -> Any:
    return _detail(_actor(request), pk=item_id)


# --- writing ----------------------------------------------------------------------------------


@router.post("", response={201: ItemDetailOut, 400: Message, 401: Message, 403: Message, 422: Message})
def create_item(request: HttpRequest, payload: ItemIn) -> Any:
    """A new draft in one of the caller's units."""
    actor = _actor(request)
    require_staff(actor)
    data = payload.dict()
    org_id = data.pop("organisation_id")
    organisation = OrganisationPolicy().visible_to(actor).filter(pk=org_id).first()
    if organisation is None:
        raise ActionError({"organisation_id": ["No such organisation."]})
    item = actions.create_item(actor=actor, organisation=organisation, **_vocabulary(data))
    return Status(201, _reload(item))


NOT_NULL = {"kind", "title", "summary", "body", "doc_number", "formed_on", "keywords", "channels"}


@router.patch("/{int:item_id}", response={200: ItemDetailOut, 400: Message, 401: Message, 403: Message, 404: Message,
                                           422: Message})  # fmt: skip
def update_item(request: HttpRequest, item_id: int, payload: ItemPatch) -> Any:
    """Change some fields (only those sent); a published item's too, for its publishers."""
    actor, item = _for_writing(request, item_id)
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    bad = sorted(k for k in NOT_NULL if k in data and data[k] is None)
    if bad:
        raise ActionError({k: ["This field cannot be null."] for k in bad})
    item = actions.update_item(actor=actor, item=item, reason=reason, **_vocabulary(data))
    return _reload(item)


@router.post("/{int:item_id}/submit", response={200: ItemDetailOut, 400: Message, 401: Message, 403: Message,
                                                 404: Message})  # fmt: skip
def submit_item(request: HttpRequest, item_id: int) -> Any:
    """Send a draft to the reviewers."""
    actor, item = _for_writing(request, item_id)
    return _reload(actions.submit_item(actor=actor, item=item))


@router.post("/{int:item_id}/publish", response={200: ItemDetailOut, 400: Message, 401: Message, 403: Message,
                                                  404: Message, 422: Message})  # fmt: skip
def publish_item(request: HttpRequest, item_id: int, payload: ItemPublishIn | None = None) -> Any:
    """Publish a draft or submitted item: its 索引号 is assigned, the timeliness clock stops."""
    actor, item = _for_writing(request, item_id)
    day = payload.published_on if payload else None
    return _reload(actions.publish_item(actor=actor, item=item, published_on=day))


@router.post("/{int:item_id}/withdraw", response={200: ItemDetailOut, 400: Message, 401: Message, 403: Message,
                                                   404: Message, 422: Message})  # fmt: skip
def withdraw_item(request: HttpRequest, item_id: int, payload: ItemReasonIn) -> Any:
    """Take a published item off the portal (its 索引号 is kept)."""
    actor, item = _for_writing(request, item_id)
    return _reload(actions.withdraw_item(actor=actor, item=item, reason=payload.reason))


@router.post("/{int:item_id}/validity", response={200: ItemDetailOut, 400: Message, 401: Message, 403: Message,
                                                   404: Message, 422: Message})  # fmt: skip
def change_validity(request: HttpRequest, item_id: int, payload: ValidityIn) -> Any:
    """Mark a published item amended, repealed or expired (or in force again)."""
    actor, item = _for_writing(request, item_id)
    by_item = None
    if payload.by_item_id is not None:
        by_item = policy.visible_to(actor).filter(pk=payload.by_item_id).first()
        if by_item is None:
            raise ActionError({"by_item_id": ["No such item."]})
    return _reload(actions.change_validity(
        actor=actor, item=item, validity=payload.validity, on=payload.on, by_item=by_item, reason=payload.reason
    ))  # fmt: skip


__all__ = ["router"]
