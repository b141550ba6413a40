"""Coach rules and transactions: goal, mastery and spaced reviews.

The study plan and agenda live in ``coach.planning``.

Other features call the module functions: practice calls ``on_attempt`` inside
the transaction that records an answer, then ``schedule_replan`` after its
commit; the stats endpoint may call ``mastery_summary``.

Days are calendar days in the exam's time zone (Brasília): "today", the day an
answer counts as activity and the exam day, which starts at local midnight.

Predicted retention of a subject on exam day is the mean, over its reviewed
cards, of ``max(R_exam, target)``: a card whose recall on exam day would fall
below the target is brought forward so that one review carries it there, so
the schedule itself guarantees the target for every card.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from uuid import UUID

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.catalogue.models import ExamStatus
from concurso_coach.catalogue.services import EXAM_TIMEZONE, CatalogueService
from concurso_coach.coach.mastery import (
    MasteryState,
    initial_mastery,
    update_mastery,
)
from concurso_coach.coach.models import (
    CardKind,
    Goal,
    MasteryKind,
    MasteryRow,
    ReviewCard,
    ReviewLog,
)
from concurso_coach.coach.repositories import (
    ActivityRepository,
    GoalRepository,
    MasteryRepository,
    ReviewCardRepository,
    ReviewLogRepository,
    StudyPlanRepository,
)
from concurso_coach.coach.scheduler import (
    DEFAULT_EARLY_WINDOW,
    DEFAULT_EXAM_RETENTION,
    CardColumns,
    CardPhase,
    CardState,
    Grade,
    ReviewRecord,
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
from concurso_coach.coach.schemas import (
    CardPhaseName,
    GoalRead,
    GoalWrite,
    MasterySource,
    MasterySummary,
    ReviewCardRead,
    SubjectMastery,
    TopicMastery,
)
from concurso_coach.jobs.queue import JobInfo, JobQueue
from concurso_coach.platform.errors import ConflictError, NotFoundError, UnprocessableError
from concurso_coach.platform.pagination import Page
from concurso_coach.platform.session_bound import SessionBound
from concurso_coach.practice.scoring import (
    ItemKind,
)
from concurso_coach.questions.schemas import QuestionKey

log = structlog.get_logger(__name__)

REPLAN_TASK = "coach.replan"
REPLAN_DEBOUNCE_SECONDS = 30.0
EXAM_RETENTION_TARGET = DEFAULT_EXAM_RETENTION
FINAL_DAYS = 14
# Planning cost grows with the days left; concursos are planned months, not decades, ahead.
MAX_PLAN_DAYS = 3 * 365

_PHASE_NAMES: dict[CardPhase, CardPhaseName] = {
    CardPhase.LEARNING: "learning",
    CardPhase.REVIEW: "review",
    CardPhase.RELEARNING: "relearning",
}
_GRADES = {"again": Grade.AGAIN, "hard": Grade.HARD, "good": Grade.GOOD, "easy": Grade.EASY}


def coach_day(moment: dt.datetime) -> dt.date:
    """The calendar day of ``moment`` in the exam's time zone."""
    return moment.astimezone(EXAM_TIMEZONE).date()


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` in the exam's time zone, as UTC."""
    return dt.datetime.combine(day, dt.time(0), EXAM_TIMEZONE).astimezone(dt.UTC)


def guess_floor(question: QuestionKey) -> float:
    """Blind-guess chance of the item: 1/2 for certo/errado, 1/n for n options."""
    if question.kind == "true_false":
        return ItemKind.TRUE_FALSE.guess_floor
    if question.option_count == len(ItemKind.CHOICE_A_TO_D.options):
        return ItemKind.CHOICE_A_TO_D.guess_floor
    return ItemKind.CHOICE_A_TO_E.guess_floor


class _Answer(msgspec.Struct, frozen=True):
    """An answer as the review cards see it."""

    account_id: UUID
    subject_id: UUID | None
    grade: Grade
    at: dt.datetime
    exam_at: dt.datetime | None


class CoachService:
    """The coach over one session; public writes commit, hooks leave it to the caller."""

    catalogue = SessionBound(CatalogueService)
    goals = SessionBound(GoalRepository)
    mastery = SessionBound(MasteryRepository)
    cards = SessionBound(ReviewCardRepository)
    logs = SessionBound(ReviewLogRepository)
    plans = SessionBound(StudyPlanRepository)
    activity = SessionBound(ActivityRepository)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # Goal

    async def get_goal(self, account_id: UUID) -> GoalRead:
        return _goal_read(await self._require_goal(account_id))

    async def put_goal(self, account_id: UUID, data: GoalWrite, now: dt.datetime) -> GoalRead:
        try:
            exam = await self.catalogue.get_exam_structure(data.exam_id)
        except NotFoundError:
            raise UnprocessableError(f"exam_id {data.exam_id} names no exam.") from None

        if exam.status in _FINISHED_EXAMS:
            raise UnprocessableError(
                f"The exam is {exam.status.value}: there is nothing left to plan for; "
                "choose an exam still to come."
            )
        exam_date = data.exam_date or exam.exam_date
        if exam_date is None:
            raise UnprocessableError("The exam has no date yet; give exam_date.")
        today = coach_day(now)
        if exam_date <= today:
            raise UnprocessableError("The exam date must be after today.")
        if exam_date > today + dt.timedelta(days=MAX_PLAN_DAYS):
            raise UnprocessableError(
                f"The exam date must be within {MAX_PLAN_DAYS // 365} years; "
                "plan a nearer exam first."
            )

        subject_ids = {s.id for block in exam.blocks for s in block.subjects}
        unknown = set(data.self_assessment) - subject_ids
        if unknown:
            raise UnprocessableError(
                f"self_assessment names subjects outside the exam: {sorted(map(str, unknown))}."
            )

        goal = await self.goals.get_one_or_none(account_id=account_id)
        if goal is None:
            goal = Goal(account_id=account_id)
            self.session.add(goal)
        goal.exam_id = data.exam_id
        goal.exam_date = exam_date
        goal.weekly_minutes = list(data.weekly_minutes)
        goal.self_assessment = {str(k): v for k, v in data.self_assessment.items()}
        # Set by hand: the plan's freshness is judged against it even when no
        # column value changed.
        goal.updated_at = now
        await self.session.commit()
        log.info("goal_saved", account_id=str(account_id), exam_id=str(data.exam_id))
        return _goal_read(goal)

    async def _require_goal(self, account_id: UUID) -> Goal:
        goal = await self.goals.get_one_or_none(account_id=account_id)
        if goal is None:
            raise NotFoundError("No goal yet: set one with PUT /api/me/goal.")
        return goal

    # Attempts

    async def on_attempt(
        self,
        account_id: UUID,
        question: QuestionKey,
        correct: bool,
        answered_at: dt.datetime,
    ) -> None:
        """Fold one right or wrong answer into mastery and the review cards.

        Runs inside the caller's transaction and does not commit. Voided items
        teach nothing about the candidate and are ignored; so should blanks be.
        """
        if question.voided:
            return

        goal = await self.goals.get_one_or_none(account_id=account_id)
        subject_id = await self._subject_of(question, goal)

        floor = guess_floor(question)
        if subject_id is not None:
            prior = prior_mastery(goal, subject_id)
            await self._fold(account_id, subject_id, None, prior, correct, floor)
            if question.topic_id is not None:
                await self._fold(account_id, subject_id, question.topic_id, prior, correct, floor)

        exam_at = day_start(goal.exam_date) if goal is not None else None
        given = _Answer(account_id, subject_id, grade_for_attempt(correct), answered_at, exam_at)
        if question.topic_id is not None:
            await self._review_target(given, CardKind.TOPIC, question.topic_id, create=True)
        await self._review_target(given, CardKind.QUESTION, question.id, create=not correct)

        await self.activity.mark(account_id, coach_day(answered_at))

    async def _subject_of(self, question: QuestionKey, goal: Goal | None) -> UUID | None:
        """The catalogue subject an answer teaches about: the question's link, its topic's
        subject, or (for imported questions, linked by name only) the goal exam's subject
        of that name, as mock exams draw them."""
        if question.subject_id is not None:
            return question.subject_id
        if question.topic_id is not None:
            return (await self.catalogue.get_topic(question.topic_id)).subject_id
        if goal is None or not question.subject_name:
            return None
        return await self.catalogue.subject_id_named(goal.exam_id, question.subject_name)

    async def _fold(
        self,
        account_id: UUID,
        subject_id: UUID,
        topic_id: UUID | None,
        prior: MasteryState,
        correct: bool,
        floor: float,
    ) -> None:
        """Fold an answer into the subject's belief, or the topic's when given."""
        kind = MasteryKind.SUBJECT if topic_id is None else MasteryKind.TOPIC
        target = topic_id if topic_id is not None else subject_id
        first = {
            "subject_id": subject_id,
            "topic_id": topic_id,
            "mastery": prior.mastery,
            "evidence": prior.evidence,
            "attempts": prior.attempts,
        }
        row = await self.mastery.lock_or_create(account_id, kind.value, target, first)
        state = MasteryState(row.mastery, row.attempts, row.evidence)
        state = update_mastery(state, correct, floor)
        row.mastery, row.evidence, row.attempts = state.mastery, state.evidence, state.attempts

    async def _review_target(
        self, given: _Answer, kind: CardKind, target_id: UUID, *, create: bool
    ) -> None:
        if create:
            first = {
                "topic_id": target_id if kind is CardKind.TOPIC else None,
                "question_id": target_id if kind is CardKind.QUESTION else None,
                "subject_id": given.subject_id,
                "reviews": 0,
                **card_to_columns(new_card(given.at)),
            }
            card = await self.cards.lock_or_create(given.account_id, kind.value, target_id, first)
        else:
            found = await self.cards.get_for_update(given.account_id, kind.value, target_id)
            if found is None:
                return
            card = found

        # Free practice before the card is due feeds mastery only (see scheduler).
        if counts_as_review(card_state(card), given.at):
            self._apply_review(card, given.grade, given.at, given.exam_at, "attempt", None)

    def _apply_review(
        self,
        card: ReviewCard,
        grade: Grade,
        reviewed_at: dt.datetime,
        exam_at: dt.datetime | None,
        source: str,
        duration_ms: int | None,
    ) -> ReviewRecord:
        state, record = review_card(card_state(card), grade, reviewed_at, duration_ms=duration_ms)
        if exam_at is not None:
            state = bring_forward_for_exam(
                state, exam_at, now=reviewed_at, target_retention=EXAM_RETENTION_TARGET
            )
        store_card_state(card, state)
        card.reviews = (card.reviews or 0) + 1
        self.session.add(
            ReviewLog(
                card_id=card.id,
                account_id=card.account_id,
                grade=int(record.grade),
                source=source,
                reviewed_at=record.reviewed_at,
                retrievability=record.retrievability,
                interval_seconds=record.interval.total_seconds(),
                duration_ms=duration_ms,
            )
        )
        return record

    # Mastery

    async def mastery_summary(self, account_id: UUID) -> MasterySummary:
        """Mastery per subject (with its topics): from attempts, else the prior."""
        goal = await self.goals.get_one_or_none(account_id=account_id)
        rows = await self.mastery.list_for_account(account_id)
        subject_rows = {r.subject_id: r for r in rows if r.kind == MasteryKind.SUBJECT}
        topic_rows: dict[UUID, list[MasteryRow]] = defaultdict(list)
        for row in rows:
            if row.kind == MasteryKind.TOPIC:
                topic_rows[row.subject_id].append(row)

        names: dict[UUID, str] = {}
        if goal is not None:
            exam = await self.catalogue.get_exam_structure(goal.exam_id)
            names = {s.id: s.name for block in exam.blocks for s in block.subjects}

        subjects = []
        for subject_id in [*names, *(s for s in subject_rows if s not in names)]:
            known = subject_rows.get(subject_id)
            assessed = goal is not None and str(subject_id) in goal.self_assessment
            if known is not None:
                source: MasterySource = "attempts"
                mastery, attempts = known.mastery, known.attempts
            else:
                mastery, attempts = prior_mastery(goal, subject_id).mastery, 0
                source = "self_assessment" if assessed else "default"
            topics = sorted(topic_rows.get(subject_id, []), key=lambda r: str(r.target_id))
            subjects.append(
                SubjectMastery(
                    subject_id=subject_id,
                    subject=names.get(subject_id),
                    mastery=mastery,
                    attempts=attempts,
                    source=source,
                    topics=[TopicMastery(r.target_id, r.mastery, r.attempts) for r in topics],
                )
            )
        return MasterySummary(exam_id=goal.exam_id if goal else None, subjects=subjects)

    # Reviews

    async def list_due(
        self, account_id: UUID, limit: int, offset: int, now: dt.datetime
    ) -> Page[ReviewCardRead]:
        """Today's queue: cards due now or within the early window.

        In the final days before the exam the queue is ordered by subject
        weight × expected loss on exam day; otherwise by due date.
        """
        goal = await self.goals.get_one_or_none(account_id=account_id)
        exam_at = day_start(goal.exam_date) if goal is not None else None
        until = now + DEFAULT_EARLY_WINDOW
        total = await self.cards.count_due(account_id, until)

        if goal is None or exam_at is None or not _in_final_days(exam_at, now):
            page = await self.cards.list_due(account_id, until, limit, offset)
            items = [_card_read(card, now, exam_at, None) for card in page]
            return Page(items, total, limit, offset)

        # Ranking needs every due card; the final days are short, and so is the queue.
        due = await self.cards.list_due(account_id, until)
        weights = await self._subject_weights(goal.exam_id)
        ranked = rank_for_final_days(
            [(c.id, card_state(c), weights.get(c.subject_id, 0.0)) for c in due], exam_at, now
        )
        by_id = {card.id: card for card in due}
        items = [
            _card_read(by_id[entry.card_id], now, exam_at, entry.priority)
            for entry in ranked[offset : offset + limit]
        ]
        return Page(items, total, limit, offset)

    async def get_card(self, account_id: UUID, card_id: UUID, now: dt.datetime) -> ReviewCardRead:
        card = await self.cards.get_one_or_none(id=card_id, account_id=account_id)
        if card is None:
            raise NotFoundError(f"No review card has id {card_id}.")
        goal = await self.goals.get_one_or_none(account_id=account_id)
        exam_at = day_start(goal.exam_date) if goal is not None else None
        return _card_read(card, now, exam_at, None)

    async def grade_card(
        self,
        account_id: UUID,
        card_id: UUID,
        grade: str,
        duration_ms: int | None,
        now: dt.datetime,
    ) -> ReviewCardRead:
        """The candidate's own grade for a due card; another's card does not exist."""
        card = await self.cards.get_owned(account_id, card_id)
        if card is None:
            raise NotFoundError(f"No review card has id {card_id}.")
        if not counts_as_review(card_state(card), now):
            raise ConflictError(f"The card is not due until {card_state(card).due.isoformat()}.")

        goal = await self.goals.get_one_or_none(account_id=account_id)
        exam_at = day_start(goal.exam_date) if goal is not None else None
        self._apply_review(card, _GRADES[grade], now, exam_at, "explicit", duration_ms)
        await self.activity.mark(account_id, coach_day(now))
        await self.session.commit()
        log.info("review_graded", account_id=str(account_id), card_id=str(card_id), grade=grade)
        return _card_read(card, now, exam_at, None)

    async def _subject_weights(self, exam_id: UUID) -> dict[UUID | None, float]:
        """Points at stake per subject: weight × question count."""
        exam = await self.catalogue.get_exam_structure(exam_id)
        return {s.id: s.weight * s.question_count for block in exam.blocks for s in block.subjects}


# Module-level entry points for other features.


async def on_attempt(
    session: AsyncSession,
    account_id: UUID,
    question: QuestionKey,
    correct: bool,
    answered_at: dt.datetime,
) -> None:
    """Practice's hook: call within the attempt's transaction, before its commit."""
    await CoachService(session).on_attempt(account_id, question, correct, answered_at)


async def schedule_replan(
    job_queue: JobQueue, account_id: UUID, delay_seconds: float = REPLAN_DEBOUNCE_SECONDS
) -> JobInfo:
    """Queue a replan after new attempts; a replan already waiting absorbs this one."""
    return await job_queue.enqueue(
        REPLAN_TASK,
        owner_id=account_id,
        kwargs={"account_id": str(account_id)},
        key=f"replan-{account_id}",
        delay_seconds=delay_seconds,
    )


async def mastery_by_target(
    session: AsyncSession, account_id: UUID, subject_id: UUID | None = None
) -> dict[UUID, float]:
    """Practice's stats read mastery through this: subject and topic id → mastery."""
    return await MasteryRepository(session=session).mastery_by_target(account_id, subject_id)


async def mastery_summary(session: AsyncSession, account_id: UUID) -> MasterySummary:
    return await CoachService(session).mastery_summary(account_id)


# Helpers

# A goal cannot start on these (one already set keeps working as it was).
_FINISHED_EXAMS = frozenset({ExamStatus.HELD, ExamStatus.CANCELLED})


def prior_mastery(goal: Goal | None, subject_id: UUID) -> MasteryState:
    assessed = goal.self_assessment.get(str(subject_id)) if goal is not None else None
    return initial_mastery(assessed)


def card_state(card: ReviewCard) -> CardState:
    return card_from_columns(
        CardColumns(
            phase=card.phase,
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )
    )


def store_card_state(card: ReviewCard, state: CardState) -> None:
    for column, value in card_to_columns(state).items():
        setattr(card, column, value)


def _in_final_days(exam_at: dt.datetime, now: dt.datetime) -> bool:
    return now < exam_at <= now + dt.timedelta(days=FINAL_DAYS)


def _goal_read(goal: Goal) -> GoalRead:
    return GoalRead(
        exam_id=goal.exam_id,
        exam_date=goal.exam_date,
        weekly_minutes=list(goal.weekly_minutes),
        weekly_total_minutes=sum(goal.weekly_minutes),
        self_assessment={UUID(k): v for k, v in goal.self_assessment.items()},
        updated_at=goal.updated_at,
    )


def _card_read(
    card: ReviewCard, now: dt.datetime, exam_at: dt.datetime | None, priority: float | None
) -> ReviewCardRead:
    state = card_state(card)
    at_exam = retrievability_at(state, exam_at) if exam_at is not None and exam_at > now else None
    return ReviewCardRead(
        id=card.id,
        kind=CardKind(card.kind).value,
        topic_id=card.topic_id,
        question_id=card.question_id,
        subject_id=card.subject_id,
        phase=_PHASE_NAMES[state.phase],
        due=state.due,
        last_review=state.last_review,
        stability=state.stability,
        difficulty=state.difficulty,
        reviews=card.reviews,
        retrievability=retrievability_at(state, now),
        retrievability_at_exam=at_exam,
        priority=priority,
    )
