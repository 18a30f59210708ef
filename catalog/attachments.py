"""Attachments of notices: type checks by content, text extraction, and the service.

Every attachment, whether uploaded in the admin, imported from JSONL or generated for
the demo, goes through ``inspect_file``:

1. size cap (``settings.UPLOAD_MAX_BYTES``) and a sanitised original name;
2. the type is decided by the bytes (magic numbers, zip/OLE structure), never by the
   name, and the extension must agree with it: PDF, DOCX/XLSX (zip with the right
   ``[Content_Types].xml``), DOC/XLS/WPS/ET (OLE), OFD, JPG, PNG, plain text
   (UTF-8 or GB18030). HTML, SVG, scripts, executables, archives, macro documents and
   PDFs with JavaScript, launch actions or embedded files are refused with a Chinese
   message naming the file;
3. the text is extracted (PDF via pypdf, DOCX/XLSX/OFD from their XML, TXT decoded)
   so search finds words inside attachments.

``attachment_add`` / ``attachment_remove`` are the services (re-exported by
``catalog.services``): locked notice row, append-only history, search refresh.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from catalog import publishing
from catalog.models import Attachment, Notice, NoticeEvent
from catalog.search import refresh_notice_search
from portal.filecheck import CheckedArchive, FileRefused, check_pdf, open_archive
from portal.filestore import delete_quietly, save_field_file

MAX_TEXT_CHARS = 500_000  # extracted text kept per attachment
MAX_PDF_PAGES = 500

ALLOWED_TYPES_TEXT = (
    "PDF、Word（DOC/DOCX/WPS）、Excel（XLS/XLSX/ET）、OFD、JPG、PNG、TXT"
)


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


KINDS = {
    k.code: k
    for k in (
        FileKind("pdf", "PDF", "application/pdf", (".pdf",)),
        FileKind(
            "docx",
            "Word 文档（DOCX）",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        FileKind(
            "xlsx",
            "Excel 表格（XLSX）",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        FileKind(
            "ole",
            "Office 97-2003 文档（DOC/XLS）",
            "application/octet-stream",
            (".doc", ".xls", ".wps", ".et"),
        ),
        FileKind("ofd", "OFD 版式文件", "application/ofd", (".ofd",)),
        FileKind("jpg", "JPG 图片", "image/jpeg", (".jpg", ".jpeg")),
        FileKind("png", "PNG 图片", "image/png", (".png",)),
        FileKind("txt", "纯文本", "text/plain", (".txt",)),
    )
}
OLE_CONTENT_TYPES = {
    ".doc": "application/msword",
    ".wps": "application/vnd.ms-works",
    ".xls": "application/vnd.ms-excel",
    ".et": "application/vnd.ms-excel",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ARCHIVE_MAGICS = (
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",
)
_EXECUTABLE_MAGICS = (
    b"MZ",
    b"\x7fELF",
    b"\xca\xfe\xba\xbe",
    b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe",
)
_ACTIVE_MARKUP = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|iframe|object|embed|svg|meta|link|form|style|\?xml)\b",
    re.I,
)
_IMAGE_ACTIVE_MARKUP = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|iframe|svg)\b", re.I
)
_SVG_MARKUP = re.compile(rb"<\s*svg\b", re.I)
_SCRIPT_EXTENSIONS = {
    ".js",
    ".vbs",
    ".bat",
    ".cmd",
    ".ps1",
    ".sh",
    ".exe",
    ".dll",
    ".com",
    ".scr",
    ".msi",
    ".jar",
    ".py",
    ".php",
    ".asp",
    ".aspx",
    ".jsp",
    ".hta",
    ".html",
    ".htm",
    ".xhtml",
    ".svg",
    ".mht",
    ".mhtml",
    ".shtml",
}
_ARCHIVE_EXTENSIONS = {
    ".zip",
    ".rar",
    ".7z",
    ".gz",
    ".tgz",
    ".bz2",
    ".xz",
    ".tar",
    ".cab",
}


@dataclass(frozen=True)
class InspectedFile:
    """A checked file, ready to store: the bytes plus what we learned from them."""

    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    text: str
    data: bytes


def _reject(message: str) -> ValidationError:
    return ValidationError({"file": message}, code="invalid_attachment")


# --- names ------------------------------------------------------------------------------


def clean_filename(raw: str) -> str:
    """The original name as safe metadata: no directories, controls or NULs; ≤ 200 chars."""
    name = unicodedata.normalize("NFC", raw or "")
    name = PureWindowsPath(PurePosixPath(name.replace("\x00", "")).name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if not name:
        name = "附件"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: 200 - len(ext) - 1] + "." + ext
        else:
            name = name[:200]
    return name


def extension_of(name: str) -> str:
    suffix = PurePosixPath(name.lower()).suffix
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix or "") else ""


# --- type detection ---------------------------------------------------------------------


def _open_zip(data: bytes, name: str) -> CheckedArchive:
    """The archive after the shared zip-bomb limits (``portal.filecheck``): members are
    counted and stream-decompressed before any of them is parsed."""
    try:
        return open_archive(data, name)
    except FileRefused as exc:
        raise _reject("附件" + exc.message) from exc


def _read_member(archive: CheckedArchive, member: str, name: str) -> bytes:
    try:
        return archive.read(member)
    except FileRefused as exc:
        raise _reject(f"附件“{name}”已损坏，无法读取") from exc


# Content a published Office file may carry without the reader seeing it: drafts'
# tracked changes, reviewers' comments, text formatted as hidden, hidden sheets and
# embedded files. Publishing it can disclose what was never meant to be disclosed.
_WORD_PARTS = re.compile(
    r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$"
)
_WORD_REVISION = re.compile(rb"<w:(?:ins|del|moveFrom|moveTo)[\s/>]")
_WORD_HIDDEN = re.compile(
    rb'<w:(?:vanish|specVanish)(?:\s+w:val="(?:1|true|on)")?\s*/>'
)
_SHEET_HIDDEN = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\bstate="(?:hidden|veryHidden)"')


def hidden_content(archive: CheckedArchive, kind: str, name: str) -> list[str]:
    """What hidden content a .docx or .xlsx holds, as Chinese labels (empty if none)."""
    names = archive.namelist()
    found: list[str] = []
    if kind == "docx":
        parts = [_read_member(archive, n, name) for n in names if _WORD_PARTS.match(n)]
        if any(_WORD_REVISION.search(part) for part in parts):
            found.append("修订记录")
        if any(n.startswith("word/comments") for n in names):
            found.append("批注")
        if any(_WORD_HIDDEN.search(part) for part in parts):
            found.append("隐藏文字")
        if any(n.startswith("word/embeddings/") for n in names):
            found.append("嵌入的文件")
    else:
        if any(n.startswith(("xl/comments", "xl/threadedComments/")) for n in names):
            found.append("批注")
        if "xl/workbook.xml" in names and _SHEET_HIDDEN.search(
            _read_member(archive, "xl/workbook.xml", name)
        ):
            found.append("隐藏的工作表")
        if any(n.startswith("xl/embeddings/") for n in names):
            found.append("嵌入的文件")
    return found


def _refuse_hidden_content(archive: CheckedArchive, kind: str, name: str) -> None:
    found = hidden_content(archive, kind, name)
    if found:
        raise _reject(
            f"附件“{name}”含有{'、'.join(found)}，公开后可能泄露未定稿或不应公开的内容；"
            "请接受或拒绝全部修订、删除批注、取消隐藏并移除嵌入文件后另存，再上传"
        )


def _zip_kind(data: bytes, name: str) -> str:
    archive = _open_zip(data, name)
    names = set(archive.namelist())
    if "[Content_Types].xml" in names:
        types = _read_member(archive, "[Content_Types].xml", name)
        if b"macroEnabled" in types or any(
            n.lower().endswith("vbaproject.bin") for n in names
        ):
            raise _reject(
                f"附件“{name}”含有宏，不接受；请另存为不含宏的 .docx 或 .xlsx 后上传"
            )
        if b"wordprocessingml.document.main+xml" in types:
            _refuse_hidden_content(archive, "docx", name)
            return "docx"
        if b"spreadsheetml.sheet.main+xml" in types:
            _refuse_hidden_content(archive, "xlsx", name)
            return "xlsx"
        raise _reject(
            f"附件“{name}”是不支持的 Office 文件类型。可上传：{ALLOWED_TYPES_TEXT}"
        )
    if "OFD.xml" in names:
        return "ofd"
    raise _reject(f"附件“{name}”是压缩包，不接受；请解压后逐个上传文件")


def _looks_like_text(data: bytes) -> str | None:
    """The decoded text when ``data`` is UTF-8 or GB18030 text without control bytes."""
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(
            1
            for ch in text
            if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f"
        )
        if controls == 0:
            return text
    return None


def detect_kind(data: bytes, name: str) -> str:
    """The kind of ``data`` decided by its bytes, or a ValidationError saying why not."""
    head = data[:1024]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, name)
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if (
        data.startswith(_ARCHIVE_MAGICS)
        or data.startswith(b"PK\x05\x06")
        or data[257:262] == b"ustar"
    ):
        raise _reject(f"附件“{name}”是压缩包，不接受；请解压后逐个上传文件")
    if data.startswith(_EXECUTABLE_MAGICS) or stripped.startswith(b"#!"):
        raise _reject(f"附件“{name}”是可执行文件或脚本，不接受")
    if _SVG_MARKUP.search(head):
        raise _reject(
            f"附件“{name}”是 SVG 图形，可能含有脚本，不接受；请转换为 PNG 或 PDF 后上传"
        )
    if _ACTIVE_MARKUP.search(head) or re.search(rb"<\s*script\b", data, re.I):
        raise _reject(
            f"附件“{name}”是网页（HTML）或含有脚本，出于安全原因不接受；请转换为 PDF 后上传"
        )
    if _looks_like_text(data) is not None:
        return "txt"
    raise _reject(f"附件“{name}”的文件类型不受支持。可上传：{ALLOWED_TYPES_TEXT}")


# --- content checks and text extraction ---------------------------------------------------


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        check_pdf(data, name)
    except FileRefused as exc:
        raise _reject("附件" + exc.message) from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")  # check_pdf refused any other password
        parts = []
        total = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            page_text = page.extract_text() or ""
            parts.append(page_text)
            total += len(page_text)
            if total > MAX_TEXT_CHARS:
                break
        return "\f".join(parts)  # form feed between pages: findings name their page
    except ValidationError:
        raise
    except (
        PdfReadError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
    ) as exc:
        raise _reject(f"附件“{name}”的 PDF 已损坏，无法读取") from exc


def _parse_xml(raw: bytes, name: str) -> ET.Element:
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise _reject(f"附件“{name}”含有不允许的 XML 声明，不接受")
    try:
        return ET.fromstring(raw)  # noqa: S314 - no DOCTYPE/ENTITY possible here
    except ET.ParseError as exc:
        raise _reject(f"附件“{name}”已损坏，无法读取") from exc


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _docx_text(data: bytes, name: str) -> str:
    archive = _open_zip(data, name)
    if "word/document.xml" not in archive.namelist():
        raise _reject(f"附件“{name}”已损坏，无法读取（缺少正文）")
    root = _parse_xml(_read_member(archive, "word/document.xml", name), name)
    paragraphs = []
    for para in root.iter(f"{_W}p"):
        pieces = []
        for node in para.iter():
            if node.tag == f"{_W}t" and node.text:
                pieces.append(node.text)
            elif node.tag == f"{_W}tab":
                pieces.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                pieces.append("\n")
        paragraphs.append("".join(pieces))
    return "\n".join(p for p in paragraphs if p.strip())


def _xlsx_text(data: bytes, name: str) -> str:
    archive = _open_zip(data, name)
    members = archive.namelist()
    texts: list[str] = []
    if "xl/sharedStrings.xml" in members:
        root = _parse_xml(_read_member(archive, "xl/sharedStrings.xml", name), name)
        for item in root.iter(f"{_S}si"):
            texts.append("".join(t.text or "" for t in item.iter(f"{_S}t")))
    for member in sorted(
        m for m in members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", m)
    ):
        root = _parse_xml(_read_member(archive, member, name), name)
        for inline in root.iter(f"{_S}is"):
            texts.append("".join(t.text or "" for t in inline.iter(f"{_S}t")))
    return "\n".join(t for t in texts if t.strip())


def _ofd_text(data: bytes, name: str) -> str:
    archive = _open_zip(data, name)
    texts: list[str] = []
    pages = sorted(
        m for m in archive.namelist() if re.search(r"Pages/Page_\d+/Content\.xml$", m)
    )
    for member in pages:
        root = _parse_xml(_read_member(archive, member, name), name)
        line = [
            node.text or ""
            for node in root.iter()
            if node.tag.rsplit("}", 1)[-1] == "TextCode"
        ]
        texts.append("".join(line))
    return "\n".join(t for t in texts if t.strip())


def _ole_check(data: bytes, name: str) -> None:
    # VBA storages are named in UTF-16LE in the OLE directory: refuse macro documents
    if "_VBA_PROJECT".encode("utf-16-le") in data:
        raise _reject(f"附件“{name}”含有宏，不接受；请另存为不含宏的文件后上传")


def _image_check(data: bytes, name: str, kind: str) -> None:
    if kind == "png":
        end = data.rfind(b"IEND")
        if end < 0 or len(data) > end + 8:
            raise _reject(
                f"附件“{name}”的 PNG 图片结构不完整或结尾附带了其他内容，不接受"
            )
    elif kind == "jpg" and data.rfind(b"\xff\xd9") < 0:
        raise _reject(f"附件“{name}”的 JPG 图片不完整，不接受")
    if _IMAGE_ACTIVE_MARKUP.search(data):
        raise _reject(f"附件“{name}”的图片中夹带了网页或脚本内容，不接受")


def extract_text(data: bytes, kind: str, name: str) -> str:
    """Checks the content of ``kind`` and returns its text ('' for images and OLE)."""
    if kind == "pdf":
        text = _pdf_text(data, name)
    elif kind == "docx":
        text = _docx_text(data, name)
    elif kind == "xlsx":
        text = _xlsx_text(data, name)
    elif kind == "ofd":
        text = _ofd_text(data, name)
    elif kind == "txt":
        text = _looks_like_text(data) or ""
    elif kind == "ole":
        _ole_check(data, name)
        text = ""
    else:
        _image_check(data, name, kind)
        text = ""
    text = text.replace("\x00", "").replace("\r\n", "\n")
    return text[:MAX_TEXT_CHARS]


# --- the checks in order -------------------------------------------------------------------


def max_upload_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def _size_label(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def inspect_file(name: str, data: bytes) -> InspectedFile:
    """Check one file (size, type by content, extension, active content) and extract its text.

    Raises ``ValidationError({"file": <Chinese message naming the file>})``.
    """
    name = clean_filename(name)
    limit = max_upload_bytes()
    if len(data) > limit:
        raise _reject(f"附件“{name}”超过大小上限 {_size_label(limit)}")
    if not data:
        raise _reject(f"附件“{name}”是空文件")
    ext = extension_of(name)
    if ext in _SCRIPT_EXTENSIONS:
        if ext in (".svg",):
            raise _reject(
                f"附件“{name}”是 SVG 图形，可能含有脚本，不接受；请转换为 PNG 或 PDF 后上传"
            )
        if ext in (".html", ".htm", ".xhtml", ".mht", ".mhtml", ".shtml"):
            raise _reject(
                f"附件“{name}”是网页（HTML）或含有脚本，出于安全原因不接受；请转换为 PDF 后上传"
            )
        raise _reject(f"附件“{name}”是可执行文件或脚本，不接受")
    if ext in _ARCHIVE_EXTENSIONS:
        raise _reject(f"附件“{name}”是压缩包，不接受；请解压后逐个上传文件")
    kind_code = detect_kind(data, name)
    kind = KINDS[kind_code]
    if ext not in kind.extensions:
        shown = ext or "（无扩展名）"
        raise _reject(
            f"附件“{name}”的扩展名 {shown} 与文件内容（{kind.label}）不符，请核对后重新上传"
        )
    text = extract_text(data, kind_code, name)
    content_type = kind.content_type
    if kind_code == "ole":
        content_type = OLE_CONTENT_TYPES.get(ext, content_type)
    elif kind_code == "txt":
        content_type = f"text/plain; charset={text_charset(data)}"
    return InspectedFile(
        name=name,
        kind=kind_code,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        data=data,
    )


def _is_utf8(data: bytes, *, complete: bool = True) -> bool:
    """Whether ``data`` is UTF-8; with ``complete=False`` (the first bytes of a longer
    file) a character cut at the end does not count against it."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def text_charset(data: bytes, *, complete: bool = True) -> str:
    """The charset of a plain-text file, told from its bytes: UTF-8 when they decode
    as UTF-8, else GB18030 (the other encoding accepted for .txt uploads). The one
    rule for the stored content type and the download's ``Content-Type``."""
    return "utf-8" if _is_utf8(data, complete=complete) else "gb18030"


