"""依申请公开: information requests, their handling steps and append-only history.

Nothing here changes a request's state: every step is a service in
``requests_app.services`` (one path to each state, a lock, an event). Models hold
data, database invariants (CheckConstraints, UNIQUE), small derived facts and labels.

Personal data (证件号码, phone, address) is stored only encrypted (``*_encrypted``,
AES-GCM, see ``requests_app.crypto``), with a masked copy for lists (``*_masked``)
and, for the ID number, an HMAC for duplicate lookup (``id_number_hmac``). Only
``services.request_reveal_pii`` decrypts, and it logs a ``PiiAccessLog`` row.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from portal.models import Agency
from requests_app.outcomes import ApplicantKind, Outcome


def _values(choices: type[models.TextChoices]) -> list[str]:
    return [c.value for c in choices]


# --- Choices ------------------------------------------------------------------------


class Channel(models.TextChoices):
    """How the application arrived (条例 第三十一条 decides the receipt date per channel)."""

    ONLINE = "online", "网上申请"
    IN_PERSON = "in_person", "当面提交"
    POST_SIGNED = "post_signed", "邮寄（需签收）"
    POST_ORDINARY = "post_ordinary", "平常信函"
    FAX = "fax", "传真"
    EMAIL = "email", "电子邮件"


class Status(models.TextChoices):
    PENDING = "pending", "待确认"
    PROCESSING = "processing", "办理中"
    AWAITING_CORRECTION = "awaiting_correction", "待补正"
    CONSULTING = "consulting", "征求意见中"
    AWAITING_PAYMENT = "awaiting_payment", "待缴费"
    REPLIED = "replied", "已答复"
    ARCHIVED = "archived", "已归档"
    WITHDRAWN = "withdrawn", "已撤回"
    ABANDONED = "abandoned", "视为放弃"


# Statuses of a request still being handled (carried over to next year if open on 12-31).
OPEN_STATUSES = (
    Status.PENDING,
    Status.PROCESSING,
    Status.AWAITING_CORRECTION,
    Status.CONSULTING,
    Status.AWAITING_PAYMENT,
)
_OPEN = [s.value for s in OPEN_STATUSES]
CLOSED_STATUSES = (Status.REPLIED, Status.ARCHIVED, Status.WITHDRAWN, Status.ABANDONED)
# Statuses in which the reply clock runs (due-soon / overdue apply). In 待补正 the clock
# restarts when the correction arrives; in 征求意见中 it is paused (条例 第三十三条第三款);
# in 待缴费 it is paused when settings.REQUESTS_FEE_NOTICE_PAUSES_CLOCK is on.
CLOCK_RUNNING_STATUSES = (Status.PROCESSING,)


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", "公民"
    ORGANISATION = "organisation", "法人或者其他组织"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    FOREIGN_PR = "foreign_pr", "外国人永久居留身份证"
    HMT_RESIDENCE = "hmt_residence", "港澳台居民居住证"
    HK_MACAO_PERMIT = "hk_macao_permit", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "taiwan_permit", "台湾居民来往大陆通行证"
    PASSPORT = "passport", "护照"
    OTHER = "other", "其他有效身份证件"


class ProvideForm(models.TextChoices):
    """所需信息的指定提供方式 (multi-select)."""

    PAPER = "paper", "纸面"
    EMAIL = "email", "电子邮件"
    CD = "cd", "光盘"
    DISK = "disk", "磁盘"


class DeliveryMethod(models.TextChoices):
    """获取信息的方式 (multi-select)."""

    POST = "post", "邮寄"
    EXPRESS = "express", "快递"
    EMAIL = "email", "电子邮件"
    FAX = "fax", "传真"
    PICKUP = "pickup", "自行领取/当场阅读、抄录"


class ExtensionStatus(models.TextChoices):
    NONE = "", "未申请"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class Source(models.TextChoices):
    ONLINE = "online", "网上提交"
    STAFF = "staff", "工作人员登记"
    IMPORT = "import", "历史数据导入"


# --- Counter ------------------------------------------------------------------------------


class TrackingCounter(models.Model):
    """Last tracking serial issued per year. Locked with ``select_for_update`` in the
    submission transaction, so serials are gapless and unique under any concurrency
    (security.md §6); ``InfoRequest`` keeps UNIQUE(year, serial) as the backstop."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    last = models.PositiveIntegerField("已发号", default=0)

    class Meta:
        verbose_name = "申请编号计数器"
        verbose_name_plural = "申请编号计数器"

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# --- The request --------------------------------------------------------------------------


class InfoRequestQuerySet(models.QuerySet):
    def open(self) -> InfoRequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self) -> InfoRequestQuerySet:
        return self.filter(status__in=CLOSED_STATUSES)

    def clock_running(self) -> InfoRequestQuerySet:
        return self.filter(
            status__in=CLOCK_RUNNING_STATUSES, reply_due_date__isnull=False
        )


