"""Checksums and formats of Chinese identifiers (see shared security.md §5).

Pure functions returning normalised values or raising ``ValidationError`` with a
Chinese message that names the field. No database access.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError


def normalise_code(raw: str) -> str:
    """NFKC (full-width IME digits → ASCII), strip spaces, upper-case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "")).upper()


# --- 居民身份证号码, GB 11643-1999 (ISO 7064 MOD 11-2) ------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(body17: str) -> str:
    return "10X98765432"[
        sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True)) % 11
    ]


def resident_id_problem(raw: str, today: date) -> str | None:
    """Why ``raw`` is not a valid 18-digit resident ID number, or None when it is."""
    s = normalise_code(raw)
    if len(s) == 15 and s.isascii() and s.isdigit():
        return "15 位的第一代身份证号码已于 2013 年停止使用，请填写 18 位号码"
    if not re.fullmatch(r"[0-9]{17}[0-9X]", s):
        return "身份证号码应为 18 位：17 位数字加 1 位数字或 X"
    if id_check_char(s[:17]) != s[17]:
        return "身份证号码校验位不正确，请核对是否有输错的数字"
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return "身份证号码中的出生日期不是有效日期"
    if born > today or born.year < 1880:
        return "身份证号码中的出生日期不正确"
    return None


def validate_resident_id(raw: str, today: date) -> str:
    problem = resident_id_problem(raw, today)
    if problem:
        raise ValidationError(problem, code="invalid_id")
    return normalise_code(raw)


# --- 统一社会信用代码, GB 32100-2015 -------------------------------------------------
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


def uscc_check_char(body17: str) -> str:
    total = sum(
        USCC_ALPHABET.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(raw: str) -> str | None:
    s = normalise_code(raw)
    if len(s) != 18:
        return "统一社会信用代码应为 18 位"
    if not USCC_RE.fullmatch(s):
        return "统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z）"
    if uscc_check_char(s[:17]) != s[17]:
        return "统一社会信用代码校验位不正确，请核对"
    return None


def validate_uscc(raw: str) -> str:
    problem = uscc_problem(raw)
    if problem:
        raise ValidationError(problem, code="invalid_uscc")
    return normalise_code(raw)


# --- 组织机构代码, GB 11714 (8 body characters + check, optional hyphen) -----------------
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def org_code_check_char(body8: str) -> str:
    c = (
        11
        - sum(
            ORG_ALPHABET.index(ch) * w for ch, w in zip(body8, ORG_WEIGHTS, strict=True)
        )
        % 11
    )
    return {10: "X", 11: "0"}.get(c, str(c))


def org_code_problem(raw: str) -> str | None:
    """组织机构代码 (9 characters, hyphen optional) or 统一社会信用代码 (18)."""
    s = normalise_code(raw)
    if len(s) == 18:
        return uscc_problem(s)
    body = s.replace("-", "")
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", body):
        return "机构代码应为 9 位组织机构代码（可含连字符）或 18 位统一社会信用代码"
    if org_code_check_char(body[:8]) != body[8]:
        return "组织机构代码校验位不正确，请核对"
    return None


def validate_org_code(raw: str) -> None:
    problem = org_code_problem(raw)
    if problem:
        raise ValidationError(problem, code="invalid_org_code")


# --- 网站标识码 ---------------------------------------------------------------------
SITE_CODE_RE = re.compile(r"^([0-9]{10}|bm[0-9]{8})$")


def validate_site_code(raw: str) -> None:
    if not SITE_CODE_RE.fullmatch(raw or ""):
        raise ValidationError(
            "网站标识码应为 10 位数字（地方网站）或 bm 加 8 位数字（国务院部门网站）",
            code="invalid_site_code",
        )


# --- 发文字号 (domain.md §4.4) ------------------------------------------------------
DOC_NUMBER_RE = re.compile(r"^[\u4e00-\u9fa5A-Za-z]+〔[0-9]{4}〕[1-9][0-9]*号$")
DECREE_RE = re.compile(r"^.+令\s*第[1-9][0-9]*号$")
_YEAR_BRACKETS = re.compile(r"[\[［【（(〔{｛<〈《]\s*(\d{4})\s*[\]］】）)〕}｝>〉》]")


def normalise_doc_number(raw: str) -> str:
    """Return the canonical 发文字号 or raise ValidationError.

    ``株天政发[2013]1号`` / ``（2013）`` / ``【2013】`` → ``株天政发〔2013〕1号``;
    leading zeros and a stray ``第`` in the serial are removed; 令 numbers keep ``第``.
    """
    s = unicodedata.normalize("NFKC", raw or "").strip()
    s = re.sub(r"\s+", "", s)
    if not s:
        return ""
    if DECREE_RE.fullmatch(s):
        return s
    s = _YEAR_BRACKETS.sub(lambda m: f"〔{m.group(1)}〕", s)
    s = re.sub(r"〕第?0*(\d+)号$", lambda m: f"〕{int(m.group(1))}号", s)
    if not DOC_NUMBER_RE.fullmatch(s):
        raise ValidationError(
            "发文字号格式不正确，应为“机关代字〔年份〕序号号”，例如 株天政发〔2013〕1号",
            code="invalid_doc_number",
        )
    return s


# --- 文号模板 (requests_app letters) -------------------------------------------------
LETTER_NUMBER_FIELDS = ("short_name", "year", "seq")


def letter_number_template_problem(template: str) -> str | None:
    """Why ``template`` cannot number letters, or None. It must hold {year} and
    {seq} and no other placeholder than {short_name}."""
    found = re.findall(r"\{([^{}]*)\}", template or "")
    names = [f.split(":", 1)[0] for f in found]
    unknown = [n for n in names if n not in LETTER_NUMBER_FIELDS]
    if unknown:
        return (
            f"文号模板中的占位符 {{{unknown[0]}}} 无法识别：只能使用 {{short_name}}、"
            "{year}、{seq}"
        )
    if "year" not in names or "seq" not in names:
        return "文号模板必须包含年份 {year} 和顺序号 {seq}，例如：天教依复〔{year}〕{seq}号"
    try:
        template.format(short_name="某", year=2026, seq=1)
    except (KeyError, IndexError, ValueError):
        return "文号模板格式有误，例如：天教依复〔{year}〕{seq}号"
    return None


def validate_letter_number_template(value: str) -> None:
    problem = letter_number_template_problem(value)
    if problem:
        raise ValidationError(problem, code="letter_number_template")


# --- 机构信息 (条例 第二十条第（二）项) ----------------------------------------------------
PHONE_RE = re.compile(r"[0-9\-－()（）+ 转、，,]{7,50}")
POSTCODE_RE = re.compile(r"[0-9]{6}")
LEADER_SEPARATORS = re.compile(r"[|｜]")
PROFILE_LIMITS = {
    "functions": ("机构职能", 5000),
    "internal_units": ("内设机构", 5000),
    "address": ("办公地址", 200),
    "office_hours": ("办公时间", 200),
    "phone": ("联系电话", 50),
    "fax": ("传真", 50),
    "email": ("电子邮箱", 254),
}


def parse_leader_lines(text: str) -> tuple[list[dict], list[str]]:
    """负责人 typed one per line as ``姓名｜职务｜分工`` (分工 optional).

    Returns the leaders and line-numbered Chinese errors (empty lines are skipped)."""
    leaders: list[dict] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in LEADER_SEPARATORS.split(line, maxsplit=2)]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            errors.append(
                f"第{number}行：请按“姓名｜职务｜分工”填写，姓名和职务不能为空"
            )
            continue
        leaders.append(
            {
                "name": parts[0],
                "post": parts[1],
                "duties": parts[2] if len(parts) > 2 else "",
            }
        )
    return leaders, errors


