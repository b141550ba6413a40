"""Practice rules: scoring attempts, per-subject stats, drawing and scoring mock exams.

Public calls for other features (the coach): `AttemptService.record_attempt`,
`AttemptService.stats`, `AttemptService.subject_stats`,
`AttemptService.list_attempts` and `AttemptService.attempt_history`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal
from uuid import UUID

import msgspec
import structlog
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from concurso_coach.catalogue.services import CatalogueService
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
from concurso_coach.practice.models import Attempt, MockExam, MockExamItem
from concurso_coach.practice.repositories import (
    AttemptRepository,
    MockExamItemRepository,
    MockExamRepository,
)
from concurso_coach.practice.schemas import (
    AttemptOutcome,
    AttemptRead,
    MockExamItemRead,
    MockExamRead,
    MockExamSummary,
    Shortfall,
    StatsRead,
    SubjectStats,
    TopicStats,
    WeekPoint,
)
from concurso_coach.practice.scoring import (
    Answer,
    BlockSpec,
    InvalidAnswerError,
    ItemKind,
    ItemResult,
    MockExamResult,
    MockExamStructure,
    ScoringRule,
    SubjectSpec,
    score_answer,
    score_mock_exam,
)
from concurso_coach.questions.importers.base import QuestionKind
from concurso_coach.questions.schemas import QuestionKey
from concurso_coach.questions.services import QuestionService

log = structlog.get_logger(__name__)

TREND_WEEKS = 8
DEFAULT_TIME_LIMIT_MINUTES = 240

MockStatus = Literal["in_progress", "expired", "submitted"]


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

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.attempts = AttemptRepository(session=session)
        self.questions = QuestionService(session)

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

        stored = await self.attempts.get(row["id"])
        stats = await self.subject_stats(account_id, key.subject_id, key.subject_name)
        return AttemptOutcome(
            attempt=_attempt_read(stored),
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
        aggregates = await self.attempts.aggregates(account_id)
        recent = await self.attempts.recent_results(account_id, _trend_start(now))
        mastery = await mastery_by_target(self.session, account_id)
        subjects = _subject_stats(aggregates, recent, now, mastery)
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
        aggregates = await self.attempts.aggregates(account_id, subject_id, name)
        recent = await self.attempts.recent_results(account_id, _trend_start(now), subject_id, name)
        mastery = (
            await mastery_by_target(self.session, account_id, subject_id)
            if subject_id is not None
            else {}
        )
        subjects = _subject_stats(aggregates, recent, now, mastery)
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


def _trend_weeks(now: dt.datetime) -> list[str]:
    """The last ``TREND_WEEKS`` ISO weeks, oldest first, this week included."""
    today = now.date()
    return [_week_label(today - dt.timedelta(weeks=n)) for n in range(TREND_WEEKS - 1, -1, -1)]


def _trend_start(now: dt.datetime) -> dt.datetime:
    today = now.astimezone(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday(), weeks=TREND_WEEKS - 1)
    return dt.datetime.combine(monday, dt.time(), tzinfo=dt.UTC)


def _subject_key(subject_id: UUID | None, subject_name: str | None) -> tuple[str, str]:
    return ("id", str(subject_id)) if subject_id is not None else ("name", subject_name or "")


def _subject_stats(
    aggregates: Sequence[Row[Any]],
    recent: Sequence[Row[Any]],
    now: dt.datetime,
    mastery: dict[UUID, float],
) -> list[SubjectStats]:
    groups: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for row in aggregates:
        groups[_subject_key(row.subject_id, row.subject_name)].append(row)

    weeks = _trend_weeks(now)
    trend_counts: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(
        lambda: {week: [0, 0] for week in weeks}
    )
    for row in recent:
        label = _week_label(_aware(row.created_at))
        bucket = trend_counts[_subject_key(row.subject_id, row.subject_name)]
        if label in bucket:
            bucket[label][0] += 1
            bucket[label][1] += row.result == ItemResult.RIGHT.value

    subjects = []
    for key, rows in groups.items():
        topics = sorted(
            (_topic_stats(row, mastery) for row in rows), key=lambda t: t.topic_name or ""
        )
        counts = trend_counts[key]
        trend = [
            WeekPoint(week, n, _ratio(right, n)) if n else WeekPoint(week, 0, None)
            for week, (n, right) in ((week, counts[week]) for week in weeks)
        ]
        subject_id = rows[0].subject_id
        subject = _rolled_up(subject_id, rows[0].subject_name, topics, trend)
        if subject_id is not None:
            subject = msgspec.structs.replace(subject, mastery=mastery.get(subject_id))
        subjects.append(subject)
    return sorted(subjects, key=lambda s: (s.subject_name or "", str(s.subject_id)))


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
    trend = [WeekPoint(week, 0, None) for week in _trend_weeks(now)]
    return _rolled_up(subject_id, subject_name, [], trend)


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# Mock exams


class MockExamService:
    """Draws, shows and scores mock exams; every read is owner-only."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.mock_exams = MockExamRepository(session=session)
        self.items = MockExamItemRepository(session=session)
        self.attempts = AttemptService(session)
        self.questions = QuestionService(session)
        self.catalogue = CatalogueService(session)

    async def create_mock_exam(
        self,
        account_id: UUID,
        exam_id: UUID,
        time_limit_minutes: int | None = None,
        now: dt.datetime | None = None,
    ) -> MockExamRead:
        """Draw questions per subject, unseen ones first, never one twice."""
        now = now or dt.datetime.now(dt.UTC)
        exam = await self.catalogue.get_exam_structure(exam_id)
        rule = ScoringRule(exam.scoring_rule.value)
        item_kind = _exam_item_kind(rule, exam.option_count)
        kind = (
            QuestionKind.TRUE_FALSE
            if rule is ScoringRule.TRUE_FALSE_PENALISED
            else (QuestionKind.MULTIPLE_CHOICE)
        )
        option_count = None if kind is QuestionKind.TRUE_FALSE else len(item_kind.options)

        seen = await self.attempts.seen_question_ids(account_id)
        drawn: set[UUID] = set()
        blocks: list[BlockSpec] = []
        items: list[tuple[str, UUID]] = []
        shortfall: list[Shortfall] = []
        for block in exam.blocks:
            specs = []
            for subject in block.subjects:
                if subject.question_count <= 0:
                    continue
                pool = await self.questions.list_ids_for_subject(
                    subject.id, subject.name, kind, option_count
                )
                chosen = _draw(pool, subject.question_count, seen, drawn)
                drawn.update(chosen)
                items += [(subject.name, question_id) for question_id in chosen]
                if len(chosen) < subject.question_count:
                    shortfall.append(Shortfall(subject.name, subject.question_count, len(chosen)))
                specs.append(
                    SubjectSpec(
                        name=subject.name,
                        # A block's weight multiplies the weight of each of its items.
                        weight=subject.weight * block.weight,
                        question_count=len(chosen),
                        minimum_score=subject.minimum_score,
                    )
                )
            if specs:
                blocks.append(BlockSpec(block.name, tuple(specs), block.minimum_score))

        if not items:
            raise UnprocessableError(
                "The bank has no live question for any subject of this exam; "
                "nothing to draw a mock exam from."
            )

        structure = MockExamStructure(rule=rule, item_kind=item_kind, blocks=tuple(blocks))
        minutes = time_limit_minutes or DEFAULT_TIME_LIMIT_MINUTES
        mock = MockExam(
            account_id=account_id,
            exam_id=exam_id,
            exam_title=f"{exam.organisation} — {exam.post}",
            started_at=now,
            deadline=now + dt.timedelta(minutes=minutes),
            time_limit_minutes=minutes,
            structure=msgspec.to_builtins(structure),
            shortfall=msgspec.to_builtins(shortfall),
        )
        self.session.add(mock)
        await self.session.flush()
        self.session.add_all(
            MockExamItem(
                mock_exam_id=mock.id, question_id=qid, position=position, subject_name=name
            )
            for position, (name, qid) in enumerate(items, start=1)
        )
        await self.session.commit()
        log.info(
            "mock_exam_drawn",
            mock_exam_id=str(mock.id),
            exam_id=str(exam_id),
            questions=len(items),
            short_subjects=len(shortfall),
        )
        return await self._read(mock, now)

    async def get_mock_exam(
        self, account_id: UUID, mock_exam_id: UUID, now: dt.datetime | None = None
    ) -> MockExamRead:
        mock = await self._require_own(account_id, mock_exam_id)
        return await self._read(mock, now or dt.datetime.now(dt.UTC))

    async def list_mock_exams(
        self, account_id: UUID, limit: int, offset: int, now: dt.datetime | None = None
    ) -> Page[MockExamSummary]:
        now = now or dt.datetime.now(dt.UTC)
        rows, total = await self.mock_exams.list_page(account_id, limit, offset)
        items = [
            MockExamSummary(
                id=mock.id,
                exam_id=mock.exam_id,
                exam_title=mock.exam_title,
                status=_status(mock, now),
                started_at=mock.started_at,
                deadline=mock.deadline,
                submitted_at=mock.submitted_at,
                passed=mock.result["passed"] if mock.result else None,
                total_net=mock.result["total_net"] if mock.result else None,
            )
            for mock in rows
        ]
        return Page(items, total, limit, offset)

    async def submit(
        self,
        account_id: UUID,
        mock_exam_id: UUID,
        answers: dict[UUID, str | None],
        now: dt.datetime | None = None,
    ) -> MockExamRead:
        """Score the answer sheet by the board's rule; blanks for questions left out."""
        now = now or dt.datetime.now(dt.UTC)
        mock = await self._require_own(account_id, mock_exam_id)
        if mock.submitted_at is not None:
            raise ConflictError(
                f"This mock exam was already submitted at {mock.submitted_at.isoformat()}; "
                "a mock exam is scored once."
            )
        if now > _aware(mock.deadline):
            raise ConflictError(
                f"The time limit ended at {_aware(mock.deadline).isoformat()}; "
                "answers can no longer be submitted."
            )

        items = await self.items.list_for(mock.id)
        item_ids = {item.question_id for item in items}
        unknown = [str(qid) for qid in answers if qid not in item_ids]
        if unknown:
            raise InvalidInputError(
                f"Invalid value for 'answers': {unknown[0]} is not a question of this mock exam",
                errors=[InvalidField("answers", "question not in this mock exam")],
            )

        keys = await self.questions.get_keys(list(item_ids))
        for item in items:
            check_answer(keys[item.question_id], answers.get(item.question_id), "answers")

        structure = msgspec.convert(mock.structure, MockExamStructure)
        result = _score(structure, items, keys, answers)

        # The guarded UPDATE decides a race between two submits of one sheet.
        if not await self.mock_exams.claim_submission(mock.id, now):
            await self.session.rollback()
            raise ConflictError("This mock exam was already submitted; it is scored once.")
        await self._record(account_id, mock, items, keys, answers, now)
        mock.result = msgspec.to_builtins(result)
        await self.session.commit()
        await self.session.refresh(mock)
        log.info(
            "mock_exam_submitted",
            mock_exam_id=str(mock.id),
            passed=result.passed,
            total_net=result.total_net,
        )
        return await self._read(mock, now)

    async def _record(
        self,
        account_id: UUID,
        mock: MockExam,
        items: list[MockExamItem],
        keys: dict[UUID, QuestionKey],
        answers: dict[UUID, str | None],
        now: dt.datetime,
    ) -> None:
        """Store each answer as an attempt too, so that stats include mock exams."""
        used_ms = int((min(now, _aware(mock.deadline)) - _aware(mock.started_at)) / _MS)
        per_item_ms = used_ms // max(len(items), 1)
        rule = ScoringRule(mock.structure["rule"])
        item_kind = ItemKind(mock.structure["item_kind"])
        rows = []
        for item in items:
            key = keys[item.question_id]
            given = answers.get(item.question_id)
            answer_key = None if key.voided else key.answer_key
            outcome = score_answer(rule, item_kind, given, answer_key)
            item.answer = given
            item.result = outcome.result.value
            rows.append(
                attempt_row(
                    account_id,
                    key,
                    given,
                    outcome.result,
                    outcome.points,
                    per_item_ms,
                    mock_exam_id=mock.id,
                    at=now,
                )
            )
        await self.attempts.attempts.insert_many(rows)

    async def _require_own(self, account_id: UUID, mock_exam_id: UUID) -> MockExam:
        mock = await self.mock_exams.get_one_or_none(id=mock_exam_id)
        if mock is None or mock.account_id != account_id:
            raise NotFoundError("The mock exam does not exist.")
        return mock

    async def _read(self, mock: MockExam, now: dt.datetime) -> MockExamRead:
        items = await self.items.list_for(mock.id)
        submitted = mock.submitted_at is not None
        questions = await self.questions.get_reads(
            [item.question_id for item in items], with_keys=submitted
        )
        used = None
        if mock.submitted_at is not None:
            used = int((_aware(mock.submitted_at) - _aware(mock.started_at)).total_seconds())
        return MockExamRead(
            id=mock.id,
            exam_id=mock.exam_id,
            exam_title=mock.exam_title,
            status=_status(mock, now),
            rule=mock.structure["rule"],
            item_kind=mock.structure["item_kind"],
            started_at=_aware(mock.started_at),
            deadline=_aware(mock.deadline),
            time_limit_minutes=mock.time_limit_minutes,
            submitted_at=_aware(mock.submitted_at) if mock.submitted_at else None,
            time_used_seconds=used,
            question_count=len(items),
            shortfall=msgspec.convert(mock.shortfall, list[Shortfall]),
            items=[
                MockExamItemRead(
                    position=item.position,
                    subject=item.subject_name,
                    question=questions[item.question_id],
                    answer=item.answer,
                    result=item.result,  # type: ignore[arg-type]
                )
                for item in items
                if item.question_id in questions
            ],
            result=msgspec.convert(mock.result, MockExamResult) if mock.result else None,
        )