def read_uploaded_file(uploaded_file) -> tuple[str, bytes]:
    """Name and bytes of a Django ``UploadedFile``, refusing it before reading past the cap."""
    name = clean_filename(getattr(uploaded_file, "name", "") or "")
    limit = max_upload_bytes()
    if (getattr(uploaded_file, "size", 0) or 0) > limit:
        raise _reject(f"附件“{name}”超过大小上限 {_size_label(limit)}")
    chunks, total = [], 0
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    for chunk in (
        uploaded_file.chunks()
        if hasattr(uploaded_file, "chunks")
        else [uploaded_file.read()]
    ):
        total += len(chunk)
        if total > limit:
            raise _reject(f"附件“{name}”超过大小上限 {_size_label(limit)}")
        chunks.append(chunk)
    return name, b"".join(chunks)


def inspect_upload(uploaded_file) -> InspectedFile:
    name, data = read_uploaded_file(uploaded_file)
    return inspect_file(name, data)


def store_inspected(
    inspected: InspectedFile, *, notice: Notice, position: int, before_write=None
) -> Attachment:
    """Write the bytes under a random name (outside any public URL) and create the row."""
    attachment = Attachment(
        notice=notice,
        name=inspected.name,
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
        text=inspected.text,
        position=position,
    )
    # temporary name + rename: a full disk leaves no half-written file (StorageFull)
    save_field_file(
        attachment.file,
        inspected.data,
        name_hint=uuid.uuid4().hex,
        before_write=before_write,
    )
    try:
        attachment.save()
    except BaseException:
        delete_quietly(attachment.file)
        raise
    return attachment


