from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from catalog import api, docx_views, staff_notice_views, staff_views, views
from catalog.feeds import NoticeFeed
from catalog.sitemaps import SITEMAPS

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    # 政府信息公开目录 (searchable list), feeds, notices and their attachments
    path("xxgk/", views.notice_list, name="notice_list"),
    path("xxgk/feed/", NoticeFeed(), name="notice_feed"),
    path("xxgk/<uuid:uuid>/", views.notice_detail, name="notice_detail"),
    path(
        "xxgk/<uuid:uuid>/fujian/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    # 条例 第十二条: 政府信息公开目录 and 政府信息公开指南
    path("mulu/", views.directory, name="directory"),
    path("zhinan/", views.guide, name="guide"),
    path("sitemap/", views.sitemap_page, name="sitemap_page"),
    # 开放数据: the feeds, the JSON API, sitemap.xml and the export formats in one place
    path("kaifang/", views.open_data, name="open_data"),
    # 基层政务公开标准目录: an agency's items and the notices that fulfil them (staff)
    path(
        "staff/jiceng/",
        staff_views.standard_item_list,
        name="staff_standard_items",
    ),
    path(
        "staff/jiceng/<int:pk>/",
        staff_views.standard_item_edit,
        name="staff_standard_item",
    ),
    # 清理 decisions on a notice (linked from the compliance finding validity_review)
    path(
        "staff/qingli/<int:pk>/",
        staff_views.notice_cleanup,
        name="staff_notice_cleanup",
    ),
    # staff notice pages: list, editor, preview (catalog.staff_notice_views)
    path(
        "staff/xinxi/", staff_notice_views.staff_notice_list, name="staff_notice_list"
    ),
    path(
        "staff/xinxi/new/",
        staff_notice_views.staff_notice_edit,
        name="staff_notice_new",
    ),
    path(
        "staff/xinxi/preview/",
        staff_notice_views.staff_notice_preview_unsaved,
        name="staff_notice_preview_unsaved",
    ),
    path(
        "staff/xinxi/<int:pk>/",
        staff_notice_views.staff_notice_edit,
        name="staff_notice_edit",
    ),
    path(
        "staff/xinxi/<int:pk>/preview/",
        staff_notice_views.staff_notice_preview,
        name="staff_notice_preview",
    ),
    path(
        "staff/xinxi/<int:pk>/fujian/<int:attachment_id>/",
        staff_notice_views.staff_attachment,
        name="staff_attachment",
    ),
    path(
        "staff/xinxi/<int:pk>/tupian/",
        staff_notice_views.staff_notice_image,
        name="staff_notice_image",
    ),
    path(
        "staff/xinxi/<int:pk>/withdraw/",
        staff_notice_views.staff_notice_withdraw,
        name="staff_notice_withdraw",
    ),
    # Word (.docx) import: upload → review → draft
    path(
        "staff/xinxi/word/",
        docx_views.notice_import_docx,
        name="staff_notice_import_docx",
    ),
    path(
        "staff/xinxi/word/<str:token>/",
        docx_views.notice_import_docx_review,
        name="staff_notice_import_docx_review",
    ),
    path(
        "staff/xinxi/word/<str:token>/tupian/<int:number>/",
        docx_views.notice_import_docx_image,
        name="staff_notice_import_docx_image",
    ),
    # 修订记录 of a notice: versions, diffs, the pending change to confirm (staff)
    path(
        "staff/xinxi/<int:pk>/lishi/",
        staff_views.notice_history,
        name="staff_notice_history",
    ),
    # read-only JSON API
    path("api/notices/", api.notice_list_api, name="api_notice_list"),
    path("api/notices/<uuid:uuid>/", api.notice_detail_api, name="api_notice_detail"),
    # sitemap.xml (an index) and its sections
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "catalog:sitemap_section"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