def leader_lines(leaders: list[dict]) -> str:
    """The inverse of ``parse_leader_lines`` (to fill the form)."""
    return "\n".join(
        "｜".join(p for p in (x["name"], x["post"], x.get("duties", "")) if p)
        if x.get("duties")
        else f"{x['name']}｜{x['post']}"
        for x in leaders
    )


def agency_profile_errors(data: dict) -> dict[str, list[str]]:
    """The one rule for 机构信息 (form, service, demo, admin): field → Chinese messages.

    ``data`` holds the ``PROFILE_LIMITS`` fields, ``postcode`` and ``leaders`` (a list
    of ``{"name", "post", "duties"}``)."""
    from django.core.validators import validate_email

    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, (label, limit) in PROFILE_LIMITS.items():
        if len(data.get(field) or "") > limit:
            add(field, f"{label}不能超过 {limit} 个字")
    if not (data.get("functions") or "").strip():
        add("functions", "请填写机构职能（条例第二十条第（二）项要求公开）")
    for field, label in (("phone", "联系电话"), ("fax", "传真")):
        value = (data.get(field) or "").strip()
        if value and not PHONE_RE.fullmatch(value):
            add(
                field,
                f"{label}只能包含数字、区号连字符、括号和“转”，例如 0731-28112345",
            )
    postcode = (data.get("postcode") or "").strip()
    if postcode and not POSTCODE_RE.fullmatch(postcode):
        add("postcode", "邮政编码应为 6 位数字")
    email = (data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            add("email", "电子邮箱格式不正确，例如 xxgk@example.gov.cn")
    leaders = data.get("leaders") or []
    if not leaders:
        add(
            "leaders",
            "请至少填写一名负责人（条例第二十条第（二）项要求公开负责人姓名）",
        )
    for i, leader in enumerate(leaders, start=1):
        if len(leader.get("name", "")) > 50:
            add("leaders", f"第{i}位负责人：姓名不能超过 50 个字")
        if len(leader.get("post", "")) > 100:
            add("leaders", f"第{i}位负责人：职务不能超过 100 个字")
        if len(leader.get("duties", "")) > 2000:
            add("leaders", f"第{i}位负责人：分工不能超过 2000 个字")
    return errors


_ID_RE = re.compile(r"[0-9]{1,18}")


def parse_id(value) -> int | None:
    """A row id sent in a form field: ASCII digits only ("²".isdigit() is True but
    int("²") raises; "1.5" and "abc" make the ORM raise), at most 18 of them (a
    bigint); anything else is None, so a view answers 404 or ignores it, never 500."""
    value = str(value or "").strip()
    return int(value) if _ID_RE.fullmatch(value) else None
