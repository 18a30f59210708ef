"""Admin for the portal core: agencies, staff, site identity and the work calendar.

Calendar writes go through ``portal.calendar_services`` so that every change is
logged to ``WorkCalendarChange`` and announced with ``work_calendar_changed``.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from portal import calendar_services, services
from portal.models import (
    Agency,
    SiteIdentity,
    StaffProfile,
    WorkCalendarChange,
    WorkCalendarDay,
    WorkCalendarYear,
)
from portal.validators import normalise_code
from portal.workdays import WEEKDAY_NAMES, WORK

# --- "在站点上查看" (/admin/r/<content type>/<id>/, routed in portal/urls.py) ------------


def view_on_site(
    request: HttpRequest, content_type_id: str, object_id: str
) -> HttpResponse:
    """The admin's "view on site" redirect, only for an object the user may see in the
    admin; anything else is 404, as for a missing object. Django's own view redirects
    for any object of any model, which told a department's staff that another agency's
    draft annual report exists (a redirect instead of 404)."""
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        model_admin = admin.site.get_model_admin(model)
    except (ContentType.DoesNotExist, ValueError, NotRegistered):
        raise Http404 from None
    obj = model_admin.get_object(request, object_id)
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    return contenttype_views.shortcut(request, content_type_id, object_id)


# --- Agencies and staff --------------------------------------------------------------


class AgencyAdminForm(forms.ModelForm):
    website = forms.URLField(label="网址", required=False, assume_scheme="https")

    class Meta:
        model = Agency
        fields = (
            "name",
            "short_name",
            "kind",
            "parent",
            "org_code",
            "index_template",
            "sort_order",
            "is_active",
            "office_name",
            "address",
            "postcode",
            "office_hours",
            "phone",
            "fax",
            "email",
            "website",
            "pii_allowed",
            "review_body",
            "court",
            "letter_number_template",
            "handlers_may_send_disclosed",
            "report_included_in",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("report_included_in")
        if field is not None:
            # only an agency that is not itself included can include others
            choices = Agency.objects.filter(report_included_in__isnull=True)
            if self.instance.pk is not None:
                choices = choices.exclude(pk=self.instance.pk)
            field.queryset = choices.order_by("sort_order", "id")
            field.empty_label = "不并入（单独编制年报）"

    def clean_org_code(self) -> str:
        # Full-width digits, spaces and lower case are normalised; the model's
        # validate_org_code then checks the checksum of the stored value.
        return normalise_code(self.cleaned_data.get("org_code", ""))

    def clean_postcode(self) -> str:
        value = normalise_code(self.cleaned_data.get("postcode", ""))
        if value and not re.fullmatch(r"\d{6}", value):
            raise forms.ValidationError("邮政编码应为 6 位数字")
        return value

    def clean_index_template(self) -> str:
        value = self.cleaned_data.get("index_template", "")
        try:
            value.format(org_code="00001434-9", year=2026, month=1, seq=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise forms.ValidationError(
                "索引号模板有误：只能使用 {org_code}、{year}、{month}、{seq} 占位符，例如 {org_code}/{year}-{seq:05d}"
            ) from exc
        return value


def history_html(rows) -> str:
    """A record's history rows (newest first) as a list for a read-only admin field:
    time, who, and each changed field as before → after."""
    items = []
    for row in rows:
        changes = "；".join(
            f"{name}：{before!r} → {after!r}"
            for name, (before, after) in (row.changes or {}).items()
        )
        label = getattr(row, "get_action_display", lambda: "保存")()
        items.append(
            (f"{row.at:%Y-%m-%d %H:%M}", row.actor or "系统", label, changes or "—")
        )
    if not items:
        return "—"
    return format_html(
        "<ul>{}</ul>",
        format_html_join("", "<li>{} {} {}：{}</li>", items),
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyAdminForm
    list_display = (
        "name",
        "short_name",
        "kind",
        "org_code",
        "parent",
        "sort_order",
        "is_active",
    )
    list_filter = ("kind", "is_active")
    list_select_related = ("parent",)
    search_fields = ("name", "short_name", "org_code")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "short_name",
                    "kind",
                    "parent",
                    "org_code",
                    "index_template",
                    "sort_order",
                    "is_active",
                )
            },
        ),
        (
            "政府信息公开工作机构（联系方式，列入政府信息公开指南）",
            {
                "fields": (
                    "office_name",
                    "address",
                    "postcode",
                    "office_hours",
                    "phone",
                    "fax",
                    "email",
                    "website",
                    "pii_allowed",
                )
            },
        ),
        (
            "告知书与签发（复议机关、管辖法院、文号）",
            {
                "fields": (
                    "review_body",
                    "court",
                    "letter_number_template",
                    "handlers_may_send_disclosed",
                )
            },
        ),
        (
            "政府信息公开工作年度报告（统计范围）",
            {"fields": ("report_included_in",)},
        ),
        ("变更记录", {"fields": ("history",)}),
    )
    readonly_fields = ("history",)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # the annual report's scope is the county's decision: superusers only
        if request.user.is_superuser:
            return self.readonly_fields
        return (*self.readonly_fields, "report_included_in")

    @admin.display(description="变更记录")
    def history(self, obj: Agency) -> str:
        if obj.pk is None:
            return "—"
        return history_html(obj.events.select_related("actor").order_by("-at", "-id"))

    def save_model(self, request: HttpRequest, obj: Agency, form, change: bool) -> None:
        services.agency_save(agency=obj, by=request.user, source="admin")


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    fk_name = "user"
    fields = ("agency", "title")
    can_delete = True
    max_num = 1
    extra = 0
    verbose_name = "所属机关"
    verbose_name_plural = "所属机关（工作人员必填）"


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)

# Second-factor devices are managed through the user admin's 重置两步验证 action and
# the enrolment page (portal/twofactor.py), never edited by hand: a device key shown
# or typed in the admin would defeat the second factor.
try:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)
except ImportError:  # pragma: no cover - django-otp is a pinned dependency
    pass


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = (StaffProfileInline,)
    list_display = (
        "username",
        "get_full_name",
        "email",
        "staff_agency",
        "is_staff",
        "is_active",
    )
    list_select_related = ("staff_profile__agency",)
    actions = ("reset_second_factor",)

    @admin.action(
        description="重置两步验证（手机丢失时：删除验证器和恢复码，下次登录重新绑定）",
        permissions=("change",),
    )
    def reset_second_factor(self, request, queryset) -> None:
        from portal import services
        from portal.timeutil import local_now

        now = local_now()
        for user in queryset:
            services.staff_second_factor_reset(user=user, by=request.user, now=now)
        self.message_user(
            request, f"已重置 {queryset.count()} 个账号的两步验证，下次登录时重新绑定。"
        )

    @admin.display(description="所属机关")
    def staff_agency(self, obj) -> str:
        profile = getattr(obj, "staff_profile", None)
        return str(profile.agency) if profile else "—"


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "title")
    list_filter = ("agency",)
    list_select_related = ("user", "agency")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "agency__name",
    )
    autocomplete_fields = ("agency",)
    raw_id_fields = ("user",)


# --- Site identity (one row) -----------------------------------------------------------


class SiteIdentityForm(forms.ModelForm):
    class Meta:
        model = SiteIdentity
        fields = (
            "site_name",
            "domain",
            "sponsor",
            "site_code",
            "icp_number",
            "police_record",
            "contact_phone",
            "contact_email",
            "address",
            "report_deadline_department",
            "report_deadline_government",
        )

    def _clean_month_day(self, field: str) -> str:
        value = normalise_code(self.cleaned_data.get(field, ""))
        try:
            if not re.fullmatch(r"\d{2}-\d{2}", value):
                raise ValueError(value)
            date(2024, int(value[:2]), int(value[3:]))  # a leap year accepts 02-29
        except ValueError as exc:
            raise forms.ValidationError(
                "应为 MM-DD 格式的有效日期，例如 01-31"
            ) from exc
        return value

    def clean_report_deadline_department(self) -> str:
        return self._clean_month_day("report_deadline_department")

    def clean_report_deadline_government(self) -> str:
        return self._clean_month_day("report_deadline_government")


@admin.register(SiteIdentity)
class SiteIdentityAdmin(admin.ModelAdmin):
    form = SiteIdentityForm
    readonly_fields = ("history",)

    @admin.display(description="修改记录")
    def history(self, obj: SiteIdentity) -> str:
        if obj.pk is None:
            return "—"
        return history_html(obj.versions.select_related("actor").order_by("-at", "-id"))

    list_display = ("site_name", "sponsor", "site_code", "domain")
    fieldsets = (
        (
            "网站标识（《政府网站发展指引》）",
            {
                "fields": (
                    "site_name",
                    "domain",
                    "sponsor",
                    "site_code",
                    "icp_number",
                    "police_record",
                )
            },
        ),
        ("联系方式", {"fields": ("contact_phone", "contact_email", "address")}),
        (
            "年度报告发布期限（次年）",
            {"fields": ("report_deadline_department", "report_deadline_government")},
        ),
        ("修改记录", {"fields": ("history",)}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not SiteIdentity.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # There is only ever one row: go straight to it.
        obj = SiteIdentity.objects.filter(pk=1).first()
        if obj is not None and self.has_view_or_change_permission(request, obj):
            return HttpResponseRedirect(
                reverse("admin:portal_siteidentity_change", args=[obj.pk])
            )
        return super().changelist_view(request, extra_context)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        defaults = SiteIdentity.load()
        initial = {
            name: getattr(defaults, name) for name in SiteIdentityForm.Meta.fields
        }
        initial.update(super().get_changeform_initial_data(request))
        return initial

    def save_model(
        self, request: HttpRequest, obj: SiteIdentity, form, change: bool
    ) -> None:
        services.site_identity_save(identity=obj, by=request.user)


# --- Work calendar -------------------------------------------------------------------------


class WorkCalendarDayForm(forms.ModelForm):
    class Meta:
        model = WorkCalendarDay
        fields = ("date", "kind", "name", "source")

    def clean(self) -> dict:
        cleaned = super().clean()
        day, kind = cleaned.get("date"), cleaned.get("kind")
        if day and kind == WORK and day.weekday() < 5:
            self.add_error(
                "kind",
                f"{day} 是{WEEKDAY_NAMES[day.weekday()]}，本来就是工作日；调休上班日应为周六或周日",
            )
        return cleaned


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    form = WorkCalendarDayForm
    list_display = ("date", "weekday", "kind", "name", "source", "updated_at")
    list_filter = ("kind", "name")
    search_fields = ("name", "source")
    date_hierarchy = "date"
    ordering = ("-date",)

    @admin.display(description="星期", ordering="date")
    def weekday(self, obj: WorkCalendarDay) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()]

    def save_model(
        self, request: HttpRequest, obj: WorkCalendarDay, form, change: bool
    ) -> None:
        calendar_services.calendar_day_save(day=obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: WorkCalendarDay) -> None:
        calendar_services.calendar_day_delete(day=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        calendar_services.calendar_days_delete(days=list(queryset), by=request.user)


class WorkCalendarYearForm(forms.ModelForm):
    class Meta:
        model = WorkCalendarYear
        fields = ("year", "source")

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2099:
            raise forms.ValidationError("年份应在 2000–2099 之间")
        return year


@admin.register(WorkCalendarYear)
class WorkCalendarYearAdmin(admin.ModelAdmin):
    form = WorkCalendarYearForm
    list_display = ("year", "source", "imported_at")
    ordering = ("-year",)

    def save_model(
        self, request: HttpRequest, obj: WorkCalendarYear, form, change: bool
    ) -> None:
        calendar_services.calendar_year_save(year_row=obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: WorkCalendarYear) -> None:
        calendar_services.calendar_year_delete(year_row=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        calendar_services.calendar_years_delete(
            year_rows=list(queryset), by=request.user
        )


@admin.register(WorkCalendarChange)
class WorkCalendarChangeAdmin(admin.ModelAdmin):
    """The change log is append-only: nobody adds, edits or deletes entries here."""

    list_display = (
        "changed_at",
        "action_label",
        "year",
        "date",
        "detail",
        "changed_by",
    )
    list_filter = ("action", "year")
    list_select_related = ("changed_by",)
    search_fields = ("detail",)
    date_hierarchy = "changed_at"

    @admin.display(description="操作", ordering="action")
    def action_label(self, obj: WorkCalendarChange) -> str:
        return calendar_services.ACTION_LABELS.get(obj.action, obj.action)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
