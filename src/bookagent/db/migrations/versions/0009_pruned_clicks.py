"""pruned clicks: what the retention prune took out of `link_clicks`, per short link

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

The daily prune deletes clicks older than `BOOKAGENT_RETENTION__LINK_CLICKS_DAYS` and adds their
number to `short_links.pruned_clicks` in the same transaction, so a post's click count (the
remaining rows plus this) never drops. Added with a constant default, so existing rows need no
rewrite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("short_links") as batch:
        batch.add_column(
            sa.Column("pruned_clicks", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("short_links") as batch:
        batch.drop_column("pruned_clicks")
