"""Tables of the question bank: questions and the staging area of uploads.

The PostgreSQL full-text index is an expression index declared only in the
migration (0003_questions): it calls ``coach_unaccent``, a function SQLite
does not have, so it cannot live on the portable table definition.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

KINDS = ("true_false", "multiple_choice")


class Question(UUIDv7AuditBase):
    """A past exam question with its answer key (``NULL`` when voided)."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_questions_source_external_id"),
        CheckConstraint(f"kind IN {KINDS!r}", name="kind_known"),
        Index("ix_questions_board_id_year", "board_id", "year"),
        Index("ix_questions_subject_key", "subject_key"),
    )

    # The natural key: importing an item whose (source, external_id) exists adds nothing.
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))

    board_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("boards.id", ondelete="SET NULL"), default=None
    )
    exam_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("exams.id", ondelete="SET NULL"), index=True, default=None
    )
    subject_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("subjects.id", ondelete="SET NULL"), index=True, default=None
    )
    topic_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("topics.id", ondelete="SET NULL"), index=True, default=None
    )
    year: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    exam_label: Mapped[str | None] = mapped_column(String(300), default=None)
    organisation: Mapped[str | None] = mapped_column(String(300), default=None)
    post: Mapped[str | None] = mapped_column(String(300), default=None)

    # Free names as the source gave them; `subject_key` is the folded name, so a
    # mock exam can find questions by subject name when no FK links them.
    subject_name: Mapped[str | None] = mapped_column(String(300), default=None)
    subject_key: Mapped[str | None] = mapped_column(String(300), default=None)
    topic_name: Mapped[str | None] = mapped_column(String(300), default=None)

    kind: Mapped[str] = mapped_column(String(16))
    statement: Mapped[str] = mapped_column(Text)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    options_text: Mapped[str] = mapped_column(Text, default="")
    answer_key: Mapped[str | None] = mapped_column(String(1), default=None)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    outdated: Mapped[bool] = mapped_column(Boolean, default=False)

    licence: Mapped[str | None] = mapped_column(String(300), default=None)
    source_url: Mapped[str | None] = mapped_column(String(2000), default=None)

    # Folded statement and options: the embedded backend's search target.
    search_text: Mapped[str] = mapped_column(Text, default="")


class QuestionUpload(UUIDv7AuditBase):
    """An uploaded file waiting for its import job; the worker may run elsewhere."""

    __tablename__ = "question_uploads"

    owner_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
