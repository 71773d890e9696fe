"""Reaching the real PostgreSQL and Redis servers from tests: fail in CI, skip elsewhere."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import redis

PG_ADMIN_DSN = os.environ.get("BOOKAGENT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BOOKAGENT_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")


def in_ci() -> bool:
    """Whether we run in CI, where a missing service is a failure, never a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing_service(what: str, reason: str) -> None:
    """Fail (in CI) or skip (elsewhere) a test whose service is unreachable."""
    message = f"{what} is not reachable: {reason}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database for this test session; dropped afterwards."""
    name = f"bookagent_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        missing_service("PostgreSQL", str(exc).strip().splitlines()[0])
        raise
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_redis(url: str = REDIS_URL) -> str:
    """The test Redis URL, after checking that it answers."""
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        missing_service("Redis", str(exc))
    finally:
        client.close()
    return url
