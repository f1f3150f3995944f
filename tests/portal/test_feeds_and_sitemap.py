"""RSS and Atom feeds, sitemap.xml: well-formed XML listing published items only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gongkai.disclosure import actions

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.content)  # raises on malformed XML


@pytest.fixture
def items(world, publish):
    return {
        "a": publish(title="财政局文件<一>", category="budget", summary="预算 & 决算"),
        "b": publish(org=world.unit_b, title="教育局文件"),
        "news": publish(kind="news", title="县长调研"),
        "draft": publish.draft(title="草稿"),
        "withdrawn": actions.withdraw_item(
            actor=world.reviewer, item=publish(title="撤回的文件"), reason="错误"
        ),
    }


def test_the_rss_feed_lists_published_items(items, client):
    response = client.get("/feeds/items.rss")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = xml(response).find("channel")
    titles = [i.findtext("title") for i in channel.findall("item")]
    # Titles are HTML in RSS: escaped once for HTML, once for XML.
    assert titles == ["教育局文件", "财政局文件&lt;一&gt;"]
    first = channel.findall("item")[1]
    assert first.findtext("link") == f"http://testserver/items/{items['a'].pk}/"
    assert first.findtext("description") == "预算 &amp; 决算"
    assert first.findtext("pubDate") and "财政预决算" in [c.text for c in first.findall("category")]


def test_the_atom_feeds(world, items, client):
    response = client.get("/feeds/items.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = xml(response).findall(f"{ATOM}entry")
    assert len(entries) == 2
    unit = xml(client.get(f"/units/{world.unit_a.pk}/feeds/items.atom"))
    assert [e.findtext(f"{ATOM}title") for e in unit.findall(f"{ATOM}entry")] == ["财政局文件&lt;一&gt;"]
    assert world.unit_a.name in unit.findtext(f"{ATOM}title")
    assert client.get("/units/999999/feeds/items.atom").status_code == 404


def test_the_news_feed(items, client):
    channel = xml(client.get("/feeds/news.rss")).find("channel")
    assert [i.findtext("title") for i in channel.findall("item")] == ["县长调研"]


def test_the_sitemap_lists_published_items_and_public_pages_only(world, items, client):
    index = xml(client.get("/sitemap.xml"))
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert "http://testserver/sitemap-items.xml" in sections
    urls = set()
    for section in sections:
        urls |= {loc.text for loc in xml(client.get(section)).iter(f"{SITEMAP}loc")}
    for key in ("a", "b", "news"):
        assert f"http://testserver/items/{items[key].pk}/" in urls
    for key in ("draft", "withdrawn"):
        assert f"http://testserver/items/{items[key].pk}/" not in urls
    for path in ("/", "/catalogue/", "/news/", f"/units/{world.unit_a.pk}/", f"/units/{world.unit_a.pk}/catalogue/",
                 f"/units/{world.unit_a.pk}/guide/"):  # fmt: skip
        assert f"http://testserver{path}" in urls, path
