"""Benchmark: one agency-year annual report versus a single hand-written GROUP BY.

    .venv/bin/python bench/report.py [--requests 100000] [--agencies 20] [--repeat 30]

Creates its own scratch database on the PostgreSQL server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432), migrates it, COPYs ``--requests`` information
requests over several agencies and the years 2019–2026, then times, in the same run:

* A: ``disclosure.content.compute_figures`` + the checks R1–R7 for one agency and
  year — everything a draft report page computes (tables 二, 三, 四, fees, R5);
* B: one hand-written GROUP BY query returning the counts of table 三.

It prints the median of each, the ratio A/B (target: ≤ 3×), asserts that table 三 from
A equals the counts folded from B, and drops the scratch database at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BEIJING = ZoneInfo("Asia/Shanghai")

HAND_WRITTEN = """
SELECT applicant_kind, outcome,
       count(*) FILTER (WHERE received_date >= %(s)s)                        AS new,
       count(*) FILTER (WHERE received_date <  %(s)s)                        AS carried_in,
       count(*) FILTER (WHERE closed_date <= %(e)s)                          AS closed,
       count(*) FILTER (WHERE closed_date IS NULL OR closed_date > %(e)s)    AS carried_out
  FROM requests_app_inforequest
 WHERE agency_id = %(agency)s
   AND received_date IS NOT NULL
   AND received_date <= %(e)s
   AND (closed_date IS NULL OR closed_date >= %(s)s)
 GROUP BY applicant_kind, outcome
