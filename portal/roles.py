"""Staff roles are Django groups. One access helper decides each object type elsewhere;
this module only names the roles and answers "which agency does this user work for"."""

from __future__ import annotations

from portal.models import Agency

HANDLER = "承办人"  # handles requests of their agency
APPROVER = "审核人"  # approves extensions, reviews annual reports
ADMIN = "管理员"  # agency administrator: publishes notices and reports
ALL_ROLES = (HANDLER, APPROVER, ADMIN)


def is_active_staff(user) -> bool:
    """Signed in, staff and active: who may open the staff pages at all."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_staff and user.is_active
    )


def staff_agency(user) -> Agency | None:
    """The agency a logged-in staff user belongs to, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.agency if profile is not None else None


def role_names(user) -> set[str]:
    """The user's roles (group names), read once and kept on the user object for the
    rest of the request (the staff header, the navigation and the views ask often)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    names = getattr(user, "_portal_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._portal_role_names = names
    return names


def role_labels(user) -> list[str]:
    """The roles to show next to the signed-in name, in the order of ``ALL_ROLES``."""
    if not getattr(user, "is_authenticated", False):
        return []
    names = role_names(user)
    labels = [r for r in ALL_ROLES if r in names]
    if user.is_superuser:
        labels.append("系统管理员")
    return labels


def has_role(user, role: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_portal_role_names", None)
    if names is not None:  # already read in this request (role_names)
        return role in names
    return user.groups.filter(name=role).exists()