_MS = dt.timedelta(milliseconds=1)


def _exam_item_kind(rule: ScoringRule, option_count: int | None) -> ItemKind:
    if rule is ScoringRule.TRUE_FALSE_PENALISED:
        return ItemKind.TRUE_FALSE
    return ItemKind.CHOICE_A_TO_D if option_count == 4 else ItemKind.CHOICE_A_TO_E


def _draw(pool: list[UUID], count: int, seen: set[UUID], drawn: set[UUID]) -> list[UUID]:
    """``count`` ids at random, unseen ones first, none already drawn in this mock exam."""
    rng = secrets.SystemRandom()
    fresh = [qid for qid in pool if qid not in drawn and qid not in seen]
    again = [qid for qid in pool if qid not in drawn and qid in seen]
    rng.shuffle(fresh)
    rng.shuffle(again)
    return (fresh + again)[:count]


def _score(
    structure: MockExamStructure,
    items: list[MockExamItem],
    keys: dict[UUID, QuestionKey],
    answers: dict[UUID, str | None],
) -> MockExamResult:
    sheet: dict[str, list[Answer]] = defaultdict(list)
    for item in items:
        key = keys[item.question_id]
        # An item voided after the draw is awarded to everyone, as the boards do.
        answer_key = None if key.voided else key.answer_key
        sheet[item.subject_name].append(Answer(answers.get(item.question_id), answer_key))
    try:
        return score_mock_exam(structure, sheet)
    except InvalidAnswerError as exc:
        raise InvalidInputError(f"Invalid value for 'answers': {exc}") from None


def _status(mock: MockExam, now: dt.datetime) -> MockStatus:
    if mock.submitted_at is not None:
        return "submitted"
    return "expired" if now > _aware(mock.deadline) else "in_progress"
