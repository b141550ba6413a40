"""Wire types of the question bank."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from concurso_coach.platform.types import CLEAN_TEXT_PATTERN, Name, ShortText, Url

Kind = Literal["true_false", "multiple_choice"]
Letter = Literal["A", "B", "C", "D", "E"]
Format = Literal["native", "oab", "enem"]
OptionText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=20_000, pattern=CLEAN_TEXT_PATTERN)
]
Statement = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100_000, pattern=CLEAN_TEXT_PATTERN)
]
Year = Annotated[int, msgspec.Meta(ge=1900, le=2100)]
SourceName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")]


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
    external_id: ShortText | None = None
    board_id: UUID | None = None
    exam_id: UUID | None = None
    subject_id: UUID | None = None
    topic_id: UUID | None = None
    year: Year | None = None
    exam_label: Name | None = None
    organisation: Name | None = None
    post: Name | None = None
    subject_name: Name | None = None
    topic_name: Name | None = None
    voided: bool = False
    outdated: bool = False
    licence: Name | None = None
    source_url: Url | None = None


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
    exam_label: Name | UnsetType | None = UNSET
    organisation: Name | UnsetType | None = UNSET
    post: Name | UnsetType | None = UNSET
    subject_name: Name | UnsetType | None = UNSET
    topic_name: Name | UnsetType | None = UNSET
    voided: bool | UnsetType = UNSET
    outdated: bool | UnsetType = UNSET
    licence: Name | UnsetType | None = UNSET
    source_url: Url | UnsetType | None = UNSET


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
