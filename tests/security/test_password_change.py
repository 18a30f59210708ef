"""Password rules and the password-change lockout (issue 11 §1.7)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command

from disclosure import demo as disclosure_demo
from portal import demo as portal_demo
from portal.management.commands import ensure_demo_admin

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "alice-password-2026"  # noqa: S105 - test account
NEW = "Zhe4-shi-xin-de-mi-ma"
URL = "/admin/password_change/"


@pytest.fixture
def jiaoyu2(agency):
    from tests.factories import StaffFactory

    user = StaffFactory(username="jiaoyu2", agency=agency, roles=[])
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _change(client, old, new=NEW, ip="198.51.100.10"):
    return client.post(
        URL,
        {"old_password": old, "new_password1": new, "new_password2": new},
        REMOTE_ADDR=ip,
    )


def test_user_name_twice_is_refused_with_a_chinese_message(jiaoyu2):
    with pytest.raises(ValidationError) as exc:
        validate_password("jiaoyu2jiaoyu2", jiaoyu2)
    assert "密码不能包含用户名" in " ".join(exc.value.messages)
    for weak in ("JiaoYu2-2026-abc", "ｊｉａｏｙｕ２ｘｘｘｘｘｘｘｘ", "short-pw1"):
        with pytest.raises(ValidationError):
            validate_password(weak, jiaoyu2)
    validate_password(NEW, jiaoyu2)


def test_change_form_refuses_the_user_name_twice(client, jiaoyu2):
    client.force_login(jiaoyu2)
    with time_machine.travel(START, tick=False):
        response = _change(client, PASSWORD, "jiaoyu2jiaoyu2")
    assert response.status_code == 200
    assert "密码不能包含用户名" in response.content.decode()
    jiaoyu2.refresh_from_db()
    assert jiaoyu2.check_password(PASSWORD)


def test_wrong_old_passwords_count_in_the_login_lockout(client, jiaoyu2):
    client.force_login(jiaoyu2)
    with time_machine.travel(START, tick=False) as traveller:
        replies = [_change(client, f"wrong-{n}") for n in range(5)]
        assert [r.status_code for r in replies] == [200, 200, 200, 200, 429]
        assert "登录失败次数过多" in replies[4].content.decode()
        assert "_auth_user_id" not in client.session  # the session ended
        # and the login is locked for this user and address too
        login = client.post(
            "/staff/login/",
            {"username": "jiaoyu2", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.10",
        )
        assert login.status_code == 429
        traveller.shift(timedelta(minutes=16))
        login = client.post(
            "/staff/login/",
            {"username": "jiaoyu2", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.10",
        )
        assert login.status_code == 302


def test_failed_logins_also_lock_the_change_form(client, jiaoyu2):
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            client.post(
                "/staff/login/",
                {"username": "jiaoyu2", "password": "wrong"},
                REMOTE_ADDR="198.51.100.10",
            )
        client.force_login(jiaoyu2)
        assert _change(client, "still-wrong").status_code == 429


def test_right_old_password_changes_and_clears_nothing_it_should_not(client, jiaoyu2):
    client.force_login(jiaoyu2)
    with time_machine.travel(START, tick=False):
        for n in range(3):
            _change(client, f"wrong-{n}")
        response = _change(client, PASSWORD)
    assert response.status_code == 302
    jiaoyu2.refresh_from_db()
    assert jiaoyu2.check_password(NEW)


def test_admin_user_form_and_changepassword_command_use_the_validators(
    admin_client, jiaoyu2, monkeypatch
):
    url = f"/admin/auth/user/{jiaoyu2.pk}/password/"
    response = admin_client.post(
        url,
        {"password1": "jiaoyu2jiaoyu2", "password2": "jiaoyu2jiaoyu2"},
    )
    assert response.status_code == 200
    assert "密码不能包含用户名" in response.content.decode()
    answers = iter(["jiaoyu2jiaoyu2"] * 2 + [NEW] * 2)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("changepassword", "jiaoyu2")
    jiaoyu2.refresh_from_db()
    assert jiaoyu2.check_password(NEW)  # the first, refused, try did not stick


def test_demo_passwords_satisfy_the_rules():
    user_model = get_user_model()
    accounts = [
        (ensure_demo_admin.USERNAME, ensure_demo_admin.PASSWORD),
        *(
            (name, portal_demo.DEMO_PASSWORD)
            for name in ("jiaoyu", "jiaoyu2", "jiaoyu_sh", "caizheng", "zhengfu")
        ),
        ("caizheng_nb", disclosure_demo.DEMO_PASSWORD),
        ("caizheng_sh", disclosure_demo.DEMO_PASSWORD),
    ]
    for username, password in accounts:
        validate_password(
            password,
            user_model(username=username, email=f"{username}@tianyuan.example.gov.cn"),
        )
