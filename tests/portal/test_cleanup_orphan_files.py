"""manage.py cleanup_orphan_files lists (default) and removes files without rows."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog import services
from tests.factories import NoticeFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("cleanup_orphan_files", *args, stdout=out)
    return out.getvalue()


def old(path: Path, hours: float = 2) -> Path:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return path


def test_lists_then_deletes_only_files_without_rows(agency, settings):
    root = Path(settings.MEDIA_ROOT)
    notice = NoticeFactory(owner_agency=agency)
    kept = services.attachment_add(
        notice=notice, by=None, name="a.txt", content="附件".encode()
    )
    old(Path(kept.file.path))
    (root / "catalog").mkdir(exist_ok=True)
    orphan = root / "catalog" / "0123456789abcdef"
    orphan.write_bytes(b"x")
    old(orphan)
    part = root / "requests" / "id_proof" / ".abc.1234.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"half")
    old(part)
    young = root / "catalog" / "fedcba9876543210"
    young.write_bytes(b"in flight")
    holding = root / "ysq-holding" / "token"
    holding.parent.mkdir()
    holding.write_bytes(b"held")
    old(holding)

    listed = run()
    assert "catalog/0123456789abcdef（1 字节）" in listed
    assert "requests/id_proof/.abc.1234.part（4 字节）" in listed
    assert "发现 2 个没有数据库记录的文件，共 5 字节；加 --delete 删除" in listed
    assert orphan.exists()
    assert part.exists()

    deleted = run("--delete")
    assert "删除了 2 个" in deleted
    assert not orphan.exists()
    assert not part.exists()
    assert Path(kept.file.path).exists()
    assert young.exists()
    assert holding.exists()
    assert "删除了 1 个" in run("--delete", "--min-age", "0")
    assert not young.exists()
