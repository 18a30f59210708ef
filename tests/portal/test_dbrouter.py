"""Read routing (portal/dbrouter.py): which database answers, decided without a cluster.

The whole topology (a real streaming replica, two app servers, nginx) is exercised by
tests/cluster/test_cluster.py; these are the decisions and the fallbacks, fast.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import ResolverMatch

from catalog.models import Notice, PageCache, SearchCount
from portal import dbrouter
from portal.models import Agency, RateLimitBucket

rf = RequestFactory()


@pytest.fixture
def replica_on(monkeypatch):
    """As if DATABASE_REPLICA_URL were set and the replica healthy."""
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    monkeypatch.setattr(dbrouter.health, "usable", lambda: True)


@pytest.mark.parametrize(
    ("method", "path", "cookies", "expected"),
    [
        ("GET", "/", {}, True),
        ("GET", "/xxgk/", {}, True),
        ("HEAD", "/xxgk/", {}, True),
        ("GET", "/xxgk/3f0c2a56-0000-4000-8000-000000000000/", {}, True),
        ("GET", "/api/notices/", {}, True),
        ("GET", "/xxgk/feed/", {}, True),
        ("GET", "/nianbao/", {}, True),
        ("GET", "/nianbao/3/", {}, True),
        ("GET", "/bumen/2/", {}, True),
        ("GET", "/ysq/", {}, True),  # the public form, without a session
        ("POST", "/xxgk/", {}, False),
        ("PUT", "/api/notices/", {}, False),
        ("DELETE", "/xxgk/", {}, False),
        ("OPTIONS", "/xxgk/", {}, False),
        ("GET", "/staff/", {}, False),
        ("GET", "/staff/xinxi/", {}, False),
        ("GET", "/admin/", {}, False),
        ("GET", "/nianbao/staff/", {}, False),
        ("GET", "/healthz", {}, False),
        ("GET", "/xxgk/", {"sessionid": "abc"}, False),
        ("GET", "/ysq/chaxun/", {"sessionid": "abc"}, False),
    ],
)
def test_who_reads_from_the_replica(method, path, cookies, expected):
    request = rf.generic(method, path)
    request.COOKIES.update(cookies)
    assert dbrouter.wants_replica(request) is expected


def test_without_a_replica_everything_reads_the_primary(settings):
    assert "replica" not in settings.DATABASES
    request = rf.get("/xxgk/")
    assert dbrouter.choose_read_alias(request) == "default"


def test_an_unhealthy_replica_is_skipped(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    monkeypatch.setattr(dbrouter.health, "usable", lambda: False)
    assert dbrouter.choose_read_alias(rf.get("/xxgk/")) == "default"
    monkeypatch.setattr(dbrouter.health, "usable", lambda: True)
    assert dbrouter.choose_read_alias(rf.get("/xxgk/")) == "replica"


def test_a_write_pins_the_client_to_the_primary_for_a_while(settings, replica_on):
    settings.READ_YOUR_WRITES_SECONDS = 15
    settings.READ_ROUTING_HEADER = True
    seen = []

    def view(request):
        seen.append(dbrouter.read_alias())
        return HttpResponse("ok")

    middleware = dbrouter.ReadRoutingMiddleware(view)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        posted = middleware(rf.post("/ysq/"))
        assert seen == ["default"]
        assert posted["X-Read-From"] == "primary"
        pin = posted.cookies[dbrouter.PIN_COOKIE]
        assert pin["httponly"]
        assert pin["max-age"] == 15

        after = rf.get("/xxgk/")
        after.COOKIES[dbrouter.PIN_COOKIE] = pin.value
        assert middleware(after)["X-Read-From"] == "primary"
        assert dbrouter.PIN_COOKIE not in middleware(after).cookies  # GET: no new pin

    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 16, tzinfo=UTC), tick=False):
        assert middleware(after)["X-Read-From"] == "replica"  # the pin ran out
    assert seen == ["default", "default", "default", "replica"]


def test_a_forged_pin_is_ignored(replica_on):
    request = rf.get("/xxgk/")
    request.COOKIES[dbrouter.PIN_COOKIE] = "1:forged:signature"
    assert dbrouter.choose_read_alias(request) == "replica"


def test_the_router_reads_where_the_request_decided_and_writes_the_primary():
    router = dbrouter.PrimaryReplicaRouter()
    assert router.db_for_read(Notice) == "default"  # outside a request
    token = dbrouter._read_alias.set("replica")
    try:
        assert router.db_for_read(Notice) == "replica"
        assert router.db_for_read(Agency) == "replica"
        for model in (PageCache, SearchCount, RateLimitBucket):
            assert router.db_for_read(model) == "default", model
        assert router.db_for_write(Notice) == "default"
        assert dbrouter.read_alias() == "replica"
    finally:
        dbrouter._read_alias.reset(token)
    assert router.allow_migrate("default", "catalog") is None  # Django's default: yes
    assert router.allow_migrate("replica", "catalog") is False


def test_a_replica_failing_mid_request_is_retried_on_the_primary(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    calls = []

    def view(request, pk):
        calls.append((dbrouter.read_alias(), pk))
        if dbrouter.read_alias() == "replica":
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse(f"notice {pk}")

    request = rf.get("/xxgk/7/")
    request.resolver_match = ResolverMatch(view, (), {"pk": 7}, url_name="x")
    middleware = dbrouter.ReadRoutingMiddleware(lambda r: HttpResponse())
    dbrouter.health.reset()
    token = dbrouter._read_alias.set("replica")
    try:
        with pytest.raises(OperationalError):
            view(request, pk=7)
        response = middleware.process_exception(request, OperationalError("x"))
    finally:
        dbrouter._read_alias.reset(token)
    assert response.content == b"notice 7"
    assert calls == [("replica", 7), ("default", 7)]
    state = dbrouter.health.status()
    assert state.usable is False
    assert state.reason == "请求中失败"
    dbrouter.health.reset()


def test_other_errors_and_primary_failures_are_not_retried():
    request = rf.get("/xxgk/")
    middleware = dbrouter.ReadRoutingMiddleware(lambda r: HttpResponse())
    assert middleware.process_exception(request, OperationalError("x")) is None
    token = dbrouter._read_alias.set("replica")
    try:
        assert middleware.process_exception(request, ValueError("x")) is None
    finally:
        dbrouter._read_alias.reset(token)


# -- the health check against real servers (not a standby; nobody listening) ----------------


def _wrapper(**changes) -> DatabaseWrapper:
    settings_dict = {**connection.settings_dict, **changes}
    return DatabaseWrapper(settings_dict, alias="replica")


@pytest.mark.django_db
def test_a_server_that_is_not_in_recovery_is_not_used_as_a_replica(monkeypatch):
    wrapper = _wrapper()
    monkeypatch.setattr(
        dbrouter.connections._connections, "replica", wrapper, raising=False
    )
    health = dbrouter.ReplicaHealth()
    try:
        assert health.usable() is False
        assert health.status().reason == "不是备库"
    finally:
        wrapper.close()


@pytest.mark.django_db
def test_an_unreachable_replica_is_skipped_quickly(monkeypatch, settings):
    from tests.redis_server import free_port

    wrapper = _wrapper(
        HOST="127.0.0.1",
        PORT=str(free_port()),
        OPTIONS={"connect_timeout": "2"},
    )
    monkeypatch.setattr(
        dbrouter.connections._connections, "replica", wrapper, raising=False
    )
    settings.REPLICA_CHECK_SECONDS = 3600
    health = dbrouter.ReplicaHealth()
    assert health.usable() is False
    assert health.status().reason == "无法连接"
    # checked once per interval: the second answer comes from memory
    monkeypatch.setattr(
        health, "_check", lambda now: pytest.fail("checked again too soon")
    )
    assert health.usable() is False
