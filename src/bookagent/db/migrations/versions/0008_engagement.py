"""engagement: metric readings, short links and their clicks, evergreen posts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

`metric_readings` keeps every reading of a post's figures (from its platform, an import or the
click counter), not only the latest. `short_links` are bookagent's own `/l/<code>` links, one per
post and destination, and `link_clicks` one row per click (a time only: no address, no agent).
`posts.evergreen` marks a published post the agent may post again after a cool-down, and
`posts.evergreen_of` names the post a repeat repeats.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bookagent.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_readings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("post_id", sa.String(length=32), nullable=False),
        sa.Column("read_at", bookagent.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("shares", sa.Integer(), nullable=True),
        sa.Column("comments", sa.Integer(), nullable=True),
        sa.Column("clicks", sa.Integer(), nullable=True),
        sa.Column("impressions", sa.Integer(), nullable=True),
        sa.Column("followers", sa.Integer(), nullable=True),
        sa.Column("created_at", bookagent.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_metric_readings_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_readings")),
    )
    with op.batch_alter_table("metric_readings", schema=None) as batch_op:
        batch_op.create_index("ix_metric_readings_post_read", ["post_id", "read_at"], unique=False)

    op.create_table(
        "short_links",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("post_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", bookagent.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_short_links_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_short_links")),
    )
    with op.batch_alter_table("short_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_short_links_post_id"), ["post_id"], unique=False)

    op.create_table(
        "link_clicks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("clicked_at", bookagent.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"],
            ["short_links.code"],
            name=op.f("fk_link_clicks_code_short_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_clicks")),
    )
    with op.batch_alter_table("link_clicks", schema=None) as batch_op:
        batch_op.create_index("ix_link_clicks_code_at", ["code", "clicked_at"], unique=False)

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("evergreen", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("evergreen_of", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_posts_evergreen_of"), ["evergreen_of"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_posts_evergreen_of_posts"),
            "posts",
            ["evergreen_of"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_posts_evergreen_of_posts"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_posts_evergreen_of"))
        batch_op.drop_column("evergreen_of")
        batch_op.drop_column("evergreen")

    with op.batch_alter_table("link_clicks", schema=None) as batch_op:
        batch_op.drop_index("ix_link_clicks_code_at")

    op.drop_table("link_clicks")
    with op.batch_alter_table("short_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_short_links_post_id"))

    op.drop_table("short_links")
    with op.batch_alter_table("metric_readings", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_readings_post_read")

    op.drop_table("metric_readings")
