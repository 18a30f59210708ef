"""The shared upload inspector (portal.filecheck): crafted PDFs with active content and
ZIP bombs, through both upload paths (notice attachments and applicant uploads)."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.attachments import inspect_file
from catalog.demo import build_docx, build_pdf
from portal.filecheck import ArchiveLimits, FileRefused, open_archive, pdf_problems
from requests_app.forms import check_upload


def make_pdf(
    *, catalog: str = "", page: str = "", extra: tuple[str, ...] = ()
) -> bytes:
    """A one-page PDF whose catalog, page and extra objects (4, 5, …) carry ``extra``
    PDF syntax verbatim (so names can be written with # escapes)."""
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] {page} >>",
        *extra,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body.encode("latin-1") + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


ACTIVE_PDFS = {
    # name escapes: /J#61vaScript is /JavaScript, /J#53 is /JS
    "openaction-escaped": make_pdf(
        catalog="/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"
    ),
    "annotation-js": make_pdf(
        page="/Annots [4 0 R]",
        extra=(
            "<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] "
            "/A << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
        ),
    ),
    "page-aa": make_pdf(page="/AA << /O << /S /J#61v#61Script /J#53 4 0 R >> >>"),
    "launch": make_pdf(catalog="/OpenAction << /S /L#61unch /F (cmd.exe) >>"),
    "embedded-files": make_pdf(
        catalog="/Names << /Embedded#46iles << /Names [(a.exe) 4 0 R] >> >>",
        extra=("<< /Type /Filespec /F (a.exe) /E#46 << /F 5 0 R >> >>", "<< >>"),
    ),
    "xfa": make_pdf(
        catalog="/AcroForm << /Fields [] /X#46A 4 0 R >>", extra=("<< >>",)
    ),
    "file-attachment-annot": make_pdf(
        page="/Annots [4 0 R]",
        extra=("<< /Type /Annot /Subtype /FileAtt#61chment /Rect [0 0 9 9] >>",),
    ),
}


@pytest.mark.parametrize("case", sorted(ACTIVE_PDFS))
def test_notice_attachment_pdf_with_active_content_is_refused(case):
    with pytest.raises(ValidationError) as info:
        inspect_file("通知.pdf", ACTIVE_PDFS[case])
    message = " ".join(info.value.messages)
    assert "附件“通知.pdf”的 PDF 含有" in message


@pytest.mark.parametrize("case", sorted(ACTIVE_PDFS))
def test_applicant_upload_pdf_with_active_content_is_refused(case):
    upload = SimpleUploadedFile("身份证.pdf", ACTIVE_PDFS[case])
    with pytest.raises(ValidationError) as info:
        check_upload(upload)
    assert "PDF 含有" in " ".join(info.value.messages)


def test_what_was_found_is_named():
    assert pdf_problems(ACTIVE_PDFS["annotation-js"]) == ["脚本（JavaScript）"]
    assert pdf_problems(ACTIVE_PDFS["launch"]) == ["启动外部程序的动作"]
    assert pdf_problems(ACTIVE_PDFS["xfa"]) == ["XFA 动态表单"]
    assert pdf_problems(ACTIVE_PDFS["embedded-files"]) == ["嵌入的文件"]


def test_plain_pdfs_pass_both_paths_even_with_name_like_bytes_in_streams():
    data = build_pdf("招生简章", ["报名时间：7月1日"])
    assert pdf_problems(data) == []
    assert inspect_file("简章.pdf", data).kind == "pdf"
    assert check_upload(SimpleUploadedFile("a.pdf", data)).kind == "pdf"
    # binary stream data that happens to contain "/JS " is not a name
    binary = make_pdf(
        page="/Contents 4 0 R",
        extra=("<< /Length 12 >>\nstream\nq /JS Q /EF \nendstream",),
    )
    assert pdf_problems(binary) == []


def test_unreadable_pdf_is_refused_as_damaged():
    with pytest.raises(FileRefused, match="已损坏"):
        pdf_problems(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R \n%%EOF\n")


# --- archives --------------------------------------------------------------------------


def _docx_with_document(chunks: int, chunk: bytes) -> bytes:
    docx = io.BytesIO(build_docx("标题", ["正文"]))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(docx) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info))
        with target.open("word/document.xml", "w") as member:
            member.write(source.read("word/document.xml")[:-30])
            for _ in range(chunks):
                member.write(chunk)
    return out.getvalue()


def test_docx_bomb_is_refused_before_anything_is_inflated():
    bomb = _docx_with_document(180, b"<w:p/>" * (1024 * 1024 // 6))  # ~180 MB
    assert 150_000 < len(bomb) < 400_000
    with pytest.raises(FileRefused) as info:
        open_archive(bomb, "方案.docx")
    assert "压缩炸弹" in info.value.message
    assert info.value.inflated < 2 * 1024 * 1024
    with pytest.raises(ValidationError, match="压缩炸弹"):
        inspect_file("方案.docx", bomb)


def _lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the central directory so ``member`` declares ``size`` uncompressed bytes."""
    buf = bytearray(data)
    at = buf.rfind(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46 : at + 46 + name_len]).decode() == member:
            struct.pack_into("<I", buf, at + 24, size)
            return bytes(buf)
        at = buf.rfind(b"PK\x01\x02", 0, at)
    raise AssertionError(member)


def test_lying_sizes_stop_at_the_counter():
    honest = _docx_with_document(8, b"<w:p/>" * (1024 * 1024 // 6))  # ~8 MB
    lying = _lie_about_size(honest, "word/document.xml", 4000)
    with pytest.raises(FileRefused) as info:
        open_archive(lying, "方案.docx")
    assert info.value.inflated < 256 * 1024


def test_member_count_total_and_member_size_limits():
    def archive(members: int, size: int) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            for i in range(members):
                z.writestr(f"m{i}.xml", b"a" * size)
        return out.getvalue()

    limits = ArchiveLimits(members=10, member_bytes=1000, total_bytes=5000)
    with pytest.raises(FileRefused, match="11 个成员"):
        open_archive(archive(11, 1), "a.zip", limits)
    with pytest.raises(FileRefused, match="成员解压后过大"):
        open_archive(archive(1, 1001), "a.zip", limits)
    with pytest.raises(FileRefused, match="解压后过大"):
        open_archive(archive(6, 1000), "a.zip", limits)
    checked = open_archive(archive(5, 1000), "a.zip", limits)
    assert checked.inflated == 5000


def test_ordinary_docx_passes_and_is_read():
    checked = open_archive(build_docx("标题", ["正文"]), "a.docx")
    assert "word/document.xml" in checked.namelist()
    assert b"\xe6\xad\xa3\xe6\x96\x87" in checked.read("word/document.xml")
