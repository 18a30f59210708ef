"""Benchmark: ``python manage.py site_check --format json`` over the demo district.

    .venv/bin/python bench/site_check.py [--notices 1200] [--repeat 5] [--today 2026-12-07]

Creates a scratch database on the PostgreSQL server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432), migrates it, loads the demo district with
``seed_demo`` (what ``scripts/run`` serves), then runs ``site_check --format json``
``--repeat`` times in-process and prints the wall time of each run, the median and the
number of SQL queries of one run. Target: under 5 s (issue 13 §4). The scratch database
is dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=1200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")
    args = parser.parse_args()

    server = (
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    )
    name = f"bench_site_check_{os.getpid()}"
    admin = _admin_connection(server)
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlparse(server)._replace(path=f"/{name}").geturl()
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("PORTAL_HTTPS", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from portal.models import Agency

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        t1 = time.perf_counter()
        call_command("seed_demo", notices=args.notices, stdout=io.StringIO())
        t2 = time.perf_counter()
        say(
            f"scratch database {name}: migrate {t1 - t0:.1f} s, seed_demo "
            f"({args.notices} notices, {Agency.objects.count()} agencies) {t2 - t1:.1f} s"
        )
        extra = ["--today", args.today] if args.today else []
        times = []
        data = None
        for i in range(args.repeat):
            out = io.StringIO()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                call_command("site_check", "--format", "json", *extra, stdout=out)
                times.append(time.perf_counter() - start)
            data = json.loads(out.getvalue())
            say(f"run {i + 1}: {times[-1]:.3f} s, {len(ctx.captured_queries)} queries")
        kinds: dict[str, int] = {}
        for f in data["findings"]:
            kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
        say(
            f"as_of {data['as_of']}: {len(data['agencies'])} agencies, "
            f"{len(data['columns'])} (column, agency) rows, {len(data['findings'])} findings"
        )
        say("findings by kind:", json.dumps(kinds, ensure_ascii=False, sort_keys=True))
        median = statistics.median(times)
        say(f"site_check median {median:.3f} s, max {max(times):.3f} s (target < 5 s)")
        return 0 if median < 5 else 1
    finally:
        from django.db import connections

        connections.close_all()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
