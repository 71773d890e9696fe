"""Bulk loads into PostgreSQL for the benchmarks that seed millions of rows (scale, authors)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg


def dsn_of(url: str) -> str:
    """psycopg's DSN for a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def without_secondary_indexes(conn: psycopg.Connection[Any], table: str) -> Iterator[None]:
    """Drop a table's secondary indexes for a bulk load and build them again after (the same
    definitions, so the schema stays the migrated one)."""
    rows = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        (table, table),
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    conn.execute("SET maintenance_work_mem = '256MB'")
    for _, definition in rows:
        conn.execute(definition)
