"""Board scoring rules, checked against hand-computed answer sheets."""

from __future__ import annotations

import msgspec
import pytest

from concurso_coach.practice.scoring import (
    Answer,
    BlockSpec,
    InvalidAnswerError,
    InvalidAnswerSheetError,
    ItemKind,
    ItemOutcome,
    ItemResult,
    MockExamStructure,
    ScoringRule,
    SubjectSpec,
    score_answer,
    score_mock_exam,
)

CEBRASPE = ScoringRule.TRUE_FALSE_PENALISED
CHOICE = ScoringRule.MULTIPLE_CHOICE


def sheet(givens: str, keys: str) -> list[Answer]:
    """One answer per character: ``-`` is a blank given, ``*`` a voided key."""
    return [
        Answer(given=None if g == "-" else g, key=None if k == "*" else k)
        for g, k in zip(givens, keys, strict=True)
    ]


@pytest.mark.parametrize(
    ("rule", "kind", "given", "key", "expected"),
    [
        (CEBRASPE, ItemKind.TRUE_FALSE, "C", "C", ItemOutcome(ItemResult.RIGHT, 1)),
        (CEBRASPE, ItemKind.TRUE_FALSE, "C", "E", ItemOutcome(ItemResult.WRONG, -1)),
        (CEBRASPE, ItemKind.TRUE_FALSE, None, "E", ItemOutcome(ItemResult.BLANK, 0)),
        (CHOICE, ItemKind.CHOICE_A_TO_E, "b", "B", ItemOutcome(ItemResult.RIGHT, 1)),
        (CHOICE, ItemKind.CHOICE_A_TO_E, "A", "E", ItemOutcome(ItemResult.WRONG, 0)),
        (CHOICE, ItemKind.CHOICE_A_TO_D, None, "D", ItemOutcome(ItemResult.BLANK, 0)),
    ],
)
def test_score_answer_follows_the_board_rule(
    rule: ScoringRule,
    kind: ItemKind,
    given: str | None,
    key: str,
    expected: ItemOutcome,
) -> None:
    assert score_answer(rule, kind, given, key) == expected


@pytest.mark.parametrize("given", ["C", "E", None])
def test_voided_item_is_awarded_to_everyone_even_blanks(given: str | None) -> None:
    outcome = score_answer(CEBRASPE, ItemKind.TRUE_FALSE, given, None)

    assert outcome == ItemOutcome(ItemResult.RIGHT, 1, voided=True)


@pytest.mark.parametrize(
    ("kind", "given"),
    [(ItemKind.TRUE_FALSE, "A"), (ItemKind.CHOICE_A_TO_D, "E"), (ItemKind.CHOICE_A_TO_E, "")],
)
def test_answer_outside_the_item_options_is_rejected(kind: ItemKind, given: str) -> None:
    with pytest.raises(InvalidAnswerError):
        score_answer(CHOICE, kind, given, kind.options[0])


def test_guess_floor_is_one_over_the_option_count() -> None:
    assert ItemKind.TRUE_FALSE.guess_floor == 0.5
    assert ItemKind.CHOICE_A_TO_D.guess_floor == 0.25
    assert ItemKind.CHOICE_A_TO_E.guess_floor == 0.2


CEBRASPE_EXAM = MockExamStructure(
    rule=CEBRASPE,
    item_kind=ItemKind.TRUE_FALSE,
    blocks=(
        BlockSpec(
            name="Básicos",
            minimum_score=3,
            subjects=(
                SubjectSpec("Português", weight=1, question_count=6),
                SubjectSpec("Ética", weight=2, question_count=4, minimum_score=1),
            ),
        ),
        BlockSpec(
            name="Específicos",
            minimum_score=4,
            subjects=(SubjectSpec("Legislação", weight=1.5, question_count=6),),
        ),
    ),
    minimum_total=5,
)


def test_cebraspe_exam_scores_weights_blanks_and_voided_items_by_hand() -> None:
    answers = {
        # 3 right, 1 wrong, 2 blank → gross 3, net 2
        "Português": sheet("CE-C-E", "CEECEC"),
        # 2 right (one voided, given blank), 1 wrong, 1 blank → gross 4, net 2
        "Ética": sheet("C-E-", "CEC*"),
        # 5 right, 1 wrong → gross 7.5, net 6
        "Legislação": sheet("CCEECE", "CCEECC"),
    }

    result = score_mock_exam(CEBRASPE_EXAM, answers)

    basicos, especificos = result.blocks
    portugues, etica = basicos.subjects
    assert (portugues.right, portugues.wrong, portugues.blank) == (3, 1, 2)
    assert (portugues.gross, portugues.net) == (3, 2)
    assert (etica.right, etica.wrong, etica.blank, etica.voided) == (2, 1, 1, 1)
    assert (etica.gross, etica.net) == (4, 2)
    assert basicos.net == 4
    assert especificos.net == 6
    assert especificos.subjects[0].gross == 7.5
    assert (result.total_gross, result.total_net) == (14.5, 10)
    assert result.passed


