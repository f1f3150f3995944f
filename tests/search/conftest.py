"""Items for search tests, written and published through the real actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gongkai.disclosure.actions import create_item, publish_item, submit_item
from gongkai.disclosure.models import Category, Genre


@pytest.fixture
def make_item(world: Any) -> Any:
    """``make_item(title, body=…, org=…, published_on=…, state="published"|"submitted"|"draft", **fields)``.

    Items of ``unit_a`` are written by ``clerk_a``, others by the reviewer (茶陵's
    by its administrator), who also publishes them. ``category`` and ``genre`` may be given by code.
    """

    def make(
        title: str,
        *,
        body: str = "",
        summary: str = "",
        org: Any = None,
        published_on: date | None = date(2024, 3, 1),
        formed_on: date | None = None,
        state: str = "published",
        category: str | None = None,
        genre: str | None = None,
        **fields: Any,
    ) -> Any:
        org = org or world.unit_a
        publisher = world.other_admin if org == world.other_county else world.reviewer
        writer = world.clerk_a if org == world.unit_a else publisher
        item = create_item(
            actor=writer,
            organisation=org,
            title=title,
            summary=summary,
            body=f"<p>{body}</p>" if body and not body.startswith("<") else body,
            formed_on=formed_on or published_on or date(2024, 1, 2),
            category=Category.objects.get(code=category) if category else None,
            genre=Genre.objects.get(code=genre) if genre else None,
            **fields,
        )
        if state == "published":
            item = publish_item(actor=publisher, item=item, published_on=published_on)
        elif state == "submitted":
            item = submit_item(actor=writer, item=item)
        return item

    return make


@pytest.fixture
def find(world: Any) -> Any:
    """``find(q="…", user=anonymous, **filters)`` → the ids of the hits, in order."""
    from gongkai.search.query import SearchQuery, search

    def run(q: str = "", user: Any = None, **fields: Any) -> list[int]:
        page = search(user if user is not None else world.anonymous, SearchQuery(q=q, **fields))
        return [h.item.pk for h in page.hits]

    return run
