"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.redis_server import PrivateRedis


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis server of this test's own (never the shared one), stopped afterwards."""
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()