"""


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")


def _server_url() -> str:
    return (
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    )


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


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (list, tuple)):
        return "{" + ",".join(str(v) for v in value) + "}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def fill(n_requests: int, n_agencies: int, seed: int = 42) -> list[int]:
    """Agencies through the ORM, requests by COPY (valid rows: every CHECK holds)."""
    from django.db import connection

    from portal.models import Agency
    from requests_app.models import InfoRequest
    from requests_app.outcomes import ApplicantKind, Outcome

    rng = random.Random(seed)
    agencies = [
        Agency.objects.create(name=f"压测局{i:02d}", short_name=f"压测{i:02d}")
        for i in range(n_agencies)
    ]
    weights = [
        a_i + 1 for a_i in range(n_agencies)
    ]  # uneven sizes, like real districts
    kinds = [k.value for k in ApplicantKind]
    kind_weights = [70, 12, 3, 3, 6, 6]
    outcomes = [o.value for o in Outcome]
    outcome_weights = [40, 12] + [1] * 8 + [8, 3, 1] + [2] * 5 + [2, 1, 4]
    fields = [f for f in InfoRequest._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    template = InfoRequest()
    defaults = {f.attname: f.get_default() for f in fields}
    first, last = date(2019, 1, 1), date(2026, 11, 20)
    span = (last - first).days
    buf = io.StringIO()
    for i in range(n_requests):
        agency = rng.choices(agencies, weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        submitted = first + timedelta(days=rng.randrange(span))
        row = dict(defaults)
        row.update(
            {
                "code": uuid.UUID(int=rng.getrandbits(128)),
                "tracking_no": f"YSQ-{submitted.year}-{i:07d}",
                "year": submitted.year,
                "serial": i,
                "agency_id": agency.pk,
                "channel": "online",
                "submitted_at": datetime(
                    submitted.year, submitted.month, submitted.day, 10, tzinfo=BEIJING
                ),
                "applicant_type": "citizen" if kind == "natural" else "organisation",
                "applicant_kind": kind,
                "applicant_name": f"申请人{i}",
                "description": "压测申请",
                "created_at": datetime(
                    submitted.year, submitted.month, submitted.day, 10, tzinfo=BEIJING
                ),
                "updated_at": datetime(
                    submitted.year, submitted.month, submitted.day, 10, tzinfo=BEIJING
                ),
            }
        )
        state = rng.random()
        if state < 0.02:  # still 待确认: no legal received date
            row.update(status="pending")
        else:
            received = submitted + timedelta(days=rng.choice([0, 0, 1, 2]))
            row.update(
                received_date=received,
                clock_start_date=received,
                reply_due_date=received + timedelta(days=28),
                paused_workdays=rng.choice([0, 0, 0, 3, 7]),
            )
            closed = received + timedelta(days=rng.randint(0, 60))
            if closed > last or state < 0.05:
                row.update(status="processing")
            else:
                outcome = rng.choices(outcomes, outcome_weights)[0]
                status = {
                    "other": "withdrawn",
                    "no_correction": "abandoned",
                    "unpaid_fee": "abandoned",
                }.get(outcome, "replied")
                row.update(
                    status=status,
                    outcome=outcome,
                    closed_date=closed,
                    replied_date=closed if status == "replied" else None,
                )
        buf.write("\t".join(_copy_value(row[f.attname]) for f in fields) + "\n")
    buf.seek(0)
    del template
    with connection.cursor() as cur:
        cur.copy_expert(
            f"COPY requests_app_inforequest ({', '.join(columns)}) FROM STDIN",
            buf,
        )
        cur.execute("ANALYZE requests_app_inforequest")
    return [a.pk for a in agencies]


def hand_written(agency_id: int, year: int) -> list[dict]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            HAND_WRITTEN,
            {"agency": agency_id, "s": date(year, 1, 1), "e": date(year, 12, 31)},
        )
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def full_report(agency_id: int, year: int):
    from disclosure.checks import run_checks
    from disclosure.content import compute_figures
    from disclosure.models import AnnualReport
    from portal.models import Agency

    report = AnnualReport(agency=Agency(pk=agency_id, name="x"), year=year)
    figures, count, _fees, previous, _included = compute_figures(report)
    run_checks(figures, previous=previous, request_count=count)
    return figures


def _time(fns: list, repeat: int) -> list[tuple[float, object]]:
    """Median wall time of each function, run interleaved (A, B, C, A, B, C, …) so that
    load from other processes on the machine falls on all of them alike."""
    results: list[object] = [fn() for fn in fns]  # warm up (plans, caches)
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            results[i] = fn()
            samples[i].append(time.perf_counter() - t0)
    return [(statistics.median(s), r) for s, r in zip(samples, results, strict=True)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()

    server = _server_url()
    name = f"bench_report_{os.getpid()}"
    admin = _admin_connection(server)
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    parts = urlparse(server)
    os.environ["DATABASE_URL"] = parts._replace(path=f"/{name}").geturl()
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("PORTAL_HTTPS", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from disclosure import layout
        from disclosure.stats import table3_from_groups

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        t1 = time.perf_counter()
        agency_ids = fill(args.requests, args.agencies)
        t2 = time.perf_counter()
        say(
            f"scratch database {name}: migrate {t1 - t0:.1f} s, COPY {args.requests} requests over "
            f"{args.agencies} agencies {t2 - t1:.1f} s"
        )
        agency_id = agency_ids[-1]  # the busiest agency
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM requests_app_inforequest WHERE agency_id = %s",
                [agency_id],
            )
            in_agency = cur.fetchone()[0]
        from disclosure.stats import table3

        (report_s, figures), (query_s, groups), (table3_s, _) = _time(
            [
                lambda: full_report(agency_id, args.year),
                lambda: hand_written(agency_id, args.year),
                lambda: table3([agency_id], args.year),
            ],
            args.repeat,
        )
        if os.environ.get("BENCH_EXPLAIN"):
            from disclosure.stats import table3_query

            say(table3_query([agency_id], args.year).explain(analyze=True))
            from disclosure.stats import report_query

            say(report_query(agency_id, args.year).explain(analyze=True))
            with connection.cursor() as cur:
                cur.execute(
                    "EXPLAIN ANALYZE " + HAND_WRITTEN,
                    {
                        "agency": agency_id,
                        "s": date(args.year, 1, 1),
                        "e": date(args.year, 12, 31),
                    },
                )
                say("\n".join(r[0] for r in cur.fetchall()))
        expected, _ = table3_from_groups(groups)
        if figures.table3 != expected:
            raise AssertionError("table 三 differs from the hand-written query")
        total_new = expected[layout.ROW_NEW][layout.TOTAL]
        say(
            f"agency {agency_id} ({in_agency} requests in all years), {args.year}: "
            f"一、本年新收 {total_new}, （七）总计 {expected['（七）总计'][layout.TOTAL]}"
        )
        say(
            f"report (tables 二/三/四, fees, R1–R7), median of {args.repeat}: {report_s * 1000:.2f} ms"
        )
        say(
            f"  of which table 三 (disclosure.stats),  median of {args.repeat}: {table3_s * 1000:.2f} ms"
        )
        say(
            f"hand-written GROUP BY,                 median of {args.repeat}: {query_s * 1000:.2f} ms"
        )
        ratio = report_s / query_s
        say(f"ratio: {ratio:.2f}x (target ≤ 3x) — counts equal: yes")
        connection.close()
        return 0 if ratio <= 3 else 1
    finally:
        if "django.db" in sys.modules:  # Django was set up: close its connections first
            from django.db import connections

            connections.close_all()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    raise SystemExit(main())
