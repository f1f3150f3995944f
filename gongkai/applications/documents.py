"""Word and PDF copies of a letter (告知书), made on demand and kept in storage.

A letter never changes once issued, so each copy is rendered once and its bytes are stored
under the letter's id (and a digest of what it says, so a reused id after a database reset
never serves another letter's file). The Word copy needs only python-docx; the PDF copy
needs WeasyPrint with its system libraries (Pango, HarfBuzz) and a Chinese font
(Debian's ``fonts-noto-cjk``). Where the server lacks them, :class:`PdfUnavailable` says
so and the Word copy still works. Rendering never touches the network: the HTML has no
external resources and WeasyPrint's fetcher refuses every URL.

The PDF names the fonts by family ("Noto Serif CJK SC"), which fontconfig resolves to the
Simplified Chinese face of the installed collections. An ``@font-face`` rule would not do
better here: WeasyPrint's ``local()`` copies the whole 20-26 MB ``.ttc`` for every document
and registers all its faces (Japanese first) under the new name, and a ``url()`` to a
``.ttc`` takes its first face, whose glyphs differ from the Chinese forms.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gongkai.applications.models import Letter

log = logging.getLogger("gongkai.applications")

# Bump when the layout of the copies changes: stored copies of the old layout are then ignored.
LAYOUT_VERSION = 1
STORAGE_DIR = "letters"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
CONTENT_TYPES = {"docx": DOCX_TYPE, "pdf": PDF_TYPE}

# Word: Times New Roman for Latin text, 宋体 (SimSun) for Chinese, as in government documents.
LATIN_FONT = "Times New Roman"
SONG = "宋体"
HEI = "黑体"
# PDF: the system's Chinese fonts, found through fontconfig (listed in the HTML template).
CJK_FONT_HINT = "fonts-noto-cjk"

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CN_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_SENTENCE_END = tuple("。！？；：，.!?;:,")


class PdfUnavailable(Exception):
    """The server cannot make PDF copies (WeasyPrint, Pango or a Chinese font is missing)."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(detail or "PDF rendering unavailable")

    @property
    def message(self) -> str:
        return _(
            "PDF copies cannot be made on this server: WeasyPrint, its system libraries (Pango) "
            "or a Chinese font are missing. Download the Word copy instead, or ask the system "
            "administrator to install them."
        )


# --- layout shared by both formats ------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    title: str
    number: str
    salutation: str  # "李明：" (no first-line indent), or ""
    paragraphs: list[str]
    organisation: str  # the signature block, right-aligned
    date: str


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _clean(text: str) -> str:
    """Text safe for XML (Word) and HTML: no control characters but tab and newline."""
    return _XML_INVALID.sub("", text)


def layout(letter: Letter) -> Layout:
    """Split the stored text into salutation, paragraphs and signature.

    The platform's wording ends with the organisation and the date on lines of their own;
    they become the right-aligned signature. A template without them gets the issuing
    organisation and the letter's date added.
    """
    lines = [line.strip() for line in _clean(letter.body).splitlines()]
    lines = [line for line in lines if line]
    organisation, on = letter.application.organisation.name, cn_date(letter.issued_on)
    if lines and _CN_DATE.match(lines[-1]):
        on = lines.pop()
        last = lines[-1] if lines else ""
        if last and len(last) <= 60 and not last.endswith(_SENTENCE_END):
            organisation = lines.pop()
    salutation = ""
    if lines and len(lines[0]) <= 80 and lines[0].endswith(("：", ":")):
        salutation = lines.pop(0)
    return Layout(
        title=_clean(letter.title).strip(),
        number=_clean(letter.number).strip(),
        salutation=salutation,
        paragraphs=lines,
        organisation=organisation,
        date=on,
    )


# --- storage ----------------------------------------------------------------------------------


def storage_name(letter: Letter, fmt: str) -> str:
    content = "\x1f".join(
        [str(LAYOUT_VERSION), str(letter.pk), letter.number, letter.issued_on.isoformat(), letter.title,
         letter.body, letter.application.organisation.name]
    )  # fmt: skip
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    return f"{STORAGE_DIR}/{letter.pk // 1000:04d}/{letter.pk}-{digest}.{fmt}"