# --- services -------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *,
    notice: Notice,
    by,
    uploaded_file=None,
    name: str | None = None,
    content: bytes | None = None,
    inspected: InspectedFile | None = None,
    override_reason: str = "",
    override_shown=None,
    screened_by_caller: bool = False,
    before_write=None,
    security_review_confirmed: bool = False,
    now=None,
) -> Attachment:
    """Check, extract and attach one file: either ``uploaded_file`` or ``name`` + ``content``.

    Raises ``ValidationError({"file": …})`` for a refused file; nothing is stored then.
    On a public notice the file's text goes through the personal-data guard first
    (``override_reason``: an approver's, see ``catalog.services.check_personal_data``).
    ``screened_by_caller``: the caller screens the whole notice itself, in the same
    transaction, once all its parts are in (the import: ``notice_import_screen``).
    A full disk raises ``portal.filestore.StorageFull`` and leaves no file.
    ``before_write(name)`` is called with the storage name before the bytes are
    written (the import's journal of uncommitted files).

    On a published notice a new attachment is new public content: it needs
    ``security_review_confirmed`` (条例 第十七条; ``by`` is then the reviewer of the new
    version) and writes a revision; where the agency requires a second person it is
    refused (see ``attachment_review``). The import (``screened_by_caller``) and the
    system (``by=None``) pass without confirmation.
    """
    from catalog.services import (
        check_personal_data,
        ensure_baseline_revision,
        forget_security_review,
    )

    if inspected is None:
        if uploaded_file is not None:
            inspected = inspect_upload(uploaded_file)
        elif name is not None and content is not None:
            inspected = inspect_file(name, content)
        else:
            raise TypeError("attachment_add needs uploaded_file or name and content")
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    # an attachment (an image in the body too) is content of the notice: the same right
    # as editing it (the lead agency's 管理员; the system and superusers pass)
    publishing.check_may_manage(user=by, notice=locked)
    now = attachment_review(
        locked,
        by=by,
        confirmed=security_review_confirmed,
        screened_by_caller=screened_by_caller,
        now=now,
    )
    if now is not None:
        ensure_baseline_revision(locked, now=now)
    last = locked.attachments.aggregate(m=Max("position"))["m"]
    attachment = store_inspected(
        inspected,
        notice=locked,
        position=0 if last is None else last + 1,
        before_write=before_write,
    )
    try:
        if locked.status != Notice.Status.DRAFT and not screened_by_caller:
            check_personal_data(
                locked,
                by=by,
                override_reason=override_reason,
                action="添加该附件",
                shown=override_shown,
            )
        changes: dict = {
            "attachments": [
                None,
                {
                    "name": attachment.name,
                    "sha256": attachment.sha256,
                    "size": attachment.size,
                },
            ]
        }
        if locked.status != Notice.Status.PUBLISHED:
            reviewed = forget_security_review(locked, changes)
            if reviewed:
                locked.save(update_fields=reviewed)
        elif now is not None:
            _review_new_version(locked, changes, by=by, now=now)
        event = NoticeEvent.objects.create(
            notice=locked,
            actor=by,
            action=NoticeEvent.Action.UPDATED,
            changes=changes,
        )
        if now is not None:
            _record(locked, by=by, now=now, event=event)
        refresh_notice_search([locked.pk])
    except BaseException:
        delete_quietly(attachment.file)
        raise
    return attachment


