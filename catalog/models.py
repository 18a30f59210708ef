"""The 主动公开 catalog: notices (政府信息) with their statutory metadata."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Case, Q, Value, When

from portal.models import Agency


class Theme(models.Model):
    """主题分类: a two-level tree (the 22 gov.cn themes and their children)."""

    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="父类",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    gov_id = models.PositiveIntegerField("gov.cn 编号", null=True, blank=True)

    class Meta:
        verbose_name = "主题分类"
        verbose_name_plural = "主题分类"
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="catalog_theme_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="catalog_theme_unique_top_name",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """Display as 父类\\子类 (domain.md §4.5)."""
        if self.parent_id:
            return f"{self.parent.name}\\{self.name}"
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": "主题分类只有两级：父类必须是顶级分类"})


class Genre(models.Model):
    """体裁 / 公文种类: seeded with the 15 statutory types, extendable."""

    name = models.CharField("名称", max_length=20, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=100)
    is_statutory = models.BooleanField("法定公文种类", default=False)

    class Meta:
        verbose_name = "体裁"
        verbose_name_plural = "体裁"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Column(models.Model):
    """栏目: where a notice is browsed, arranged as a tree that maps 条例第二十条 (一)–(十五)
    and 第二十一条 item by item (docs/compliance.md). Each column says how fresh it must be
    (``update_rule``/``max_days``, defaults from 国办秘函〔2019〕19号) and which agencies
    must fill it (``required_scope``/``required_agencies``); the compliance monitor reads
    both."""

    class UpdateRule(models.TextChoices):
        DYNAMIC = "dynamic", "动态"
        PERIODIC = "periodic", "定期"
        ON_CHANGE = "on_change", "变更即更新"
        NONE = "none", "不考核"

    class RequiredScope(models.TextChoices):
        ALL = "all", "每个机关"
        SOME = "some", "部分机关"
        GOVERNMENT = "government", "仅人民政府"

    name = models.CharField("名称", max_length=50, unique=True)
    slug = models.SlugField("网址名", max_length=50, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级栏目",
    )
    description = models.CharField("说明", max_length=300, blank=True)
    legal_basis = models.CharField(
        "法定依据",
        max_length=100,
        blank=True,
        help_text="例如：第二十条第（一）项（《中华人民共和国政府信息公开条例》）",
    )
    update_rule = models.CharField(
        "更新要求",
        max_length=10,
        choices=UpdateRule.choices,
        default=UpdateRule.NONE,
    )
    max_days = models.PositiveIntegerField(
        "最长未更新天数",
        null=True,
        blank=True,
        help_text="“动态”“定期”栏目：超过这么多天没有新信息即为未更新。",
    )
    rule_source = models.CharField(
        "要求来源",
        max_length=100,
        blank=True,
        help_text="更新要求的出处，例如：国办秘函〔2019〕19号",
    )
    required_scope = models.CharField(
        "应填报机关",
        max_length=10,
        choices=RequiredScope.choices,
        default=RequiredScope.ALL,
    )
    required_agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="required_columns",
        verbose_name="应填报的机关",
        help_text="应填报机关为“部分机关”时，列出哪些机关必须填报本栏目。",
    )
    sort_order = models.PositiveIntegerField("排序", default=100)
    show_on_home = models.BooleanField("首页显示", default=True)

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    update_rule__in=["dynamic", "periodic", "on_change", "none"]
                ),
                name="catalog_column_update_rule_valid",
            ),
            models.CheckConstraint(
                condition=Q(required_scope__in=["all", "some", "government"]),
                name="catalog_column_required_scope_valid",
            ),
            models.CheckConstraint(
                condition=~Q(update_rule__in=["dynamic", "periodic"])
                | (Q(max_days__isnull=False) & Q(max_days__gte=1)),
                name="catalog_column_timed_rule_has_days",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")),
                name="catalog_column_not_own_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = column_rule_errors(
            update_rule=self.update_rule, max_days=self.max_days
        )
        if self.pk and self.parent_id:
            seen = {self.pk}
            node = self.parent
            while node is not None:
                if node.pk in seen:
                    errors.setdefault("parent", []).append(
                        "上级栏目不能是本栏目或其下级栏目"
                    )
                    break
                seen.add(node.pk)
                node = node.parent
        if errors:
            raise ValidationError(errors)

    def applies_to(self, agency: Agency, required_ids: set[int] | None = None) -> bool:
        """Whether ``agency`` must fill this column (``required_ids``: the ids of
        ``required_agencies``, pass them when they are prefetched)."""
        if required_ids is None:
            required_ids = set(self.required_agencies.values_list("pk", flat=True))
        return column_required_for(
            scope=self.required_scope,
            agency_id=agency.pk,
            agency_kind=agency.kind,
            required_ids=required_ids,
        )


def column_rule_errors(*, update_rule: str, max_days: int | None) -> dict[str, list]:
    """The one rule for a column's 更新要求 (form, admin, migration data, monitor)."""
    timed = update_rule in (Column.UpdateRule.DYNAMIC, Column.UpdateRule.PERIODIC)
    if timed and not max_days:
        return {"max_days": ["“动态”和“定期”栏目必须填写最长未更新天数"]}
    if not timed and max_days:
        return {"max_days": ["只有“动态”和“定期”栏目填写最长未更新天数"]}
    return {}


