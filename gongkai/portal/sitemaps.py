"""sitemap.xml: the portal's public pages, for search engines (django.contrib.sitemaps).

``/sitemap.xml`` is an index; each section is paginated by Django (``?p=``),
so a province with hundreds of thousands of items stays within the 50,000-URL
limit per file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from gongkai.disclosure.models import DisclosureItem
from gongkai.orgs.models import Organisation
from gongkai.portal.queries import public_units, published
from gongkai.portal.views_services import ServiceItemSitemap

ANONYMOUS = AnonymousUser()


class ItemSitemap(Sitemap):
    """Every published item and news article (never drafts or withdrawn items)."""

    changefreq = "monthly"
    priority = 0.8
    limit = 10_000

    def items(self) -> QuerySet[DisclosureItem]:
        return published(ANONYMOUS).only("pk", "updated_at").order_by("pk")

    def location(self, item: DisclosureItem) -> str:
        return reverse("portal:item", args=[item.pk])

    def lastmod(self, item: DisclosureItem) -> datetime:
        return item.updated_at


class _UnitSitemap(Sitemap):
    url_name = ""
    changefreq = "weekly"

    def items(self) -> QuerySet[Organisation]:
        return public_units(ANONYMOUS).only("pk").order_by("pk")

    def location(self, org: Organisation) -> str:
        return reverse(self.url_name, args=[org.pk])


class UnitSitemap(_UnitSitemap):
    url_name = "portal:unit"
    priority = 0.5


class UnitCatalogueSitemap(_UnitSitemap):
    """Each organisation's catalogue (目录)."""

    url_name = "portal:unit_catalogue"
    changefreq = "daily"
    priority = 0.6


class UnitGuideSitemap(_UnitSitemap):
    """Each organisation's guide (指南)."""

    url_name = "portal:unit_guide"
    changefreq = "monthly"
    priority = 0.5


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["portal:home", "portal:catalogue", "portal:news"]

    def location(self, name: Any) -> str:
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "items": ItemSitemap,
    "units": UnitSitemap,
    "catalogues": UnitCatalogueSitemap,
    "guides": UnitGuideSitemap,
    "services": ServiceItemSitemap,
}
