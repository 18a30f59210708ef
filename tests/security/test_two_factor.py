"""Staff two-factor sign-in (issue 11 §3): TOTP with enrolment, recovery codes, the
policy setting, the admin login, the session flag and the lockout."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from portal import roles
from portal.models import RecoveryCode, StaffAuthEvent
from tests.factories import StaffFactory
from tests.twofactor import enrol, password_only_login, totp_code

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "dora-password-2026"  # noqa: S105 - test account
IP = "198.51.100.10"


@pytest.fixture
def dora(agency):
    user = StaffFactory(username="dora", agency=agency, roles=[roles.APPROVER])
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def bob(teammate_user):
    teammate_user.set_password(PASSWORD)
    teammate_user.save(update_fields=["password"])
    return teammate_user


def _login(client, username, url="/staff/login/"):
    return client.post(
        url, {"username": username, "password": PASSWORD}, REMOTE_ADDR=IP
    )


def _code(client, code, url):
    return client.post(url, {"code": code}, REMOTE_ADDR=IP)


def test_an_approver_enrols_at_the_first_sign_in(client, dora):
    with time_machine.travel(START, tick=False):
        response = _login(client, "dora")
        assert response.status_code == 302
        assert response.url.startswith("/staff/login/enrol/?next=")
        # nothing of the workbench before the second factor
        page = client.get("/ysq/staff/")
        assert page.status_code == 302
        assert page.url.startswith("/staff/login/enrol/")
        enrol_page = client.get(response.url)
        html = enrol_page.content.decode()
        assert enrol_page.status_code == 200
        # the QR code is drawn here, as a data: image (CSP img-src 'self' data:)
        assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
        assert "<script" not in html.split("</header>", 1)[-1].split("<footer", 1)[0]
        secret = re.search(r'<code translate="no">([A-Z2-7]+)</code>', html).group(1)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user=dora)
        assert not device.confirmed
        import base64

        assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
        wrong = _code(client, "000000", response.url)
        assert "验证码不正确" in wrong.content.decode()
        done = _code(client, totp_code(device.key), response.url)
        assert done.status_code == 200
        codes = re.findall(
            r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.content.decode()
        )
        assert len(codes) == 10
        assert "只显示这一次" in done.content.decode()
        device.refresh_from_db()
        assert device.confirmed
        stored = list(
            RecoveryCode.objects.filter(user=dora).values_list("code_hash", flat=True)
        )
        assert len(stored) == 10
        assert not any(c.replace("-", "") in "".join(stored) for c in codes)
        assert client.get("/ysq/staff/").status_code == 200
        kinds = set(
            StaffAuthEvent.objects.filter(user=dora).values_list("kind", flat=True)
        )
        assert kinds == {"totp_enrolled", "recovery_codes_issued"}


def test_an_enrolled_approver_passes_the_second_step(client, dora):
    device = enrol(dora)
    with time_machine.travel(START, tick=False):
        response = _login(client, "dora")
        assert response.url.startswith("/staff/login/verify/?next=")
        assert client.get("/staff/").status_code == 302
        done = _code(client, totp_code(device.key), response.url)
        assert done.status_code == 302
        assert done.url == "/staff/"
        assert client.get("/staff/").status_code == 200


def test_a_code_cannot_be_used_twice(client, dora):
    device = enrol(dora)
    with time_machine.travel(START, tick=False):
        url = _login(client, "dora").url
        code = totp_code(device.key)
        assert _code(client, code, url).status_code == 302
        client.post("/staff/logout/")
        url = _login(client, "dora").url
        again = _code(client, code, url)
        assert again.status_code == 200
        assert "验证码不正确" in again.content.decode()


def test_a_recovery_code_works_once(client, dora):
    enrol(dora)
    from portal import services

    codes = services.staff_recovery_codes_issue(user=dora, now=START, by=dora)
    with time_machine.travel(START, tick=False):
        url = _login(client, "dora").url
        assert _code(client, codes[0].lower(), url).status_code == 302
        client.post("/staff/logout/")
        url = _login(client, "dora").url
        assert _code(client, codes[0], url).status_code == 200
        assert _code(client, codes[1], url).status_code == 302
    assert RecoveryCode.objects.filter(user=dora, used_at__isnull=False).count() == 2


def test_wrong_codes_count_in_the_login_lockout(client, dora):
    device = enrol(dora)
    with time_machine.travel(START, tick=False) as traveller:
        url = _login(client, "dora").url
        replies = [_code(client, "123456", url) for _ in range(4)]
        assert [r.status_code for r in replies] == [200, 200, 200, 200]
        locked = _code(client, "654321", url)
        assert locked.status_code == 429
        assert "登录失败次数过多" in locked.content.decode()
        assert "_auth_user_id" not in client.session  # back to the password
        # the password is locked too for this user and address
        assert _login(client, "dora").status_code == 429
        traveller.shift(timedelta(minutes=16))
        url = _login(client, "dora").url
        assert _code(client, totp_code(device.key), url).status_code == 302


def test_a_handler_needs_no_second_factor_under_the_default_policy(client, bob):
    with time_machine.travel(START, tick=False):
        response = _login(client, "bob")
        assert response.url == "/staff/"
        assert client.get("/staff/").status_code == 200


def test_policy_all_requires_it_for_every_staff_account(client, bob, settings):
    settings.STAFF_2FA_REQUIRED_FOR = "all"
    with time_machine.travel(START, tick=False):
        response = _login(client, "bob")
        assert response.url.startswith("/staff/login/enrol/")


def test_the_admin_login_goes_through_the_same_steps(client, agency):
    root = StaffFactory(username="root", agency=agency, roles=[])
    root.is_superuser = True
    root.set_password(PASSWORD)
    root.save(update_fields=["is_superuser", "password"])
    device = enrol(root)
    with time_machine.travel(START, tick=False):
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "root", "password": PASSWORD, "next": "/admin/"},
            REMOTE_ADDR=IP,
        )
        assert response.url.startswith("/staff/login/verify/?next=")
        assert client.get("/admin/").status_code == 302
        done = _code(client, totp_code(device.key), response.url)
        assert done.url == "/admin/"
        assert client.get("/admin/").status_code == 200


def test_a_force_login_session_is_not_verified_by_itself(client, dora):
    enrol(dora)
    password_only_login(client, dora)
    response = client.get("/ysq/staff/")
    assert response.status_code == 302
    assert response.url.startswith("/staff/login/verify/")


def test_a_verified_flag_does_not_carry_over_to_another_user(client, dora, agency):
    enrol(dora)
    erin = StaffFactory(username="erin", agency=agency, roles=[roles.APPROVER])
    enrol(erin)
    client.force_login(dora)  # verified for dora (tests/conftest.py)
    assert client.get("/staff/").status_code == 200
    password_only_login(client, erin)
    assert client.get("/staff/").status_code == 302


def test_the_administrator_resets_a_lost_device(client, dora):
    enrol(dora)
    call_command("reset_2fa", "dora")
    with time_machine.travel(START, tick=False):
        assert _login(client, "dora").url.startswith("/staff/login/enrol/")
    assert StaffAuthEvent.objects.filter(user=dora, kind="second_factor_reset").exists()


def test_the_user_admin_has_the_reset_action(admin_client, dora):
    enrol(dora)
    response = admin_client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [dora.pk]},
    )
    assert response.status_code == 302
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.filter(user=dora).exists()


def test_demo_approvers_get_the_printed_demo_key(client, dora, bob, settings):
    from io import StringIO

    from portal.management.commands.ensure_demo_admin import (
        DEMO_TOTP_KEY,
        DEMO_TOTP_SECRET,
    )

    settings.DEBUG = True
    out = StringIO()
    call_command("ensure_demo_admin", stdout=out)
    assert DEMO_TOTP_SECRET in out.getvalue()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert TOTPDevice.objects.get(user=dora).key == DEMO_TOTP_KEY.hex()
    assert not TOTPDevice.objects.filter(user=bob).exists()  # a handler: not needed
    settings.DEBUG = False
    with time_machine.travel(START, tick=False):
        url = _login(client, "dora").url
        assert _code(client, totp_code(DEMO_TOTP_KEY.hex()), url).status_code == 302
