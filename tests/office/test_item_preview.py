"""Preview as published: an unpublished item rendered as the portal's item page, for its own staff only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongkai.audit.models import AuditEvent
from gongkai.disclosure import actions
from gongkai.disclosure.models import Category, DisclosureItem, ItemKind

BANNER = "Preview — not published"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def url(item: DisclosureItem) -> str:
    return f"/office/items/{item.pk}/preview/"


@pytest.fixture
def draft(world):
    def make(title="关于2026年财政预算的通知", **fields):
        fields.setdefault("formed_on", timezone.localdate() - timedelta(days=2))
        return actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title=title, **fields)

    return make


def test_the_clerk_sees_the_draft_as_the_portal_will_show_it(world, as_, draft):
    item = draft(
        summary="部署预算编制工作。", body="<p>各乡镇：现将预算通知如下。</p><script>alert(1)</script>",
        doc_number="攸财发〔2026〕3号", keywords="预算 财政", category=Category.objects.get(code="budget"),
    )  # fmt: skip
    actions.add_attachment(actor=world.clerk_a, item=item, name="预算表.pdf", data=PDF)
    response = as_("clerk_a").get(url(item))
    assert response.status_code == 200
    body = response.content.decode()
    assert BANNER in body and 'role="note"' in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    # The portal's item page: its catalogue table, the body, the attachments, the portal's navigation.
    assert "Catalogue information" in body and 'class="item-meta"' in body
    assert "关于2026年财政预算的通知" in body and "部署预算编制工作。" in body
    assert "<p>各乡镇：现将预算通知如下。</p>" in body and "<script>alert" not in body
    assert "攸财发〔2026〕3号" in body and "财政预决算" in body and "预算表.pdf" in body
    assert f'href="/units/{world.unit_a.pk}/catalogue/"' in body
    # What publication assigns is shown as such, never as "None".
    assert "(assigned on publication)" in body and "None" not in body
    assert timezone.localdate().isoformat() in body
    assert f'href="/office/items/{item.pk}/"' in body  # the way back


def test_the_preview_is_never_cached_or_indexed(world, as_, draft):
    item = draft()
    client = as_("clerk_a")
    response = client.get(url(item))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    actions.update_item(actor=world.clerk_a, item=item, title="改过的标题")
    assert "改过的标题" in client.get(url(item)).content.decode()


def test_a_submitted_item_for_the_reviewer_and_news_in_the_news_layout(world, as_, draft):
    item = actions.submit_item(actor=world.clerk_a, item=draft())
    assert BANNER in as_("reviewer").get(url(item)).content.decode()
    assert BANNER in as_("county_admin").get(url(item)).content.decode()
    assert BANNER in as_("root").get(url(item)).content.decode()
    news = draft("我县召开财政工作会议", kind=ItemKind.NEWS, body="<p>会议要求……</p>")
    body = as_("clerk_a").get(url(news)).content.decode()
    assert 'class="news-meta"' in body and "Catalogue information" not in body and BANNER in body


@pytest.mark.parametrize("persona", ["clerk_b", "other_admin", "citizen", "anonymous"])
def test_outsiders_get_404(world, as_, draft, persona):
    item = draft()
    submitted = actions.submit_item(actor=world.clerk_a, item=draft("已提交的文件"))
    client = as_(persona)
    for one in (item, submitted):
        response = client.get(url(one))
        assert response.status_code == 404, persona  # not a sign-in redirect: nothing to probe
        assert BANNER not in response.content.decode()
    assert client.get("/office/items/999999/preview/").status_code == 404


def test_a_published_item_sends_the_reader_to_its_portal_page(world, as_, draft):
    item = actions.publish_item(actor=world.reviewer, item=draft())
    response = as_("clerk_a").get(url(item))
    assert response.status_code == 302 and response["Location"] == f"/items/{item.pk}/"
    assert as_("clerk_b").get(url(item)).status_code == 404  # still only for the item's own staff
    assert as_("anonymous").get(url(item)).status_code == 404


def test_previewing_changes_nothing_and_the_draft_stays_off_the_portal(world, as_, draft, client):
    item = draft()
    events = AuditEvent.objects.count()
    as_("clerk_a").get(url(item))
    item.refresh_from_db()
    assert item.status == "draft" and item.index_no is None and item.published_on is None
    assert item.view_count == 0 and AuditEvent.objects.count() == events
    assert as_("anonymous").get(f"/items/{item.pk}/").status_code == 404


def test_the_preview_takes_get_only(world, as_, draft):
    assert as_("clerk_a").post(url(draft())).status_code == 405


def test_the_item_page_links_to_the_preview_until_publication(world, as_, draft):
    item = draft()
    link = f'href="/office/items/{item.pk}/preview/"'
    assert link in as_("clerk_a").get(f"/office/items/{item.pk}/").content.decode()
    actions.submit_item(actor=world.clerk_a, item=item)
    assert link in as_("reviewer").get(f"/office/items/{item.pk}/").content.decode()
    actions.publish_item(actor=world.reviewer, item=item)
    assert link not in as_("reviewer").get(f"/office/items/{item.pk}/").content.decode()
