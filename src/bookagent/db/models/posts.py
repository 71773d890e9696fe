"""Posts: one text for one platform, from generation through approval to publication."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bookagent.db.base import Base
from bookagent.db.base import new_id
from bookagent.db.base import utcnow
from bookagent.states import PostStatus

POST_STATUSES = tuple(PostStatus)


class Post(Base):
    """A post for one platform. `(task_id, task_index)` makes a redelivered task idempotent."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("task_id", "task_index"),
        Index("ix_posts_book_platform_created", "book_id", "platform", "created_at"),
        Index("ix_posts_status_scheduled", "status", "scheduled_time"),
        Index("ix_posts_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    post_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    hashtags: Mapped[list[str]] = mapped_column(default=list)
    links: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(32), default=PostStatus.PENDING_APPROVAL)
    measured_length: Mapped[int] = mapped_column(Integer)
    limit: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    prompt_hash: Mapped[str] = mapped_column(String(64))
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    task_id: Mapped[str | None] = mapped_column(String(64))
    task_index: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(128))
    scheduled_time: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    published_url: Mapped[str | None] = mapped_column(String(2048))
    remote_id: Mapped[str | None] = mapped_column(String(256))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    publish_attempts: Mapped[int] = mapped_column(Integer, default=0)
    generation_metadata: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The images that go with the post, in order (`bookagent.domain.media.MediaItem` JSON).
    media: Mapped[list[dict[str, Any]]] = mapped_column(default=list, server_default="[]")
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metrics_updated_at: Mapped[datetime | None]
    #: The author allows this post to repeat the text of a post on another platform.
    cross_posted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The author may have the agent post it again after a cool-down (a published post).
    evergreen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The evergreen post this one repeats, if it is a repeat.
    evergreen_of: Mapped[str | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
