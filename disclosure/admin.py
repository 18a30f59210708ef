"""Read-only admin views of the annual reports: every change goes through the staff
pages and ``disclosure.services`` (workflow, snapshots, events), never the admin."""

from __future__ import annotations

from django.contrib import admin

from disclosure.models import (
    AnnualReport,
    AnnualReportEvent,
    AnnualReportVersion,
    AppealCase,
)


class ReadOnlyAdmin(admin.ModelAdmin):
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
    list_display = ("report", "number", "published_at", "published_by")
    list_select_related = ("report__agency", "published_by")


@admin.register(AnnualReportEvent)
class AnnualReportEventAdmin(ReadOnlyAdmin):
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