class InfoRequest(models.Model):
    """One 政府信息公开申请 (one item of information per application)."""

    code = models.UUIDField(
        "内部编号",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="工作人员页面网址中使用；不对外公布。",
    )
    tracking_no = models.CharField(
        "申请编号",
        max_length=40,
        unique=True,
        help_text="例如 YSQ-2026-000123；只是编号，不能单独用来查询。",
    )
    year = models.PositiveSmallIntegerField(
        "编号年份", null=True, blank=True, editable=False
    )
    serial = models.PositiveIntegerField(
        "编号序号", null=True, blank=True, editable=False
    )
    query_code_hash = models.CharField(
        "查询码摘要",
        max_length=64,
        blank=True,
        editable=False,
        help_text="只保存查询码的 HMAC，查询码本身只在提交时显示一次。",
    )
    source = models.CharField(
        "来源", max_length=10, choices=Source.choices, default=Source.ONLINE
    )

    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="info_requests",
        verbose_name="受理机关",
    )
    channel = models.CharField("申请渠道", max_length=16, choices=Channel.choices)
    submitted_at = models.DateTimeField(
        "提交时间", help_text="申请人提交（或信件到达）的时间。"
    )
    received_date = models.DateField(
        "收到申请之日",
        null=True,
        blank=True,
        help_text="条例第三十一条确定的法定收到日期；待确认时为空。所有期限从此日起算（当日不计）。",
    )
    received_basis = models.CharField("收到日期依据", max_length=100, blank=True)
    arrived_date = models.DateField(
        "信件到达之日",
        null=True,
        blank=True,
        help_text="平常信函：信件实际到达本机关之日。条例第三十一条第（二）项要求当日与申请人确认；"
        "收到申请之日不晚于此日。",
    )
    confirmed_date = models.DateField(
        "双方确认之日",
        null=True,
        blank=True,
        help_text="网上、平常信函、传真、电子邮件：与申请人确认收到申请之日。",
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.PENDING
    )
    outcome = models.CharField(
        "办理结果",
        max_length=20,
        choices=Outcome.choices,
        blank=True,
        help_text="办结时确定，对应年度报告表三中的一行。",
    )
    closed_date = models.DateField(
        "办结日期",
        null=True,
        blank=True,
        help_text="答复、视为放弃或撤回之日；未办结时为空。",
    )
    replied_date = models.DateField("答复日期", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记人",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="确认人",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_info_requests",
        verbose_name="承办人",
    )

    # --- deadline (computed by requests_app.deadlines; never edited by hand) ---
    clock_start_date = models.DateField(
        "起算日",
        null=True,
        blank=True,
        help_text="答复期限从此日次日起算：收到申请之日，补正后为收到补正之日。",
    )
    reply_due_date = models.DateField("答复期限", null=True, blank=True)
    due_is_provisional = models.BooleanField(
        "期限为预计", default=False, help_text="期限涉及尚未公布节假日安排的年份。"
    )
    paused_workdays = models.PositiveSmallIntegerField(
        "征求意见不计入的工作日",
        default=0,
        help_text="条例第三十三条第三款：征求第三方和其他机关意见所需时间不计算在期限内。",
    )
    fee_paused_workdays = models.PositiveSmallIntegerField(
        "缴费期间不计入的工作日", default=0
    )
    is_extended = models.BooleanField("已延期", default=False)

    # --- applicant (条例 第二十九条; domain.md §2.8) ---
    applicant_type = models.CharField(
        "申请人类型", max_length=12, choices=ApplicantType.choices
    )
    applicant_kind = models.CharField(
        "申请人类别",
        max_length=16,
        choices=ApplicantKind.choices,
        help_text="年度报告表三的列：自然人或法人或其他组织的五类。",
    )
    applicant_name = models.CharField("姓名或名称", max_length=100, blank=True)
    work_unit = models.CharField("工作单位", max_length=100, blank=True)
    id_type = models.CharField(
        "证件类型", max_length=20, choices=IdType.choices, blank=True
    )
    id_number_encrypted = models.TextField(
        "证件号码（加密）", blank=True, editable=False
    )
    id_number_hmac = models.CharField(
        "证件号码摘要", max_length=64, blank=True, editable=False, db_index=True
    )
    id_number_masked = models.CharField(
        "证件号码", max_length=40, blank=True, editable=False
    )
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    contact_name = models.CharField("联系人姓名", max_length=50, blank=True)
    phone_encrypted = models.TextField("联系电话（加密）", blank=True, editable=False)
    phone_masked = models.CharField(
        "联系电话", max_length=40, blank=True, editable=False
    )
    address_encrypted = models.TextField("通信地址（加密）", blank=True, editable=False)
    address_masked = models.CharField(
        "通信地址", max_length=60, blank=True, editable=False
    )
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    fax = models.CharField("传真", max_length=30, blank=True)
    email = models.EmailField("电子邮箱", blank=True)

    # --- what is asked for ---
    description = models.TextField("所需信息的内容描述", max_length=2000)
    doc_title = models.CharField("所需信息的名称", max_length=200, blank=True)
    doc_number = models.CharField("文号", max_length=80, blank=True)
    doc_index_no = models.CharField("索引号", max_length=60, blank=True)
    provide_forms = ArrayField(
        models.CharField(max_length=10, choices=ProvideForm.choices),
        verbose_name="指定提供方式",
        default=list,
        blank=True,
    )
    delivery_methods = ArrayField(
        models.CharField(max_length=10, choices=DeliveryMethod.choices),
        verbose_name="获取信息的方式",
        default=list,
        blank=True,
    )
    accept_other_forms = models.BooleanField("也可接受其他方式", default=False)

    # --- 补正 (条例 第三十条): once, within 7 working days of receipt ---
    correction_asked_date = models.DateField("补正告知日期", null=True, blank=True)
    correction_due_date = models.DateField("补正期限", null=True, blank=True)
    correction_items = models.TextField("需要补正的事项", blank=True)
    correction_received_date = models.DateField("收到补正之日", null=True, blank=True)
    correction_text = models.TextField("补正内容", blank=True)

    # --- 延期 (条例 第三十三条第二款): once, ≤ 20 working days, 负责人同意 ---
    extension_status = models.CharField(
        "延期状态",
        max_length=10,
        choices=ExtensionStatus.choices,
        blank=True,
        default=ExtensionStatus.NONE,
    )
    extension_days = models.PositiveSmallIntegerField("延长工作日数", default=0)
    extension_reason = models.TextField("延期理由", blank=True)
    extension_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="延期申请人",
    )
    extension_requested_at = models.DateTimeField("延期申请时间", null=True, blank=True)
    extension_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="审批人",
    )
    extension_decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    extension_decision_note = models.CharField("审批意见", max_length=300, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = InfoRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "serial"], name="requests_inforequest_unique_serial"
            ),
            models.CheckConstraint(
                condition=Q(status__in=_values(Status)),
                name="requests_inforequest_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=_values(Channel)),
                name="requests_inforequest_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=_values(Source)),
                name="requests_inforequest_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=_values(Outcome)),
                name="requests_inforequest_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(applicant_kind__in=_values(ApplicantKind)),
                name="requests_inforequest_kind_valid",
            ),
            # 公民 are counted as 自然人; organisations in one of the five other columns
            models.CheckConstraint(
                condition=(Q(applicant_type="citizen") & Q(applicant_kind="natural"))
                | (Q(applicant_type="organisation") & ~Q(applicant_kind="natural")),
                name="requests_inforequest_type_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(extension_status__in=_values(ExtensionStatus)),
                name="requests_inforequest_extension_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(extension_days__lte=20),
                name="requests_inforequest_extension_max_20",
            ),
            models.CheckConstraint(
                condition=Q(is_extended=False) | Q(extension_status="approved"),
                name="requests_inforequest_extended_needs_approval",
            ),
            # only 待确认 may lack a legal receipt date (and what was withdrawn, then
            # archived, before it was ever confirmed: never received, never counted)
            models.CheckConstraint(
                condition=Q(status__in=["pending", "withdrawn", "archived"])
                | Q(received_date__isnull=False),
                name="requests_inforequest_received_date_set",
            ),
            # closed ⇔ outcome and closed_date set (withdrawn while 待确认 has no receipt date,
            # so it is never counted as received; it still gets OTHER and a closed date)
            models.CheckConstraint(
                condition=(
                    Q(status__in=_OPEN) & Q(outcome="") & Q(closed_date__isnull=True)
                )
                | (
                    ~Q(status__in=_OPEN) & ~Q(outcome="") & Q(closed_date__isnull=False)
                ),
                name="requests_inforequest_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(received_date__isnull=True)
                | Q(closed_date__isnull=True)
                | Q(closed_date__gte=models.F("received_date")),
                name="requests_inforequest_closed_after_received",
            ),
        ]
        indexes = [
            # staff queue: one agency, open statuses, ordered by due date
            models.Index(
                fields=["agency", "status", "reply_due_date"], name="requests_queue_idx"
            ),
            # annual report: received / closed per agency and year
            models.Index(
                fields=["agency", "received_date"], name="requests_received_idx"
            ),
            models.Index(fields=["agency", "closed_date"], name="requests_closed_idx"),
            # reminders and calendar recompute: open requests by due date
            models.Index(fields=["status", "reply_due_date"], name="requests_due_idx"),
        ]

    def __str__(self) -> str:
        return self.tracking_no

    # --- small derived facts ---
    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_organisation(self) -> bool:
        return self.applicant_type == ApplicantType.ORGANISATION

    @property
    def display_applicant(self) -> str:
        """Name for staff lists (never the ID number)."""
        return self.applicant_name or "（未填写）"

    @property
    def confirmation_late(self) -> bool:
        """平常信函 confirmed after the day the letter arrived (条例 第三十一条第（二）项
        asks for confirmation on the arrival day); the receipt date stays the arrival
        date."""
        from requests_app.deadlines import confirmation_is_late

        return confirmation_is_late(
            self.channel,
            arrived_date=self.arrived_date,
            confirmed_date=self.confirmed_date,
        )

    def is_overdue(self, today: date) -> bool:
        return (
            self.status in CLOCK_RUNNING_STATUSES
            and self.reply_due_date is not None
            and self.reply_due_date < today
        )

    def provide_form_labels(self) -> list[str]:
        return [
            ProvideForm(v).label for v in self.provide_forms if v in ProvideForm.values
        ]

    def delivery_method_labels(self) -> list[str]:
        return [
            DeliveryMethod(v).label
            for v in self.delivery_methods
            if v in DeliveryMethod.values
        ]


