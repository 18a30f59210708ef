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

from portal.filecheck import FileRefused, check_pdf
from portal.forms import SiteMessagesMixin
from portal.models import Agency
from requests_app.application import (
    DESCRIPTION_MAX,
    FORM_FIELD_NAMES,
    application_fields_from_form,
    check_application,
)
from requests_app.models import (
    ApplicantType,
    Channel,
    DeliveryMethod,
    FeeMethod,
    IdType,
    LetterDelivery,
    MaterialKind,
    PartyType,
    ProvideForm,
)
from requests_app.outcomes import ApplicantKind

# --- uploads -------------------------------------------------------------------------

# Per-file cap for applicant uploads; the site-wide cap (UPLOAD_MAX_BYTES) wins when smaller.
APPLICANT_FILE_MAX_BYTES = 5 * 1024 * 1024
ALLOWED_FILE_DESCRIPTION = "PDF、JPG 或 PNG"


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
    return min(
        APPLICANT_FILE_MAX_BYTES,
        int(getattr(settings, "UPLOAD_MAX_BYTES", APPLICANT_FILE_MAX_BYTES)),
    )


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{max(1, n // 1024)} KB"


def sniff(data: bytes) -> str | None:
    """The file kind from its content, or None when it is not an allowed, whole file."""
    if data.startswith(b"%PDF-"):
        # active content is refused by ``check_upload`` with the shared PDF inspector
        return "pdf" if b"%%EOF" in data[-2048:] else None
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
        raise ValidationError(
            f"文件过大，请上传不超过 {human_size(limit)} 的文件。", code="too_large"
        )
    kind = sniff(data)
    if kind is None:
        raise ValidationError(
            f"文件格式不符合要求：只接受 {ALLOWED_FILE_DESCRIPTION} 文件（按文件内容识别，修改扩展名无效），"
            "PDF 中不能含有脚本或附件。",
            code="bad_type",
        )
    if kind == "pdf":
        try:
            check_pdf(data, safe_display_name(getattr(upload, "name", ""), ".pdf"))
        except FileRefused as exc:
            raise ValidationError("文件" + exc.message, code="active_pdf") from None
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
        kwargs.setdefault(
            "widget",
            forms.FileInput(
                attrs={
                    "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
                }
            ),
        )
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
        raise ValidationError(
            "含有不可见的文字方向控制字符，请删除后重新填写。", code="bidi"
        )
    return value


class SafeCharField(forms.CharField):
    """CharField that also refuses bidi controls (NUL is already refused by Django)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(_reject_controls)


def _textarea(rows: int = 5, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


# --- the application form (条例 第二十九条; domain.md §2.8) ------------------------------


# Kinds of organisation: the columns of table 三 of the annual report (all but 自然人).
ORG_KIND_CHOICES = [
    (k.value, k.label) for k in ApplicantKind if k != ApplicantKind.NATURAL
]


class ApplicationForm(SiteMessagesMixin, forms.Form):
    """政府信息公开申请表. ``today`` is passed in (ID birth dates must not be in the future).

    ``held_file`` names an ID proof kept server-side from the preview step, so an
    applicant going back to edit need not select the file again.
    """

    applicant_type = forms.ChoiceField(
        label="申请人类型",
        choices=ApplicantType.choices,
        widget=forms.RadioSelect,
        initial=ApplicantType.CITIZEN,
    )
    org_kind = forms.ChoiceField(
        label="组织类别",
        choices=ORG_KIND_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text="仅法人或者其他组织填写。",
    )
    name = SafeCharField(
        label="姓名或者名称",
        max_length=100,
        help_text="公民填写姓名；法人或者其他组织填写全称。",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    work_unit = SafeCharField(
        label="工作单位", max_length=100, required=False, help_text="公民选填。"
    )
    id_type = forms.ChoiceField(
        label="证件类型", choices=IdType.choices, required=False, initial="resident_id"
    )
    id_number = SafeCharField(
        label="证件号码",
        max_length=40,
        required=False,
        help_text="公民必填。居民身份证为 18 位，最后一位可能是 X。",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}
        ),
    )
    uscc = SafeCharField(
        label="统一社会信用代码",
        max_length=30,
        required=False,
        help_text="法人或者其他组织必填，18 位，见营业执照或登记证书。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    legal_representative = SafeCharField(
        label="法定代表人或者负责人", max_length=50, required=False
    )
    contact_name = SafeCharField(
        label="联系人姓名",
        max_length=50,
        required=False,
        help_text="法人或者其他组织必填。",
    )
    phone = SafeCharField(
        label="联系电话",
        max_length=30,
        help_text="手机号码或带区号的固定电话，用于联系您核实申请。",
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
        ),
    )
    fax = SafeCharField(
        label="传真",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    email = forms.EmailField(
        label="电子邮箱",
        required=False,
        max_length=254,
        help_text="填写后，申请编号和查询码会同时发送到此邮箱；选择电子邮件方式时必填。",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = SafeCharField(
        label="通信地址",
        max_length=200,
        help_text="邮寄答复材料时使用，请写到门牌号。",
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = SafeCharField(
        label="邮政编码",
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
        ),
    )
    agency = forms.TypedChoiceField(
        label="向哪个机关申请",
        choices=[],
        coerce=int,
        help_text="请选择制作或者保存该信息的机关。不确定时可以查看政府信息公开指南。",
        error_messages={
            "invalid_choice": "请从列表中选择机关",
            "required": "请选择受理机关",
        },
    )
    description = SafeCharField(
        label="所需信息的内容描述",
        max_length=DESCRIPTION_MAX,
        widget=_textarea(6, maxlength=DESCRIPTION_MAX),
        help_text=f"请尽量写明信息的名称、时间、地点、事项等特征，不超过 {DESCRIPTION_MAX} 字。每份申请只申请一项政府信息。",
    )
    doc_title = SafeCharField(label="所需信息的名称", max_length=200, required=False)
    doc_number = SafeCharField(
        label="文号",
        max_length=80,
        required=False,
        help_text="例如：株天政发〔2013〕1号",
    )
    doc_index_no = SafeCharField(label="索引号", max_length=60, required=False)
    provide_forms = forms.MultipleChoiceField(
        label="所需信息的指定提供方式",
        choices=ProvideForm.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="可多选。",
    )
    delivery_methods = forms.MultipleChoiceField(
        label="获取信息的方式",
        choices=DeliveryMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="可多选。",
    )
    accept_other_forms = forms.BooleanField(
        label="若本机关无法按照指定方式提供所需信息，也可接受其他方式",
        required=False,
        initial=True,
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

    require_id_proof = True

    def __init__(self, *args, today: date, held_file_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.held_file_name = held_file_name
        # evaluated here, once: the template renders a plain list (no query while rendering)
        self.agencies = {
            a.pk: a
            for a in Agency.objects.filter(is_active=True).order_by("sort_order", "id")
        }
        self.fields["agency"].choices = [("", "请选择机关")] + [
            (pk, a.name) for pk, a in self.agencies.items()
        ]
        # required unless a file chosen before is held server-side (confirm → 返回修改)
        self.fields["id_proof"].required = self.require_id_proof and not held_file_name
        self.fields["id_proof"].error_messages["required"] = "请上传身份证明文件"

    def clean_agency(self) -> Agency:
        return self.agencies[self.cleaned_data["agency"]]

    def clean(self):
        """The field rules are ``requests_app.application.check_application`` — the
        same function the intake service calls, so form and service agree."""
        data = super().clean()
        values, errors = check_application(
            application_fields_from_form(data),
            today=self.today,
            uscc_checked=self.uscc_override(data),
        )
        for name, message in errors.items():
            field = FORM_FIELD_NAMES.get(name, name)
            if field not in self.fields:
                self.add_error(None, message)
            elif field not in self.errors:
                self.add_error(field, message)
        if not errors:
            for name, value in values.items():
                field = FORM_FIELD_NAMES.get(name, name)
                if name != "applicant_kind" and field in self.fields:
                    data[field] = value
            if data.get("applicant_type") == ApplicantType.CITIZEN:
                data["org_kind"] = ""
        if (
            self.require_id_proof
            and not data.get("id_proof")
            and not self.held_file_name
            and "id_proof" not in self.errors
        ):
            self.add_error("id_proof", "请上传身份证明文件")
        return data

    def uscc_override(self, data: dict) -> bool:
        """Whether a USCC failing its checksum is accepted (staff forms only)."""
        return False

    @property
    def is_organisation(self) -> bool:
        value = (
            self.data.get(self.add_prefix("applicant_type"))
            if self.is_bound
            else self.initial.get("applicant_type")
        )
        return value == ApplicantType.ORGANISATION


class LookupForm(SiteMessagesMixin, forms.Form):
    tracking_no = SafeCharField(
        label="申请编号",
        max_length=40,
        help_text="提交申请后显示的编号，例如 YSQ-2026-000123。",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
            }
        ),
    )
    query_code = SafeCharField(
        label="查询码",
        max_length=64,
        help_text="提交申请时显示（并发送到邮箱）的 16 位查询码，不区分大小写，空格可省略。",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )

    def clean_tracking_no(self) -> str:
        return "".join(
            unicodedata.normalize("NFKC", self.cleaned_data["tracking_no"]).split()
        ).upper()

    def clean_query_code(self) -> str:
        return "".join(
            unicodedata.normalize("NFKC", self.cleaned_data["query_code"]).split()
        )


class ResendQueryCodeForm(SiteMessagesMixin, forms.Form):
    """A lost 查询码: a new one is e-mailed to the address the application gave."""

    tracking_no = SafeCharField(
        label="申请编号",
        max_length=40,
        help_text="提交申请后显示的编号，例如 YSQ-2026-000123。",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
            }
        ),
    )

    def clean_tracking_no(self) -> str:
        return "".join(
            unicodedata.normalize("NFKC", self.cleaned_data["tracking_no"]).split()
        ).upper()


class CorrectionForm(SiteMessagesMixin, forms.Form):
    """The applicant's 补正 (条例 第三十条): text plus an optional file."""

    text = SafeCharField(
        label="补正内容",
        max_length=DESCRIPTION_MAX,
        widget=_textarea(6, maxlength=DESCRIPTION_MAX),
        help_text="请按补正通知的要求，写明补充或者更改的内容。",
    )
    attachment = CheckedFileField(
        label="补正材料（选填）",
        required=False,
        help_text=f"如需补充证明材料，可上传一个 {ALLOWED_FILE_DESCRIPTION} 文件，不超过 5 MB。",
    )


class WithdrawForm(SiteMessagesMixin, forms.Form):
    reason = SafeCharField(
        label="撤回原因（选填）",
        max_length=300,
        required=False,
        widget=_textarea(3, maxlength=300),
    )
    confirm = forms.BooleanField(
        label="我确认撤回本申请。撤回后本申请不再办理，如仍需要该信息须重新申请。",
        error_messages={"required": "请勾选确认后再撤回"},
    )


# =========================================================================================
# staff forms (each hands cleaned_data to one service; services re-check everything)
# =========================================================================================


def _date_input(**attrs) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


class StaffDateField(forms.DateField):
    """A date typed by staff: ISO (YYYY-MM-DD) from the date picker, or 2026年3月2日."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _date_input())
        kwargs.setdefault(
            "input_formats", ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        )
        kwargs.setdefault(
            "error_messages",
            {"invalid": "日期格式不正确，请按 YYYY-MM-DD 填写，例如 2026-03-02"},
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value is not None and not (date(1990, 1, 1) <= value <= date(2100, 12, 31)):
            raise ValidationError("日期超出范围，请核对年份")
        return value


# Channels staff register (everything but the online form), with the 第三十一条 rule.
OFFLINE_CHANNELS = [(c.value, c.label) for c in Channel if c != Channel.ONLINE]
RECEIPT_DATE_FIELD = {
    Channel.IN_PERSON: "handed_in_date",
    Channel.POST_SIGNED: "signed_date",
    Channel.POST_ORDINARY: "confirmed_date",
    Channel.FAX: "confirmed_date",
    Channel.EMAIL: "confirmed_date",
}


class StaffRegisterForm(ApplicationForm):
    """Register an application that arrived 当面, by post, fax or e-mail (条例 第三十一条).

    The agency is the staff member's own; the ID proof is optional (a paper copy may
    be in the file); a failing USCC checksum may be accepted after checking the licence.
    """

    require_id_proof = False

    channel = forms.ChoiceField(
        label="申请渠道", choices=OFFLINE_CHANNELS, widget=forms.RadioSelect
    )
    submitted_at = forms.DateTimeField(
        label="申请到达时间",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text="当面递交、信件或传真到达、邮件收到的时间。",
        error_messages={"invalid": "时间格式不正确，请按 YYYY-MM-DD HH:MM 填写"},
    )
    receipt_date = StaffDateField(
        label="确定收到申请之日的日期",
        required=False,
        help_text="当面提交：提交之日（留空即按到达日期）；邮寄（需签收）：签收之日；"
        "平常信函、传真、电子邮件：与申请人双方确认之日，尚未确认的留空，申请进入“待确认”。"
        "平常信函应于信件到达当日确认；晚于到达之日确认的，收到申请之日仍按到达之日计，并标记为确认逾期。",
    )
    uscc_checked = forms.BooleanField(
        label="已核验营业执照或登记证书（统一社会信用代码校验位不符时仍予登记）",
        required=False,
    )

    def __init__(self, *args, today: date, agency: Agency, **kwargs):
        super().__init__(*args, today=today, **kwargs)
        del self.fields["agency"]
        del self.fields["declaration"]
        self.agency = agency
        for name in ("phone", "address"):
            self.fields[name].required = False
        self.fields["provide_forms"].required = False
        self.fields["delivery_methods"].required = False
        self.fields[
            "id_proof"
        ].help_text = f"选填：申请人身份证明的扫描件（{ALLOWED_FILE_DESCRIPTION}，不超过 5 MB）。纸质材料随案卷保存。"
        self.order_fields(["channel", "submitted_at", "receipt_date"])

    def uscc_override(self, data: dict) -> bool:
        return bool(data.get("uscc_checked"))

    def clean_submitted_at(self):
        value = self.cleaned_data["submitted_at"]
        if value is not None and value.date() > self.today:
            raise ValidationError("申请到达时间不能晚于今天")
        return value

    def clean(self):
        data = super().clean()
        channel = data.get("channel")
        if (
            channel == Channel.POST_SIGNED
            and not data.get("receipt_date")
            and "receipt_date" not in self.errors
        ):
            self.add_error(
                "receipt_date",
                "邮寄（需签收）的申请以签收之日为收到申请之日，请填写签收日期",
            )
        return data

    def receipt_kwargs(self) -> dict[str, date | None]:
        """The date argument ``request_register_offline`` expects for the channel."""
        value = self.cleaned_data.get("receipt_date")
        name = RECEIPT_DATE_FIELD.get(self.cleaned_data.get("channel"))
        return {name: value} if name and value else {}


class ConfirmForm(SiteMessagesMixin, forms.Form):
    confirmed_date = StaffDateField(
        label="双方确认之日",
        help_text="与申请人确认收到申请的日期（条例第三十一条），即“收到申请之日”，答复期限从次日起算。",
    )


class AssignForm(SiteMessagesMixin, forms.Form):
    assignee = forms.TypedChoiceField(
        label="承办人",
        choices=[],
        coerce=int,
        error_messages={"invalid_choice": "请从列表中选择本机关的承办人"},
    )

    def __init__(self, *args, handlers, **kwargs):
        """``handlers``: the agency's 承办人, already loaded (a list of users)."""
        super().__init__(*args, **kwargs)
        self.handlers = {u.pk: u for u in handlers}
        self.fields["assignee"].choices = [("", "请选择承办人")] + [
            (pk, u.get_full_name() or u.get_username())
            for pk, u in self.handlers.items()
        ]

    def clean_assignee(self):
        return self.handlers[self.cleaned_data["assignee"]]


class CorrectionAskForm(SiteMessagesMixin, forms.Form):
    items = SafeCharField(
        label="需要补正的事项",
        max_length=2000,
        widget=_textarea(5, maxlength=2000),
        help_text="一次性写明需要申请人补充或者更改的全部内容（条例第三十条只允许告知一次）。",
    )
    due_date = StaffDateField(
        label="补正期限", required=False, help_text="留空则为告知之日起 15 个工作日。"
    )


class CorrectionReceiveForm(SiteMessagesMixin, forms.Form):
    received_date = StaffDateField(
        label="收到补正之日", help_text="答复期限自该日起重新计算 20 个工作日。"
    )
    text = SafeCharField(
        label="补正内容摘要",
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=_textarea(4),
    )
    attachment = CheckedFileField(label="补正材料扫描件（选填）", required=False)
    late_reason = SafeCharField(
        label="逾期补正的正当理由",
        max_length=300,
        required=False,
        help_text="超过补正期限才收到的，须写明申请人的正当理由，否则不能接收。",
    )

    def clean(self):
        data = super().clean()
        if not data.get("text") and not data.get("attachment") and not self.errors:
            self.add_error("text", "请填写补正内容摘要或上传补正材料")
        return data


class ConsultationStartForm(SiteMessagesMixin, forms.Form):
    party_type = forms.ChoiceField(
        label="征求对象类型", choices=PartyType.choices, widget=forms.RadioSelect
    )
    party_name = SafeCharField(label="征求对象名称", max_length=200)
    sent_date = StaffDateField(
        label="发出征求意见之日",
        help_text="自次日起，征求意见期间不计入答复期限（条例第三十三条第三款）。",
    )
    party_received_date = StaffDateField(
        label="对方收到征求意见书之日",
        required=False,
        help_text="当面送达的填送达之日；邮寄的可在签收后再登记。对方自收到之日起 15 个工作日内提出意见"
        "（条例第三十二条、第三十四条）。",
    )


class ConsultationReceiptForm(SiteMessagesMixin, forms.Form):
    party_received_date = StaffDateField(
        label="对方收到征求意见书之日",
        help_text="例如邮件签收之日。对方提出意见的 15 个工作日从此日次日起算。",
    )


class ConsultationEndForm(SiteMessagesMixin, forms.Form):
    replied_date = StaffDateField(
        label="收到意见之日",
        help_text="对方收到征求意见书后 15 个工作日内未提出意见的，按第 15 个工作日计算。",
    )
    party_received_date = StaffDateField(
        label="对方收到征求意见书之日",
        required=False,
        help_text="尚未登记的请填写；不填则按发出之日计算（对申请人最有利）。",
    )
    opinion = SafeCharField(
        label="意见摘要", max_length=2000, required=False, widget=_textarea(4)
    )


class ExtensionRequestForm(SiteMessagesMixin, forms.Form):
    days = forms.IntegerField(
        label="延长工作日数",
        min_value=1,
        max_value=20,
        error_messages={
            "max_value": "延长期限最长不超过 20 个工作日",
            "min_value": "延长期限至少 1 个工作日",
        },
        help_text="条例第三十三条第二款：只能延长一次，最长 20 个工作日，须经负责人同意。",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = SafeCharField(
        label="延期理由", max_length=1000, widget=_textarea(3, maxlength=1000)
    )


class ExtensionDecideForm(SiteMessagesMixin, forms.Form):
    decision = forms.ChoiceField(
        label="审批意见",
        choices=[("approve", "同意延期"), ("reject", "不同意延期")],
        widget=forms.RadioSelect,
    )
    note = SafeCharField(label="说明", max_length=300, required=False)


class FeeNoticeForm(SiteMessagesMixin, forms.Form):
    method = forms.ChoiceField(
        label="计费方式",
        choices=FeeMethod.choices,
        widget=forms.RadioSelect,
        help_text="每件申请只能选择一种计费方式（国办函〔2020〕109号第三条）；按量计收只适用于"
        "提供纸质件、发送电子邮件、复制电子数据的情形（第五条）。",
    )
    quantity = forms.IntegerField(
        label="件数或页数",
        min_value=1,
        max_value=100000,
        help_text="按件计收：本申请是该申请人本自然月的第几件；按量计收：页数（电子数据折算页数）。",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    basis = SafeCharField(
        label="收费依据及说明", max_length=2000, required=False, widget=_textarea(3)
    )
    payment_method = SafeCharField(
        label="缴费方式",
        max_length=500,
        widget=_textarea(2),
        error_messages={"required": "请填写缴费方式：收款账户、网上缴费途径或缴费窗口"},
        help_text="写入收费通知书：收款单位及账户、网上缴费途径，或缴费窗口的地址和办公时间"
        "（收费通知应说明缴纳方式）。",
    )


class PaymentForm(SiteMessagesMixin, forms.Form):
    paid_date = StaffDateField(label="缴费日期")


class ReasonForm(SiteMessagesMixin, forms.Form):
    """A reason for a logged action (查看完整信息, 身份证明, 免收费用)."""

    reason = SafeCharField(label="原因", max_length=200)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReplyFilesField(forms.FileField):
    """Several reply attachments, each checked by content (catalog's attachment rules:
    PDF, Office, OFD, images, text; no HTML, scripts, archives or macro documents)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        from catalog.attachments import inspect_upload

        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        single = super().clean
        out = []
        for upload in uploads:
            upload = single(upload, initial)
            if not upload:
                continue
            try:
                upload.checked = inspect_upload(upload)
            except (
                ValidationError
            ) as exc:  # catalog reports {"file": [...]}: keep the messages
                raise ValidationError(exc.messages) from None
            upload.seek(0)
            out.append(upload)
        if len(out) > 5:
            raise ValidationError("一次最多上传 5 个答复文件")
        return out


def ground_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The legal grounds of a reply grouped as in the annual report (予以公开 … 其他处理):
    one template per ground (requests_app.letters)."""
    from requests_app.letters import GROUND_LIST

    groups: dict[str, list[tuple[str, str]]] = {}
    for ground in GROUND_LIST:
        group, _, short = ground.label.partition("—")
        if not short:
            group, short = ground.label, ground.label
        groups.setdefault(group, []).append((ground.key, short))
    return list(groups.items())


class ReplyForm(SiteMessagesMixin, forms.Form):
    ground = forms.ChoiceField(
        label="答复的法定情形",
        choices=[],
        error_messages={"required": "请选择答复的法定情形"},
        help_text="一个情形一个告知书模板，例如“信息不存在”与“不属于本机关负责公开”分开。",
    )
    reason = SafeCharField(
        label="理由或说明（填入告知书）",
        max_length=2000,
        required=False,
        widget=_textarea(3),
        help_text="不予公开、部分公开必须写明理由（条例第三十六条第（三）项）。",
    )
    other_agency = SafeCharField(
        label="负责公开该信息的行政机关",
        max_length=100,
        required=False,
        help_text="“不属于本机关负责公开”且能够确定负责机关时填写（条例第三十六条第（五）项）。",
    )
    other_agency_contact = SafeCharField(
        label="该机关联系方式",
        max_length=200,
        required=False,
        help_text="地址、电话等，填写了负责机关时必填。",
    )
    other_agency_undetermined = SafeCharField(
        label="无法确定负责机关的说明",
        max_length=500,
        required=False,
        widget=_textarea(2),
        help_text="“不属于本机关负责公开”但无法确定负责公开的行政机关时必填，写入告知书。",
    )
    material_kind = forms.ChoiceField(
        label="信息提供方式",
        choices=MaterialKind.choices,
        required=False,
        help_text="予以公开、部分公开必须选择：附件、已公开信息链接、邮寄或当场阅读。",
    )
    material_date = StaffDateField(
        label="邮寄或阅读日期",
        required=False,
        help_text="提供方式为邮寄或当场阅读时填写。",
    )
    notice_index = SafeCharField(
        label="已主动公开信息的索引号",
        max_length=60,
        required=False,
        help_text="信息已经主动公开的，填写其索引号，告知书会附上链接。",
    )
    title = SafeCharField(
        label="文书名称",
        max_length=50,
        required=False,
        help_text="留空则使用该情形的模板名称。",
    )
    letter_text = SafeCharField(
        label="告知书正文",
        max_length=20000,
        required=False,
        widget=_textarea(16),
        help_text="先选择情形并点击“生成告知书”，核对修改后提交签发。称谓、复议诉讼告知、"
        "落款和日期由系统生成。",
    )
    files = ReplyFilesField(
        label="答复文件（选填）", help_text="可选多个文件，最多 5 个。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = [("", "请选择法定情形"), *ground_groups()]

    def clean_notice_index(self):
        from catalog.models import Notice

        value = self.cleaned_data.get("notice_index", "").strip()
        if not value:
            self.notice = None
            return ""
        self.notice = Notice.objects.listed().filter(index_number=value).first()
        if self.notice is None:
            raise ValidationError("没有找到该索引号对应的已发布信息，请核对")
        return value


class LetterReturnForm(SiteMessagesMixin, forms.Form):
    comment = SafeCharField(
        label="退回意见",
        max_length=2000,
        widget=_textarea(3),
        error_messages={"required": "请填写退回意见，说明需要修改的地方"},
    )


class LetterDeliveryForm(SiteMessagesMixin, forms.Form):
    method = forms.ChoiceField(
        label="送达方式",
        choices=[("", "请选择"), *LetterDelivery.choices],
        error_messages={"required": "请选择送达方式"},
    )
    tracking_number = SafeCharField(
        label="EMS 单号", max_length=30, required=False, help_text="EMS 送达时必填。"
    )
    delivered_date = StaffDateField(
        label="送达日期", error_messages={"required": "请填写送达日期"}
    )


class NoteForm(SiteMessagesMixin, forms.Form):
    text = SafeCharField(
        label="内部备注",
        max_length=2000,
        widget=_textarea(3, maxlength=2000),
        help_text="只有本机关工作人员可见，不会向申请人显示。",
    )


class NoticeDraftForm(SiteMessagesMixin, forms.Form):
    title = SafeCharField(
        label="标题",
        max_length=300,
        required=False,
        help_text="留空则使用申请的信息名称或描述。",
    )
    summary = SafeCharField(
        label="内容概述", max_length=2000, required=False, widget=_textarea(3)
    )


QUEUE_SHOW_CHOICES = [
    ("open", "全部在办"),
    ("pending", "待确认"),
    ("processing", "办理中"),
    ("awaiting_correction", "待补正"),
    ("consulting", "征求意见中"),
    ("awaiting_payment", "待缴费"),
    ("due_soon", "即将到期"),
    ("due_today", "今天到期"),
    ("overdue", "已逾期"),
    ("extension_pending", "待审批延期"),
    ("mine", "我承办的"),
    ("closed", "已办结"),
]


class QueueFilterForm(SiteMessagesMixin, forms.Form):
    show = forms.ChoiceField(label="显示", choices=QUEUE_SHOW_CHOICES, required=False)
    q = SafeCharField(label="申请编号", max_length=40, required=False)
