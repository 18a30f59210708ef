"""Security headers and cookies as production sends them (security.md §9 tests 2, 3, 5).

gunicorn runs with production settings behind a simulated nginx (X-Forwarded-Proto
https, X-Forwarded-For); see tests/security/conftest.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.security.live import SITE_HOST, http_request

# The mark makes pytest-django create the test database that gunicorn is pointed at.
# Rows the server must see are committed by module fixtures, outside the tests'
# rolled-back transactions, and deleted afterwards.
pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 2026"  # noqa: S105 - test account


@pytest.fixture(scope="module")
def live_staff(production_server, django_db_blocker):
    """A committed staff account the server can log in (cheap PBKDF2 hash: the
    production hasher list has no MD5)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    with django_db_blocker.unblock():
        user = get_user_model().objects.create(
            username="live-alice",
            is_staff=True,
            password=hasher.encode(PASSWORD, hasher.salt(), iterations=1000),
        )
    yield user
    with django_db_blocker.unblock():
        user.delete()


def _csrf(port: int, client_ip: str = "198.51.100.10") -> tuple[str, str]:
    """GET the login form: (cookie header, form token)."""
    page = http_request(port, "GET", "/staff/login/", client_ip=client_ip)
    assert page.status == 200
    cookie = page.cookies()["__Host-csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return f"__Host-csrftoken={cookie['value']}", token


def _login(
    port: int,
    username: str,
    password: str,
    *,
    client_ip: str = "198.51.100.10",
    spoofed: str | None = None,
):
    cookie, token = _csrf(port, client_ip)
    body = urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    return http_request(
        port,
        "POST",
        "/staff/login/",
        body=body,
        client_ip=client_ip,
        spoofed_forwarded_for=spoofed,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": f"https://{SITE_HOST}",
            "Referer": f"https://{SITE_HOST}/staff/login/",
        },
    )


def _hashed_static_path(production_server, name: str) -> str:
    static_root = Path(production_server.env["STATIC_ROOT"])
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"][name]


def assert_transport_headers(resp) -> None:
    hsts = resp.header("Strict-Transport-Security")
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 31536000
    assert "includeSubDomains" in hsts
    assert resp.header("X-Content-Type-Options") == "nosniff"
    assert resp.header("Referrer-Policy") == "same-origin"


def assert_page_headers(resp) -> None:
    assert_transport_headers(resp)
    assert resp.header("X-Frame-Options") == "DENY"
    csp = {
        d.split()[0]: d.split()[1:]
        for d in resp.header("Content-Security-Policy").split(";")
        if d.strip()
    }
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert all(
        "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
        for sources in csp.values()
    )


def test_page_has_security_headers(production_server):
    resp = http_request(production_server.port, "GET", "/")
    assert resp.status == 200
    assert_page_headers(resp)


def test_not_found_has_security_headers(production_server):
    resp = http_request(production_server.port, "GET", "/no-such-page-here/")
    assert resp.status == 404
    assert_page_headers(resp)
    assert "Traceback" not in resp.text
    assert "页面不存在" in resp.text


def test_plain_http_is_redirected_to_https(production_server):
    resp = http_request(production_server.port, "GET", "/", https=False)
    assert resp.status == 301
    assert resp.header("Location") == f"https://{SITE_HOST}/"


def test_unknown_host_is_refused(production_server):
    resp = http_request(production_server.port, "GET", "/", host="evil.example")
    assert resp.status == 400
    assert "evil.example" not in resp.text


def test_static_file_is_hashed_compressed_and_cached_forever(production_server):
    path = _hashed_static_path(production_server, "css/site.css")
    assert re.search(r"/site\.[0-9a-f]{12}\.css$", path)
    brotli = http_request(
        production_server.port, "GET", path, headers={"Accept-Encoding": "br, gzip"}
    )
    assert brotli.status == 200
    assert_transport_headers(brotli)
    assert brotli.header("Content-Encoding") == "br"
    cache = brotli.header("Cache-Control")
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 31536000
    assert "immutable" in cache
    assert "Accept-Encoding" in brotli.header("Vary")
    gzip = http_request(
        production_server.port, "GET", path, headers={"Accept-Encoding": "gzip"}
    )
    assert gzip.header("Content-Encoding") == "gzip"
    plain = http_request(production_server.port, "GET", path)
    assert plain.header("Content-Encoding") == ""
    assert len(plain.body) > len(brotli.body)


def test_only_hashed_static_assets_are_served(production_server):
    """Issue 11 §1.10: the manifest (every asset of the release) and the unhashed
    originals are not served; the hashed names the pages link to are."""
    port = production_server.port
    static_root = Path(production_server.env["STATIC_ROOT"])
    assert (static_root / "staticfiles.json").is_file()
    assert (static_root / "css" / "site.css").is_file()
    for path in (
        "/static/staticfiles.json",
        "/static/staticfiles.json.gz",
        "/static/css/site.css",
        "/static/js/site.js",
    ):
        resp = http_request(port, "GET", path)
        assert resp.status == 404, path
        assert b'"paths"' not in resp.body
    for name in ("css/site.css", "js/site.js", "css/print.css"):
        path = _hashed_static_path(production_server, name)
        assert http_request(port, "GET", path).status == 200, path
        assert http_request(port, "HEAD", path).status == 200, path


def test_csrf_cookie_is_host_prefixed_secure_httponly_samesite(production_server):
    page = http_request(production_server.port, "GET", "/staff/login/")
    cookie = page.cookies()["__Host-csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert "domain" not in cookie
    assert "no-store" in page.header("Cache-Control")


def test_login_post_redirect_and_session_cookie(production_server, live_staff):
    resp = _login(
        production_server.port, "live-alice", PASSWORD, client_ip="198.51.100.20"
    )
    assert resp.status == 302
    assert resp.header("Location") == "/staff/"
    assert_page_headers(resp)
    session = resp.cookies()["__Host-sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert "domain" not in session
    assert "expires" not in session
    assert "max-age" not in session  # ends with the browser

    staff_home = http_request(
        production_server.port,
        "GET",
        "/staff/",
        client_ip="198.51.100.20",
        headers={"Cookie": f"__Host-sessionid={session['value']}"},
    )
    assert staff_home.status == 200
    assert "live-alice" in staff_home.text
    assert "no-store" in staff_home.header("Cache-Control")
    assert_page_headers(staff_home)


def test_login_lockout_holds_across_workers_and_ignores_spoofed_forwarded_for(
    production_server, live_staff
):
    port = production_server.port
    attacker = "203.0.113.66"
    statuses = [
        _login(port, "live-alice", "wrong password", client_ip=attacker).status
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]

    # the right password no longer helps from this address, on whichever worker answers
    locked = _login(port, "live-alice", PASSWORD, client_ip=attacker)
    assert locked.status == 429
    assert "登录失败次数过多，请 15 分钟后再试" in locked.text
    assert "__Host-sessionid" not in locked.cookies()
    assert int(locked.header("Retry-After")) > 0

    # a forged X-Forwarded-For in front of nginx's own entry changes nothing
    for n in range(1, 6):
        spoofed = _login(
            port, "live-alice", PASSWORD, client_ip=attacker, spoofed=f"10.9.8.{n}"
        )
        assert spoofed.status == 429

    # the account itself is not locked for everyone else
    elsewhere = _login(port, "live-alice", PASSWORD, client_ip="198.51.100.77")
    assert elsewhere.status == 302
