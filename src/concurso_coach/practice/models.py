"""Tables of practice: attempts and mock exams (simulados)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

RESULTS = ("right", "wrong", "blank")


class Attempt(UUIDv7AuditBase):
    """One answer of a candidate to one question; ``created_at`` is when it was given."""

    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint(f"result IN {RESULTS!r}", name="result_known"),
        Index("ix_attempts_account_id_created_at", "account_id", "created_at"),
        Index("ix_attempts_account_id_question_id", "account_id", "question_id"),
    )

    account_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    # RESTRICT: an answered question cannot take candidates' history with it (0005).
    question_id: Mapped[UUID] = mapped_column(
        ForeignKey("questions.id", ondelete="RESTRICT"), index=True
    )
    mock_exam_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("mock_exams.id", ondelete="SET NULL"), index=True, default=None
    )
    answer: Mapped[str | None] = mapped_column(String(1), default=None)
    result: Mapped[str] = mapped_column(String(8))
    points: Mapped[int] = mapped_column(SmallInteger)

    # A snapshot of the question's kind and subject when it was answered: stats
    # group by them without reading the question bank, and later edits of a
    # question do not move past attempts between subjects.
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[UUID | None] = mapped_column(GUID(length=16), default=None)
    subject_name: Mapped[str | None] = mapped_column(String(300), default=None)
    topic_id: Mapped[UUID | None] = mapped_column(GUID(length=16), default=None)
    topic_name: Mapped[str | None] = mapped_column(String(300), default=None)
    elapsed_ms: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[int | None] = mapped_column(SmallInteger, default=None)


class MockExam(UUIDv7AuditBase):
    """A drawn mock exam; its structure is a snapshot, so catalogue edits never rescore it."""

    __tablename__ = "mock_exams"

    account_id: Mapped[UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    exam_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("exams.id", ondelete="SET NULL"), index=True, default=None
    )
    exam_title: Mapped[str] = mapped_column(String(700))
    started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    deadline: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    time_limit_minutes: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    structure: Mapped[dict[str, Any]] = mapped_column(JSON)
    shortfall: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class MockExamItem(UUIDv7AuditBase):
    """A question drawn into a mock exam, in exam order, with the answer once submitted."""

    __tablename__ = "mock_exam_items"
    __table_args__ = (
        UniqueConstraint(
            "mock_exam_id", "question_id", name="uq_mock_exam_items_mock_exam_id_question_id"
        ),
    )

    mock_exam_id: Mapped[UUID] = mapped_column(ForeignKey("mock_exams.id", ondelete="CASCADE"))
    # RESTRICT: an answered question cannot take candidates' history with it (0005).
    question_id: Mapped[UUID] = mapped_column(
        ForeignKey("questions.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    subject_name: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str | None] = mapped_column(String(1), default=None)
    result: Mapped[str | None] = mapped_column(String(8), default=None)
