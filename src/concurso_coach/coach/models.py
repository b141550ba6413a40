"""Tables of the coach: goals, mastery, review cards and their log, study plans.

Mastery rows and review cards point at one target each — a subject, a topic or
a question — through ``target_id`` (ids are UUIDs, unique across tables), so
one unique index per (account, kind, target) holds whatever the kind. The
typed foreign keys beside it keep cascades working when the catalogue or the
question bank deletes the target.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column


class MasteryKind(enum.StrEnum):
    SUBJECT = "subject"
    TOPIC = "topic"


class CardKind(enum.StrEnum):
    TOPIC = "topic"
    QUESTION = "question"


class Goal(UUIDv7AuditBase):
    """A candidate's target exam, exam day and weekly availability."""

    __tablename__ = "coach_goals"

    account_id: Mapped[UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), unique=True
    )
    # RESTRICT: deleting a goal's exam is refused (migration 0005).
    exam_id: Mapped[UUID] = mapped_column(ForeignKey("exams.id", ondelete="RESTRICT"), index=True)
    exam_date: Mapped[dt.date] = mapped_column(Date)
    # Seven minute counts, Monday first.
    weekly_minutes: Mapped[list[int]] = mapped_column(JSON)
    # Subject id (as text) → 1..5; a prior that real attempts outweigh.
    self_assessment: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


class MasteryRow(UUIDv7AuditBase):
    """The mastery belief of one account on one subject or topic."""

    __tablename__ = "coach_mastery"
    __table_args__ = (
        UniqueConstraint(
            "account_id", "kind", "target_id", name="uq_coach_mastery_account_id_kind_target_id"
        ),
        CheckConstraint("kind IN ('subject', 'topic')", name="kind_known"),
    )

    account_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[UUID]
    subject_id: Mapped[UUID] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True, default=None
    )
    mastery: Mapped[float] = mapped_column(Float)
    evidence: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class ReviewCard(UUIDv7AuditBase):
    """A spaced-review card: a studied topic, or a question once answered wrong.

    The FSRS columns are exactly ``scheduler.card_to_columns``.
    """

    __tablename__ = "coach_review_cards"
    __table_args__ = (
        UniqueConstraint(
            "account_id",
            "kind",
            "target_id",
            name="uq_coach_review_cards_account_id_kind_target_id",
        ),
        CheckConstraint("kind IN ('topic', 'question')", name="kind_known"),
        Index("ix_coach_review_cards_account_id_due", "account_id", "due"),
    )

    account_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[UUID]
    topic_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True, default=None
    )
    question_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True, default=None
    )
    # A question's card outlives its subject (dropped by a re-imported edital).
    subject_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("subjects.id", ondelete="SET NULL"), index=True, default=None
    )

    phase: Mapped[int] = mapped_column(SmallInteger)
    step: Mapped[int | None] = mapped_column(Integer, default=None)
    stability: Mapped[float | None] = mapped_column(Float, default=None)
    difficulty: Mapped[float | None] = mapped_column(Float, default=None)
    due: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_review: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), default=None
    )
    reviews: Mapped[int] = mapped_column(Integer, default=0)


class ReviewLog(UUIDv7AuditBase):
    """One review of a card, as the scheduler computed it."""

    __tablename__ = "coach_review_logs"

    card_id: Mapped[UUID] = mapped_column(
        ForeignKey("coach_review_cards.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    grade: Mapped[int] = mapped_column(SmallInteger)
    # "attempt" (graded from a right or wrong answer) or "explicit" (graded by hand).
    source: Mapped[str] = mapped_column(String(16))
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    retrievability: Mapped[float] = mapped_column(Float)
    interval_seconds: Mapped[float] = mapped_column(Float)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)


class StudyPlanRecord(UUIDv7AuditBase):
    """The latest study plan of an account and where its cycle stands.

    ``cycle_position`` is where the agenda of ``last_agenda_day`` started and
    ``next_cycle_position`` where it ended; the position moves on only once
    that day (or a later one) saw activity, so a missed day is not lost.
    """

    __tablename__ = "coach_study_plans"

    account_id: Mapped[UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), unique=True
    )
    computed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    inputs_hash: Mapped[str] = mapped_column(String(64))
    cycle_position: Mapped[int] = mapped_column(Integer, default=0)
    next_cycle_position: Mapped[int] = mapped_column(Integer, default=0)
    last_agenda_day: Mapped[dt.date | None] = mapped_column(Date, default=None)


class ActivityDay(UUIDv7AuditBase):
    """A day (exam-time-zone calendar) on which the candidate answered or reviewed."""

    __tablename__ = "coach_activity_days"
    __table_args__ = (
        UniqueConstraint("account_id", "day", name="uq_coach_activity_days_account_id_day"),
    )

    account_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
