"""Spaced reviews: our card state around the FSRS scheduler, aware of exam day.

The ``fsrs`` package does the memory maths; this module owns the types we
store and the rules around them:

- ``CardState`` holds what FSRS needs (phase, step, stability, difficulty,
  due, last review) and round-trips through ``card_to_columns`` /
  ``card_from_columns`` without loss, so a database row can carry it.
- Fuzzing is off: FSRS would add a random day or two to long intervals, and
  we want the same answers to give the same schedule (and a replayable log).
- Every datetime is tz-aware UTC; naive ones are rejected, other zones are
  converted.

Practice outside the schedule does not distort it: an attempt counts as a
review only when the card was never reviewed or is due, allowing an early
window (12 hours by default) so a card due tonight may be reviewed in the
morning. Earlier attempts still feed the mastery estimate, but they leave
the card's FSRS state alone — otherwise free practice would look like a
string of very early reviews and inflate stability.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Generic, TypedDict, TypeVar

import fsrs
import msgspec

CardKey = TypeVar("CardKey")

DEFAULT_EARLY_WINDOW = timedelta(hours=12)
DEFAULT_EXAM_RETENTION = 0.85


class CardPhase(enum.IntEnum):
    """FSRS learning phase; the values are those of ``fsrs.State``."""

    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


class Grade(enum.IntEnum):
    """How well an item was recalled; the values are those of ``fsrs.Rating``."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class SchedulerConfig(msgspec.Struct, frozen=True):
    """FSRS settings; the defaults are the package's own."""

    parameters: tuple[float, ...] = tuple(fsrs.scheduler.DEFAULT_PARAMETERS)
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval_days: int = 36500


DEFAULT_CONFIG = SchedulerConfig()


class CardState(msgspec.Struct, frozen=True):
    """A card's FSRS state. A new card is ``LEARNING`` at step 0, never reviewed."""

    due: datetime
    phase: CardPhase = CardPhase.LEARNING
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None


class CardColumns(TypedDict):
    """``CardState`` as database columns (``phase`` as its int value)."""

    phase: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None


class ReviewRecord(msgspec.Struct, frozen=True):
    """One review, as the review log stores it.

    ``retrievability`` is the predicted recall just before the review and
    ``interval`` the time until the next due date.
    """

    grade: Grade
    reviewed_at: datetime
    retrievability: float
    interval: timedelta
    duration_ms: int | None = None


class RankedCard(msgspec.Struct, Generic[CardKey], frozen=True):
    """A card's claim on the final days: ``priority = weight × expected loss``."""

    card_id: CardKey
    subject_weight: float
    retrievability_at_exam: float
    expected_loss: float
    priority: float


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone where UTC is required."""


def new_card(created_at: datetime) -> CardState:
    """A card never reviewed, due at once."""
    return CardState(due=as_utc(created_at))


def card_to_columns(card: CardState) -> CardColumns:
    return CardColumns(
        phase=int(card.phase),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def card_from_columns(columns: CardColumns) -> CardState:
    """Rebuild a card; naive datetimes are read as UTC (SQLite drops the zone)."""
    last_review = columns["last_review"]
    return CardState(
        phase=CardPhase(columns["phase"]),
        step=columns["step"],
        stability=columns["stability"],
        difficulty=columns["difficulty"],
        due=_stored_utc(columns["due"]),
        last_review=None if last_review is None else _stored_utc(last_review),
    )


def grade_for_attempt(correct: bool, explicit: Grade | None = None) -> Grade:
    """The candidate's own grade when given, else right → GOOD, wrong → AGAIN."""
    if explicit is not None:
        return explicit
    return Grade.GOOD if correct else Grade.AGAIN


def counts_as_review(
    card: CardState,
    attempted_at: datetime,
    early_window: timedelta = DEFAULT_EARLY_WINDOW,
) -> bool:
    """Whether an attempt should update the card's schedule (module docstring)."""
    if card.last_review is None:
        return True
    return as_utc(attempted_at) >= card.due - early_window


def review_card(
    card: CardState,
    grade: Grade,
    reviewed_at: datetime,
    config: SchedulerConfig = DEFAULT_CONFIG,
    duration_ms: int | None = None,
) -> tuple[CardState, ReviewRecord]:
    """Apply one review; returns the new state and the log record."""
    reviewed_at = as_utc(reviewed_at)
    scheduler = _fsrs_scheduler(config)
    before = _to_fsrs(card)

    after, _ = scheduler.review_card(before, fsrs.Rating(int(grade)), reviewed_at)

    record = ReviewRecord(
        grade=grade,
        reviewed_at=reviewed_at,
        retrievability=float(scheduler.get_card_retrievability(before, reviewed_at)),
        interval=after.due - reviewed_at,
        duration_ms=duration_ms,
    )
    return _from_fsrs(after), record


