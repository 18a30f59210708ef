"""Forms of 依申请公开: the public application, lookup, 补正 and withdrawal forms, and
the staff action forms. Forms only parse and validate; views hand ``cleaned_data``
to ``requests_app.services``, which owns every state change.

Uploaded files are checked by content (magic bytes and end markers), never by
extension or the browser's content type.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from portal.models import Agency
from portal.validators import normalise_code, resident_id_problem, uscc_problem

# --- uploads -------------------------------------------------------------------------

# Per-file cap for applicant uploads; the site-wide cap (UPLOAD_MAX_BYTES) wins when smaller.
APPLICANT_FILE_MAX_BYTES = 5 * 1024 * 1024
ALLOWED_FILE_DESCRIPTION = "PDF、JPG 或 PNG"
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # "pdf" | "jpeg" | "png"
    extension: str
    content_type: str
    size: int


_KINDS = {
    "pdf": (".pdf", "application/pdf"),
    "jpeg": (".jpg", "image/jpeg"),
    "png": (".png", "image/png"),
}


def max_upload_bytes() -> int:
    return min(APPLICANT_FILE_MAX_BYTES, int(getattr(settings, "UPLOAD_MAX_BYTES", APPLICANT_FILE_MAX_BYTES)))


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{max(1, n // 1024)} KB"


def sniff(data: bytes) -> str | None:
    """The file kind from its content, or None when it is not an allowed, whole file."""
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:] or _PDF_ACTIVE.search(data):
            return None
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        # the IEND chunk with its CRC must end the file: nothing appended after the image
        return "png" if data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82") else None
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg" if data.rstrip(b"\x00\r\n").endswith(b"\xff\xd9") else None
    return None


def check_upload(upload, *, max_bytes: int | None = None) -> CheckedFile:
    """Validate an uploaded file by size and content; raise ``ValidationError`` in Chinese."""
    limit = max_bytes if max_bytes is not None else max_upload_bytes()
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError("所选文件是空的，请重新选择。", code="empty")
    if size > limit:
        raise ValidationError(
            f"文件过大（{human_size(size)}），请上传不超过 {human_size(limit)} 的文件。可以先压缩图片或只扫描所需页。",
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise ValidationError(f"文件过大，请上传不超过 {human_size(limit)} 的文件。", code="too_large")
    kind = sniff(data)
    if kind is None:
        raise ValidationError(
            f"文件格式不符合要求：只接受 {ALLOWED_FILE_DESCRIPTION} 文件（按文件内容识别，修改扩展名无效），"
            "PDF 中不能含有脚本或附件。",
            code="bad_type",
        )
    extension, content_type = _KINDS[kind]
    return CheckedFile(kind, extension, content_type, len(data))


def safe_display_name(name: str, extension: str) -> str:
    """A harmless original name for display: no path, no control or bidi characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]", "", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem[:80] or '文件'}{extension}"


class CheckedFileField(forms.FileField):
    """A FileField that re-validates content and size; ``cleaned_data`` keeps the upload
    and ``checked`` describes it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            upload.checked = check_upload(upload)
        return upload


# --- text helpers ------------------------------------------------------------------------

_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def _reject_controls(value: str) -> str:
    if _BIDI.search(value or ""):
        raise ValidationError("含有不可见的文字方向控制字符，请删除后重新填写。", code="bidi")
    return value


class SafeCharField(forms.CharField):
    """CharField that also refuses bidi controls (NUL is already refused by Django)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(_reject_controls)


