"""SQL of practice: attempts, their aggregates, and mock exams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import Table, case, func, select, update
from sqlalchemy.engine import Row

from concurso_coach.practice.models import Attempt, MockExam, MockExamItem

attempts = cast(Table, Attempt.__table__)
mock_exams = cast(Table, MockExam.__table__)

_GROUP = (
    attempts.c.subject_id,
    attempts.c.subject_name,
    attempts.c.topic_id,
    attempts.c.topic_name,
)


class AttemptRepository(SQLAlchemyAsyncRepository[Attempt]):
    model_type = Attempt

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(attempts.insert(), list(rows))

    async def list_page(
        self, account_id: UUID, limit: int, offset: int, subject_id: UUID | None = None
    ) -> tuple[list[Attempt], int]:
        conditions = [Attempt.account_id == account_id]
        if subject_id is not None:
            conditions.append(Attempt.subject_id == subject_id)
        page = (
            select(Attempt)
            .where(*conditions)
            .order_by(Attempt.created_at.desc(), Attempt.id.desc())
            .limit(limit)
            .offset(offset)
        )
        count = select(func.count()).select_from(Attempt).where(*conditions)
        rows = list((await self.session.execute(page)).scalars().all())
        total = (await self.session.execute(count)).scalar_one()
        return rows, total

    async def aggregates(
        self, account_id: UUID, subject_id: UUID | None = None, subject_name: str | None = None
    ) -> Sequence[Row[Any]]:
        """Counts per (subject, topic): attempts, right, wrong, blank, t/f count and net, time."""
        is_tf = attempts.c.kind == "true_false"
        statement = (
            select(
                *_GROUP,
                func.count().label("attempts"),
                func.sum(case((attempts.c.result == "right", 1), else_=0)).label("right"),
                func.sum(case((attempts.c.result == "wrong", 1), else_=0)).label("wrong"),
                func.sum(case((attempts.c.result == "blank", 1), else_=0)).label("blank"),
                func.sum(case((is_tf, 1), else_=0)).label("tf_attempts"),
                func.sum(case((is_tf, attempts.c.points), else_=0)).label("tf_net"),
                func.avg(attempts.c.elapsed_ms).label("average_ms"),
            )
            .where(attempts.c.account_id == account_id, *_subject_filter(subject_id, subject_name))
            .group_by(*_GROUP)
        )
        return list((await self.session.execute(statement)).all())

    async def recent_results(
        self,
        account_id: UUID,
        since: dt.datetime,
        subject_id: UUID | None = None,
        subject_name: str | None = None,
    ) -> Sequence[Row[Any]]:
        """(subject_id, subject_name, created_at, result) of attempts since ``since``."""
        statement = select(
            attempts.c.subject_id,
            attempts.c.subject_name,
            attempts.c.created_at,
            attempts.c.result,
        ).where(
            attempts.c.account_id == account_id,
            attempts.c.created_at >= since,
            *_subject_filter(subject_id, subject_name),
        )
        rows: Sequence[Row[Any]] = (await self.session.execute(statement)).all()  # type: ignore[assignment]
        return rows

    async def seen_question_ids(self, account_id: UUID) -> set[UUID]:
        statement = select(attempts.c.question_id).where(attempts.c.account_id == account_id)
        return set((await self.session.execute(statement.distinct())).scalars().all())


def _subject_filter(subject_id: UUID | None, subject_name: str | None) -> list[Any]:
    if subject_id is not None:
        return [attempts.c.subject_id == subject_id]
    if subject_name is not None:
        return [attempts.c.subject_id.is_(None), attempts.c.subject_name == subject_name]
    return []


class MockExamRepository(SQLAlchemyAsyncRepository[MockExam]):
    model_type = MockExam

    async def claim_submission(self, mock_exam_id: UUID, now: dt.datetime) -> bool:
        """Mark the mock exam submitted unless it already was; False when someone won first."""
        statement = (
            update(mock_exams)
            .where(mock_exams.c.id == mock_exam_id, mock_exams.c.submitted_at.is_(None))
            .values(submitted_at=now, updated_at=now)
        )
        result = await self.session.execute(statement)
        return cast(int, getattr(result, "rowcount", 0)) == 1

    async def list_page(
        self, account_id: UUID, limit: int, offset: int
    ) -> tuple[list[MockExam], int]:
        page = (
            select(MockExam)
            .where(MockExam.account_id == account_id)
            .order_by(MockExam.started_at.desc(), MockExam.id.desc())
            .limit(limit)
            .offset(offset)
        )
        count = select(func.count()).select_from(MockExam).where(MockExam.account_id == account_id)
        rows = list((await self.session.execute(page)).scalars().all())
        total = (await self.session.execute(count)).scalar_one()
        return rows, total


class MockExamItemRepository(SQLAlchemyAsyncRepository[MockExamItem]):
    model_type = MockExamItem

    async def list_for(self, mock_exam_id: UUID) -> list[MockExamItem]:
        statement = (
            select(MockExamItem)
            .where(MockExamItem.mock_exam_id == mock_exam_id)
            .order_by(MockExamItem.position)
        )
        return list((await self.session.execute(statement)).scalars().all())
