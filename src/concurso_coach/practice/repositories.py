"""SQL of practice: attempts, their aggregates, and mock exams."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import (
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.engine import Row

from concurso_coach.practice.models import Attempt, MockExam, MockExamItem

attempts = cast(Table, Attempt.__table__)
mock_exams = cast(Table, MockExam.__table__)
mock_exam_items = cast(Table, MockExamItem.__table__)


@functools.cache
def _open_mock_holding() -> Select[Any]:
    # Asked on every practice answer: built once, on first use (a foreign-key column
    # has no type before its target table is known, and a parameter would keep none).
    return (
        select(mock_exams.c.id)
        .select_from(mock_exam_items.join(mock_exams))
        .where(
            mock_exam_items.c.question_id == bindparam("question_id"),
            mock_exams.c.account_id == bindparam("account_id"),
            mock_exams.c.submitted_at.is_(None),
            mock_exams.c.deadline > bindparam("now"),
        )
        .limit(1)
    )


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
        self,
        account_id: UUID,
        week_starts: Sequence[dt.datetime],
        subject_id: UUID | None = None,
        subject_name: str | None = None,
    ) -> Sequence[Row[Any]]:
        """Counts per (subject, topic): attempts, right, wrong, blank, t/f count and net, time,
        and the trend: attempts ``a<n>`` and right answers ``r<n>`` since the n-th of
        ``week_starts`` and the end of the last week (see `week_counts`).

        One grouped query, so the cost of the stats follows the number of topics, not
        the length of the candidate's history.
        """
        filter_kind = "id" if subject_id is not None else "name" if subject_name else "all"
        statement = _aggregates_statement(filter_kind, len(week_starts))
        params: dict[str, Any] = {"account_id": account_id}
        if subject_id is not None:
            params["subject_id"] = subject_id
        elif subject_name:
            params["subject_name"] = subject_name
        bounds = [*week_starts, week_starts[-1] + dt.timedelta(weeks=1)] if week_starts else []
        params.update({f"t{index}": start for index, start in enumerate(bounds)})
        return list((await self.session.execute(statement, params)).all())

    async def seen_question_ids(self, account_id: UUID) -> set[UUID]:
        statement = select(attempts.c.question_id).where(attempts.c.account_id == account_id)
        return set((await self.session.execute(statement.distinct())).scalars().all())


def week_counts(row: Row[Any], index: int) -> tuple[int, int]:
    """(attempts, right answers) of the ``index``-th trend week of an aggregates row."""
    attempts_in = int(getattr(row, f"a{index}") or 0) - int(getattr(row, f"a{index + 1}") or 0)
    right_in = int(getattr(row, f"r{index}") or 0) - int(getattr(row, f"r{index + 1}") or 0)
    return attempts_in, right_in


@functools.cache
def _aggregates_statement(filter_kind: str, weeks: int) -> Select[Any]:
    # Built once per shape with named parameters: building the 30-odd expressions on
    # every attempt cost more CPU than running the query. The trend columns count
    # attempts (a<n>) and right answers (r<n>) since each bound t<n>; a week is the
    # difference of two bounds. One comparison per column keeps the SQL short enough
    # for psycopg's query cache (4 kB); so do constants written inline, not as parameters.
    is_tf = attempts.c.kind == literal_column("'true_false'")
    is_right = attempts.c.result == literal_column("'right'")
    one: Any = literal_column("1")
    zero: Any = literal_column("0")
    week_columns: list[Any] = []
    for index in range(weeks + 1 if weeks else 0):
        since = attempts.c.created_at >= bindparam(f"t{index}")
        week_columns.append(func.sum(case((since, one), else_=zero)).label(f"a{index}"))
        right_since = and_(since, is_right)
        week_columns.append(func.sum(case((right_since, one), else_=zero)).label(f"r{index}"))

    conditions: list[Any] = [attempts.c.account_id == bindparam("account_id")]
    if filter_kind == "id":
        conditions.append(attempts.c.subject_id == bindparam("subject_id"))
    elif filter_kind == "name":
        conditions.append(attempts.c.subject_id.is_(None))
        conditions.append(attempts.c.subject_name == bindparam("subject_name"))
    return (
        select(
            *_GROUP,
            func.count().label("attempts"),
            func.sum(case((is_right, one), else_=zero)).label("right"),
            func.sum(case((attempts.c.result == "wrong", one), else_=zero)).label("wrong"),
            func.sum(case((attempts.c.result == "blank", one), else_=zero)).label("blank"),
            func.sum(case((is_tf, one), else_=zero)).label("tf_attempts"),
            func.sum(case((is_tf, attempts.c.points), else_=zero)).label("tf_net"),
            func.avg(attempts.c.elapsed_ms).label("average_ms"),
            *week_columns,
        )
        .where(*conditions)
        .group_by(*_GROUP)
    )


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

    async def open_for(self, account_id: UUID, now: dt.datetime) -> UUID | None:
        """The candidate's mock exam still in progress (not submitted, time left), if any."""
        statement = (
            select(mock_exams.c.id)
            .where(
                mock_exams.c.account_id == account_id,
                mock_exams.c.submitted_at.is_(None),
                mock_exams.c.deadline > now,
            )
            .limit(1)
        )
        return cast(UUID | None, await self.session.scalar(statement))

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

    async def open_mock_holding(
        self, account_id: UUID, question_id: UUID, now: dt.datetime
    ) -> UUID | None:
        """The candidate's mock exam in progress that holds the question, if any."""
        params = {"account_id": account_id, "question_id": question_id, "now": now}
        return cast(UUID | None, await self.session.scalar(_open_mock_holding(), params))

    async def list_for(self, mock_exam_id: UUID) -> list[MockExamItem]:
        statement = (
            select(MockExamItem)
            .where(MockExamItem.mock_exam_id == mock_exam_id)
            .order_by(MockExamItem.position)
        )
        return list((await self.session.execute(statement)).scalars().all())
