"""PostgreSQL restarted while requests are served (security.md §9 test 25).

gunicorn (2 workers × 2 threads, CONN_MAX_AGE=60, production settings) runs against a
PostgreSQL cluster of the test's own, under four steady clients. The cluster is
restarted twice: once with the clients held over the restart (so every worker
thread's persistent connection is dead when traffic resumes, and each must be caught
by ``CONN_HEALTH_CHECKS`` at its first query), once with the clients running
(requests caught in the restart may fail, but fast). Every request that starts after
the server is back must succeed, with no gunicorn restart. Without health checks the
first phase fails (checked by hand with a settings override: 500s after the restart).
"""

from __future__ import annotations

import re
import subprocess
import threading
import time

import pytest

from tests.reliability.pgcluster import BIN_DIR, Cluster
from tests.security.live import Gunicorn, collected_static, http_request, production_env

pytestmark = [
    pytest.mark.fault,
    pytest.mark.django_db,
]  # the schema comes from the test database

PAGES = ["/", "/healthz", "/staff/login/"]
CALL_TIMEOUT = 10


# Per-column attribute options ("ALTER COLUMN … SET (…)"): Django never sets them, and
# some PostgreSQL builds store private ones that another server version rejects.
_ATTRIBUTE_OPTIONS = re.compile(
    r"^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(.*\);$", re.MULTILINE
)


def _copy_schema(source_url: str, cluster: Cluster, name: str) -> None:
    """The migrated test database's schema (faster than migrating again), loaded with
    the cluster's own client binaries, which are at least as new as either server."""
    conn = cluster.connect()
    try:
        conn.cursor().execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
        )
    finally:
        conn.close()
    dump = subprocess.run(  # noqa: S603 - fixed argv
        [
            str(BIN_DIR / "pg_dump"),
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--dbname",
            source_url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    load = subprocess.run(  # noqa: S603 - fixed argv
        [
            str(BIN_DIR / "psql"),
            "--quiet",
            "--no-psqlrc",
            "-v",
            "ON_ERROR_STOP=1",
            "--dbname",
            cluster.url(name),
        ],
        input=_ATTRIBUTE_OPTIONS.sub("", dump.stdout),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert load.returncode == 0, load.stderr


def _get(port: int, path: str) -> int | str:
    try:
        return http_request(port, "GET", path, https=False, timeout=CALL_TIMEOUT).status
    except (OSError, TimeoutError) as exc:
        return type(exc).__name__


def _server_start_time(cluster: Cluster):
    conn = cluster.connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT pg_postmaster_start_time()")
        return cur.fetchone()[0]
    finally:
        conn.close()


def _app_connections(cluster: Cluster, dbname: str) -> int:
    conn = cluster.connect()
    try:
        cur = conn.cursor()
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        )
        return cur.fetchone()[0]
    finally:
        conn.close()


class SteadyClient:
    """``clients`` threads requesting PAGES in a loop (bounded), recording
    (start, end, status). ``pause()`` lets in-flight requests finish and holds the rest."""

    def __init__(self, port: int, clients: int = 4) -> None:
        self.port = port
        self.results: list[tuple[float, float, int | str]] = []
        self._open = threading.Event()
        self._open.set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._in_flight = 0
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True)
            for n in range(clients)
        ]

    def _run(self, offset: int) -> None:
        for n in range(5000):  # bounded; stopped by the event long before
            if self._stop.is_set() or not self._open.wait(timeout=30):
                return
            with self._lock:
                self._in_flight += 1
            begin = time.monotonic()
            status = _get(self.port, PAGES[(n + offset) % len(PAGES)])
            with self._lock:
                self.results.append((begin, time.monotonic(), status))
                self._in_flight -= 1

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def pause(self) -> None:
        self._open.clear()
        deadline = time.monotonic() + CALL_TIMEOUT + 5
        while time.monotonic() < deadline:
            with self._lock:
                if self._in_flight == 0:
                    return
            time.sleep(0.01)
        raise AssertionError("requests still in flight")

    def resume(self) -> None:
        self._open.set()

    def stop(self) -> None:
        self._stop.set()
        self._open.set()
        for thread in self._threads:
            thread.join(timeout=CALL_TIMEOUT + 5)
        assert not any(thread.is_alive() for thread in self._threads)


def _open_all_connections(port: int, cluster: Cluster, expected: int) -> None:
    """Parallel requests until every worker thread holds its persistent connection."""
    for _ in range(50):
        threads = [
            threading.Thread(target=_get, args=(port, "/healthz"))
            for _ in range(2 * expected)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=CALL_TIMEOUT + 5)
        if _app_connections(cluster, "portal") >= expected:
            return
    raise AssertionError(
        f"only {_app_connections(cluster, 'portal')} of {expected} connections opened"
    )


def test_requests_succeed_after_postgresql_restart(
    test_database_url, tmp_path_factory, tmp_path
):
    cluster = Cluster()
    server = None
    client = None
    try:
        cluster.start()
        _copy_schema(test_database_url, cluster, "portal")
        env = production_env(
            cluster.url("portal"),
            STATIC_ROOT=str(collected_static(tmp_path_factory, test_database_url)),
            MEDIA_ROOT=str(tmp_path / "media"),
            PORTAL_HTTPS="false",
            CONN_MAX_AGE="60",
            ALLOWED_HOSTS="xxgk.example.gov.cn",
        )
        server = Gunicorn(
            env=env, log_path=tmp_path / "gunicorn.log", workers=2, threads=2
        ).start()
        port = server.port
        assert {_get(port, page) for page in PAGES} == {200}, server.log_tail()

        # 1. Every worker thread holds a connection that the restart will kill. The
        #    client pauses over the restart itself, so no request "uses up" a dead
        #    connection before the server is back: each one must be detected by
        #    CONN_HEALTH_CHECKS at the first query after it.
        _open_all_connections(port, cluster, expected=4)
        client = SteadyClient(port)
        client.start()
        time.sleep(0.5)
        started_before = _server_start_time(cluster)
        client.pause()
        cluster.pg_ctl(
            "restart"
        )  # -m fast, -w: returns once the server accepts connections
        assert _server_start_time(cluster) > started_before  # it really restarted
        back_at = time.monotonic()
        client.resume()
        time.sleep(1.0)

        # 2. Restart again with the client running: requests caught in the restart
        #    may fail, but fast; every request that starts after it is back succeeds.
        phase_two_at = time.monotonic()
        client.pause()
        _open_all_connections(port, cluster, expected=4)
        client.resume()
        time.sleep(0.3)
        cluster.pg_ctl("restart")
        back_again_at = time.monotonic()
        time.sleep(1.0)
        client.stop()

        results = client.results
        after_first = [r for r in results if back_at <= r[0] < phase_two_at]
        after_second = [r for r in results if r[0] >= back_again_at]
        assert len(after_first) >= 20
        assert len(after_second) >= 20
        assert all(
            end - begin < CALL_TIMEOUT for begin, end, _ in results
        )  # nothing hung
        failed = [
            (round(begin - back_at, 2), status)
            for begin, _, status in after_first + after_second
            if status != 200
        ]
        assert failed == [], server.log_tail()
        before_first = [status for begin, _, status in results if begin < back_at]
        assert before_first
        assert set(before_first) == {200}

        # and a final round on every page: all fine, without restarting gunicorn
        final = [_get(port, page) for _ in range(5) for page in PAGES]
        assert set(final) == {200}, server.log_tail()
    finally:
        if client is not None:
            client.stop()
        if server is not None:
            server.stop()
        cluster.stop()
