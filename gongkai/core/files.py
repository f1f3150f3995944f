"""Uploaded files: the type is sniffed from the content, never taken from the name.

Only documents, images and videos of known kinds are accepted; executables,
scripts, HTML and SVG (which can carry script) and anything unrecognised are
refused, as are Office files whose zip would expand beyond a sane size.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from gongkai.core.actions import ActionError

MB = 1024 * 1024
# Uncompressed size an Office document's zip may expand to, and the ratio that
# marks a zip bomb.
MAX_UNZIPPED = 200 * MB
MAX_RATIO = 100


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    kind: str  # document | image | video
    extension: str


def _zip_type(data: bytes) -> Sniffed | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = max(1, sum(i.compress_size for i in infos))
            if total > MAX_UNZIPPED or total / packed > MAX_RATIO:
                raise ActionError(_("The file expands to an unreasonable size when unpacked."))
            names = {i.filename for i in infos}
            if "mimetype" in names:
                mime = zf.read("mimetype").decode("ascii", "replace").strip()
                if mime == "application/vnd.oasis.opendocument.text":
                    return Sniffed(mime, "document", "odt")
                if mime == "application/vnd.oasis.opendocument.spreadsheet":
                    return Sniffed(mime, "document", "ods")
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return Sniffed(
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        "document",
                        "docx",
                    )
                if any(n.startswith("xl/") for n in names):
                    return Sniffed(
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        "document",
                        "xlsx",
                    )
                if any(n.startswith("ppt/") for n in names):
                    return Sniffed(
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                        "document",
                        "pptx",
                    )
            return (
                Sniffed("application/zip", "document", "zip")
                if not any(
                    n.lower().endswith(
                        (".exe", ".dll", ".bat", ".cmd", ".js", ".vbs", ".ps1", ".scr", ".msi", ".jar")
                    )
                    for n in names
                )
                else None
            )
    except zipfile.BadZipFile:
        return None


def sniff(data: bytes) -> Sniffed | None:
    """The type of ``data`` from its first bytes, or None if not an accepted kind."""
    head = data[:64]
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", "document", "pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", "image", "png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", "image", "jpg")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Sniffed("image/gif", "image", "gif")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Sniffed("image/webp", "image", "webp")
    if head[4:8] == b"ftyp":
        return Sniffed("video/mp4", "video", "mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed("video/webm", "video", "webm")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return Sniffed("application/msword", "document", "doc")  # OLE: .doc / .xls / .wps
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if head.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")):
        return None  # executables and scripts
    if b"\x00" in data[:4096]:
        return None
    text = data[:4096].lstrip().lower()
    if text.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script")) or b"<script" in text:
        return None  # markup that a browser would run
    for encoding in ("utf-8", "gb18030"):
        try:
            data[:65536].decode(encoding)
        except UnicodeDecodeError:
            continue
        return Sniffed("text/plain", "document", "txt")
    return None


MAX_SIZES = {"document": 50 * MB, "image": 20 * MB, "video": 500 * MB}


def check_upload(data: bytes, name: str) -> tuple[Sniffed, str]:
    """Validate an upload; returns its sniffed type and SHA-256, or raises ActionError."""
    if not data:
        raise ActionError(_("The file “%(name)s” is empty.") % {"name": name})
    sniffed = sniff(data)
    if sniffed is None:
        raise ActionError(
            _(
                "“%(name)s” is not an accepted file type (documents: PDF, Word, Excel, WPS, OFD text; images; MP4/WebM video)."
            )
            % {"name": name}
        )
    limit = getattr(settings, "UPLOAD_MAX_BYTES", {}).get(sniffed.kind, MAX_SIZES[sniffed.kind])
    if len(data) > limit:
        raise ActionError(
            _("“%(name)s” is too large (at most %(mb)s MB for this kind of file).")
            % {"name": name, "mb": limit // MB}
        )
    return sniffed, hashlib.sha256(data).hexdigest()
