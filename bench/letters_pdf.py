"""Benchmark: which library renders the portal's A4 letters (告知书) to PDF.

    .venv/bin/python bench/letters_pdf.py [--letters 30]

Renders the same letters (a short 答复告知书 and a three-page one, both with the 2023
remedy clause) with every candidate that is installed, and prints per candidate: median
and p95 time per letter (after one warm-up), PDF size, pages, whether pypdf extracts
exactly the letter's text (CJK correct, no tofu), whether the CJK font is embedded,
and the ratios to WeasyPrint. Candidates:

* ``weasyprint`` — portal.documents.render_pdf (HTML + static/css/official-document.css;
  Debian fonts-noto-cjk through fontconfig/pango);
* ``xhtml2pdf`` — the same HTML and CSS through xhtml2pdf (ReportLab underneath). ReportLab
  reads TrueType only: Noto CJK is CFF-flavoured OpenType in a .ttc, so it cannot be
  embedded; the only CJK font xhtml2pdf can use is ReportLab's non-embedded CID font
  ``STSong-Light``, left to the PDF viewer;
* ``reportlab`` — the letter laid out directly with ReportLab platypus and STSong-Light;
* ``chromium`` — Playwright printing the HTML page with Debian's chromium (if installed;
  Skia writes the glyphs as Type 3 fonts whose ToUnicode maps some CJK characters to
  Kangxi radicals, e.g. 月 → ⽉ U+2F49, so copied or searched text is wrong).

Only ``weasyprint`` is a runtime dependency (requirements.txt). To rerun the comparison:
``.venv/bin/pip install xhtml2pdf==0.2.28`` (brings reportlab 5.1.0). Timing is
informational: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")

import django

django.setup()

import logging  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)
logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)

from pypdf import PdfReader  # noqa: E402

from portal import documents  # noqa: E402
from portal.documents import OfficialDocument  # noqa: E402
from requests_app.outcomes import Outcome  # noqa: E402
from requests_app.remedies import remedy_clause  # noqa: E402

PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")
CLAUSE = remedy_clause(
    outcome=Outcome.NOT_HELD,
    review_body="株洲市天元区人民政府",
    court="株洲市天元区人民法院",
)
SHORT = OfficialDocument(
    title="政府信息公开申请答复告知书",
    number="天教依复〔2026〕12号",
    salutation="张三",
    paragraphs=[
        "本机关于2026年2月10日收到您提出的政府信息公开申请，您申请获取"
        "“2025年天元区义务教育阶段学校招生计划及各校录取人数”。",
        "经检索，本机关未制作、获取您申请公开的政府信息。根据《中华人民共和国政府信息"
        "公开条例》第三十六条第（四）项的规定，告知您该政府信息不存在。",
        CLAUSE,
    ],
    signer="株洲市天元区教育局",
    date=datetime.date(2026, 3, 5),
)
LONG = OfficialDocument(
    title="政府信息公开申请答复告知书",
    number="天教依复〔2026〕13号",
    salutation="某某律师事务所",
    paragraphs=[
        f"{i}. 关于您申请的第{i}项信息，本机关经检索档案室、业务科室和电子政务系统，"
        "现将检索结果和处理意见告知如下，请您在收到本告知书后及时查收附件材料。" * 2
        for i in range(1, 8)
    ]
    + [CLAUSE],
    signer="株洲市天元区教育局",
    date=datetime.date(2026, 12, 31),
    cc="株洲市天元区人民政府办公室",
)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def extracted(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    lines = [
        line
        for page in reader.pages
        for line in page.extract_text().splitlines()
        if not PAGE_NUMBER.match(line.strip())
    ]
    return "\n".join(lines), len(reader.pages)


def cjk_font(pdf: bytes) -> str:
    """How the CJK text's font is in the PDF: "embedded" (a CID font with its font
    file), "Type 3" (glyph outlines drawn as procedures: prints, but no real font), or
    "not embedded" (left to the viewer; a viewer without it shows boxes)."""
    reader = PdfReader(io.BytesIO(pdf))
    kinds = set()
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type3":
                kinds.add("Type 3")
            for desc_font in font.get("/DescendantFonts", []):
                descriptor = desc_font.get_object().get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor else {}
                if any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    kinds.add("embedded")
                else:
                    kinds.add("not embedded")
    for kind in ("not embedded", "Type 3", "embedded"):
        if kind in kinds:
            return kind
    return "none"


# --- candidates ------------------------------------------------------------------


def weasyprint_pdf(doc: OfficialDocument) -> bytes:
    return documents.render_pdf(doc)


def xhtml2pdf_pdf(doc: OfficialDocument) -> bytes:
    from django.template.loader import render_to_string
    from xhtml2pdf import pisa

    css = Path(documents._stylesheet_path()).read_text(encoding="utf-8")
    # ReportLab cannot embed Noto CJK (CFF in a .ttc): fall back to its CID font.
    css += "\nbody, p, h1 { font-family: STSong-Light; }\n"
    html = render_to_string(
        documents.TEMPLATE, documents._context(doc, stylesheet_url="")
    )
    html = html.replace("</head>", f"<style>{css}</style></head>")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pisa.CreatePDF(html, dest=out, encoding="utf-8")
    return out.getvalue()


def reportlab_pdf(doc: OfficialDocument) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle(
        "body",
        fontName="STSong-Light",
        fontSize=16,
        leading=28.95,
        firstLineIndent=32,
        alignment=TA_JUSTIFY,
        wordWrap="CJK",
    )
    title = ParagraphStyle(
        "t",
        parent=body,
        fontSize=22,
        leading=33,
        alignment=TA_CENTER,
        firstLineIndent=0,
    )
    centre = ParagraphStyle("c", parent=body, alignment=TA_CENTER, firstLineIndent=0)
    left = ParagraphStyle("l", parent=body, firstLineIndent=0)
    right = ParagraphStyle(
        "r", parent=body, alignment=TA_RIGHT, firstLineIndent=0, rightIndent=64
    )
    flow = [
        Paragraph(escape(doc.title), title),
        Paragraph(escape(doc.number), centre),
        Spacer(1, 20),
    ]
    flow.append(Paragraph(escape(documents.salutation_line(doc.salutation)), left))
    flow += [Paragraph(escape(p), body) for p in doc.paragraphs]
    flow += [Spacer(1, 40), Paragraph(escape(doc.signer), right)]
    flow.append(Paragraph(documents.chinese_date(doc.date), right))
    if doc.cc:
        flow.append(Paragraph(escape(f"抄送：{doc.cc}"), left))
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        topMargin=37 * mm,
        bottomMargin=35 * mm,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
    ).build(flow)
    return out.getvalue()


class Chromium:
    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox"],
        )
        self._page = self._browser.new_page()
        self._css = Path(documents._stylesheet_path()).read_text(encoding="utf-8")

    def __call__(self, doc: OfficialDocument) -> bytes:
        from django.template.loader import render_to_string

        html = render_to_string(
            documents.TEMPLATE, documents._context(doc, stylesheet_url="")
        )
        html = html.replace("</head>", f"<style>{self._css}</style></head>")
        self._page.set_content(html)
        return self._page.pdf(prefer_css_page_size=True, print_background=True)

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


def candidates():
    yield "weasyprint", weasyprint_pdf, None
    try:
        import xhtml2pdf  # noqa: F401

        yield "xhtml2pdf", xhtml2pdf_pdf, None
    except ImportError:
        sys.stderr.write("xhtml2pdf: not installed, skipped\n")
    try:
        import reportlab  # noqa: F401

        yield "reportlab", reportlab_pdf, None
    except ImportError:
        sys.stderr.write("reportlab: not installed, skipped\n")
    if Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")).exists():
        chromium = Chromium()
        yield "chromium", chromium, chromium.close


def measure(render, doc: OfficialDocument, n: int) -> dict:
    render(doc)  # warm-up: fonts, templates, browser page
    times = []
    pdf = b""
    for _ in range(n):
        start = time.perf_counter()
        pdf = render(doc)
        times.append(time.perf_counter() - start)
    text, pages = extracted(pdf)
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
        "size": len(pdf),
        "pages": pages,
        "text_ok": squash(text) == squash(documents.document_text(doc)),
        "font": cjk_font(pdf),
    }


def emit(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--letters", type=int, default=30, help="renders per letter and library"
    )
    args = parser.parse_args()
    results: dict[tuple[str, str], dict] = {}
    for name, render, close in candidates():
        try:
            for label, doc in (("short", SHORT), ("3-page", LONG)):
                try:
                    results[name, label] = measure(render, doc, args.letters)
                except Exception as exc:  # a candidate failing is a result too
                    results[name, label] = {
                        "error": f"{type(exc).__name__}: {exc}"[:80]
                    }
        finally:
            if close:
                close()
    emit(
        f"letters per measurement: {args.letters}; load average {os.getloadavg()[0]:.2f}"
    )
    emit()
    emit(
        "| library | letter | median ms | p95 ms | × weasyprint | PDF KiB | pages | text = letter | CJK font |"
    )
    emit("|---|---|---|---|---|---|---|---|---|")
    for (name, label), r in results.items():
        if "error" in r:
            emit(f"| {name} | {label} | — | — | — | — | — | {r['error']} | — |")
            continue
        base = results.get(("weasyprint", label), {})
        ratio = r["median"] / base["median"] if base.get("median") else float("nan")
        emit(
            f"| {name} | {label} | {r['median'] * 1000:.0f} | {r['p95'] * 1000:.0f} | {ratio:.2f} | "
            f"{r['size'] / 1024:.0f} | {r['pages']} | {'yes' if r['text_ok'] else 'NO'} | "
            f"{r['font']} |"
        )


if __name__ == "__main__":
    main()
