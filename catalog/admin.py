"""Django admin for the catalog, scoped and routed through the services.

- A staff user edits only the notices their agency leads (``Notice.objects.editable_by``)
  and sees, read-only, the 联合发文 their agency co-publishes (``visible_to``); other
  agencies' change URLs are unreachable (the admin redirects as for a missing object).
  The 主办机关 (lead 发文机关) of a new notice is forced to the user's agency, and a
  publisher list that leaves it out is refused (``catalog.publishing``).
- Saving calls ``notice_create`` / ``notice_update`` (body sanitised, 发文字号
  normalised; a malformed one is a form error on that field); attachments go through
  ``attachment_add`` / ``attachment_remove`` (type and size checks, text extraction);
  解读 links through ``notice_set_interpretations``. Everything lands in the
  append-only history, shown read-only on the page.
- Actions: 确认保密审查, 发布 (issues the 索引号; records the 保密审查) and 撤回 (asks for
  the reason category on a confirmation page). Pending 解读 links onto another agency's
  notice are accepted or refused in their own list (InterpretationLinkRequestAdmin).
- Personal data (``catalog.guard``): publishing, editing a public notice and adding an
  attachment to one are refused while what the public sees holds personal data. An
  approver (审核人) may override the findings shown, with a reason: on the publish
  action's confirmation page, and in a section of the change form that only approvers
  see. The override covers exactly those findings.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from catalog import guard
from catalog.attachments import inspect_upload
from catalog.forms import (
    SECURITY_REVIEW_LABEL,
    NoticeFormBase,
    WithdrawForm,
    may_override_personal_data,
    refuse_unless_overridden,
    second_review_required,
)
from catalog.models import (
    Attachment,
    Column,
    Genre,
    InterpretationLinkRequest,
    Notice,
    NoticeEvent,
    NoticePublisher,
    NoticeRevision,
    Theme,
)
from catalog.services import (
    EDITABLE_FIELDS,
    attachment_add,
    attachment_remove,
    notice_confirm_security_review,
    notice_create,
    notice_decide_interpretation_link,
    notice_publish,
    notice_set_interpretations,
    notice_update,
    notice_withdraw,
)
from portal import timeutil
from portal.filestore import STORAGE_FULL_MESSAGE, StorageFull
from portal.pii import LocatedFinding
from portal.roles import staff_agency

# --- notices --------------------------------------------------------------------------


logger = logging.getLogger(__name__)

_second_review = second_review_required


def _review_ticked(data) -> bool:
    return (data or {}).get("security_review_confirmed") in ("on", "true", "1", True)


class NoticeAdminForm(NoticeFormBase):
    """The shared notice form (catalog.forms) with the admin's two-pane pickers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publisher_agencies"].widget = FilteredSelectMultiple(
            "发文机关",
            is_stacked=False,
            choices=self.fields["publisher_agencies"].choices,
        )
        self.fields["interpretation_notices"].widget = FilteredSelectMultiple(
            "相关解读",
            is_stacked=False,
            choices=self.fields["interpretation_notices"].choices,
        )


_may_override = may_override_personal_data
_refuse_unless_overridden = refuse_unless_overridden


