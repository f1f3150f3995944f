"""Attachments: uploaded on the item page, typed by content, removable."""

from __future__ import annotations

import os

from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.audit.models import AuditEvent
from gongkai.disclosure.models import Attachment
from gongkai.office import views_items

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 64
    + b"This program cannot be run in DOS mode."
)


def upload(client, item, *files):
    return client.post(
        f"/office/items/{item.pk}/attachments/",
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        follow=True,
    )


def test_a_tiny_pdf_is_accepted(world, as_, make_item, settings):
    item = make_item()
    response = upload(as_("clerk_a"), item, ("预算说明.pdf", PDF))
    body = response.content.decode()
    assert "“预算说明.pdf” attached." in body
    attachment = Attachment.objects.get(item=item)
    assert (attachment.name, attachment.content_type, attachment.kind, attachment.size) == (
        "预算说明.pdf",
        "application/pdf",
        "document",
        len(PDF),
    )
    assert os.path.exists(attachment.file.path) and attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "预算说明.pdf" in as_("clerk_a").get(f"/office/items/{item.pk}/").content.decode()


def test_a_renamed_executable_is_refused_and_nothing_stored(world, as_, make_item, settings):
    item = make_item()
    response = upload(as_("clerk_a"), item, ("report.pdf", EXE))
    body = response.content.decode()
    assert "“report.pdf” is not an accepted file type" in body
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(verb="disclosure.add_attachment").exists()
    media = settings.MEDIA_ROOT
    assert not os.path.exists(media) or not any(files for _d, _s, files in os.walk(media))


def test_several_files_at_once_each_succeed_or_fail_on_their_own(world, as_, make_item):
    item = make_item()
    body = upload(as_("clerk_a"), item, ("a.pdf", PDF), ("setup.exe", EXE), ("图.png", PNG)).content.decode()
    assert "“a.pdf” attached." in body and "“图.png” attached." in body
    assert "“setup.exe” is not an accepted file type" in body
    assert sorted(Attachment.objects.values_list("name", flat=True)) == ["a.pdf", "图.png"]


def test_a_file_over_the_limit_is_refused_before_the_action(world, as_, make_item, monkeypatch):
    monkeypatch.setattr(views_items, "MAX_UPLOAD_BYTES", 100)
    calls = []
    monkeypatch.setattr(views_items.actions, "add_attachment", lambda **kw: calls.append(kw))
    item = make_item()
    body = upload(as_("clerk_a"), item, ("big.pdf", PDF + b"x" * 200)).content.decode()
    assert "“big.pdf” is too large: at most 0 MB per file." in body
    assert calls == [] and not Attachment.objects.exists()


def test_the_real_limit_is_50_mb(world):
    assert views_items.MAX_UPLOAD_BYTES == 50 * 1024 * 1024


def test_an_empty_upload_says_so(world, as_, make_item):
    item = make_item()
    body = as_("clerk_a").post(f"/office/items/{item.pk}/attachments/", {}, follow=True).content.decode()
    assert "Choose at least one file." in body


def test_removing_an_attachment(world, as_, make_item, django_capture_on_commit_callbacks):
    item = make_item()
    client = as_("clerk_a")
    upload(client, item, ("a.pdf", PDF))
    attachment = Attachment.objects.get()
    path = attachment.file.path
    assert f"/office/items/{item.pk}/attachments/{attachment.pk}/remove/" in client.get(
        f"/office/items/{item.pk}/").content.decode()  # fmt: skip
    assert client.get(f"/office/items/{item.pk}/attachments/{attachment.pk}/remove/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/office/items/{item.pk}/attachments/{attachment.pk}/remove/", follow=True)
    assert "“a.pdf” removed." in response.content.decode()
    assert not Attachment.objects.exists() and not os.path.exists(path)
    assert AuditEvent.objects.filter(verb="disclosure.remove_attachment").exists()


def test_an_attachment_of_another_item_is_404(world, as_, make_item):
    first, second = make_item("一"), make_item("二")
    client = as_("clerk_a")
    upload(client, first, ("a.pdf", PDF))
    attachment = Attachment.objects.get()
    assert client.post(f"/office/items/{second.pk}/attachments/{attachment.pk}/remove/").status_code == 404
    assert Attachment.objects.exists()


def test_outsiders_cannot_upload_or_remove(world, as_, make_item):
    item = make_item()
    upload(as_("clerk_a"), item, ("a.pdf", PDF))
    attachment = Attachment.objects.get()
    client = as_("clerk_b")
    assert client.post(f"/office/items/{item.pk}/attachments/", {"files": [SimpleUploadedFile("b.pdf", PDF)]}
                       ).status_code == 404  # fmt: skip
    assert client.post(f"/office/items/{item.pk}/attachments/{attachment.pk}/remove/").status_code == 404
    assert (
        as_("supervisor").post(f"/office/items/{item.pk}/attachments/{attachment.pk}/remove/").status_code
        == 403
    )
    assert Attachment.objects.count() == 1


def test_only_a_publisher_changes_the_attachments_of_a_published_item(world, as_, published):
    item = published()
    clerk = as_("clerk_a")
    assert clerk.post(f"/office/items/{item.pk}/attachments/", {"files": [SimpleUploadedFile("a.pdf", PDF)]}
                      ).status_code == 403  # fmt: skip
    assert not Attachment.objects.exists()
    assert "attached." in upload(as_("reviewer"), item, ("a.pdf", PDF)).content.decode()
