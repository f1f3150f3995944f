"""RSS and Atom feeds of the latest published items and news (django.contrib.syndication)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from gongkai.disclosure.models import DisclosureItem, ItemKind
from gongkai.orgs.models import Organisation
from gongkai.portal.queries import org_policy, published

FEED_SIZE = 50


@dataclass
class Source:
    user: Any
    org: Organisation | None = None


class ItemsFeed(Feed):
    """The latest published disclosure items of the whole site."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    kind = ItemKind.ITEM
    language = "zh-CN"  # the items themselves are written in Chinese

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = super().__call__(request, *args, **kwargs)
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Source:
        return Source(request.user)

    def title(self, obj: Source) -> str:
        return _("%(site)s · Latest government information") % {"site": settings.SITE_NAME}

    def description(self, obj: Source) -> str:
        return _("Government information published proactively on %(site)s.") % {"site": settings.SITE_NAME}

    subtitle = description

    def link(self, obj: Source) -> str:
        return reverse("portal:catalogue")

    def items(self, obj: Source) -> QuerySet[DisclosureItem]:
        qs = published(obj.user, self.kind)
        if obj.org is not None:
            qs = qs.filter(organisation=obj.org)
        # The plain-text body stands in for a missing summary, so it is loaded; the HTML body is not.
        return (
            qs.select_related("organisation", "category", "genre")
            .defer("body")
            .order_by("-published_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, item: DisclosureItem) -> str:
        # RSS readers treat the title as HTML: escape it (syndication then escapes it for XML).
        return escape(item.title)

    def item_description(self, item: DisclosureItem) -> str:
        return escape(item.summary or Truncator(item.body_text).chars(300) or item.title)

    def item_link(self, item: DisclosureItem) -> str:
        return reverse("portal:item", args=[item.pk])

    def item_guid(self, item: DisclosureItem) -> str:
        return self.item_link(item)

    def item_pubdate(self, item: DisclosureItem) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: DisclosureItem) -> datetime:
        return item.updated_at

    def item_author_name(self, item: DisclosureItem) -> str:
        return item.organisation.name

    def item_categories(self, item: DisclosureItem) -> list[str]:
        return [c.name for c in (item.category, item.genre) if c is not None]


class ItemsAtomFeed(ItemsFeed):
    feed_type = Atom1Feed


class NewsFeed(ItemsFeed):
    """政务动态."""

    kind = ItemKind.NEWS

    def title(self, obj: Source) -> str:
        return _("%(site)s · News") % {"site": settings.SITE_NAME}

    def description(self, obj: Source) -> str:
        return _("News from the government and its units on %(site)s.") % {"site": settings.SITE_NAME}

    subtitle = description

    def link(self, obj: Source) -> str:
        return reverse("portal:news")


class UnitItemsAtomFeed(ItemsAtomFeed):
    """The latest published items of one organisation."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Source:
        return Source(request.user, org_policy.get(request.user, pk=kwargs["pk"]))

    def title(self, obj: Source) -> str:
        assert obj.org is not None
        return _("%(org)s · Latest government information") % {"org": obj.org.name}

    def description(self, obj: Source) -> str:
        assert obj.org is not None
        return _("Government information published proactively by %(org)s.") % {"org": obj.org.name}

    subtitle = description

    def link(self, obj: Source) -> str:
        assert obj.org is not None
        return reverse("portal:unit_catalogue", args=[obj.org.pk])
