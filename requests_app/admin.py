"""Django admin for 依申请公开: read-mostly and scoped.

- Requests are read-only here and scoped with ``selectors.visible_to`` (a staff user
  sees only their agency's; other agencies' change URLs answer as for a missing
  object). Personal data shows masked only; the full values are revealed only on the
  staff workbench by the assigned handler, through ``services.request_reveal_pii``
  (logged). State changes happen only through the services (workbench, commands).
- The history (events), notes, consultations, fee notices and replies appear as
  read-only inlines. Events and the PII access log are append-only in the database.
- 告知书模板 (ReplyTemplate) are editable by superusers (they are site-wide); staff
  with the view permission may read them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from portal.admin import history_html
from requests_app import letters
from requests_app.models import (
    Consultation,
    FeeNotice,
    InfoRequest,
    InternalNote,
    Letter,
    PiiAccessLog,
    ProceduralTemplate,
    ReminderLog,
    Reply,
    ReplyTemplate,
    RequestEvent,
)
from requests_app.selectors import visible_to
from requests_app.services import letters as letter_svc


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("at", "kind", "actor", "actor_label", "is_public", "note")
    readonly_fields = fields
    ordering = ("at", "id")


class NoteInline(ReadOnlyInline):
    model = InternalNote
    fields = ("created_at", "author", "text")
    readonly_fields = fields


class ConsultationInline(ReadOnlyInline):
    model = Consultation
    fields = (
        "party_type",
        "party_name",
        "sent_date",
        "party_received_date",
        "due_date",
        "replied_date",
        "paused_workdays",
    )
    readonly_fields = fields


class FeeNoticeInline(ReadOnlyInline):
    model = FeeNotice
    fields = (
        "method",
        "quantity",
        "amount",
        "issued_date",
        "delivered_date",
        "pay_by_date",
        "paid_date",
        "waived",
        "expired_date",
    )
    readonly_fields = fields


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = ("replied_date", "outcome", "title", "sent_by", "notice")
    readonly_fields = fields


@admin.register(InfoRequest)
class InfoRequestAdmin(admin.ModelAdmin):
    list_display = (
        "tracking_no",
        "agency",
        "status",
        "applicant_kind",
        "applicant_name",
        "received_date",
        "reply_due_date",
        "due_is_provisional",
        "assigned_to",
        "outcome",
        "closed_date",
    )
    list_filter = (
        "status",
        "channel",
        "applicant_kind",
        "outcome",
        "is_extended",
        "due_is_provisional",
    )
    search_fields = ("tracking_no", "applicant_name", "description")
    date_hierarchy = "received_date"
    list_select_related = ("agency", "assigned_to")
    readonly_fields = (
        "tracking_no",
        "code",
        "agency",
        "channel",
        "source",
        "status",
        "submitted_at",
        "received_date",
        "received_basis",
        "arrived_date",
        "confirmed_date",
        "clock_start_date",
        "reply_due_date",
        "due_is_provisional",
        "paused_workdays",
        "fee_paused_workdays",
        "is_extended",
        "extension_status",
        "extension_days",
        "extension_reason",
        "outcome",
        "replied_date",
        "closed_date",
        "assigned_to",
        "applicant_type",
        "applicant_kind",
        "applicant_name",
        "work_unit",
        "id_type",
        "id_number_masked",
        "uscc",
        "legal_representative",
        "contact_name",
        "phone_masked",
        "address_masked",
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
        "correction_asked_date",
        "correction_due_date",
        "correction_items",
        "correction_received_date",
        "correction_text",
    )
    fieldsets = (
        (
            "申请",
            {
                "fields": (
                    "tracking_no",
                    "agency",
                    "channel",
                    "source",
                    "status",
                    "outcome",
                    "assigned_to",
                )
            },
        ),
        (
            "期限",
            {
                "fields": (
                    "submitted_at",
                    "received_date",
                    "received_basis",
                    "arrived_date",
                    "confirmed_date",
                    "clock_start_date",
                    "reply_due_date",
                    "due_is_provisional",
                    "paused_workdays",
                    "fee_paused_workdays",
                    "is_extended",
                    "extension_status",
                    "extension_days",
                    "extension_reason",
                    "replied_date",
                    "closed_date",
                )
            },
        ),
        (
            "申请人（已脱敏）",
            {
                "fields": (
                    "applicant_type",
                    "applicant_kind",
                    "applicant_name",
                    "work_unit",
                    "id_type",
                    "id_number_masked",
                    "uscc",
                    "legal_representative",
                    "contact_name",
                    "phone_masked",
                    "address_masked",
                    "postcode",
                    "fax",
                    "email",
                )
            },
        ),
        (
            "所需信息",
            {
                "fields": (
                    "description",
                    "doc_title",
                    "doc_number",
                    "doc_index_no",
                    "provide_forms",
                    "delivery_methods",
                    "accept_other_forms",
                )
            },
        ),
        (
            "补正",
            {
                "fields": (
                    "correction_asked_date",
                    "correction_due_date",
                    "correction_items",
                    "correction_received_date",
                    "correction_text",
                )
            },
        ),
    )
    inlines = (
        ConsultationInline,
        FeeNoticeInline,
        ReplyInline,
        NoteInline,
        EventInline,
    )

    def get_queryset(self, request):
        return visible_to(request.user).select_related("agency", "assigned_to")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only: every change goes through requests_app.services


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ("title", "legal_basis", "body")

    def clean_body(self) -> str:
        body = self.cleaned_data.get("body", "")
        problems = letters.template_problems(body)
        if problems:
            raise forms.ValidationError(problems)
        return body


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    form = ReplyTemplateForm
    list_display = (
        "ground",
        "outcome",
        "title",
        "legal_basis",
        "updated_at",
        "updated_by",
    )
    fields = ("ground", "outcome", "title", "legal_basis", "body", "history")
    readonly_fields = ("ground", "outcome", "history")

    @admin.display(description="修改记录")
    def history(self, obj):
        if obj.pk is None:
            return "—"
        return history_html(obj.versions.select_related("actor").order_by("-at", "-id"))

    def has_add_permission(self, request):
        return False  # one template per legal ground, seeded by migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        letter_svc.reply_template_update(
            template=obj,
            by=request.user,
            title=form.cleaned_data["title"],
            legal_basis=form.cleaned_data["legal_basis"],
            body=form.cleaned_data["body"],
        )


class ProceduralTemplateForm(forms.ModelForm):
    class Meta:
        model = ProceduralTemplate
        fields = ("title", "legal_basis", "body")

    def clean_body(self) -> str:
        body = self.cleaned_data.get("body", "")
        kind = self.instance.kind
        if kind in letters.PROCEDURAL:
            problems = letters.template_problems(
                body, letters.procedural_placeholders(kind)
            )
            if problems:
                raise forms.ValidationError(problems)
        return body


@admin.register(ProceduralTemplate)
class ProceduralTemplateAdmin(admin.ModelAdmin):
    """受理回执, 补正通知, 延期告知, 征求意见函, 收费通知: one row per kind, seeded."""

    form = ProceduralTemplateForm
    list_display = ("kind", "title", "legal_basis", "updated_at", "updated_by")
    fields = ("kind", "placeholders", "title", "legal_basis", "body", "history")
    readonly_fields = ("kind", "placeholders", "history")

    @admin.display(description="修改记录")
    def history(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return history_html(obj.versions.select_related("actor").order_by("-at", "-id"))

    @admin.display(description="可用占位符")
    def placeholders(self, obj) -> str:
        if obj is None or obj.kind not in letters.PROCEDURAL:
            return ""
        return " ".join(f"{{{p}}}" for p in letters.procedural_placeholders(obj.kind))

    def has_add_permission(self, request):
        return False  # one template per kind, seeded by migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        letter_svc.procedural_template_update(
            template=obj,
            by=request.user,
            title=form.cleaned_data["title"],
            legal_basis=form.cleaned_data["legal_basis"],
            body=form.cleaned_data["body"],
        )


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    """Read-only: letters are drafted, 签发 and delivered only through the services
    (no way around 签发 from the admin)."""

    list_display = ("number", "title", "kind", "status", "agency", "letter_date")
    list_filter = ("kind", "status")
    list_select_related = ("agency",)
    search_fields = ("number", "info_request__tracking_no")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(info_request__in=visible_to(request.user))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Letter._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PiiAccessLog)
class PiiAccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "info_request", "reason", "fields")
    list_select_related = ("user", "info_request")
    readonly_fields = ("at", "user", "info_request", "reason", "fields")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(info_request__in=visible_to(request.user))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderLog)
class ReminderLogAdmin(PiiAccessLogAdmin):
    list_display = (
        "claimed_at",
        "sent_at",
        "recipient",
        "info_request",
        "kind",
        "due_date",
    )
    list_select_related = ("recipient", "info_request")
    readonly_fields = list_display
