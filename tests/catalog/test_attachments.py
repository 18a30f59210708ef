from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services
from catalog.attachments import clean_filename, inspect_file
from catalog.demo import build_docx, build_pdf
from catalog.models import Attachment, Notice
from tests.factories import NoticeFactory

pytestmark = pytest.mark.django_db

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
JPEG_MIN = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.fixture
def notice(agency):
    return NoticeFactory(
        owner_agency=agency, title="关于做好2024年义务教育招生工作的通知"
    )


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def rejected(name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as info:
        inspect_file(name, data)
    return " ".join(info.value.messages)


def test_pdf_text_is_extracted_and_searchable(notice, staff_user, settings):
    data = build_pdf(
        "天元区义务教育招生入学实施细则",
        ["报名时间：7月1日至7月10日", "咨询电话 0731-28112401"],
    )
    attachment = services.attachment_add(
        notice=notice, by=staff_user, name="实施细则.pdf", content=data
    )
    assert attachment.content_type == "application/pdf"
    assert "报名时间：7月1日至7月10日" in attachment.text
    assert attachment.size == len(data)
    assert len(attachment.sha256) == 64
    notice.refresh_from_db()
    assert "实施细则" in notice.search_text
    assert "0731-28112401" in notice.search_text
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == data
    assert "实施细则" not in stored.name  # random name, outside any public URL
    event = notice.events.latest("id")
    assert (event.action, event.actor) == ("updated", staff_user)
    assert event.changes["attachments"][1]["name"] == "实施细则.pdf"


def test_docx_text_is_extracted(notice):
    data = build_docx("招生工作方案", ["一、招生范围", "二、报名方式：网上报名"])
    attachment = services.attachment_add(
        notice=notice, by=None, name="方案.docx", content=data
    )
    assert attachment.text.splitlines() == [
        "招生工作方案",
        "一、招生范围",
        "二、报名方式：网上报名",
    ]
    assert attachment.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_plain_text_is_decoded(notice, encoding):
    data = "责任分工表\n嵩山路街道：王同志".encode(encoding)
    attachment = services.attachment_add(
        notice=notice, by=None, name="分工表.txt", content=data
    )
    assert attachment.text == "责任分工表\n嵩山路街道：王同志"
    assert attachment.content_type.startswith("text/plain")


def test_uploaded_file_goes_through_the_same_checks(notice):
    upload = SimpleUploadedFile(
        "../../etc/招生.txt", "招生简章".encode(), content_type="text/html"
    )
    attachment = services.attachment_add(notice=notice, by=None, uploaded_file=upload)
    assert attachment.name == "招生.txt"
    assert (
        attachment.content_type == "text/plain; charset=utf-8"
    )  # decided by content, not the browser


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "通知.pdf",
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "网页（HTML）",
        ),
        ("通知.pdf", b"  <html><body>hello</body></html>", "网页（HTML）"),
        ("说明.txt", b"hello <script>fetch('/x')</script>", "网页（HTML）"),
        (
            "图.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "SVG",
        ),
        (
            "图.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "SVG",
        ),
        ("页面.html", "<p>正文</p>".encode(), "网页（HTML）"),
        ("脚本.js", b"alert(1)", "可执行文件或脚本"),
        ("install.sh", b"#!/bin/sh\nrm -rf /\n", "可执行文件或脚本"),
        ("文件.pdf", b"MZ\x90\x00" + b"\x00" * 60, "可执行文件或脚本"),
        ("材料.rar", b"Rar!\x1a\x07\x00" + b"\x00" * 20, "压缩包"),
        ("材料.pdf", b"\x1f\x8b\x08\x00" + b"\x00" * 20, "压缩包"),
        ("二进制.txt", bytes(range(256)), "不受支持"),
        ("空.txt", b"", "空文件"),
    ],
)
def test_active_content_archives_and_unknown_types_are_rejected(name, data, expected):
    assert expected in rejected(name, data)


def test_zip_archive_is_rejected(notice, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "内容")
    with pytest.raises(ValidationError, match="压缩包"):
        services.attachment_add(
            notice=notice, by=None, name="材料.zip", content=buffer.getvalue()
        )
    with pytest.raises(ValidationError, match="压缩包"):
        services.attachment_add(
            notice=notice, by=None, name="材料.docx", content=buffer.getvalue()
        )
    assert not Attachment.objects.exists()
    assert media_files(settings) == []


def test_disguised_html_named_pdf_is_rejected_and_nothing_is_stored(notice, settings):
    with pytest.raises(ValidationError) as info:
        services.attachment_add(
            notice=notice,
            by=None,
            name="通知.pdf",
            content=b"<html><script>x()</script></html>",
        )
    assert "通知.pdf" in info.value.message_dict["file"][0]
    assert not Attachment.objects.exists()
    assert media_files(settings) == []
    assert list(notice.events.values_list("action", flat=True)) == ["created"]


def test_extension_must_match_the_content():
    message = rejected("通知.docx", build_pdf("标题", ["正文"]))
    assert "扩展名 .docx" in message
    assert "PDF" in message
    assert "无扩展名" in rejected("通知", build_pdf("标题", ["正文"]))


def test_macro_documents_are_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        )
        archive.writestr("word/vbaProject.bin", b"\x00")
    assert "宏" in rejected("通知.docx", buffer.getvalue())
    assert "宏" in rejected("通知.doc", OLE_HEADER + "_VBA_PROJECT".encode("utf-16-le"))


def test_pdf_with_javascript_is_rejected():
    data = build_pdf("标题", ["正文"]).replace(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
    )
    assert "脚本" in rejected("通知.pdf", data)


def test_broken_pdf_is_rejected():
    assert "已损坏" in rejected("通知.pdf", b"%PDF-1.4\nthis is not really a pdf")