def render(letter: Letter, fmt: str) -> bytes:
    """The letter as ``docx`` or ``pdf`` bytes, from storage when made before.

    Raises :class:`PdfUnavailable` for a PDF the server cannot make.
    """
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}")
    name = storage_name(letter, fmt)
    try:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as handle:
                return handle.read()
    except OSError:
        log.warning("stored copy %s unreadable; rendering again", name, exc_info=True)
    data = RENDERERS[fmt](letter)
    try:
        if not default_storage.exists(name):  # a concurrent request may have stored it meanwhile
            default_storage.save(name, ContentFile(data))
    except OSError:  # a full disk must not stop the download; the next request renders again
        log.warning("could not store %s", name, exc_info=True)
    return data


# --- Word -------------------------------------------------------------------------------------


def _set_fonts(element: Any, east_asian: str, *, lang: bool = False) -> None:
    """Latin and East Asian font names on a style's or run's properties (w:rFonts)."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over the names below
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    if lang:
        found = rpr.find(qn("w:lang"))
        if found is None:
            found = rpr.makeelement(qn("w:lang"), {})
            rpr.append(found)
        found.set(qn("w:val"), "zh-CN")
        found.set(qn("w:eastAsia"), "zh-CN")


def render_docx(letter: Letter) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    parts = layout(letter)
    doc = Document()
    section = doc.sections[0]
    # A4 with the margins of GB/T 9704 (official documents).
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    normal = doc.styles["Normal"]
    normal.font.size = Pt(14)  # 四号
    _set_fonts(normal.element, SONG, lang=True)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.5

    def paragraph(text: str, *, align: Any = None, indent: bool = False, size: float | None = None,
                  bold: bool = False, east_asian: str = SONG, space_after: float = 0) -> None:  # fmt: skip
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)  # two characters
        p.paragraph_format.space_after = Pt(space_after)
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        _set_fonts(run._r, east_asian)

    paragraph(parts.title, align=WD_ALIGN_PARAGRAPH.CENTER, size=18, bold=True, east_asian=HEI, space_after=6)
    paragraph(parts.number, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=18)
    if parts.salutation:
        paragraph(parts.salutation)
    for text in parts.paragraphs:
        paragraph(text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    doc.add_paragraph()
    paragraph(parts.organisation, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(parts.date, align=WD_ALIGN_PARAGRAPH.RIGHT)

    props = doc.core_properties
    props.title = parts.title[:255]
    props.subject = parts.number[:255]
    props.author = props.last_modified_by = parts.organisation[:255]
    props.comments = ""
    props.keywords = letter.application.case_number
    props.created = props.modified = datetime(
        letter.issued_on.year, letter.issued_on.month, letter.issued_on.day
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------


@functools.cache
def weasyprint_module() -> Any:
    """The WeasyPrint module, or PdfUnavailable (imported once, lazily: it loads Pango)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: a system library (Pango, HarfBuzz) is missing
        log.warning("WeasyPrint unavailable: %s", exc)
        raise PdfUnavailable(str(exc)) from exc
    progress = logging.getLogger("weasyprint.progress")
    if progress.level == logging.NOTSET:  # its "Step 1 - …" lines at INFO, unless LOGGING says otherwise
        progress.setLevel(logging.WARNING)
    return weasyprint


@functools.cache
def chinese_font_installed() -> bool:
    """Whether fontconfig knows a font covering Chinese (else the PDF would show empty boxes)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:  # cannot ask; WeasyPrint will use whatever fontconfig offers
        return True
    try:
        found = subprocess.run(
            [fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return True
    return bool(found.strip())


def no_network_fetcher(weasyprint: Any) -> Any:
    """The letter's HTML references nothing; any fetch at all is refused."""

    class RefuseAll(weasyprint.URLFetcher):  # type: ignore[misc, name-defined]
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"external resources are not fetched: {url[:80]}")

    return RefuseAll()


def letter_html(letter: Letter) -> str:
    return render_to_string("applications/letter_pdf.html", {"letter": letter, "layout": layout(letter)})


def render_pdf(letter: Letter) -> bytes:
    weasyprint = weasyprint_module()
    if not chinese_font_installed():
        raise PdfUnavailable(f"no Chinese font known to fontconfig (install {CJK_FONT_HINT})")
    html = weasyprint.HTML(string=letter_html(letter), url_fetcher=no_network_fetcher(weasyprint))
    return html.write_pdf()


RENDERERS = {"docx": render_docx, "pdf": render_pdf}


def filename(letter: Letter, fmt: str) -> str:
    """A plain ASCII file name: the case number and the letter's kind."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{letter.application.case_number}-{letter.kind}").strip("_")
    return f"{stem or f'letter-{letter.pk}'}.{fmt}"
