"""Signals the portal sends to apps further right in the layering.

``portal`` must not import ``requests_app`` (portal ← catalog ← requests_app ←
disclosure), so a change to the work calendar is announced with a signal and the
requests app recomputes open deadlines in its own receiver.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import django.dispatch
from django.db import transaction

# Sent after every committed change to the work calendar (import command, admin
# save or delete of a day or a year). Keyword arguments:
#   years: list[int]   the calendar years whose working days may have changed, sorted
#   by:    User | None the user who made the change (None for a command run)
# The sender is the model class that changed (WorkCalendarDay or WorkCalendarYear).
work_calendar_changed = django.dispatch.Signal()


def announce_calendar_change(
    *, sender: type[Any], years: Iterable[int], by: Any | None
) -> None:
    """Send ``work_calendar_changed`` once the current transaction commits.

    Outside a transaction ``on_commit`` runs the callback at once; inside one it
    waits for the commit and never fires on a rollback.
    """
    changed = sorted({int(y) for y in years})
    if not changed:
        return
    transaction.on_commit(
        lambda: work_calendar_changed.send(sender=sender, years=changed, by=by)
    )
