"""What ``catalog`` contributes to the staff workspace (portal/staff_desk.py): the
政府信息 entry of the navigation and the 工作台 panel of unpublished notices."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from portal import roles
from portal.staff_desk import Panel, PanelItem, register_nav, register_panel

NOTICE_LIST_URL = "catalog:staff_notice_list"


def may_open_notice_list(user: Any) -> bool:
    """The predicate of the staff notice list itself (catalog.publishing)."""
    from catalog.publishing import may_see_notice_desk

    return roles.is_active_staff(user) and may_see_notice_desk(user)


def notice_panel(user: Any, today: date) -> Panel | None:
    """Unpublished notices of the user's agency (superuser: all) by the list's own
    states (草稿 / 待审核 / 已排期), in one query; each count opens the filtered list."""
    from catalog.models import Notice
    from catalog.staff_notice_views import state_expression

    if not may_open_notice_list(user):
        return None
    if not user.is_superuser and roles.staff_agency(user) is None:
        return None
    rows = (
        Notice.objects.editable_by(user)
        .filter(status=Notice.Status.DRAFT)
        .with_current_validity(today)
        .annotate(state=state_expression())
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["state"]: row["n"] for row in rows}

    def url(state: str) -> str:
        return reverse(NOTICE_LIST_URL) + "?" + urlencode({"state": state})

    reviewer = roles.has_role(user, roles.APPROVER)
    return Panel(
        key="notices",
        title="政府信息",
        items=[
            PanelItem(
                "待审核（待确认保密审查）",
                counts.get("pending", 0),
                url("pending"),
                "warn" if reviewer else "",
            ),
            PanelItem("草稿", counts.get("draft", 0), url("draft")),
            PanelItem(
                "已排期（定时发布）", counts.get("scheduled", 0), url("scheduled")
            ),
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
