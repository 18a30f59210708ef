"""Read-only admin views of the annual reports: every change goes through the staff
pages and ``disclosure.services`` (workflow, snapshots, events), never the admin.

Scoped like the staff pages (``disclosure.access``): a staff user who is granted a view
permission here sees only their own agency's rows; other agencies' change URLs answer as
for a missing object. Only superusers see every agency."""

from __future__ import annotations

from django.contrib import admin

from disclosure.models import (
    AnnualReport,
    AnnualReportEvent,
    AnnualReportVersion,
    AppealCase,
)
from portal.roles import staff_agency


class ReadOnlyAdmin(admin.ModelAdmin):
    agency_field = "agency"  # path from the model to its agency

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        agency = staff_agency(request.user)
        if agency is None:
            return qs.none()
        return qs.filter(**{f"{self.agency_field}_id": agency.pk})

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = AnnualReportVersion
    fields = ("number", "published_at", "published_by", "correction_note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = (
        "year",
        "agency",
        "layout",
        "status",
        "current_version",
        "index_number",
        "first_published_at",
    )
    list_filter = ("year", "status", "layout")
    search_fields = ("agency__name", "index_number")
    list_select_related = ("agency",)
    inlines = [VersionInline]


@admin.register(AnnualReportVersion)
class AnnualReportVersionAdmin(ReadOnlyAdmin):
    agency_field = "report__agency"
    list_display = ("report", "number", "published_at", "published_by")
    list_select_related = ("report__agency", "published_by")


@admin.register(AnnualReportEvent)
class AnnualReportEventAdmin(ReadOnlyAdmin):
    agency_field = "report__agency"
    list_display = ("at", "report", "action", "actor", "comment")
    list_filter = ("action",)
    list_select_related = ("report__agency", "actor")


@admin.register(AppealCase)
class AppealCaseAdmin(ReadOnlyAdmin):
    list_display = (
        "agency",
        "kind",
        "case_number",
        "filed_year",
        "filed_date",
        "result",
        "decided_date",
    )
    list_filter = ("kind", "result", "filed_year")
    search_fields = ("case_number", "agency__name")
    list_select_related = ("agency",)
