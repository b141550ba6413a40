"""Board scoring rules: one item, and a whole mock exam with its minimums.

Two rules cover the boards we coach for:

``true_false_penalised`` (Cebraspe)
    Each item is judged *certo* (``C``) or *errado* (``E``). A right answer
    earns +1, a wrong one −1 (one wrong cancels one right) and a blank 0.
``multiple_choice`` (FGV, FCC, Vunesp and most others)
    Options A–E or A–D. A right answer earns +1; wrong and blank earn 0.

Voided items (*anuladas*) are awarded to every candidate, blank answers
included: that is what the editais of Cebraspe, FGV and FCC say, so a voided
item counts as right for everyone (and is also reported as voided).

Scores of a subject, with ``w`` its weight:

- gross = rights × w
- net = (rights − wrongs) × w under ``true_false_penalised``, rights × w
  under ``multiple_choice``

A block's score is the sum of its subjects' nets and the total is the sum of
the blocks. A minimum (subject, block or total) is met when the net score is
greater than or equal to it; the exam is passed when every minimum is met.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

import msgspec


class ScoringRule(enum.StrEnum):
    """How a board turns answers into points."""

    TRUE_FALSE_PENALISED = "true_false_penalised"
    MULTIPLE_CHOICE = "multiple_choice"


class ItemKind(enum.StrEnum):
    """The answer format of an item, which fixes its valid answers."""

    TRUE_FALSE = "true_false"
    CHOICE_A_TO_D = "choice_a_to_d"
    CHOICE_A_TO_E = "choice_a_to_e"

    @property
    def options(self) -> tuple[str, ...]:
        """The answers a candidate may mark, upper case."""
        return _OPTIONS[self]

    @property
    def guess_floor(self) -> float:
        """Chance of a right answer by a blind guess: 1 / number of options."""
        return 1 / len(self.options)


_OPTIONS: dict[ItemKind, tuple[str, ...]] = {
    ItemKind.TRUE_FALSE: ("C", "E"),
    ItemKind.CHOICE_A_TO_D: ("A", "B", "C", "D"),
    ItemKind.CHOICE_A_TO_E: ("A", "B", "C", "D", "E"),
}


class ItemResult(enum.StrEnum):
    RIGHT = "right"
    WRONG = "wrong"
    BLANK = "blank"


class InvalidAnswerError(ValueError):
    """An answer or key that the item's kind does not allow."""


class InvalidAnswerSheetError(ValueError):
    """Answers that do not match the mock exam's structure."""


class ItemOutcome(msgspec.Struct, frozen=True):
    """How one item was scored; ``voided`` items are always ``RIGHT``."""

    result: ItemResult
    points: int
    voided: bool = False


class Answer(msgspec.Struct, frozen=True):
    """One item of an answer sheet.

    ``given`` is ``None`` for a blank; ``key`` is ``None`` for a voided item.
    """

    given: str | None
    key: str | None


class SubjectSpec(msgspec.Struct, frozen=True):
    name: str
    weight: float
    question_count: int
    minimum_score: float | None = None


class BlockSpec(msgspec.Struct, frozen=True):
    name: str
    subjects: tuple[SubjectSpec, ...]
    minimum_score: float | None = None


class MockExamStructure(msgspec.Struct, frozen=True):
    """The shape of an exam: its rule, item kind, blocks and minimums."""

    rule: ScoringRule
    item_kind: ItemKind
    blocks: tuple[BlockSpec, ...]
    minimum_total: float | None = None

    @property
    def subjects(self) -> tuple[SubjectSpec, ...]:
        return tuple(subject for block in self.blocks for subject in block.subjects)


class SubjectResult(msgspec.Struct, frozen=True):
    """Counts and scores of one subject; ``right`` includes ``voided``."""

    name: str
    right: int
    wrong: int
    blank: int
    voided: int
    gross: float
    net: float
    minimum_score: float | None
    minimum_met: bool


class BlockResult(msgspec.Struct, frozen=True):
    name: str
    net: float
    minimum_score: float | None
    minimum_met: bool
    subjects: tuple[SubjectResult, ...]


class MockExamResult(msgspec.Struct, frozen=True):
    """The scored mock exam; ``failed_minimums`` names each minimum missed."""

    blocks: tuple[BlockResult, ...]
    total_gross: float
    total_net: float
    minimum_total: float | None
    passed: bool
    failed_minimums: tuple[str, ...]


