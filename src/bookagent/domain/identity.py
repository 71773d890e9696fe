"""Who is calling: API tokens (stored as hashes), the caller, and the rules of ownership."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from bookagent.db.base import utcnow
from bookagent.db.models import ApiToken
from bookagent.db.models import User
from bookagent.errors import AuthenticationError
from bookagent.errors import InvalidInputError
from bookagent.errors import NotFoundError
from bookagent.errors import PermissionDeniedError

TOKEN_BYTES = 32


@dataclass(frozen=True)
class Caller:
    """The authenticated caller. In local mode (no tokens) every caller is a local admin."""

    user_id: str | None
    is_admin: bool
    local_mode: bool = False

    def can_act_for(self, user_id: str | None) -> bool:
        """Whether this caller may read or change `user_id`'s data."""
        return self.is_admin or (user_id is not None and user_id == self.user_id)

    def require_admin(self, what: str) -> None:
        """PermissionDeniedError unless this caller is an admin (everyone is, in local mode)."""
        if not self.is_admin:
            raise PermissionDeniedError(f"Only an admin token can {what}.")

    def resolve_user(self, requested: str | None) -> str:
        """The user a request acts for: the one named, checked against the token, or the token's."""
        if requested:
            if not self.can_act_for(requested):
                raise PermissionDeniedError("This token does not belong to that user.")
            return requested
        if self.user_id:
            return self.user_id
        raise InvalidInputError.for_field("user_id", "is required")


LOCAL_CALLER = Caller(user_id=None, is_admin=True, local_mode=True)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest we store instead of the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ensure_user(session: Session, user_id: str) -> User:
    """The user named `user_id`, created on first use."""
    user_id = user_id.strip()
    if not user_id or len(user_id) > 128:
        raise InvalidInputError.for_field("user_id", "must be 1 to 128 characters")
    user = session.get(User, user_id)
    if user is None:
        user = User(id=user_id)
        session.add(user)
        session.flush()
    return user


def create_token(
    session: Session, *, user_id: str | None, is_admin: bool, name: str | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return its row and the secret, which is shown only this once."""
    if not is_admin and not user_id:
        raise InvalidInputError.for_field("user", "a user token needs a user")
    if user_id:
        ensure_user(session, user_id)
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(token_hash=hash_token(secret), user_id=user_id, is_admin=is_admin, name=name)
    session.add(row)
    session.flush()
    return row, secret


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())))


def revoke_token(session: Session, token_id: str) -> ApiToken:
    """Mark a token revoked; it stops working at once."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"No token with id {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def has_tokens(session: Session) -> bool:
    """Whether any live token exists (if none, and no admin token is set, we are in local mode)."""
    count = session.scalar(
        select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))
    )
    return bool(count)


def authenticate(session: Session, presented: str | None, *, admin_token: str | None) -> Caller:
    """The caller for a presented bearer token, or AuthenticationError."""
    if not presented:
        raise AuthenticationError(
            "A bearer token is required: send 'Authorization: Bearer <token>'."
        )
    if admin_token and hmac.compare_digest(presented.encode(), admin_token.encode()):
        return Caller(user_id=None, is_admin=True)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(presented)))
    if row is None or row.revoked_at is not None:
        raise AuthenticationError("The bearer token is not valid.")
    return Caller(user_id=row.user_id, is_admin=row.is_admin)
