"""Content checks shared by every upload path (docs/security.md §8, issue 11 §1.3, §1.4).

One PDF inspector and one archive guard, used by the notice attachments
(``catalog.attachments``) and by the applicant and reply uploads of 依申请公开
(``requests_app.forms``), so both apply the same rules:

* ``pdf_problems`` parses the PDF's objects with pypdf (names decoded, so
  ``/J#61vaScript`` is ``/JavaScript``) and walks every object of the file, reachable
  or not, including those packed in object streams. JavaScript, launch actions,
  embedded files, rich media and XFA forms are refused wherever they occur: document
  catalog, name trees, OpenAction, additional actions (AA) of pages, annotations and
  form fields. A raw scan of the bytes with name escapes decoded is a second net.
* ``open_archive`` checks a ZIP-based file (DOCX, XLSX, OFD, ZIP) against limits on
  member count, per-member size, total uncompressed size and compression ratio:
  first the central directory, then every member is stream-decompressed with a
  counter (declared sizes can lie) before any member is parsed.

Both raise ``FileRefused`` with a Chinese message that starts with the quoted file
name (“x.pdf”的 …); callers put their noun in front (附件/文件) and turn it into
their form or field error.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

# --- errors ------------------------------------------------------------------------------


class FileRefused(Exception):
    """A file refused by a content check; ``message`` is the Chinese reason."""

    def __init__(self, message: str, *, inflated: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.inflated = inflated  # bytes decompressed before the refusal (archives)


# --- PDF ----------------------------------------------------------------------------------

MAX_PDF_OBJECTS = 200_000

# What a PDF may not carry, by the decoded name (as a dictionary key or as a value).
_ACTIVE_KEYS = {
    "/JS": "脚本（JavaScript）",
    "/JavaScript": "脚本（JavaScript）",
    "/EmbeddedFiles": "嵌入的文件",
    "/EmbeddedFile": "嵌入的文件",
    "/EF": "嵌入的文件",
    "/XFA": "XFA 动态表单",
    "/RichMedia": "富媒体（Flash 等）",
    "/Launch": "启动外部程序的动作",
}
_ACTIVE_VALUES = {
    # /S (action type), /Type and /Subtype values
    "/JavaScript": "脚本（JavaScript）",
    "/Launch": "启动外部程序的动作",
    "/EmbeddedFile": "嵌入的文件",
    "/FileAttachment": "嵌入的文件",
    "/GoToE": "嵌入的文件",
    "/RichMedia": "富媒体（Flash 等）",
    "/Movie": "富媒体（Flash 等）",
    "/Sound": "富媒体（Flash 等）",
}
_VALUE_KEYS = {"/S", "/Type", "/Subtype"}
_RAW_NAME = re.compile(rb"/((?:[^\s/<>\[\]()%{}#]|#[0-9A-Fa-f]{2})+)")
# stream bodies are compressed or binary data: random bytes there are not names
_STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.S)


def _decode_name(raw: bytes) -> str:
    decoded = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), raw)
    return "/" + decoded.decode("latin-1")


def _raw_scan(data: bytes) -> set[str]:
    """Active names in the uncompressed bytes, escapes decoded (a second net)."""
    found: set[str] = set()
    for match in _RAW_NAME.finditer(_STREAM_BODY.sub(b" ", data)):
        name = _decode_name(match.group(1))
        if name in _ACTIVE_KEYS and name not in ("/EF", "/Launch"):
            found.add(_ACTIVE_KEYS[name])
        elif name in ("/Launch", "/GoToE", "/FileAttachment"):
            found.add(_ACTIVE_VALUES[name])
    return found


def _walk(reader, found: set[str]) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack: list = [reader.trailer]
    for idnum, generation in _all_object_ids(reader):
        stack.append(IndirectObject(idnum, generation, reader))
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise FileRefused("对象过多，无法检查")
        if isinstance(obj, DictionaryObject):
            for k, v in obj.items():
                name = str(k)
                if name in _ACTIVE_KEYS:
                    found.add(_ACTIVE_KEYS[name])
                if name in _VALUE_KEYS and str(v) in _ACTIVE_VALUES:
                    found.add(_ACTIVE_VALUES[str(v)])
                stack.append(v)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def _all_object_ids(reader) -> list[tuple[int, int]]:
    ids: list[tuple[int, int]] = []
    for generation, table in (getattr(reader, "xref", None) or {}).items():
        ids.extend((idnum, generation) for idnum in table)
    ids.extend((idnum, 0) for idnum in (getattr(reader, "xref_objStm", None) or {}))
    return ids


def pdf_problems(data: bytes) -> list[str]:
    """What active content a PDF carries, as Chinese labels (empty if none).

    Raises ``FileRefused`` when the PDF cannot be parsed or is password-protected
    (its objects could not be checked then)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    found = _raw_scan(data)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRefused("有密码保护，无法检查内容；请上传未加密的文件")
        _walk(reader, found)
    except FileRefused:
        raise
    except (
        PdfReadError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        NotImplementedError,
        OSError,
        AssertionError,
    ) as exc:
        raise FileRefused("已损坏，无法读取") from exc
    order = list(dict.fromkeys([*_ACTIVE_KEYS.values(), *_ACTIVE_VALUES.values()]))
    return sorted(found, key=order.index)


