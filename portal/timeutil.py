"""The only module that reads the clock. Everything else takes ``now``/``today``."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def local_now() -> datetime:
    return timezone.localtime(timezone.now())


def local_today() -> date:
    return timezone.localdate()
