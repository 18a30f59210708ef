"""portal.filestore: atomic writes, StorageFull, and the 503 page for a full disk."""

from __future__ import annotations

import errno

import pytest
from django.test import RequestFactory

from portal import filestore
from portal.middleware import StorageFullMiddleware


def failing_write(err: int):
    def write(handle, data):
        handle.write(data[:3])
        raise OSError(err, "boom")

    return write


def test_write_file_is_atomic_and_full_disk_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "sub" / "file"
    filestore.write_file(target, b"hello")
    assert target.read_bytes() == b"hello"
    monkeypatch.setattr(filestore, "_write", failing_write(errno.ENOSPC))
    with pytest.raises(filestore.StorageFull) as info:
        filestore.write_file(tmp_path / "sub" / "other", b"world")
    assert info.value.message == "存储空间不足，请稍后再试"
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["file"]
    monkeypatch.setattr(filestore, "_write", failing_write(errno.EIO))
    with pytest.raises(OSError, match="boom") as other:
        filestore.write_file(tmp_path / "sub" / "third", b"x")
    assert not isinstance(other.value, filestore.StorageFull)
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["file"]


@pytest.mark.django_db
def test_an_unhandled_full_disk_answers_a_chinese_503_page():
    request = RequestFactory().post("/ysq/anything/")
    middleware = StorageFullMiddleware(lambda r: None)
    response = middleware.process_exception(request, filestore.StorageFull("/x"))
    assert response.status_code == 503
    assert "存储空间不足，请稍后再试" in response.content.decode()
    assert middleware.process_exception(request, ValueError("x")) is None
