"""Benchmark: concurrent online submissions get distinct, gapless tracking numbers and
nothing is lost (security.md §6 and §9 test 21, "nothing-lost invariant").

    .venv/bin/python bench/submissions.py [--submissions 300] [--threads 32]

Creates its own scratch database on the PostgreSQL server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432), migrates it, then starts ``--threads`` threads
(each with its own database connection) that together make ``--submissions`` calls of
``requests_app.services.request_submit_online``, each with an ID-proof upload, all
released at once by a barrier. It checks:

* every acknowledged submission (a returned tracking number and 查询码) is a row;
* the tracking numbers are distinct and gapless (YSQ-<year>-000001 … N);
* every row has its ID-proof file on disk, and the decrypted content matches the
  SHA-256 of what was sent; every 查询码 opens exactly its own request;

and prints wall time, throughput and latency percentiles (informational: the machine
is shared, so no timing is asserted). The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _admin_connection(url: str):
    import psycopg2

    parts = urlparse(url)
    conn = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def run(n: int, threads: int) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from portal.models import Agency
    from portal.validators import id_check_char
    from requests_app import selectors, services
    from requests_app.models import InfoRequest, RequestFile

    agency = Agency.objects.create(name="并发压测局", short_name="压测局")
    now = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    acknowledged: dict[
        str, tuple[str, str]
    ] = {}  # tracking_no -> (query code, sha256 sent)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)
    todo = list(range(n))

    def worker() -> None:
        barrier.wait()
        try:
            while True:
                with lock:
                    if not todo:
                        return
                    i = todo.pop()
                body = f"430211199001{(i % 28) + 1:02d}{i % 1000:03d}"[:17]
                payload = f"%PDF-1.4 bench id proof {i}".encode()
                upload = SimpleUploadedFile(
                    f"证件{i}.pdf", payload, content_type="application/pdf"
                )
                t0 = time.perf_counter()
                try:
                    sub = services.request_submit_online(
                        agency=agency,
                        now=now,
                        id_proof=upload,
                        applicant_type="citizen",
                        applicant_kind="natural",
                        applicant_name=f"压测申请人{i}",
                        id_type="resident_id",
                        id_number=body + id_check_char(body),
                        phone="13812341234",
                        description=f"压测：请公开第{i}号文件",
                    )
                except Exception as exc:
                    with lock:
                        errors.append(f"{i}: {type(exc).__name__}: {exc}")
                    continue
                dt = time.perf_counter() - t0
                with lock:
                    acknowledged[sub.info_request.tracking_no] = (
                        sub.query_code,
                        hashlib.sha256(payload).hexdigest(),
                    )
                    latencies.append(dt)
        finally:
            connection.close()

    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0

    rows = {r.tracking_no: r for r in InfoRequest.objects.all()}
    expected = [services.format_tracking_no(2026, i) for i in range(1, n + 1)]
    files = {
        f.info_request.tracking_no: f
        for f in RequestFile.objects.select_related("info_request")
    }
    lost = sorted(set(acknowledged) - set(rows))
    bad_files = []
    for tracking_no, (_code, digest) in acknowledged.items():
        f = files.get(tracking_no)
        if (
            f is None
            or f.sha256 != digest
            or hashlib.sha256(services.request_file_bytes(file=f)).hexdigest() != digest
        ):
            bad_files.append(tracking_no)
    wrong_code = [
        t
        for t, (code, _) in acknowledged.items()
        if getattr(selectors.get_request_for_applicant(t, code), "tracking_no", None)
        != t
    ]

    lat = sorted(latencies)
    print(
        f"{n} submissions, {threads} threads: wall {wall:.2f} s, {len(acknowledged) / wall:.0f} submissions/s"
    )
    if lat:
        print(
            f"latency per submission: median {statistics.median(lat) * 1000:.0f} ms, "
            f"p95 {lat[int(0.95 * (len(lat) - 1))] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms"
        )
    print(
        f"acknowledged {len(acknowledged)}, rows {len(rows)}, distinct numbers {len(set(acknowledged))}, "
        f"errors {len(errors)}, lost {len(lost)}, files missing or wrong {len(bad_files)}, "
        f"查询码 not opening its request {len(wrong_code)}"
    )
    ok = (
        not errors
        and not lost
        and not bad_files
        and not wrong_code
        and sorted(acknowledged) == expected
        and sorted(rows) == expected
    )
    print(
        "gapless YSQ-2026-000001 … "
        + expected[-1]
        + (": OK" if sorted(rows) == expected else ": NOT gapless")
    )
    for line in errors[:10]:
        print("  error", line)
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()

    server = (
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    )
    name = f"bench_submissions_{os.getpid()}"
    admin = _admin_connection(server)
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlparse(server)._replace(path=f"/{name}").geturl()
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("PORTAL_HTTPS", "false")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("CONN_MAX_AGE", "0")
    media = Path(f"/tmp/{name}-media")  # noqa: S108 - a scratch folder of the bench run
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        return run(args.submissions, args.threads)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - best effort before dropping the database
            pass
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        import shutil

        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
