"""Word documents for the import tests, built here with python-docx (no binary fixtures).

``gongwen()`` lays out a 公文 as GB/T 9704-2012 does: 发文机关标志 (red, centred),
发文字号 (centred), the title (centred, 22 pt = 2号), 主送机关, a body with 一、 and （一）
headings, a numbered list, a table and a picture, the signature and the 成文日期
(right-aligned), 附注 and a 版记. Every part can be changed or left out.
"""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from PIL import Image

TITLE = "株洲市天元区人民政府关于做好2026年春季森林防火工作的通知"
BODY_SENTENCE = "各镇人民政府要切实加强组织领导，落实森林防火责任制。"
_DEFAULT = object()


def png_bytes(size=(40, 30), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _centred(doc, text: str, *, size: float | None = None, red: bool = False):
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    if size:
        run.font.size = Pt(size)
    if red:
        run.font.color.rgb = RGBColor(0xE0, 0, 0)
    return paragraph


def _right(doc, text: str):
    paragraph = doc.add_paragraph(text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return paragraph


def gongwen(
    *,
    banner: str | None = "株洲市天元区人民政府文件",
    doc_number: str | None = "天政发〔2026〕3号",
    title: str | list[str] | None = TITLE,
    title_size: float = 22,
    title_style: str | None = None,
    addressee: str | None = "各镇人民政府，各街道办事处，区直各单位：",
    image: bool = True,
    table: bool = True,
    numbered_list: bool = True,
    signature: str | None = "株洲市天元区人民政府",
    date_line: str | None = "2026年3月5日",
    note: str | None = "（此件公开发布）",
    imprint: bool = True,
    extra_body: list[str] = (),
) -> bytes:
    doc = Document()
    if banner:
        _centred(doc, banner, size=36, red=True)
    if doc_number:
        _centred(doc, doc_number, size=16)
    if title:
        if title_style:
            doc.add_paragraph(title, style=title_style)
        else:
            for line in [title] if isinstance(title, str) else title:
                _centred(doc, line, size=title_size)
    if addressee:
        doc.add_paragraph(addressee)
    doc.add_paragraph(
        "为切实做好我区2026年春季森林防火工作，保护森林资源和人民群众生命财产安全，现将有关事项通知如下。"
    )
    doc.add_paragraph("一、总体要求")
    doc.add_paragraph(BODY_SENTENCE)
    doc.add_paragraph("（一）工作目标")
    doc.add_paragraph("（二）加强巡查。各村（社区）要组织护林员每日巡山。")
    if numbered_list:
        for item in ("清明节前完成隐患排查", "设立临时检查站", "储备扑火物资"):
            doc.add_paragraph(item, style="List Number")
    doc.add_paragraph("二、保障措施")
    if table:
        grid = doc.add_table(rows=3, cols=2)
        for r, row in enumerate(
            [("镇街", "责任人"), ("雷打石镇", "镇长"), ("群丰镇", "镇长")]
        ):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    if image:
        doc.add_paragraph("森林防火责任区域示意图如下：")
        doc.add_paragraph().add_run().add_picture(io.BytesIO(png_bytes()))
    for text in extra_body:
        doc.add_paragraph(text)
    if signature:
        _right(doc, signature)
    if date_line:
        _right(doc, date_line)
    if note:
        doc.add_paragraph(note)
    if imprint:
        doc.add_paragraph("抄送：区委各部门，区人大常委会办公室。")
        doc.add_paragraph("株洲市天元区人民政府办公室          2026年3月6日印发")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def plain_docx(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def rewrite_member(data: bytes, member: str, transform) -> bytes:
    """A copy of the package with ``member``'s bytes passed through ``transform``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                content = transform(content)
            out.writestr(info.filename, content)
    return buffer.getvalue()


def add_member(data: bytes, member: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info))
        out.writestr(member, content)
    return buffer.getvalue()
