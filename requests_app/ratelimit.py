"""Limits of the applicant pages (申请编号 + 查询码 lookup, public submissions).

The counters are ``portal.ratelimit``'s shared PostgreSQL buckets, so every worker
and server sees the same count. Only *failed* lookups are counted: an applicant who
types the code right is never slowed down. The client address comes from
``portal.ratelimit.client_ip`` (never from a header the client controls).
"""

from __future__ import annotations

from portal.ratelimit import (
    Limit,
    client_ip,
    hits,
    is_blocked,
    log_block,
    record_hit,
    retry_after,
)

__all__ = [
    "LOOKUP_PER_CASE",
    "LOOKUP_PER_IP",
    "SUBMIT_PER_IP",
    "client_ip",
    "hits",
    "is_blocked",
    "log_block",
    "record_hit",
    "retry_after",
]

# 10 wrong lookups per 15 minutes from one address (security.md §3, test 12).
LOOKUP_PER_IP = Limit("ysq-lookup-ip", max_hits=10, window_seconds=15 * 60)
# One tracking number guessed from many addresses: a higher bar, so that the real
# applicant is not locked out for long by someone else's noise.
LOOKUP_PER_CASE = Limit("ysq-lookup-case", max_hits=30, window_seconds=15 * 60)
# Burst protection on the public form: clear automation only. Lawful applicants are
# never refused for volume (条例 第三十五条 and the fee rules handle that).
SUBMIT_PER_IP = Limit("ysq-submit-ip", max_hits=30, window_seconds=60 * 60)
