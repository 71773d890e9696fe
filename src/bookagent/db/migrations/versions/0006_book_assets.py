"""book assets: the cover and author photo the author uploaded

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

`books.assets` maps an asset kind (`cover`, `author_photo`) to the uploaded image, as
`bookagent.domain.assets.BookAsset` JSON (a media store key, type, size in pixels and bytes,
upload time); the bytes are in the media store. One asset per kind: an upload replaces it.
Added with a constant default, so existing rows need no rewrite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("books") as batch:
        batch.add_column(sa.Column("assets", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("books") as batch:
        batch.drop_column("assets")
