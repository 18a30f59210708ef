"""Shared core: agencies (机关/部门), staff membership, site identity, work calendar."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from portal.validators import (
    validate_letter_number_template,
    validate_org_code,
    validate_site_code,
)


class Agency(models.Model):
    """A 行政机关: the 区人民政府, one of its 部门, or a 乡镇/街道."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "人民政府"
        DEPARTMENT = "department", "政府部门"
        TOWNSHIP = "township", "乡镇/街道"
        OTHER = "other", "其他"

    name = models.CharField("机关名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField(
        "机关类型", max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT
    )
    org_code = models.CharField(
        "机构代码",
        max_length=20,
        blank=True,
        validators=[validate_org_code],
        help_text="9 位组织机构代码（可含连字符）或 18 位统一社会信用代码；用于生成索引号。",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    index_template = models.CharField(
        "索引号模板",
        max_length=80,
        default="{org_code}/{year}-{seq:05d}",
        help_text="可用占位符：{org_code} 机构代码，{year} 年份，{month} 月份，{seq} 本机关当年顺序号。",
    )
    sort_order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    # 告知书 and other letters in the agency's name (requests_app.letters)
    review_body = models.CharField(
        "行政复议机关",
        max_length=100,
        blank=True,
        help_text="告知书中写明的复议机关全称。留空时：政府部门、乡镇/街道默认为上级"
        "区（县）人民政府（《中华人民共和国行政复议法》第二十四条第一款第（一）项，"
        "相对集中复议）；区（县）人民政府本身必须填写（上一级人民政府）。",
    )
    court = models.CharField(
        "管辖人民法院",
        max_length=100,
        blank=True,
        help_text="告知书中写明的管辖人民法院全称，例如：株洲市天元区人民法院。",
    )
    letter_number_template = models.CharField(
        "文号模板",
        max_length=60,
        default="{short_name}依申〔{year}〕{seq}号",
        validators=[validate_letter_number_template],
        help_text="签发时生成文号。可用占位符：{short_name} 简称，{year} 年份，"
        "{seq} 本机关当年顺序号（必须有 {year} 和 {seq}），例如：天教依复〔{year}〕{seq}号。",
    )
    handlers_may_send_disclosed = models.BooleanField(
        "承办人可直接发出予以公开答复",
        default=False,
        help_text="默认所有答复都须审核人签发；勾选后，承办人可不经审核直接发出“予以公开”答复。",
    )

    # 政府信息公开工作机构 (条例 第十二条: 指南 lists these)
    office_name = models.CharField("政府信息公开工作机构", max_length=100, blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    office_hours = models.CharField("办公时间", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True)
    fax = models.CharField("传真", max_length=50, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    website = models.URLField("网址", blank=True)
    pii_allowed = models.TextField(
        "允许公开的号码",
        blank=True,
        help_text="本机关其他可以公开的电话、传真、电子邮箱等，每行一个；"
        "发布前的个人信息检查不把它们当作个人信息（上面的联系电话、传真、邮箱已自动允许）。",
    )
    # 保密审查 (条例 第十七条): catalog.services.notice_publish reads it
    requires_second_security_review = models.BooleanField(
        "保密审查须由第二人确认",
        default=False,
        help_text="开启后，本机关的信息发布前须由起草人、发布人以外的另一名工作人员确认保密审查。",
    )
    # 本级政府年报（含办公室）: the 办公室 handles the government's 依申请公开 and publishes
    # in its name, so its figures are reported in the government's annual report
    # (disclosure.stats counts the agency plus the agencies included in it). One level
    # only: the including agency is not included anywhere, an included agency includes
    # none (CheckConstraint for "not itself", trigger portal_agency_report_scope for the
    # rest, migration 0010).
    report_included_in = models.ForeignKey(
        "self",
        verbose_name="年报并入机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_includes",
        help_text="本机关不单独编制政府信息公开工作年度报告，其数据并入所选机关的年报"
        "（例如区人民政府办公室并入区人民政府年报）。只有超级管理员可以修改；"
        "已发布的年报不受影响，尚未发布的年报按新的范围统计。",
    )

    class Meta:
        verbose_name = "机关"
        verbose_name_plural = "机关"
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["government", "department", "township", "other"]
                ),
                name="portal_agency_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(report_included_in=models.F("pk")),
                name="portal_agency_report_not_included_in_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        super().clean()
        self.clean_report_scope()

    def clean_report_scope(self) -> None:
        """The 年报并入 setting: not itself, one level only (the database enforces the
        same, trigger portal_agency_report_scope); messages for the admin form."""
        target_id = self.report_included_in_id
        if target_id is None:
            return
        if self.pk is not None and target_id == self.pk:
            raise ValidationError({"report_included_in": "不能并入本机关自己的年报。"})
        target = Agency.objects.filter(pk=target_id).first()
        if target is not None and target.report_included_in_id is not None:
            raise ValidationError(
                {
                    "report_included_in": f"{target.name}本身已并入"
                    f"{target.report_included_in}年报，不能再并入它。"
                }
            )
        if self.pk is not None:
            includes = list(
                Agency.objects.filter(report_included_in_id=self.pk).values_list(
                    "name", flat=True
                )
            )
            if includes:
                raise ValidationError(
                    {
                        "report_included_in": f"本机关的年报已包含{'、'.join(includes)}，"
                        "不能再并入其他机关的年报。"
                    }
                )

    @property
    def effective_review_body(self) -> str:
        """The 复议机关 named in letters: the configured one, else (departments and
        townships, 行政复议法 第二十四条第一款第（一）项) the parent 人民政府; "" when
        neither is there (letters are then refused, naming the setting)."""
        if self.review_body.strip():
            return self.review_body.strip()
        parent = self.parent
        if (
            self.kind in (self.Kind.DEPARTMENT, self.Kind.TOWNSHIP)
            and parent is not None
            and parent.kind == self.Kind.GOVERNMENT
        ):
            return parent.name
        return ""


class StaffProfile(models.Model):
    """Which agency a staff user works for. Roles are Django groups (portal.roles)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name="用户",
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="staff_profiles",
        verbose_name="所属机关",
    )
    title = models.CharField("职务", max_length=50, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return f"{self.user} · {self.agency}"


class SiteIdentity(models.Model):
    """The site's statutory identity (《政府网站发展指引》): one row, edited in the admin."""

    site_name = models.CharField("网站名称", max_length=100)
    domain = models.CharField("网站域名", max_length=100, default="127.0.0.1:8000")
    sponsor = models.CharField("网站主办单位", max_length=100)
    site_code = models.CharField(
        "网站标识码",
        max_length=10,
        validators=[validate_site_code],
        help_text="10 位数字或 bm 加 8 位数字",
    )
    icp_number = models.CharField("ICP备案号", max_length=50, blank=True)
    police_record = models.CharField(
        "公安机关备案号",
        max_length=50,
        blank=True,
        help_text="例如：湘公网安备 43020302000123号",
    )
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    contact_email = models.EmailField("联系邮箱", blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    report_deadline_department = models.CharField(
        "部门年报发布期限", max_length=5, default="01-31", help_text="MM-DD，次年"
    )
    report_deadline_government = models.CharField(
        "政府年报发布期限", max_length=5, default="03-31", help_text="MM-DD，次年"
    )

    class Meta:
        verbose_name = "网站标识"
        verbose_name_plural = "网站标识"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1), name="portal_siteidentity_singleton"
            ),
        ]

    def __str__(self) -> str:
        return self.site_name

    @classmethod
    def load(cls) -> SiteIdentity:
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj = cls(
                pk=1,
                site_name=settings.SITE_NAME,
                sponsor="天元区人民政府办公室",
                site_code="4302110001",
            )
        return obj


