"""Helpers for tests that run the portal the way production does: gunicorn as a
subprocess on 127.0.0.1 with production settings (DEBUG off, secrets from the
environment), talking plain HTTP as nginx would.

Every wait is bounded (deadline + per-call timeout); servers are stopped by PID.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SITE_HOST = "xxgk.example.gov.cn"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL (as portal.env.parse_database_url reads it) for a Django DB entry."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = user + (":" + quote(password, safe="") if password else "")
    name = quote(settings_dict["NAME"], safe="")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = str(
        settings_dict.get("PORT") or settings_dict.get("OPTIONS", {}).get("port") or ""
    )
    if host.startswith("/"):
        query = {"host": host, **({"port": port} if port else {})}
        return f"postgres://{auth}@/{name}?{urlencode(query)}"
    return f"postgres://{auth}@{host}:{port or 5432}/{name}"


def production_env(db_url: str, **extra: str) -> dict[str, str]:
    """A clean environment with production settings: nothing leaks in from the test run."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 random characters
        "ALLOWED_HOSTS": SITE_HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{SITE_HOST}",
        "DATABASE_URL": db_url,
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def run_manage(
    args: list[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def test_database_url(django_db_setup, django_db_blocker) -> str:
    """DATABASE_URL of pytest-django's test database, for subprocesses.

    pytest-django creates the test database only when a collected test is marked
    ``django_db`` (or uses ``db``): modules using this fixture carry the mark."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    assert name == (connection.settings_dict.get("TEST") or {}).get(
        "NAME", f"test_{name}"
    ), (
        f"{name} is not the test database: mark the test module with pytest.mark.django_db"
    )
    with django_db_blocker.unblock():
        return database_url(connection.settings_dict)


_COLLECTED_STATIC: dict[str, Path] = {}


def collected_static(tmp_path_factory, db_url: str) -> Path:
    """STATIC_ROOT collected once per test session with production storage
    (whitenoise CompressedManifestStaticFilesStorage: hashed names, .gz and .br)."""
    if "root" not in _COLLECTED_STATIC:
        root = tmp_path_factory.getbasetemp() / "collected-static"
        result = run_manage(
            ["collectstatic", "--noinput", "-v0"],
            production_env(db_url, STATIC_ROOT=str(root)),
        )
        assert result.returncode == 0, result.stderr
        _COLLECTED_STATIC["root"] = root
    return _COLLECTED_STATIC["root"]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    def cookies(self) -> dict[str, dict[str, str | bool]]:
        """Set-Cookie headers parsed into {name: {"value": …, "secure": True, "path": "/", …}}."""
        parsed: dict[str, dict[str, str | bool]] = {}
        for raw in self.headers.get_all("Set-Cookie") or []:
            first, *attrs = [part.strip() for part in raw.split(";")]
            name, _, value = first.partition("=")
            cookie: dict[str, str | bool] = {"value": value}
            for attr in attrs:
                key, eq, val = attr.partition("=")
                cookie[key.lower()] = val if eq else True
            parsed[name] = cookie
        return parsed

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def http_request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    https: bool = True,
    client_ip: str = "198.51.100.10",
    spoofed_forwarded_for: str | None = None,
    host: str = SITE_HOST,
    timeout: float = 15,
) -> Response:
    """One request as nginx would pass it on: Host, X-Forwarded-Proto and an
    X-Forwarded-For whose last hop is the client address nginx saw."""
    forwarded_for = (
        f"{spoofed_forwarded_for}, {client_ip}" if spoofed_forwarded_for else client_ip
    )
    all_headers = {"Host": host, "X-Forwarded-For": forwarded_for}
    if https:
        all_headers["X-Forwarded-Proto"] = "https"
    all_headers.update(headers or {})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=all_headers)
        resp = conn.getresponse()
        return Response(resp.status, resp.msg, resp.read())
    finally:
        conn.close()


@dataclass
class Gunicorn:
    """gunicorn (with the repository's gunicorn.conf.py) as a subprocess."""

    env: dict[str, str]
    log_path: Path
    workers: int = 2
    threads: int = 2
    port: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, ready_timeout: float = 30) -> Gunicorn:
        self.port = free_port()
        env = dict(self.env)
        env.update(
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(self.workers),
            GUNICORN_THREADS=str(self.threads),
            GUNICORN_ACCESS_LOG="-",
        )
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    str(BASE_DIR / "gunicorn.conf.py"),
                    "portal.wsgi",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(OSError):
                if (
                    http_request(
                        self.port, "GET", "/healthz", https=False, timeout=2
                    ).status
                    == 200
                ):
                    return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"gunicorn not ready after {ready_timeout} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(
                self.log_path.read_text(errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return ""
