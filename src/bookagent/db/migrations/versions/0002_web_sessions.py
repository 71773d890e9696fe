"""web sessions: a server-side identity for each dashboard session

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bookagent.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("token_ref", sa.String(length=80), nullable=False),
        sa.Column("created_at", bookagent.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bookagent.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", bookagent.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_token_ref"), ["token_ref"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_token_ref"))
    op.drop_table("web_sessions")
