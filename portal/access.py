"""Access helpers of the portal app's own records."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from portal import roles
from portal.models import Agency


def access_profile_agency_by_editor(
    user, agency_id: int | None = None
) -> Agency | None:
    """The agency whose 机构信息 ``user`` may edit: a 管理员 edits their own agency's; a
    superuser edits any (``agency_id``; None: a superuser without an agency has not
    chosen one yet). Anyone else, or another agency: 404."""
    if user.is_superuser:
        if agency_id is None:
            return roles.staff_agency(user)
        return get_object_or_404(Agency, pk=agency_id)
    agency = roles.staff_agency(user)
    if agency is None or not roles.has_role(user, roles.ADMIN):
        raise Http404
    if agency_id is not None and agency_id != agency.pk:
        raise Http404
    return agency
