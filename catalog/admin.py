"""Django admin for the catalog, scoped and routed through the services.

- A staff user sees and edits only their own agency's notices
  (``Notice.objects.editable_by``); other agencies' change URLs are unreachable (the
  admin redirects as for a missing object). The 主办机关 of a new notice is forced to
  the user's agency.
- Saving calls ``notice_create`` / ``notice_update`` (body sanitised, 发文字号
  normalised; a malformed one is a form error on that field); attachments go through
  ``attachment_add`` / ``attachment_remove`` (type and size checks, text extraction);
  解读 links through ``notice_set_interpretations``. Everything lands in the
  append-only history, shown read-only on the page.
- Actions: 发布 (issues the 索引号) and 撤销 (asks for the reason on a confirmation page).
- Personal data (``catalog.guard``): publishing, editing a public notice and adding an
  attachment to one are refused while what the public sees holds personal data. An
  approver (审核人) may override the findings shown, with a reason: on the publish
  action's confirmation page, and in a section of the change form that only approvers
  see. The override covers exactly those findings.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.template.response import TemplateResponse
from django.utils.html import format_html_join

from catalog import guard
from catalog.attachments import inspect_upload
from catalog.models import (
    Attachment,
    Column,
    Genre,
    Notice,
    NoticeEvent,
    NoticePublisher,
    Theme,
)
from catalog.sanitize import clean_body
from catalog.services import (
    EDITABLE_FIELDS,
    attachment_add,
    attachment_remove,
    normalise_keywords,
    notice_create,
    notice_publish,
    notice_set_interpretations,
    notice_update,
    notice_withdraw,
)
from portal import timeutil
from portal.models import Agency
from portal.pii import LocatedFinding
from portal.roles import APPROVER, has_role, staff_agency
from portal.validators import normalise_doc_number

# --- notices --------------------------------------------------------------------------


class NoticeAdminForm(forms.ModelForm):
    publisher_agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        label="发文机关",
        help_text="联合发文时选择多个机关；不选则为主办机关。主办机关排在第一位。",
        widget=FilteredSelectMultiple("发文机关", is_stacked=False),
    )
    interpretation_notices = forms.ModelMultipleChoiceField(
        queryset=Notice.objects.none(),
        required=False,
        label="相关解读",
        help_text="本文件的政策解读（体裁为“解读”的已发布信息），在两个页面上互相显示。",
        widget=FilteredSelectMultiple("相关解读", is_stacked=False),
    )
    keywords = forms.CharField(
        label="关键词",
        required=False,
        max_length=500,
        help_text="多个关键词用逗号、顿号或空格分隔",
    )
    pii_override = forms.BooleanField(
        label="放行个人信息",
        required=False,
        help_text="我已逐条核对检查发现的个人信息，确属依法应当公开（仅审核人可用）。",
    )
    pii_override_reason = forms.CharField(
        label="放行理由",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="例如：行政处罚决定书依法公开当事人姓名。记入变更记录。",
    )
    request_user = None  # set per request by NoticeAdmin.get_form

    class Meta:
        model = Notice
        fields = (
            "title",
            "owner_agency",
            "doc_number",
            "written_date",
            "theme",
            "genre",
            "column",
            "validity",
            "valid_from",
            "valid_until",
            "disclosure_mode",
            "audience",
            "department",
            "keywords",
            "summary",
            "body",
        )
        widgets = {  # noqa: RUF012 - Django Meta option
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 16}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current_publishers: list[int] = []
        current_interpretations: list[int] = []
        if self.instance.pk:
            current_publishers = [
                link.agency_id for link in self.instance.publisher_links.all()
            ]
            current_interpretations = [
                n.pk for n in self.instance.interpretations.all()
            ]
            self.initial.setdefault("publisher_agencies", current_publishers)
            self.initial.setdefault("interpretation_notices", current_interpretations)
        # offer published 解读, and keep whatever is linked already (even if inactive or another 体裁)
        self.fields["interpretation_notices"].queryset = (
            Notice.objects.filter(
                Q(
                    status__in=[Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN],
                    genre__name="解读",
                )
                | Q(pk__in=current_interpretations)
            )
            .exclude(pk=self.instance.pk)
            .order_by("-published_at", "-id")
        )
        self.fields["publisher_agencies"].queryset = Agency.objects.filter(
            Q(is_active=True) | Q(pk__in=current_publishers)
        )
        self.initial["keywords"] = "，".join(self.instance.keywords or [])
        if "theme" in self.fields:
            self.fields["theme"].queryset = Theme.objects.select_related(
                "parent"
            ).order_by("parent__sort_order", "parent_id", "sort_order")

    def clean_doc_number(self) -> str:
        # normalised here so a malformed 发文字号 is an error on its own field
        return normalise_doc_number(self.cleaned_data.get("doc_number", ""))

    def clean_keywords(self) -> list[str]:
        words = normalise_keywords(self.cleaned_data.get("keywords", ""))
        if any(len(w) > 50 for w in words):
            raise ValidationError("每个关键词最多 50 个字符")
        return words

    def override_reason(self) -> str:
        """The approver's reason when the override box is ticked, else ''."""
        data = getattr(self, "cleaned_data", {})
        if not data.get("pii_override"):
            return ""
        return (data.get("pii_override_reason") or "").strip()

    def clean(self):
        cleaned = super().clean()
        notice = self.instance
        if notice.pk is None or notice.status == Notice.Status.DRAFT:
            return cleaned  # a draft is checked when it is published
        # the guard on what the public would see after this save (the service checks again)
        fields = {
            name: cleaned.get(name, getattr(notice, name))
            for name, _, _ in guard.PUBLIC_FIELDS
        }
        fields["body"] = clean_body(fields["body"] or "")
        agencies = [notice.owner_agency, *(cleaned.get("publisher_agencies") or [])]
        findings = guard.scan_texts(
            fields=fields,
            attachments=notice.attachments.values_list("name", "text"),
            names=guard.known_names(notice),
            allowed=guard.agency_allowed(agencies),
        )
        done = guard.overridden_fingerprints(notice)
        findings = [f for f in findings if f.fingerprint not in done]
        self.pii_findings = findings
        if findings:
            _refuse_unless_overridden(self, findings, action="保存")
        return cleaned


