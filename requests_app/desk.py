"""What ``requests_app`` contributes to the staff workspace (portal/staff_desk.py): the
依申请公开 entry of the navigation and the 工作台 panel of requests that need someone
today. Counts come from ``selectors.queue_counts``, the workbench's own (one query);
deadlines are never recomputed here."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from portal import roles
from portal.staff_desk import Panel, PanelItem, register_nav, register_panel
from portal.workdays import load_calendar


def requests_panel(user: Any, today: date) -> Panel | None:
    from requests_app import selectors

    if not roles.is_active_staff(user):
        return None
    if not user.is_superuser and roles.staff_agency(user) is None:
        return None
    cal = load_calendar(years=[today.year, today.year + 1])
    counts = selectors.queue_counts(user, today, cal)
    base = reverse("requests_app:staff_queue")

    def url(show: str) -> str:
        return base + "?" + urlencode({"show": show})

    items = [
        PanelItem("已逾期", counts["overdue"], url("overdue"), "alert"),
        PanelItem("今天到期", counts["due_today"], url("due_today"), "alert"),
        PanelItem("5 个工作日内到期", counts["due_soon"], url("due_soon"), "warn"),
        PanelItem("待确认", counts["pending"], url("pending")),
        PanelItem("我承办的", counts["mine"], url("mine")),
    ]
    if roles.has_role(user, roles.APPROVER):
        items.append(
            PanelItem(
                "待审批延期",
                counts["extension_pending"],
                url("extension_pending"),
                "warn",
            )
        )
    return Panel(
        key="requests",
        title="依申请公开",
        items=items,
        link_label="进入申请办理工作台",
        link_url=base,
    )


def register() -> None:
    register_nav(
        "requests",
        label="依申请公开",
        url_name="requests_app:staff_queue",
        allowed=roles.is_active_staff,  # staff_view asks the same
        order=30,
        sections=("requests_app:staff_*",),
    )
    register_panel("requests", requests_panel, order=30)
