"""Staff roles are Django groups. One access helper decides each object type elsewhere;
this module only names the roles and answers "which agency does this user work for"."""

from __future__ import annotations

from portal.models import Agency

HANDLER = "承办人"  # handles requests of their agency
APPROVER = "审核人"  # approves extensions, reviews annual reports
ADMIN = "管理员"  # agency administrator: publishes notices and reports
ALL_ROLES = (HANDLER, APPROVER, ADMIN)


def staff_agency(user) -> Agency | None:
    """The agency a logged-in staff user belongs to, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.agency if profile is not None else None


def has_role(user, role: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()