def column_required_for(
    *, scope: str, agency_id: int, agency_kind: str, required_ids: set[int]
) -> bool:
    """Whether an agency must fill a column with this 应填报机关 scope."""
    if scope == Column.RequiredScope.ALL:
        return True
    if scope == Column.RequiredScope.GOVERNMENT:
        return agency_kind == Agency.Kind.GOVERNMENT
    return agency_id in required_ids


class NoticeQuerySet(models.QuerySet):
    def published(self) -> NoticeQuerySet:
        """Published or withdrawn: every notice that has been made public (a withdrawn
        one keeps its page, which says so).

        Only ``export_notices`` starts here. The detail page and the API's detail check
        the same two statuses in ``catalog.views.get_public_notice``; lists, search,
        feeds, the sitemap and the API's list start from ``listed()``.
        """
        return self.filter(
            status__in=[Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN]
        )

    def listed(self) -> NoticeQuerySet:
        """Published and not withdrawn: what lists, search and feeds show."""
        return self.filter(status=Notice.Status.PUBLISHED)

    def editable_by(self, user) -> NoticeQuerySet:
        """What ``user`` may change: notices whose lead 发文机关 (主办机关) is their agency."""
        if user.is_superuser:
            return self
        profile = getattr(user, "staff_profile", None)
        if profile is None:
            return self.none()
        return self.filter(owner_agency_id=profile.agency_id)

    def visible_to(self, user) -> NoticeQuerySet:
        """What ``user`` may see in the staff views: their agency's own notices and the
        联合发文 it co-publishes (seen, not edited: ``editable_by``)."""
        if user.is_superuser:
            return self
        profile = getattr(user, "staff_profile", None)
        if profile is None:
            return self.none()
        return self.filter(
            Q(owner_agency_id=profile.agency_id)
            | Q(
                pk__in=NoticePublisher.objects.filter(
                    agency_id=profile.agency_id
                ).values("notice_id")
            )
        )

    def with_current_validity(self, today: date) -> NoticeQuerySet:
        return self.annotate(current_validity=Notice.current_validity_expression(today))