# --- Files ---------------------------------------------------------------------------


def request_file_upload_to(instance: RequestFile, filename: str) -> str:
    # random name, private storage; the original name is kept as metadata only
    return f"requests/{instance.kind}/{uuid.uuid4().hex}"


class FileKind(models.TextChoices):
    ID_PROOF = "id_proof", "身份证明"
    CORRECTION = "correction", "补正材料"
    REPLY = "reply", "答复文件"
    OTHER = "other", "其他材料"


class RequestFile(models.Model):
    """A file of a request: ID proof or correction material (from the applicant,
    stored encrypted) or a reply attachment (from staff). Never under a public URL:
    only access-checked views stream it through ``services.request_file_bytes``."""

    Kind = FileKind

    info_request = models.ForeignKey(
        InfoRequest, on_delete=models.CASCADE, related_name="files", verbose_name="申请"
    )
    reply = models.ForeignKey(
        "Reply",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name="答复",
    )
    letter = models.ForeignKey(
        "Letter",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name="文书",
        help_text="答复草稿的附件；签发后同时关联答复。",
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    file = models.FileField("文件", upload_to=request_file_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField(
        "SHA-256", max_length=64, blank=True, help_text="明文内容的摘要。"
    )
    encrypted = models.BooleanField("加密保存", default=False)
    is_public = models.BooleanField("申请人可见", default=False)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="上传人",
        help_text="空表示申请人上传。",
    )

    class Meta:
        verbose_name = "申请文件"
        verbose_name_plural = "申请文件"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=_values(FileKind)),
                name="requests_requestfile_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reply")
                | Q(reply__isnull=False)
                | Q(letter__isnull=False),
                name="requests_requestfile_reply_has_reply",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


