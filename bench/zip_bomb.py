"""Time the refusal of a DOCX zip bomb (security.md §8, issue 11 §1.4).

    .venv/bin/python bench/zip_bomb.py

Builds a ~180 KB DOCX whose word/document.xml inflates to ~180 MB and times
``catalog.attachments.inspect_file`` on it (the same check every upload path runs).
Prints the sizes, the wall time, the peak memory growth and the bytes inflated.
"""

from __future__ import annotations

import io
import os
import resource
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

import django

django.setup()

from django.core.exceptions import ValidationError  # noqa: E402

from catalog.attachments import inspect_file  # noqa: E402
from catalog.demo import build_docx  # noqa: E402
from portal.filecheck import FileRefused, open_archive  # noqa: E402


def bomb(megabytes: int = 180) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(build_docx("标题", ["正文"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info))
        with target.open("word/document.xml", "w") as member:
            member.write(source.read("word/document.xml")[:-30])
            chunk = b"<w:p/>" * (1024 * 1024 // 6)
            for _ in range(megabytes):
                member.write(chunk)
    return out.getvalue()


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


def main() -> None:
    data = bomb()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        inspect_file("方案.docx", data)
        outcome = "accepted"
    except ValidationError as exc:
        outcome = "refused: " + " ".join(exc.messages)
    elapsed = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        open_archive(data, "方案.docx")
        inflated = "n/a"
    except FileRefused as exc:
        inflated = f"{exc.inflated} bytes"
    say(f"bomb: {len(data) / 1024:.0f} KB → 180 MB declared")
    say(f"{outcome}")
    say(
        f"time: {elapsed * 1000:.1f} ms, peak RSS growth: {(rss_after - rss_before) / 1024:.1f} MB, inflated: {inflated}"
    )
    say(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
