"""Wire types of practice: attempts, stats and mock exams.

Answers are letters: ``A``–``E`` for multiple choice, ``C`` (certo) or ``E``
(errado) for true/false items, as Cebraspe's answer sheets mark them; ``null``
is a blank.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from concurso_coach.platform.types import INT32_MAX
from concurso_coach.practice.scoring import MockExamResult
from concurso_coach.questions.schemas import QuestionRead

AnswerLetter = Literal["A", "B", "C", "D", "E"]
Result = Literal["right", "wrong", "blank"]
ElapsedMs = Annotated[int, msgspec.Meta(ge=0, le=INT32_MAX)]
Confidence = Annotated[int, msgspec.Meta(ge=1, le=5)]
TimeLimit = Annotated[int, msgspec.Meta(ge=1, le=720)]


class AttemptCreate(msgspec.Struct, forbid_unknown_fields=True):
    question_id: UUID
    answer: AnswerLetter | None
    elapsed_ms: ElapsedMs
    confidence: Confidence | None = None


class WeekPoint(msgspec.Struct, frozen=True):
    """Accuracy in one ISO week (``2025-W07``); ``accuracy`` is null without attempts."""

    week: str
    attempts: int
    accuracy: float | None


class TopicStats(msgspec.Struct, frozen=True):
    topic_id: UUID | None
    topic_name: str | None
    attempts: int
    right: int
    wrong: int
    blank: int
    accuracy: float
    true_false_attempts: int
    true_false_net: int
    average_ms: float
    mastery: float | None = None
    """The coach's estimate (0–1); ``None`` for questions not linked to the catalogue."""


class SubjectStats(msgspec.Struct, frozen=True):
    """A subject's attempts; ``true_false_net`` is rights minus wrongs on certo/errado items."""

    subject_id: UUID | None
    subject_name: str | None
    attempts: int
    right: int
    wrong: int
    blank: int
    accuracy: float
    true_false_attempts: int
    true_false_net: int
    average_ms: float
    trend: list[WeekPoint]
    topics: list[TopicStats]
    mastery: float | None = None
    """The coach's estimate (0–1); ``None`` for subjects not linked to the catalogue."""


class StatsRead(msgspec.Struct, frozen=True):
    attempts: int
    accuracy: float
    subjects: list[SubjectStats]


class AttemptRead(msgspec.Struct, frozen=True):
    id: UUID
    question_id: UUID
    kind: Literal["true_false", "multiple_choice"]
    answer: str | None
    result: Result
    correct: bool
    points: int
    elapsed_ms: int
    confidence: int | None
    mock_exam_id: UUID | None
    subject_id: UUID | None
    subject_name: str | None
    topic_id: UUID | None
    topic_name: str | None
    created_at: dt.datetime


class AttemptOutcome(msgspec.Struct, frozen=True):
    """The scored attempt: ``key`` is revealed now that the candidate has answered."""

    attempt: AttemptRead
    correct: bool
    result: Result
    key: str
    points: int
    subject_stats: SubjectStats


class MockExamCreate(msgspec.Struct, forbid_unknown_fields=True):
    exam_id: UUID
    time_limit_minutes: TimeLimit | None = None


class MockExamSubmit(msgspec.Struct, forbid_unknown_fields=True):
    """Answers by question id; questions left out are blanks."""

    answers: dict[UUID, AnswerLetter | None]


class Shortfall(msgspec.Struct, frozen=True):
    """A subject for which the bank had fewer questions than the exam asks."""

    subject: str
    wanted: int
    drawn: int


class MockExamItemRead(msgspec.Struct, frozen=True, omit_defaults=True):
    position: int
    subject: str
    question: QuestionRead
    answer: str | None = None
    result: Result | None = None


class MockExamRead(msgspec.Struct, frozen=True):
    """A mock exam; keys and the result appear once it is submitted."""

    id: UUID
    exam_id: UUID | None
    exam_title: str
    status: Literal["in_progress", "expired", "submitted"]
    rule: str
    item_kind: str
    started_at: dt.datetime
    deadline: dt.datetime
    time_limit_minutes: int
    submitted_at: dt.datetime | None
    time_used_seconds: int | None
    question_count: int
    shortfall: list[Shortfall]
    items: list[MockExamItemRead]
    result: MockExamResult | None


class MockExamSummary(msgspec.Struct, frozen=True):
    id: UUID
    exam_id: UUID | None
    exam_title: str
    status: Literal["in_progress", "expired", "submitted"]
    started_at: dt.datetime
    deadline: dt.datetime
    submitted_at: dt.datetime | None
    passed: bool | None
    total_net: float | None