# --- Consultation (条例 第三十二条 / 第三十四条) -------------------------------------------


class PartyType(models.TextChoices):
    THIRD_PARTY = "third_party", "第三方（第三十二条）"
    OTHER_AGENCY = "other_agency", "其他行政机关（第三十四条）"


class Consultation(models.Model):
    PartyType = PartyType

    info_request = models.ForeignKey(
        InfoRequest,
        on_delete=models.CASCADE,
        related_name="consultations",
        verbose_name="申请",
    )
    party_type = models.CharField(
        "征求对象类型", max_length=12, choices=PartyType.choices
    )
    party_name = models.CharField("征求对象", max_length=200)
    sent_date = models.DateField("发出征求意见之日")
    party_received_date = models.DateField(
        "对方收到征求意见书之日",
        null=True,
        blank=True,
        help_text="条例第三十二条、第三十四条：对方自收到征求意见书之日起 15 个工作日内提出意见。",
    )
    due_date = models.DateField(
        "对方提出意见的期限",
        help_text="对方收到征求意见书之日起 15 个工作日（当日不计）；尚未登记收到日期时按发出之日计算。",
    )
    replied_date = models.DateField("收到意见之日", null=True, blank=True)
    paused_workdays = models.PositiveSmallIntegerField(
        "不计入的工作日",
        default=0,
        help_text="发出次日至收到意见之日的工作日，不超过对方收到征求意见书后的 15 个工作日。",
    )
    opinion = models.TextField("意见摘要", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="经办人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["sent_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(party_type__in=_values(PartyType)),
                name="requests_consultation_party_valid",
            ),
            models.CheckConstraint(
                condition=Q(party_received_date__isnull=True)
                | Q(party_received_date__gte=models.F("sent_date")),
                name="requests_consultation_received_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(replied_date__isnull=True)
                | Q(replied_date__gte=models.F("sent_date")),
                name="requests_consultation_dates_ordered",
            ),
            # one open consultation at a time per request
            models.UniqueConstraint(
                fields=["info_request"],
                condition=Q(replied_date__isnull=True),
                name="requests_consultation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_name} {self.sent_date}"


# --- 信息处理费 (条例 第四十二条; 国办函〔2020〕109号) ----------------------------------------


class FeeMethod(models.TextChoices):
    BY_ITEM = "by_item", "按件计收"
    BY_VOLUME = "by_volume", "按量计收"


class FeeNotice(models.Model):
    """A 收费通知. The applicant pays within ``REQUESTS_FEE_PAYMENT_WORKDAYS`` (20)
    working days from the day after they **receive** it (its letter's 送达 date:
    online the day it is issued, by post the recorded receipt); otherwise the request
    is closed as 逾期未缴费 (表三（六）2). ``pay_by_date`` is empty until the
    delivery is known (docs/requests.md "Fees")."""

    info_request = models.ForeignKey(
        InfoRequest,
        on_delete=models.CASCADE,
        related_name="fee_notices",
        verbose_name="申请",
    )
    method = models.CharField("计费方式", max_length=10, choices=FeeMethod.choices)
    quantity = models.PositiveIntegerField(
        "件数或页数",
        help_text="按件：本申请人当月累计第几件；按量：页数（电子数据折算页数）。",
    )
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    basis = models.TextField("收费依据及说明", blank=True)
    issued_date = models.DateField("发出日期")
    letter = models.OneToOneField(
        "Letter",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fee_notice",
        verbose_name="收费通知书",
    )
    delivered_date = models.DateField(
        "送达日期",
        null=True,
        blank=True,
        help_text="申请人收到收费通知之日；缴费期限自次日起计算。",
    )
    pay_by_date = models.DateField(
        "缴费期限",
        null=True,
        blank=True,
        help_text="送达后计算：自送达次日起的第 20 个工作日（含当日）。",
    )
    paid_date = models.DateField("缴费日期", null=True, blank=True)
    waived = models.BooleanField("已免收", default=False)
    waived_date = models.DateField("免收日期", null=True, blank=True)
    expired_date = models.DateField("逾期日期", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="经办人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "收费通知"
        verbose_name_plural = "收费通知"
        ordering = ["issued_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=_values(FeeMethod)),
                name="requests_feenotice_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="requests_feenotice_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(pay_by_date__isnull=True)
                | Q(pay_by_date__gt=models.F("issued_date")),
                name="requests_feenotice_dates_ordered",
            ),
            # delivered on or after issue; a known delivery has its pay-by date
            models.CheckConstraint(
                condition=Q(delivered_date__isnull=True)
                | (
                    Q(delivered_date__gte=models.F("issued_date"))
                    & Q(pay_by_date__gt=models.F("delivered_date"))
                ),
                name="requests_feenotice_delivery_ordered",
            ),
            # settled at most one way: paid, waived or expired
            models.CheckConstraint(
                condition=(Q(paid_date__isnull=True) & Q(waived=False))
                | (Q(paid_date__isnull=True) & Q(expired_date__isnull=True))
                | (Q(waived=False) & Q(expired_date__isnull=True)),
                name="requests_feenotice_settled_once",
            ),
            models.CheckConstraint(
                condition=Q(waived=False, waived_date__isnull=True)
                | Q(waived=True, waived_date__isnull=False),
                name="requests_feenotice_waived_has_date",
            ),
            models.UniqueConstraint(
                fields=["info_request"],
                condition=Q(paid_date__isnull=True)
                & Q(waived=False)
                & Q(expired_date__isnull=True),
                name="requests_feenotice_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} 元"

    @property
    def is_open(self) -> bool:
        return self.paid_date is None and not self.waived and self.expired_date is None

    @property
    def state_label(self) -> str:
        if self.paid_date:
            return "已缴费"
        if self.waived:
            return "已免收"
        if self.expired_date:
            return "逾期未缴费"
        return "待缴费"


# --- Reply ---------------------------------------------------------------------------------


class ReplyTemplate(models.Model):
    """Editable 告知书 template per outcome. Placeholders in braces are filled by
    ``services.render_reply_letter``; an unknown placeholder is refused (letters)."""

    outcome = models.CharField("办理结果", max_length=20, choices=Outcome.choices)
    ground = models.CharField(
        "法定情形",
        max_length=30,
        blank=True,
        default="",
        help_text="一个法定情形一个模板（requests_app.letters.GROUNDS），例如 "
        "not_exist（第三十六条第（四）项）与 not_ours（第（五）项）分开。",
    )
    title = models.CharField(
        "文书名称", max_length=50, help_text="例如：政府信息公开告知书"
    )
    body = models.TextField(
        "正文模板",
        help_text="只写正文（称谓、复议诉讼告知、落款和日期由系统生成）。可用占位符："
        "{称谓}（您/你单位） {申请人} {申请编号} {收到日期} {申请内容} {机关名称} "
        "{答复日期} {获取途径} {信息标题} {信息网址} {其他机关} {其他机关联系方式} {理由}；"
        "其他占位符在保存时被拒绝。",
    )
    legal_basis = models.CharField(
        "法律依据",
        max_length=200,
        help_text="例如：《中华人民共和国政府信息公开条例》第三十六条第（二）项",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="修改人",
    )

    class Meta:
        verbose_name = "告知书模板"
        verbose_name_plural = "告知书模板"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=_values(Outcome)),
                name="requests_replytemplate_outcome_valid",
            ),
            # one template per legal ground (render_reply_letter looks it up)
            models.UniqueConstraint(
                fields=["ground"],
                condition=~Q(ground=""),
                name="requests_replytemplate_ground_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} · {self.title}"


class Reply(models.Model):
    """The reply (答复) sent to the applicant: outcome, 告知书 text, files, and for
    already-published information a link to the catalog notice."""

    info_request = models.ForeignKey(
        InfoRequest,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name="申请",
    )
    outcome = models.CharField("办理结果", max_length=20, choices=Outcome.choices)
    title = models.CharField("文书名称", max_length=50)
    letter_text = models.TextField("告知书正文")
    notice = models.ForeignKey(
        "catalog.Notice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request_replies",
        verbose_name="已主动公开的信息",
    )
    sent_at = models.DateTimeField("答复时间")
    replied_date = models.DateField("答复日期")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="答复人",
    )

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["sent_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=_values(Outcome)),
                name="requests_reply_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.replied_date}"


# --- Letters (文书) --------------------------------------------------------------------


class LetterKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理回执"
    CORRECTION = "correction", "补正通知"
    EXTENSION = "extension", "延期告知"
    CONSULTATION = "consultation", "征求意见函"
    FEE = "fee", "收费通知"
    REPLY = "reply", "答复告知书"


class ProceduralTemplate(models.Model):
    """Editable text of a procedural letter (受理回执, 补正通知, 延期告知, 征求意见函,
    收费通知), one per kind; the default is ``letters.PROCEDURAL``. Placeholders are
    checked by the same ``letters.template_problems`` as the reply templates."""

    kind = models.CharField(
        "文书类型", max_length=12, choices=LetterKind.choices, unique=True
    )
    title = models.CharField("文书名称", max_length=50)
    legal_basis = models.CharField("法律依据", max_length=200)
    body = models.TextField(
        "正文模板",
        help_text="只写正文（称谓、落款和日期由系统生成）。可用占位符见"
        "“可用占位符”；其他占位符在保存时被拒绝。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="修改人",
    )

    class Meta:
        verbose_name = "程序性文书模板"
        verbose_name_plural = "程序性文书模板"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "acceptance",
                        "correction",
                        "extension",
                        "consultation",
                        "fee",
                    ]
                ),
                name="requests_proceduraltemplate_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return self.title


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待签发"
    SENT = "sent", "已签发"