def _textarea(rows: int = 5, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")
POSTCODE_RE = re.compile(r"^\d{6}$")


def normalise_phone(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw or "")
    s = re.sub(r"[\s()（）]", "", s).replace("—", "-").replace("－", "-")
    if s.startswith("+86"):
        s = s[3:]
    return s.lstrip("-")


# --- the application form (条例 第二十九条; domain.md §2.8) ------------------------------


class ApplicantType:
    CITIZEN = "citizen"
    ORGANISATION = "organisation"
    CHOICES = [(CITIZEN, "公民"), (ORGANISATION, "法人或者其他组织")]


# Kinds of organisation: the columns of table 三 of the annual report.
ORG_KIND_CHOICES = [
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("public_interest", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other", "其他"),
]

ID_TYPE_CHOICES = [
    ("resident_id", "居民身份证"),
    ("foreign_pr", "外国人永久居留身份证"),
    ("hmt_residence", "港澳台居民居住证"),
    ("hk_macao_permit", "港澳居民来往内地通行证"),
    ("taiwan_permit", "台湾居民来往大陆通行证"),
    ("passport", "护照"),
    ("other", "其他有效身份证件"),
]
# Documents carrying a GB 11643-style number with a checksum and a birth date.
CHECKSUM_ID_TYPES = ("resident_id", "foreign_pr", "hmt_residence")
ID_FORMATS = {
    "hk_macao_permit": (re.compile(r"^[HM]\d{8}(\d{2})?$"), "港澳居民来往内地通行证号码应为 H 或 M 加 8 位或 10 位数字"),
    "taiwan_permit": (re.compile(r"^\d{8}(\d{2})?$"), "台湾居民来往大陆通行证号码应为 8 位或 10 位数字"),
    "passport": (re.compile(r"^[A-Z0-9]{5,17}$"), "护照号码应为 5 至 17 位字母或数字"),
    "other": (re.compile(r"^[A-Z0-9\-]{4,30}$"), "证件号码应为 4 至 30 位字母、数字或连字符"),
}

PROVIDE_FORM_CHOICES = [
    ("paper", "纸面"),
    ("email", "电子邮件"),
    ("cd", "光盘"),
    ("disk", "磁盘"),
]
DELIVERY_CHOICES = [
    ("post", "邮寄"),
    ("express", "快递"),
    ("email", "电子邮件"),
    ("fax", "传真"),
    ("pickup", "自行领取/当场阅读、抄录"),
]

DESCRIPTION_MAX = 2000

# Every field a service may receive from the public form. Anything else in the POST
# (status, received_date, assigned_to, tracking_no …) is ignored by construction.
APPLICATION_FIELDS = (
    "applicant_type", "org_kind", "name", "work_unit", "id_type", "id_number", "uscc",
    "legal_representative", "contact_name", "phone", "fax", "email", "address", "postcode",
    "agency", "description", "info_title", "info_doc_number", "info_index_number",
    "provide_forms", "delivery_methods", "accept_other_methods",
)


class ApplicationForm(forms.Form):
    """政府信息公开申请表. ``today`` is passed in (ID birth dates must not be in the future).

    ``held_file`` names an ID proof kept server-side from the preview step, so an
    applicant going back to edit need not select the file again.
    """

    applicant_type = forms.ChoiceField(
        label="申请人类型", choices=ApplicantType.CHOICES, widget=forms.RadioSelect, initial=ApplicantType.CITIZEN
    )
    org_kind = forms.ChoiceField(
        label="组织类别",
        choices=ORG_KIND_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text="仅法人或者其他组织填写。",
    )
    name = SafeCharField(
        label="姓名或者名称", max_length=100, help_text="公民填写姓名；法人或者其他组织填写全称。",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    work_unit = SafeCharField(label="工作单位", max_length=100, required=False, help_text="公民选填。")
    id_type = forms.ChoiceField(label="证件类型", choices=ID_TYPE_CHOICES, required=False, initial="resident_id")
    id_number = SafeCharField(
        label="证件号码", max_length=40, required=False,
        help_text="公民必填。居民身份证为 18 位，最后一位可能是 X。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
    )
    uscc = SafeCharField(
        label="统一社会信用代码", max_length=30, required=False,
        help_text="法人或者其他组织必填，18 位，见营业执照或登记证书。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    legal_representative = SafeCharField(label="法定代表人或者负责人", max_length=50, required=False)
    contact_name = SafeCharField(label="联系人姓名", max_length=50, required=False, help_text="法人或者其他组织必填。")
    phone = SafeCharField(
        label="联系电话", max_length=30, help_text="手机号码或带区号的固定电话，用于联系您核实申请。",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    fax = SafeCharField(label="传真", max_length=30, required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(
        label="电子邮箱", required=False, max_length=254,
        help_text="填写后，申请编号和查询码会同时发送到此邮箱；选择电子邮件方式时必填。",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = SafeCharField(
        label="通信地址", max_length=200, help_text="邮寄答复材料时使用，请写到门牌号。",
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = SafeCharField(
        label="邮政编码", max_length=10, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    agency = forms.ModelChoiceField(
        label="向哪个机关申请",
        queryset=Agency.objects.none(),
        empty_label="请选择机关",
        help_text="请选择制作或者保存该信息的机关。不确定时可以查看政府信息公开指南。",
    )
    description = SafeCharField(
        label="所需信息的内容描述",
        max_length=DESCRIPTION_MAX,
        widget=_textarea(6, maxlength=DESCRIPTION_MAX),
        help_text=f"请尽量写明信息的名称、时间、地点、事项等特征，不超过 {DESCRIPTION_MAX} 字。每份申请只申请一项政府信息。",
    )
    info_title = SafeCharField(label="所需信息的名称", max_length=300, required=False)
    info_doc_number = SafeCharField(label="文号", max_length=80, required=False, help_text="例如：株天政发〔2013〕1号")
    info_index_number = SafeCharField(label="索引号", max_length=60, required=False)
    provide_forms = forms.MultipleChoiceField(
        label="所需信息的指定提供方式", choices=PROVIDE_FORM_CHOICES, widget=forms.CheckboxSelectMultiple,
        help_text="可多选。",
    )
    delivery_methods = forms.MultipleChoiceField(
        label="获取信息的方式", choices=DELIVERY_CHOICES, widget=forms.CheckboxSelectMultiple, help_text="可多选。",
    )
    accept_other_methods = forms.BooleanField(
        label="若本机关无法按照指定方式提供所需信息，也可接受其他方式", required=False, initial=True,
    )
    id_proof = CheckedFileField(
        label="身份证明",
        required=False,
        help_text="公民上传身份证件照片或扫描件；法人或者其他组织上传营业执照或登记证书。"
        f"只接受 {ALLOWED_FILE_DESCRIPTION} 文件，不超过 5 MB。",
    )
    declaration = forms.BooleanField(
        label="我承诺以上信息真实有效，并知晓本表的个人信息处理说明（代替申请人签名）",
        error_messages={"required": "请阅读个人信息处理说明并勾选承诺"},
    )

    def __init__(self, *args, today: date, held_file_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.held_file_name = held_file_name
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("sort_order", "id")
        self.fields["id_proof"].max_bytes = max_upload_bytes()

    # -- per-field normalisation
    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        if not PHONE_RE.fullmatch(phone):
            raise ValidationError("请填写 11 位手机号码，或带区号的固定电话（例如 0731-28112345）")
        return phone

    def clean_fax(self) -> str:
        fax = normalise_phone(self.cleaned_data.get("fax", ""))
        if fax and not PHONE_RE.fullmatch(fax):
            raise ValidationError("传真号码格式不正确，请填写带区号的号码（例如 0731-28112345）")
        return fax

    def clean_postcode(self) -> str:
        code = normalise_code(self.cleaned_data.get("postcode", ""))
        if code and not POSTCODE_RE.fullmatch(code):
            raise ValidationError("邮政编码应为 6 位数字")
        return code

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if len(text) < 5:
            raise ValidationError("内容描述太短，请写明所需信息的名称、时间或事项等特征")
        return text

    def clean_info_index_number(self) -> str:
        return self.cleaned_data.get("info_index_number", "").strip()

    # -- cross-field rules
    def clean(self):
        data = super().clean()
        kind = data.get("applicant_type")
        if kind == ApplicantType.CITIZEN:
            self._clean_citizen(data)
        elif kind == ApplicantType.ORGANISATION:
            self._clean_organisation(data)
        wants_email = "email" in (data.get("provide_forms") or []) or "email" in (data.get("delivery_methods") or [])
        if wants_email and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "选择了电子邮件方式，请填写电子邮箱")
        if "fax" in (data.get("delivery_methods") or []) and not data.get("fax") and "fax" not in self.errors:
            self.add_error("fax", "选择了传真方式，请填写传真号码")
        if not data.get("id_proof") and not self.held_file_name and "id_proof" not in self.errors:
            self.add_error("id_proof", "请上传身份证明文件")
        return data

    def _clean_citizen(self, data: dict) -> None:
        data["org_kind"] = ""
        data["uscc"] = ""
        id_type = data.get("id_type") or ""
        raw = data.get("id_number", "")
        if not id_type:
            self.add_error("id_type", "请选择证件类型")
            return
        if not raw:
            if "id_number" not in self.errors:
                self.add_error("id_number", "请填写证件号码")
            return
        number = normalise_code(raw)
        if id_type in CHECKSUM_ID_TYPES:
            problem = resident_id_problem(number, self.today)
            if problem:
                self.add_error("id_number", problem)
                return
            if id_type == "foreign_pr" and not number.startswith("9"):
                self.add_error("id_number", "外国人永久居留身份证号码以 9 开头，请核对证件类型")
                return
        else:
            pattern, message = ID_FORMATS[id_type]
            if not pattern.fullmatch(number):
                self.add_error("id_number", message)
                return
        data["id_number"] = number

    def _clean_organisation(self, data: dict) -> None:
        data["id_type"] = ""
        data["id_number"] = ""
        data["work_unit"] = ""
        if not data.get("org_kind"):
            self.add_error("org_kind", "请选择组织类别")
        raw = data.get("uscc", "")
        if not raw:
            if "uscc" not in self.errors:
                self.add_error("uscc", "请填写统一社会信用代码")
        else:
            problem = uscc_problem(raw)
            if problem:
                self.add_error("uscc", problem)
            else:
                data["uscc"] = normalise_code(raw)
        if not data.get("contact_name") and "contact_name" not in self.errors:
            self.add_error("contact_name", "请填写联系人姓名")

    @property
    def is_organisation(self) -> bool:
        value = self.data.get(self.add_prefix("applicant_type")) if self.is_bound else self.initial.get("applicant_type")
        return value == ApplicantType.ORGANISATION


class LookupForm(forms.Form):
    tracking_no = SafeCharField(
        label="申请编号", max_length=40,
        help_text="提交申请后显示的编号，例如 YSQ-2026-000123。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    query_code = SafeCharField(
        label="查询码", max_length=64,
        help_text="提交申请时显示（并发送到邮箱）的查询码，区分大小写。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
    )

    def clean_tracking_no(self) -> str:
        return "".join(unicodedata.normalize("NFKC", self.cleaned_data["tracking_no"]).split()).upper()

    def clean_query_code(self) -> str:
        return "".join(unicodedata.normalize("NFKC", self.cleaned_data["query_code"]).split())


class CorrectionForm(forms.Form):
    """The applicant's 补正 (条例 第三十条): text plus an optional file."""

    text = SafeCharField(
        label="补正内容", max_length=DESCRIPTION_MAX, widget=_textarea(6, maxlength=DESCRIPTION_MAX),
        help_text="请按补正通知的要求，写明补充或者更改的内容。",
    )
    attachment = CheckedFileField(
        label="补正材料（选填）", required=False,
        help_text=f"如需补充证明材料，可上传一个 {ALLOWED_FILE_DESCRIPTION} 文件，不超过 5 MB。",
    )


class WithdrawForm(forms.Form):
    reason = SafeCharField(
        label="撤回原因（选填）", max_length=300, required=False, widget=_textarea(3, maxlength=300),
    )
    confirm = forms.BooleanField(
        label="我确认撤回本申请。撤回后本申请不再办理，如仍需要该信息须重新申请。",
        error_messages={"required": "请勾选确认后再撤回"},
    )
