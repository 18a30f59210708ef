"""Test helpers for the staff second factor (portal/twofactor.py, issue 11 §3).

``Client.force_login`` makes a session that is signed in but *not* verified, which
the middleware sends to the second-factor step like any password-only login.
``tests/conftest.py`` makes ``force_login`` stand for a completed sign-in (password
and second factor) by calling ``verify_session`` after it; tests of the second factor
itself use ``password_only_login``, which leaves the session unverified.
"""

from __future__ import annotations

from django.test import Client

from portal.twofactor import SESSION_VERIFIED

_original_force_login = Client.force_login

# A fixed demo-style key (20 bytes, hex) so tests can compute codes.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def verify_session(client: Client, user) -> None:
    """Mark the client's session as having passed the second factor for ``user``."""
    session = client.session
    session[SESSION_VERIFIED] = user.pk
    session.save()


def password_only_login(client: Client, user) -> None:
    """A signed-in session that still owes its second factor."""
    _original_force_login(client, user)


def force_login_verified(self: Client, user, backend=None) -> None:
    _original_force_login(self, user, backend)
    verify_session(self, user)


def enrol(user, key: str = TEST_TOTP_KEY):
    """A confirmed TOTP device with a known key (as after the enrolment page)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="验证器", key=key, confirmed=True)


def totp_code(key: str = TEST_TOTP_KEY, *, drift: int = 0) -> str:
    """The 6-digit code an authenticator shows for ``key`` now (the clock is
    time-machine's in tests), ``drift`` steps of 30 s later."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key), step=30, t0=0, digits=6, drift=drift):06d}"
