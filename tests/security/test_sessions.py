"""Session lifecycle and caching of staff pages (security.md §2.2, §9 test 8)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from portal.security import pii_page

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "alice-password-2026"  # noqa: S105 - test account


@pytest.fixture
def alice(staff_user):
    staff_user.set_password(PASSWORD)
    staff_user.save(update_fields=["password"])
    return staff_user


def _sign_in(client):
    reply = client.post(
        reverse("portal:login"), {"username": "alice", "password": PASSWORD}
    )
    assert reply.status_code == 302
    return client.session.session_key


def test_busy_session_still_ends_eight_hours_after_login(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        key = _sign_in(client)
        # active every 25 minutes, so the 30-minute idle timeout never fires
        for _ in range(19):  # 19 × 25 min = 7 h 55 min
            traveller.shift(timedelta(minutes=25))
            assert client.get(reverse("portal:staff_home")).status_code == 200
        traveller.shift(timedelta(minutes=6))  # 8 h 1 min after login
        reply = client.get(reverse("portal:staff_home"))
        assert reply.status_code == 302
        assert reply["Location"].startswith(reverse("portal:login"))
        assert not Session.objects.filter(session_key=key).exists()
        follow = client.get(reply["Location"])
        assert "登录已超过 8 小时" in follow.content.decode()


def test_idle_session_ends_after_thirty_minutes(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        _sign_in(client)
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("portal:staff_home")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get(reverse("portal:staff_home")).status_code == 302


def test_logged_out_cookie_cannot_be_reused(client, alice):
    key = _sign_in(client)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("portal:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = cookie
    assert client.get(reverse("portal:staff_home")).status_code == 302


def test_login_rotates_the_session_key(client, alice):
    session = client.session  # the test client stores a fresh session and its cookie
    session["probe"] = 1
    session.save()
    before = session.session_key
    assert client.cookies["sessionid"].value == before
    after = _sign_in(client)
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_staff_pages_and_signed_in_users_get_no_store(client, alice):
    anonymous_home = client.get("/")
    assert "no-store" not in anonymous_home.get("Cache-Control", "")
    assert (
        "no-store" in client.get(reverse("portal:staff_home"))["Cache-Control"]
    )  # the redirect too
    _sign_in(client)
    assert "no-store" in client.get(reverse("portal:staff_home"))["Cache-Control"]
    signed_in_home = client.get("/")
    assert "no-store" in signed_in_home["Cache-Control"]
    assert "private" in signed_in_home["Cache-Control"]


def test_pii_page_decorator():
    view = pii_page(lambda request: HttpResponse("申请人：张三"))
    response = view(RequestFactory().get("/ysq/case/"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
