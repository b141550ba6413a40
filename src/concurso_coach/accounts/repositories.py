"""Data access for accounts and refresh tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import CursorResult, update

from concurso_coach.accounts.models import Account, RefreshToken


class AccountRepository(SQLAlchemyAsyncRepository[Account]):
    model_type = Account


class RefreshTokenRepository(SQLAlchemyAsyncRepository[RefreshToken]):
    model_type = RefreshToken

    async def claim(self, token_id: UUID, now: datetime) -> bool:
        """Revoke one live token; False when another request revoked it first."""
        statement = (
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        result: CursorResult[tuple[()]] = await self.session.execute(statement)  # type: ignore[assignment]
        return result.rowcount == 1

    async def revoke_all(self, account_id: UUID, now: datetime) -> None:
        statement = (
            update(RefreshToken)
            .where(RefreshToken.account_id == account_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await self.session.execute(statement)
