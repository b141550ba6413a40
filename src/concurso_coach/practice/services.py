"""Practice rules: scoring attempts and per-subject stats (mock exams: `mock_exams`).

Public calls for other features (the coach): `AttemptService.record_attempt`,
`AttemptService.stats`, `AttemptService.subject_stats`,
`AttemptService.list_attempts` and `AttemptService.attempt_history`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec
import structlog
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from concurso_coach.coach.services import mastery_by_target
from concurso_coach.coach.services import on_attempt as coach_on_attempt
from concurso_coach.platform.errors import (
    ConflictError,
    InvalidField,
    InvalidInputError,
    NotFoundError,
    UnprocessableError,
)
from concurso_coach.platform.pagination import Page
from concurso_coach.platform.session_bound import SessionBound
from concurso_coach.practice.models import Attempt
from concurso_coach.practice.repositories import (
    AttemptRepository,
    MockExamItemRepository,
    week_counts,
)
from concurso_coach.practice.schemas import (
    AttemptOutcome,
    AttemptRead,
    StatsRead,
    SubjectStats,
    TopicStats,
    WeekPoint,
)
from concurso_coach.practice.scoring import (
    ItemKind,
    ItemResult,
    ScoringRule,
    score_answer,
)
from concurso_coach.questions.importers.base import QuestionKind
from concurso_coach.questions.schemas import QuestionKey
from concurso_coach.questions.services import QuestionService

log = structlog.get_logger(__name__)

TREND_WEEKS = 8


def item_kind_of(key: QuestionKey) -> ItemKind:
    if key.kind == QuestionKind.TRUE_FALSE.value:
        return ItemKind.TRUE_FALSE
    return ItemKind.CHOICE_A_TO_D if key.option_count == 4 else ItemKind.CHOICE_A_TO_E


def rule_of(key: QuestionKey) -> ScoringRule:
    """Certo/errado items are penalised (Cebraspe); multiple choice never is."""
    if key.kind == QuestionKind.TRUE_FALSE.value:
        return ScoringRule.TRUE_FALSE_PENALISED
    return ScoringRule.MULTIPLE_CHOICE


def check_answer(key: QuestionKey, answer: str | None, field: str = "answer") -> None:
    """A 400 naming the field when ``answer`` is not one of the item's options."""
    options = item_kind_of(key).options
    if answer is not None and answer not in options:
        message = f"must be one of {', '.join(options)} or null for this question"
        raise InvalidInputError(
            f"Invalid value for '{field}': {message}",
            errors=[InvalidField(field=field, message=message)],
        )


