from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import admin as portal_admin
from portal import twofactor_views, views
from portal.auth_views import StaffLoginView, StaffPasswordChangeView
from portal.health import healthz

admin.site.site_header = "政府信息公开平台 · 管理后台"
admin.site.site_title = "政府信息公开平台"
admin.site.index_title = "管理"

portal_patterns = (
    [
        path("display/", views.display_preferences, name="display"),
        path(
            "staff/login/", StaffLoginView.as_view(), name="login"
        ),  # lockout: portal/auth_views.py
        path(
            "staff/login/verify/", twofactor_views.second_factor, name="second_factor"
        ),
        path("staff/login/enrol/", twofactor_views.enrol, name="enrol"),
        path("staff/logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("staff/", views.staff_home, name="staff_home"),
        # 机构信息 (条例 第二十条第（二）项) of the administrator's agency
        path("staff/jigou/", views.staff_profile_edit, name="staff_profile_edit"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("healthz", healthz, name="healthz"),
    # the admin signs in through the same rate-limited view as the workbench
    path("admin/login/", StaffLoginView.as_view(), name="admin_login"),
    # 修改密码: wrong old passwords count in the login lockout (portal/auth_views.py)
    path(
        "admin/password_change/",
        admin.site.admin_view(StaffPasswordChangeView.as_view()),
        name="admin_password_change",
    ),
    # the admin's "view on site" redirect, scoped like the admin (portal/admin.py)
    path(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(portal_admin.view_on_site),
        name="admin_view_on_site",
    ),
    path("admin/", admin.site.urls),
    path("ysq/", include("requests_app.urls")),
    # the compliance monitor (disclosure/compliance.py, docs/compliance.md §5)
    path("staff/hegui/", include("disclosure.compliance_urls")),
    path("nianbao/", include("disclosure.urls")),
    # per-department disclosure pages (issue 13)
    path("bumen/", include("disclosure.department_urls")),
    path("", include("catalog.urls")),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
