"""Lean SQL for the question bank: bulk idempotent inserts and the list hot path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import msgspec
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import ColumnElement, Table, bindparam, false, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import RowMapping

from concurso_coach.catalogue.models import Board, Subject
from concurso_coach.questions.models import Question, QuestionUpload
from concurso_coach.questions.search import like_pattern, search_terms

questions = cast(Table, Question.__table__)
boards = cast(Table, Board.__table__)
subjects = cast(Table, Subject.__table__)

# The board's acronym comes with each row: a lookup per board cost a statement
# per distinct board on every page.
_WITH_BOARD = questions.outerjoin(boards, boards.c.id == questions.c.board_id)

# A stored, generated column on PostgreSQL only (migration 0008), indexed by
# ix_questions_search; not mapped, so the embedded schema need not have it.
SEARCH_VECTOR_SQL = "questions.search_vector"
_PG_MATCH = text(f"{SEARCH_VECTOR_SQL} @@ coach_search_query(:search_query)")

# Scoring reads these on every answer: built once, and no JSON of options decoded.
_KEYS_STATEMENT = select(
    questions.c.id,
    questions.c.kind,
    func.json_array_length(questions.c.options).label("option_count"),
    questions.c.answer_key,
    questions.c.voided,
    questions.c.subject_id,
    questions.c.subject_name,
    questions.c.topic_id,
    questions.c.topic_name,
    questions.c.board_id,
).where(questions.c.id.in_(bindparam("ids", expanding=True)))

LIST_COLUMNS = (
    questions.c.id,
    questions.c.source,
    questions.c.external_id,
    questions.c.board_id,
    questions.c.exam_id,
    questions.c.year,
    questions.c.exam_label,
    questions.c.organisation,
    questions.c.post,
    questions.c.subject_id,
    questions.c.subject_name,
    questions.c.topic_id,
    questions.c.topic_name,
    questions.c.kind,
    questions.c.statement,
    questions.c.options,
    questions.c.answer_key,
    questions.c.voided,
    questions.c.outdated,
    questions.c.licence,
    questions.c.source_url,
    boards.c.acronym.label("board_acronym"),
)


@dataclass(frozen=True)
class QuestionFilters:
    board_ids: Sequence[UUID] | None = None
    year: int | None = None
    subject_id: UUID | None = None
    subject_key: str | None = None
    topic_id: UUID | None = None
    kind: str | None = None
    source: str | None = None
    query: str | None = None
    include_voided: bool = False
    include_outdated: bool = False


class QuestionRepository(SQLAlchemyAsyncRepository[Question]):
    model_type = Question

    async def insert_new(self, rows: Sequence[dict[str, Any]]) -> list[UUID]:
        """Insert rows whose natural key is free; the ids of those inserted."""
        if not rows:
            return []
        if self._dialect.name == "postgresql":
            return await self._insert_new_postgres(rows)

        statement = (
            sqlite.insert(questions)
            .on_conflict_do_nothing(index_elements=["source", "external_id"])
            .returning(questions.c.id)
        )
        result = await self.session.execute(statement, list(rows))
        return [row[0] for row in result.all()]

    async def _insert_new_postgres(self, rows: Sequence[dict[str, Any]]) -> list[UUID]:
        # One JSON parameter per batch: a multi-row VALUES with ~13,000 placeholders
        # spends most of its time in the driver's query parsing, not in the server.
        columns = ", ".join(f'"{name}"' for name in rows[0])
        statement = text(
            f"INSERT INTO questions ({columns}) "  # noqa: S608 - names are our own columns
            f"SELECT {columns} FROM json_populate_recordset(NULL::questions, CAST(:rows AS json)) "
            "ON CONFLICT (source, external_id) DO NOTHING RETURNING id"
        )
        payload = msgspec.json.encode(list(rows)).decode()
        result = await self.session.execute(statement, {"rows": payload})
        return [row[0] for row in result.all()]

    async def list_page(
        self, filters: QuestionFilters, limit: int, offset: int
    ) -> Sequence[RowMapping]:
        """One page of rows in id order."""
        conditions = self._conditions(filters)
        if conditions is None:
            return []

        source: Any = _WITH_BOARD
        if filters.query and self._dialect.name == "postgresql":
            await self._prefer_the_search_index()
            # Matches first, as a step of their own. Asked for a page in id order,
            # PostgreSQL may walk the primary key and compute the search vector of
            # every row until the page is full: seconds for a word few rows hold
            # (13.8 s on 100,000 rows for a word none holds). From the GIN index the
            # matches cost milliseconds, and sorting them for the page less.
            matched = (
                select(questions.c.id).where(*conditions).cte("matched").prefix_with("MATERIALIZED")
            )
            source = _WITH_BOARD.join(matched, matched.c.id == questions.c.id)
            conditions = []

        page = (
            select(*LIST_COLUMNS)
            .select_from(source)
            .where(*conditions)
            .order_by(questions.c.id)
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.execute(page)).mappings().all()

    async def count_matches(self, filters: QuestionFilters) -> int:
        """Every row that matches (a plain COUNT: the window-function form is far slower)."""
        conditions = self._conditions(filters)
        if conditions is None:
            return 0
        if filters.query and self._dialect.name == "postgresql":
            await self._prefer_the_search_index()
        statement = select(func.count()).select_from(questions).where(*conditions)
        return int((await self.session.execute(statement)).scalar_one())

    async def _prefer_the_search_index(self) -> None:
        # For a word in a large share of the rows the planner prefers a sequential
        # scan, costing nothing for reading every row's 1 kB vector: 420 ms for
        # "advogado" on 100,000 rows, 50 ms through the GIN bitmap. No planner hint
        # exists short of this; LOCAL keeps it to this request's transaction.
        await self.session.execute(text("SET LOCAL enable_seqscan = off"))

    async def get_row(self, question_id: UUID) -> RowMapping | None:
        statement = (
            select(*LIST_COLUMNS).select_from(_WITH_BOARD).where(questions.c.id == question_id)
        )
        return (await self.session.execute(statement)).mappings().one_or_none()

    async def get_rows(self, question_ids: Sequence[UUID]) -> list[RowMapping]:
        if not question_ids:
            return []
        statement = (
            select(*LIST_COLUMNS).select_from(_WITH_BOARD).where(questions.c.id.in_(question_ids))
        )
        return list((await self.session.execute(statement)).mappings().all())

    async def get_key_rows(self, question_ids: Sequence[UUID]) -> list[RowMapping]:
        """What scoring needs of each question, without its text or its board."""
        if not question_ids:
            return []
        result = await self.session.execute(_KEYS_STATEMENT, {"ids": list(question_ids)})
        return list(result.mappings().all())

    async def subject_link(self, subject_id: UUID) -> RowMapping | None:
        """The exam and name of a catalogue subject, found by its id alone.

        The catalogue looks subjects up within an exam; a question may name only
        the subject, and its exam follows from it.
        """
        statement = select(subjects.c.exam_id, subjects.c.name).where(subjects.c.id == subject_id)
        return (await self.session.execute(statement)).mappings().one_or_none()

    async def list_ids_for_subject(
        self,
        subject_id: UUID | None,
        subject_key: str,
        kind: str,
        option_count: int | None,
    ) -> list[UUID]:
        """Ids of live questions linked to the subject, or named like it when unlinked."""
        linked = questions.c.subject_id == subject_id if subject_id is not None else false()
        by_name = questions.c.subject_id.is_(None) & (questions.c.subject_key == subject_key)
        statement = select(questions.c.id).where(
            linked | by_name,
            questions.c.kind == kind,
            questions.c.voided.is_(False),
            questions.c.outdated.is_(False),
        )
        if option_count is not None:
            statement = statement.where(func.json_array_length(questions.c.options) <= option_count)
        return list((await self.session.execute(statement)).scalars().all())

    def _conditions(self, filters: QuestionFilters) -> list[ColumnElement[bool]] | None:
        """The WHERE clauses; ``None`` when nothing can match."""
        conditions: list[ColumnElement[bool]] = []
        if filters.board_ids is not None:
            if not filters.board_ids:
                return None
            conditions.append(questions.c.board_id.in_(filters.board_ids))
        if filters.year is not None:
            conditions.append(questions.c.year == filters.year)
        if filters.subject_id is not None:
            conditions.append(questions.c.subject_id == filters.subject_id)
        if filters.subject_key is not None:
            conditions.append(questions.c.subject_key == filters.subject_key)
        if filters.topic_id is not None:
            conditions.append(questions.c.topic_id == filters.topic_id)
        if filters.kind is not None:
            conditions.append(questions.c.kind == filters.kind)
        if filters.source is not None:
            conditions.append(questions.c.source == filters.source)
        if not filters.include_voided:
            conditions.append(questions.c.voided.is_(False))
        if not filters.include_outdated:
            conditions.append(questions.c.outdated.is_(False))

        if filters.query:
            search = self._search_condition(filters.query)
            if search is None:
                return None
            conditions.extend(search)
        return conditions

    def _search_condition(self, query: str) -> list[ColumnElement[bool]] | None:
        terms = search_terms(query)
        if not terms:
            return None
        if self._dialect.name == "postgresql":
            match = _PG_MATCH.bindparams(search_query=query)
            return [match]  # type: ignore[list-item]
        return [questions.c.search_text.like(like_pattern(term), escape="\\") for term in terms]


class QuestionUploadRepository(SQLAlchemyAsyncRepository[QuestionUpload]):
    model_type = QuestionUpload
