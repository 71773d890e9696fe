"""Weekly reports, stored once per book per week."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bookagent.db.base import Base
from bookagent.db.base import new_id
from bookagent.db.base import utcnow


class Report(Base):
    """A weekly report's data as JSON; HTML is rendered from it on request."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("book_id", "week_start"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    book_id: Mapped[str] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    week_start: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    task_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
