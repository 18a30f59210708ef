"""Limits of the applicant pages (申请编号 + 查询码 lookup, public submissions).

The counters are ``portal.ratelimit``'s shared PostgreSQL buckets, so every worker
and server sees the same count. Only *failed* lookups are counted: an applicant who
types the code right is never slowed down. The client address comes from
``portal.ratelimit.client_ip`` (never from a header an untrusted peer wrote).

A case is never locked for everyone (issue 11 §1.6): tracking numbers are sequential,
so a lock per tracking number let anyone lock any applicant out of their own case
with 30 wrong codes. Failures are limited per client address and per (address,
case); guesses against one case from many addresses only raise an alert to staff
(``LOOKUP_CASE_ALERT``). The arithmetic that keeps guessing infeasible is in
docs/security.md §3.2.
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
from requests_app.selectors import normalise_tracking_no

__all__ = [
    "LOOKUP_CASE_ALERT",
    "LOOKUP_LIMITS",
    "LOOKUP_PER_IP",
    "LOOKUP_PER_IP_CASE",
    "LOOKUP_PER_IP_DAY",
    "RESEND_PER_CASE",
    "RESEND_PER_IP",
    "SUBMIT_PER_IP",
    "client_ip",
    "hits",
    "is_blocked",
    "log_block",
    "lookup_idents",
    "record_hit",
    "retry_after",
]

# 10 wrong lookups per 15 minutes from one address (security.md §3, test 12) …
LOOKUP_PER_IP = Limit("ysq-lookup-ip", max_hits=10, window_seconds=15 * 60)
# … and at most 100 in a day, whatever the pace (bounds guesses per address per day).
LOOKUP_PER_IP_DAY = Limit("ysq-lookup-ip-day", max_hits=100, window_seconds=24 * 3600)
# 5 wrong codes for one tracking number from one address in 15 minutes.
LOOKUP_PER_IP_CASE = Limit("ysq-lookup-ip-case", max_hits=5, window_seconds=15 * 60)
# Wrong codes for one tracking number from all addresses together: never blocks
# (that would lock the real applicant out); the 20th in a day alerts the case's
# handler and agency once per window (an event on the case and an e-mail).
LOOKUP_CASE_ALERT = Limit(
    "ysq-lookup-case-alert", max_hits=20, window_seconds=24 * 3600
)
# Burst protection on the public form: clear automation only. Lawful applicants are
# never refused for volume (条例 第三十五条 and the fee rules handle that).
SUBMIT_PER_IP = Limit("ysq-submit-ip", max_hits=30, window_seconds=60 * 60)

# 查询码 resend (a new code by e-mail): every attempt counts, found or not, so the limit
# says nothing about whether a number exists. Per address: 5 an hour. Per tracking
# number from everywhere: 3 a day, so nobody can flood an applicant's mailbox or keep
# replacing their code; the applicant can still look up with the last code sent.
RESEND_PER_IP = Limit("ysq-resend-ip", max_hits=5, window_seconds=3600)
RESEND_PER_CASE = Limit("ysq-resend-case", max_hits=3, window_seconds=24 * 3600)

# The limits that block a lookup, in the order they are checked.
LOOKUP_LIMITS = (LOOKUP_PER_IP, LOOKUP_PER_IP_DAY, LOOKUP_PER_IP_CASE)


def lookup_idents(ip: str, tracking_no: str) -> dict[Limit, str]:
    """The identity each lookup limit counts under."""
    return {
        LOOKUP_PER_IP: ip,
        LOOKUP_PER_IP_DAY: ip,
        LOOKUP_PER_IP_CASE: f"{ip}\x00{normalise_tracking_no(tracking_no)}",
    }
