"""The shape every parser produces, and the checks every item must pass."""

from __future__ import annotations

import enum
import re
import string

import msgspec

from concurso_coach.platform.types import CLEAN_TEXT_PATTERN
from concurso_coach.questions.fields import (
    ExternalId,
    Label,
    OptionText,
    SourceName,
    SourceUrl,
    Statement,
    Year,
)

TRUE_FALSE_ANSWERS = ("C", "E")  # certo / errado, as Cebraspe marks them
CHOICE_COUNTS = (4, 5)  # A–D (OAB) or A–E (most boards, ENEM)

# platform.types' clean-text rule, compiled once: imports check millions of
# characters and a per-character loop was their slowest step.
_CLEAN = re.compile(CLEAN_TEXT_PATTERN)
DIRTY_TEXT = "text contains a NUL byte or an unpaired surrogate"


class ImportFormat(enum.StrEnum):
    NATIVE = "native"
    OAB = "oab"
    ENEM = "enem"


class QuestionKind(enum.StrEnum):
    TRUE_FALSE = "true_false"
    MULTIPLE_CHOICE = "multiple_choice"


class Option(msgspec.Struct, frozen=True):
    letter: str
    text: str


class ParsedQuestion(msgspec.Struct, frozen=True, kw_only=True):
    """One question as read from a file, before it meets the database.

    ``source`` and ``external_id`` form its natural key: importing the same
    item twice finds the key taken and adds nothing.
    """

    source: str
    external_id: str
    kind: QuestionKind
    statement: str
    options: tuple[Option, ...] = ()
    answer_key: str | None = None
    voided: bool = False
    outdated: bool = False
    board: str | None = None
    year: int | None = None
    exam_label: str | None = None
    organisation: str | None = None
    post: str | None = None
    subject: str | None = None
    topic: str | None = None
    licence: str | None = None
    source_url: str | None = None

    @property
    def natural_key(self) -> str:
        return f"{self.source}:{self.external_id}"


class ItemProblem(msgspec.Struct, frozen=True):
    """An item that was skipped: where it is in the file (``line 3``, ``item 17``) and why."""

    location: str
    reason: str


class _Fields(msgspec.Struct):
    """The API's rules (`questions.fields`) for every stored text and number.

    Fields are named as in the native format, the one editors write by hand.
    """

    source: SourceName
    external_id: ExternalId
    statement: Statement
    options: list[OptionText]
    board: Label | None
    year: Year | None
    exam: Label | None
    organisation: Label | None
    post: Label | None
    subject: Label | None
    topic: Label | None
    licence: Label | None
    source_url: SourceUrl | None


def check_question(question: ParsedQuestion) -> str | None:
    """Why ``question`` cannot be stored, or ``None`` when it can."""
    reason = _field_problem(question)
    if reason is not None:
        return reason
    # The API's URL rule refuses a NUL byte but lets a lone surrogate through.
    if question.source_url is not None and _CLEAN.match(question.source_url) is None:
        return DIRTY_TEXT
    if not question.statement.strip():
        return "statement is empty"
    if not question.source.strip() or not question.external_id.strip():
        return "source and external_id are required"

    if question.kind is QuestionKind.TRUE_FALSE:
        return _check_true_false(question)
    return _check_choice(question)


def _texts(question: ParsedQuestion) -> list[str]:
    texts = [question.statement, question.source, question.external_id]
    texts += [option.text for option in question.options]
    labels = (
        question.board,
        question.exam_label,
        question.organisation,
        question.post,
        question.subject,
        question.topic,
        question.licence,
        question.source_url,
    )
    return texts + [label for label in labels if label is not None]


def _field_problem(question: ParsedQuestion) -> str | None:
    fields = {
        "source": question.source,
        "external_id": question.external_id,
        "statement": question.statement,
        "options": [option.text for option in question.options],
        "board": question.board,
        "year": question.year,
        "exam": question.exam_label,
        "organisation": question.organisation,
        "post": question.post,
        "subject": question.subject,
        "topic": question.topic,
        "licence": question.licence,
        "source_url": question.source_url,
    }
    try:
        msgspec.convert(fields, _Fields)
    except msgspec.ValidationError as exc:
        # Said in words rather than as the clean-text regex.
        if any(_CLEAN.match(text) is None for text in _texts(question)):
            return DIRTY_TEXT
        # "Expected `str` of length <= 300 - at `$.board`" → "board: Expected ..."
        detail, _, where = str(exc).rpartition(" - at `$.")
        return f"{where.rstrip('`')}: {detail}" if detail else str(exc)
    return None


def _check_true_false(question: ParsedQuestion) -> str | None:
    if question.options:
        return "a true_false item has no options (answers are C or E)"
    return _check_key(question, TRUE_FALSE_ANSWERS)


def _check_choice(question: ParsedQuestion) -> str | None:
    count = len(question.options)
    if count not in CHOICE_COUNTS:
        return f"a multiple_choice item needs 4 or 5 options, got {count}"

    letters = tuple(option.letter for option in question.options)
    expected = tuple(string.ascii_uppercase[:count])
    if letters != expected:
        return f"options must be lettered {', '.join(expected)} in order"
    if any(not option.text.strip() for option in question.options):
        return "an option has no text"
    return _check_key(question, letters)


def _check_key(question: ParsedQuestion, allowed: tuple[str, ...]) -> str | None:
    if question.answer_key is None:
        return None if question.voided else "answer key is missing (and the item is not voided)"
    if question.answer_key not in allowed:
        return f"answer key {question.answer_key!r} is not one of {', '.join(allowed)}"
    return None


def validated(question: ParsedQuestion, location: str) -> ParsedQuestion | ItemProblem:
    reason = check_question(question)
    return question if reason is None else ItemProblem(location, reason)