def attachment_review(
    locked: Notice, *, by, confirmed: bool, screened_by_caller: bool, now
):
    """The 保密审查 rule (条例 第十七条) for an attachment change of a published notice,
    before anything is stored. Returns the moment to record a revision at (None: not a
    published notice, or the import, which records its own revision).

    A second-person agency cannot change a published notice's attachments here: a file
    cannot wait in a pending revision, so the message says to 撤回 first (the
    re-publication is then reviewed by the second person)."""
    from catalog.services import published_change_review
    from portal import timeutil

    if locked.status != Notice.Status.PUBLISHED or screened_by_caller:
        return None
    mode = published_change_review(
        locked, by=by, touched=["attachments"], confirmed=confirmed
    )
    if mode == "pending":
        raise ValidationError(
            {
                "file": "本机关要求保密审查由第二人确认（条例第十七条），已发布信息的附件"
                "不能直接增删：附件无法作为待确认的修改保存。请先撤回该信息，修改附件后由"
                "第二人确认保密审查，再重新发布；正文等文字内容的修改可直接提交待确认。"
            },
            code="second_review_attachment",
        )
    return now or timeutil.local_now()


def _review_new_version(locked: Notice, changes: dict, *, by, now) -> None:
    from catalog.services import _set_reviewer

    fields = _set_reviewer(locked, changes, reviewer=by, now=now)
    if fields:
        locked.save(update_fields=fields)


