"""A Word (.docx) 公文 turned into the parts of a draft notice (issue 12 §2). Pure: no DB.

``convert_docx(data)`` checks the file first (size, type by its bytes, the shared zip
limits of ``portal.filecheck``, no DOCTYPE/ENTITY in its XML, no tracked changes or
hidden text that would become visible, no macros, no password) and then converts it
with mammoth into a ``DocxResult``:

* **标题** — a paragraph in Word's 标题 (Title) style, else the centred lines after the
  发文字号 (GB/T 9704-2012: 发文机关标志, 发文字号, then the title centred in 2号小标宋;
  a title of two or three lines is joined), else a short first paragraph (with a
  warning asking to check it);
* **发文字号** — a header line such as 天政办函〔2026〕12号 (also written with [] () 【】
  or with 签发人 on the same line), normalised by ``portal.validators``;
* **成文日期** — the date line under the signature near the end, 2026年3月5日 or
  二〇二六年三月五日 (版记 lines such as “……2026年3月6日印发” are not it);
* **正文** — HTML cleaned by ``catalog.sanitize.clean_body``, without the header block,
  the title, the 落款 (signature and date) and the 版记; “一、” lines and Word's 标题 1
  become ``h2``, “（一）” lines and 标题 2 ``h3``; numbered lists and tables are kept;
  each picture is replaced by a line naming the attachment it becomes;
* **图片** — PNG and JPEG pictures as ``DocxImage`` (file name, bytes, content type),
  each already passed through ``catalog.attachments.inspect_file``;
* **提示** — Chinese warnings (mammoth's messages summarised, pictures left out …).

Every refusal is a ``DocxImportError`` with a Chinese message; nothing else escapes.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError

from catalog.attachments import hidden_content, inspect_file, max_upload_bytes
from catalog.sanitize import clean_body
from portal.filecheck import FileRefused, open_archive
from portal.validators import normalise_doc_number

logger = logging.getLogger(__name__)

SAVE_AS_DOCX = (
    "请将文件另存为 .docx 格式后再上传（Word/WPS：文件 → 另存为 → Word 文档 *.docx）"
)
MAX_IMAGES = 50
_HEADER_SCAN = 12  # paragraphs from the top that may hold the header and the title
_FOOTER_SCAN = 15  # paragraphs from the end that may hold the 落款 and the 版记

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OLE = ("EncryptedPackage".encode("utf-16-le"),)
_IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/jpg": "jpg"}
_IMAGE_LABELS = {
    "image/x-emf": "EMF",
    "image/emf": "EMF",
    "image/x-wmf": "WMF",
    "image/wmf": "WMF",
    "image/gif": "GIF",
    "image/tiff": "TIFF",
    "image/bmp": "BMP",
    "image/svg+xml": "SVG",
}

# Word's heading styles (English names in styles.xml, also WPS's Chinese ones) → h2/h3/h4;
# the two synthetic styles mark 一、 and （一） lines (see _mark_headings).
STYLE_MAP = "\n".join(
    [
        "p[style-name='xxgk-h2'] => h2:fresh",
        "p[style-name='xxgk-h3'] => h3:fresh",
        *(
            f"p[style-name='{name} {level}'] => {tag}:fresh"
            for level, tag in ((1, "h2"), (2, "h3"), (3, "h4"), (4, "h4"), (5, "h5"))
            for name in ("heading", "Heading", "标题")
        ),
        *(
            f"p.Heading{level} => {tag}:fresh"
            for level, tag in ((1, "h2"), (2, "h3"), (3, "h4"), (4, "h4"), (5, "h5"))
        ),
        "p[style-name='Title'] => h2:fresh",
        "p[style-name='Subtitle'] => h3:fresh",
        "p[style-name='标题'] => h2:fresh",
        "p[style-name='副标题'] => h3:fresh",
        "p[style-name='List Paragraph'] => p:fresh",
        "p[style-name='Body Text'] => p:fresh",
        "p[style-name='Normal (Web)'] => p:fresh",
        "p[style-name='正文'] => p:fresh",
        "p[style-name='正文文本'] => p:fresh",
        "r[style-name='Strong'] => strong",
        "r[style-name='Emphasis'] => em",
    ]
)


class DocxImportError(Exception):
    """The file cannot be imported; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DocxImage(NamedTuple):
    filename: str
    data: bytes
    content_type: str


