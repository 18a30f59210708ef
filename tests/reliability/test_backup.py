"""Backup and restore round trip (security.md §9 test 36): scripts/backup then
scripts/restore into a fresh database and media folder; rows and files must match."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import psycopg2
import pytest

from tests.factories import AgencyFactory
from tests.security.live import BASE_DIR, database_url

# The test runs in pytest-django's rolled-back transaction; the rows pg_dump must see
# are committed on a connection of their own (_committed) and deleted afterwards.
pytestmark = [pytest.mark.fault, pytest.mark.django_db]

MARKER = "备份演练局"


def _script(
    name: str, *args: str, env_extra: dict[str, str]
) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        **env_extra,
    }
    return subprocess.run(  # noqa: S603 - our own scripts
        [sys.executable, str(BASE_DIR / "scripts" / name), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _connect(settings_dict: dict, dbname: str):
    conn = psycopg2.connect(
        dbname=dbname,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"]
        or settings_dict.get("OPTIONS", {}).get("port")
        or None,
        connect_timeout=10,
    )
    conn.autocommit = True
    return conn


def _drop(settings_dict: dict, dbname: str) -> None:
    conn = _connect(settings_dict, "postgres")
    try:
        conn.cursor().execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    finally:
        conn.close()


def _committed(fn):
    """Run fn on a connection of its own (a thread's), so its writes are committed."""
    from django.db import connection

    result: list = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # re-raised below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    return result[0]


@pytest.fixture
def source(tmp_path):
    """Committed rows in the test database and uploaded files (removed afterwards)."""
    from django.db import connection

    from portal.models import Agency

    media = tmp_path / "media"
    (media / "requests" / "2026").mkdir(parents=True)
    (media / "requests" / "2026" / "f3a9c2.pdf").write_bytes(
        b"%PDF-1.7\n" + bytes(range(256)) * 40
    )
    (media / "catalog" / "附件").mkdir(parents=True)
    (media / "catalog" / "附件" / "2025年 决算.xlsx").write_bytes(
        b"PK\x03\x04" + b"\x00\xff" * 500
    )
    settings_dict = dict(connection.settings_dict)
    assert settings_dict["NAME"].startswith("test_")
    agency = _committed(lambda: AgencyFactory(name=MARKER))
    agencies = _committed(Agency.objects.count)
    yield {"media": media, "settings": settings_dict, "agencies": agencies}
    _committed(lambda: Agency.objects.filter(pk=agency.pk).delete())


def test_backup_and_restore_round_trip(source, tmp_path):
    settings_dict = source["settings"]
    restored_name = f"{settings_dict['NAME']}_restore"
    _drop(settings_dict, restored_name)
    try:
        backup = _script(
            "backup",
            "--dest",
            str(tmp_path / "backups"),
            "--media-root",
            str(source["media"]),
            env_extra={"DATABASE_URL": database_url(settings_dict)},
        )
        assert backup.returncode == 0, backup.stderr
        (backup_dir,) = (tmp_path / "backups").iterdir()
        assert oct(backup_dir.stat().st_mode & 0o777) == "0o700"
        manifest = json.loads(
            (backup_dir / "manifest.json").read_text(encoding="utf-8")
        )
        assert manifest["tables"]["public.portal_agency"] == source["agencies"]
        assert set(manifest["files"]) == {
            "requests/2026/f3a9c2.pdf",
            "catalog/附件/2025年 决算.xlsx",
        }
        assert settings_dict["PASSWORD"] == "" or settings_dict[
            "PASSWORD"
        ] not in backup_dir.joinpath("manifest.json").read_text(encoding="utf-8")

        restored_media = tmp_path / "restored-media"
        restore = _script(
            "restore",
            str(backup_dir),
            "--media-root",
            str(restored_media),
            env_extra={
                "DATABASE_URL": database_url({**settings_dict, "NAME": restored_name})
            },
        )
        assert restore.returncode == 0, restore.stderr
        assert "恢复完成并已核对" in restore.stdout

        conn = _connect(settings_dict, restored_name)
        try:
            cur = conn.cursor()
            cur.execute("SELECT count(*) FROM portal_agency WHERE name = %s", [MARKER])
            assert cur.fetchone()[0] == 1
            cur.execute("SELECT count(*) FROM django_migrations")
            assert cur.fetchone()[0] > 10
        finally:
            conn.close()
        for rel in manifest["files"]:
            assert (restored_media / rel).read_bytes() == (
                source["media"] / rel
            ).read_bytes()

        # restoring over a database that holds data is refused, nothing is touched
        again = _script(
            "restore",
            str(backup_dir),
            "--media-root",
            str(tmp_path / "other-media"),
            env_extra={
                "DATABASE_URL": database_url({**settings_dict, "NAME": restored_name})
            },
        )
        assert again.returncode == 1
        assert "不是空的" in again.stderr
        assert not (tmp_path / "other-media").exists()
    finally:
        _drop(settings_dict, restored_name)


def test_damaged_backup_is_refused_before_anything_is_written(source, tmp_path):
    settings_dict = source["settings"]
    backup = _script(
        "backup",
        "--dest",
        str(tmp_path / "backups"),
        "--media-root",
        str(source["media"]),
        env_extra={"DATABASE_URL": database_url(settings_dict)},
    )
    assert backup.returncode == 0, backup.stderr
    (backup_dir,) = (tmp_path / "backups").iterdir()
    damaged = tmp_path / "damaged"
    shutil.copytree(backup_dir, damaged)
    tar = Path(damaged / "media.tar")
    data = bytearray(tar.read_bytes())
    data[700] ^= 0xFF
    tar.write_bytes(bytes(data))

    never_created = f"{settings_dict['NAME']}_never"
    result = _script(
        "restore",
        str(damaged),
        "--media-root",
        str(tmp_path / "restored"),
        env_extra={
            "DATABASE_URL": database_url({**settings_dict, "NAME": never_created})
        },
    )
    assert result.returncode == 1
    assert "media.tar 校验失败" in result.stderr
    assert not (tmp_path / "restored").exists()
    conn = _connect(settings_dict, "postgres")
    try:
        cur = conn.cursor()
        cur.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [never_created]
        )
        assert cur.fetchone()[0] == 0
    finally:
        conn.close()
