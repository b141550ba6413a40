"""Account and refresh-token tables."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

ROLES = ("candidate", "editor", "admin")


class Account(UUIDv7AuditBase):
    """A person who signs in: a candidate, an editor or an admin."""

    __tablename__ = "account"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role_known"),)

    # Stored lower-cased, so the unique index makes emails case-insensitive.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(300))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="candidate")


class RefreshToken(UUIDv7AuditBase):
    """An opaque refresh token, kept only as its SHA-256 digest."""

    __tablename__ = "refresh_token"

    account_id: Mapped[UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