def _may_override(user) -> bool:
    return user is not None and has_role(user, APPROVER)


def _refuse_unless_overridden(form, findings: list[LocatedFinding], *, action: str):
    """Form errors for ``findings`` unless an approver ticked the override with a reason.

    ``form`` is the notice form or an attachment row; both read the override fields of
    the notice form from the same POST."""
    user = form.request_user
    ticked = form.data.get("pii_override") in ("on", "true", "1")
    reason = (form.data.get("pii_override_reason") or "").strip()
    if ticked and reason and _may_override(user):
        return
    message = guard.findings_message(findings, action=action)
    if _may_override(user):
        message += "如需放行，请在“个人信息放行”一栏勾选并填写理由。"
    elif ticked:
        message += "只有审核人可以放行个人信息。"
    form.add_error(None, message)


class AttachmentInlineForm(forms.ModelForm):
    request_user = None  # set per request by AttachmentInline.get_formset
    upload = forms.FileField(
        label="上传文件",
        required=False,
        help_text="PDF、Word、Excel、OFD、JPG、PNG 或 TXT；按文件内容检查类型，并提取文字供检索。",
    )

    class Meta:
        model = Attachment
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspected = None
        if self.instance.pk:
            self.fields["upload"].disabled = True
            self.fields[
                "upload"
            ].help_text = "已上传的附件不能替换；如需更换，请删除后重新上传。"

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload and not self.instance.pk:
            try:
                self.inspected = inspect_upload(upload)
            except ValidationError as exc:
                self.add_error("upload", exc.message_dict.get("file", exc.messages))
            else:
                self._check_personal_data()
        return cleaned

    def _check_personal_data(self) -> None:
        notice = (
            Notice.objects.filter(pk=self.instance.notice_id).first()
            if self.instance.notice_id
            else None
        )
        if notice is None or notice.status == Notice.Status.DRAFT:
            return
        findings = guard.scan_texts(
            fields={},
            attachments=[(self.inspected.name, self.inspected.text)],
            names=guard.known_names(notice),
            allowed=guard.agency_allowed(guard.notice_agencies(notice)),
        )
        done = guard.overridden_fingerprints(notice)
        findings = [f for f in findings if f.fingerprint not in done]
        if findings:
            _refuse_unless_overridden(self, findings, action="添加该附件")


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentInlineForm
    fields = ("upload", "name", "content_type", "size", "created_at")
    readonly_fields = ("name", "content_type", "size", "created_at")
    extra = 1
    verbose_name = "附件"
    verbose_name_plural = "附件"

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type(
            "AttachmentInlineForm",
            (self.form,),
            {"request_user": request.user},
        )
        return super().get_formset(request, obj, **kwargs)


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    fields = ("at", "actor", "action", "changes", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "变更记录（只读）"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="将显示在信息页面上，说明撤销的原因。",
        error_messages={"required": "请填写撤销原因"},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("请填写撤销原因")
        return reason


class PersonalDataOverrideForm(forms.Form):
    confirm = forms.BooleanField(
        label="我已逐条核对以上个人信息，确属依法应当公开",
        error_messages={"required": "请勾选确认后再放行"},
    )
    reason = forms.CharField(
        label="放行理由",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如：行政处罚决定书依法公开当事人姓名。记入每条信息的变更记录。",
        error_messages={"required": "请填写放行理由"},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("请填写放行理由")
        return reason


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    form = NoticeAdminForm
    list_display = (
        "index_number_display",
        "title",
        "publishers_display",
        "status",
        "published_at",
    )
    list_display_links = ("title",)
    list_filter = (
        "status",
        "validity",
        "genre",
        "column",
        ("theme", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("title", "index_number", "doc_number")
    date_hierarchy = "published_at"
    list_per_page = 50
    actions = ("publish_selected", "withdraw_selected")
    inlines = (AttachmentInline, NoticeEventInline)
    readonly_fields = (
        "index_number",
        "status",
        "published_at",
        "withdrawn_at",
        "withdrawn_reason",
    )

    def get_queryset(self, request):
        return (
            Notice.objects.editable_by(request.user)
            .select_related("owner_agency")
            .prefetch_related(
                Prefetch(
                    "publisher_links",
                    queryset=NoticePublisher.objects.select_related("agency"),
                )
            )
        )

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return ("owner_agency", *self.list_filter)
        return self.list_filter

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def get_fieldsets(self, request, obj=None):
        main = ["title", "publisher_agencies", "doc_number", "written_date"]
        if request.user.is_superuser:
            main.insert(1, "owner_agency")
        override = []
        if (
            obj is not None
            and obj.status != Notice.Status.DRAFT
            and _may_override(request.user)
        ):
            override = [
                (
                    "个人信息放行（仅审核人）",
                    {"fields": ["pii_override", "pii_override_reason"]},
                )
            ]
        return [
            (None, {"fields": main}),
            ("分类", {"fields": ["theme", "genre", "column"]}),
            ("有效性", {"fields": ["validity", "valid_from", "valid_until"]}),
            ("公开", {"fields": ["disclosure_mode", "audience", "department"]}),
            (
                "内容",
                {"fields": ["keywords", "summary", "body", "interpretation_notices"]},
            ),
            *override,
            (
                "状态（只能通过“发布”“撤销”操作改变）",
                {"fields": list(self.readonly_fields)},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and request.user.is_superuser:
            return (*self.readonly_fields, "owner_agency")
        return self.readonly_fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request) -> bool:
        if not super().has_add_permission(request):
            return False
        return request.user.is_superuser or staff_agency(request.user) is not None

    def has_delete_permission(self, request, obj=None) -> bool:
        # published notices are withdrawn (撤销), never deleted; only a superuser may drop a draft
        if not request.user.is_superuser:
            return False
        return obj is None or obj.status == Notice.Status.DRAFT

    @admin.display(description="索引号", ordering="index_number")
    def index_number_display(self, obj: Notice) -> str:
        return obj.index_number or "（未发布）"

    @admin.display(description="发文机关")
    def publishers_display(self, obj: Notice) -> str:
        return format_html_join(
            "、", "{}", ((link.agency.name,) for link in obj.publisher_links.all())
        )

    # -- saving through the services --

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in EDITABLE_FIELDS if name in data}
        if change:
            owner = obj.owner_agency
        elif request.user.is_superuser:
            owner = data["owner_agency"]
        else:
            owner = staff_agency(request.user)
        publishers = list(data.get("publisher_agencies") or [])
        if owner in publishers:
            publishers.remove(owner)
            publishers.insert(0, owner)
        elif not publishers:
            publishers = [owner]
        if change:
            saved = notice_update(
                notice=obj,
                by=request.user,
                publishers=publishers,
                override_reason=form.override_reason(),
                **fields,
            )
        else:
            saved = notice_create(
                owner_agency=owner, by=request.user, publishers=publishers, **fields
            )
        # the admin keeps using ``obj`` (log entry, redirect): make it the saved row
        for f in Notice._meta.concrete_fields:
            setattr(obj, f.attname, getattr(saved, f.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change):
        notice = form.instance
        wanted = list(form.cleaned_data.get("interpretation_notices") or [])
        notice_set_interpretations(
            policy=notice, interpretations=wanted, by=request.user
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        # the admin's change message reads these, normally set by formset.save()
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
        if formset.model is not Attachment:
            return  # the history inline is read-only
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk:
                attachment_remove(attachment=inline_form.instance, by=request.user)
                formset.deleted_objects.append(inline_form.instance)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or inline_form.instance.pk:
                continue
            if getattr(inline_form, "inspected", None) is not None:
                formset.new_objects.append(
                    attachment_add(
                        notice=form.instance,
                        by=request.user,
                        inspected=inline_form.inspected,
                        override_reason=form.override_reason(),
                    )
                )

    # -- actions --

    @admin.action(description="发布所选信息（生成索引号）", permissions=["change"])
    def publish_selected(self, request, queryset):
        """Publish each selected draft. A notice showing personal data is refused; an
        approver is then shown the findings and may override them with a reason."""
        now = timeutil.local_now()
        confirming = "confirm_pii" in request.POST
        form = PersonalDataOverrideForm(request.POST if confirming else None)
        reason = ""
        if confirming:
            if not _may_override(request.user):
                self.message_user(
                    request, "只有审核人可以放行个人信息。", messages.ERROR
                )
                return None
            if form.is_valid():
                reason = form.cleaned_data["reason"]
        done, skipped = 0, []
        held: list[tuple[Notice, list[LocatedFinding]]] = []
        for notice in queryset.order_by("pk"):
            if notice.status == Notice.Status.PUBLISHED:
                skipped.append(notice.title)
                continue
            try:
                notice_publish(
                    notice=notice,
                    by=request.user,
                    now=now,
                    override_reason=reason,
                    override_shown=request.POST.getlist(f"pii_shown_{notice.pk}")
                    if reason
                    else None,
                )
            except guard.PersonalDataFound as exc:
                held.append((notice, exc.findings))
            except ValidationError as exc:
                self.message_user(
                    request,
                    f"“{notice.title}”未能发布：{'；'.join(exc.messages)}",
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request, f"已发布 {done} 条信息，索引号已生成。", messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                f"{len(skipped)} 条信息原本已发布，未作改动。",
                messages.WARNING,
            )
        if not held:
            return None
        if not _may_override(request.user):
            for notice, findings in held:
                self.message_user(
                    request,
                    f"“{notice.title}”未能发布：{guard.findings_message(findings)}",
                    messages.ERROR,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "发布前发现个人信息",
            "opts": self.model._meta,
            "form": form,
            "held": [
                (notice, findings, sorted({f.fingerprint for f in findings}))
                for notice, findings in held
            ],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/catalog/notice/personal_data_confirmation.html", context
        )

    @admin.action(description="撤销所选信息（需填写原因）", permissions=["change"])
    def withdraw_selected(self, request, queryset):
        published = queryset.filter(status=Notice.Status.PUBLISHED).order_by("pk")
        if "confirm" in request.POST:
            form = WithdrawForm(request.POST)
            if form.is_valid():
                now = timeutil.local_now()
                count = 0
                for notice in published:
                    notice_withdraw(
                        notice=notice,
                        by=request.user,
                        now=now,
                        reason=form.cleaned_data["reason"],
                    )
                    count += 1
                self.message_user(
                    request,
                    f"已撤销 {count} 条信息。页面仍可访问，并显示撤销原因。",
                    messages.SUCCESS,
                )
                return None
        else:
            form = WithdrawForm()
        if not published.exists():
            self.message_user(
                request, "所选信息中没有已发布的信息，无需撤销。", messages.WARNING
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "撤销政府信息",
            "opts": self.model._meta,
            "form": form,
            "queryset": published,
            "skipped": queryset.count() - published.count(),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(
            request, "admin/catalog/notice/withdraw_confirmation.html", context
        )


# --- managed lists -------------------------------------------------------------------------


class ThemeAdminForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ("name", "parent", "sort_order", "gov_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # two levels only: a parent must be a top-level theme (no field when only viewing)
        if "parent" in self.fields:
            self.fields["parent"].queryset = Theme.objects.filter(parent__isnull=True)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    form = ThemeAdminForm
    list_display = ("full_name", "sort_order", "gov_id")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "parent__name")
    list_select_related = ("parent",)
    ordering = ("parent__sort_order", "parent_id", "sort_order")

    @admin.display(description="主题分类", ordering="name")
    def full_name(self, obj: Theme) -> str:
        return obj.full_name


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ("name", "is_statutory", "sort_order")
    list_filter = ("is_statutory",)
    search_fields = ("name",)


@admin.register(Column)
class ColumnAdmin(admin.ModelAdmin):
    """栏目 tree: legal basis, update rule and who must fill it (docs/compliance.md).
    The update-rule check is Column.clean → column_rule_errors."""

    list_display = (
        "name",
        "slug",
        "parent",
        "legal_basis",
        "update_rule",
        "max_days",
        "required_scope",
        "sort_order",
        "show_on_home",
    )
    list_filter = ("update_rule", "required_scope")
    search_fields = ("name", "slug", "legal_basis")
    filter_horizontal = ("required_agencies",)
    list_select_related = ("parent",)
