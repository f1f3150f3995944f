"""Attachment downloads: only of published items, always as a download, never as a page."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from gongkai.disclosure import actions
from gongkai.portal.downloads import content_disposition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_published_items_attachment_downloads_with_safe_headers(world, publish, client):
    item = publish.draft(title="预算公开")
    attachment = actions.add_attachment(actor=world.clerk_a, item=item, name="2025年部门预算.pdf", data=PDF)
    actions.publish_item(actor=world.reviewer, item=item)

    response = client.get(f"/attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('2025年部门预算.pdf')}" in disposition
    assert 'filename="attachment-' in disposition  # an ASCII fallback for old clients
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        "sandbox" in response["Content-Security-Policy"]
        and "default-src 'none'" in response["Content-Security-Policy"]
    )


def test_the_item_page_links_the_attachments(world, publish, client):
    item = publish.draft()
    attachment = actions.add_attachment(actor=world.clerk_a, item=item, name="附件一.pdf", data=PDF)
    actions.publish_item(actor=world.reviewer, item=item)
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert f'href="/attachments/{attachment.pk}/download/"' in page and "附件一.pdf" in page


@pytest.mark.parametrize("persona", ["anonymous", "clerk_a", "clerk_b", "citizen"])
def test_attachments_of_drafts_and_withdrawn_items_are_404(world, publish, client, persona):
    draft = publish.draft()
    of_draft = actions.add_attachment(actor=world.clerk_a, item=draft, name="草稿.pdf", data=PDF)
    gone = publish.draft()
    of_withdrawn = actions.add_attachment(actor=world.clerk_a, item=gone, name="撤回.pdf", data=PDF)
    actions.publish_item(actor=world.reviewer, item=gone)
    actions.withdraw_item(actor=world.reviewer, item=gone, reason="错误")
    user = getattr(world, persona)
    if user.is_authenticated:
        client.force_login(user)
    assert client.get(f"/attachments/{of_draft.pk}/download/").status_code == 404
    assert client.get(f"/attachments/{of_withdrawn.pk}/download/").status_code == 404
    assert client.get("/attachments/999999/download/").status_code == 404


def test_a_lost_file_is_a_404_not_a_500(world, publish, client):
    item = publish.draft()
    attachment = actions.add_attachment(actor=world.clerk_a, item=item, name="a.pdf", data=PDF)
    actions.publish_item(actor=world.reviewer, item=item)
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(f"/attachments/{attachment.pk}/download/").status_code == 404


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"),
        ("预算.pdf", "attachment; filename=\"attachment-7.pdf\"; filename*=UTF-8''%E9%A2%84%E7%AE%97.pdf"),
        ('a"b;c.pdf', "attachment; filename=\"attachment-7.pdf\"; filename*=UTF-8''a%22b%3Bc.pdf"),
        (
            "a\r\nSet-Cookie: x.pdf",
            "attachment; filename=\"attachment-7.pdf\"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x.pdf",
        ),
    ],
)
def test_the_content_disposition_header_is_rfc_5987(name, expected):
    assert content_disposition(name, "attachment-7") == expected
