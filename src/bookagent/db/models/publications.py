"""The publication ledger: one row per publish attempt, and per-account rate-limit state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bookagent.db.base import Base
from bookagent.db.base import new_id
from bookagent.db.base import utcnow
from bookagent.states import AttemptOutcome


class PublicationAttempt(Base):
    """One attempt to publish one post: what was sent, what came back, and how long it took."""

    __tablename__ = "publication_attempts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    publisher: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16), default=AttemptOutcome.STARTED)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class RateLimitState(Base):
    """'Blocked until' for one publishing account, so posts wait instead of failing."""

    __tablename__ = "rate_limit_states"

    account: Mapped[str] = mapped_column(String(128), primary_key=True)
    blocked_until: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
