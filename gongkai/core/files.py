"""Uploaded files: the type is sniffed from the content, never taken from the name.

Only documents, images and videos of known kinds are accepted; executables,
scripts, HTML and SVG (which can carry script) and anything unrecognised are
refused, as are Office files whose zip would expand beyond a sane size.
Polyglots are refused too: an image or PDF header followed by markup, a zip
appended to an image or PDF (GIFAR-like), a PDF with JavaScript or launch
actions, and text that is really HTML.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import unicodedata
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
            # Deflate never grows data by more than a few bytes a block: a member packed larger
            # than it claims to unpack lies about its size (and hides its real one from the check).
            if any(i.compress_size > i.file_size + i.file_size // 100 + 64 for i in infos):
                return None
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


# Markup a browser would run, looked for where polyglots put it: the first and last
# 64 KiB of a binary file (parsers of images and PDFs ignore what surrounds their data).
_ACTIVE_MARKUP = re.compile(
    rb"<\s*(?:script|html|svg|iframe|frame|frameset|object|embed|applet|body|head|meta|link|base|form|"
    rb"math|xml|!doctype|\?xml-stylesheet)[\s>/]|javascript\s*:|\bon(?:load|error|click|mouseover)\s*=",
    re.I,
)
# In a text file any HTML tag makes it a page, not a text.
_ANY_TAG = re.compile(rb"<\s*/?\s*(?:[a-z][a-z0-9-]*|!doctype|!--|\?xml)[\s>/]", re.I)
# A PDF's script and launch actions always name their type (/S /JavaScript, /S /Launch); the
# short /JS key alone is not looked for, as three bytes turn up by chance in compressed streams.
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9])")
_EDGE = 65536


def _edges(data: bytes) -> tuple[bytes, bytes]:
    return data[:_EDGE], data[-_EDGE:] if len(data) > _EDGE else b""


def _has_appended_zip(data: bytes) -> bool:
    """A zip's end-of-central-directory record near the end: an archive riding on the file."""
    tail = data[-(_EDGE + 22) :]
    return b"PK\x05\x06" in tail and b"PK\x03\x04" in data


def _is_polyglot(data: bytes, sniffed: Sniffed) -> bool:
    if sniffed.extension in ("zip", "docx", "xlsx", "pptx", "odt", "ods"):
        return False  # a zip itself: its members were checked by _zip_type
    head, tail = _edges(data)
    if sniffed.kind in ("image", "document") and any(_ACTIVE_MARKUP.search(part) for part in (head, tail)):
        return True
    if sniffed.extension == "pdf" and _PDF_ACTIVE.search(data):
        return True
    return _has_appended_zip(data)


def _decodes(data: bytes, encoding: str) -> bool:
    # Incremental, so a character cut in two at the end of the sample is not an error.
    try:
        codecs.getincrementaldecoder(encoding)().decode(data[:65536], final=False)
    except UnicodeDecodeError:
        return False
    return True


def sniff(data: bytes) -> Sniffed | None:
    """The type of ``data`` from its first bytes, or None if not an accepted kind."""
    sniffed = _sniff(data)
    if sniffed is not None and sniffed.kind != "video" and _is_polyglot(data, sniffed):
        return None
    return sniffed


def _sniff(data: bytes) -> Sniffed | None:
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
    if _ANY_TAG.search(data[:65536]) or _ACTIVE_MARKUP.search(data[:65536]):
        return None  # markup that a browser would run (HTML, SVG, XML), whatever the name says
    for encoding in ("utf-8", "gb18030"):
        if _decodes(data, encoding):
            return Sniffed("text/plain", "document", "txt")
    return None


MAX_SIZES = {"document": 50 * MB, "image": 20 * MB, "video": 500 * MB}


MAX_NAME_LENGTH = 255  # what file systems allow; browsers never send more


ZWJ = "\u200d"


def _emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or "\U0001f3fb" <= ch <= "\U0001f3ff"  # skin tones are Sk


def _joins_emoji(name: str, i: int) -> bool:
    """Whether the zero-width joiner at ``i`` joins two emoji (👨‍👩‍👧, 🏳️‍🌈: a person's phone names
    photos so), a variation selector allowed between them."""
    before = name[i - 2] if i >= 2 and name[i - 1] == "\ufe0f" else name[i - 1] if i >= 1 else ""
    after = name[i + 1] if i + 1 < len(name) else ""
    return bool(before and after) and _emoji(before) and _emoji(after)


def check_name(name: str) -> None:
    """Refuse file names no person types: control characters (NUL, line breaks, the
    right-to-left override that disguises ``gpj.exe``, zero-width characters) and names longer
    than a file system's. A zero-width joiner between two emoji is what it looks like, and kept."""
    if len(name) > MAX_NAME_LENGTH:
        raise ActionError(
            _("The file name is too long (at most %(n)s characters).") % {"n": MAX_NAME_LENGTH}
        )
    if any(
        unicodedata.category(ch) in ("Cc", "Cf") and not (ch == ZWJ and _joins_emoji(name, i))
        for i, ch in enumerate(name)
    ):
        raise ActionError(_("The file name contains control characters; rename the file and try again."))


def check_upload(data: bytes, name: str) -> tuple[Sniffed, str]:
    """Validate an upload; returns its sniffed type and SHA-256, or raises ActionError."""
    check_name(name or "")
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