def test_cebraspe_wrongs_can_make_a_net_score_negative() -> None:
    answers = {
        "Português": sheet("EEEEEE", "CCCCCC"),
        "Ética": sheet("CCCC", "CCCC"),
        "Legislação": sheet("CCCCCC", "CCCCCC"),
    }

    result = score_mock_exam(CEBRASPE_EXAM, answers)

    assert result.blocks[0].subjects[0].net == -6
    assert result.blocks[0].net == 2  # −6 + 4 × 2


def test_failing_a_block_minimum_fails_the_exam_despite_a_high_total() -> None:
    answers = {
        "Português": sheet("EEEEEE", "CCCCCC"),  # net −6
        "Ética": sheet("CCCC", "CCCC"),  # net 8
        "Legislação": sheet("CCCCCC", "CCCCCC"),  # net 9
    }

    result = score_mock_exam(CEBRASPE_EXAM, answers)

    assert result.total_net == 11  # well above the total minimum of 5
    assert result.blocks[0].net == 2  # below the block minimum of 3
    assert not result.passed
    assert result.failed_minimums == ("block:Básicos",)


def test_failing_a_subject_minimum_fails_the_exam() -> None:
    answers = {
        "Português": sheet("CCCCCC", "CCCCCC"),  # net 6
        "Ética": sheet("CE--", "CCCC"),  # net (1 − 1) × 2 = 0 < 1
        "Legislação": sheet("CCCCCC", "CCCCCC"),
    }

    result = score_mock_exam(CEBRASPE_EXAM, answers)

    assert result.failed_minimums == ("subject:Ética",)
    assert not result.passed


def test_total_minimum_is_checked_after_block_minimums() -> None:
    answers = {
        "Português": sheet("CCC---", "CCCCCC"),  # net 3
        "Ética": sheet("C---", "CCCC"),  # net 2
        "Legislação": sheet("CCC---", "CCCCCC"),  # net 4.5
    }
    structure = msgspec.structs.replace(CEBRASPE_EXAM, minimum_total=10)

    result = score_mock_exam(structure, answers)

    assert result.total_net == 9.5
    assert result.failed_minimums == ("total",)


FGV_EXAM = MockExamStructure(
    rule=CHOICE,
    item_kind=ItemKind.CHOICE_A_TO_E,
    blocks=(
        BlockSpec(
            name="Gerais",
            subjects=(
                SubjectSpec("Português", weight=1, question_count=5),
                SubjectSpec("Raciocínio Lógico", weight=1, question_count=3),
            ),
        ),
        BlockSpec(
            name="Específicos",
            minimum_score=6,
            subjects=(SubjectSpec("Direito Administrativo", weight=2, question_count=5),),
        ),
    ),
)


def test_multiple_choice_exam_does_not_penalise_wrongs_by_hand() -> None:
    answers = {
        # 3 right, 1 wrong, 1 blank → net 3
        "Português": sheet("ABCD-", "ABCEE"),
        # 1 right (voided), 2 wrong → net 1
        "Raciocínio Lógico": sheet("ABC", "*CA"),
        # 3 right, 2 wrong, weight 2 → net 6, just meets the minimum of 6
        "Direito Administrativo": sheet("ABCDE", "ABCAA"),
    }

    result = score_mock_exam(FGV_EXAM, answers)

    gerais, especificos = result.blocks
    assert [s.net for s in gerais.subjects] == [3, 1]
    assert gerais.subjects[1].voided == 1
    assert especificos.net == 6
    assert (result.total_gross, result.total_net) == (10, 10)
    assert result.passed


def test_answer_sheet_with_the_wrong_item_count_is_rejected() -> None:
    answers = {
        "Português": sheet("AAAA", "AAAA"),
        "Raciocínio Lógico": sheet("AAA", "AAA"),
        "Direito Administrativo": sheet("AAAAA", "AAAAA"),
    }

    with pytest.raises(InvalidAnswerSheetError, match="Português"):
        score_mock_exam(FGV_EXAM, answers)


def test_answer_sheet_for_an_unknown_subject_is_rejected() -> None:
    answers = {"Física": sheet("A", "A")}

    with pytest.raises(InvalidAnswerSheetError, match="Física"):
        score_mock_exam(FGV_EXAM, answers)