class AttachmentInlineForm(forms.ModelForm):
    request_user = None  # set per request by AttachmentInline.get_formset
    request_post = None  # the request's POST (see _refuse_unless_overridden)
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

    storage_full = False  # set for the re-render after a full disk (NoticeAdmin)

    def _check_security_review(self, cleaned: dict) -> None:
        """A file added to or removed from a published notice is a change of its public
        content (条例 第十七条): the notice form's tick, or, for a second-person agency,
        a refusal (a file cannot wait in a pending revision)."""
        adding = cleaned.get("upload") and not self.instance.pk
        removing = cleaned.get("DELETE") and self.instance.pk
        if not (adding or removing) or not self.instance.notice_id:
            return
        notice = (
            Notice.objects.select_related("owner_agency")
            .filter(pk=self.instance.notice_id)
            .first()
        )
        if notice is None or notice.status != Notice.Status.PUBLISHED:
            return
        if _second_review(notice):
            self.add_error(
                None,
                "本机关要求保密审查由第二人确认（条例第十七条），已发布信息的附件不能直接增删。"
                "请先撤回该信息，修改附件后由第二人确认保密审查，再重新发布。",
            )
        elif not _review_ticked(self.request_post):
            self.add_error(
                None,
                f"{'添加' if adding else '删除'}附件会改变已发布信息的公开内容：请先对修改后的"
                f"内容进行保密审查，再勾选“{SECURITY_REVIEW_LABEL}”。",
            )

    def clean(self):
        cleaned = super().clean()
        self._check_security_review(cleaned)
        upload = cleaned.get("upload")
        if upload and not self.instance.pk:
            try:
                self.inspected = inspect_upload(upload)
            except ValidationError as exc:
                self.add_error("upload", exc.message_dict.get("file", exc.messages))
            else:
                self._check_personal_data()
            if self.storage_full:
                self.add_error(
                    "upload",
                    f"{STORAGE_FULL_MESSAGE}：附件未能保存，本页的修改也都未保存；"
                    "请稍后再次提交（需重新选择此文件）",
                )
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
        # the notice form's data is request.POST itself; the rows get a copy of it
        attrs = {"request_user": request.user, "request_post": request.POST}
        if getattr(request, "_storage_full", False):
            attrs["storage_full"] = True
        kwargs["form"] = type("AttachmentInlineForm", (self.form,), attrs)
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
    actions = ("confirm_security_review", "publish_selected", "withdraw_selected")
    inlines = (AttachmentInline, NoticeEventInline)
    readonly_fields = (
        "index_number",
        "status",
        "published_at",
        "security_review_display",
        "withdrawn_at",
        "withdrawn_category",
        "withdrawn_reason",
    )

    def has_change_permission(self, request, obj=None) -> bool:
        # co-publishers of a 联合发文 see it here, read-only: only the lead agency edits
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return Notice.objects.editable_by(request.user).filter(pk=obj.pk).exists()

    @admin.display(description="保密审查")
    def security_review_display(self, obj: Notice) -> str:
        if not obj.security_reviewed_by_id:
            return "未确认"
        at = timezone.localtime(obj.security_reviewed_at)
        return f"{obj.security_reviewed_by}（{at:%Y-%m-%d %H:%M}）确认"

    def get_queryset(self, request):
        return (
            Notice.objects.visible_to(request.user)
            .select_related("owner_agency", "security_reviewed_by")
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
        attrs = {"request_user": request.user, "request_post": request.POST}
        return type(form.__name__, (form,), attrs)

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
                    {"fields": ["pii_override", "pii_override_reason", "pii_shown"]},
                )
            ]
        review = []
        if obj is not None and obj.status == Notice.Status.PUBLISHED:
            review = [
                (
                    "保密审查（条例第十七条）",
                    {
                        "fields": ["second_review_note"]
                        if _second_review(obj)
                        else ["security_review_confirmed"]
                    },
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
            *review,
            (
                "状态（只能通过“确认保密审查”“发布”“撤回”操作改变）",
                {
                    "fields": [
                        *self.readonly_fields,
                        *(["revisions_link"] if obj is not None else []),
                    ]
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        extra = ("revisions_link", "second_review_note")
        if obj is not None and request.user.is_superuser:
            return (*self.readonly_fields, *extra, "owner_agency")
        return (*self.readonly_fields, *extra)

    @admin.display(description="修订记录")
    def revisions_link(self, obj: Notice) -> str:
        pending = NoticeRevision.objects.filter(
            notice_id=obj.pk, status=NoticeRevision.Status.PENDING
        ).exists()
        return format_html(
            '<a href="{}">查看修订记录和差异</a>{}',
            reverse("catalog:staff_notice_history", args=[obj.pk]),
            "（有待确认的修改）" if pending else "",
        )

    @admin.display(description="保密审查")
    def second_review_note(self, obj: Notice) -> str:
        return (
            "本机关要求保密审查由第二人确认：对标题、正文等公开内容的修改保存后不会立即公开，"
            "而是作为待确认的修改，由提出人以外的工作人员在修订记录页面确认保密审查后生效。"
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request) -> bool:
        if not super().has_add_permission(request):
            return False
        return request.user.is_superuser or staff_agency(request.user) is not None

    def has_delete_permission(self, request, obj=None) -> bool:
        # published notices are withdrawn (撤回), never deleted; only a superuser may drop a draft
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A full disk while storing an attachment rolls the whole change back (the
        admin's transaction) and shows the form again with everything typed and a
        Chinese error on the upload, instead of a 500 (security.md §8, issue 11 §2.4)."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StorageFull:
            logger.error(
                "catalog admin: storage full storing an attachment (notice %s)",
                object_id or "new",
            )
            request._storage_full = True
            return super().changeform_view(request, object_id, form_url, extra_context)

    # -- saving through the services --

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in EDITABLE_FIELDS if name in data}
        owner = form.lead_agency()
        publishers = form.ordered_publishers()  # checked again by the service
        if change:
            saved = notice_update(
                notice=obj,
                by=request.user,
                publishers=publishers,
                override_reason=form.override_reason(),
                override_shown=form.shown_fingerprints(),
                security_review_confirmed=bool(
                    form.cleaned_data.get("security_review_confirmed")
                ),
                **fields,
            )
            if saved.pending_revision is not None:
                self.message_user(
                    request,
                    format_html(
                        "本机关要求保密审查由第二人确认（条例第十七条）：本次修改未公开，"
                        "已作为待确认的修改保存，须由另一名工作人员在"
                        '<a href="{}">修订记录</a>页面确认后生效。公开页面仍显示原内容。',
                        reverse("catalog:staff_notice_history", args=[obj.pk]),
                    ),
                    messages.WARNING,
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
            policy=notice,
            interpretations=wanted,
            by=request.user,
            now=timeutil.local_now(),
        )
        pending = InterpretationLinkRequest.objects.filter(
            policy=notice, status=InterpretationLinkRequest.Status.PENDING
        ).count()
        if pending:
            self.message_user(
                request,
                f"有 {pending} 条解读关联涉及其他机关的信息，须经对方机关接受后才会公开显示。",
                messages.WARNING,
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
                attachment_remove(
                    attachment=inline_form.instance,
                    by=request.user,
                    security_review_confirmed=_review_ticked(form.cleaned_data),
                )
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
                        override_shown=form.shown_fingerprints(),
                        security_review_confirmed=_review_ticked(form.cleaned_data),
                    )
                )

    # -- actions --

    @admin.action(
        description="确认保密审查（条例第十七条：确认所选信息可以公开）",
        permissions=["change"],
    )
    def confirm_security_review(self, request, queryset):
        now = timeutil.local_now()
        done = 0
        for notice in queryset.order_by("pk"):
            try:
                notice_confirm_security_review(notice=notice, by=request.user, now=now)
            except (ValidationError, PermissionDenied) as exc:
                messages_ = (
                    exc.messages if isinstance(exc, ValidationError) else exc.args
                )
                self.message_user(
                    request,
                    f"“{notice.title}”未能确认保密审查：{'；'.join(map(str, messages_))}",
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request, f"已确认 {done} 条信息的保密审查。", messages.SUCCESS
            )

    @admin.action(
        description="发布所选信息（生成索引号；发布人确认已通过保密审查）",
        permissions=["change"],
    )
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
            except PermissionDenied as exc:
                self.message_user(
                    request, f"“{notice.title}”未能发布：{exc}", messages.ERROR
                )
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

    @admin.action(
        description="撤回所选信息（误发布或依法不应公开；需选择原因类别）",
        permissions=["change"],
    )
    def withdraw_selected(self, request, queryset):
        published = (
            queryset.filter(status=Notice.Status.PUBLISHED)
            .filter(pk__in=Notice.objects.editable_by(request.user).values("pk"))
            .order_by("pk")
        )
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
                        category=form.cleaned_data["category"],
                        reason=form.cleaned_data["reason"],
                    )
                    count += 1
                self.message_user(
                    request,
                    f"已撤回 {count} 条信息。公开页面只显示标题、索引号、日期和撤回原因类别；"
                    "如属误撤回，可重新发布。",
                    messages.SUCCESS,
                )
                return None
        else:
            form = WithdrawForm()
        if not published.exists():
            self.message_user(
                request,
                "所选信息中没有本机关牵头发布的已发布信息，无需撤回。",
                messages.WARNING,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "撤回政府信息",
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


# --- 解读 links that wait for another agency ------------------------------------------


@admin.register(InterpretationLinkRequest)
class InterpretationLinkRequestAdmin(admin.ModelAdmin):
    """解读 links waiting for this agency: its staff accept or refuse them. The asking
    agency sees its request in the notice's history. Written only through
    ``notice_decide_interpretation_link``."""

    list_display = (
        "policy",
        "interpretation",
        "requested_by_agency",
        "deciding_agency",
        "status",
        "requested_at",
    )
    list_filter = ("status",)
    fields = (*list_display, "requested_by", "decided_by", "decided_at")
    readonly_fields = fields
    actions = ("accept_selected", "refuse_selected")

    def get_queryset(self, request):
        qs = InterpretationLinkRequest.objects.select_related(
            "policy", "interpretation", "requested_by_agency", "deciding_agency"
        )
        if request.user.is_superuser:
            return qs
        agency = staff_agency(request.user)
        if agency is None:
            return qs.none()
        return qs.filter(deciding_agency=agency)

    def has_add_permission(self, request) -> bool:
        return False  # made by linking a 解读 on the notice page

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # decided through the actions only

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _decide(self, request, queryset, *, accept: bool) -> None:
        now = timeutil.local_now()
        done = 0
        for link in queryset.order_by("pk"):
            try:
                notice_decide_interpretation_link(
                    link_request=link, by=request.user, now=now, accept=accept
                )
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.ERROR)
            except ValidationError as exc:
                self.message_user(request, "；".join(exc.messages), messages.ERROR)
            else:
                done += 1
        if done:
            verb = "接受" if accept else "拒绝"
            self.message_user(
                request, f"已{verb} {done} 条解读关联。", messages.SUCCESS
            )

    @admin.action(description="接受所选解读关联（将在两个页面上公开显示）")
    def accept_selected(self, request, queryset):
        self._decide(request, queryset, accept=True)

    @admin.action(description="拒绝所选解读关联")
    def refuse_selected(self, request, queryset):
        self._decide(request, queryset, accept=False)


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
