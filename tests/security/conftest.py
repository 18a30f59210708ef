from __future__ import annotations

import pytest

from tests.security.live import (
    Gunicorn,
    collected_static,
    production_env,
    test_database_url,
)

__all__ = ["test_database_url"]  # a fixture, shared with tests/reliability


@pytest.fixture(scope="module")
def production_server(test_database_url, django_db_blocker, tmp_path_factory):
    """gunicorn (2 workers × 2 threads) with production settings behind a simulated
    nginx: DEBUG off, HTTPS on, static files collected with whitenoise's compressed
    manifest storage, on the test database. Rows it writes are removed afterwards."""
    workdir = tmp_path_factory.mktemp("production")
    env = production_env(
        test_database_url,
        STATIC_ROOT=str(collected_static(tmp_path_factory, test_database_url)),
        MEDIA_ROOT=str(workdir / "media"),
        PORTAL_HTTPS="true",
        BEHIND_PROXY="true",
    )
    server = Gunicorn(env=env, log_path=workdir / "gunicorn.log").start()
    try:
        yield server
    finally:
        server.stop()
        with django_db_blocker.unblock():
            from django.contrib.sessions.models import Session

            from portal.models import RateLimitBucket

            RateLimitBucket.objects.all().delete()
            Session.objects.all().delete()