class AttemptService:
    """Attempts of candidates over one session; writes commit explicitly."""

    attempts = SessionBound(AttemptRepository)
    mock_items = SessionBound(MockExamItemRepository)
    questions = SessionBound(QuestionService)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_attempt(
        self,
        account_id: UUID,
        question_id: UUID,
        answer: str | None,
        elapsed_ms: int,
        confidence: int | None = None,
    ) -> AttemptOutcome:
        """Score and store one answer; returns the key and the subject's updated stats."""
        key = await self.questions.get_key(question_id)
        if key.voided or key.answer_key is None:
            raise UnprocessableError(
                "The question is voided (anulada) and has no answer key to practise against."
            )
        check_answer(key, answer)
        mock_exam_id = await self.mock_items.open_mock_holding(
            account_id, question_id, dt.datetime.now(dt.UTC)
        )
        if mock_exam_id is not None:
            # Practice reveals the key: answering here would give the mock exam away.
            raise ConflictError(
                f"The question is in your mock exam {mock_exam_id}, still in progress; "
                "answer it there (practice reveals the key)."
            )

        outcome = score_answer(rule_of(key), item_kind_of(key), answer, key.answer_key)
        row = attempt_row(account_id, key, answer, outcome.result, outcome.points, elapsed_ms)
        row["confidence"] = confidence
        await self.attempts.insert_many([row])
        if outcome.result is not ItemResult.BLANK:
            # Mastery and review cards change in the same transaction as the attempt.
            right = outcome.result is ItemResult.RIGHT
            await coach_on_attempt(self.session, account_id, key, right, row["created_at"])
        await self.session.commit()
        log.info("attempt_recorded", question_id=str(question_id), result=outcome.result.value)

        stats = await self.subject_stats(account_id, key.subject_id, key.subject_name)
        return AttemptOutcome(
            attempt=_attempt_read(Attempt(**row)),
            correct=outcome.result is ItemResult.RIGHT,
            result=outcome.result.value,
            key=key.answer_key,
            points=outcome.points,
            subject_stats=stats,
        )

    async def get_attempt(self, account_id: UUID, attempt_id: UUID) -> AttemptRead:
        attempt = await self.attempts.get_one_or_none(id=attempt_id)
        # Another candidate's attempt does not exist, as far as this caller can tell.
        if attempt is None or attempt.account_id != account_id:
            raise NotFoundError("The attempt does not exist.")
        return _attempt_read(attempt)

    async def list_attempts(
        self, account_id: UUID, limit: int, offset: int, subject_id: UUID | None = None
    ) -> Page[AttemptRead]:
        """The candidate's own attempts, newest first."""
        rows, total = await self.attempts.list_page(account_id, limit, offset, subject_id)
        return Page([_attempt_read(row) for row in rows], total, limit, offset)

    async def attempt_history(
        self,
        account_id: UUID,
        *,
        subject_id: UUID | None = None,
        topic_id: UUID | None = None,
    ) -> list[AttemptRead]:
        """Every attempt of a candidate (optionally of one subject/topic), oldest first.

        What the mastery model folds in, one attempt after another.
        """
        filters: list[Any] = [Attempt.account_id == account_id]
        if subject_id is not None:
            filters.append(Attempt.subject_id == subject_id)
        if topic_id is not None:
            filters.append(Attempt.topic_id == topic_id)
        rows = await self.attempts.list(*filters, order_by=[Attempt.created_at.asc()])
        return [_attempt_read(row) for row in rows]

    async def seen_question_ids(self, account_id: UUID) -> set[UUID]:
        return await self.attempts.seen_question_ids(account_id)

    async def stats(self, account_id: UUID, now: dt.datetime | None = None) -> StatsRead:
        """Per subject and topic: attempts, accuracy, true/false net, average time, trend."""
        now = now or dt.datetime.now(dt.UTC)
        weeks = _trend_weeks(now)
        aggregates = await self.attempts.aggregates(account_id, [start for _, start in weeks])
        mastery = await mastery_by_target(self.session, account_id)
        subjects = _subject_stats(aggregates, weeks, mastery)
        attempts = sum(s.attempts for s in subjects)
        right = sum(s.right for s in subjects)
        return StatsRead(attempts=attempts, accuracy=_ratio(right, attempts), subjects=subjects)

    async def subject_stats(
        self,
        account_id: UUID,
        subject_id: UUID | None,
        subject_name: str | None,
        now: dt.datetime | None = None,
    ) -> SubjectStats:
        """One subject's stats (by id when linked, else by its free name)."""
        now = now or dt.datetime.now(dt.UTC)
        name = None if subject_id is not None else subject_name
        weeks = _trend_weeks(now)
        starts = [start for _, start in weeks]
        aggregates = await self.attempts.aggregates(account_id, starts, subject_id, name)
        mastery = (
            await mastery_by_target(self.session, account_id, subject_id)
            if subject_id is not None
            else {}
        )
        subjects = _subject_stats(aggregates, weeks, mastery)
        if subjects:
            return subjects[0]
        return _empty_subject(subject_id, subject_name, now)


