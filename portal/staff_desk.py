"""The staff workspace (工作台): its navigation bar and the home page's panels.

``portal`` may not import the apps built on it, so each app contributes its own entries:
in its ``AppConfig.ready()`` it calls ``register_nav`` (a link and the predicate its
target view uses, so the link is shown exactly when the page would open) and
``register_panel`` (a callable answering "what needs this user today" with counts and
links). The layout (``templates/base_staff.html``, through the ``staff_desk`` context
processor) and ``portal.views.staff_home`` render what is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str
    allowed: Callable[[Any], bool]  # the same predicate the target view checks
    order: int
    # view names (``namespace:url_name``) or prefixes ending in ``*`` of the pages
    # that belong to this section: the entry is marked aria-current="page" there
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class PanelItem:
    label: str
    count: int
    url: str
    # "alert" (overdue, returned), "warn" (due today/soon), "" (informational)
    tone: str = ""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    items: list[PanelItem] = field(default_factory=list)
    link_label: str = ""
    link_url: str = ""
    note: str = ""

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


PanelFunc = Callable[[Any, date], "Panel | None"]

_NAV: dict[str, NavEntry] = {}
_PANELS: dict[str, tuple[int, PanelFunc]] = {}


def register_nav(
    key: str,
    *,
    label: str,
    url_name: str,
    allowed: Callable[[Any], bool],
    order: int,
    sections: tuple[str, ...] = (),
) -> None:
    """Add (or replace, by ``key``) an entry of the staff navigation bar."""
    _NAV[key] = NavEntry(key, label, url_name, allowed, order, sections)


def register_panel(key: str, func: PanelFunc, *, order: int) -> None:
    """Add (or replace, by ``key``) a panel of the 工作台 home page. ``func(user,
    today)`` returns a ``Panel`` or None when the user has nothing to do with it; it
    must run a constant number of queries."""
    _PANELS[key] = (order, func)


def nav_entries() -> list[NavEntry]:
    """Every registered entry, in order (whether or not a user may open it)."""
    return sorted(_NAV.values(), key=lambda e: e.order)


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    url: str
    current: bool


def _matches(view_name: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern.endswith("*"):
            if view_name.startswith(pattern[:-1]):
                return True
        elif view_name == pattern:
            return True
    return False


def nav_links(user: Any, view_name: str = "") -> list[NavLink]:
    """The entries ``user`` may open, in order; the one containing ``view_name``
    is current (the most specific match wins when two sections overlap)."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return []
    entries = [
        e for e in sorted(_NAV.values(), key=lambda e: e.order) if e.allowed(user)
    ]
    current_key = ""
    best = -1
    for entry in entries:
        for pattern in entry.sections:
            if _matches(view_name, (pattern,)) and len(pattern) > best:
                current_key, best = entry.key, len(pattern)
    return [
        NavLink(e.key, e.label, reverse(e.url_name), e.key == current_key)
        for e in entries
    ]


def panels(user: Any, today: date) -> list[Panel]:
    """The 工作台 panels for ``user`` (those that answer something), in order."""
    result = []
    for _order, func in sorted(_PANELS.values(), key=lambda p: p[0]):
        panel = func(user, today)
        if panel is not None:
            result.append(panel)
    return result


@dataclass(frozen=True)
class StaffDesk:
    """What the staff header shows: who is signed in, for which agency, in which
    roles, and the navigation."""

    name: str
    agency: Any
    roles: list[str]
    nav: list[NavLink]


def staff_desk(request) -> StaffDesk | None:
    from portal import roles

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return None
    match = getattr(request, "resolver_match", None)
    return StaffDesk(
        name=user.get_full_name() or user.get_username(),
        agency=roles.staff_agency(user),
        roles=roles.role_labels(user),
        nav=nav_links(user, match.view_name if match else ""),
    )


def context(request) -> dict:
    """Context processor: ``staff_desk`` is computed only when a template uses it (the
    staff layout), so public pages pay nothing."""
    return {"staff_desk": SimpleLazyObject(lambda: staff_desk(request))}


# --- portal's own entries ----------------------------------------------------------------


def may_manage_users(user: Any) -> bool:
    """What Django's admin asks before the user list (``admin_view`` and
    ``has_view_or_change_permission`` of ``PortalUserAdmin``)."""
    from portal import roles

    return roles.is_active_staff(user) and (
        user.has_perm("auth.view_user") or user.has_perm("auth.change_user")
    )


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def register_portal_entries() -> None:
    from portal import roles

    register_nav(
        "home",
        label="工作台",
        url_name="portal:staff_home",
        allowed=roles.is_active_staff,
        order=10,
        sections=("portal:staff_*",),
    )
    register_nav(
        "users",
        label="用户与权限",
        url_name="admin:auth_user_changelist",
        allowed=may_manage_users,
        order=80,
    )
    register_nav(
        "admin",
        label="管理后台",
        url_name="admin:index",
        allowed=is_superuser,
        order=90,
    )