def test_images_and_office_97_files_are_accepted_without_text():
    assert inspect_file("图.png", PNG_1X1).content_type == "image/png"
    assert inspect_file("照片.JPG", JPEG_MIN).content_type == "image/jpeg"
    doc = inspect_file("旧文件.doc", OLE_HEADER)
    assert (doc.content_type, doc.text) == ("application/msword", "")


def test_png_with_html_appended_is_rejected():
    assert "PNG" in rejected(
        "图.png", PNG_1X1 + b"<html><script>alert(1)</script></html>"
    )


def test_ofd_text_is_extracted():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>"
        )
        archive.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            "<ofd:Page xmlns:ofd='http://www.ofdspec.org/2016'><ofd:TextObject><ofd:TextCode>版式文件正文</ofd:TextCode>"
            "</ofd:TextObject></ofd:Page>",
        )
    inspected = inspect_file("公文.ofd", buffer.getvalue())
    assert (inspected.content_type, inspected.text) == (
        "application/ofd",
        "版式文件正文",
    )


def test_size_cap_comes_from_settings(notice, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="超过大小上限"):
        services.attachment_add(
            notice=notice, by=None, name="大.txt", content="字".encode() * 400
        )
    upload = SimpleUploadedFile("大.txt", "字".encode() * 400)
    with pytest.raises(ValidationError, match="超过大小上限"):
        services.attachment_add(notice=notice, by=None, uploaded_file=upload)
    assert not Attachment.objects.exists()


def test_file_names_are_cleaned():
    assert clean_filename("../../etc/passwd.txt") == "passwd.txt"
    assert clean_filename("C:\\Users\\a\\附件\x00一.pdf") == "附件一.pdf"
    assert clean_filename("...") == "附件"
    long_name = clean_filename("长" * 300 + ".pdf")
    assert len(long_name) == 200
    assert long_name.endswith(".pdf")


def test_removing_an_attachment_updates_search_and_history(
    notice, staff_user, django_capture_on_commit_callbacks
):
    attachment = services.attachment_add(
        notice=notice, by=None, name="细则.txt", content="独有词语甲乙丙".encode()
    )
    notice.refresh_from_db()
    assert "独有词语甲乙丙" in notice.search_text
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(attachment=attachment, by=staff_user)
    notice = Notice.objects.get(pk=notice.pk)
    assert "独有词语甲乙丙" not in notice.search_text
    assert not path.exists()
    assert notice.events.latest("id").changes["attachments"][0]["name"] == "细则.txt"


# --- hidden content in Office files (issue 5 §3) ---------------------------------------


def _rewrite_docx(document_xml=None, extra: dict[str, bytes] | None = None) -> bytes:
    """The demo's valid .docx with document.xml replaced and/or parts added."""
    source = zipfile.ZipFile(io.BytesIO(build_docx("通知", ["正文"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml" and document_xml is not None:
                data = document_xml.encode()
            archive.writestr(info.filename, data)
        for member, data in (extra or {}).items():
            archive.writestr(member, data)
    return out.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>'


@pytest.mark.parametrize(
    ("document_xml", "extra", "label"),
    [
        (
            _document(
                '<w:p><w:ins w:id="1" w:author="张三"><w:r><w:t>新增</w:t></w:r></w:ins></w:p>'
            ),
            None,
            "修订记录",
        ),
        (
            _document(
                '<w:p><w:del w:id="2" w:author="张三"><w:r><w:delText>删去的原文</w:delText></w:r></w:del></w:p>'
            ),
            None,
            "修订记录",
        ),
        (None, {"word/comments.xml": f"<w:comments {W}/>".encode()}, "批注"),
        (
            _document(
                "<w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>内部意见</w:t></w:r></w:p>"
            ),
            None,
            "隐藏文字",
        ),
        (None, {"word/embeddings/oleObject1.bin": b"\x00" * 8}, "嵌入的文件"),
    ],
)
def test_word_files_with_hidden_content_are_refused_naming_it(
    document_xml, extra, label
):
    message = rejected("通知.docx", _rewrite_docx(document_xml, extra))
    assert label in message
    assert "通知.docx" in message


def test_word_table_borders_and_visible_text_are_not_mistaken_for_hidden_content():
    body = (
        '<w:tbl><w:tblPr><w:tblBorders><w:insideH w:val="single"/><w:insideV w:val="single"/>'
        "</w:tblBorders></w:tblPr></w:tbl>"
        '<w:p><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>正文可见</w:t></w:r></w:p>'
    )
    inspected = inspect_file("通知.docx", _rewrite_docx(_document(body)))
    assert "正文可见" in inspected.text


def _xlsx(*, hidden_sheet=False, comment=False) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "数据"
    if hidden_sheet:
        book.create_sheet("草稿").sheet_state = "hidden"
    if comment:
        from openpyxl.comments import Comment

        book.active["A1"].comment = Comment("请核实", "张三")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_files_with_hidden_sheets_or_comments_are_refused():
    assert inspect_file("统计.xlsx", _xlsx()).content_type.endswith(
        "spreadsheetml.sheet"
    )
    assert "隐藏的工作表" in rejected("统计.xlsx", _xlsx(hidden_sheet=True))
    assert "批注" in rejected("统计.xlsx", _xlsx(comment=True))


def test_hidden_content_refusal_keeps_the_notice_unchanged(notice, settings):
    data = _rewrite_docx(None, {"word/comments.xml": f"<w:comments {W}/>".encode()})
    with pytest.raises(ValidationError, match="批注"):
        services.attachment_add(notice=notice, by=None, name="方案.docx", content=data)
    assert not Attachment.objects.exists()
    assert media_files(settings) == []