class MaterialKind(models.TextChoices):
    """How a 予以公开/部分公开 reply delivers what it promises."""

    NONE = "", "无"
    ATTACHMENT = "attachment", "随告知书附件提供"
    NOTICE = "notice", "已主动公开（链接）"
    POST = "post", "另行邮寄"
    ON_SITE = "on_site", "当场阅读、抄录"


class LetterDelivery(models.TextChoices):
    ONLINE = "online", "网上"
    EMAIL = "email", "电子邮件"
    EMS = "ems", "EMS"
    IN_PERSON = "in_person", "当面"


class LetterCounter(models.Model):
    """Last 文号 serial per agency and year, locked at 签发 (gapless, like 索引号)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", verbose_name="机关"
    )
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("已发号", default=0)

    class Meta:
        verbose_name = "文号计数器"
        verbose_name_plural = "文号计数器"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"], name="requests_lettercounter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}: {self.last}"


class Letter(models.Model):
    """A letter in the agency's name to the applicant or a third party. Drafted by
    the handler, 签发 by an approver (never the drafter), numbered at 签发 from
    ``Agency.letter_number_template``. Only ``requests_app`` services write it."""

    Kind = LetterKind
    Status = LetterStatus

    info_request = models.ForeignKey(
        InfoRequest,
        on_delete=models.CASCADE,
        related_name="letters",
        verbose_name="申请",
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="落款机关"
    )
    kind = models.CharField("文书类型", max_length=12, choices=LetterKind.choices)
    status = models.CharField(
        "状态",
        max_length=8,
        choices=LetterStatus.choices,
        default=LetterStatus.DRAFT,
    )
    number = models.CharField("文号", max_length=60, blank=True)
    number_year = models.PositiveSmallIntegerField("文号年份", null=True, blank=True)
    number_serial = models.PositiveIntegerField("文号序号", null=True, blank=True)
    title = models.CharField("标题", max_length=50)
    salutation = models.CharField("称谓", max_length=200)
    body = models.TextField("正文")
    remedy = models.TextField("救济途径告知", blank=True)
    letter_date = models.DateField("成文日期", null=True, blank=True)
    # reply letters
    outcome = models.CharField(
        "办理结果", max_length=20, choices=Outcome.choices, blank=True
    )
    ground = models.CharField("法定情形", max_length=30, blank=True)
    reason = models.TextField("理由", blank=True)
    other_agency = models.CharField("负责公开的机关", max_length=100, blank=True)
    other_agency_contact = models.CharField(
        "该机关联系方式", max_length=200, blank=True
    )
    # 第三十六条第（五）项: the agency is named only "能够确定…的"; otherwise why not
    other_agency_undetermined = models.TextField("无法确定负责机关的说明", blank=True)
    notice = models.ForeignKey(
        "catalog.Notice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="已主动公开的信息",
    )
    material_kind = models.CharField(
        "提供方式", max_length=10, choices=MaterialKind.choices, blank=True
    )
    material_date = models.DateField("邮寄或阅读日期", null=True, blank=True)
    # 签发
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="起草人",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="签发人",
        help_text="空表示按本机关设置由承办人直接发出的予以公开答复。",
    )
    review_comment = models.TextField("退回意见", blank=True)
    created_at = models.DateTimeField("起草时间")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    sent_at = models.DateTimeField("签发时间", null=True, blank=True)
    reply = models.OneToOneField(
        Reply,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letter",
        verbose_name="答复",
    )
    event = models.ForeignKey(
        "RequestEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="所属办理记录",
    )
    # 送达
    delivery_method = models.CharField(
        "送达方式", max_length=10, choices=LetterDelivery.choices, blank=True
    )
    delivery_number = models.CharField("EMS 单号", max_length=30, blank=True)
    delivered_date = models.DateField("送达日期", null=True, blank=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=_values(LetterKind)),
                name="requests_letter_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=_values(LetterStatus)),
                name="requests_letter_status_valid",
            ),
            # a sent letter has its 文号 and date; an unsent one has neither
            models.CheckConstraint(
                condition=(
                    Q(status="sent")
                    & ~Q(number="")
                    & Q(number_serial__isnull=False)
                    & Q(letter_date__isnull=False)
                    & Q(sent_at__isnull=False)
                )
                | (~Q(status="sent") & Q(number="") & Q(number_serial__isnull=True)),
                name="requests_letter_sent_numbered",
            ),
            # the 文号 is gapless and unique per agency and year (backstop of the counter)
            models.UniqueConstraint(
                fields=["agency", "number_year", "number_serial"],
                condition=Q(number_serial__isnull=False),
                name="requests_letter_number_once",
            ),
            models.CheckConstraint(
                condition=~Q(delivery_method="ems") | ~Q(delivery_number=""),
                name="requests_letter_ems_has_number",
            ),
            # one reply letter in the making per request (draft or waiting for 签发)
            models.UniqueConstraint(
                fields=["info_request"],
                condition=Q(kind="reply", status__in=["draft", "pending"]),
                name="requests_letter_one_open_reply",
            ),
        ]
        indexes = [
            # workbench: letters waiting for 签发 / for post, per agency
            models.Index(fields=["agency", "status"], name="requests_letter_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.number or self.get_status_display()} {self.title}"

    @property
    def paragraphs(self) -> list[str]:
        parts = [p.strip() for p in self.body.split("\n") if p.strip()]
        if self.remedy.strip():
            parts.append(self.remedy.strip())
        return parts


# --- Notes, events, logs ---------------------------------------------------------------


class InternalNote(models.Model):
    """A staff note on a request. Never shown to the applicant."""

    info_request = models.ForeignKey(
        InfoRequest, on_delete=models.CASCADE, related_name="notes", verbose_name="申请"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="作者",
    )
    text = models.TextField("内容", max_length=2000)
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "内部备注"
        verbose_name_plural = "内部备注"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "提交申请"
    REGISTERED = "registered", "登记申请"
    CONFIRMED = "confirmed", "确认受理"
    ASSIGNED = "assigned", "分配承办人"
    CORRECTION_ASKED = "correction_asked", "告知补正"
    CORRECTION_RECEIVED = "correction_received", "收到补正"
    CORRECTION_EXPIRED = "correction_expired", "逾期未补正"
    CONSULTATION_STARTED = "consultation_started", "征求意见"
    CONSULTATION_ENDED = "consultation_ended", "收到意见"
    EXTENSION_REQUESTED = "extension_requested", "申请延期"
    EXTENSION_APPROVED = "extension_approved", "延期获批"
    EXTENSION_REJECTED = "extension_rejected", "延期未获批"
    FEE_NOTICE_SENT = "fee_notice_sent", "发出收费通知"
    FEE_PAID = "fee_paid", "已缴费"
    FEE_WAIVED = "fee_waived", "免收费用"
    FEE_EXPIRED = "fee_expired", "逾期未缴费"
    REPLIED = "replied", "答复"
    WITHDRAWN = "withdrawn", "撤回申请"
    ARCHIVED = "archived", "归档"
    NOTE_ADDED = "note_added", "添加备注"
    PII_REVEALED = "pii_revealed", "查看完整个人信息"
    DEADLINE_RECOMPUTED = "deadline_recomputed", "重新计算期限"
    NOTICE_DRAFTED = "notice_drafted", "转为主动公开草稿"
    IMPORTED = "imported", "导入"
    LOOKUP_GUESSING = "lookup_guessing", "查询码多次输错"
    QUERY_CODE_REISSUED = "query_code_reissued", "重新发送查询码"
    LETTER_DRAFTED = "letter_drafted", "起草文书"
    LETTER_SUBMITTED = "letter_submitted", "提交签发"
    LETTER_RETURNED = "letter_returned", "退回修改"
    LETTER_APPROVED = "letter_approved", "审核同意"
    LETTER_SENT = "letter_sent", "签发文书"
    LETTER_DELIVERED = "letter_delivered", "文书送达"


class RequestEvent(models.Model):
    """Append-only history of a request: who, when, what, why. ``is_public`` events
    make the applicant's timeline; the rest are for staff. Rows are never updated or
    deleted (a database trigger refuses UPDATE and DELETE)."""

    Kind = EventKind

    info_request = models.ForeignKey(
        InfoRequest,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name="申请",
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
        help_text="空表示申请人或系统。",
    )
    actor_label = models.CharField(
        "操作人说明", max_length=50, blank=True, help_text="例如：申请人、系统"
    )
    kind = models.CharField("事项", max_length=24, choices=Kind.choices)
    is_public = models.BooleanField("申请人可见", default=False)
    note = models.TextField(
        "说明", blank=True, help_text="申请人可见的事项只写可以告诉申请人的内容。"
    )
    data = models.JSONField(
        "数据",
        default=dict,
        blank=True,
        help_text="日期等结构化数据；不含证件号码、查询码。",
    )

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["info_request", "at"], name="requests_event_req_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=_values(EventKind)),
                name="requests_requestevent_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    @property
    def who(self) -> str:
        if self.actor_id:
            user = self.actor
            return (user.get_full_name() or user.get_username()) if user else ""
        return self.actor_label


class PiiAccessLog(models.Model):
    """Audit row for every unmasked view of an applicant's personal data (append-only)."""

    info_request = models.ForeignKey(
        InfoRequest,
        on_delete=models.PROTECT,
        related_name="pii_access_logs",
        verbose_name="申请",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="查看人",
    )
    at = models.DateTimeField("时间")
    reason = models.CharField("查看原因", max_length=200)
    fields = ArrayField(
        models.CharField(max_length=20), verbose_name="查看的字段", default=list
    )

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.info_request_id}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"
    UNCONFIRMED = "pending", "待确认"


