"""gunicorn settings for the portal (read automatically from the working directory).

    .venv/bin/gunicorn portal.wsgi            # uses this file
    GUNICORN_WORKERS=4 GUNICORN_THREADS=4 .venv/bin/gunicorn portal.wsgi

Sizing: Django views are mostly CPU-bound (templates, PBKDF2 at login), so start with
2 workers per core and a few threads each for requests waiting on PostgreSQL.
Keep ``workers × threads`` (times the number of app servers) below PostgreSQL's
``max_connections``: with ``CONN_MAX_AGE`` every thread keeps one connection open.

The access log never contains query strings or referrers (search terms, ``next=``
targets and anything a citizen typed into a GET form could be personal data), only
method, path, status, size, duration and the client address.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


_cores = os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = _int("GUNICORN_WORKERS", 2 * _cores)
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

# A request may take at most this long before its worker is killed and replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # nginx keeps upstream connections open

# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)

# Request size limits (nginx enforces the body size: client_max_body_size).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Only the local nginx may set X-Forwarded-Proto / -For for gunicorn itself.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Heartbeat files on tmpfs: a worker blocked on a slow disk is not mistaken for dead.
if os.path.isdir("/dev/shm"):  # noqa: S108 - the host's tmpfs, on purpose
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# One gunicorn per site; several on one machine (tests, bench) must not share a socket.
control_socket_disable = True

proc_name = os.environ.get("GUNICORN_PROC_NAME", "xxgk-portal")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# %(U)s is the path without the query string; %(M)s the duration in milliseconds.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
