"""Uploads are typed by their content; dangerous or oversized files are refused."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from gongkai.core.actions import ActionError
from gongkai.core.files import sniff
from gongkai.disclosure import actions
from gongkai.disclosure.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"0" * (50 * 1024 * 1024))
    return buf.getvalue()


@pytest.mark.parametrize(
    "data,kind",
    [(PDF, "document"), (PNG, "image"), (b"\xff\xd8\xff\xe0" + b"0" * 20, "image"), (b"\x00\x00\x00\x18ftypmp42", "video"),
     (_docx(), "document"), ("通知全文".encode("gbk"), "document"), ("通知全文".encode(), "document")],
)  # fmt: skip
def test_accepted_types_are_recognised_by_content(data, kind):
    assert sniff(data).kind == kind


@pytest.mark.parametrize(
    "data",
    [b"MZ\x90\x00" + b"\x00" * 60, b"\x7fELF\x02\x01", b"#!/bin/sh\nrm -rf /", b"<html><script>alert(1)</script>",
     b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', b"\x00\x01\x02binary"],
)  # fmt: skip
def test_executables_markup_and_unknown_binaries_are_refused(data):
    assert sniff(data) is None


@pytest.mark.django_db
def test_a_renamed_executable_is_refused_and_nothing_is_stored(world):
    item = actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title="附件测试", formed_on=date(2025, 9, 1)
    )
    with pytest.raises(ActionError):
        actions.add_attachment(
            actor=world.clerk_a, item=item, name="预算表.pdf", data=b"MZ\x90\x00" + b"\x00" * 200
        )
    with pytest.raises(ActionError):
        actions.add_attachment(actor=world.clerk_a, item=item, name="bomb.docx", data=_bomb())
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_a_pdf_is_stored_under_a_neutral_name(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = actions.create_item(
        actor=world.clerk_a, organisation=world.unit_a, title="附件测试", formed_on=date(2025, 9, 1)
    )
    att = actions.add_attachment(actor=world.clerk_a, item=item, name="../../etc/预算表.exe", data=PDF)
    assert att.content_type == "application/pdf" and att.name.endswith(".pdf") and "/" not in att.name
    assert att.file.name.startswith("items/") and ".." not in att.file.name and att.file.name.endswith(".pdf")
    assert att.file.read() == PDF
