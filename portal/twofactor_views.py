"""The second sign-in step and TOTP enrolment (issue 11 §3, ``portal.twofactor``).

Wrong codes count in the login lockout (``LOGIN_PER_USER_IP``, user name + address,
5 in 15 minutes) and in a per-account limit (``SECOND_FACTOR_PER_USER``, 10 in 15
minutes from all addresses, so a password known to many cannot be paired with a
code guessed in parallel); counted before the check and given back on success, like
the password. Reaching a limit ends the session (back to the password, locked).
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal import ratelimit, services, twofactor
from portal.auth_views import LOGIN_PER_IP, LOGIN_PER_USER_IP, locked_out, login_pair
from portal.timeutil import local_now

logger = logging.getLogger("portal.security")

SECOND_FACTOR_PER_USER = ratelimit.Limit(
    "login-2fa-user", max_hits=10, window_seconds=15 * 60
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=20,
        help_text="手机验证器上显示的 6 位数字；手机不在身边时，可输入一个恢复码（如 ABCDE-FGH23）。",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text"}
        ),
        error_messages={"required": "请输入验证码。"},
    )


def _limits(request: HttpRequest) -> list[tuple[ratelimit.Limit, str]]:
    ip = ratelimit.client_ip(request)
    return [
        (LOGIN_PER_USER_IP, login_pair(request.user.get_username(), ip)),
        (LOGIN_PER_IP, ip),
        (SECOND_FACTOR_PER_USER, str(request.user.pk)),
    ]


def _blocked(request: HttpRequest) -> HttpResponse | None:
    for limit, ident in _limits(request):
        if ratelimit.is_blocked(limit, ident):
            ratelimit.log_block(limit, ident, request)
            seconds = ratelimit.retry_after(limit, ident) or limit.window_seconds
            return locked_out(request, request.user.get_username(), seconds)
    return None


def _check(request: HttpRequest, form: CodeForm, verify) -> HttpResponse | bool:
    """Count the attempt, run ``verify()``; True on success, a response when this
    attempt reached a limit, False otherwise (the form carries the error)."""
    counts = [
        (limit, ident, ratelimit.record_hit(limit, ident))
        for limit, ident in _limits(request)
    ]
    if any(count > limit.max_hits for limit, _, count in counts):
        return _blocked(request) or HttpResponseRedirect(request.path)
    try:
        ok = verify()
    except ValidationError as exc:
        form.add_error("code", exc.messages[0])
        ok = False
    if ok:
        for limit, ident, _ in counts:
            if limit is LOGIN_PER_USER_IP:
                ratelimit.reset(limit, ident)
            else:
                ratelimit.undo_hit(limit, ident)
        return True
    logger.info(
        "second factor failed key=%s",
        ratelimit.bucket_key(SECOND_FACTOR_PER_USER, str(request.user.pk)).split(
            ":", 1
        )[1][:12],
    )
    if any(count >= limit.max_hits for limit, _, count in counts):
        return _blocked(request) or HttpResponseRedirect(request.path)
    if not form.errors:
        form.add_error("code", "验证码不正确或已使用，请重试。")
    return False


def _done(request: HttpRequest) -> HttpResponse:
    twofactor.mark_verified(request)
    request.session.cycle_key()
    return HttpResponseRedirect(twofactor.safe_next(request, request.GET.get("next")))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """第二步：TOTP code or a recovery code."""
    if twofactor.is_verified(request):
        return HttpResponseRedirect(
            twofactor.safe_next(request, request.GET.get("next"))
        )
    if twofactor.confirmed_device(request.user) is None:
        return HttpResponseRedirect(
            twofactor.step_url(request.user, request.GET.get("next", ""))
        )
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        blocked = _blocked(request)
        if blocked:
            return blocked
        if form.is_valid():
            result = _check(
                request,
                form,
                lambda: services.staff_second_factor_verify(
                    user=request.user, code=form.cleaned_data["code"], now=local_now()
                ),
            )
            if result is True:
                return _done(request)
            if isinstance(result, HttpResponse):
                return result
    return render(request, "portal/second_factor.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """绑定验证器: scan the QR code (or type the key), confirm one code, note the
    recovery codes (shown once, on this response only)."""
    if twofactor.confirmed_device(request.user) is not None:
        return HttpResponseRedirect(
            twofactor.step_url(request.user, request.GET.get("next", ""))
        )
    now = local_now()
    device = services.staff_totp_enrol_start(user=request.user, now=now)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        blocked = _blocked(request)
        if blocked:
            return blocked
        if form.is_valid():
            codes: list[str] = []

            def confirm() -> bool:
                codes.extend(
                    services.staff_totp_enrol_confirm(
                        user=request.user, token=form.cleaned_data["code"], now=now
                    )
                )
                return True

            result = _check(request, form, confirm)
            if result is True:
                twofactor.mark_verified(request)
                request.session.cycle_key()
                return render(
                    request,
                    "portal/recovery_codes.html",
                    {
                        "codes": codes,
                        "next": twofactor.safe_next(request, request.GET.get("next")),
                    },
                )
            if isinstance(result, HttpResponse):
                return result
    return render(
        request,
        "portal/enrol.html",
        {
            "form": form,
            "qr": twofactor.qr_data_uri(device.config_url),
            "secret": twofactor.totp_secret_base32(device),
        },
    )
