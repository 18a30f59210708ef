from __future__ import annotations

from django.urls import path, register_converter

from disclosure.views import public, staff


class FormatConverter:
    regex = "json|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "disclosure"
urlpatterns = [
    # public: the 年报 column, reports, versions, downloads, live statistics
    path("", public.report_list, name="report_list"),
    path("<int:pk>/", public.report_detail, name="report_detail"),
    path("<int:pk>/v<int:number>/", public.report_version, name="report_version"),
    path("<int:pk>/download.<fmt:fmt>", public.report_download, name="report_download"),
    path(
        "<int:pk>/v<int:number>/download.<fmt:fmt>",
        public.report_download,
        name="report_version_download",
    ),
    path("tongji/", public.statistics, name="statistics"),
    path("tongji/download.csv", public.statistics_csv, name="statistics_csv"),
    # staff
    path("staff/", staff.staff_report_list, name="staff_report_list"),
    path("staff/dashboard/", staff.staff_dashboard, name="staff_dashboard"),
    path("staff/appeals/", staff.staff_appeal_list, name="staff_appeal_list"),
    path("staff/appeals/<int:pk>/", staff.staff_appeal_edit, name="staff_appeal_edit"),
    path("staff/<int:pk>/", staff.staff_report_detail, name="staff_report_detail"),
    path("staff/<int:pk>/edit/", staff.staff_report_edit, name="staff_report_edit"),
    path(
        "staff/<int:pk>/draft.<fmt:fmt>",
        staff.staff_report_download,
        name="staff_report_download",
    ),
    path(
        "staff/<int:pk>/<slug:action>/",
        staff.staff_report_action,
        name="staff_report_action",
    ),
]
