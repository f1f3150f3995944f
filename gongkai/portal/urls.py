from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from gongkai.portal import downloads, feeds, search, views
from gongkai.portal.sitemaps import SITEMAPS

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("news/", views.news, name="news"),
    path("search/", search.search_page, name="search"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/seen.gif", views.item_seen, name="item_seen"),
    path("attachments/<int:pk>/download/", downloads.download, name="download"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("units/<int:pk>/catalogue/", views.catalogue, name="unit_catalogue"),
    path("units/<int:pk>/guide/", views.guide, name="unit_guide"),
    path("units/<int:pk>/news/", views.news, name="unit_news"),
    path("units/<int:pk>/feeds/items.atom", feeds.UnitItemsAtomFeed(), name="unit_items_atom"),
    path("feeds/items.rss", feeds.ItemsFeed(), name="items_rss"),
    path("feeds/items.atom", feeds.ItemsAtomFeed(), name="items_atom"),
    path("feeds/news.rss", feeds.NewsFeed(), name="news_rss"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "portal:sitemap_section"},
        name="sitemap",
    ),  # fmt: skip
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("robots.txt", views.robots, name="robots"),
    path("", include("gongkai.portal.urls_applications")),
    path("", include("gongkai.portal.urls_interaction")),
    path("", include("gongkai.portal.urls_decisions")),
    path("", include("gongkai.portal.urls_services")),
    path("", include("gongkai.portal.urls_reports")),
]
