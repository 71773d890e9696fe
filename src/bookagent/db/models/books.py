"""The book profile: everything the author told us, and the only facts a post may state."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bookagent.db.base import Base
from bookagent.db.base import new_id
from bookagent.db.base import utcnow


class Book(Base):
    """One book of one author."""

    __tablename__ = "books"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    subtitle: Mapped[str | None] = mapped_column(String(300))
    author: Mapped[str] = mapped_column(String(200))
    genre: Mapped[str] = mapped_column(String(100))
    blurb: Mapped[str] = mapped_column(Text)
    target_audience: Mapped[str | None] = mapped_column(Text)
    key_themes: Mapped[list[str]] = mapped_column(default=list)
    tone: Mapped[str | None] = mapped_column(Text)
    content_guidelines: Mapped[str | None] = mapped_column(Text)
    links: Mapped[dict[str, Any]] = mapped_column(default=dict)
    launch_date: Mapped[date | None] = mapped_column(Date)
    price: Mapped[str | None] = mapped_column(String(50))
    quotes: Mapped[list[str]] = mapped_column(default=list)
    reviews: Mapped[list[Any]] = mapped_column(default=list)
    hashtags: Mapped[list[str]] = mapped_column(default=list)
    awards: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    events: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    cover_image_url: Mapped[str | None] = mapped_column(String(2048))
    #: The images the author uploaded, by kind (`cover`, `author_photo`): each a
    #: `bookagent.domain.assets.BookAsset` as JSON, its bytes in the media store.
    assets: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: The language the posts are written in, a BCP 47 tag (`en`, `en-GB`, `pt-BR`).
    language: Mapped[str] = mapped_column(String(35), default="en", server_default="en")
    human_in_loop: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
