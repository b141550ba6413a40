"""Wire types of the coach API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

MAX_DAY_MINUTES = 960

DayMinutes = Annotated[int, msgspec.Meta(ge=0, le=MAX_DAY_MINUTES)]
WeekMinutesIn = Annotated[list[DayMinutes], msgspec.Meta(min_length=7, max_length=7)]
SelfAssessment = Annotated[int, msgspec.Meta(ge=1, le=5)]
GradeName = Literal["again", "hard", "good", "easy"]
CardPhaseName = Literal["learning", "review", "relearning"]
MasterySource = Literal["attempts", "self_assessment", "default"]


# Goal


class GoalWrite(msgspec.Struct, forbid_unknown_fields=True):
    """The target exam; ``exam_date`` defaults to the exam's own date.

    ``weekly_minutes`` is Monday first. ``self_assessment`` maps subject ids of
    the exam to 1 ("never studied") … 5 ("I master it").
    """

    exam_id: UUID
    weekly_minutes: WeekMinutesIn
    exam_date: dt.date | None = None
    self_assessment: Annotated[dict[UUID, SelfAssessment], msgspec.Meta(max_length=500)] = {}


class GoalRead(msgspec.Struct):
    exam_id: UUID
    exam_date: dt.date
    weekly_minutes: list[int]
    weekly_total_minutes: int
    self_assessment: dict[UUID, int]
    updated_at: dt.datetime


# Mastery


class TopicMastery(msgspec.Struct):
    topic_id: UUID
    mastery: float
    attempts: int


class SubjectMastery(msgspec.Struct):
    """A subject's mastery; ``source`` says whether attempts or a prior speak."""

    subject_id: UUID
    subject: str | None
    mastery: float
    attempts: int
    source: MasterySource
    topics: list[TopicMastery]


class MasterySummary(msgspec.Struct):
    exam_id: UUID | None
    subjects: list[SubjectMastery]


# Reviews


class ReviewCardRead(msgspec.Struct):
    """A review card; ``priority`` (subject weight × expected loss) only in the final days."""

    id: UUID
    kind: Literal["topic", "question"]
    topic_id: UUID | None
    question_id: UUID | None
    subject_id: UUID | None
    phase: CardPhaseName
    due: dt.datetime
    last_review: dt.datetime | None
    stability: float | None
    difficulty: float | None
    reviews: int
    retrievability: float
    retrievability_at_exam: float | None
    priority: float | None = None


class ReviewGrade(msgspec.Struct, forbid_unknown_fields=True):
    grade: GradeName
    duration_ms: Annotated[int, msgspec.Meta(ge=0, le=3_600_000)] | None = None


# Study plan


class SubjectPlanRead(msgspec.Struct):
    subject_id: UUID
    subject: str
    block: str
    current_mastery: float
    retention: float
    hours: float
    expected_gain: float
    predicted_mastery: float
    predicted_accuracy: float
    predicted_score: float
    score_sd: float
    minimum_score: float | None
    pass_chance: float | None


class BlockPlanRead(msgspec.Struct):
    name: str
    predicted_score: float
    score_sd: float
    minimum_score: float | None
    pass_chance: float | None


class SubjectMinutesRead(msgspec.Struct):
    subject_id: UUID
    subject: str
    minutes: int


class WeekTargetRead(msgspec.Struct):
    week_start: dt.date
    available_minutes: int
    review_minutes: int
    study_minutes: int
    subjects: list[SubjectMinutesRead]


class StudyPlanRead(msgspec.Struct):
    """The plan; ``subjects`` come by expected gain, the largest first."""

    exam_id: UUID
    computed_at: dt.datetime
    today: dt.date
    exam_date: dt.date
    weekly_minutes: list[int]
    review_minutes_per_day: float
    predicted_total: float
    total_sd: float
    minimum_total: float | None
    pass_chance: float
    subjects: list[SubjectPlanRead]
    blocks: list[BlockPlanRead]
    weeks: list[WeekTargetRead]
    cycle: list[str]


class JobAccepted(msgspec.Struct):
    job_id: str
    status_url: str


# Agenda


class AgendaItemRead(msgspec.Struct):
    kind: Literal["review", "study"]
    minutes: int
    subject_id: UUID | None = None
    subject: str | None = None


class AgendaRead(msgspec.Struct):
    """The day's work; ``cycle_position`` is where its study slots start in the cycle."""

    date: dt.date
    items: list[AgendaItemRead]
    due_reviews: int
    reviews_planned: int
    reviews_deferred: int
    cycle_position: int
    cycle_length: int
