"""SQL of the catalogue: Advanced Alchemy repositories plus a few lean queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal
from uuid import UUID

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import ColumnElement, Select, and_, delete, func, select

from concurso_coach.catalogue.models import Block, Board, Exam, Subject, Topic
from concurso_coach.catalogue.syllabus_import import subtree_range

ExamSort = Literal["exam_date", "-exam_date", "created_at", "-created_at"]


def escape_like(term: str) -> str:
    """`term` as a literal inside a LIKE pattern escaped with backslash."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class BoardRepository(SQLAlchemyAsyncRepository[Board]):
    model_type = Board

    async def list_page(self, limit: int, offset: int) -> tuple[list[Board], int]:
        total = await self.session.scalar(select(func.count()).select_from(Board))
        rows = await self.session.scalars(
            select(Board).order_by(Board.acronym, Board.id).limit(limit).offset(offset)
        )
        return list(rows), total or 0

    async def acronyms(self) -> list[tuple[UUID, str]]:
        """Every board's id and acronym: boards are few, and a page-and-count is two trips."""
        rows = await self.session.execute(select(Board.id, Board.acronym))
        return [(row.id, row.acronym) for row in rows]

    async def has_exams(self, board_id: UUID) -> bool:
        found = await self.session.scalar(select(Exam.id).where(Exam.board_id == board_id).limit(1))
        return found is not None


