"""Official documents as an A4 page and PDF (portal/documents.py). No database.

The PDF's text, as pypdf extracts it, must be the letter's text; page 1 is rendered to
PNG with pdftoppm under artifacts/browser/ for a person to look at (scripts/ensure-pdf-deps
installs poppler-utils and fonts-noto-cjk)."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from portal import documents
from portal.documents import OfficialDocument

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
A4_POINTS = (595.28, 841.89)
PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")

LETTER = OfficialDocument(
    title="政府信息公开申请答复告知书",
    number="天教依复〔2026〕12号",
    salutation="张三",
    paragraphs=[
        "本机关于2026年2月10日收到您提出的政府信息公开申请，您申请获取"
        "“2025年天元区义务教育阶段学校招生计划及各校录取人数”。",
        "经审查，您申请获取的政府信息属于公开范围。根据《中华人民共和国政府信息公开"
        "条例》第三十六条第（二）项的规定，现将该信息以电子文档形式提供给您（见附件）。",
        "如不服本决定，可以自收到本告知书之日起六十日内向株洲市天元区人民政府申请"
        "行政复议，或者自收到本告知书之日起六个月内依法向株洲市天元区人民法院提起"
        "行政诉讼。",
        "附件：2025年天元区义务教育阶段学校招生计划.pdf",
    ],
    signer="株洲市天元区教育局",
    date=datetime.date(2026, 3, 5),
)


def pdf_text(pdf: bytes) -> tuple[str, int]:
    """All pages' text without page numbers, and the page count."""
    reader = PdfReader(io.BytesIO(pdf))
    lines = []
    for page in reader.pages:
        for line in page.extract_text().splitlines():
            if not PAGE_NUMBER.match(line.strip()):
                lines.append(line)
    return "\n".join(lines), len(reader.pages)


def squash(text: str) -> str:
    """Line breaks fall where the page wraps: compare without any whitespace."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    return documents.render_pdf(LETTER)


def test_pdf_text_equals_the_letter(letter_pdf):
    text, _ = pdf_text(letter_pdf)
    assert squash(text) == squash(documents.document_text(LETTER))


def test_pdf_text_is_in_reading_order(letter_pdf):
    text, _ = pdf_text(letter_pdf)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[:3] == ["政府信息公开申请答复告知书", "天教依复〔2026〕12号", "张三："]
    assert lines[-2:] == ["株洲市天元区教育局", "2026年3月5日"]


def test_short_letter_is_one_a4_page(letter_pdf):
    reader = PdfReader(io.BytesIO(letter_pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4_POINTS


def test_cjk_font_is_embedded(letter_pdf):
    reader = PdfReader(io.BytesIO(letter_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names, embedded = [], []
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        names.append(str(font["/BaseFont"]))
        embedded.append(
            any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        )
        assert "/ToUnicode" in font  # text extractable
    assert all(embedded)
    assert any("CJK" in name for name in names), names


def missing_glyphs(pdf: bytes) -> list[str]:
    """Characters drawn without a glyph (tofu). Pango marks a character no installed
    font covers with glyph 0xFFFF (or .notdef, glyph 0); WeasyPrint then writes that
    glyph id into the font's ToUnicode map, mapped to the character."""
    missing = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            cmap = (
                ref.get_object()["/ToUnicode"].get_object().get_data().decode("latin-1")
            )
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for glyph, text in re.findall(
                    r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
                ):
                    if int(glyph, 16) in (0, 0xFFFF):
                        missing.append(bytes.fromhex(text).decode("utf-16-be"))
    return missing


def test_no_tofu(letter_pdf):
    assert missing_glyphs(letter_pdf) == []


def test_tofu_detector_finds_a_character_no_font_has():
    doc = dataclasses.replace(LETTER, paragraphs=["缺字\U000f0001测试"])
    assert missing_glyphs(documents.render_pdf(doc)) == ["\U000f0001"]


def test_long_letter_flows_onto_numbered_pages():
    long = OfficialDocument(
        title="政府信息公开申请答复告知书",
        number="天教依复〔2026〕13号",
        salutation="某某律师事务所",
        paragraphs=[
            f"第{i}段：" + "本机关经检索，现将有关情况告知如下。" * 6
            for i in range(1, 16)
        ],
        signer="株洲市天元区教育局",
        date=datetime.date(2026, 12, 31),
        cc="株洲市天元区人民政府办公室",
    )
    pdf = documents.render_pdf(long)
    text, pages = pdf_text(pdf)
    assert pages >= 2
    assert squash(text) == squash(documents.document_text(long))
    reader = PdfReader(io.BytesIO(pdf))
    assert "— 2 —" in reader.pages[1].extract_text()
    assert "抄送：株洲市天元区人民政府办公室。" in squash(text)