class Notice(models.Model):
    """A 政府信息 in the catalog, with the statutory metadata block."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    class WithdrawalCategory(models.TextChoices):
        """撤回 reason categories: the only reason shown to the public (never the note)."""

        MISTAKE = "mistake", "误发布"
        NOT_PUBLIC = "not_public", "依法不应公开"
        PERSONAL_DATA = "personal_data", "含有个人信息"
        DUPLICATE = "duplicate", "重复发布"
        OTHER = "other", "其他原因"

    class Validity(models.TextChoices):
        EFFECTIVE = "effective", "有效"
        AMENDED = "amended", "已修改"
        REPEALED = "repealed", "已废止"
        EXPIRED = "expired", "失效"
        NOT_YET = "not_yet", "尚未生效"

    class DisclosureMode(models.TextChoices):
        ACTIVE = "active", "主动公开"
        ON_REQUEST = "on_request", "依申请公开"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    index_number = models.CharField(
        "索引号",
        max_length=60,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="首次发布时按机关模板生成，此后不再改变；导入的历史信息保留原索引号。",
    )
    title = models.CharField("标题", max_length=300)
    owner_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="owned_notices",
        verbose_name="主办机关",
        help_text="负责维护本信息的机关；其工作人员可以编辑；索引号按其模板生成。",
    )
    publishers = models.ManyToManyField(
        Agency,
        through="NoticePublisher",
        related_name="published_notices",
        verbose_name="发文机关",
    )
    doc_number = models.CharField(
        "发文字号", max_length=80, blank=True, help_text="例如：株天政发〔2013〕1号"
    )
    written_date = models.DateField("成文日期", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    theme = models.ForeignKey(
        Theme,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name="主题分类",
    )
    genre = models.ForeignKey(
        Genre,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name="体裁",
    )
    validity = models.CharField(
        "有效性",
        max_length=12,
        choices=Validity.choices,
        default=Validity.EFFECTIVE,
        help_text="“失效”由有效期至自动得出，无需手工修改。",
    )
    valid_from = models.DateField("施行日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    disclosure_mode = models.CharField(
        "公开方式",
        max_length=12,
        choices=DisclosureMode.choices,
        default=DisclosureMode.ACTIVE,
    )
    audience = models.CharField("公开对象", max_length=50, default="面向社会")
    department = models.CharField("公开部门", max_length=100, blank=True)
    keywords = ArrayField(
        models.CharField(max_length=50), verbose_name="关键词", default=list, blank=True
    )
    summary = models.TextField("内容概述", blank=True)
    body = models.TextField("正文", blank=True, help_text="保存前会清理为安全的 HTML。")
    column = models.ForeignKey(
        Column,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name="栏目",
    )
    interpretations = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="interpreted_policies",
        verbose_name="相关解读",
        help_text="本文件的政策解读（解读页面会反向显示所解读的文件）。",
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_category = models.CharField(
        "撤回原因类别",
        max_length=20,
        choices=WithdrawalCategory.choices,
        blank=True,
        help_text="公开页面只显示“该信息已撤回”和此类别。",
    )
    withdrawn_reason = models.CharField(
        "撤回说明",
        max_length=300,
        blank=True,
        help_text="仅供本机关工作人员查看的内部说明，不在公开页面显示。",
    )
    # 保密审查 (条例 第十七条): who confirmed the review of this version, and when
    security_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="保密审查确认人",
    )
    security_reviewed_at = models.DateTimeField(
        "保密审查确认时间", null=True, blank=True
    )
    # 待审核: the drafter asked for review (notice_submit_for_review); kept for the record
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="提交审核人",
    )
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    # 定时发布: a draft that publish_scheduled publishes at this moment (notice_schedule)
    scheduled_at = models.DateTimeField("定时发布时间", null=True, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="定时发布设定人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # Search (catalog/search.py, docs/search.md): maintained by refresh_notice_search from
    # title, 发文字号, 索引号, 内容概述, body and attachment text whenever a notice or its
    # attachments change. search_text is kept uncompressed in the row (migration
    # 0003_search_codes) because every long word is re-checked against it with strpos.
    search_text = models.TextField("检索文本", blank=True, editable=False)
    search_title = models.TextField("检索标题", blank=True, editable=False)
    search_codes = ArrayField(
        models.BigIntegerField(),
        verbose_name="检索码",
        default=list,
        blank=True,
        editable=False,
        help_text="检索文本中每个字和每两个相邻字的编码，按发布半年分段（catalog.search.keys_of）。",
    )
    search_title_codes = ArrayField(
        models.BigIntegerField(),
        verbose_name="标题检索码",
        default=list,
        blank=True,
        editable=False,
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "政府信息"
        verbose_name_plural = "政府信息"
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "withdrawn"]),
                name="catalog_notice_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    validity__in=[
                        "effective",
                        "amended",
                        "repealed",
                        "expired",
                        "not_yet",
                    ]
                ),
                name="catalog_notice_validity_valid",
            ),
            models.CheckConstraint(
                condition=Q(disclosure_mode__in=["active", "on_request"]),
                name="catalog_notice_disclosure_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(index_number__isnull=False) & Q(published_at__isnull=False)),
                name="catalog_notice_published_has_index_number",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="catalog_notice_validity_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="catalog_notice_withdrawn_has_time",
            ),
            # only a draft waits for its 定时发布
            models.CheckConstraint(
                condition=Q(scheduled_at__isnull=True) | Q(status="draft"),
                name="catalog_notice_scheduled_is_draft",
            ),
            models.CheckConstraint(
                condition=Q(
                    withdrawn_category__in=[
                        "",
                        "mistake",
                        "not_public",
                        "personal_data",
                        "duplicate",
                        "other",
                    ]
                )
                & (~Q(status="withdrawn") | ~Q(withdrawn_category="")),
                name="catalog_notice_withdrawn_category_valid",
            ),
        ]
        indexes = [
            # public lists, feeds and keyset paging: newest first among listed notices
            models.Index(
                fields=["status", "-published_at", "-id"],
                name="catalog_notice_listed_idx",
            ),
            # staff lists by agency
            models.Index(
                fields=["owner_agency", "status"], name="catalog_notice_owner_idx"
            ),
            # whether any listed notice has a given 有效性 today (current_validity_q): the
            # filter values of the whole catalog without reading every notice
            models.Index(
                fields=["validity", "valid_from"],
                condition=Q(status="published"),
                name="catalog_notice_vfrom_idx",
            ),
            models.Index(
                fields=["validity", "valid_until"],
                condition=Q(status="published"),
                name="catalog_notice_vuntil_idx",
            ),
            # publish_scheduled: the drafts whose 定时发布 time has come
            models.Index(
                fields=["scheduled_at"],
                condition=Q(scheduled_at__isnull=False),
                name="catalog_notice_scheduled_idx",
            ),
            # exact lookups of 发文字号 put that notice first in search
            models.Index(fields=["doc_number"], name="catalog_notice_docnum_idx"),
            # search: notices containing given characters / character pairs (catalog/search.py)
            GinIndex(
                fields=["search_codes"],
                name="catalog_notice_codes_gin",
                fastupdate=False,
            ),
            # search, 相关度 order: notices whose title contains the words
            GinIndex(
                fields=["search_title_codes"],
                name="catalog_notice_title_codes_gin",
                fastupdate=False,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def current_validity_expression(today: date):
        """有效性 as of ``today``: 失效 once 有效期至 has passed, 尚未生效 before 施行日期."""
        return Case(
            When(
                Q(validity__in=["effective", "not_yet"]) & Q(valid_until__lt=today),
                then=Value("expired"),
            ),
            When(
                Q(validity="effective") & Q(valid_from__gt=today), then=Value("not_yet")
            ),
            When(
                Q(validity="not_yet") & Q(valid_from__lte=today),
                then=Value("effective"),
            ),
            default=models.F("validity"),
            output_field=models.CharField(),
        )

    @staticmethod
    def current_validity_q(value: str, today: date) -> Q:
        """The notices whose ``current_validity_expression(today)`` is ``value``, as plain
        conditions on the columns, so the database can answer it from an index
        (``catalog_notice_vfrom_idx``, ``catalog_notice_vuntil_idx``) instead of computing the case for every row."""
        live = ~Q(valid_until__lt=today)  # NULL 有效期至 never expires
        if value == Notice.Validity.EXPIRED:
            return Q(validity__in=["effective", "not_yet"], valid_until__lt=today) | Q(
                validity="expired"
            )
        if value == Notice.Validity.NOT_YET:
            return (Q(validity="effective", valid_from__gt=today) & live) | (
                Q(validity="not_yet") & live & ~Q(valid_from__lte=today)
            )
        if value == Notice.Validity.EFFECTIVE:
            return (Q(validity="effective") & live & ~Q(valid_from__gt=today)) | (
                Q(validity="not_yet", valid_from__lte=today) & live
            )
        return Q(validity=value)

    def validity_on(self, today: date) -> str:
        return self.validity_of(self.validity, self.valid_from, self.valid_until, today)

    @staticmethod
    def validity_of(
        validity: str, valid_from: date | None, valid_until: date | None, today: date
    ) -> str:
        """``current_validity_expression`` in Python, for a notice's stored values."""
        if validity in ("effective", "not_yet") and valid_until and valid_until < today:
            return Notice.Validity.EXPIRED
        if validity == "effective" and valid_from and valid_from > today:
            return Notice.Validity.NOT_YET
        if validity == "not_yet" and valid_from and valid_from <= today:
            return Notice.Validity.EFFECTIVE
        return validity

    def validity_label_on(self, today: date) -> str:
        return self.Validity(self.validity_on(today)).label

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    # what the public sees instead of the title of a notice withdrawn for personal data
    NEUTRAL_WITHDRAWN_TITLE = "（已撤回的信息）"

    @property
    def public_title(self) -> str:
        """The title anyone may see. A notice withdrawn because it held personal data
        (撤回原因类别 含有个人信息) hides its title too — the name may be the personal
        data — behind ``NEUTRAL_WITHDRAWN_TITLE``; the page, its <title>, the API and the
        default export show that instead (the lead agency's staff still read the title)."""
        if (
            self.is_withdrawn
            and self.withdrawn_category == self.WithdrawalCategory.PERSONAL_DATA
        ):
            return self.NEUTRAL_WITHDRAWN_TITLE
        return self.title

    def content_visible_to(self, user) -> bool:
        """Body, summary and attachments of a withdrawn (撤回) notice: only for the lead
        agency's staff (and superusers); everyone else sees the withdrawal notice."""
        if not self.is_withdrawn:
            return True
        if not getattr(user, "is_authenticated", False) or not user.is_staff:
            return False
        if user.is_superuser:
            return True
        profile = getattr(user, "staff_profile", None)
        return profile is not None and profile.agency_id == self.owner_agency_id