def retrievability_at(
    card: CardState, when: datetime, config: SchedulerConfig = DEFAULT_CONFIG
) -> float:
    """Predicted chance of recall at ``when``; 0 for a card never reviewed.

    Like FSRS, elapsed time counts in whole days.
    """
    scheduler = _fsrs_scheduler(config)
    return float(scheduler.get_card_retrievability(_to_fsrs(card), as_utc(when)))


def bring_forward_for_exam(
    card: CardState,
    exam_at: datetime,
    *,
    now: datetime,
    target_retention: float = DEFAULT_EXAM_RETENTION,
    config: SchedulerConfig = DEFAULT_CONFIG,
) -> CardState:
    """Move the due date so the card is still remembered on exam day.

    A card is left alone when it was never reviewed, when it is already due,
    when the exam is past, or when its predicted retention at ``exam_at`` is
    at least ``target_retention``.

    Otherwise the new due date is the *earliest* whole day from ``now`` at
    which a GOOD review would keep retention on exam day at or above the
    target: the one review that carries the card to the exam, placed as early
    as that still works so the last days before the exam stay free and the
    review still gains from spacing. When no day works (a very unstable card)
    it is the last whole day before the exam. The due date never moves later,
    never past the exam and never before ``now``. Call it again after each
    review: the new state may need another pass.

    The search is a bisection, which assumes that reviewing later never
    lowers exam-day retention; whatever it returns has been checked to work.
    """
    now, exam_at = as_utc(now), as_utc(exam_at)
    if card.last_review is None or card.due <= now or exam_at <= now:
        return card
    if retrievability_at(card, exam_at, config) >= target_retention:
        return card

    last_day = (exam_at - now - timedelta(microseconds=1)).days

    def works(day: int) -> bool:
        review_at = now + timedelta(days=day)
        reviewed, _ = review_card(card, Grade.GOOD, review_at, config)
        return retrievability_at(reviewed, exam_at, config) >= target_retention

    low, high = 0, last_day
    if works(low):
        high = low
    elif works(high):
        # Invariant: ``high`` works and ``low`` does not.
        while high - low > 1:
            middle = (low + high) // 2
            if works(middle):
                high = middle
            else:
                low = middle

    return msgspec.structs.replace(card, due=min(card.due, now + timedelta(days=high)))


def rank_for_final_days(
    cards: Iterable[tuple[CardKey, CardState, float]],
    exam_at: datetime,
    now: datetime,
    config: SchedulerConfig = DEFAULT_CONFIG,
) -> list[RankedCard[CardKey]]:
    """Order ``(card_id, state, subject_weight)`` by what a review saves on exam day.

    Expected loss is ``1 − retrievability at exam_at`` if the card is not
    reviewed again; priority is subject weight × expected loss, highest
    first. Ties keep the input order. Raises when the exam is not after
    ``now``, since nothing is left to rank for.
    """
    exam_at, now = as_utc(exam_at), as_utc(now)
    if exam_at <= now:
        raise ValueError("the exam must be after now to rank cards for it")

    ranked: list[RankedCard[CardKey]] = []
    for card_id, card, weight in cards:
        retention = retrievability_at(card, exam_at, config)
        ranked.append(
            RankedCard(
                card_id=card_id,
                subject_weight=weight,
                retrievability_at_exam=retention,
                expected_loss=1 - retention,
                priority=weight * (1 - retention),
            )
        )

    ranked.sort(key=lambda entry: entry.priority, reverse=True)
    return ranked


def as_utc(moment: datetime) -> datetime:
    """The same instant in ``datetime.UTC``; naive datetimes are rejected."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"datetime must be tz-aware: {moment.isoformat()}")
    return moment.astimezone(UTC)


def _stored_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@functools.lru_cache(maxsize=16)
def _fsrs_scheduler(config: SchedulerConfig) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        parameters=config.parameters,
        desired_retention=config.desired_retention,
        learning_steps=config.learning_steps,
        relearning_steps=config.relearning_steps,
        maximum_interval=config.maximum_interval_days,
        enable_fuzzing=False,
    )


def _to_fsrs(card: CardState) -> fsrs.Card:
    # An explicit card_id keeps fsrs from sleeping 1 ms to mint a unique one.
    return fsrs.Card(
        card_id=0,
        state=fsrs.State(int(card.phase)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def _from_fsrs(card: fsrs.Card) -> CardState:
    return CardState(
        phase=CardPhase(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
