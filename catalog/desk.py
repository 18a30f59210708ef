"""What ``catalog`` contributes to the staff workspace (portal/staff_desk.py): the
政府信息 entry of the navigation and the 工作台 panel of unpublished notices."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from portal import roles
from portal.staff_desk import Panel, PanelItem, register_nav, register_panel

NOTICE_LIST_URL = "admin:catalog_notice_changelist"  # MERGE: catalog:staff_notice_list


def may_open_notice_list(user: Any) -> bool:
    """What Django's admin asks before the notice changelist (``admin_view`` and
    ``has_view_or_change_permission``). MERGE: the predicate of
    catalog:staff_notice_list once the staff notice list replaces the admin's."""
    return roles.is_active_staff(user) and (
        user.has_perm("catalog.view_notice") or user.has_perm("catalog.change_notice")
    )


def notice_panel(user: Any, today: date) -> Panel | None:
    """Drafts of the user's agency (superuser: all), split by 保密审查, in one query."""
    from catalog.models import Notice

    if not may_open_notice_list(user):
        return None
    if not user.is_superuser and roles.staff_agency(user) is None:
        return None
    draft = Q(status=Notice.Status.DRAFT)
    counts = Notice.objects.editable_by(user).aggregate(
        drafts=Count("pk", filter=draft),
        unreviewed=Count("pk", filter=draft & Q(security_reviewed_by__isnull=True)),
        reviewed=Count("pk", filter=draft & Q(security_reviewed_by__isnull=False)),
    )
    drafts_url = reverse(NOTICE_LIST_URL) + "?" + urlencode({"status__exact": "draft"})
    # MERGE: 待审核 (submitted for review) and 定时发布 (scheduled) counts once the
    # editor adds those states/fields to Notice.
    return Panel(
        key="notices",
        title="政府信息",
        items=[
            PanelItem("草稿", counts["drafts"], drafts_url),
            PanelItem("待保密审查确认", counts["unreviewed"], drafts_url, "warn"),
            PanelItem("已保密审查、待发布", counts["reviewed"], drafts_url),
        ],
        link_label="管理政府信息",
        link_url=reverse(NOTICE_LIST_URL),
    )


def register() -> None:
    register_nav(
        "notices",
        label="政府信息",
        url_name=NOTICE_LIST_URL,
        allowed=may_open_notice_list,
        order=20,
        sections=("catalog:staff_*",),
    )
    register_panel("notices", notice_panel, order=20)
