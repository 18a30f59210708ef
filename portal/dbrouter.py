"""Read routing between the PostgreSQL primary and a streaming replica (docs/deploy.md).

Configured by ``DATABASE_REPLICA_URL`` (the ``replica`` alias of ``DATABASES``); without it
everything reads and writes ``default`` as before and nothing here does any work.

Per request, :class:`ReadRoutingMiddleware` decides which alias answers reads (a context
variable, so each gunicorn thread has its own):

* the **replica** for anonymous, read-only public traffic only: GET or HEAD, no session
  cookie (so never a signed-in member of staff, nor an applicant after a 查询码 lookup), no
  read-your-writes pin, and a path outside the workbench and the admin (:func:`is_public_path`);
* the **primary** for everything else: every POST/PUT/PATCH/DELETE, /staff/ and /admin/ (and
  any ``…/staff/…`` path), sessions, and a client that wrote something in the last
  ``READ_YOUR_WRITES_SECONDS`` (a signed cookie set on the answer to every unsafe request);
* the primary as well when the replica lags more than ``REPLICA_MAX_LAG_SECONDS`` or cannot
  be reached (:class:`ReplicaHealth`, checked at most every ``REPLICA_CHECK_SECONDS`` per
  process). A replica that fails in the middle of a request is marked down and the view is
  run again on the primary (safe: the request is a GET without a session), so its loss
  shows no error page.

Writes always go to the primary (:meth:`PrimaryReplicaRouter.db_for_write`), whatever the
read alias: Django's ORM asks the router for each write. Raw SQL uses
:func:`read_connection` for reads and ``connections["default"]`` for writes.
Bookkeeping tables that a replica cannot hold (UNLOGGED tables are not replicated) are
always read on the primary (``PRIMARY_ONLY_MODELS``).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

from portal import timeutil

logger = logging.getLogger("portal.dbrouter")

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = (
    "xxgk_pin"  # value: signed "1"; its signature carries the time of the write
)
_PIN_SALT = "portal.dbrouter.pin"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Paths that never read from the replica (besides any path with a /staff/ segment).
PRIMARY_PATH_PREFIXES = ("/staff/", "/admin/", "/healthz", "/display/")
# app_label.model_name of tables read on the primary only (bookkeeping, UNLOGGED tables).
PRIMARY_ONLY_MODELS = frozenset(
    {
        "sessions.session",
        "portal.ratelimitbucket",
        "catalog.pagecache",
        "catalog.searchcount",
    }
)

_read_alias: contextvars.ContextVar[str] = contextvars.ContextVar(
    "portal_read_alias", default=PRIMARY
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The alias that answers reads in the current request (``default`` outside requests)."""
    return _read_alias.get()


def read_connection():
    """The connection for raw-SQL reads of catalog data in the current request."""
    return connections[read_alias()]


@contextlib.contextmanager
def reads_on(alias: str):
    """Read from ``alias`` inside the block (a streamed response's generator runs after
    :class:`ReadRoutingMiddleware` has returned, so it restores the request's decision)."""
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


def run_read(alias: str, func, *args, **kwargs):
    """``func(*args, **kwargs)`` reading from ``alias``; when that is the replica and it
    fails, mark it down and run ``func`` again on the primary (for work done after the
    view returned, where the middleware's retry no longer applies)."""
    try:
        with reads_on(alias):
            return func(*args, **kwargs)
    except (OperationalError, InterfaceError) as exc:
        if alias != REPLICA:
            raise
        logger.warning(
            "replica failed in a streamed response: %s; retrying on the primary",
            type(exc).__name__,
        )
        health.mark_down("请求中失败")
        _close_quietly(REPLICA)
    with reads_on(PRIMARY):
        return func(*args, **kwargs)


class PrimaryReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads follow the request's decision, writes the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return PRIMARY
        return _read_alias.get()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # a replica is read-only and gets the schema by replication; others: Django decides
        return False if db == REPLICA else None


# -- the replica's health ---------------------------------------------------------------------

_LAG_SQL = (
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(), "
    "EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))"
)


@dataclass
class _State:
    usable: bool = False
    checked_at: float | None = None
    lag_seconds: float | None = None
    reason: str = "未检查"


