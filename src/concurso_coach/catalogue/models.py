"""Tables of the exam catalogue: boards, exams, blocks, subjects and topics.

Enumerations are stored as short strings: the same column type on PostgreSQL and
SQLite, and a new status never needs an ALTER TYPE. The wire types check them.
"""

from __future__ import annotations

import datetime as dt
import enum
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

# Each topic number part is written with this many digits in `Topic.path`.
PATH_SEGMENT_WIDTH = 4
PATH_MAX_DEPTH = 16
PATH_MAX_LENGTH = PATH_SEGMENT_WIDTH * PATH_MAX_DEPTH
NUMBER_MAX_LENGTH = 100


class ScoringRule(enum.StrEnum):
    """How a board scores an exam; see concurso_coach.practice.scoring."""

    TRUE_FALSE_PENALISED = "true_false_penalised"
    MULTIPLE_CHOICE = "multiple_choice"


class ExamStatus(enum.StrEnum):
    ANNOUNCED = "announced"
    REGISTRATION_OPEN = "registration_open"
    CLOSED = "closed"
    HELD = "held"
    CANCELLED = "cancelled"


class Board(UUIDv7AuditBase):
    """An examining board (banca), e.g. Cebraspe."""

    __tablename__ = "boards"

    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str] = mapped_column(String(40), unique=True)
    default_scoring_rule: Mapped[str] = mapped_column(String(32))


class Exam(UUIDv7AuditBase):
    """A concurso: one post of one organisation, run by a board under an edital."""

    __tablename__ = "exams"
    __table_args__ = (
        Index("ix_exams_exam_date", "exam_date"),
        Index("ix_exams_status", "status"),
    )

    organisation: Mapped[str] = mapped_column(String(300))
    post: Mapped[str] = mapped_column(String(300))
    # RESTRICT: a board that still runs exams cannot vanish under them.
    board_id: Mapped[UUID] = mapped_column(ForeignKey("boards.id", ondelete="RESTRICT"), index=True)
    # NULL means "the board's default"; the effective rule is computed on read.
    scoring_rule: Mapped[str | None] = mapped_column(String(32), default=None)
    exam_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    exam_starts_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    status: Mapped[str] = mapped_column(String(32), default=ExamStatus.ANNOUNCED.value)
    edital_number: Mapped[str | None] = mapped_column(String(200), default=None)
    edital_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    option_count: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    # Lower-cased, accent-free "organisation post": a portable LIKE target, so
    # "policia" finds "Polícia" on SQLite as well as on PostgreSQL.
    search_text: Mapped[str] = mapped_column(String(601))


class Block(UUIDv7AuditBase):
    """A block of subjects (bloco) with its own item count and minimum."""

    __tablename__ = "blocks"
    __table_args__ = (UniqueConstraint("exam_id", "name", name="uq_blocks_exam_id_name"),)

    exam_id: Mapped[UUID] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    minimum_score: Mapped[float | None] = mapped_column(Float, default=None)


class Subject(UUIDv7AuditBase):
    """A subject (disciplina) of an exam; its name is unique within the exam."""

    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("exam_id", "name", name="uq_subjects_exam_id_name"),)

    exam_id: Mapped[UUID] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    # No cascade from the block: deleting a block that still holds subjects is
    # refused by the service, while deleting the exam removes both at once.
    block_id: Mapped[UUID] = mapped_column(ForeignKey("blocks.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    question_count: Mapped[int] = mapped_column(Integer, default=0)
    minimum_score: Mapped[float | None] = mapped_column(Float, default=None)


class Topic(UUIDv7AuditBase):
    """A numbered syllabus topic ("5.3.2 Regência verbal").

    `path` is the number with every part zero-padded to PATH_SEGMENT_WIDTH
    digits and no separator ("5.3.2" → "000500030002"). Sorting by it gives the
    edital's reading order, and a subtree is one range on the (subject_id, path)
    index: path >= P and path < P+1 (P read as a number). Digits only, because
    PostgreSQL's default collations ignore punctuation when comparing text,
    which would break a range built on "." separators; digit strings compare
    the same under every collation and in SQLite.
    """

    __tablename__ = "topics"
    __table_args__ = (
        UniqueConstraint("subject_id", "path", name="uq_topics_subject_id_path"),
        Index("ix_topics_exam_id_path", "exam_id", "path"),
    )

    exam_id: Mapped[UUID] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    subject_id: Mapped[UUID] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    parent_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True, default=None
    )
    number: Mapped[str] = mapped_column(String(NUMBER_MAX_LENGTH))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    depth: Mapped[int] = mapped_column(SmallInteger, default=0)
    path: Mapped[str] = mapped_column(String(PATH_MAX_LENGTH))
