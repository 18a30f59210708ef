"""Writing uploaded files so a full disk leaves nothing behind (docs/security.md
§8, issue 11 §2.4).

Every file the portal stores (notice attachments, request files, the applicant's ID
proof held between the preview and the final submit) is written by ``write_file``:
the bytes go to a temporary name in the target's folder (``.<random>.part``), are
flushed to disk, and the temporary file is renamed to its final name. A failure
part-way — ENOSPC, a quota, an I/O error — removes the temporary file, so no
half-written file ever carries a real name. A full disk raises ``StorageFull``,
which views turn into the Chinese message ``STORAGE_FULL_MESSAGE`` with the user's
input kept, and logs an error.

``save_field_file`` does the same for a model's ``FileField`` (its ``upload_to``
name). Services call it before the row is written and remove the file again when
the transaction fails; a process killed between the two leaves an orphan that
``manage.py cleanup_orphan_files`` lists and removes.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

STORAGE_FULL_MESSAGE = "存储空间不足，请稍后再试"
PART_SUFFIX = ".part"
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


class StorageFull(OSError):
    """The disk (or the quota) is full; nothing was left behind."""

    def __init__(self, path: str | os.PathLike) -> None:
        super().__init__(errno.ENOSPC, STORAGE_FULL_MESSAGE, str(path))
        self.message = STORAGE_FULL_MESSAGE


def is_storage_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS


def _write(handle, data: bytes) -> None:
    """The one place bytes hit the disk (tests patch it to simulate a full disk)."""
    handle.write(data)
    handle.flush()
    os.fsync(handle.fileno())


def write_file(
    path: str | os.PathLike, data: bytes, *, mode: int | None = None
) -> None:
    """Write ``data`` to the new file ``path`` atomically: temporary name, then rename.

    Raises ``StorageFull`` on a full disk and re-raises any other ``OSError``; in
    both cases no file is left at ``path`` nor under the temporary name."""
    path = Path(path)
    if mode is None:
        mode = getattr(settings, "FILE_UPLOAD_PERMISSIONS", None) or 0o640
    temp = path.parent / f".{path.name}.{secrets.token_hex(4)}{PART_SUFFIX}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            _write(handle, data)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        if is_storage_full(exc):
            logger.error("storage full writing %s (%d bytes)", path, len(data))
            raise StorageFull(path) from exc
        raise


def save_field_file(
    field_file, data: bytes, *, name_hint: str = "upload", before_write=None
) -> None:
    """Store ``data`` as the new file of ``field_file`` (a ``FieldFile`` of a
    filesystem storage) under its ``upload_to`` name, with ``write_file``; the
    model row is not saved. ``before_write(name)`` is called first (a journal of
    files not yet committed, see ``import_notices``)."""
    storage = field_file.storage
    name = field_file.field.generate_filename(field_file.instance, name_hint)
    name = storage.get_available_name(name, max_length=field_file.field.max_length)
    if before_write is not None:
        before_write(name)
    write_file(storage.path(name), data)
    field_file.name = name


def delete_quietly(field_file) -> None:
    """Remove a stored file (cleanup after a failed transaction); never raises."""
    try:
        if field_file and field_file.name:
            Path(field_file.storage.path(field_file.name)).unlink(missing_ok=True)
    except OSError:
        logger.exception("could not remove %s", getattr(field_file, "name", ""))
