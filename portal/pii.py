"""Personal data in text that is about to become public (条例 第十五条; 个人信息保护法).

One pure detector, no ORM and no clock: ``find_personal_data(text, names=, allowed=)``
returns every 居民身份证号 (18 digits with a valid GB 11643 checksum, also written with
spaces or hyphens or in full-width digits; 15-digit first-generation numbers with a
valid date), mobile number, landline with area code, 统一社会信用代码 with a valid
GB 32100 checksum (not of a 机关), bank card number (Luhn, card prefixes), e-mail
address and known name in ``text``, each with its span and a masked form.

What it must not flag (docs/security.md "Personal-data guard"): an 18-digit number with
a wrong checksum (order numbers), 索引号 (``…/2026-00012``), 发文字号, dates, amounts,
the numbers in ``allowed`` (the agency's own 工作机构 phone, fax, e-mail), and a
landline labelled as an office line (咨询电话, 举报电话, 服务热线 …).

``locate_in_html`` and ``locate_in_pages`` add where a finding is: the field and its
paragraph for HTML bodies, the attachment and its page (form feed = page break, as
``catalog.attachments`` extracts PDFs) for attachment text.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from portal.validators import USCC_ALPHABET, id_check_char, uscc_check_char

ID_NUMBER = "身份证号"
MOBILE = "手机号"
LANDLINE = "固定电话"
USCC = "统一社会信用代码"
BANK_CARD = "银行卡号"
EMAIL = "电子邮箱"
NAME = "姓名"
KINDS = (ID_NUMBER, MOBILE, LANDLINE, USCC, BANK_CARD, EMAIL, NAME)

# GB/T 2260 province-level codes: the first two digits of an address code
PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36"}
    | {"37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61"}
    | {"62", "63", "64", "65", "71", "81", "82", "83", "91"}
)


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str  # as written in the text
    start: int
    end: int
    value: (
        str  # normalised (digits only, lower-case e-mail): what the fingerprint hashes
    )
    masked: str

    @property
    def fingerprint(self) -> str:
        """Stable id of this piece of personal data, wherever and however it is written."""
        return hashlib.sha256(f"{self.kind}:{self.value}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LocatedFinding:
    finding: Finding
    field: str  # "正文", "附件“通知.pdf”"
    where: str  # "正文第 3 段", "附件“通知.pdf”第 2 页"

    @property
    def fingerprint(self) -> str:
        return self.finding.fingerprint

    def describe(self) -> str:
        return f"{self.where}：{self.finding.kind} {self.finding.masked}"


# --- normalisation --------------------------------------------------------------------


def _normalise_chars(text: str) -> str:
    """NFKC per character (full-width digits, （）, －, 　 → ASCII) keeping every offset."""
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isascii() and (c.isdigit() or c in "Xx")).upper()


# --- masks ------------------------------------------------------------------------------


def _mask_middle(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * max(len(value) - head - tail, 1) + value[-tail:]


def mask_value(kind: str, value: str) -> str:
    if kind in (ID_NUMBER, USCC):
        return _mask_middle(value, 6, 4)
    if kind == MOBILE:
        return _mask_middle(value, 3, 4)
    if kind == LANDLINE:
        area, _, local = value.partition("-")
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    if kind == BANK_CARD:
        return _mask_middle(value, 4, 4)
    if kind == EMAIL:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return value[:1] + "*" * max(len(value) - 1, 1)


# --- the checks -------------------------------------------------------------------------


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1880 <= year <= 2100


def is_resident_id(value: str) -> bool:
    """18 characters: province code, a real birth date, GB 11643 check character."""
    if not re.fullmatch(r"[1-9][0-9]{16}[0-9X]", value) or value[:2] not in PROVINCES:
        return False
    if id_check_char(value[:17]) != value[17]:
        return False
    return _valid_date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def is_old_resident_id(value: str) -> bool:
    """15 digits (first generation): province code and a real 19YYMMDD birth date."""
    if not re.fullmatch(r"[1-8][0-9]{14}", value) or value[:2] not in PROVINCES:
        return False
    return _valid_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))


def luhn_ok(value: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(value)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# card prefixes and lengths: 银联 62 and 借记 60 (16–19), Visa 4 (16, 19), MasterCard
# 51–55 / 22–27 (16), old 工行 9558 and 农行 95599 (19)
CARD_RE = re.compile(
    r"(?:6[02][0-9]{14,17}|4[0-9]{15}|4[0-9]{18}|(?:5[1-5]|2[2-7])[0-9]{14}|95(?:58|599)[0-9]{14,15})"
)


def _id_shaped(value: str) -> bool:
    """18 digits laid out like a resident ID (province, birth date): a mistyped ID or a
    dated serial, not a card number."""
    return (
        len(value) == 18
        and value[:2] in PROVINCES
        and _valid_date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    )


def is_bank_card(value: str) -> bool:
    return (
        CARD_RE.fullmatch(value) is not None
        and not _id_shaped(value)
        and luhn_ok(value)
    )


MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
AREA_RE = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})")
LOCAL_RE = re.compile(r"[2-8][0-9]{6,7}")


def _landline(compact: str) -> str | None:
    """``0731`` + ``22881234`` → ``0731-22881234`` when the area code is plausible."""
    for size in (3, 4):
        area, local = compact[:size], compact[size:]
        if AREA_RE.fullmatch(area) and LOCAL_RE.fullmatch(local):
            if size == 3 and area[1] not in "12":
                continue
            return f"{area}-{local}"
    return None


# --- scanning -------------------------------------------------------------------------

GROUP_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]+(?:[Xx])?(?![0-9A-Za-z])")
USCC_TEXT_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z/])")
EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
PAREN_LANDLINE_RE = re.compile(
    r"\((0[0-9]{2,3})\) ?([0-9]{3,4}[ \-]?[0-9]{4})(?![0-9])"
)
SEPARATORS = " -"
# a landline right after one of these labels is an office's public line, not a person's
OFFICE_LINE_LABELS = re.compile(
    r"(?:咨询|举报|监督|投诉|值班|办公|服务|受理)(?:电话|热线|专线)[^0-9\n]{0,3}$"
)


def _runs(text: str) -> list[list[re.Match]]:
    """Digit groups chained by exactly one space or hyphen."""
    runs: list[list[re.Match]] = []
    for m in GROUP_RE.finditer(text):
        if runs:
            prev = runs[-1][-1]
            if (
                m.start() == prev.end() + 1
                and text[prev.end()] in SEPARATORS
                and not prev.group().upper().endswith("X")
            ):
                runs[-1].append(m)
                continue
        runs.append([m])
    return runs


def _classify(groups: list[str], plus: bool) -> tuple[str, str] | None:
    """Kind and normalised value of digit groups read as one number, or None."""
    compact = "".join(groups).upper()
    sizes = [len(g) for g in groups]
    single = len(groups) == 1
    if len(compact) == 18 and is_resident_id(compact):
        return ID_NUMBER, compact
    if "X" in compact:
        return None
    old_id_shape = len(compact) == 15 and (single or sizes == [6, 6, 3])
    if old_id_shape and is_old_resident_id(compact):
        return ID_NUMBER, compact
    mobile_shape = len(compact) == 11 and (single or sizes == [3, 4, 4])
    if mobile_shape and MOBILE_RE.fullmatch(compact):
        return MOBILE, compact
    if len(compact) == 13 and compact.startswith("86") and (plus or groups[0] == "86"):
        rest = compact[2:]
        if (single or sizes[1:] in ([11], [3, 4, 4])) and MOBILE_RE.fullmatch(rest):
            return MOBILE, rest
    if (
        10 <= len(compact) <= 12
        and compact[0] == "0"
        and (
            single
            or (
                AREA_RE.fullmatch(groups[0])
                and (len(groups) == 2 or (len(groups) == 3 and sizes[2] == 4))
            )
        )
    ):
        landline = _landline(compact)
        if landline and (single or landline.startswith(groups[0] + "-")):
            return LANDLINE, landline
    card_shape = single or all(s == 4 for s in sizes[:-1])
    if card_shape and is_bank_card(compact):
        return BANK_CARD, compact
    return None


def _is_uscc(value: str) -> bool:
    if len(value) != 18 or any(c not in USCC_ALPHABET for c in value):
        return False
    if (
        not value[2:8].isdigit() or value[0] == "1"
    ):  # 1 = 机构编制: a 机关, not a person
        return False
    if value[2:4] not in PROVINCES and value[2:4] != "10":  # 100000 = 国家
        return False
    return uscc_check_char(value[:17]) == value[17]


def _name_variants(names: Iterable[str]) -> list[str]:
    seen = {n.strip() for n in names if n and len(n.strip()) >= 2}
    return sorted(seen, key=len, reverse=True)


def allowed_values(allowed: Iterable[str]) -> set[str]:
    """Normalised values of the allowed numbers/addresses (as the detector reads them)."""
    values: set[str] = set()
    for item in allowed:
        if not item:
            continue
        for f in find_personal_data(item):
            values.add(f.value)
            if f.kind == LANDLINE:
                values.add(f.value.partition("-")[2])
        digits = re.sub(r"[^0-9]", "", _normalise_chars(item))
        if len(digits) >= 7:
            values.add(digits)
        if "@" in item:
            values.add(item.strip().lower())
    return values


def find_personal_data(
    text: str, *, names: Iterable[str] = (), allowed: Iterable[str] = ()
) -> list[Finding]:
    """Every piece of personal data in ``text``, in order of position."""
    if not text:
        return []
    norm = _normalise_chars(text)
    ok = allowed_values(allowed) if allowed else set()
    taken: list[tuple[int, int]] = []
    found: list[Finding] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(kind: str, start: int, end: int, value: str) -> None:
        taken.append((start, end))
        if value in ok or (kind == LANDLINE and value.partition("-")[2] in ok):
            return
        if kind == LANDLINE and OFFICE_LINE_LABELS.search(
            norm[max(0, start - 8) : start]
        ):
            return
        found.append(
            Finding(kind, text[start:end], start, end, value, mask_value(kind, value))
        )

    for m in EMAIL_RE.finditer(norm):
        add(EMAIL, m.start(), m.end(), m.group().lower())
    for m in PAREN_LANDLINE_RE.finditer(norm):
        if free(m.start(), m.end()):
            landline = _landline(m.group(1) + re.sub(r"[ \-]", "", m.group(2)))
            if landline:
                add(LANDLINE, m.start(), m.end(), landline)
    for m in USCC_TEXT_RE.finditer(norm):
        value = m.group().upper()
        if free(m.start(), m.end()) and not value.isdigit() and _is_uscc(value):
            add(USCC, m.start(), m.end(), value)
    for run in _runs(norm):
        i = 0
        while i < len(run):
            for j in range(len(run), i, -1):  # longest window first
                start, end = run[i].start(), run[j - 1].end()
                if not free(start, end):
                    continue
                plus = start > 0 and norm[start - 1] == "+"
                kind_value = _classify([m.group() for m in run[i:j]], plus)
                if (
                    kind_value is None
                    and j - i == 1
                    and _is_uscc(run[i].group().upper())
                ):
                    kind_value = (USCC, run[i].group().upper())
                if kind_value:
                    add(kind_value[0], start - plus, end, kind_value[1])
                    i = j
                    break
            else:
                i += 1
    for name in _name_variants(names):
        for m in re.finditer(re.escape(_normalise_chars(name)), norm):
            if free(m.start(), m.end()):
                add(NAME, m.start(), m.end(), name.strip())
    found.sort(key=lambda f: f.start)
    return found


def mask_personal_data(
    text: str, *, names: Iterable[str] = (), allowed: Iterable[str] = ()
) -> str:
    """``text`` with every finding replaced by its masked form."""
    out = text or ""
    for f in sorted(
        find_personal_data(out, names=names, allowed=allowed),
        key=lambda f: f.start,
        reverse=True,
    ):
        out = out[: f.start] + f.masked + out[f.end :]
    return out


# --- where a finding is ---------------------------------------------------------------

BLOCK_TAG_RE = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|tr|td|th|h[1-6]|blockquote|pre|table|ul|ol|section)\b[^>]*>",
    re.IGNORECASE,
)
TAG_RE = re.compile(r"<[^>]*>")


def html_paragraphs(body: str) -> list[str]:
    """The non-empty paragraphs of an HTML body, as plain text, in order."""
    parts = BLOCK_TAG_RE.sub("\n\n", body or "")
    text = html.unescape(TAG_RE.sub("", parts))
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def locate_in_text(
    text: str, *, field: str, names: Iterable[str] = (), allowed: Iterable[str] = ()
) -> list[LocatedFinding]:
    return [
        LocatedFinding(f, field, field)
        for f in find_personal_data(text, names=names, allowed=allowed)
    ]


def locate_in_html(
    body: str, *, field: str, names: Iterable[str] = (), allowed: Iterable[str] = ()
) -> list[LocatedFinding]:
    out = []
    for number, paragraph in enumerate(html_paragraphs(body), start=1):
        for f in find_personal_data(paragraph, names=names, allowed=allowed):
            out.append(LocatedFinding(f, field, f"{field}第 {number} 段"))
    return out


def locate_in_pages(
    text: str, *, name: str, names: Iterable[str] = (), allowed: Iterable[str] = ()
) -> list[LocatedFinding]:
    """Attachment text; pages are separated by form feeds (one page when there are none)."""
    field = f"附件“{name}”"
    pages = (text or "").split("\f")
    out = []
    for number, page in enumerate(pages, start=1):
        where = f"{field}第 {number} 页" if len(pages) > 1 else field
        for f in find_personal_data(page, names=names, allowed=allowed):
            out.append(LocatedFinding(f, field, where))
    return out
