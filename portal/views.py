from __future__ import annotations

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from portal.middleware import CONTRAST_COOKIE, FONT_COOKIE, FONT_SIZES

ONE_YEAR = 365 * 24 * 3600


@require_safe
def display_preferences(request: HttpRequest) -> HttpResponse:
    """Set 字体 or 高对比度 and go back. Plain links, so it works without JavaScript."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    font = request.GET.get("font")
    if font in FONT_SIZES:
        response.set_cookie(
            FONT_COOKIE,
            font,
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=request.is_secure(),
        )
    contrast = request.GET.get("contrast")
    if contrast in ("on", "off"):
        response.set_cookie(
            CONTRAST_COOKIE,
            contrast,
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    """403 in Chinese, in the site's layout (the staff layout for staff). The reason
    given to ``PermissionDenied`` is shown when it is Chinese text written for users."""
    reason = str(exception) if exception is not None else ""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in reason):
        reason = ""  # Django's own English reasons are not shown
    return render(request, "403.html", {"reason": reason.rstrip("。")}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form came with a stale or missing token. Nothing was
    saved; the page explains how to get back to what was typed."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE

    return render(
        request,
        "403_csrf.html",
        {"no_cookie": reason == REASON_NO_CSRF_COOKIE},
        status=403,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context processors: they may need the database,
    which may be why we are here. Styled by site.css only (no inline styles under the CSP)."""
    context = {
        "site_name": settings.SITE_NAME,
        "font_size": getattr(request, "font_size", "medium"),
        "high_contrast": getattr(request, "high_contrast", False),
    }
    return HttpResponseServerError(render_to_string("500.html", context))


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /admin/",
        "Disallow: /ysq/case/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )


def staff_home(request: HttpRequest) -> HttpResponse:
    """工作台: what needs the signed-in user today, one panel per app (each app
    registers its own in portal.staff_desk, so portal imports none of them)."""
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path())
    from portal import staff_desk
    from portal.calendar_services import calendar_missing_years
    from portal.roles import ADMIN, has_role, role_names, staff_agency
    from portal.timeutil import local_today

    today = local_today()
    role_names(request.user)  # read once: the panels and the header ask has_role often
    # Admins are warned when this year's, or from October next year's, holiday
    # schedule has not been imported (deadlines there are provisional).
    can_import = request.user.has_perm("portal.add_workcalendarday")
    is_admin = has_role(request.user, ADMIN)
    missing_years = calendar_missing_years(today) if can_import or is_admin else []
    return render(
        request,
        "portal/staff_home.html",
        {
            "agency": staff_agency(request.user),
            "today": today,
            "panels": staff_desk.panels(request.user, today),
            "is_agency_admin": is_admin,
            "missing_calendar_years": missing_years,
            "can_import_calendar": can_import,
        },
    )


def staff_profile_edit(request: HttpRequest) -> HttpResponse:
    """机构信息 of the user's agency (条例 第二十条第（二）项), edited by its 管理员."""
    from django.contrib import messages
    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect
    from django.urls import reverse

    from portal.access import access_profile_agency_by_editor
    from portal.forms import AgencyProfileForm
    from portal.models import AgencyProfile, AgencyProfileVersion
    from portal.services import agency_profile_update
    from portal.validators import leader_lines

    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path())
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    raw_id = request.GET.get("agency", "")
    agency = access_profile_agency_by_editor(
        request.user, int(raw_id) if raw_id.isdigit() and len(raw_id) < 10 else None
    )
    if agency is None:  # a superuser without an agency: choose one
        from portal.models import Agency

        return render(
            request,
            "portal/staff_profile_choose.html",
            {"agencies": Agency.objects.order_by("sort_order", "id")},
        )
    profile = AgencyProfile.objects.filter(agency=agency).first()
    leaders = (
        [
            {"name": x.name, "post": x.post, "duties": x.duties}
            for x in profile.leaders.all()
        ]
        if profile
        else []
    )
    initial = {
        "functions": profile.functions if profile else "",
        "internal_units": profile.internal_units if profile else "",
        "leaders": leader_lines(leaders),
        **{
            f: getattr(agency, f)
            for f in ("address", "office_hours", "phone", "fax", "postcode", "email")
        },
    }
    form = AgencyProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = agency_profile_update(
                agency=agency,
                by=request.user,
                functions=data["functions"],
                internal_units=data["internal_units"],
                leaders=data["leader_list"],
                address=data["address"],
                office_hours=data["office_hours"],
                phone=data["phone"],
                fax=data["fax"],
                postcode=data["postcode"],
                email=data["email"],
                note=data["note"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                "机构信息已保存。" if version else "内容没有变化，未保存新版本。",
            )
            url = reverse("portal:staff_profile_edit")
            if request.user.is_superuser:
                url += f"?agency={agency.pk}"
            return redirect(url)
    versions = (
        AgencyProfileVersion.objects.filter(profile__agency=agency)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")[:20]
    )
    return render(
        request,
        "portal/staff_profile_edit.html",
        {"agency": agency, "form": form, "versions": versions, "profile": profile},
    )