class WorkCalendarDay(models.Model):
    """A day that differs from the weekday rule: an official rest day or a 调休 working day.

    Ordinary Monday–Friday are working days and Saturday/Sunday rest days unless a row
    here says otherwise. Rows come from the 国务院办公厅 holiday notice of each year.
    """

    class Kind(models.TextChoices):
        REST = "rest", "休息日（节假日）"
        WORK = "work", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=4, choices=Kind.choices)
    name = models.CharField("节日名称", max_length=20, help_text="例如：春节、国庆节")
    source = models.CharField(
        "来源", max_length=100, blank=True, help_text="例如：国办发明电〔2025〕7号"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["rest", "work"]),
                name="portal_workcalendarday_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class WorkCalendarYear(models.Model):
    """A year whose official schedule is loaded; other years are provisional."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=100, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "已公布节假日年份"
        verbose_name_plural = "已公布节假日年份"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class WorkCalendarChange(models.Model):
    """Append-only log of every change to the work calendar."""

    changed_at = models.DateTimeField("时间", auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    date = models.DateField("日期", null=True, blank=True)
    year = models.PositiveSmallIntegerField("年份")
    action = models.CharField("操作", max_length=20)
    detail = models.CharField("说明", max_length=300)

    class Meta:
        verbose_name = "节假日变更记录"
        verbose_name_plural = "节假日变更记录"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.action} {self.detail}"


class RateLimitBucket(models.Model):
    """One rate-limit counter (portal.ratelimit), shared by every worker and server.

    The window starts at the first hit and restarts when it has run out, or when the
    hit that reaches the limit arrives (so a lockout lasts a full window). Keys are
    HMAC digests: no IP address, user name or tracking number is stored in clear.
    """

    key = models.CharField("键", max_length=100, unique=True)
    window_start = models.DateTimeField("窗口开始")
    count = models.PositiveIntegerField("次数", default=0)

    class Meta:
        verbose_name = "访问频率计数"
        verbose_name_plural = "访问频率计数"
        indexes = [
            # purge_rate_limits: DELETE … WHERE window_start < cutoff
            models.Index(fields=["window_start"], name="portal_ratelimit_window_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.count}"


class RecoveryCode(models.Model):
    """A staff member's one-time recovery code for the second factor (portal.twofactor).

    Shown once when issued; only an HMAC-SHA256 digest under ``SECRET_KEY`` is kept
    (the codes are random, 50 bits each, so a fast keyed hash is enough). A used
    code keeps its row with ``used_at`` set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recovery_codes",
        verbose_name="用户",
    )
    code_hash = models.CharField("恢复码摘要", max_length=64)
    created_at = models.DateTimeField("生成时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "两步验证恢复码"
        verbose_name_plural = "两步验证恢复码"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "code_hash"], name="portal_recoverycode_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {'已使用' if self.used_at else '未使用'}"