def test_markup_in_the_text_is_printed_not_followed():
    doc = OfficialDocument(
        title="告知书",
        number="",
        salutation="<b>李四</b>",
        paragraphs=['<img src="file:///etc/passwd">请见附件 & 说明'],
        signer="某局",
        date=datetime.date(2026, 1, 5),
    )
    text, _ = pdf_text(documents.render_pdf(doc))
    assert '<imgsrc="file:///etc/passwd">请见附件&说明' in squash(text)
    assert "<b>李四</b>：" in squash(text)


def test_page_one_as_png_for_the_eye(letter_pdf, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm missing: run scripts/ensure-pdf-deps (poppler-utils)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "letter.pdf"
    source.write_bytes(letter_pdf)
    target = ARTIFACTS / "official-document-letter"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            pdftoppm,
            "-png",
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            source,
            target,
        ],
        check=True,
        timeout=60,
    )
    png = target.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # A4 at 100 dpi.
    from PIL import Image

    with Image.open(png) as image:
        width, height = image.size
        assert abs(width - 827) <= 1
        assert abs(height - 1169) <= 1
        # Not blank: the title and the seal box left dark and red pixels.
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert any(r < 80 and g < 80 and b < 80 for _, (r, g, b) in colours)
        assert any(r > 150 and g < 80 and b < 80 for _, (r, g, b) in colours)


def test_html_is_a_standalone_csp_safe_page():
    html = documents.render_html(LETTER)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert '<link rel="stylesheet" href="/static/css/official-document.css">' in html
    assert "style=" not in html
    assert "<style" not in html
    assert "<script" not in html
    assert '<h1 class="doc-title">政府信息公开申请答复告知书</h1>' in html
    assert '<p class="doc-number">天教依复〔2026〕12号</p>' in html
    assert '<p class="doc-salutation">张三：</p>' in html
    assert '<time datetime="2026-03-05">2026年3月5日</time>' in html
    assert 'aria-label="落款（盖章处）"' in html
    assert html.count('class="doc-paragraph"') == 4


def test_html_escapes_the_text():
    doc = OfficialDocument(
        title="告知书",
        number="",
        salutation="王五",
        paragraphs=["<script>alert(1)</script>"],
        signer="某局",
        date=datetime.date(2026, 1, 5),
    )
    html = documents.render_html(doc)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'class="doc-number"' not in html  # no empty 文号 line


@pytest.mark.parametrize(
    ("given", "line"),
    [
        ("张三", "张三："),
        ("张三：", "张三："),
        ("某公司:", "某公司:"),
        ("  赵六 ", "赵六："),
        ("", ""),
    ],
)
def test_salutation_gets_one_colon(given, line):
    assert documents.salutation_line(given) == line


def test_document_text_lists_every_part_in_order():
    doc = OfficialDocument(
        title="补正申请告知书",
        number="天教补〔2026〕3号",
        salutation="张三",
        paragraphs=["第一段。", "第二段。"],
        signer="株洲市天元区教育局",
        date=datetime.date(2026, 10, 1),
        cc="区政府办",
    )
    assert documents.document_text(doc).splitlines() == [
        "补正申请告知书",
        "天教补〔2026〕3号",
        "张三：",
        "第一段。",
        "第二段。",
        "株洲市天元区教育局",
        "2026年10月1日",
        "抄送：区政府办。",
    ]


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.org/a.css"],
)
def test_pdf_renderer_fetches_no_file_or_network(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        documents.url_fetcher().fetch(url)


def test_pdf_renderer_loads_data_urls():
    response = documents.url_fetcher().fetch("data:text/plain,seal")
    assert response.read() == b"seal"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (datetime.date(2026, 3, 5), "2026年3月5日"),
        (datetime.date(2026, 12, 31), "2026年12月31日"),
        (datetime.date(2027, 1, 1), "2027年1月1日"),
    ],
)
def test_chinese_date(day, text):
    assert documents.chinese_date(day) == text


@pytest.mark.parametrize(
    ("given", "line"),
    [("区政府办", "抄送：区政府办。"), ("甲，乙。", "抄送：甲，乙。"), (" ", "")],
)
def test_cc_line_ends_with_one_full_stop(given, line):
    assert documents.cc_line(given) == line
