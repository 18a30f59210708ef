"""`check --deploy` is clean with production settings (security.md §9 test 1)."""

from __future__ import annotations

import pytest

from tests.security.live import production_env, run_manage

pytestmark = pytest.mark.django_db  # the subprocess gets the test database's URL


def test_check_deploy_is_clean_with_production_settings(test_database_url):
    env = production_env(test_database_url)
    assert len(env["SECRET_KEY"]) >= 50
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output
    # only the documented silence (HSTS preload is the domain owner's decision)
    assert "(1 silenced)" in output


def test_check_deploy_fails_on_a_weak_secret_key(test_database_url):
    """The check really runs: a short key is reported (W009) and fails the command."""
    env = production_env(test_database_url, SECRET_KEY="short-key")  # noqa: S106
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(test_database_url):
    env = production_env(test_database_url)
    del env["SECRET_KEY"]
    result = run_manage(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