class StaffAuthEvent(models.Model):
    """Append-only record of a staff account's second-factor changes: enrolment,
    recovery codes issued or used, an administrator's reset."""

    class Kind(models.TextChoices):
        TOTP_ENROLLED = "totp_enrolled", "绑定验证器"
        RECOVERY_CODES_ISSUED = "recovery_codes_issued", "生成恢复码"
        RECOVERY_CODE_USED = "recovery_code_used", "使用恢复码登录"
        SECOND_FACTOR_RESET = "second_factor_reset", "管理员重置两步验证"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="auth_events",
        verbose_name="用户",
    )
    at = models.DateTimeField("时间")
    kind = models.CharField("事件", max_length=30, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "两步验证记录"
        verbose_name_plural = "两步验证记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class AgencyEvent(models.Model):
    """Append-only history of an agency's record: created or changed, by whom, from
    where (admin, import), and each changed field as [before, after]."""

    class Action(models.TextChoices):
        CREATED = "created", "新增"
        UPDATED = "updated", "修改"

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="events", verbose_name="机关"
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
    source = models.CharField("途径", max_length=20)
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "机关变更记录"
        verbose_name_plural = "机关变更记录"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["created", "updated"]),
                name="portal_agencyevent_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class SiteIdentityVersion(models.Model):
    """Every saved version of the site identity (the footer's statutory details): who
    saved it, when, what changed ([before, after]) and the full values after the save."""

    identity = models.ForeignKey(
        SiteIdentity,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name="网站标识",
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
    changes = models.JSONField("变更内容", default=dict, blank=True)
    values = models.JSONField("保存后的内容", default=dict)

    class Meta:
        verbose_name = "网站标识修改记录"
        verbose_name_plural = "网站标识修改记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


class AgencyProfile(models.Model):
    """机构信息 (条例 第二十条第（二）项): 机关职能、机构设置、负责人 of one agency. The
    address, office hours and contact fields live on ``Agency`` and are edited together
    with this row by ``portal.services.agency_profile_update``, which writes an
    ``AgencyProfileVersion`` per change and sets ``last_changed_at`` (the compliance
    monitor's 机构信息 date)."""

    agency = models.OneToOneField(
        Agency,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name="机关",
    )
    functions = models.TextField("机构职能", blank=True)
    internal_units = models.TextField(
        "内设机构", blank=True, help_text="每行一个内设机构，可写“名称：职责”。"
    )
    last_changed_at = models.DateTimeField("最近变更时间", null=True, blank=True)

    class Meta:
        verbose_name = "机构信息"
        verbose_name_plural = "机构信息"

    def __str__(self) -> str:
        return f"{self.agency} 机构信息"


class AgencyLeader(models.Model):
    """负责人 of an agency (机构信息): name, post, 分工, in display order."""

    profile = models.ForeignKey(
        AgencyProfile,
        on_delete=models.CASCADE,
        related_name="leaders",
        verbose_name="机构信息",
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100)
    duties = models.TextField("分工", blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "负责人"
        verbose_name_plural = "负责人"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.post} {self.name}"


class AgencyProfileVersion(models.Model):
    """Append-only history of 机构信息: who changed what, when (old and new values)."""

    profile = models.ForeignKey(
        AgencyProfile,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name="机构信息",
    )
    changed_at = models.DateTimeField("变更时间")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="变更人",
    )
    changes = models.JSONField(
        "变更内容",
        default=dict,
        help_text="{字段: [原值, 新值]}；负责人为列表。",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "机构信息变更记录"
        verbose_name_plural = "机构信息变更记录"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.profile.agency} {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def changed_labels(self) -> str:
        return "、".join(PROFILE_LABELS.get(k, k) for k in self.changes)


PROFILE_LABELS = {
    "functions": "机构职能",
    "internal_units": "内设机构",
    "leaders": "负责人",
    "address": "办公地址",
    "office_hours": "办公时间",
    "phone": "联系电话",
    "fax": "传真",
    "postcode": "邮政编码",
    "email": "电子邮箱",
}
