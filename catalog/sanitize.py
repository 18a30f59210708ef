"""Rich-text sanitising for notice bodies (nh3: an allow-list HTML cleaner).

No ``style`` or ``class`` attribute survives (pasting from Word/WPS brings ``mso-*``
styles and ``Mso*`` classes; the public page's own CSS styles the body). An ``<img>``
stays only when its ``src`` is one of this site's attachment URLs
(``/xxgk/<uuid>/fujian/<id>/``): images in a body are uploaded as attachments of the
notice (the staff editor's image button), never hot-linked from another host nor
embedded as ``data:``."""

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
}
_TAG_RE = re.compile(r"<[a-zA-Z/!][^>]*>")
# the public attachment URL, relative (catalog.urls ``attachment_download``)
ATTACHMENT_SRC_RE = re.compile(
    r"^/xxgk/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/fujian/\d+/$"
)
_IMG_WITHOUT_SRC_RE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if ATTACHMENT_SRC_RE.match(value.strip()) else None
    return value


def looks_like_html(text: str) -> bool:
    return bool(_TAG_RE.search(text or ""))


def clean_body(text: str) -> str:
    """Plain text becomes paragraphs; HTML is cleaned to the allow-list."""
    # U+FEFF (zero-width no-break space): an editor's cursor marker, never content
    text = (text or "").replace("\ufeff", "").strip()
    if not text:
        return ""
    if not looks_like_html(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    cleaned = nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    # an image whose source was refused goes entirely (an empty frame helps no one)
    return _IMG_WITHOUT_SRC_RE.sub("", cleaned)


def html_to_text(markup: str) -> str:
    """Visible text of cleaned HTML, for search and summaries."""
    text = re.sub(r"<(br|/p|/div|/li|/tr|/h\d)[^>]*>", "\n", markup or "", flags=re.I)
    text = nh3.clean(text, tags=set())
    return html.unescape(text).strip()


# --- images and attachment links while a notice is edited -----------------------------------
# A draft's attachments are not public, so the editor and the preview show the body with
# this notice's attachment URLs pointing at the staff URL (``staff_attachment``, through
# the notice access helper); the saved body always holds the public URL.


def _public_prefix(uuid) -> str:
    return f"/xxgk/{uuid}/fujian/"


def _staff_prefix(pk: int) -> str:
    return f"/staff/xinxi/{int(pk)}/fujian/"


def body_for_staff(body: str, *, uuid, pk: int) -> str:
    """``body`` with this notice's public attachment URLs turned into staff URLs."""
    if not body or pk is None:
        return body or ""
    pattern = re.compile(re.escape(_public_prefix(uuid)) + r"(\d+)/")
    return pattern.sub(lambda m: f"{_staff_prefix(pk)}{m.group(1)}/", body)


def body_for_public(body: str, *, uuid, pk: int | None) -> str:
    """The reverse, before sanitising what the editor sent: this notice's staff
    attachment URLs (also written absolute, as a browser may) become public URLs.
    Any other staff URL is then dropped by :func:`clean_body` (in an ``<img>``)."""
    if not body or pk is None:
        return body or ""
    pattern = re.compile(
        r"(?:https?://[^/\s\"'<>]+)?" + re.escape(_staff_prefix(pk)) + r"(\d+)/"
    )
    return pattern.sub(lambda m: f"{_public_prefix(uuid)}{m.group(1)}/", body)