def _record(locked: Notice, *, by, now, event) -> None:
    from catalog.models import NoticeRevision
    from catalog.services import record_revision

    record_revision(
        notice=locked, kind=NoticeRevision.Kind.EDITED, by=by, now=now, event=event
    )


@transaction.atomic
def attachment_remove(
    *,
    attachment: Attachment,
    by,
    reason: str = "",
    security_review_confirmed: bool = False,
    screened_by_caller: bool = False,
    now=None,
) -> None:
    """Remove an attachment (the bytes go once committed). On a published notice the
    same 保密审查 rule as ``attachment_add``; ``screened_by_caller``: the import."""
    from catalog.services import ensure_baseline_revision, forget_security_review

    locked = Notice.objects.select_for_update().get(pk=attachment.notice_id)
    publishing.check_may_manage(user=by, notice=locked)
    row = Attachment.objects.filter(pk=attachment.pk, notice=locked).first()
    if row is None:
        return
    now = attachment_review(
        locked,
        by=by,
        confirmed=security_review_confirmed,
        screened_by_caller=screened_by_caller,
        now=now,
    )
    if now is not None:
        ensure_baseline_revision(locked, now=now)
    changes: dict = {
        "attachments": [
            {"name": row.name, "sha256": row.sha256, "size": row.size},
            None,
        ]
    }
    if locked.status != Notice.Status.PUBLISHED:
        reviewed = forget_security_review(locked, changes)
        if reviewed:
            locked.save(update_fields=reviewed)
    elif now is not None:
        _review_new_version(locked, changes, by=by, now=now)
    event = NoticeEvent.objects.create(
        notice=locked,
        actor=by,
        action=NoticeEvent.Action.UPDATED,
        reason=reason,
        changes=changes,
    )
    storage, path = row.file.storage, row.file.name
    row.delete()
    if now is not None:
        _record(locked, by=by, now=now, event=event)
    refresh_notice_search([locked.pk])
    # the bytes go only once the removal is committed
    transaction.on_commit(lambda: storage.delete(path) if path else None)


@transaction.atomic
def attachments_reorder(*, notice: Notice, order: list[Attachment]) -> None:
    """Number the notice's attachments 0, 1, … in ``order`` (the notice is locked)."""
    Notice.objects.select_for_update().get(pk=notice.pk)
    for position, attachment in enumerate(order):
        if attachment.position != position:
            Attachment.objects.filter(pk=attachment.pk, notice=notice).update(
                position=position
            )
            attachment.position = position