@dataclass
class DocxResult:
    title: str = ""
    doc_number: str = ""
    written_date: date | None = None
    body_html: str = ""
    images: list[DocxImage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # what left the body, for the page


# --- the file ------------------------------------------------------------------------------


def _size_label(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def check_file(data: bytes, name: str = "文档") -> zipfile.ZipFile:
    """The file as an opened .docx package, or ``DocxImportError`` saying why not."""
    if not data:
        raise DocxImportError(f"“{name}”是空文件（0 字节），请选择要导入的 Word 文档")
    limit = max_upload_bytes()
    if len(data) > limit:
        raise DocxImportError(
            f"“{name}”超过大小上限 {_size_label(limit)}；可删除或压缩文中图片后另存再上传"
        )
    if data.startswith(_OLE_MAGIC):
        if any(marker in data for marker in _ENCRYPTED_OLE):
            raise DocxImportError(
                f"“{name}”设置了打开密码，无法读取；请在 Word 中取消密码后另存为 .docx 再上传"
            )
        raise DocxImportError(
            f"“{name}”是旧版 Word（.doc）或 WPS（.wps）格式，不能直接导入。{SAVE_AS_DOCX}"
        )
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"%PDF-"):
            what = "是 PDF 文件，不能转换为正文；请上传 Word 的 .docx 原稿（PDF 可在编辑页作为附件上传）"
        elif data.lstrip().startswith(b"{\\rtf"):
            what = f"是 RTF 格式。{SAVE_AS_DOCX}"
        else:
            what = f"不是 Word 文档（.docx），或者已损坏。{SAVE_AS_DOCX}"
        raise DocxImportError(f"“{name}”{what}")
    try:
        archive = open_archive(data, name)
    except FileRefused as exc:
        raise DocxImportError("文件" + exc.message) from exc
    infos = archive.archive.infolist()
    if any(info.flag_bits & 0x1 for info in infos):
        raise DocxImportError(
            f"“{name}”设置了密码，无法读取；请在 Word 中取消密码后另存为 .docx 再上传"
        )
    names = set(archive.namelist())
    types = (
        _read(archive, "[Content_Types].xml", name)
        if "[Content_Types].xml" in names
        else b""
    )
    if b"macroEnabled" in types or any(
        n.lower().endswith("vbaproject.bin") for n in names
    ):
        raise DocxImportError(
            f"“{name}”含有宏，不接受；请在 Word 中另存为不含宏的 .docx 后再上传"
        )
    if b"spreadsheetml" in types:
        raise DocxImportError(
            f"“{name}”是 Excel 表格，不是 Word 文档；请上传 .docx 文件"
        )
    if b"presentationml" in types:
        raise DocxImportError(
            f"“{name}”是 PowerPoint 演示文稿，不是 Word 文档；请上传 .docx 文件"
        )
    if b"wordprocessingml" not in types or "word/document.xml" not in names:
        raise DocxImportError(
            f"“{name}”不是有效的 Word 文档（.docx），或者已损坏。{SAVE_AS_DOCX}"
        )
    for member in names:
        if member.lower().endswith((".xml", ".rels")):
            raw = _read(archive, member, name)
            if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
                raise DocxImportError(f"“{name}”含有不允许的 XML 声明，不接受")
    found = hidden_content(_AsAttachmentArchive(archive, name), "docx", name)
    if "修订记录" in found or "隐藏文字" in found:
        hidden = "、".join(x for x in found if x in ("修订记录", "隐藏文字"))
        raise DocxImportError(
            f"“{name}”含有{hidden}，导入后会成为正文的一部分；"
            "请在 Word 中接受或拒绝全部修订、删除或取消隐藏文字后另存，再上传"
        )
    return archive.archive


def _read(archive, member: str, name: str) -> bytes:
    try:
        return archive.read(member)
    except FileRefused as exc:
        raise DocxImportError(f"“{name}”已损坏，无法读取") from exc


class _AsAttachmentArchive:
    """``hidden_content`` raises the attachments' ValidationError on a bad member."""

    def __init__(self, archive, name: str) -> None:
        self._archive, self._name = archive, name

    def namelist(self) -> list[str]:
        return self._archive.namelist()

    def read(self, member: str) -> bytes:
        return _read(self._archive, member, self._name)


# --- text of mammoth's document model ----------------------------------------------------


def _text_of(element) -> str:
    from mammoth import documents

    if isinstance(element, documents.Text):
        return element.value
    if isinstance(element, documents.Tab):
        return " "
    if isinstance(element, documents.Break):
        return "\n" if element.break_type == "line" else ""
    return "".join(_text_of(c) for c in getattr(element, "children", None) or [])


def _compact(text: str) -> str:
    """NFKC, no whitespace (incl. the ideographic space): the form the patterns expect."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _font_size(paragraph) -> float:
    from mammoth import documents

    sizes = []

    def walk(element):
        if isinstance(element, documents.Run) and element.font_size:
            sizes.append(element.font_size)
        for child in getattr(element, "children", None) or []:
            walk(child)

    walk(paragraph)
    return max(sizes, default=0.0)


def _has_image(element) -> bool:
    from mammoth import documents

    if isinstance(element, documents.Image):
        return True
    return any(_has_image(c) for c in getattr(element, "children", None) or [])


# --- 发文字号 and 成文日期 --------------------------------------------------------------------

_DOC_NUMBER_LINE = re.compile(
    r"^(?P<num>[\u4e00-\u9fa5A-Za-z]{1,20}[\[［【(（〔{｛<〈《]\d{4}[\]］】)）〕}｝>〉》]第?\d{1,5}号)"
    r"(?:签发人[:：].*)?$"
)
_DECREE_LINE = re.compile(r"^(?P<num>[\u4e00-\u9fa5]{2,30}令第[1-9]\d{0,4}号)$")
_SIGNER_FIRST = re.compile(
    r"^签发人[:：].{1,20}?(?P<num>[\u4e00-\u9fa5A-Za-z]{1,20}[\[［【(（〔]\d{4}[\]］】)）〕]第?\d{1,5}号)$"
)

_CN_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_YEAR = "〇○零Oo一二三四五六七八九"
_ARABIC_DATE = re.compile(r"^[(（]?(\d{4})年(\d{1,2})月(\d{1,2})日[)）]?$")
_CHINESE_DATE = re.compile(
    rf"^[(（]?([{_CN_YEAR}]{{4}})年([一二三四五六七八九十]{{1,3}})月([一二三四五六七八九十]{{1,3}})日[)）]?$"
)
_IMPRINT = re.compile(r"(\d{4}|[" + _CN_YEAR + r"]{4})年.{1,6}月.{1,6}日印发$")


def find_doc_number(line: str) -> str | None:
    """The 发文字号 a header line consists of (as written), or None."""
    s = _compact(line)
    for pattern in (_DOC_NUMBER_LINE, _DECREE_LINE, _SIGNER_FIRST):
        match = pattern.match(s)
        if match:
            return match.group("num")
    return None


def _cn_number(s: str) -> int:
    """一 … 三十一 (months and days)."""
    if s == "十":
        return 10
    if "十" in s:
        tens, _, units = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (
            _CN_DIGITS[units] if units else 0
        )
    value = 0
    for ch in s:
        value = value * 10 + _CN_DIGITS[ch]
    return value


def parse_date_line(line: str) -> date | None:
    """The date a whole line consists of (2026年3月5日, 二〇二六年三月五日), or None.

    Raises ``ValueError`` for a date-shaped line that is no date (2026年2月30日)."""
    s = _compact(line)
    match = _ARABIC_DATE.match(s)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    match = _CHINESE_DATE.match(s)
    if match:
        year = int("".join(str(_CN_DIGITS[ch]) for ch in match[1]))
        try:
            month, day = _cn_number(match[2]), _cn_number(match[3])
        except KeyError as exc:
            raise ValueError(s) from exc
        return date(year, month, day)
    return None


# --- the structure of a 公文 ---------------------------------------------------------------


@dataclass
class _Line:
    index: int  # in document.children
    text: str
    alignment: str
    size: float
    style: str
    has_image: bool


_TERMINAL = tuple("。；;，,：:！!？?")
_BANNER = re.compile(r"(文件|公报|简报|纪要)$")
_HEADER_MARK = re.compile(
    r"^(\d{6}|[*★]*(绝密|机密|秘密)([*★].*)?|特急|加急|平急|特提|[*★]{2,}.*|签发人[:：].*)$"
)
_H2 = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_H3 = re.compile(r"^[(（][一二三四五六七八九十]{1,3}[)）]")


def _lines(document) -> list[_Line]:
    from mammoth import documents

    out = []
    for index, element in enumerate(document.children):
        if not isinstance(element, documents.Paragraph):
            out.append(_Line(index, "", "", 0.0, "", False))  # a table: a boundary
            out[-1].style = "<table>"
            continue
        out.append(
            _Line(
                index=index,
                text=_text_of(element).strip(),
                alignment=(element.alignment or "").lower(),
                size=_font_size(element),
                style=(element.style_name or element.style_id or "").strip(),
                has_image=_has_image(element),
            )
        )
    return out


def _is_title_style(style: str) -> bool:
    return style.lower() in ("title", "标题", "heading 1", "标题 1", "heading1")


def _find_header(lines: list[_Line], result: DocxResult) -> tuple[int, int]:
    """(end of the header block, end of the title) as indexes into ``lines``; the
    title and 发文字号 go into ``result``. (0, 0): nothing recognised."""
    filled = [ln for ln in lines if ln.text or ln.has_image][:_HEADER_SCAN]
    if not filled:
        return 0, 0
    position = {id(ln): i for i, ln in enumerate(lines)}
    header_end = 0
    for ln in filled:
        if ln.style == "<table>":
            break
        number = find_doc_number(ln.text)
        if number:
            try:
                result.doc_number = normalise_doc_number(number)
            except ValidationError:
                result.doc_number = number
                result.warnings.append(
                    f"发文字号“{number}”的格式无法识别，请核对后手工填写"
                )
            result.removed.append("发文字号")
            header_end = position[id(ln)] + 1
            break
    # the title: Word's 标题 style first; else centred lines after the header
    candidates = [ln for ln in lines[header_end:] if ln.text or ln.style == "<table>"]
    candidates = candidates[:_HEADER_SCAN]
    title_lines: list[_Line] = []
    styled = next(
        (ln for ln in candidates if ln.style.lower() in ("title", "标题")), None
    )
    if styled is not None:
        title_lines = [styled]
    else:
        for ln in candidates:
            if ln.style == "<table>":
                break
            centred = ln.alignment in ("center", "centre")
            if title_lines:
                same = centred and abs(ln.size - title_lines[-1].size) < 0.5
                if same and not ln.text.endswith(_TERMINAL) and len(title_lines) < 3:
                    title_lines.append(ln)
                    continue
                break
            if centred or (not header_end and _is_title_style(ln.style)):
                if not header_end and _BANNER.search(_compact(ln.text)):
                    header_end = position[id(ln)] + 1  # 发文机关标志 without 文号
                    result.removed.append("发文机关标志")
                    continue
                if ln.text.endswith(_TERMINAL):
                    break
                title_lines.append(ln)
                continue
            if _HEADER_MARK.match(_compact(ln.text)):
                continue  # 份号, 密级, 紧急程度 above the title
            break
    if not title_lines:
        first = next((ln for ln in candidates if ln.style != "<table>"), None)
        text = _compact(first.text) if first else ""
        if first and 0 < len(text) <= 60 and not first.text.endswith(_TERMINAL):
            title_lines = [first]
            result.warnings.append(
                f"没有找到居中的标题，已把第一段“{first.text[:60]}”作为标题，请核对"
            )
        else:
            result.warnings.append("没有识别出标题，请在下方填写")
            return header_end, header_end
    result.title = "".join(ln.text.replace("\n", "") for ln in title_lines).strip()
    result.title = re.sub(r"\s+", " ", result.title)[:300]
    result.removed.append("标题")
    return header_end, position[id(title_lines[-1])] + 1


def _find_footer(lines: list[_Line], start: int, result: DocxResult) -> set[int]:
    """Indexes of the 落款 (signature and date line) and the 版记 (抄送, 印发) to drop;
    the 成文日期 goes into ``result``. The date line is the first right-aligned line
    that is only a date after the title (附件 may follow it), else the last such line
    near the end. What follows the 落款 (“（此件公开发布）”, 附件) stays."""
    filled = [i for i in range(start, len(lines)) if lines[i].text]
    dates: list[tuple[int, date]] = []
    for i in filled:
        try:
            when = parse_date_line(lines[i].text)
        except ValueError:
            result.warnings.append(
                f"成文日期“{lines[i].text}”不是有效的日期，请核对后手工填写"
            )
            continue
        if when is not None:
            dates.append((i, when))
    right = [(i, d) for i, d in dates if lines[i].alignment in ("right", "end")]
    near_end = [(i, d) for i, d in dates if i in filled[-_FOOTER_SCAN:]]
    chosen = right[0] if right else (near_end[-1] if near_end else None)
    drop: set[int] = set()
    after = start
    if chosen is not None:
        i, result.written_date = chosen
        after = i
        drop.add(i)
        result.removed.append("落款和成文日期")
        before = [j for j in filled if j < i][-1:]
        if before:
            sig = lines[before[0]]
            short = len(_compact(sig.text)) <= 40 and not sig.text.endswith(_TERMINAL)
            aligned = sig.alignment in ("right", "end", "center") or (
                bool(sig.alignment) and sig.alignment == lines[i].alignment
            )
            if short and aligned and not _H2.match(_compact(sig.text)):
                drop.add(before[0])
    imprint = {
        j for j in filled[-_FOOTER_SCAN:] if j > after and _is_imprint(lines[j].text)
    }
    if imprint:
        drop |= imprint
        result.removed.append("版记")
    return drop


# --- headings and images -----------------------------------------------------------------


def _mark_headings(paragraph, text: str):
    """“一、总体要求” → h2, “（一）工作目标” → h3, when the line is a heading (short, no
    sentence after it); a run-in “（一）加强领导。各单位要……” stays a paragraph."""
    compact = _compact(text)
    if paragraph.numbering is not None or len(compact) > 40:
        return paragraph
    if compact.endswith(("。", "；", ";", "，", ",")) or "。" in compact:
        return paragraph
    if (paragraph.style_name or "").lower().startswith(("heading", "标题", "title")):
        return paragraph
    if _H2.match(compact):
        return paragraph.copy(style_id="xxgk-h2", style_name="xxgk-h2")
    if _H3.match(compact):
        return paragraph.copy(style_id="xxgk-h3", style_name="xxgk-h3")
    return paragraph


class _Images:
    """mammoth's ``convert_image``: keep PNG/JPEG as attachments, a line in the body."""

    def __init__(self, result: DocxResult) -> None:
        self.result = result
        self.skipped: list[str] = []
        self.refused: list[str] = []
        self.count = 0

    def __call__(self, image):
        from mammoth import html

        self.count += 1
        number = self.count
        content_type = (image.content_type or "").lower()
        ext = _IMAGE_TYPES.get(content_type)
        if ext is None:
            label = _IMAGE_LABELS.get(content_type, content_type or "未知")
            self.skipped.append(f"第 {number} 张（{label} 格式）")
            return [html.text(f"［此处原有第 {number} 张图片，格式不支持，未导入］")]
        if len(self.result.images) >= MAX_IMAGES:
            self.skipped.append(f"第 {number} 张（超过 {MAX_IMAGES} 张）")
            return [html.text(f"［此处原有第 {number} 张图片，未导入］")]
        filename = f"正文图片{len(self.result.images) + 1}.{ext}"
        try:
            with image.open() as handle:
                data = handle.read(max_upload_bytes() + 1)
            checked = inspect_file(filename, data)
        except ValidationError as exc:
            self.refused.append("；".join(exc.messages))
            return [html.text(f"［此处原有第 {number} 张图片，未能导入］")]
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            self.refused.append(f"第 {number} 张图片无法读取")
            return [html.text(f"［此处原有第 {number} 张图片，未能导入］")]
        self.result.images.append(
            DocxImage(filename, checked.data, checked.content_type)
        )
        alt = (image.alt_text or "").strip()
        described = f"：{alt[:80]}" if alt else ""
        return [html.text(f"［图片{described}，见附件“{filename}”］")]


# --- mammoth's messages -------------------------------------------------------------------

_UNRECOGNISED = re.compile(
    r"^Unrecognised (paragraph|run|table) style: (.*?) \(Style ID: (.*)\)$"
)


def _summarise(messages) -> list[str]:
    kinds = {"paragraph": "段落", "run": "文字", "table": "表格"}
    styles: dict[str, list[str]] = {}
    other: list[str] = []
    for message in messages:
        text = getattr(message, "message", str(message))
        match = _UNRECOGNISED.match(text)
        if match:
            name = match[2] if match[2] not in ("", "None") else match[3]
            styles.setdefault(kinds[match[1]], [])
            if name not in styles[kinds[match[1]]]:
                styles[kinds[match[1]]].append(name)
        elif "Image of type" in text or "image file" in text:
            continue  # reported with the pictures
        elif "w:sym" in text:
            other.append("文中有特殊符号（Symbol 字体）无法转换，已略去，请核对")
        elif "cell merging" in text:
            other.append("表格的合并单元格可能未正确转换，请核对表格")
        elif "unrecognised element" in text.lower():
            other.append("文中有文本框、公式或其他对象未能转换，已略去，请核对")
        elif "break type" in text:
            continue
        elif text and "style" in text:
            other.append("文档引用了未定义的样式，已按普通段落处理")
        else:
            other.append("文档中有部分内容未能转换，请与原文核对")
    out = [
        f"以下{kind}样式未能识别，已按普通{kind}处理，请核对格式："
        + "、".join(names[:8])
        + ("等" if len(names) > 8 else "")
        for kind, names in styles.items()
    ]
    return out + list(dict.fromkeys(other))


# --- the conversion -----------------------------------------------------------------------


def convert_docx(data: bytes, name: str = "文档") -> DocxResult:
    """See the module docstring. Raises ``DocxImportError`` (Chinese) for a file it
    cannot import; never anything else."""
    import mammoth

    package = check_file(data, name)
    comments = any(n.startswith("word/comments") for n in package.namelist())
    embeddings = any(n.startswith("word/embeddings/") for n in package.namelist())
    result = DocxResult()

    def transform(document):
        lines = _lines(document)
        _header_end, title_end = _find_header(lines, result)
        drop = set(range(title_end)) | _find_footer(lines, title_end, result)
        children = []
        for ln, element in zip(lines, document.children, strict=True):
            if ln.index in drop:
                continue
            if ln.style != "<table>" and ln.text:
                element = _mark_headings(element, ln.text)
            children.append(element)
        return document.copy(children=children)

    images = _Images(result)
    try:
        converted = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=STYLE_MAP,
            include_default_style_map=True,
            include_embedded_style_map=False,
            external_file_access=False,
            convert_image=images,
            transform_document=transform,
        )
    except DocxImportError:
        raise
    except Exception as exc:  # a malformed package: mammoth raises many kinds
        logger.warning("docx import: conversion failed: %r", exc)
        raise DocxImportError(
            f"“{name}”已损坏或结构不规范，无法转换。{SAVE_AS_DOCX}"
        ) from exc
    result.body_html = clean_body(converted.value or "")
    result.warnings += _summarise(converted.messages)
    if images.skipped:
        result.warnings.append(
            "以下图片的格式网页无法显示，未导入："
            + "、".join(images.skipped)
            + "；如需保留，请在 Word 中把图片另存为 PNG 或 JPG 后重新插入"
        )
    result.warnings += images.refused
    if comments:
        result.warnings.append("文档中的批注没有导入")
    if embeddings:
        result.warnings.append(
            "文档中嵌入的文件或对象没有导入，如需公开请作为附件另行上传"
        )
    if not result.title and not _has_text(result.body_html) and not result.images:
        raise DocxImportError(f"“{name}”中没有文字内容，请检查是否选错了文件")
    if not _has_text(result.body_html):
        result.warnings.append("除标题等信息外，文档中没有正文内容")
    return result


def _has_text(markup: str) -> bool:
    from catalog.sanitize import html_to_text

    return bool(html_to_text(markup).strip())


def _is_imprint(text: str) -> bool:
    compact = _compact(text)
    return compact.startswith("抄送") or bool(_IMPRINT.search(compact))