class ExamFilters:
    """The list filters of /api/exams, already validated by the controller."""

    def __init__(
        self,
        *,
        board_id: UUID | None = None,
        status: str | None = None,
        search: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> None:
        self.board_id = board_id
        self.status = status
        self.search = search
        self.date_from = date_from
        self.date_to = date_to

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.board_id is not None:
            conditions.append(Exam.board_id == self.board_id)
        if self.status is not None:
            conditions.append(Exam.status == self.status)
        if self.search:
            pattern = f"%{escape_like(self.search)}%"
            conditions.append(Exam.search_text.like(pattern, escape="\\"))
        if self.date_from is not None:
            conditions.append(Exam.exam_date >= self.date_from)
        if self.date_to is not None:
            conditions.append(Exam.exam_date <= self.date_to)
        return conditions


class ExamRepository(SQLAlchemyAsyncRepository[Exam]):
    model_type = Exam

    async def get_for_update(self, exam_id: UUID, *, lock: bool) -> Exam | None:
        statement = select(Exam).where(Exam.id == exam_id)
        if lock:
            statement = statement.with_for_update()
        exam: Exam | None = await self.session.scalar(statement)
        return exam

    async def list_page(
        self, filters: ExamFilters, sort: ExamSort, limit: int, offset: int
    ) -> tuple[list[Exam], int]:
        conditions = filters.conditions()
        total = await self.session.scalar(select(func.count()).select_from(Exam).where(*conditions))

        column = Exam.exam_date if sort.endswith("exam_date") else Exam.created_at
        order = column.desc() if sort.startswith("-") else column.asc()
        # Exams without a date go last either way; the id keeps pages stable.
        statement = (
            select(Exam)
            .where(*conditions)
            .order_by(order.nulls_last(), Exam.id)
            .limit(limit)
            .offset(offset)
        )
        rows = await self.session.scalars(statement)
        return list(rows), total or 0


class BlockRepository(SQLAlchemyAsyncRepository[Block]):
    model_type = Block

    async def list_for_exam(self, exam_id: UUID) -> list[Block]:
        rows = await self.session.scalars(
            select(Block).where(Block.exam_id == exam_id).order_by(Block.position, Block.name)
        )
        return list(rows)

    async def has_subjects(self, block_id: UUID) -> bool:
        found = await self.session.scalar(
            select(Subject.id).where(Subject.block_id == block_id).limit(1)
        )
        return found is not None


class SubjectRepository(SQLAlchemyAsyncRepository[Subject]):
    model_type = Subject

    def _ordered(self, exam_id: UUID) -> Select[Subject]:
        return (
            select(Subject)
            .join(Block, Block.id == Subject.block_id)
            .where(Subject.exam_id == exam_id)
            .order_by(Block.position, Subject.position, Subject.name)
        )

    async def list_for_exam(self, exam_id: UUID) -> list[Subject]:
        return list(await self.session.scalars(self._ordered(exam_id)))

    async def names_for_exam(self, exam_id: UUID) -> list[tuple[UUID, str]]:
        """(id, name) of the exam's subjects: what matching a name needs, no more."""
        statement = select(Subject.id, Subject.name).where(Subject.exam_id == exam_id)
        rows = await self.session.execute(statement)
        return [(row.id, row.name) for row in rows]

    async def list_page(
        self, exam_id: UUID, block_id: UUID | None, limit: int, offset: int
    ) -> tuple[list[Subject], int]:
        conditions = [Subject.exam_id == exam_id]
        if block_id is not None:
            conditions.append(Subject.block_id == block_id)
        total = await self.session.scalar(
            select(func.count()).select_from(Subject).where(*conditions)
        )
        statement = self._ordered(exam_id).where(*conditions[1:]).order_by(Subject.id)
        rows = await self.session.scalars(statement.limit(limit).offset(offset))
        return list(rows), total or 0

    async def topic_counts(self, exam_id: UUID) -> dict[UUID, int]:
        rows = await self.session.execute(
            select(Topic.subject_id, func.count())
            .where(Topic.exam_id == exam_id)
            .group_by(Topic.subject_id)
        )
        return {row[0]: row[1] for row in rows}


class TopicRepository(SQLAlchemyAsyncRepository[Topic]):
    model_type = Topic

    async def list_page(
        self,
        exam_id: UUID,
        *,
        subject_id: UUID | None,
        under: Topic | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Topic], int]:
        conditions = [Topic.exam_id == exam_id]
        if subject_id is not None:
            conditions.append(Topic.subject_id == subject_id)
        if under is not None:
            conditions.append(subtree_condition(under))

        total = await self.session.scalar(
            select(func.count()).select_from(Topic).where(*conditions)
        )
        statement = (
            select(Topic)
            .join(Subject, Subject.id == Topic.subject_id)
            .join(Block, Block.id == Subject.block_id)
            .where(*conditions)
            .order_by(Block.position, Subject.position, Subject.name, Topic.path)
            .limit(limit)
            .offset(offset)
        )
        return list(await self.session.scalars(statement)), total or 0

    async def list_subtree(self, root: Topic) -> list[Topic]:
        statement = select(Topic).where(subtree_condition(root)).order_by(Topic.path)
        return list(await self.session.scalars(statement))

    async def list_for_subject(self, subject_id: UUID) -> list[Topic]:
        statement = select(Topic).where(Topic.subject_id == subject_id).order_by(Topic.path)
        return list(await self.session.scalars(statement))

    async def list_for_exam(self, exam_id: UUID) -> list[tuple[Topic, str]]:
        """Every topic of an exam with its subject's name, in reading order."""
        statement = (
            select(Topic, Subject.name)
            .join(Subject, Subject.id == Topic.subject_id)
            .where(Topic.exam_id == exam_id)
            .order_by(Subject.name, Topic.path)
        )
        rows = await self.session.execute(statement)
        return [(topic, name) for topic, name in rows]

    async def delete_ids(self, ids: Sequence[UUID]) -> None:
        if ids:
            await self.session.execute(
                delete(Topic).where(Topic.id.in_(ids)),
                execution_options={"synchronize_session": False},
            )


def subtree_condition(root: Topic) -> ColumnElement[bool]:
    """The root and its descendants: one range on the (subject_id, path) index."""
    low, high = subtree_range(root.path)
    condition = and_(Topic.subject_id == root.subject_id, Topic.path >= low)
    if high is not None:
        condition = and_(condition, Topic.path < high)
    return condition
