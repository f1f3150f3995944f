"""Rich text: sanitise with nh3 and derive the plain text used for search and snippets."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h2", "h3", "h4", "ul", "ol", "li",
    "blockquote", "table", "thead", "tbody", "tr", "th", "td", "caption", "a", "img", "hr", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _clean(body: str) -> str:
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def sanitise(body: str) -> str:
    """Keep formatting, drop scripts, event handlers, styles and javascript: links.

    Cleaned again until nothing changes: the parser can build a tree (an ``<a>`` inside an ``<a>``
    from misnested table markup) whose serialisation parses differently, so one pass is not always
    stable, and a body cleaned on save must come out the same when cleaned again on display.
    """
    out = _clean(body or "")
    for _ in range(4):
        again = _clean(out)
        if again == out:
            break
        out = again
    return out


_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(p|br|div|li|tr|h[2-4]|blockquote|table)\b[^>]*>", re.I)
_SPACE = re.compile(r"[ \t\r\f\v]+")


def plain_text(body_html: str) -> str:
    text = _BLOCK.sub("\n", body_html or "")
    text = html.unescape(_TAG.sub("", text))
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)
