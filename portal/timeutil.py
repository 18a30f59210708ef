"""The only module that reads the clock. Everything else takes ``now``/``today``."""

from __future__ import annotations

import time
from datetime import date, datetime

from django.utils import timezone


def local_now() -> datetime:
    return timezone.localtime(timezone.now())


def local_today() -> date:
    return timezone.localdate()


def monotonic() -> float:
    """Seconds on a clock that never goes back (intervals only, e.g. health re-checks)."""
    return time.monotonic()
