"""catalog.docx_import: a .docx 公文 → 标题, 发文字号, 成文日期, clean body, pictures."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from openpyxl import Workbook
from PIL import Image

from catalog.docx_import import (
    DocxImportError,
    convert_docx,
    find_doc_number,
    parse_date_line,
)
from tests.catalog.docx_samples import (
    TITLE,
    add_member,
    gongwen,
    plain_docx,
    rewrite_member,
)


def test_a_gongwen_gives_title_number_date_body_and_picture():
    result = convert_docx(gongwen(), "通知.docx")

    assert result.title == TITLE
    assert result.doc_number == "天政发〔2026〕3号"
    assert result.written_date == date(2026, 3, 5)
    body = result.body_html
    assert "<h2>一、总体要求</h2>" in body
    assert "<h2>二、保障措施</h2>" in body
    assert "<h3>（一）工作目标</h3>" in body
    # a run-in heading with its sentence stays a paragraph
    assert "<p>（二）加强巡查。各村（社区）要组织护林员每日巡山。</p>" in body
    assert "<ol><li>清明节前完成隐患排查</li><li>设立临时检查站</li>" in body
    assert "<table>" in body
    assert "雷打石镇" in body
    assert "见附件“正文图片1.png”" in body
    assert "<p>各镇人民政府，各街道办事处，区直各单位：</p>" in body
    assert "（此件公开发布）" in body  # 附注 after the 落款 stays
    # the header, the title, the 落款 and the 版记 left the body
    for gone in (
        "株洲市天元区人民政府文件",
        "天政发",
        "关于做好2026年春季森林防火工作的通知",
        "2026年3月5日",
        "<p>株洲市天元区人民政府</p>",
        "抄送",
        "印发",
    ):
        assert gone not in body
    assert "<h1" not in body
    assert [(i.filename, i.content_type) for i in result.images] == [
        ("正文图片1.png", "image/png")
    ]
    assert result.images[0].data.startswith(b"\x89PNG")
    assert result.warnings == []
    assert result.removed == ["发文字号", "标题", "落款和成文日期", "版记"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("天政发〔2026〕3号", "天政发〔2026〕3号"),
        ("天政办函〔2026〕12号", "天政办函〔2026〕12号"),
        ("株天政发[2013]1号", "株天政发〔2013〕1号"),
        ("天政发（2026）3号", "天政发〔2026〕3号"),
        ("天政发(2026)3号", "天政发〔2026〕3号"),
        ("天政发【2026】03号", "天政发〔2026〕3号"),
        ("天政发［2026］第3号", "天政发〔2026〕3号"),
        ("天政发 〔2026〕 3 号", "天政发〔2026〕3号"),
        ("天政发〔2026〕3号　　　　签发人：张三", "天政发〔2026〕3号"),
        ("株洲市人民政府令 第5号", "株洲市人民政府令第5号"),
    ],
)
def test_doc_number_variants_are_found_and_normalised(written, expected):
    result = convert_docx(gongwen(doc_number=written))
    assert result.doc_number == expected
    assert result.title == TITLE
    assert "号" not in result.body_html.split("<h2>")[0].replace("号召", "")


@pytest.mark.parametrize(
    "line",
    ["各单位：", "2026年3月5日", "天政发〔2026〕", "关于天政发〔2026〕3号文件的说明"],
)
def test_lines_that_are_no_doc_number(line):
    assert find_doc_number(line) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026年3月5日", date(2026, 3, 5)),
        ("2026 年 3 月 5 日", date(2026, 3, 5)),
        ("２０２６年３月５日", date(2026, 3, 5)),
        ("（2026年3月5日）", date(2026, 3, 5)),
        ("二〇二六年三月五日", date(2026, 3, 5)),
        ("二○二六年十二月三十一日", date(2026, 12, 31)),
        ("二〇二六年十月十日", date(2026, 10, 10)),
        ("二〇二六年十一月二十日", date(2026, 11, 20)),
        ("2026年3月6日印发", None),
        ("各单位要在2026年3月5日前报送。", None),
        ("株洲市天元区人民政府", None),
    ],
)
def test_date_lines(line, expected):
    assert parse_date_line(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026年3月5日", date(2026, 3, 5)),
        ("二〇二六年三月五日", date(2026, 3, 5)),
        ("2026 年 12 月 1 日", date(2026, 12, 1)),
    ],
)
def test_written_date_from_the_line_under_the_signature(line, expected):
    result = convert_docx(gongwen(date_line=line))
    assert result.written_date == expected
    assert "株洲市天元区人民政府</p>" not in result.body_html


def test_an_impossible_date_is_a_warning_not_an_error():
    result = convert_docx(gongwen(date_line="2026年2月30日"))
    assert result.written_date is None
    assert any("2026年2月30日" in w and "不是有效的日期" in w for w in result.warnings)


def test_the_imprint_date_is_not_the_written_date():
    result = convert_docx(gongwen(date_line=None, signature=None))
    assert result.written_date is None
    assert "印发" not in result.body_html


def test_a_date_in_an_attachment_after_the_signature_is_not_taken():
    result = convert_docx(
        _with_annex(gongwen(note="附件：森林防火责任表", imprint=False))
    )
    assert result.written_date == date(2026, 3, 5)
    assert "<p>2026年4月1日</p>" in result.body_html  # the annex stays whole


def _with_annex(data: bytes) -> bytes:
    doc = Document(io.BytesIO(data))
    doc.add_paragraph("附件")
    doc.add_paragraph("森林防火责任表")
    doc.add_paragraph("2026年4月1日")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_title_over_two_lines_is_joined():
    result = convert_docx(
        gongwen(
            title=["株洲市天元区人民政府关于印发", "《天元区森林防火实施方案》的通知"]
        )
    )
    assert (
        result.title == "株洲市天元区人民政府关于印发《天元区森林防火实施方案》的通知"
    )
    assert "实施方案》的通知" not in result.body_html


def test_banner_without_doc_number_is_not_the_title():
    result = convert_docx(gongwen(doc_number=None))
    assert result.title == TITLE
    assert result.doc_number == ""
    assert "人民政府文件" not in result.body_html


def test_title_in_words_title_style():
    result = convert_docx(gongwen(banner=None, doc_number=None, title_style="Title"))
    assert result.title == TITLE
    assert TITLE not in result.body_html


def test_plain_document_takes_a_short_first_paragraph_with_a_warning():
    result = convert_docx(
        plain_docx("关于召开防汛工作会议的通知", "各单位：", "定于3月10日召开会议。")
    )
    assert result.title == "关于召开防汛工作会议的通知"
    assert any("请核对" in w for w in result.warnings)
    assert result.body_html == "<p>各单位：</p><p>定于3月10日召开会议。</p>"


def test_no_title_found_asks_for_one():
    result = convert_docx(plain_docx("各单位：请于本周内报送材料，逾期不候。"))
    assert result.title == ""
    assert "没有识别出标题，请在下方填写" in result.warnings
    assert "逾期不候" in result.body_html


def test_word_heading_styles_become_h2_and_h3():
    doc = Document()
    doc.add_heading("天元区森林防火条例实施办法", level=0)  # Word's 标题 (Title)
    doc.add_heading("第一章 总则", level=1)
    doc.add_paragraph("第一条 为了预防森林火灾，制定本办法。")
    doc.add_heading("第一节 职责", level=2)
    buffer = io.BytesIO()
    doc.save(buffer)

    result = convert_docx(buffer.getvalue())

    assert result.title == "天元区森林防火条例实施办法"
    assert result.body_html == (
        "<h2>第一章 总则</h2><p>第一条 为了预防森林火灾，制定本办法。</p>"
        "<h3>第一节 职责</h3>"
    )


def test_markup_in_the_text_is_text():
    result = convert_docx(
        gongwen(extra_body=['<script>alert(1)</script><img src=x onerror="y">'])
    )
    assert "<script" not in result.body_html
    assert "<img" not in result.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img" in result.body_html


def test_unsupported_pictures_are_left_out_with_a_warning():
    doc = Document(io.BytesIO(gongwen(image=False)))
    gif = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 255)).save(gif, format="GIF")
    gif.seek(0)
    doc.add_paragraph().add_run().add_picture(gif)
    buffer = io.BytesIO()
    doc.save(buffer)

    result = convert_docx(buffer.getvalue())

    assert result.images == []
    assert any("GIF" in w and "未导入" in w for w in result.warnings)
    assert "格式不支持，未导入" in result.body_html


def test_comments_are_not_imported_and_said_so():
    doc = Document(io.BytesIO(gongwen()))
    paragraph = doc.paragraphs[5]
    doc.add_comment(paragraph.runs, text="此处请再斟酌", author="审稿人")
    buffer = io.BytesIO()
    doc.save(buffer)

    result = convert_docx(buffer.getvalue())

    assert "此处请再斟酌" not in result.body_html
    assert "文档中的批注没有导入" in result.warnings


# --- files that are refused ------------------------------------------------------------


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", "wordprocessingml")
        out.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))
    return buffer.getvalue()


def _tracked_change(xml: bytes) -> bytes:
    return xml.replace(
        b"<w:p>",
        b'<w:p><w:ins w:id="1" w:author="a" w:date="2026-03-01T00:00:00Z">'
        b"<w:r><w:t>\xe6\x96\xb0\xe5\xa2\x9e</w:t></w:r></w:ins>",
        1,
    )


def _hidden_text(xml: bytes) -> bytes:
    return xml.replace(b"<w:r>", b"<w:r><w:rPr><w:vanish/></w:rPr>", 1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"", "是空文件"),
        (
            lambda: OLE,
            "另存为 .docx 格式后再上传（Word/WPS：文件 → 另存为 → Word 文档 *.docx）",
        ),
        (
            lambda: OLE + "EncryptedPackage".encode("utf-16-le"),
            "设置了打开密码",
        ),
        (lambda: b"\x13\x37random bytes\x00\xff" * 20, "不是 Word 文档（.docx）"),
        (lambda: b"%PDF-1.7\n...", "是 PDF 文件"),
        (lambda: b"{\\rtf1\\ansi hello}", "是 RTF 格式"),
        (_xlsx, "是 Excel 表格"),
        (lambda: gongwen()[:3000], "已损坏"),
        (_zip_bomb, "压缩炸弹"),
        (
            lambda: add_member(gongwen(), "word/vbaProject.bin", b"\0" * 10),
            "含有宏",
        ),
        (
            lambda: rewrite_member(
                gongwen(),
                "word/document.xml",
                lambda x: x.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY e "x">]>', 1),
            ),
            "不允许的 XML 声明",
        ),
        (
            lambda: rewrite_member(gongwen(), "word/document.xml", _tracked_change),
            "含有修订记录",
        ),
        (
            lambda: rewrite_member(gongwen(), "word/document.xml", _hidden_text),
            "含有隐藏文字",
        ),
        (
            lambda: rewrite_member(
                gongwen(), "word/document.xml", lambda x: x[: len(x) // 2]
            ),
            "已损坏或结构不规范",
        ),
        (lambda: plain_docx(), "没有文字内容"),
        (lambda: plain_docx("", "   "), "没有文字内容"),
    ],
)
def test_files_that_cannot_be_imported_say_why(make, message):
    with pytest.raises(DocxImportError) as caught:
        convert_docx(make(), "通知.docx")
    assert message in caught.value.message
    assert "通知.docx" in caught.value.message or message == "压缩炸弹"


def test_a_file_over_the_upload_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 20 * 1024
    with pytest.raises(DocxImportError) as caught:
        convert_docx(gongwen(), "通知.docx")
    assert "超过大小上限 20 KB" in caught.value.message
