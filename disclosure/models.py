"""The annual report (政府信息公开工作年度报告) and the 复议/诉讼 register behind table 四.

A report is one row per agency and year: the working draft (narratives, the few
manual cells of table 二, optional section 六 fee figures) and its workflow status.
Every publication freezes an immutable ``AnnualReportVersion`` (numbers and text);
a correction publishes the next version with its 更正说明. Every state change goes
through ``disclosure.services`` and writes an append-only ``AnnualReportEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from disclosure import layout
from portal.models import Agency


class AnnualReportQuerySet(models.QuerySet):
    def published(self) -> AnnualReportQuerySet:
        """What the public sees: reports with at least one published version.

        A report under correction stays public with its latest published version.
        """
        return self.filter(current_version__gt=0)

    def of_agency(self, agency_id: int) -> AnnualReportQuerySet:
        return self.filter(agency_id=agency_id)


class AnnualReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        REVIEW = "review", "待审核"
        APPROVED = "approved", "已审核"
        PUBLISHED = "published", "已发布"

    class Layout(models.TextChoices):
        FORMAT_2021 = "2021", "国办公开办函〔2021〕30号格式"
        LEGACY = "legacy", "历史年报（仅文本）"

    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="annual_reports",
        verbose_name="机关",
    )
    year = models.PositiveSmallIntegerField(
        "年度", help_text="报告所述年度（1月1日至12月31日）"
    )
    layout = models.CharField(
        "格式",
        max_length=8,
        choices=Layout.choices,
        default=Layout.FORMAT_2021,
        help_text="历史年报只保存原文，不含统计表。",
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    # Table 二: the cells the admin types in (blank = not yet entered, shown as 0)
    licensing_count = models.PositiveIntegerField(
        "行政许可 本年处理决定数量", null=True, blank=True
    )
    penalty_count = models.PositiveIntegerField(
        "行政处罚 本年处理决定数量", null=True, blank=True
    )
    coercion_count = models.PositiveIntegerField(
        "行政强制 本年处理决定数量", null=True, blank=True
    )
    fee_amount = models.DecimalField(
        "行政事业性收费 本年收费金额（万元）",
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="单位：万元，最多 4 位小数。",
    )

    # Six sections (narrative); a legacy report keeps its whole original text in overview
    section_overview = models.TextField("一、总体情况", blank=True)
    section_active = models.TextField("二、主动公开政府信息情况", blank=True)
    section_requests = models.TextField(
        "三、收到和处理政府信息公开申请情况", blank=True
    )
    section_appeals = models.TextField(
        "四、政府信息公开行政复议、行政诉讼情况", blank=True
    )
    section_problems = models.TextField("五、存在的主要问题及改进情况", blank=True)
    section_other = models.TextField("六、其他需要报告的事项", blank=True)

    # Section 六, 信息处理费 (国办函〔2020〕109号): blank = use the portal's 收费通知 records
    fee_notice_count = models.PositiveIntegerField(
        "发出收费通知件数",
        null=True,
        blank=True,
        help_text="留空则按本平台的收费通知记录统计。",
    )
    fee_notified_amount = models.DecimalField(
        "收费通知总金额（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="留空则按本平台的收费通知记录统计。",
    )
    fee_collected_amount = models.DecimalField(
        "实际收取金额（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="留空则按本平台的缴费记录统计。",
    )

    review_comment = models.TextField(
        "退回意见", blank=True, help_text="审核人最近一次退回修改的意见。"
    )
    index_number = models.CharField(
        "索引号",
        max_length=60,
        null=True,
        blank=True,
        unique=True,
        help_text="首次发布时生成，更正时不变；历史年报保留原索引号。",
    )
    first_published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # the report's entry in the 政府信息公开目录 (same 索引号), so that catalog search, lists
    # and the 索引号 find it; made and kept up to date by disclosure.services at publication
    notice = models.OneToOneField(
        "catalog.Notice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="目录条目",
        help_text="发布时在政府信息公开目录中登记的条目（索引号相同）。",
    )
    current_version = models.PositiveSmallIntegerField(
        "已发布版本", default=0, help_text="0 表示尚未发布；更正后递增。"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        verbose_name = "政府信息公开工作年度报告"
        verbose_name_plural = "政府信息公开工作年度报告"
        ordering = ["-year", "agency__sort_order", "agency_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"],
                name="disclosure_annualreport_one_per_agency_year",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "approved", "published"]),
                name="disclosure_annualreport_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(layout__in=["2021", "legacy"]),
                name="disclosure_annualreport_layout_valid",
            ),
            models.CheckConstraint(
                condition=Q(fee_amount__isnull=True) | Q(fee_amount__gte=0),
                name="disclosure_annualreport_fee_non_negative",
            ),
            models.CheckConstraint(
                condition=(
                    Q(fee_notified_amount__isnull=True) | Q(fee_notified_amount__gte=0)
                )
                & (
                    Q(fee_collected_amount__isnull=True)
                    | Q(fee_collected_amount__gte=0)
                ),
                name="disclosure_annualreport_fee_figures_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(current_version=0)
                | (Q(index_number__isnull=False) & Q(first_published_at__isnull=False)),
                name="disclosure_annualreport_published_has_index_number",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(current_version__gt=0),
                name="disclosure_annualreport_published_has_version",
            ),
        ]
        indexes = [
            # public 年报 column: published reports newest year first
            models.Index(
                fields=["-year", "current_version"], name="disclosure_report_year_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("disclosure:report_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return layout.report_title(self.agency.name, self.year)

    @property
    def is_legacy(self) -> bool:
        return self.layout == self.Layout.LEGACY

    @property
    def is_published(self) -> bool:
        return self.current_version > 0

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def section_texts(self) -> dict[str, str]:
        return {key: getattr(self, f"section_{key}") for key in layout.SECTION_KEYS}


class AnnualReportVersion(models.Model):
    """A published version: frozen numbers and text. Never changed after insert."""

    report = models.ForeignKey(
        AnnualReport,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name="年度报告",
    )
    number = models.PositiveSmallIntegerField("版本")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="发布人",
    )
    correction_note = models.TextField(
        "更正说明", blank=True, help_text="第 2 版起必填：更正了什么、为什么。"
    )
    snapshot = models.JSONField(
        "发布内容", help_text="发布时冻结的数字和文本，之后的数据变化不影响它。"
    )

    class Meta:
        verbose_name = "年度报告发布版本"
        verbose_name_plural = "年度报告发布版本"
        ordering = ["report_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"],
                name="disclosure_annualreportversion_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="disclosure_annualreportversion_number_positive",
            ),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(correction_note=""),
                name="disclosure_annualreportversion_correction_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} 第{self.number}版"

    def get_absolute_url(self) -> str:
        return reverse("disclosure:report_version", args=[self.report_id, self.number])


class AnnualReportEvent(models.Model):
    """Append-only history of a report: who did what, when, and why."""

    class Action(models.TextChoices):
        CREATED = "created", "创建"
        UPDATED = "updated", "修改"
        SUBMITTED = "submitted", "提交审核"
        SENT_BACK = "sent_back", "退回修改"
        APPROVED = "approved", "审核通过"
        PUBLISHED = "published", "发布"
        CORRECTION_STARTED = "correction", "发起更正"
        IMPORTED = "imported", "导入历史年报"
        CATALOGUED = "catalogued", "登记到目录"

    report = models.ForeignKey(
        AnnualReport, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    comment = models.TextField("意见/说明", blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "年度报告记录"
        verbose_name_plural = "年度报告记录"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    action__in=[
                        "created",
                        "updated",
                        "submitted",
                        "sent_back",
                        "approved",
                        "published",
                        "correction",
                        "imported",
                        "catalogued",
                    ]
                ),
                name="disclosure_annualreportevent_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class AppealCase(models.Model):
    """A 行政复议 or 行政诉讼 about the agency's information disclosure (table 四)."""

    class Kind(models.TextChoices):
        RECONSIDERATION = "reconsideration", "行政复议"
        LITIGATION_DIRECT = "litigation_direct", "行政诉讼（未经复议直接起诉）"
        LITIGATION_AFTER = "litigation_after", "行政诉讼（复议后起诉）"

    class Result(models.TextChoices):
        UPHELD = "upheld", "维持"
        CORRECTED = "corrected", "纠正"
        OTHER = "other", "其他"
        PENDING = "pending", "尚未审结"

    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="appeal_cases",
        verbose_name="被申请/被诉机关",
    )
    info_request = models.ForeignKey(
        "requests_app.InfoRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeal_cases",
        verbose_name="相关申请",
        help_text="已知时关联本平台的政府信息公开申请。",
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    case_number = models.CharField(
        "案号", max_length=80, blank=True, help_text="例如：（2025）湘0211行初12号"
    )
    filed_year = models.PositiveSmallIntegerField("申请/立案年度")
    filed_date = models.DateField(
        "申请/立案日期", null=True, blank=True, help_text="不清楚具体日期时可只填年度。"
    )
    result = models.CharField(
        "结果", max_length=10, choices=Result.choices, default=Result.PENDING
    )
    decided_date = models.DateField(
        "审结日期", null=True, blank=True, help_text="作出复议决定或裁判的日期。"
    )
    note = models.TextField("备注", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "行政复议、行政诉讼案件"
        verbose_name_plural = "行政复议、行政诉讼案件"
        ordering = ["-filed_year", "-filed_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "reconsideration",
                        "litigation_direct",
                        "litigation_after",
                    ]
                ),
                name="disclosure_appealcase_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(result__in=["upheld", "corrected", "other", "pending"]),
                name="disclosure_appealcase_result_valid",
            ),
            models.CheckConstraint(
                condition=(Q(result="pending") & Q(decided_date__isnull=True))
                | (~Q(result="pending") & Q(decided_date__isnull=False)),
                name="disclosure_appealcase_decided_iff_result",
            ),
            models.CheckConstraint(
                condition=Q(filed_date__isnull=True)
                | Q(decided_date__isnull=True)
                | Q(decided_date__gte=models.F("filed_date")),
                name="disclosure_appealcase_dates_ordered",
            ),
        ]
        indexes = [
            # table 四 of one agency and year: cases filed by the year's end
            models.Index(
                fields=["agency", "filed_year"], name="disclosure_appeal_agency_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_number or self.filed_year}"


class AppealCaseEvent(models.Model):
    """Append-only history of a 复议/诉讼 case: it feeds table 四 of the annual report,
    so every registration and change is kept with who made it and what it changed."""

    class Action(models.TextChoices):
        CREATED = "created", "登记"
        UPDATED = "updated", "修改"

    case = models.ForeignKey(
        AppealCase, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "复议、诉讼案件记录"
        verbose_name_plural = "复议、诉讼案件记录"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["created", "updated"]),
                name="disclosure_appealcaseevent_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class ExternalLink(models.Model):
    """An external link found in a published notice's body and the result of its last
    check by ``python manage.py check_links``; a failing one is a compliance finding."""

    notice = models.ForeignKey(
        "catalog.Notice",
        on_delete=models.CASCADE,
        related_name="external_links",
        verbose_name="政府信息",
    )
    url = models.URLField("链接", max_length=1000)
    host = models.CharField("主机", max_length=255)
    ok = models.BooleanField("可访问", default=True)
    status_code = models.PositiveSmallIntegerField("HTTP 状态", null=True, blank=True)
    error = models.CharField("问题", max_length=200, blank=True)
    checked_at = models.DateTimeField("检查时间")

    class Meta:
        verbose_name = "外部链接检查"
        verbose_name_plural = "外部链接检查"
        ordering = ["notice_id", "url"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "url"], name="disclosure_externallink_unique"
            ),
        ]
        indexes = [models.Index(fields=["ok"], name="disclosure_extlink_ok_idx")]

    def __str__(self) -> str:
        return self.url


class ComplianceMailLog(models.Model):
    """Which weekly compliance e-mail went to whom. The UNIQUE constraint is the claim
    (like ``requests_app.ReminderLog``): a second run in the same week sends nothing."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", verbose_name="机关"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="收件人",
    )
    week = models.DateField("所在周（周一）")
    findings = models.PositiveIntegerField("问题数", default=0)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "合规周报发送记录"
        verbose_name_plural = "合规周报发送记录"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "recipient", "week"],
                name="disclosure_compliancemail_once_a_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.recipient_id} {self.week}"
