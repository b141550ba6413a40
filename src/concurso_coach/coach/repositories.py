"""SQL of the coach: Advanced Alchemy repositories plus a few lean queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import Table, func, select
from uuid_utils.compat import uuid7

from concurso_coach.coach.models import (
    ActivityDay,
    Goal,
    MasteryRow,
    ReviewCard,
    ReviewLog,
    StudyPlanRecord,
)
from concurso_coach.platform.upsert import AnySession, insert_if_absent

# Mastery rows and review cards are unique per (account, kind, target).
_KEYED_UNIQUE = ["account_id", "kind", "target_id"]


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


async def _insert_keyed(session: AnySession, model: type[Any], values: Mapping[str, Any]) -> None:
    now = dt.datetime.now(dt.UTC)
    row = {**values, "id": uuid7(), "created_at": now, "updated_at": now}
    await insert_if_absent(session, _table(model), row, _KEYED_UNIQUE)


class GoalRepository(SQLAlchemyAsyncRepository[Goal]):
    model_type = Goal

    async def list_account_ids(self) -> list[UUID]:
        rows = await self.session.scalars(select(Goal.account_id).order_by(Goal.account_id))
        return list(rows)


class MasteryRepository(SQLAlchemyAsyncRepository[MasteryRow]):
    model_type = MasteryRow

    async def list_for_account(self, account_id: UUID) -> list[MasteryRow]:
        rows = await self.session.scalars(
            select(MasteryRow).where(MasteryRow.account_id == account_id)
        )
        return list(rows)

    async def mastery_by_target(
        self, account_id: UUID, subject_id: UUID | None = None
    ) -> dict[UUID, float]:
        """Subject and topic ids (they never collide: both are UUIDs) → mastery."""
        query = select(MasteryRow.target_id, MasteryRow.mastery).where(
            MasteryRow.account_id == account_id
        )
        if subject_id is not None:
            query = query.where(MasteryRow.subject_id == subject_id)
        rows = await self.session.execute(query)
        return {row.target_id: row.mastery for row in rows}

    async def get_for_update(
        self, account_id: UUID, kind: str, target_id: UUID
    ) -> MasteryRow | None:
        # FOR UPDATE (ignored by SQLite, which serialises writers anyway) keeps two
        # answers given at once from folding into the same old belief.
        return await self.session.scalar(
            select(MasteryRow)
            .where(
                MasteryRow.account_id == account_id,
                MasteryRow.kind == kind,
                MasteryRow.target_id == target_id,
            )
            .with_for_update()
        )

    async def lock_or_create(
        self, account_id: UUID, kind: str, target_id: UUID, first: Mapping[str, Any]
    ) -> MasteryRow:
        """The locked row, made from ``first`` (its other columns) when there is none yet."""
        row = await self.get_for_update(account_id, kind, target_id)
        if row is None:
            key = {"account_id": account_id, "kind": kind, "target_id": target_id}
            await _insert_keyed(self.session, MasteryRow, {**first, **key})
            row = await self.get_for_update(account_id, kind, target_id)
        assert row is not None, "the row was just inserted, or another request's found"
        return row


class ReviewCardRepository(SQLAlchemyAsyncRepository[ReviewCard]):
    model_type = ReviewCard

    async def get_for_update(
        self, account_id: UUID, kind: str, target_id: UUID
    ) -> ReviewCard | None:
        return await self.session.scalar(
            select(ReviewCard)
            .where(
                ReviewCard.account_id == account_id,
                ReviewCard.kind == kind,
                ReviewCard.target_id == target_id,
            )
            .with_for_update()
        )

    async def lock_or_create(
        self, account_id: UUID, kind: str, target_id: UUID, first: Mapping[str, Any]
    ) -> ReviewCard:
        """The locked card, made from ``first`` (its other columns) when there is none yet."""
        card = await self.get_for_update(account_id, kind, target_id)
        if card is None:
            key = {"account_id": account_id, "kind": kind, "target_id": target_id}
            await _insert_keyed(self.session, ReviewCard, {**first, **key})
            card = await self.get_for_update(account_id, kind, target_id)
        assert card is not None, "the card was just inserted, or another request's found"
        return card

    async def get_owned(self, account_id: UUID, card_id: UUID) -> ReviewCard | None:
        return await self.session.scalar(
            select(ReviewCard)
            .where(ReviewCard.id == card_id, ReviewCard.account_id == account_id)
            .with_for_update()
        )

    async def list_due(
        self,
        account_id: UUID,
        until: dt.datetime,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ReviewCard]:
        """Cards due by ``until``, earliest first; all of them without ``limit``."""
        rows = await self.session.scalars(
            select(ReviewCard)
            .where(ReviewCard.account_id == account_id, ReviewCard.due <= until)
            .order_by(ReviewCard.due, ReviewCard.id)
            .limit(limit)
            .offset(offset)
        )
        return list(rows)

    async def count_due(self, account_id: UUID, until: dt.datetime) -> int:
        total = await self.session.scalar(
            select(func.count())
            .select_from(ReviewCard)
            .where(ReviewCard.account_id == account_id, ReviewCard.due <= until)
        )
        return total or 0

    async def list_for_account(self, account_id: UUID) -> list[ReviewCard]:
        rows = await self.session.scalars(
            select(ReviewCard).where(ReviewCard.account_id == account_id)
        )
        return list(rows)


class ReviewLogRepository(SQLAlchemyAsyncRepository[ReviewLog]):
    model_type = ReviewLog

    async def list_for_card(self, card_id: UUID) -> Sequence[ReviewLog]:
        rows = await self.session.scalars(
            select(ReviewLog).where(ReviewLog.card_id == card_id).order_by(ReviewLog.reviewed_at)
        )
        return list(rows)


class StudyPlanRepository(SQLAlchemyAsyncRepository[StudyPlanRecord]):
    model_type = StudyPlanRecord

    async def get_for_update(self, account_id: UUID) -> StudyPlanRecord | None:
        return await self.session.scalar(
            select(StudyPlanRecord)
            .where(StudyPlanRecord.account_id == account_id)
            .with_for_update()
        )


class ActivityRepository(SQLAlchemyAsyncRepository[ActivityDay]):
    model_type = ActivityDay

    async def mark(self, account_id: UUID, day: dt.date) -> None:
        """Record activity on ``day``; a day already marked stays as it is."""
        now = dt.datetime.now(dt.UTC)
        values = {
            "id": uuid7(),
            "account_id": account_id,
            "day": day,
            "created_at": now,
            "updated_at": now,
        }
        await insert_if_absent(self.session, _table(ActivityDay), values, ["account_id", "day"])

    async def any_between(self, account_id: UUID, start: dt.date, end: dt.date) -> bool:
        """Whether some activity falls on a day in ``[start, end)``."""
        found = await self.session.scalar(
            select(ActivityDay.id)
            .where(
                ActivityDay.account_id == account_id,
                ActivityDay.day >= start,
                ActivityDay.day < end,
            )
            .limit(1)
        )
        return found is not None
