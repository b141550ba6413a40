"""The mastery model: direction, bounds, guessing floor and prior."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concurso_coach.coach.mastery import (
    DEFAULT_MASTERY,
    MASTERY_MAX,
    MASTERY_MIN,
    InvalidSelfAssessmentError,
    MasteryState,
    combined_mastery,
    expected_accuracy,
    initial_mastery,
    replay_attempts,
    update_mastery,
)

TRUE_FALSE = 0.5
FIVE_OPTIONS = 0.2

states = st.builds(
    MasteryState,
    mastery=st.floats(MASTERY_MIN, MASTERY_MAX),
    attempts=st.integers(0, 1000),
    evidence=st.floats(0.05, 1000),
)
guess_floors = st.sampled_from([0.0, 0.2, 0.25, 0.5])


@given(states, guess_floors)
def test_right_answer_never_lowers_mastery(state: MasteryState, floor: float) -> None:
    assert update_mastery(state, True, floor).mastery >= state.mastery


@given(states, guess_floors)
def test_wrong_answer_never_raises_mastery(state: MasteryState, floor: float) -> None:
    assert update_mastery(state, False, floor).mastery <= state.mastery


@pytest.mark.parametrize("floor", [TRUE_FALSE, FIVE_OPTIONS])
def test_answers_move_mastery_strictly_away_from_the_bounds(floor: float) -> None:
    state = initial_mastery(3)

    assert update_mastery(state, True, floor).mastery > state.mastery
    assert update_mastery(state, False, floor).mastery < state.mastery


@given(states, guess_floors, st.lists(st.booleans(), max_size=200))
def test_mastery_stays_within_its_bounds(
    state: MasteryState, floor: float, answers: list[bool]
) -> None:
    final = replay_attempts(state, [(correct, floor) for correct in answers])

    assert MASTERY_MIN <= final.mastery <= MASTERY_MAX
    assert final.attempts == state.attempts + len(answers)


@given(st.floats(0.05, 0.95))
def test_right_answer_on_true_false_raises_less_than_on_five_options(m: float) -> None:
    state = MasteryState(mastery=m, evidence=1.0)

    on_true_false = update_mastery(state, True, TRUE_FALSE).mastery - m
    on_five_options = update_mastery(state, True, FIVE_OPTIONS).mastery - m

    assert 0 < on_true_false < on_five_options


def test_steps_shrink_as_evidence_accumulates() -> None:
    fresh = MasteryState(mastery=0.5, evidence=0.5)
    seasoned = MasteryState(mastery=0.5, evidence=20)

    fresh_step = update_mastery(fresh, True, FIVE_OPTIONS).mastery - 0.5
    seasoned_step = update_mastery(seasoned, True, FIVE_OPTIONS).mastery - 0.5

    assert seasoned_step < fresh_step


def test_sustained_accuracy_at_the_guess_floor_means_low_mastery() -> None:
    answers = [(i % 2 == 0, TRUE_FALSE) for i in range(60)]  # 50 % on certo/errado

    final = replay_attempts(initial_mastery(5), answers)

    assert final.mastery < 0.15


def test_sustained_high_accuracy_means_high_mastery() -> None:
    answers = [(i % 10 != 0, FIVE_OPTIONS) for i in range(100)]  # 90 % on A–E

    final = replay_attempts(initial_mastery(1), answers)

    assert final.mastery > 0.8


def test_expected_accuracy_starts_at_the_guess_floor() -> None:
    assert expected_accuracy(0.0, TRUE_FALSE) == 0.5
    assert expected_accuracy(1.0, FIVE_OPTIONS) == 1.0
    assert expected_accuracy(0.5, FIVE_OPTIONS) == pytest.approx(0.6)


def test_self_assessment_sets_a_rising_prior_with_no_attempts() -> None:
    priors = [initial_mastery(level) for level in range(1, 6)]

    masteries = [prior.mastery for prior in priors]
    assert masteries == sorted(masteries)
    assert len(set(masteries)) == 5
    assert all(prior.attempts == 0 for prior in priors)


def test_missing_self_assessment_uses_the_default_prior() -> None:
    assert initial_mastery(None).mastery == DEFAULT_MASTERY


@pytest.mark.parametrize("level", [0, 6, -1])
def test_self_assessment_outside_one_to_five_is_rejected(level: int) -> None:
    with pytest.raises(InvalidSelfAssessmentError):
        initial_mastery(level)


def test_real_attempts_outweigh_the_self_assessment() -> None:
    answers = [(i % 2 == 0, FIVE_OPTIONS) for i in range(30)]

    from_confident = replay_attempts(initial_mastery(5), answers)
    from_humble = replay_attempts(initial_mastery(1), answers)

    prior_gap = initial_mastery(5).mastery - initial_mastery(1).mastery
    assert abs(from_confident.mastery - from_humble.mastery) < prior_gap / 5


def test_combined_mastery_weights_topics_by_their_share() -> None:
    parts = [(MasteryState(mastery=0.2), 3.0), (MasteryState(mastery=0.8), 1.0)]

    assert combined_mastery(parts) == pytest.approx(0.35)
    assert combined_mastery([]) == DEFAULT_MASTERY
