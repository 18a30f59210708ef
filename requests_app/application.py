"""The rules of an application's fields (条例 第二十九条), in ONE place.

``check_application`` is pure (no database): the public and the staff application forms
(``requests_app.forms``) and the intake services (``request_submit_online``,
``request_register_offline``) all call it, so a form and a service accept and refuse
the same inputs with the same Chinese message. Field names are the service's
(``APPLICATION_FIELDS``); ``FORM_FIELD_NAMES`` maps the two that the form names
differently.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from portal.validators import normalise_code, resident_id_problem, uscc_problem
from requests_app.models import ApplicantType, DeliveryMethod, IdType, ProvideForm
from requests_app.outcomes import ApplicantKind

DESCRIPTION_MAX = 2000
DESCRIPTION_MIN = 5

# Keyword arguments request_submit_online / request_register_offline accept (model
# field names; id_number, phone and address in plain text — they are encrypted there).
APPLICATION_FIELDS = (
    "applicant_type",
    "applicant_kind",
    "applicant_name",
    "work_unit",
    "id_type",
    "id_number",
    "uscc",
    "legal_representative",
    "contact_name",
    "phone",
    "address",
    "postcode",
    "fax",
    "email",
    "description",
    "doc_title",
    "doc_number",
    "doc_index_no",
    "provide_forms",
    "delivery_methods",
    "accept_other_forms",
)
# service field → form field, where they differ
FORM_FIELD_NAMES = {"applicant_name": "name", "applicant_kind": "org_kind"}

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")
POSTCODE_RE = re.compile(r"^\d{6}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f]")

# Documents carrying a GB 11643-style number with a checksum and a birth date.
CHECKSUM_ID_TYPES = (IdType.RESIDENT_ID, IdType.FOREIGN_PR, IdType.HMT_RESIDENCE)
ID_FORMATS = {
    IdType.HK_MACAO_PERMIT: (
        re.compile(r"^[HM]\d{8}(\d{2})?$"),
        "港澳居民来往内地通行证号码应为 H 或 M 加 8 位或 10 位数字",
    ),
    IdType.TAIWAN_PERMIT: (
        re.compile(r"^\d{8}(\d{2})?$"),
        "台湾居民来往大陆通行证号码应为 8 位或 10 位数字",
    ),
    IdType.PASSPORT: (
        re.compile(r"^[A-Z0-9]{5,17}$"),
        "护照号码应为 5 至 17 位字母或数字",
    ),
    IdType.OTHER: (
        re.compile(r"^[A-Z0-9\-]{4,30}$"),
        "证件号码应为 4 至 30 位字母、数字或连字符",
    ),
}


def normalise_phone(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw or "")
    s = re.sub(r"[\s()（）]", "", s).replace("—", "-").replace("－", "-")
    if s.startswith("+86"):
        s = s[3:]
    return s.lstrip("-")


def id_number_problem(id_type: str, number: str, *, today: date) -> str:
    """Why a (normalised) 证件号码 does not fit its 证件类型 ("" when it does)."""
    if id_type in CHECKSUM_ID_TYPES:
        problem = resident_id_problem(number, today)
        if problem:
            return problem
        if id_type == IdType.FOREIGN_PR and not number.startswith("9"):
            return "外国人永久居留身份证号码以 9 开头，请核对证件类型"
        return ""
    pattern, message = ID_FORMATS[id_type]
    return "" if pattern.fullmatch(number) else message


def check_application(
    fields: dict[str, Any],
    *,
    today: date,
    uscc_checked: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate and normalise the fields of an application: every format and
    cross-field rule (ID number per 证件类型, USCC, phone, fax, postcode, e-mail, at
    least one contact, e-mail/fax given when chosen, description length, known
    提供方式/获取方式). The public form additionally marks phone, address and the
    提供方式/获取方式 fields as required (presence only, a form choice; staff may register
    a letter with any one contact).
    ``uscc_checked``: staff verified the licence, so an 18-character USCC failing its
    checksum is accepted (security.md §5.2). Returns ``(values, errors)`` with the
    service's field names; ``values`` holds plain (unencrypted) id_number/phone/address.
    """
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown application fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}

    def text(name: str, label: str, max_length: int, required: bool = False) -> str:
        value = str(fields.get(name) or "").strip()
        if _BIDI.search(value):
            errors[name] = f"{label}含有不可见的文字方向控制字符"
        elif "\x00" in value:
            errors[name] = f"{label}含有空字符"
        elif required and not value:
            errors[name] = f"请填写{label}"
        elif len(value) > max_length:
            errors[name] = f"{label}不能超过 {max_length} 字（现在 {len(value)} 字）"
        return value

    a_type = fields.get("applicant_type") or ""
    kind = fields.get("applicant_kind") or (
        ApplicantKind.NATURAL if a_type == ApplicantType.CITIZEN else ""
    )
    if a_type not in ApplicantType.values:
        errors["applicant_type"] = "请选择申请人类型：公民或者法人或者其他组织"
    elif a_type == ApplicantType.CITIZEN and kind != ApplicantKind.NATURAL:
        errors["applicant_kind"] = "公民申请人计入“自然人”"
    elif a_type == ApplicantType.ORGANISATION and kind not in ApplicantKind.values[1:]:
        errors["applicant_kind"] = "请选择组织类别"
    out["applicant_type"], out["applicant_kind"] = a_type, kind
    out["applicant_name"] = " ".join(
        text("applicant_name", "姓名或者名称", 100, required=True).split()
    )
    out["work_unit"] = text("work_unit", "工作单位", 100)
    out["legal_representative"] = text(
        "legal_representative", "法定代表人或者负责人", 50
    )
    out["contact_name"] = text("contact_name", "联系人姓名", 50)

    # identity
    id_type = fields.get("id_type") or ""
    id_number = normalise_code(str(fields.get("id_number") or ""))
    uscc = normalise_code(str(fields.get("uscc") or ""))
    if a_type == ApplicantType.CITIZEN:
        uscc = ""
        if not id_type:
            errors["id_type"] = "请选择证件类型"
        elif id_type not in IdType.values:
            errors["id_type"] = "证件类型不正确"
        elif not id_number:
            errors["id_number"] = "请填写证件号码"
        else:
            problem = id_number_problem(id_type, id_number, today=today)
            if problem:
                errors["id_number"] = problem
    elif a_type == ApplicantType.ORGANISATION:
        id_type, id_number = "", ""
        out["work_unit"] = ""
        if not uscc:
            errors["uscc"] = "请填写统一社会信用代码"
        else:
            problem = uscc_problem(uscc)
            if problem and uscc_checked and len(uscc) == 18:
                problem = None  # staff checked the licence (security.md §5.2)
            if problem:
                errors["uscc"] = problem
        if not out["contact_name"] and "contact_name" not in errors:
            errors["contact_name"] = "请填写联系人姓名"
    out["id_type"], out["id_number"], out["uscc"] = id_type, id_number, uscc

    # contact
    phone = normalise_phone(text("phone", "联系电话", 30))
    if phone and not PHONE_RE.fullmatch(phone) and "phone" not in errors:
        errors["phone"] = (
            "请填写 11 位手机号码，或带区号的固定电话（例如 0731-28112345）"
        )
    fax = normalise_phone(text("fax", "传真", 30))
    if fax and not PHONE_RE.fullmatch(fax) and "fax" not in errors:
        errors["fax"] = "传真号码格式不正确，请填写带区号的号码（例如 0731-28112345）"
    email = text("email", "电子邮箱", 254)
    if email and not EMAIL_RE.fullmatch(email) and "email" not in errors:
        errors["email"] = "请输入合法的邮件地址。"
    address = text("address", "通信地址", 200)
    postcode = normalise_code(str(fields.get("postcode") or ""))
    if postcode and not POSTCODE_RE.fullmatch(postcode):
        errors["postcode"] = "邮政编码应为 6 位数字"
    if not (phone or email or address) and "phone" not in errors:
        errors["phone"] = "请至少填写一种联系方式（电话、电子邮箱或通信地址）"
    out.update(phone=phone, fax=fax, email=email, address=address, postcode=postcode)

    # the information and how to get it
    description = text(
        "description", "所需信息的内容描述", DESCRIPTION_MAX, required=True
    )
    if (
        description
        and len(description) < DESCRIPTION_MIN
        and "description" not in errors
    ):
        errors["description"] = "内容描述太短，请写明所需信息的名称、时间或事项等特征"
    out["description"] = description
    out["doc_title"] = text("doc_title", "所需信息的名称", 200)
    out["doc_number"] = text("doc_number", "文号", 80)
    out["doc_index_no"] = text("doc_index_no", "索引号", 60)
    provide = list(dict.fromkeys(fields.get("provide_forms") or []))
    delivery = list(dict.fromkeys(fields.get("delivery_methods") or []))
    if any(v not in ProvideForm.values for v in provide):
        errors["provide_forms"] = "指定提供方式不正确"
    if any(v not in DeliveryMethod.values for v in delivery):
        errors["delivery_methods"] = "获取信息的方式不正确"
    if (
        (ProvideForm.EMAIL in provide or DeliveryMethod.EMAIL in delivery)
        and not email
        and "email" not in errors
    ):
        errors["email"] = "选择了电子邮件方式，请填写电子邮箱"
    if DeliveryMethod.FAX in delivery and not fax and "fax" not in errors:
        errors["fax"] = "选择了传真方式，请填写传真号码"
    out["provide_forms"], out["delivery_methods"] = provide, delivery
    out["accept_other_forms"] = bool(fields.get("accept_other_forms"))
    return out, errors


def application_fields_from_form(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Map ``requests_app.forms.ApplicationForm`` data to service arguments."""
    is_org = cleaned.get("applicant_type") == ApplicantType.ORGANISATION
    out = {
        name: cleaned.get(FORM_FIELD_NAMES.get(name, name), "")
        for name in APPLICATION_FIELDS
    }
    out["applicant_kind"] = (
        cleaned.get("org_kind", "") if is_org else ApplicantKind.NATURAL
    )
    out["provide_forms"] = list(cleaned.get("provide_forms") or [])
    out["delivery_methods"] = list(cleaned.get("delivery_methods") or [])
    out["accept_other_forms"] = bool(cleaned.get("accept_other_forms"))
    return {k: ("" if v is None else v) for k, v in out.items()}
