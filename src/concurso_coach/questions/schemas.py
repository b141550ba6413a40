"""Wire types of the question bank."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from concurso_coach.questions.fields import (
    ExternalId,
    Label,
    OptionText,
    SourceName,
    SourceUrl,
    Statement,
    Year,
)

Kind = Literal["true_false", "multiple_choice"]
Letter = Literal["A", "B", "C", "D", "E"]
Format = Literal["native", "oab", "enem"]


class OptionRead(msgspec.Struct, frozen=True):
    letter: str
    text: str


class QuestionRead(msgspec.Struct, frozen=True, omit_defaults=True):
    """A question; ``answer_key`` is left out for candidates (they get it by attempting).

    For editors it is present, and ``null`` on a voided item.
    """

    id: UUID
    source: str
    external_id: str
    kind: Kind
    statement: str
    options: list[OptionRead]
    voided: bool
    outdated: bool
    board_id: UUID | None = None
    board: str | None = None
    exam_id: UUID | None = None
    year: int | None = None
    exam_label: str | None = None
    organisation: str | None = None
    post: str | None = None
    subject_id: UUID | None = None
    subject_name: str | None = None
    topic_id: UUID | None = None
    topic_name: str | None = None
    licence: str | None = None
    source_url: str | None = None
    answer_key: str | UnsetType | None = UNSET


class OptionWrite(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    letter: Letter
    text: OptionText


class QuestionCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An editor's new question. True/false items have no options; their key is C or E."""

    kind: Kind
    statement: Statement
    answer_key: Letter | None
    options: list[OptionWrite] = []
    source: SourceName = "editor"
    external_id: ExternalId | None = None
    board_id: UUID | None = None
    exam_id: UUID | None = None
    subject_id: UUID | None = None
    topic_id: UUID | None = None
    year: Year | None = None
    exam_label: Label | None = None
    organisation: Label | None = None
    post: Label | None = None
    subject_name: Label | None = None
    topic_name: Label | None = None
    voided: bool = False
    outdated: bool = False
    licence: Label | None = None
    source_url: SourceUrl | None = None


class QuestionUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields to change; absent fields stay as they are."""

    kind: Kind | UnsetType = UNSET
    statement: Statement | UnsetType = UNSET
    options: list[OptionWrite] | UnsetType = UNSET
    answer_key: Letter | UnsetType | None = UNSET
    board_id: UUID | UnsetType | None = UNSET
    exam_id: UUID | UnsetType | None = UNSET
    subject_id: UUID | UnsetType | None = UNSET
    topic_id: UUID | UnsetType | None = UNSET
    year: Year | UnsetType | None = UNSET
    exam_label: Label | UnsetType | None = UNSET
    organisation: Label | UnsetType | None = UNSET
    post: Label | UnsetType | None = UNSET
    subject_name: Label | UnsetType | None = UNSET
    topic_name: Label | UnsetType | None = UNSET
    voided: bool | UnsetType = UNSET
    outdated: bool | UnsetType = UNSET
    licence: Label | UnsetType | None = UNSET
    source_url: SourceUrl | UnsetType | None = UNSET


class ImportProblem(msgspec.Struct, frozen=True):
    location: str
    reason: str


class ImportReport(msgspec.Struct):
    """What an import did. ``problems`` lists the first problems; ``problem_count`` all."""

    format: Format
    read: int = 0
    inserted: int = 0
    already_present: int = 0
    voided_inserted: int = 0
    problem_count: int = 0
    problems: list[ImportProblem] = msgspec.field(default_factory=list)


class ImportAccepted(msgspec.Struct, frozen=True):
    """A large upload queued as a background job."""

    job_id: str
    status_url: str
    upload_id: UUID
    size: int


class QuestionKey(msgspec.Struct, frozen=True):
    """What practice needs to score an answer to one question."""

    id: UUID
    kind: Kind
    option_count: int
    answer_key: str | None
    voided: bool
    subject_id: UUID | None
    subject_name: str | None
    topic_id: UUID | None
    topic_name: str | None
    board_id: UUID | None
