"""Staff two-factor sign-in: policy, session flag, middleware, QR code (issue 11 §3).

Flow: ``/staff/login/`` (password, with the lockout of ``portal.auth_views``) →
``/staff/login/verify/`` (a 6-digit TOTP code or a recovery code) or, when the second
factor is required and the account has none yet, ``/staff/login/enrol/`` (scan a QR
code drawn here, confirm a code, note the recovery codes shown once) → the page asked
for. ``/admin/login/`` is the same view, so the admin goes through the same steps.

Who needs it (``STAFF_2FA_REQUIRED_FOR``): ``"approvers"`` (default) = superusers and
审核人; ``"all"`` = every staff account. An account that has enrolled always needs it.

The session flag: after a password login the session is authenticated but not
verified; ``SecondFactorMiddleware`` sends such a session to the verify (or enrol)
step from every page but the steps themselves and logout. Verifying stores the user's
id under ``SESSION_VERIFIED``; ``login()`` rotates the session, so the flag never
survives into another user's session. A session made by ``Client.force_login`` in
tests is not verified either: tests mark it with ``tests.twofactor.verify_session``.

TOTP devices are django-otp's ``TOTPDevice`` (RFC 6238, 30 s steps, one step of
drift, replay refused via ``last_t``, its own throttling); recovery codes are
``portal.RecoveryCode`` (HMAC digests). Writes go through ``portal.services``.
"""

from __future__ import annotations

import base64
import io
import secrets
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme

from portal import roles

SESSION_VERIFIED = "_portal_2fa_user"
POLICIES = ("approvers", "all")
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L
RECOVERY_CODE_LENGTH = 10  # 10 × log2(30) ≈ 49 bits


def policy() -> str:
    value = getattr(settings, "STAFF_2FA_REQUIRED_FOR", "approvers")
    if value not in POLICIES:
        raise ImproperlyConfigured(
            f"STAFF_2FA_REQUIRED_FOR must be one of {POLICIES}, got {value!r}"
        )
    return value


def confirmed_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def second_factor_required(user) -> bool:
    """Whether ``user`` must pass the second factor to use a signed-in session."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not (user.is_staff or user.is_superuser):
        return False
    if policy() == "all":
        return True
    if user.is_superuser or roles.has_role(user, roles.APPROVER):
        return True
    return confirmed_device(user) is not None


def is_verified(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and request.session.get(SESSION_VERIFIED) == user.pk
    )


def mark_verified(request: HttpRequest) -> None:
    request.session[SESSION_VERIFIED] = request.user.pk


def safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def step_url(user, next_url: str) -> str:
    """The verify step, or the enrolment step when the account has no device yet."""
    name = "portal:second_factor" if confirmed_device(user) else "portal:enrol"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("portal:second_factor"),
        reverse("portal:enrol"),
        reverse("portal:logout"),
        reverse("admin:logout"),
        reverse("portal:login"),
        reverse("admin_login"),
        settings.STATIC_URL,
        "/healthz",
    )


class SecondFactorMiddleware:
    """Send a signed-in session that still owes its second factor to that step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and user is not None
            and user.is_authenticated
            and not is_verified(request)
            and not request.path.startswith(_exempt_paths())
            and second_factor_required(user)
        ):
            return HttpResponseRedirect(step_url(user, request.get_full_path()))
        return self.get_response(request)


# --- recovery codes and QR ---------------------------------------------------------


def new_recovery_code() -> str:
    return "".join(
        secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH)
    )


def normalise_recovery_code(raw: str) -> str:
    return "".join(c for c in (raw or "").upper() if c.isalnum())


def recovery_code_hash(code: str) -> str:
    return salted_hmac(
        "portal.twofactor.recovery",
        normalise_recovery_code(code),
        algorithm="sha256",
    ).hexdigest()


def format_recovery_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as an SVG data URI, drawn here (no external service;
    ``img-src 'self' data:`` in the CSP allows it, no inline style needed)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8, border=4
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def totp_secret_base32(device) -> str:
    """The device key as the base32 text authenticator apps accept for manual entry."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")
