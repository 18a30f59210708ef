from __future__ import annotations

import pytest

from tests.security.live import Gunicorn, database_url, production_env, run_manage


@pytest.fixture(scope="session")
def test_database_url(django_db_setup, django_db_blocker) -> str:
    """DATABASE_URL of pytest-django's test database, for subprocesses."""
    from django.db import connection

    with django_db_blocker.unblock():
        return database_url(connection.settings_dict)


@pytest.fixture(scope="module")
def production_server(test_database_url, django_db_blocker, tmp_path_factory):
    """gunicorn (2 workers × 2 threads) with production settings behind a simulated
    nginx: DEBUG off, HTTPS on, static files collected with whitenoise's compressed
    manifest storage, on the test database. Rows it writes are removed afterwards."""
    workdir = tmp_path_factory.mktemp("production")
    env = production_env(
        test_database_url,
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        PORTAL_HTTPS="true",
        BEHIND_PROXY="true",
    )
    collected = run_manage(["collectstatic", "--noinput", "-v0"], env)
    assert collected.returncode == 0, collected.stderr
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
