"""Official documents (告知书, 通知, 函) as a printable A4 page and as PDF.

``OfficialDocument`` holds what a letter says; ``render_html`` gives the standalone page
(templates/documents/official.html, styled by static/css/official-document.css — no
inline styles, so it can be served under the site's CSP) and ``render_pdf`` the same
page as PDF through WeasyPrint (docs/requests.md "PDF": why WeasyPrint). Layout after
GB/T 9704-2012 《党政机关公文格式》. No ORM: callers (requests_app letters) build the
document from their models.

The PDF renderer fetches nothing: the stylesheet is read from the static files and any
URL but ``data:`` is refused, so a letter can never make the server open a file or a
network address.
"""

from __future__ import annotations

import dataclasses
import datetime
from functools import cache

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static

TEMPLATE = "documents/official.html"
STYLESHEET = "css/official-document.css"


@dataclasses.dataclass(frozen=True)
class OfficialDocument:
    title: str  # 标题, e.g. "政府信息公开申请答复告知书"
    number: str  # 文号, e.g. "天教依复〔2026〕12号"; "" when the letter has none
    salutation: str  # 称谓, e.g. "张三" or "张三：" (the colon is added when missing)
    paragraphs: list[str]  # 正文, one string per paragraph, without indentation
    signer: str  # 落款机关 (发文机关署名)
    date: datetime.date  # 成文日期
    cc: str = ""  # 抄送机关, if any


def chinese_date(day: datetime.date) -> str:
    """2026-03-05 → "2026年3月5日" (成文日期 in Arabic numerals, no leading zeros,
    GB/T 9704-2012 7.3.5.1)."""
    return f"{day.year}年{day.month}月{day.day}日"


def salutation_line(salutation: str) -> str:
    text = salutation.strip()
    if not text or text.endswith(("：", ":")):
        return text
    return f"{text}："


def cc_line(cc: str) -> str:
    """ "抄送：A，B。" — the last 抄送机关 ends with a full stop (GB/T 9704-2012 7.4.2)."""
    text = cc.strip().rstrip("。.")
    return f"抄送：{text}。" if text else ""


def document_text(doc: OfficialDocument) -> str:
    """Everything the letter says, in reading order, one item per line: the text a
    PDF of it must contain (tests compare it with pypdf's extraction)."""
    lines = [doc.title, doc.number, salutation_line(doc.salutation), *doc.paragraphs]
    lines += [doc.signer, chinese_date(doc.date)]
    lines.append(cc_line(doc.cc))
    return "\n".join(line for line in lines if line)


def _context(doc: OfficialDocument, *, stylesheet_url: str) -> dict:
    return {
        "doc": doc,
        "salutation": salutation_line(doc.salutation),
        "date_text": chinese_date(doc.date),
        "cc": cc_line(doc.cc),
        "stylesheet_url": stylesheet_url,
    }


def render_html(doc: OfficialDocument) -> str:
    """The letter as a standalone A4 HTML page linking the site's stylesheet."""
    return render_to_string(TEMPLATE, _context(doc, stylesheet_url=static(STYLESHEET)))


@cache
def _stylesheet_path() -> str:
    path = finders.find(STYLESHEET)
    if not path:  # pragma: no cover - a broken checkout
        raise FileNotFoundError(f"static file {STYLESHEET} not found")
    return str(path)


def url_fetcher():
    """WeasyPrint's fetcher limited to ``data:`` URLs (the seal circle in the
    stylesheet): no file, no network address is ever opened for a letter."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def render_pdf(doc: OfficialDocument) -> bytes:
    """The letter as an A4 PDF (fonts embedded and subset, text extractable)."""
    from weasyprint import CSS, HTML  # imported here: pango loads on first use only

    html = render_to_string(TEMPLATE, _context(doc, stylesheet_url=""))
    fetcher = url_fetcher()
    css = CSS(filename=_stylesheet_path(), url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[css])