def check_pdf(data: bytes, name: str) -> None:
    """Refuse a PDF with active content, naming the file and what was found."""
    try:
        problems = pdf_problems(data)
    except FileRefused as exc:
        raise FileRefused(f"“{name}”的 PDF {exc.message}") from exc
    if problems:
        raise FileRefused(
            f"“{name}”的 PDF 含有{'、'.join(problems)}，出于安全原因不接受；"
            "请用“打印为 PDF”另存一份不含这些内容的文件后上传"
        )


# --- archives (DOCX, XLSX, OFD, ZIP) ------------------------------------------------------


@dataclass(frozen=True)
class ArchiveLimits:
    members: int = 2_000
    member_bytes: int = 50 * 1024 * 1024
    total_bytes: int = 100 * 1024 * 1024
    # uncompressed ÷ compressed, checked for members past ``ratio_floor`` bytes: office
    # XML compresses 5–30×, a bomb 1,000×
    ratio: int = 100
    ratio_floor: int = 1024 * 1024


LIMITS = ArchiveLimits()
_CHUNK = 64 * 1024


@dataclass
class CheckedArchive:
    """A ZIP archive that passed the limits; ``read`` returns one member's bytes."""

    archive: zipfile.ZipFile
    name: str
    inflated: int = 0  # bytes decompressed by the check
    sizes: dict[str, int] = field(default_factory=dict)  # actual sizes

    def namelist(self) -> list[str]:
        return self.archive.namelist()

    def read(self, member: str) -> bytes:
        try:
            return self.archive.read(member)
        except (
            zipfile.BadZipFile,
            ValueError,
            OSError,
            RuntimeError,
            NotImplementedError,
            EOFError,
        ) as exc:
            raise FileRefused(f"“{self.name}”已损坏，无法读取") from exc


def _too_big(name: str, what: str, inflated: int = 0) -> FileRefused:
    return FileRefused(f"“{name}”{what}，可能是压缩炸弹，不接受", inflated=inflated)


def open_archive(
    data: bytes, name: str, limits: ArchiveLimits = LIMITS
) -> CheckedArchive:
    """Open a ZIP-based file and check it against ``limits`` before any parsing.

    The central directory first (count, declared sizes and ratios), then each member
    is decompressed in 64 KB chunks and counted: over a limit the check stops at once,
    so a bomb costs at most about ``ratio_floor`` bytes of work per member."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise FileRefused(f"“{name}”已损坏，无法读取") from exc
    if len(infos) > limits.members:
        raise _too_big(name, f"包含 {len(infos)} 个成员，超过 {limits.members} 个")
    declared_total = 0
    for info in infos:
        declared_total += info.file_size
        if info.file_size > limits.member_bytes:
            raise _too_big(name, "中有成员解压后过大")
        if info.file_size > limits.ratio_floor and (
            info.file_size > limits.ratio * max(info.compress_size, 1)
        ):
            raise _too_big(name, "压缩比异常")
    if declared_total > limits.total_bytes:
        raise _too_big(name, "解压后过大")
    checked = CheckedArchive(archive=archive, name=name)
    for info in infos:
        if info.is_dir():
            continue
        size = 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    checked.inflated += len(chunk)
                    if size > limits.member_bytes:
                        raise _too_big(name, "中有成员解压后过大", checked.inflated)
                    if checked.inflated > limits.total_bytes:
                        raise _too_big(name, "解压后过大", checked.inflated)
                    if size > limits.ratio_floor and size > limits.ratio * max(
                        info.compress_size, 1
                    ):
                        raise _too_big(name, "压缩比异常", checked.inflated)
        except FileRefused:
            raise
        except (
            zipfile.BadZipFile,
            ValueError,
            OSError,
            RuntimeError,
            NotImplementedError,
            EOFError,
        ) as exc:
            raise FileRefused(f"“{name}”已损坏，无法读取") from exc
        checked.sizes[info.filename] = size
    return checked
