"""task rollups: the finished task rows' counts, so stats do not count the whole table

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-13

Adds `task_rollups` (per name and status, how many finished rows are counted), the `rolled_up`
flag on `tasks` with the partial index of the rows counted live (`NOT rolled_up`), and widens
`ix_tasks_name_finished` to (name, finished_at, status, started_at) so the duration sample of
`TaskStore.stats()` is an index-only scan.

The existing finished rows are rolled up here, in the migration's transaction: on PostgreSQL the
column is added with DEFAULT true (PostgreSQL 11+ stores that in the catalog: no table rewrite,
however many rows), the active rows (few, through `ix_tasks_status_created`) are set back to
false and the default becomes false for new rows; on SQLite (no way to change a default short of
copying the table) it is added false and the finished rows are set true. Either way the counts
are one `GROUP BY` of the rolled-up rows, taken under the same lock: PostgreSQL's `ADD COLUMN`
holds the table exclusively until the migration commits, SQLite has one writer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ACTIVE = "('PENDING', 'STARTED', 'PROGRESS', 'RETRY')"
FINISHED = "('SUCCESS', 'FAILURE', 'REVOKED')"
# The partial index's predicate as each database's queries spell `NOT rolled_up`.
UNROLLED_ON_POSTGRESQL = "NOT rolled_up"
UNROLLED_ON_SQLITE = "rolled_up = 0"


def upgrade() -> None:
    op.create_table(
        "task_rollups",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", "status", name=op.f("pk_task_rollups")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.add_column(
            "tasks",
            sa.Column("rolled_up", sa.Boolean(), server_default=sa.true(), nullable=False),
        )
        op.execute(f"UPDATE tasks SET rolled_up = false WHERE status IN {ACTIVE}")
        op.alter_column("tasks", "rolled_up", server_default=sa.false())
    else:
        with op.batch_alter_table("tasks", schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("rolled_up", sa.Boolean(), server_default=sa.false(), nullable=False)
            )
        op.execute(f"UPDATE tasks SET rolled_up = 1 WHERE status IN {FINISHED}")
    op.execute(
        "INSERT INTO task_rollups (name, status, row_count) "
        "SELECT name, status, count(*) FROM tasks WHERE rolled_up GROUP BY name, status"
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_name_finished")
        batch_op.create_index(
            "ix_tasks_name_finished",
            ["name", "finished_at", "status", "started_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_tasks_unrolled",
            ["name", "status"],
            unique=False,
            postgresql_where=sa.text(UNROLLED_ON_POSTGRESQL),
            sqlite_where=sa.text(UNROLLED_ON_SQLITE),
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_unrolled")
        batch_op.drop_index("ix_tasks_name_finished")
        batch_op.create_index("ix_tasks_name_finished", ["name", "finished_at"], unique=False)
        batch_op.drop_column("rolled_up")
    op.drop_table("task_rollups")
