"""Replaying 12,580 real reviews through our scheduler matches ``fsrs`` itself.

The oracle is ``fsrs.Scheduler`` driven directly with the same parameters.
Between reviews our card goes through its database columns and back, as it
would in production, so the storage round trip is checked on real data too.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import fsrs
import pytest

from concurso_coach.coach.scheduler import (
    DEFAULT_CONFIG,
    CardPhase,
    CardState,
    Grade,
    card_from_columns,
    card_to_columns,
    new_card,
    review_card,
)
from tests.support import require_shared_data

REVIEW_LOG = Path("reviews") / "fsrs-review-log.csv"
EXPECTED_REVIEWS = 12_580

pytestmark = pytest.mark.data


@dataclass(frozen=True)
class LoggedReview:
    rating: int
    reviewed_at: datetime


def load_review_log() -> dict[str, list[LoggedReview]]:
    path = require_shared_data(str(REVIEW_LOG))

    by_card: dict[str, list[LoggedReview]] = defaultdict(list)
    with path.open(newline="") as source:
        for row in csv.DictReader(source):
            review = LoggedReview(
                rating=int(row["review_rating"]),
                reviewed_at=datetime.fromisoformat(row["review_time"]),
            )
            by_card[row["card_id"]].append(review)

    for reviews in by_card.values():
        reviews.sort(key=lambda review: review.reviewed_at)
    return by_card


@pytest.fixture(scope="module")
def review_log() -> dict[str, list[LoggedReview]]:
    return load_review_log()


def oracle_scheduler() -> fsrs.Scheduler:
    return fsrs.Scheduler(
        parameters=DEFAULT_CONFIG.parameters,
        desired_retention=DEFAULT_CONFIG.desired_retention,
        learning_steps=DEFAULT_CONFIG.learning_steps,
        relearning_steps=DEFAULT_CONFIG.relearning_steps,
        maximum_interval=DEFAULT_CONFIG.maximum_interval_days,
        enable_fuzzing=False,
    )


def as_card_state(card: fsrs.Card) -> CardState:
    return CardState(
        due=card.due,
        phase=CardPhase(card.state.value),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        last_review=card.last_review,
    )


def test_review_log_is_complete(review_log: dict[str, list[LoggedReview]]) -> None:
    assert sum(len(reviews) for reviews in review_log.values()) == EXPECTED_REVIEWS


def test_replay_matches_fsrs_at_every_review_of_every_card(
    review_log: dict[str, list[LoggedReview]],
) -> None:
    oracle = oracle_scheduler()
    mismatches: list[str] = []

    for card_id, reviews in review_log.items():
        ours = new_card(reviews[0].reviewed_at)
        theirs = fsrs.Card(card_id=int(card_id), due=reviews[0].reviewed_at)

        for index, review in enumerate(reviews):
            stored = card_from_columns(card_to_columns(ours))
            ours, _ = review_card(stored, Grade(review.rating), review.reviewed_at)
            theirs, _ = oracle.review_card(theirs, fsrs.Rating(review.rating), review.reviewed_at)
            if ours.due != theirs.due:
                mismatches.append(f"{card_id} review {index}: {ours.due} != {theirs.due}")

        if ours != as_card_state(theirs):
            mismatches.append(f"{card_id} final state: {ours} != {theirs}")

    assert mismatches == []