class ReminderLog(models.Model):
    """Which deadline reminder went to whom. The UNIQUE constraint is the claim: a run
    inserts the row before sending, so two runs never send the same reminder."""

    Kind = ReminderKind

    info_request = models.ForeignKey(
        InfoRequest,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name="申请",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="收件人",
    )
    kind = models.CharField("提醒类型", max_length=10, choices=Kind.choices)
    due_date = models.DateField("针对的期限")
    claimed_at = models.DateTimeField("认领时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "到期提醒记录"
        verbose_name_plural = "到期提醒记录"
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["info_request", "recipient", "kind", "due_date"],
                name="requests_reminderlog_once",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=_values(ReminderKind)),
                name="requests_reminderlog_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.info_request_id} {self.kind} {self.due_date}"


class ReplyTemplateVersion(models.Model):
    """Every saved version of a 告知书 template (edited in the admin): who saved it,
    when, what changed ([before, after]) and the full text after the save, so a letter
    sent on any day can be traced to the template it was made from."""

    template = models.ForeignKey(
        ReplyTemplate,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name="告知书模板",
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="修改人",
    )
    changes = models.JSONField("变更内容", default=dict, blank=True)
    values = models.JSONField("保存后的内容", default=dict)

    class Meta:
        verbose_name = "告知书模板修改记录"
        verbose_name_plural = "告知书模板修改记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.template_id} {self.at:%Y-%m-%d %H:%M}"


class ProceduralTemplateVersion(models.Model):
    """Every saved version of a procedural letter template (受理回执, 补正通知, 延期告知,
    征求意见函, 收费通知), kept by ``procedural_template_update`` like
    ``ReplyTemplateVersion``: who, when, each changed field as [before, after] and the
    full text after the save."""

    template = models.ForeignKey(
        ProceduralTemplate,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name="程序性文书模板",
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="修改人",
    )
    changes = models.JSONField("变更内容", default=dict, blank=True)
    values = models.JSONField("保存后的内容", default=dict)

    class Meta:
        verbose_name = "程序性文书模板修改记录"
        verbose_name_plural = "程序性文书模板修改记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.template_id} {self.at:%Y-%m-%d %H:%M}"
