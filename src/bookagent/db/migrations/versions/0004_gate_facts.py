"""gate facts: the profile's awards, events and rules, and the cross-posted flag on posts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

The gate grounds claims only in structured fields (see `bookagent.domain.validation`): `awards`
(awards, nominations, lists, picks and sales or reader counts the author may state), `events`
(dated events whose dates a post may name) and `rules` (the author's rules the gate enforces:
no emoji, no exclamation marks, banned phrases and comparisons, spoilers, words required in a
launch phase). `posts.cross_posted` marks a post the author allows to repeat another platform's
text. Each column is added with a constant default, so existing rows need no rewrite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("books") as batch:
        batch.add_column(sa.Column("awards", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("events", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("rules", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("posts") as batch:
        batch.add_column(
            sa.Column("cross_posted", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("cross_posted")
    with op.batch_alter_table("books") as batch:
        batch.drop_column("rules")
        batch.drop_column("events")
        batch.drop_column("awards")