class ReplicaHealth:
    """Whether the replica may answer reads, re-checked at most every ``interval`` seconds.

    The replica is usable when it is in recovery (a promoted or misconfigured server is not
    a replica) and it has replayed everything the primary had written when checked, or, when
    it is behind, the last transaction it replayed committed at most ``max_lag`` seconds ago.
    (A replica disconnected from its primary stops at an old LSN and falls behind on the
    first write; when nothing is written at all, its data is current.) One thread per
    process checks; the others use the last answer meanwhile.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _State()

    def usable(self) -> bool:
        state = self._state
        now = timeutil.monotonic()
        interval = settings.REPLICA_CHECK_SECONDS
        due = state.checked_at is None or now - state.checked_at >= interval
        # the first check waits for the lock; later ones let one thread check alone
        if due and self._lock.acquire(blocking=state.checked_at is None):
            try:
                if self._state is state:  # nobody checked meanwhile
                    self._state = self._check(now)
            finally:
                self._lock.release()
        return self._state.usable

    def mark_down(self, reason: str) -> None:
        """A read on the replica failed: use the primary until the next check."""
        self._state = _State(
            usable=False, checked_at=timeutil.monotonic(), reason=reason
        )

    def reset(self) -> None:
        self._state = _State()

    def status(self) -> _State:
        return self._state

    def _check(self, now: float) -> _State:
        try:
            with connections[PRIMARY].cursor() as cur:
                cur.execute("SELECT pg_current_wal_lsn()")
                (primary_lsn,) = cur.fetchone()
            with connections[REPLICA].cursor() as cur:
                cur.execute(
                    _LAG_SQL
                    + ", pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()) <= 0",
                    [primary_lsn],
                )
                in_recovery, _replay, replay_age, caught_up = cur.fetchone()
        except DatabaseError as exc:
            _close_quietly(REPLICA)
            logger.warning("replica unusable: %s", type(exc).__name__)
            return _State(usable=False, checked_at=now, reason="无法连接")
        if not in_recovery:
            logger.warning("replica unusable: not in recovery (promoted?)")
            return _State(usable=False, checked_at=now, reason="不是备库")
        lag = 0.0 if caught_up else float(replay_age or 0.0)
        if lag > settings.REPLICA_MAX_LAG_SECONDS:
            logger.warning("replica unusable: %.1f s behind", lag)
            return _State(
                usable=False, checked_at=now, lag_seconds=lag, reason="延迟过大"
            )
        return _State(usable=True, checked_at=now, lag_seconds=lag, reason="正常")


health = ReplicaHealth()


def _close_quietly(alias: str) -> None:
    if alias not in settings.DATABASES:
        return
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


# -- the per-request decision ----------------------------------------------------------------


def is_public_path(path: str) -> bool:
    """Whether ``path`` is public reading matter (not the workbench, admin or health probe)."""
    if path.startswith(PRIMARY_PATH_PREFIXES):
        return False
    return "/staff/" not in path


def is_pinned(request: HttpRequest) -> bool:
    """Whether this client wrote something less than ``READ_YOUR_WRITES_SECONDS`` ago."""
    if PIN_COOKIE not in request.COOKIES:
        return False
    try:
        request.get_signed_cookie(
            PIN_COOKIE, salt=_PIN_SALT, max_age=settings.READ_YOUR_WRITES_SECONDS
        )
    except (signing.BadSignature, KeyError):
        return False
    return True


def wants_replica(request: HttpRequest) -> bool:
    """The request-only part of the decision (no database is asked)."""
    return (
        request.method in SAFE_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and is_public_path(request.path)
        and not is_pinned(request)
    )


def choose_read_alias(request: HttpRequest) -> str:
    if replica_configured() and wants_replica(request) and health.usable():
        return REPLICA
    return PRIMARY


def pin_response(response: HttpResponse) -> None:
    """Pin the client to the primary for ``READ_YOUR_WRITES_SECONDS`` (it just wrote)."""
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=_PIN_SALT,
        max_age=settings.READ_YOUR_WRITES_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ReadRoutingMiddleware:
    """Sets the read alias for the request; pins writers; retries a replica failure."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            response = self.get_response(request)
            if settings.READ_ROUTING_HEADER:
                response["X-Read-From"] = "primary"
            return response
        token = _read_alias.set(choose_read_alias(request))
        try:
            response = self.get_response(request)
            used = _read_alias.get()  # the primary after a replica failure
        finally:
            _read_alias.reset(token)
        if request.method not in SAFE_METHODS:
            pin_response(response)
        if settings.READ_ROUTING_HEADER:  # for tests and benches, off in production
            response["X-Read-From"] = "replica" if used == REPLICA else "primary"
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A replica that fails mid-request: mark it down and answer from the primary."""
        if _read_alias.get() != REPLICA or not isinstance(
            exception, OperationalError | InterfaceError
        ):
            return None
        logger.warning(
            "replica failed during %s %s: %s; retrying on the primary",
            request.method,
            request.path,
            type(exception).__name__,
        )
        health.mark_down("请求中失败")
        _close_quietly(REPLICA)
        match = request.resolver_match
        if match is None:
            return None
        _read_alias.set(PRIMARY)  # the __call__ above restores the token afterwards
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
