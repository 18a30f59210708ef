"""Session and caching hardening (security.md §2.2, §4; ASVS 7.3.2, 14.2.2).

* ``AbsoluteSessionLimitMiddleware``: a staff session ends ``SESSION_ABSOLUTE_AGE``
  seconds (8 hours) after login, however busy it was. Django only has the idle
  timeout (``SESSION_COOKIE_AGE`` with ``SESSION_SAVE_EVERY_REQUEST``).
* ``NoStoreMiddleware``: everything under ``/staff/`` and ``/admin/`` and every page
  shown to a signed-in user is sent with ``Cache-Control: no-store``, so a shared
  computer's browser cache or a proxy keeps no copy of the workbench.
* ``pii_page``: decorator for public pages that show personal data (the applicant's
  case page, lookup results): ``no-store`` and ``X-Robots-Tag: noindex``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from portal import timeutil

logger = logging.getLogger("portal.security")

SESSION_LOGIN_AT = "_portal_login_at"
NO_STORE_PREFIXES = ("/staff/", "/admin/")


def _has_session_cookie(request: HttpRequest) -> bool:
    """Only a request with a session cookie can be signed in. Checking this first keeps
    cookie-less public requests from loading the session (and from ``Vary: Cookie``)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def mark_login(request: HttpRequest) -> None:
    """Record when the session was authenticated (called right after ``login()``)."""
    request.session[SESSION_LOGIN_AT] = timeutil.local_now().timestamp()


class AbsoluteSessionLimitMiddleware:
    """Log out sessions older than ``SESSION_ABSOLUTE_AGE`` seconds since login.

    Sits after ``AuthenticationMiddleware`` and ``MessageMiddleware``. A session
    without a login time (logged in before this middleware existed, or by
    ``force_login`` in tests) gets one at its first request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if _has_session_cookie(request) and user is not None and user.is_authenticated:
            now = timeutil.local_now().timestamp()
            started = request.session.get(SESSION_LOGIN_AT)
            if not isinstance(started, int | float):
                request.session[SESSION_LOGIN_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_AGE:
                logger.info("session ended by absolute limit user_id=%s", user.pk)
                logout(request)
                hours = settings.SESSION_ABSOLUTE_AGE // 3600
                messages.info(
                    request, f"登录已超过 {hours} 小时，为保护信息安全请重新登录。"
                )
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` for staff areas and for anyone signed in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = (
            _has_session_cookie(request) and user is not None and user.is_authenticated
        )
        if (
            signed_in or request.path.startswith(NO_STORE_PREFIXES)
        ) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


def pii_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages that show personal data to a citizen: never cached, never indexed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped
