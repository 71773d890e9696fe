"""post media: the images that go with a post

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

`posts.media` lists a post's images in order, each as `bookagent.domain.media.MediaItem` JSON
(a media store key, type, size, alt text and kind); the bytes are in the media store. Added with
a constant default, so existing rows need no rewrite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("media", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("media")
