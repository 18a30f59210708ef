"""Rich-text sanitising for notice bodies (nh3: an allow-list HTML cleaner)."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "span",
    "div",
    "h2",
    "h3",
    "h4",
    "h5",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "hr",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "a",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "*": {"class"},
}
_TAG_RE = re.compile(r"<[a-zA-Z/!][^>]*>")


def looks_like_html(text: str) -> bool:
    return bool(_TAG_RE.search(text or ""))


def clean_body(text: str) -> str:
    """Plain text becomes paragraphs; HTML is cleaned to the allow-list."""
    text = (text or "").strip()
    if not text:
        return ""
    if not looks_like_html(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def html_to_text(markup: str) -> str:
    """Visible text of cleaned HTML, for search and summaries."""
    text = re.sub(r"<(br|/p|/div|/li|/tr|/h\d)[^>]*>", "\n", markup or "", flags=re.I)
    text = nh3.clean(text, tags=set())
    return html.unescape(text).strip()
