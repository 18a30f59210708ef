"""The search PAGE over HTTP (template, facets and all): first request per query.

    .venv/bin/python bench/search_page.py --db bench_search --port 8131
    .venv/bin/python bench/search_page.py --db bench_search --port 8131 --seed 4711 --generated 60

Runs against a database built by bench/search.py (``--keep``). Starts gunicorn with
production settings (DEBUG off, random SECRET_KEY, CONN_MAX_AGE 60, ``--workers`` × 4 threads)
on 127.0.0.1:``--port``, empties the cached search totals and the shared page/facet store,
then requests ``/xxgk/?q=…`` and ``/api/notices/?q=…`` once for each query of the 33 fixed
queries and of a generated set (bench/search.py, ``--seed``; printed) — the first request for
that query on any worker, so the total and the facet counts are computed, not cached (the
cached totals are emptied again before each API request) — and prints p50/p95/max per kind
of request and the slowest queries: "results shown" is when the results list had arrived
(a search whose total is not known streams the results first), "whole" the last byte. ``--repeat`` requests
the page once more per query on another connection (a later visitor, totals and facets
shared). Before the queries it also times the catalog page without words, the first
request after a change of the catalog (the generation bumped as a publication does),
three times, and one listing filtered to a year. Client wall time with urllib on the same machine, one request at a time.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import search as bench  # noqa: E402 - bench/search.py, next to this file


def fetch(url: str) -> tuple[float, int, bytes]:
    ms, _results_ms, status, body = fetch_parts(url)
    return ms, status, body


RESULTS_END = (b"</ol>", b'class="empty-results"')


def fetch_parts(url: str) -> tuple[float, float, int, bytes]:
    """(ms to the whole response, ms until the results list had arrived, status, body).

    A streamed search page sends its results before the total, pagination and filter
    counts (catalog/views.notice_list): the second figure is when a reader sees them."""
    t0 = time.perf_counter()
    results_ms = None
    body = b""
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - our own server
        status = response.status
        while chunk := response.read1(65536):
            body += chunk
            if results_ms is None and any(m in body for m in RESULTS_END):
                results_ms = (time.perf_counter() - t0) * 1000
    ms = (time.perf_counter() - t0) * 1000
    return ms, (results_ms if results_ms is not None else ms), status, body


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="bench_search")
    parser.add_argument("--port", type=int, default=8131)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--generated", type=int, default=60)
    parser.add_argument("--no-fixed", action="store_true")
    parser.add_argument("--repeat", action="store_true")
    args = parser.parse_args()

    url = bench.db_url(args.db)
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    import django

    django.setup()
    from django.db import connection

    seed = (
        args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    )
    queries = [] if args.no_fixed else list(bench.QUERIES)
    queries = [(label, q) for label, q in queries if not q.startswith("@")]
    if args.generated:
        queries += bench.generated_queries(seed, args.generated)
    queries = list(dict.fromkeys(queries))
    with connection.cursor() as cur:
        cur.execute("DELETE FROM catalog_searchcount")
        cur.execute("DELETE FROM catalog_pagecache")

    def forget_totals() -> None:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM catalog_searchcount")

    work = Path(tempfile.mkdtemp(prefix="search_page_"))
    env = dict(
        os.environ,
        PORTAL_HTTPS="false",
        BEHIND_PROXY="false",
        CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(work / "static"),
        MEDIA_ROOT=str(work / "media"),
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        GUNICORN_WORKERS=str(args.workers),
        GUNICORN_THREADS="4",
        GUNICORN_ACCESS_LOG="",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            try:
                fetch(base + "/healthz")
                break
            except OSError:
                time.sleep(0.5)
        # every worker once, so no first request pays for imports or statistics
        for _ in range(args.workers * 4):
            fetch(base + "/xxgk/?q=" + urllib.parse.quote("预热"))
        # the catalog page without words (its filter counts cover every listed notice),
        # first request after a change of the catalog (the generation bumped, as a
        # publication does), three times; then one filtered to a year
        listing = []
        for path in ["/xxgk/"] * 3 + ["/xxgk/?year=2024"]:
            with connection.cursor() as cur:
                cur.execute("UPDATE catalog_searchgeneration SET value = value + 1")
            ms, _results, status, _body = fetch_parts(base + path)
            listing.append((path, ms, status))
            bench.log(f"{path:>28} page {ms:7.1f} ms  HTTP {status}")
        bench.log(
            f"seed {seed}; {len(queries)} queries; gunicorn {args.workers}×4 on {base}; "
            "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        rows = []
        for label, q in queries:
            quoted = urllib.parse.quote(q)
            page_ms, results_ms, status, _body = fetch_parts(f"{base}/xxgk/?q={quoted}")
            forget_totals()  # the API's first request counts too, not the page's total
            api_ms, api_status, _ = fetch(f"{base}/api/notices/?q={quoted}")
            again_ms = fetch(f"{base}/xxgk/?q={quoted}")[0] if args.repeat else None
            rows.append(
                (label, q, page_ms, api_ms, again_ms, status, api_status, results_ms)
            )
            bench.log(
                f"{q!r:>28} results {results_ms:7.1f} ms  page {page_ms:7.1f} ms  api {api_ms:7.1f} ms"
                + (f"  again {again_ms:6.1f} ms" if again_ms is not None else "")
                + (
                    f"  HTTP {status}/{api_status}"
                    if (status, api_status) != (200, 200)
                    else ""
                )
                + f"  load {os.getloadavg()[0]:.1f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    errors = (work / "gunicorn.log").read_text()
    print()
    print(
        f"search page over HTTP, first request per query: {len(rows)} queries, seed {seed}"
    )
    for name, i in [
        ("results shown", 7),
        ("page /xxgk/?q= (whole)", 2),
        ("API /api/notices/?q=", 3),
        ("page again", 4),
    ]:
        values = [r[i] for r in rows if r[i] is not None]
        if values:
            print(
                f"  {name:22} p50 {bench.pct(values, 0.5):7.1f} ms  p95 {bench.pct(values, 0.95):7.1f} ms"
                f"  max {max(values):7.1f} ms"
            )
    print(
        "  catalog page without words, first request after a change: "
        + ", ".join(f"{path} {ms:.0f} ms" for path, ms, _status in listing)
    )
    slow = sorted(rows, key=lambda r: -r[2])[:8]
    print("  slowest pages: " + ", ".join(f"{r[1]!r} {r[2]:.0f} ms" for r in slow))
    bad = [r for r in rows if (r[5], r[6]) != (200, 200)]
    bad += [r for r in listing if r[2] != 200]
    print(
        f"  non-200 responses: {len(bad)}; tracebacks in the server log: {errors.count('Traceback')}"
    )
    print(f"  load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  mean page time {statistics.mean(r[2] for r in rows):.1f} ms")


if __name__ == "__main__":
    main()
