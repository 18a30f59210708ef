"""Staff login with lockout (security.md §7, test 6; ASVS 6.3.1).

Django's ``LoginView`` with one change: every attempt that carries a user name and a
password is counted *before* the password is checked, in two shared counters
(``portal.ratelimit``):

* per user name + client IP: 5 failures in 15 minutes lock that pair for 15 minutes;
* per client IP: 50 failures in 15 minutes lock the address (password spraying).

Counting first means parallel guesses on several workers cannot get past the limit:
each attempt gets its own number from the database. A successful login clears the
pair's counter and gives its hit back to the IP counter. Unknown and known user
names get the same reply, and the locked reply is the same for both. The client IP
is ``REMOTE_ADDR`` (or the last proxy hop behind nginx), so a forged
``X-Forwarded-For`` changes nothing. Every block is logged to ``portal.security``
with a key digest, never the user name or password.
"""

from __future__ import annotations

import logging
import unicodedata

from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from portal import ratelimit, twofactor
from portal.forms import StaffAuthenticationForm
from portal.security import mark_login

logger = logging.getLogger("portal.security")

LOGIN_PER_USER_IP = ratelimit.Limit("login-user-ip", max_hits=5, window_seconds=15 * 60)
LOGIN_PER_IP = ratelimit.Limit("login-ip", max_hits=50, window_seconds=15 * 60)
LOCKED_MESSAGE = "登录失败次数过多，请 {minutes} 分钟后再试。"


def _normalise_username(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().casefold()


class StaffLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = StaffAuthenticationForm

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        password = request.POST.get("password", "")
        if not username.strip() or not password:
            # nothing to check: the form reports the missing field, no attempt counted
            return super().post(request, *args, **kwargs)

        ip = ratelimit.client_ip(request)
        pair = login_pair(username, ip)
        pair_count = ratelimit.record_hit(LOGIN_PER_USER_IP, pair)
        ip_count = ratelimit.record_hit(LOGIN_PER_IP, ip)
        if pair_count > LOGIN_PER_USER_IP.max_hits:
            return self._locked(request, username, LOGIN_PER_USER_IP, pair)
        if ip_count > LOGIN_PER_IP.max_hits:
            return self._locked(request, username, LOGIN_PER_IP, ip)

        form = self.get_form()
        if form.is_valid():
            ratelimit.reset(LOGIN_PER_USER_IP, pair)
            ratelimit.undo_hit(LOGIN_PER_IP, ip)
            response = self.form_valid(form)
            mark_login(request)
            if twofactor.second_factor_required(request.user):
                # the password is the first step only (issue 11 §3)
                return HttpResponseRedirect(
                    twofactor.step_url(request.user, self.get_success_url())
                )
            return response

        logger.info(
            "login failed key=%s",
            ratelimit.bucket_key(LOGIN_PER_USER_IP, pair).split(":", 1)[1][:12],
        )
        # the attempt that reaches the limit already shows the lockout
        if pair_count >= LOGIN_PER_USER_IP.max_hits:
            return self._locked(request, username, LOGIN_PER_USER_IP, pair)
        if ip_count >= LOGIN_PER_IP.max_hits:
            return self._locked(request, username, LOGIN_PER_IP, ip)
        return self.form_invalid(form)

    def _locked(
        self, request: HttpRequest, username: str, limit: ratelimit.Limit, ident: str
    ) -> HttpResponse:
        ratelimit.log_block(limit, ident, request)
        seconds = ratelimit.retry_after(limit, ident) or limit.window_seconds
        # An unbound form: validating it would check the password again.
        form = self.get_form_class()(request, initial={"username": username})
        context = self.get_context_data(
            form=form,
            locked_message=LOCKED_MESSAGE.format(
                minutes=ratelimit.wait_minutes(seconds)
            ),
        )
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(seconds)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # LoginView puts a RequestSite under "site"; the templates expect the
        # SiteIdentity from portal.context_processors.site.
        context.pop("site", None)
        context.pop("site_name", None)
        return context


def login_pair(username: str, ip: str) -> str:
    """The identity of ``LOGIN_PER_USER_IP``: user name (NFKC, case-folded) + IP."""
    return f"{_normalise_username(username)}\x00{ip}"


def locked_out(request: HttpRequest, username: str, seconds: int) -> HttpResponse:
    """End the session and show the login page with the lockout message (429)."""
    logout(request)
    response = render(
        request,
        "portal/login.html",
        {
            "form": StaffAuthenticationForm(request, initial={"username": username}),
            "locked_message": LOCKED_MESSAGE.format(
                minutes=ratelimit.wait_minutes(seconds)
            ),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


class StaffPasswordChangeView(auth_views.PasswordChangeView):
    """The admin's 修改密码 page with the login lockout (issue 11 §1.7).

    A wrong old password is a failed login: it counts in ``LOGIN_PER_USER_IP`` and
    ``LOGIN_PER_IP`` (counted before the check, given back when the old password was
    right), and the attempt that reaches the limit ends the session, so someone at an
    unlocked workstation cannot guess the password here either. The new password
    goes through ``AUTH_PASSWORD_VALIDATORS`` (Django's form does that).
    """

    form_class = AdminPasswordChangeForm

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.current_app = admin.site.name
        self.extra_context = admin.site.each_context(request)
        self.success_url = reverse("admin:password_change_done")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.user.get_username()
        ip = ratelimit.client_ip(request)
        pair = login_pair(username, ip)
        if ratelimit.is_blocked(LOGIN_PER_USER_IP, pair):
            ratelimit.log_block(LOGIN_PER_USER_IP, pair, request)
            seconds = ratelimit.retry_after(LOGIN_PER_USER_IP, pair)
            return locked_out(request, username, seconds or 15 * 60)
        if not request.POST.get("old_password"):
            return super().post(request, *args, **kwargs)
        pair_count = ratelimit.record_hit(LOGIN_PER_USER_IP, pair)
        ratelimit.record_hit(LOGIN_PER_IP, ip)
        form = self.get_form()
        old_password_wrong = not form.is_valid() and "old_password" in form.errors
        if not old_password_wrong:
            ratelimit.undo_hit(LOGIN_PER_USER_IP, pair)
            ratelimit.undo_hit(LOGIN_PER_IP, ip)
            return self.form_valid(form) if form.is_valid() else self.form_invalid(form)
        logger.info(
            "password change: wrong old password key=%s",
            ratelimit.bucket_key(LOGIN_PER_USER_IP, pair).split(":", 1)[1][:12],
        )
        if pair_count >= LOGIN_PER_USER_IP.max_hits:
            ratelimit.log_block(LOGIN_PER_USER_IP, pair, request)
            seconds = ratelimit.retry_after(LOGIN_PER_USER_IP, pair)
            return locked_out(request, username, seconds or 15 * 60)
        return self.form_invalid(form)
