"""Wire types of the catalogue API, and the one builder of syllabus results.

`syllabus_result` is shared by the HTTP dry run and `coach syllabus parse`, so
both print the same JSON for the same text.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from concurso_coach.catalogue.models import ExamStatus, ScoringRule
from concurso_coach.catalogue.syllabus_import import SyllabusDiff
from concurso_coach.catalogue.syllabus_model import (
    ParsedSubject,
    ParsedSyllabus,
    ParsedTopic,
)
from concurso_coach.platform.types import (
    CLEAN_TEXT_PATTERN,
    AwareDatetime,
    Name,
    NonNegativeInt,
    OptionalText,
    Score,
    ShortText,
    Url,
    Weight,
    check_calendar,
)

Acronym = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=CLEAN_TEXT_PATTERN)]
OptionCount = Literal[4, 5]
ScoringRuleSource = Literal["exam", "board"]
# The parser, not the schema, judges the text, so that empty or binary input
# gets a 422 with the parser's reason rather than a schema error.
SyllabusBody = Annotated[str, msgspec.Meta(max_length=1_000_000)]

UNSET = msgspec.UNSET
UnsetType = msgspec.UnsetType


# Boards


class BoardCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    acronym: Acronym
    default_scoring_rule: ScoringRule


class BoardUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    acronym: Acronym | UnsetType = UNSET
    default_scoring_rule: ScoringRule | UnsetType = UNSET


class BoardRead(msgspec.Struct):
    id: UUID
    name: str
    acronym: str
    default_scoring_rule: ScoringRule
    created_at: dt.datetime
    updated_at: dt.datetime


class BoardSummary(msgspec.Struct):
    id: UUID
    name: str
    acronym: str


# Exams


class ExamCreate(msgspec.Struct, forbid_unknown_fields=True):
    organisation: Name
    post: Name
    board_id: UUID
    scoring_rule: ScoringRule | None = None
    exam_date: dt.date | None = None
    exam_starts_at: AwareDatetime | None = None
    status: ExamStatus = ExamStatus.ANNOUNCED
    edital_number: ShortText | None = None
    edital_url: Url | None = None
    option_count: OptionCount | None = None

    def __post_init__(self) -> None:
        check_calendar("exam_date", self.exam_date)
        check_calendar("exam_starts_at", self.exam_starts_at)


class ExamUpdate(msgspec.Struct, forbid_unknown_fields=True):
    organisation: Name | UnsetType = UNSET
    post: Name | UnsetType = UNSET
    board_id: UUID | UnsetType = UNSET
    scoring_rule: ScoringRule | UnsetType | None = UNSET
    exam_date: dt.date | UnsetType | None = UNSET
    exam_starts_at: AwareDatetime | UnsetType | None = UNSET
    status: ExamStatus | UnsetType = UNSET
    edital_number: ShortText | UnsetType | None = UNSET
    edital_url: Url | UnsetType | None = UNSET
    option_count: OptionCount | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        for field in ("exam_date", "exam_starts_at"):
            value = getattr(self, field)
            check_calendar(field, None if value is UNSET else value)


class ExamRead(msgspec.Struct):
    """An exam; `scoring_rule` is the effective one, `scoring_rule_source` says whose."""

    id: UUID
    organisation: str
    post: str
    board: BoardSummary
    scoring_rule: ScoringRule
    scoring_rule_source: ScoringRuleSource
    scoring_rule_override: ScoringRule | None
    exam_date: dt.date | None
    exam_starts_at: dt.datetime | None
    status: ExamStatus
    edital_number: str | None
    edital_url: str | None
    option_count: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


# Blocks and subjects


class BlockCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    position: NonNegativeInt | None = None
    item_count: NonNegativeInt = 0
    weight: Weight = 1.0
    minimum_score: Score | None = None


class BlockUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    position: NonNegativeInt | UnsetType = UNSET
    item_count: NonNegativeInt | UnsetType = UNSET
    weight: Weight | UnsetType = UNSET
    minimum_score: Score | UnsetType | None = UNSET


class BlockRead(msgspec.Struct):
    id: UUID
    exam_id: UUID
    name: str
    position: int
    item_count: int
    weight: float
    minimum_score: float | None


class SubjectCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    block_id: UUID
    note: OptionalText = ""
    position: NonNegativeInt | None = None
    weight: Weight = 1.0
    question_count: NonNegativeInt = 0
    minimum_score: Score | None = None


class SubjectUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    block_id: UUID | UnsetType = UNSET
    note: OptionalText | UnsetType = UNSET
    position: NonNegativeInt | UnsetType = UNSET
    weight: Weight | UnsetType = UNSET
    question_count: NonNegativeInt | UnsetType = UNSET
    minimum_score: Score | UnsetType | None = UNSET


class SubjectRead(msgspec.Struct):
    id: UUID
    exam_id: UUID
    block_id: UUID
    name: str
    note: str
    position: int
    weight: float
    question_count: int
    minimum_score: float | None
    topic_count: int


class BlockWithSubjects(msgspec.Struct):
    id: UUID
    name: str
    position: int
    item_count: int
    weight: float
    minimum_score: float | None
    subjects: list[SubjectRead]


class ExamDetail(ExamRead):
    """An exam with its structure: blocks in order, each with its subjects."""

    blocks: list[BlockWithSubjects]
    topic_count: int


# Topics


class TopicRead(msgspec.Struct):
    id: UUID
    exam_id: UUID
    subject_id: UUID
    parent_id: UUID | None
    number: str
    title: str
    position: int
    depth: int


class TopicNode(msgspec.Struct):
    id: UUID
    number: str
    title: str
    depth: int
    children: list[TopicNode]


# Syllabus import


class SyllabusText(msgspec.Struct, forbid_unknown_fields=True):
    text: SyllabusBody


class SyllabusTopicOut(msgspec.Struct, omit_defaults=True):
    number: str
    title: str
    children: list[SyllabusTopicOut]
    id: UUID | None = None


class SyllabusSubjectOut(msgspec.Struct, omit_defaults=True):
    name: str
    note: str
    topic_count: int
    topics: list[SyllabusTopicOut]
    id: UUID | None = None


class SyllabusBlockOut(msgspec.Struct, omit_defaults=True):
    name: str
    subjects: list[SyllabusSubjectOut]
    id: UUID | None = None


class SyllabusResult(msgspec.Struct, omit_defaults=True):
    """Counts and tree of a syllabus; ids once stored; the diff of a re-import."""

    blocks: int
    subjects: int
    topics: int
    tree: list[SyllabusBlockOut]
    diff: SyllabusDiff | None = None


class SyllabusIds(msgspec.Struct, frozen=True):
    """Stored ids by name: blocks, subjects, and topics by (subject, number)."""

    blocks: dict[str, UUID]
    subjects: dict[str, UUID]
    topics: dict[tuple[str, str], UUID]


def syllabus_result(
    syllabus: ParsedSyllabus,
    ids: SyllabusIds | None = None,
    diff: SyllabusDiff | None = None,
) -> SyllabusResult:
    """The response of an import, a dry run and `coach syllabus parse`."""
    tree = [
        SyllabusBlockOut(
            name=block.name,
            subjects=[_subject_out(subject, ids) for subject in block.subjects],
            id=ids.blocks[block.name] if ids else None,
        )
        for block in syllabus.blocks
    ]
    return SyllabusResult(
        blocks=syllabus.block_count,
        subjects=syllabus.subject_count,
        topics=syllabus.topic_count,
        tree=tree,
        diff=diff,
    )


def _subject_out(subject: ParsedSubject, ids: SyllabusIds | None) -> SyllabusSubjectOut:
    return SyllabusSubjectOut(
        name=subject.name,
        note=subject.note,
        topic_count=subject.topic_count,
        topics=[_topic_out(subject.name, topic, ids) for topic in subject.topics],
        id=ids.subjects[subject.name] if ids else None,
    )


def _topic_out(subject: str, topic: ParsedTopic, ids: SyllabusIds | None) -> SyllabusTopicOut:
    return SyllabusTopicOut(
        number=topic.number,
        title=topic.title,
        children=[_topic_out(subject, child, ids) for child in topic.children],
        id=ids.topics[subject, topic.number] if ids else None,
    )
