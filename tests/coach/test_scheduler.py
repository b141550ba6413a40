"""The FSRS wrapper: storage round trip, review rules and exam-day awareness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from concurso_coach.coach.scheduler import (
    CardPhase,
    CardState,
    Grade,
    NaiveDatetimeError,
    bring_forward_for_exam,
    card_from_columns,
    card_to_columns,
    counts_as_review,
    grade_for_attempt,
    new_card,
    rank_for_final_days,
    retrievability_at,
    review_card,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

utc_datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
cards = st.builds(
    CardState,
    due=utc_datetimes,
    phase=st.sampled_from(CardPhase),
    step=st.none() | st.integers(0, 5),
    stability=st.none() | st.floats(0.001, 36500, allow_nan=False),
    difficulty=st.none() | st.floats(1, 10, allow_nan=False),
    last_review=st.none() | utc_datetimes,
)


def reviewed_card(grades: list[Grade], every: timedelta = timedelta(days=3)) -> CardState:
    card = new_card(T0)
    for index, grade in enumerate(grades):
        card, _ = review_card(card, grade, T0 + index * every)
    return card


def mature_card() -> CardState:
    """A review-phase card, last reviewed at T0 + 24 days."""
    return reviewed_card([Grade.GOOD] * 5, every=timedelta(days=6))


@given(cards)
def test_card_round_trips_through_database_columns(card: CardState) -> None:
    assert card_from_columns(card_to_columns(card)) == card


@given(cards)
def test_card_round_trips_through_json(card: CardState) -> None:
    encoded = msgspec.json.encode(card)

    assert msgspec.json.decode(encoded, type=CardState) == card


def test_naive_datetimes_read_back_from_the_database_are_utc() -> None:
    card = mature_card()
    columns = card_to_columns(card)
    columns["due"] = card.due.replace(tzinfo=None)

    assert card_from_columns(columns) == card


def test_review_rejects_a_naive_datetime() -> None:
    with pytest.raises(NaiveDatetimeError):
        review_card(new_card(T0), Grade.GOOD, datetime(2025, 3, 3, 9, 0))


def test_review_accepts_any_zone_and_stores_utc() -> None:
    brasilia = ZoneInfo("America/Sao_Paulo")

    card, record = review_card(new_card(T0), Grade.GOOD, T0.astimezone(brasilia))

    assert card.last_review == T0
    assert card.last_review.tzinfo is UTC
    assert record.reviewed_at == T0


@pytest.mark.parametrize(
    ("correct", "explicit", "expected"),
    [
        (True, None, Grade.GOOD),
        (False, None, Grade.AGAIN),
        (True, Grade.EASY, Grade.EASY),
        (False, Grade.HARD, Grade.HARD),
    ],
)
def test_grade_comes_from_the_attempt_unless_given(
    correct: bool, explicit: Grade | None, expected: Grade
) -> None:
    assert grade_for_attempt(correct, explicit) == expected


def test_good_reviews_grow_the_interval() -> None:
    card = new_card(T0)
    intervals = []
    reviewed_at = T0
    for _ in range(5):
        card, record = review_card(card, Grade.GOOD, reviewed_at)
        intervals.append(record.interval)
        reviewed_at = card.due

    assert intervals == sorted(intervals)
    assert card.phase is CardPhase.REVIEW


def test_again_sends_a_review_card_to_relearning() -> None:
    card, record = review_card(mature_card(), Grade.AGAIN, mature_card().due)

    assert card.phase is CardPhase.RELEARNING
    assert record.interval == timedelta(minutes=10)
    assert 0 < record.retrievability < 1


def test_never_reviewed_card_counts_any_attempt_as_review() -> None:
    assert counts_as_review(new_card(T0 + timedelta(days=9)), T0)


def test_practice_long_before_the_due_date_is_not_a_review() -> None:
    card = mature_card()

    assert not counts_as_review(card, card.due - timedelta(days=2))


def test_attempt_within_the_early_window_or_after_due_is_a_review() -> None:
    card = mature_card()

    assert counts_as_review(card, card.due - timedelta(hours=11))
    assert counts_as_review(card, card.due + timedelta(days=4))
    assert not counts_as_review(card, card.due - timedelta(hours=13))


def test_retrievability_falls_with_time_and_is_zero_for_new_cards() -> None:
    card = mature_card()
    assert card.last_review is not None

    later = [retrievability_at(card, card.last_review + timedelta(days=d)) for d in (0, 10, 60)]

    assert later[0] == 1
    assert later[0] > later[1] > later[2] > 0
    assert retrievability_at(new_card(T0), T0) == 0


def test_retrievability_at_the_due_date_is_about_the_desired_retention() -> None:
    card = mature_card()

    assert retrievability_at(card, card.due) == pytest.approx(0.9, abs=0.01)


def test_card_remembered_on_exam_day_keeps_its_due_date() -> None:
    card = mature_card()
    exam_at = card.due - timedelta(days=1)

    moved = bring_forward_for_exam(card, exam_at, now=card.due - timedelta(days=5))

    assert moved == card


def test_card_fading_before_the_exam_is_brought_forward_to_secure_it() -> None:
    card = mature_card()
    now = card.due - timedelta(days=5)
    exam_at = card.due + timedelta(days=40)
    target = 0.95
    assert retrievability_at(card, exam_at) < target

    moved = bring_forward_for_exam(card, exam_at, now=now, target_retention=target)

    assert now <= moved.due <= card.due
    reviewed, _ = review_card(moved, Grade.GOOD, moved.due)
    assert retrievability_at(reviewed, exam_at) >= target


def test_brought_forward_due_is_the_earliest_day_that_secures_exam_day() -> None:
    card = mature_card()
    assert card.last_review is not None
    now = card.last_review + timedelta(days=1)
    exam_at = card.due + timedelta(days=200)

    moved = bring_forward_for_exam(card, exam_at, now=now)

    on_the_day, _ = review_card(card, Grade.GOOD, moved.due)
    day_before, _ = review_card(card, Grade.GOOD, moved.due - timedelta(days=1))
    assert now < moved.due < card.due
    assert retrievability_at(on_the_day, exam_at) >= 0.85
    assert retrievability_at(day_before, exam_at) < 0.85


def test_unsavable_card_is_brought_to_the_eve_of_the_exam() -> None:
    card = reviewed_card([Grade.AGAIN, Grade.AGAIN], every=timedelta(minutes=1))
    card = msgspec.structs.replace(card, due=T0 + timedelta(days=30))
    now = T0 + timedelta(days=1)
    exam_at = T0 + timedelta(days=20, hours=8)

    moved = bring_forward_for_exam(card, exam_at, now=now, target_retention=0.999)

    assert moved.due == now + timedelta(days=19)
    assert moved.due < exam_at


def test_due_or_new_cards_and_past_exams_are_left_alone() -> None:
    card = mature_card()
    late = card.due + timedelta(days=1)

    assert bring_forward_for_exam(card, late + timedelta(days=90), now=late) == card
    assert bring_forward_for_exam(new_card(T0), T0 + timedelta(days=90), now=T0) == new_card(T0)
    assert bring_forward_for_exam(card, T0, now=T0 + timedelta(days=1)) == card


def test_final_days_rank_by_subject_weight_times_expected_loss() -> None:
    fresh = mature_card()
    stale = reviewed_card([Grade.GOOD, Grade.AGAIN, Grade.GOOD])
    assert stale.last_review is not None
    now = stale.last_review + timedelta(days=1)
    exam_at = now + timedelta(days=30)
    candidates = [
        ("fresh-heavy", fresh, 2.0),
        ("stale-light", stale, 1.0),
        ("new", new_card(T0), 1.0),
    ]

    ranking = rank_for_final_days(candidates, exam_at, now)

    by_id = {entry.card_id: entry for entry in ranking}
    assert by_id["new"].expected_loss == 1
    assert [entry.priority for entry in ranking] == sorted(
        (entry.priority for entry in ranking), reverse=True
    )
    for entry in ranking:
        assert entry.priority == pytest.approx(entry.subject_weight * entry.expected_loss)


def test_heavier_subject_ranks_first_at_equal_retention() -> None:
    card = mature_card()
    exam_at = card.due + timedelta(days=20)

    ranking = rank_for_final_days([(1, card, 1.0), (2, card, 3.0)], exam_at, card.due)

    assert [entry.card_id for entry in ranking] == [2, 1]


def test_ranking_needs_an_exam_in_the_future() -> None:
    with pytest.raises(ValueError, match="after now"):
        rank_for_final_days([], T0, T0)


def test_other_utc_implementations_are_accepted() -> None:
    other_utc = timezone(timedelta(0))

    card, _ = review_card(new_card(T0), Grade.GOOD, T0.astimezone(other_utc))

    assert card.last_review == T0
