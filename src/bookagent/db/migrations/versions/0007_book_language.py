"""book language: the BCP 47 tag of the language a book's posts are written in

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

`books.language` (default `en`) is sent with every post: Bluesky records carry it in `langs`,
Mastodon statuses as `language`. A post may carry another in its `generation_metadata`. Added
with a constant default, so existing rows need no rewrite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("books") as batch:
        batch.add_column(sa.Column("language", sa.String(35), nullable=False, server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("books") as batch:
        batch.drop_column("language")