def attempt_row(
    account_id: UUID,
    key: QuestionKey,
    answer: str | None,
    result: ItemResult,
    points: int,
    elapsed_ms: int,
    mock_exam_id: UUID | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    now = at or dt.datetime.now(dt.UTC)
    return {
        "id": uuid7(),
        "created_at": now,
        "updated_at": now,
        "account_id": account_id,
        "question_id": key.id,
        "mock_exam_id": mock_exam_id,
        "answer": answer,
        "result": result.value,
        "points": points,
        "elapsed_ms": elapsed_ms,
        "confidence": None,
        "kind": key.kind,
        "subject_id": key.subject_id,
        "subject_name": key.subject_name,
        "topic_id": key.topic_id,
        "topic_name": key.topic_name,
    }


def _attempt_read(attempt: Attempt) -> AttemptRead:
    return AttemptRead(
        id=attempt.id,
        question_id=attempt.question_id,
        kind=attempt.kind,  # type: ignore[arg-type]
        answer=attempt.answer,
        result=attempt.result,  # type: ignore[arg-type]
        correct=attempt.result == ItemResult.RIGHT.value,
        points=attempt.points,
        elapsed_ms=attempt.elapsed_ms,
        confidence=attempt.confidence,
        mock_exam_id=attempt.mock_exam_id,
        subject_id=attempt.subject_id,
        subject_name=attempt.subject_name,
        topic_id=attempt.topic_id,
        topic_name=attempt.topic_name,
        created_at=attempt.created_at,
    )


# Stats


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _week_label(moment: dt.datetime | dt.date) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _trend_weeks(now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """The last ``TREND_WEEKS`` ISO weeks (label, Monday 00:00 UTC), oldest first,
    this week included."""
    today = now.astimezone(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday())
    starts = [monday - dt.timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    return [
        (_week_label(start), dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC))
        for start in starts
    ]


def _subject_key(subject_id: UUID | None, subject_name: str | None) -> tuple[str, str]:
    return ("id", str(subject_id)) if subject_id is not None else ("name", subject_name or "")


def _subject_stats(
    aggregates: Sequence[Row[Any]],
    weeks: Sequence[tuple[str, dt.datetime]],
    mastery: dict[UUID, float],
) -> list[SubjectStats]:
    groups: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for row in aggregates:
        groups[_subject_key(row.subject_id, row.subject_name)].append(row)

    subjects = []
    for rows in groups.values():
        topics = sorted(
            (_topic_stats(row, mastery) for row in rows), key=lambda t: t.topic_name or ""
        )
        trend = _subject_trend(rows, weeks)
        subject_id = rows[0].subject_id
        subject = _rolled_up(subject_id, rows[0].subject_name, topics, trend)
        if subject_id is not None:
            subject = msgspec.structs.replace(subject, mastery=mastery.get(subject_id))
        subjects.append(subject)
    return sorted(subjects, key=lambda s: (s.subject_name or "", str(s.subject_id)))


def _subject_trend(
    rows: Sequence[Row[Any]], weeks: Sequence[tuple[str, dt.datetime]]
) -> list[WeekPoint]:
    # The aggregates carry each week's counts per topic; the subject's trend adds them up.
    trend = []
    for index, (label, _) in enumerate(weeks):
        counts = [week_counts(row, index) for row in rows]
        answered = sum(n for n, _ in counts)
        right = sum(r for _, r in counts)
        trend.append(WeekPoint(label, answered, _ratio(right, answered) if answered else None))
    return trend


def _topic_stats(row: Row[Any], mastery: dict[UUID, float]) -> TopicStats:
    attempts = int(row.attempts)
    return TopicStats(
        topic_id=row.topic_id,
        topic_name=row.topic_name,
        attempts=attempts,
        right=int(row.right),
        wrong=int(row.wrong),
        blank=int(row.blank),
        accuracy=_ratio(int(row.right), attempts),
        true_false_attempts=int(row.tf_attempts),
        true_false_net=int(row.tf_net),
        average_ms=round(float(row.average_ms or 0), 1),
        mastery=mastery.get(row.topic_id) if row.topic_id is not None else None,
    )


def _rolled_up(
    subject_id: UUID | None,
    subject_name: str | None,
    topics: list[TopicStats],
    trend: list[WeekPoint],
) -> SubjectStats:
    attempts = sum(t.attempts for t in topics)
    right = sum(t.right for t in topics)
    total_ms = sum(t.average_ms * t.attempts for t in topics)
    return SubjectStats(
        subject_id=subject_id,
        subject_name=subject_name,
        attempts=attempts,
        right=right,
        wrong=sum(t.wrong for t in topics),
        blank=sum(t.blank for t in topics),
        accuracy=_ratio(right, attempts),
        true_false_attempts=sum(t.true_false_attempts for t in topics),
        true_false_net=sum(t.true_false_net for t in topics),
        average_ms=round(total_ms / attempts, 1) if attempts else 0.0,
        trend=trend,
        topics=topics,
    )


def _empty_subject(
    subject_id: UUID | None, subject_name: str | None, now: dt.datetime
) -> SubjectStats:
    trend = [WeekPoint(label, 0, None) for label, _ in _trend_weeks(now)]
    return _rolled_up(subject_id, subject_name, [], trend)


def aware_utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
