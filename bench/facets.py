"""Filter counts of the catalog page: the database's tally against grouping every notice.

    .venv/bin/python bench/facets.py --db bench_search            # a database kept by search.py
    .venv/bin/python bench/facets.py --db bench_search --runs 5

Runs against a database built by ``bench/search.py --keep`` (migrated to the current
schema: ``manage.py migrate`` with its DATABASE_URL). Times, ``--runs`` times each, in the
same run:

- baseline: the filter counts of every listed notice by grouping them
  (``catalog.filters._facet_sql`` over ``Notice.objects.listed()``, what the catalog page
  without words ran after every publication before the tally);
- the same counts from ``catalog_facettally`` (``catalog.filters._tally_rows``), checked
  equal to the baseline row for row;
- a filtered listing that still groups its own notices (one year: ``--year``).

(The values shown for a capped search are the tally's rows too.)

Prints the medians and the ratio baseline ÷ tally. Client wall time; run it when nothing
else is busy. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import search as bench  # noqa: E402 - bench/search.py, next to this file


def timed(func, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - t0) * 1000)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", default="bench_search", help="database kept by search.py"
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each")
    parser.add_argument(
        "--year", type=int, default=2024, help="year of the filtered listing"
    )
    parser.add_argument(
        "--today", default="2026-12-08", help="the day 有效性 is computed for"
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = bench.db_url(args.db)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection

    from catalog.filters import _facet_sql, _tally_rows, compact_facet_tally
    from catalog.models import FacetTally, Notice

    today = date.fromisoformat(args.today)
    listed = Notice.objects.listed()
    compact_facet_tally()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM catalog_notice WHERE status = 'published'")
        n = cur.fetchone()[0]
    print(
        f"{n:,} listed notices; tally rows {FacetTally.objects.count():,}; "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )

    def grouped(qs):
        sql, params = _facet_sql(qs, today)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return set(cur.fetchall())

    base_ms, base_rows = timed(lambda: grouped(listed), args.runs)
    tally_ms, tally_rows = timed(lambda: set(_tally_rows(today)), args.runs)
    same = base_rows == tally_rows
    year_ms, year_rows = timed(
        lambda: grouped(listed.filter(published_at__year=args.year)), args.runs
    )
    rows = [
        ("whole catalog, grouped (baseline)", base_ms),
        ("whole catalog, tally", tally_ms),
        (f"listing filtered to {args.year}, grouped", year_ms),
    ]
    print("| filter counts | median ms | runs (ms) |\n|---|---:|---|")
    for label, ms in rows:
        print(
            f"| {label} | {statistics.median(ms):,.1f} | "
            + ", ".join(f"{m:,.1f}" for m in ms)
            + " |"
        )
    ratio = statistics.median(base_ms) / statistics.median(tally_ms)
    print(
        f"tally equals grouping: {'yes' if same else 'NO'} ({len(tally_rows)} rows); "
        f"grouping ÷ tally: {ratio:,.0f}×; filtered listing rows: {len(year_rows)}"
    )
    if not same:
        for row in sorted(base_rows ^ tally_rows, key=str)[:20]:
            print("  differs:", row)
        sys.exit(1)


if __name__ == "__main__":
    main()
