from __future__ import annotations

from tests.security.live import test_database_url

__all__ = ["test_database_url"]  # a fixture
