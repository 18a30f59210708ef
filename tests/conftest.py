from __future__ import annotations

import pytest
from django.core.cache import cache

# redis_url / with_redis / with_dead_redis: a throwaway redis-server (shared state tests)
pytest_plugins = ["tests.redis_server"]


@pytest.fixture(autouse=True)
def _force_login_completes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` stands for a completed staff sign-in, password
    and second factor (issue 11 §3): the session is marked verified. Tests of the
    second factor use ``tests.twofactor.password_only_login`` instead."""
    from django.test import Client

    from tests.twofactor import force_login_verified

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agency(db):
    from tests.factories import AgencyFactory

    return AgencyFactory(
        name="天元区教育局", short_name="区教育局", org_code="00001434-9"
    )


@pytest.fixture
def other_agency(db):
    from tests.factories import AgencyFactory

    return AgencyFactory(
        name="天元区财政局", short_name="区财政局", org_code="014416330"
    )


@pytest.fixture
def staff_user(agency):
    from portal import roles
    from tests.factories import StaffFactory

    return StaffFactory(
        username="alice", agency=agency, roles=[roles.HANDLER, roles.ADMIN]
    )


@pytest.fixture
def teammate_user(agency):
    from portal import roles
    from tests.factories import StaffFactory

    return StaffFactory(username="bob", agency=agency, roles=[roles.HANDLER])


@pytest.fixture
def other_staff_user(other_agency):
    from portal import roles
    from tests.factories import StaffFactory

    return StaffFactory(
        username="charlie", agency=other_agency, roles=[roles.HANDLER, roles.ADMIN]
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def other_agency_staff_client(client, other_staff_user):
    client.force_login(other_staff_user)
    return client
