from __future__ import annotations

import pytest

from portal.signals import work_calendar_changed


@pytest.fixture
def signals():
    """Every work_calendar_changed sent during the test, as dicts of its kwargs."""
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append({"sender": sender, **kwargs})

    work_calendar_changed.connect(receiver)
    yield received
    work_calendar_changed.disconnect(receiver)
