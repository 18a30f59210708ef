"""Settings helpers (portal.env) and the fail-closed start (shared style.md §2.3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_secret, parse_database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        (" True ", True),
        ("false", False),
        ("False", False),
    ],
)
def test_env_bool_accepts_only_true_and_false(monkeypatch, raw, expected):
    monkeypatch.setenv("PORTAL_FLAG", raw)
    assert env_bool("PORTAL_FLAG") is expected


@pytest.mark.parametrize(
    "raw", ["1", "0", "yes", "no", "on", "off", "ture", "t", "false!"]
)
def test_env_bool_rejects_anything_else(monkeypatch, raw):
    monkeypatch.setenv("PORTAL_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_FLAG must be true or false"):
        env_bool("PORTAL_FLAG", True)


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_or_empty_uses_the_default(monkeypatch, default):
    monkeypatch.delenv("PORTAL_FLAG", raising=False)
    assert env_bool("PORTAL_FLAG", default) is default
    monkeypatch.setenv("PORTAL_FLAG", "")
    assert env_bool("PORTAL_FLAG", default) is default


def test_env_int(monkeypatch):
    monkeypatch.setenv("PORTAL_N", "42")
    assert env_int("PORTAL_N", 1) == 42
    monkeypatch.setenv("PORTAL_N", "4x")
    with pytest.raises(ImproperlyConfigured, match="PORTAL_N must be an integer"):
        env_int("PORTAL_N", 1)
    monkeypatch.delenv("PORTAL_N")
    assert env_int("PORTAL_N", 7) == 7


def test_env_secret_reads_the_file_before_the_variable(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("PORTAL_SECRET", "from-env")
    assert env_secret("PORTAL_SECRET") == "from-env"
    monkeypatch.setenv("PORTAL_SECRET_FILE", str(secret))
    assert env_secret("PORTAL_SECRET") == "from-file"


def test_env_list(monkeypatch):
    monkeypatch.setenv("PORTAL_HOSTS", " a.example , b.example,,")
    assert env_list("PORTAL_HOSTS") == ["a.example", "b.example"]


def test_parse_database_url_full():
    db = parse_database_url(
        "postgres://portal:p%40ss%2Fw@db.example.gov.cn:5433/xxgk?sslmode=require"
    )
    assert db == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "xxgk",
        "USER": "portal",
        "PASSWORD": "p@ss/w",
        "HOST": "db.example.gov.cn",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require"},
    }


def test_parse_database_url_socket_and_defaults():
    db = parse_database_url("postgresql:///xxgk?host=/var/run/postgresql")
    assert (db["HOST"], db["NAME"], db["PORT"], db["OPTIONS"]) == (
        "/var/run/postgresql",
        "xxgk",
        "",
        {},
    )
    assert parse_database_url("postgres://127.0.0.1")["NAME"] == "postgres"


@pytest.mark.parametrize(
    "url", ["sqlite:///db.sqlite3", "mysql://u@h/db", "127.0.0.1:5432/db"]
)
def test_parse_database_url_refuses_other_engines(url):
    with pytest.raises(ImproperlyConfigured, match="must be a PostgreSQL URL"):
        parse_database_url(url)


def _import_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_SETTINGS_MODULE"}
    }
    clean.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start():
    done = _import_settings()
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "SECRET_KEY is not set" in done.stderr


def test_with_a_secret_key_the_same_settings_load():
    done = _import_settings(SECRET_KEY="k" * 50)
    assert done.returncode == 0, done.stderr


def test_debug_without_secret_key_starts_for_development():
    assert _import_settings(DEBUG="true").returncode == 0


def test_a_misspelt_debug_value_refuses_to_start():
    done = _import_settings(DEBUG="yes", SECRET_KEY="k" * 50)
    assert done.returncode != 0
    assert "DEBUG must be true or false" in done.stderr


def test_a_replica_without_redis_refuses_to_start():
    replica = "postgres://postgres@127.0.0.1:5433/portal"
    done = _import_settings(SECRET_KEY="k" * 50, DATABASE_REPLICA_URL=replica)
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL needs REDIS_URL" in done.stderr


def test_replica_and_redis_configure_the_alias_the_router_and_the_cache():
    code = (
        "import json; from portal import settings as s; r = s.DATABASES['replica']; "
        "print(json.dumps([r['PORT'], r['OPTIONS'], r['TEST'], s.DATABASE_ROUTERS, "
        "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION']]))"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:5433/portal",
        REDIS_URL="redis://127.0.0.1:6390/0",
    )
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    port, options, test, routers, backend, location = json.loads(done.stdout)
    assert port == "5433"
    assert options == {"connect_timeout": "2"}
    assert test == {"MIRROR": "default"}
    assert routers == ["portal.dbrouter.PrimaryReplicaRouter"]
    assert backend == "portal.cache.TolerantRedisCache"
    assert location == "redis://127.0.0.1:6390/0"
