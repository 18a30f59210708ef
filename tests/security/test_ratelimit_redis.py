"""portal.ratelimit with REDIS_URL: the same rules, counted in Redis (several app servers).

The rule tests of test_ratelimit.py run again here against a real redis-server; then what
is particular to Redis: nothing is written to PostgreSQL, counters expire by themselves,
and an unreachable Redis hands over to the PostgreSQL counters without an error.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
import time_machine

from portal import ratelimit
from portal.models import RateLimitBucket
from tests.security.test_ratelimit import (
    LIMIT,
    START,
    test_block_lasts_a_full_window_from_the_hit_that_reached_the_limit,
    test_hits_are_counted_and_block_at_the_limit,
    test_parallel_hits_from_many_connections_never_lose_a_count,
    test_undo_and_reset,
    test_window_runs_out_and_counting_starts_again,
)

__all__ = [  # collected again here, with Redis (see the autouse fixture)
    "test_block_lasts_a_full_window_from_the_hit_that_reached_the_limit",
    "test_hits_are_counted_and_block_at_the_limit",
    "test_parallel_hits_from_many_connections_never_lose_a_count",
    "test_undo_and_reset",
    "test_window_runs_out_and_counting_starts_again",
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _redis(request, with_redis):
    yield  # (with_dead_redis, when a test asks for it, overrides the settings after this)
    if "with_dead_redis" not in request.fixturenames:
        assert not RateLimitBucket.objects.exists(), "counted in PostgreSQL, not Redis"


def test_counters_live_in_redis_under_digests_and_expire(with_redis):
    with time_machine.travel(START, tick=False):
        ratelimit.record_hit(LIMIT, "110105194912310021|198.51.100.7")
    server = redis.Redis.from_url(with_redis)
    keys = [k.decode() for k in server.keys("*")]
    assert len(keys) == 1
    assert keys[0].startswith("test:ratelimit:test-scope:")
    assert "198.51.100.7" not in keys[0]
    assert "110105" not in keys[0]
    # expires a little after its window ends (15 minutes)
    assert 15 * 60 * 1000 <= server.pttl(keys[0]) <= 15 * 60 * 1000 + 1000


def test_an_unreachable_redis_hands_over_to_postgresql(with_dead_redis, caplog):
    with time_machine.travel(START, tick=False) as traveller:
        counts = [ratelimit.record_hit(LIMIT, "a") for _ in range(4)]
        assert counts == [1, 2, 3, 4]
        assert ratelimit.is_blocked(LIMIT, "a")
        traveller.shift(timedelta(minutes=5))
        assert ratelimit.retry_after(LIMIT, "a") == 10 * 60
        ratelimit.reset(LIMIT, "a")
        assert not ratelimit.is_blocked(LIMIT, "a")
    assert "redis unavailable" in caplog.text
