"""Migration 0003 (task rollups), on SQLite and on PostgreSQL: an existing history is rolled up
exactly by the upgrade, the downgrade gives back 0002's schema, and the upgrade runs again."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from alembic import command
from sqlalchemy import Column
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import text

from bookagent.db import migrate
from bookagent.db.models import TaskRecord
from bookagent.db.session import Database
from bookagent.queue.records import TaskStore
from bookagent.states import ACTIVE_TASK_STATES
from bookagent.states import FINISHED_TASK_STATES

#: The tasks table as revision 0002 has it: every column but `rolled_up`.
TASKS_0002 = Table(
    "tasks",
    MetaData(),
    *(Column(c.name, c.type) for c in TaskRecord.__table__.columns if c.name != "rolled_up"),
)
NAMES = ("bookagent.generate_posts", "bookagent.publish_due")


def history() -> list[dict[str, object]]:
    """Finished rows of every state and active rows of every state, over two names."""
    now = datetime.now(UTC)
    rows = []
    for index in range(60):
        states = FINISHED_TASK_STATES if index < 48 else ACTIVE_TASK_STATES
        rows.append(
            {
                "id": f"h{index:03d}",
                "name": NAMES[index % 2],
                "status": states[index % len(states)],
                "kwargs": {},
                "backend": "celery",
                "progress_current": 0,
                "progress_total": 0,
                "revoked": False,
                "terminate_requested": False,
                "idempotent": True,
                "time_limit_s": 60.0,
                "attempts": 1,
                "created_at": now - timedelta(minutes=index + 2),
                "started_at": now - timedelta(minutes=index + 1),
                "finished_at": now - timedelta(minutes=index) if index < 48 else None,
            }
        )
    return rows


def state(url: str) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]], set[str]]:
    """The rollup, the GROUP BY of the finished rows, and the ids not rolled up."""
    db = Database.from_url(url)
    try:
        with db.engine.connect() as connection:
            rollup = Counter(
                {
                    (name, status): count
                    for name, status, count in connection.execute(
                        text("SELECT name, status, row_count FROM task_rollups")
                    )
                }
            )
            finished = Counter(
                {
                    (name, status): count
                    for name, status, count in connection.execute(
                        text(
                            "SELECT name, status, count(*) FROM tasks WHERE status IN "
                            "('SUCCESS', 'FAILURE', 'REVOKED') GROUP BY name, status"
                        )
                    )
                }
            )
            live = set(connection.scalars(text("SELECT id FROM tasks WHERE NOT rolled_up")).all())
        return rollup, finished, live
    finally:
        db.dispose()


def schema(url: str) -> tuple[set[str], set[str], dict[str, list[str]]]:
    """Tables, the tasks columns, and the tasks indexes with their columns."""
    db = Database.from_url(url)
    try:
        inspector = inspect(db.engine)
        return (
            set(inspector.get_table_names()),
            {c["name"] for c in inspector.get_columns("tasks")},
            {
                str(i["name"]): [str(c) for c in i["column_names"]]
                for i in inspector.get_indexes("tasks")
            },
        )
    finally:
        db.dispose()


def test_upgrade_rolls_up_the_history_and_downgrade_gives_back_0002(database_url: str) -> None:
    config = migrate.alembic_config(database_url)
    command.downgrade(config, "0002")
    try:
        tables, columns, indexes = schema(database_url)
        assert "task_rollups" not in tables and "rolled_up" not in columns
        assert indexes["ix_tasks_name_finished"] == ["name", "finished_at"]
        rows = history()
        db = Database.from_url(database_url)
        try:
            with db.engine.begin() as connection:
                connection.execute(insert(TASKS_0002), rows)
        finally:
            db.dispose()

        command.upgrade(config, "0003")
        rollup, finished, live = state(database_url)
        assert rollup == finished and sum(rollup.values()) == 48
        assert live == {str(r["id"]) for r in rows if r["status"] in ACTIVE_TASK_STATES}
        tables, columns, indexes = schema(database_url)
        assert "task_rollups" in tables and "rolled_up" in columns
        assert indexes["ix_tasks_name_finished"] == ["name", "finished_at", "status", "started_at"]
        assert indexes["ix_tasks_unrolled"] == ["name", "status"]
        command.upgrade(config, "head")
        migrate.check(database_url)  # the models and the migrated schema agree

        # New rows get rolled_up false from the server default (a bulk load, an older writer).
        db = Database.from_url(database_url)
        try:
            with db.engine.begin() as connection:
                connection.execute(insert(TASKS_0002), [{**rows[0], "id": "after-upgrade"}])
            store = TaskStore(db)
            stats = store.stats()
            assert stats["by_name"][NAMES[0]]["count"] == 31
            assert sum(stats["by_status"].values()) == 61
            assert store.roll_up() == 1
        finally:
            db.dispose()

        command.downgrade(config, "0002")
        tables, columns, indexes = schema(database_url)
        assert "task_rollups" not in tables and "rolled_up" not in columns
        assert indexes["ix_tasks_name_finished"] == ["name", "finished_at"]
        assert "ix_tasks_unrolled" not in indexes
    finally:
        command.upgrade(config, "head")
    rollup, finished, live = state(database_url)  # and once more, from 0002 with 61 rows
    assert rollup == finished and sum(rollup.values()) == 49
    assert len(live) == 12
    migrate.check(database_url)