class NoticePublisher(models.Model):
    """发文机关 of a notice, in order (joint documents have several)."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="publisher_links"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="发文机关"
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "发文机关"
        verbose_name_plural = "发文机关"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "agency"], name="catalog_noticepublisher_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.agency)


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # random name outside any public URL; the original name is kept as metadata
    return f"catalog/{uuid.uuid4().hex}"


class Attachment(models.Model):
    notice = models.ForeignKey(
        Notice,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name="政府信息",
    )
    name = models.CharField("文件名", max_length=200)
    file = models.FileField("文件", upload_to=attachment_upload_to, max_length=200)
    content_type = models.CharField("类型", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("大小", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    text = models.TextField("提取文本", blank=True, editable=False)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class IndexCounter(models.Model):
    """Last 索引号 serial issued per agency and year; locked while issuing (gapless)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"], name="catalog_indexcounter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class NoticeEvent(models.Model):
    """Append-only history of a notice: who changed what, when."""

    class Action(models.TextChoices):
        CREATED = "created", "创建"
        UPDATED = "updated", "修改"
        PUBLISHED = "published", "发布"
        WITHDRAWN = "withdrawn", "撤回"
        IMPORTED = "imported", "导入"
        PII_OVERRIDE = "pii_override", "个人信息放行"
        SECURITY_REVIEWED = "sec_review", "保密审查确认"
        LINK_REQUESTED = "link_asked", "解读关联待确认"
        LINK_ACCEPTED = "link_ok", "解读关联已接受"
        LINK_REFUSED = "link_refused", "解读关联已拒绝"
        CLEANUP = "cleanup", "清理决定"
        SUBMITTED = "submitted", "提交审核"
        SCHEDULED = "scheduled", "设定定时发布"
        UNSCHEDULED = "unscheduled", "取消定时发布"
        SCHEDULE_FAILED = "sched_failed", "定时发布未成功"
        REVISION_PROPOSED = "rev_proposed", "修改待确认"
        REVISION_APPROVED = "rev_approved", "修改经确认生效"
        REVISION_REJECTED = "rev_rejected", "修改被退回"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True)
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
    reason = models.CharField("原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class NoticeRevision(models.Model):
    """A snapshot of what the public sees of a notice (catalog/revisions.py: ``content``),
    taken at each publication and at every change of a published notice; append-only.

    ``applied`` revisions are the versions that were live, in order. A ``pending`` one
    is a proposed change of a published notice that waits for a second person's
    保密审查 (条例 第十七条; ``notice_revision_approve`` / ``notice_revision_reject``):
    it holds the proposal in ``proposed`` and is the only row that ever changes (to
    ``applied`` or ``rejected``, or replaced by a newer proposal). Written only by
    ``catalog.services`` and ``catalog.attachments``.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", "已生效"
        PENDING = "pending", "待确认"
        REJECTED = "rejected", "已退回"

    class Kind(models.TextChoices):
        BASELINE = "baseline", "启用修订记录时的内容"
        PUBLISHED = "published", "发布"
        REPUBLISHED = "republished", "重新发布"
        EDITED = "edited", "修改"
        IMPORTED = "imported", "导入"

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="revisions"
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.APPLIED
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    content = models.JSONField("公开内容", default=dict)
    proposed = models.JSONField(
        "待确认的修改",
        default=dict,
        blank=True,
        help_text="待确认修订要改的字段和新值（确认时按此修改）。",
    )
    changed_fields = ArrayField(
        models.CharField(max_length=30),
        verbose_name="改动的项目",
        default=list,
        blank=True,
    )
    public_change = models.BooleanField(
        "正文等内容有改动",
        default=False,
        help_text="标题、内容概述、正文或附件在首次发布后有改动：公开页面显示“最后更新”。",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="修改人",
    )
    created_at = models.DateTimeField("提出时间")
    reason = models.CharField("修改说明", max_length=300, blank=True)
    applied_at = models.DateTimeField("生效时间", null=True, blank=True)
    security_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="保密审查确认人",
    )
    security_reviewed_at = models.DateTimeField(
        "保密审查确认时间", null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="处理人",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_reason = models.CharField("退回理由", max_length=300, blank=True)
    event = models.ForeignKey(
        NoticeEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
        verbose_name="变更记录",
    )

    class Meta:
        verbose_name = "修订记录"
        verbose_name_plural = "修订记录"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["applied", "pending", "rejected"]),
                name="catalog_noticerevision_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "baseline",
                        "published",
                        "republished",
                        "edited",
                        "imported",
                    ]
                ),
                name="catalog_noticerevision_kind_valid",
            ),
            # a live version says when it went live; a proposal has not
            models.CheckConstraint(
                condition=(Q(status="applied") & Q(applied_at__isnull=False))
                | (~Q(status="applied") & Q(applied_at__isnull=True)),
                name="catalog_noticerevision_applied_has_time",
            ),
            # one proposal waits per notice: a newer one replaces it
            models.UniqueConstraint(
                fields=["notice"],
                condition=Q(status="pending"),
                name="catalog_noticerevision_one_pending",
            ),
        ]
        indexes = [
            # the public page's 最后更新 and the history page: a notice's live versions
            models.Index(
                fields=["notice", "status", "applied_at"],
                name="catalog_noticerev_notice_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} #{self.pk} {self.get_kind_display()}（{self.get_status_display()}）"


class NoticeCleanupReview(models.Model):
    """A 清理 (periodic review) decision on a 行政规范性文件 (国办发〔2018〕37号).

    Written only by ``catalog.services.notice_record_cleanup``; the latest one per notice
    feeds the compliance monitor's ``validity_review`` and the public metadata block.
    """

    class Result(models.TextChoices):
        CONTINUE = "continue", "继续有效"
        AMEND = "amend", "修改"
        REPEAL = "repeal", "废止"
        DECLARE_INVALID = "invalid", "宣布失效"

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="cleanup_reviews"
    )
    decided_date = models.DateField("清理决定日期")
    result = models.CharField("清理结果", max_length=10, choices=Result.choices)
    basis = models.CharField(
        "清理依据",
        max_length=200,
        help_text="清理决定文件的发文字号或标题，例如：某政办发〔2026〕3号",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记人",
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "清理决定"
        verbose_name_plural = "清理决定"
        ordering = ["-decided_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=["continue", "amend", "repeal", "invalid"]),
                name="catalog_noticecleanupreview_result_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decided_date:%Y-%m-%d} {self.get_result_display()}"


class InterpretationLinkRequest(models.Model):
    """A 解读 link that touches another agency's notice, waiting for that agency.

    The link itself (``Notice.interpretations``) is made only when the agency that
    publishes the other notice accepts, so the public pages never see a pending link.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        ACCEPTED = "accepted", "已接受"
        REFUSED = "refused", "已拒绝"

    policy = models.ForeignKey(
        Notice,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="被解读的文件",
    )
    interpretation = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="+", verbose_name="解读"
    )
    requested_by_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="提出机关",
    )
    deciding_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="interpretation_link_requests",
        verbose_name="确认机关",
        help_text="另一份信息的发文机关（牵头机关），由其工作人员接受或拒绝。",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="提出人",
    )
    requested_at = models.DateTimeField("提出时间")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="确认人",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "解读关联申请"
        verbose_name_plural = "解读关联申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "refused"]),
                name="catalog_interpretationlinkrequest_status_valid",
            ),
            # at most one open request per pair
            models.UniqueConstraint(
                fields=["policy", "interpretation"],
                condition=Q(status="pending"),
                name="catalog_interpretationlinkrequest_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} ← {self.interpretation_id}（{self.get_status_display()}）"


class SearchGeneration(models.Model):
    """One row: the catalog data generation. A statement trigger bumps it on every write to
    the tables a search total depends on (migration 0005_search_count_cache) and to the
    other tables a public catalog page shows (migration 0006_page_cache: attachments, 解读
    links, 栏目, 体裁, agencies, the 网站标识). A cached total, facet list or page is valid
    only for the generation it was computed in, so a publish, edit or withdrawal
    invalidates them all."""

    value = models.BigIntegerField("代次", default=0)

    class Meta:
        verbose_name = "检索数据代次"
        verbose_name_plural = "检索数据代次"

    def __str__(self) -> str:
        return str(self.value)


class SearchCount(models.Model):
    """Cached capped total of one search (query words + filters), see catalog.search."""

    key = models.CharField("检索键", max_length=64, primary_key=True)
    generation = models.BigIntegerField("代次")
    total = models.PositiveIntegerField("结果数")
    is_capped = models.BooleanField("超过上限", default=False)
    created_at = models.DateTimeField("统计时间", auto_now=True)

    class Meta:
        verbose_name = "检索结果数缓存"
        verbose_name_plural = "检索结果数缓存"

    def __str__(self) -> str:
        return f"{self.key[:8]}…: {self.total}"


class FacetTally(models.Model):
    """How many listed notices have each filter value, kept by the database itself: row
    triggers on ``catalog_notice`` and ``catalog_noticepublisher`` (migration
    0015_facet_tally) append +1/−1 whenever a notice enters or leaves the listed notices or
    changes a value while listed, so every path that writes — services, admin, importers,
    SQL — keeps it exact. Append-only (no row is ever updated, so writers never wait for
    each other here); ``catalog.filters.compact_facet_tally`` folds the rows into one per
    value. Keys: ``theme``/``genre``/``column``/``publisher`` ids, ``year`` (Beijing time),
    ``validity`` as stored (today's 有效性 is derived from it when read)."""

    facet = models.CharField("筛选项", max_length=10)
    key = models.CharField("取值", max_length=20)
    delta = models.IntegerField("增减")

    class Meta:
        verbose_name = "筛选项计数"
        verbose_name_plural = "筛选项计数"

    def __str__(self) -> str:
        return f"{self.facet}={self.key}: {self.delta:+d}"


class PageCache(models.Model):
    """A public page rendered for anonymous visitors (catalog.pagecache), shared by every
    worker and app server. Served only while ``generation`` is the current catalog
    generation and the row is younger than ``PAGE_CACHE_SECONDS``. The table is UNLOGGED
    (migration 0006_page_cache): a crash empties it, and replicas do not carry it."""

    key = models.UUIDField("页面键", primary_key=True)  # 128 bits of a SHA-256
    generation = models.BigIntegerField("代次")
    html = models.TextField("页面")
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "页面缓存"
        verbose_name_plural = "页面缓存"
        indexes = [
            # pruning: rows of an older generation, and rows past their age
            models.Index(fields=["generation"], name="catalog_pagecache_gen_idx"),
            models.Index(fields=["created_at"], name="catalog_pagecache_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}…@{self.generation}"


class StandardDomain(models.Model):
    """A 领域 of the 基层政务公开标准目录 (国办发〔2019〕54号: 26 领域; each has the
    standard 指引 of its 国务院部门), loaded by ``import_standard_catalogue``."""

    name = models.CharField("领域", max_length=50, unique=True)
    source = models.CharField(
        "依据",
        max_length=200,
        blank=True,
        help_text="标准指引的名称和文号，例如：《民政部 … 基层政务公开标准指引》",
    )
    sort_order = models.PositiveIntegerField("排序", default=100)

    class Meta:
        verbose_name = "基层政务公开标准目录领域"
        verbose_name_plural = "基层政务公开标准目录领域"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class StandardItem(models.Model):
    """One required item of a 领域's standard catalogue for one 公开主体 (agency). The
    notices that fulfil it are linked in ``notices``; an item with none is a finding."""

    domain = models.ForeignKey(
        StandardDomain,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name="领域",
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="standard_items",
        verbose_name="公开主体",
    )
    category = models.CharField("一级事项", max_length=100, blank=True)
    name = models.CharField("事项名称", max_length=200)
    content = models.TextField("公开内容（要素）", blank=True)
    basis = models.TextField("公开依据", blank=True)
    time_limit = models.CharField(
        "公开时限",
        max_length=200,
        help_text="例如：信息形成或变更之日起20个工作日内",
    )
    time_limit_working_days = models.PositiveSmallIntegerField(
        "时限（工作日）",
        null=True,
        blank=True,
        help_text="从公开时限中读出的工作日数；“每年…前”等固定日期的时限为空。",
    )
    disclosure_method = models.CharField(
        "公开方式",
        max_length=200,
        blank=True,
        help_text="例如：主动公开；政府网站、公开栏",
    )
    column = models.ForeignKey(
        Column,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="standard_items",
        verbose_name="对应栏目",
    )
    notices = models.ManyToManyField(
        Notice,
        blank=True,
        related_name="standard_items",
        verbose_name="落实本事项的政府信息",
    )
    sort_order = models.PositiveIntegerField("排序", default=100)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "基层政务公开标准目录事项"
        verbose_name_plural = "基层政务公开标准目录事项"
        ordering = ["domain__sort_order", "domain_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "agency", "category", "name"],
                name="catalog_standarditem_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain} · {self.name}"
