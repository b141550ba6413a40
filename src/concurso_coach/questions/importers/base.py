"""The shape every parser produces, and the checks every item must pass."""

from __future__ import annotations

import enum
import re
import string

import msgspec

TRUE_FALSE_ANSWERS = ("C", "E")  # certo / errado, as Cebraspe marks them
CHOICE_COUNTS = (4, 5)  # A–D (OAB) or A–E (most boards, ENEM)

# The same rule as platform.types.is_clean_text, as one regex: imports check
# millions of characters and a per-character loop was their slowest step.
_DIRTY = re.compile("[\x00\ud800-\udfff]")

MAX_STATEMENT_CHARS = 100_000
MAX_OPTION_CHARS = 20_000
MAX_LABEL_CHARS = 300


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


def check_question(question: ParsedQuestion) -> str | None:
    """Why ``question`` cannot be stored, or ``None`` when it can."""
    if not question.statement.strip():
        return "statement is empty"
    if len(question.statement) > MAX_STATEMENT_CHARS:
        return f"statement is longer than {MAX_STATEMENT_CHARS} characters"

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
    texts += [label for label in labels if label is not None]
    if any(_DIRTY.search(text) for text in texts):
        return "text contains a NUL byte or an unpaired surrogate"
    if any(len(label) > MAX_LABEL_CHARS for label in labels if label is not None):
        return f"a label (board, exam, subject...) is longer than {MAX_LABEL_CHARS} characters"
    if not question.source.strip() or not question.external_id.strip():
        return "source and external_id are required"

    if question.year is not None and not 1900 <= question.year <= 2100:
        return f"year {question.year} is out of range"

    if question.kind is QuestionKind.TRUE_FALSE:
        return _check_true_false(question)
    return _check_choice(question)


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
    if any(len(option.text) > MAX_OPTION_CHARS for option in question.options):
        return f"an option is longer than {MAX_OPTION_CHARS} characters"
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
