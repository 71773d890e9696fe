"""Engagement: each reading of a post's figures, the short links that count its clicks, and the
clicks themselves (a time and nothing about who clicked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bookagent.db.base import Base
from bookagent.db.base import new_id
from bookagent.db.base import utcnow


class MetricReading(Base):
    """One reading of a post's engagement, as read from its platform, imported or counted.

    A figure the source did not give is NULL, not 0: a reading without impressions says nothing
    about them. `source` is `platform`, `import` (a CSV file or the API) or `clicks`.
    """

    __tablename__ = "metric_readings"
    __table_args__ = (Index("ix_metric_readings_post_read", "post_id", "read_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16))
    likes: Mapped[int | None] = mapped_column(Integer)
    shares: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[int | None] = mapped_column(Integer)
    clicks: Mapped[int | None] = mapped_column(Integer)
    impressions: Mapped[int | None] = mapped_column(Integer)
    followers: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShortLink(Base):
    """A short link served by bookagent (`/l/<code>`) that leads to `url` for one post."""

    __tablename__ = "short_links"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Clicks the retention prune deleted from `link_clicks`: the link's count is this plus the
    # rows that remain.
    pruned_clicks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LinkClick(Base):
    """One click on a short link by something that is not a known bot: when, and nothing else."""

    __tablename__ = "link_clicks"
    __table_args__ = (Index("ix_link_clicks_code_at", "code", "clicked_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(ForeignKey("short_links.code", ondelete="CASCADE"))
    clicked_at: Mapped[datetime] = mapped_column(default=utcnow)