def score_answer(
    rule: ScoringRule, kind: ItemKind, given: str | None, key: str | None
) -> ItemOutcome:
    """Score one answer; ``given=None`` is a blank, ``key=None`` a voided item.

    Answers are case-insensitive and must be one of ``kind.options``.
    """
    if key is None:
        return ItemOutcome(ItemResult.RIGHT, points=1, voided=True)

    key = _normalise(kind, key)
    if given is None:
        return ItemOutcome(ItemResult.BLANK, points=0)

    if _normalise(kind, given) == key:
        return ItemOutcome(ItemResult.RIGHT, points=1)

    penalty = -1 if rule is ScoringRule.TRUE_FALSE_PENALISED else 0
    return ItemOutcome(ItemResult.WRONG, points=penalty)


def score_mock_exam(
    structure: MockExamStructure, answers: Mapping[str, Sequence[Answer]]
) -> MockExamResult:
    """Score a whole answer sheet, given per subject name in item order.

    Every subject of the structure needs exactly ``question_count`` answers.
    """
    _check_answer_sheet(structure, answers)

    blocks = tuple(_score_block(structure, block, answers) for block in structure.blocks)
    total_gross = sum(s.gross for b in blocks for s in b.subjects)
    total_net = sum(b.net for b in blocks)

    failed = [f"subject:{s.name}" for b in blocks for s in b.subjects if not s.minimum_met]
    failed += [f"block:{b.name}" for b in blocks if not b.minimum_met]
    if not _meets(total_net, structure.minimum_total):
        failed.append("total")

    return MockExamResult(
        blocks=blocks,
        total_gross=total_gross,
        total_net=total_net,
        minimum_total=structure.minimum_total,
        passed=not failed,
        failed_minimums=tuple(failed),
    )


def _score_block(
    structure: MockExamStructure,
    block: BlockSpec,
    answers: Mapping[str, Sequence[Answer]],
) -> BlockResult:
    subjects = tuple(
        _score_subject(structure, subject, answers[subject.name]) for subject in block.subjects
    )
    net = sum(subject.net for subject in subjects)
    return BlockResult(
        name=block.name,
        net=net,
        minimum_score=block.minimum_score,
        minimum_met=_meets(net, block.minimum_score),
        subjects=subjects,
    )


def _score_subject(
    structure: MockExamStructure, subject: SubjectSpec, answers: Sequence[Answer]
) -> SubjectResult:
    outcomes = [
        score_answer(structure.rule, structure.item_kind, answer.given, answer.key)
        for answer in answers
    ]
    right = sum(o.result is ItemResult.RIGHT for o in outcomes)
    wrong = sum(o.result is ItemResult.WRONG for o in outcomes)

    # Points already carry the rule: −1 per wrong only when penalised.
    net = sum(o.points for o in outcomes) * subject.weight
    return SubjectResult(
        name=subject.name,
        right=right,
        wrong=wrong,
        blank=sum(o.result is ItemResult.BLANK for o in outcomes),
        voided=sum(o.voided for o in outcomes),
        gross=right * subject.weight,
        net=net,
        minimum_score=subject.minimum_score,
        minimum_met=_meets(net, subject.minimum_score),
    )


def _check_answer_sheet(
    structure: MockExamStructure, answers: Mapping[str, Sequence[Answer]]
) -> None:
    names = [subject.name for subject in structure.subjects]
    if len(set(names)) != len(names):
        raise InvalidAnswerSheetError("subject names must be unique in an exam")

    unknown = set(answers) - set(names)
    if unknown:
        raise InvalidAnswerSheetError(f"answers for unknown subjects: {sorted(unknown)}")

    for subject in structure.subjects:
        given = len(answers.get(subject.name, ()))
        if given != subject.question_count:
            raise InvalidAnswerSheetError(
                f"{subject.name}: expected {subject.question_count} answers, got {given}"
            )


def _normalise(kind: ItemKind, answer: str) -> str:
    normalised = answer.strip().upper()
    if normalised not in kind.options:
        raise InvalidAnswerError(f"{answer!r} is not a valid {kind.value} answer")
    return normalised


def _meets(score: float, minimum: float | None) -> bool:
    return minimum is None or score >= minimum
