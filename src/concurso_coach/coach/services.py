"""Coach rules and transactions: goal, mastery, spaced reviews, study plan, agenda.

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
import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from uuid import UUID

import msgspec
import structlog
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from concurso_coach.catalogue.schemas import ExamDetail
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
    StudyPlanRecord,
)
from concurso_coach.coach.planner import (
    AgendaKind,
    DayAgenda,
    InvalidPlanInputError,
    PlanSettings,
    StudyPlan,
    SubjectStatus,
    WeekMinutes,
    agenda_for_day,
    plan_study,
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
    AgendaItemRead,
    AgendaRead,
    BlockPlanRead,
    GoalRead,
    GoalWrite,
    MasterySummary,
    ReviewCardRead,
    StudyPlanRead,
    SubjectMastery,
    SubjectMinutesRead,
    SubjectPlanRead,
    TopicMastery,
    WeekTargetRead,
)
from concurso_coach.jobs.queue import JobInfo, JobQueue
from concurso_coach.platform.errors import ConflictError, NotFoundError, UnprocessableError
from concurso_coach.platform.pagination import Page
from concurso_coach.practice.scoring import (
    BlockSpec,
    ItemKind,
    MockExamStructure,
    ScoringRule,
    SubjectSpec,
)
from concurso_coach.questions.schemas import QuestionKey

log = structlog.get_logger(__name__)

REPLAN_TASK = "coach.replan"
REPLAN_DEBOUNCE_SECONDS = 30.0
EXAM_RETENTION_TARGET = DEFAULT_EXAM_RETENTION
FINAL_DAYS = 14
# Expected review load per day: the cards due within this many days, spread evenly.
REVIEW_LOAD_HORIZON_DAYS = 7

_PHASE_NAMES = {
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


class StoredPlan(msgspec.Struct, frozen=True):
    """What ``coach_study_plans.plan`` holds: the plan and the inputs behind it."""

    exam_id: UUID
    plan: StudyPlan
    subject_ids: dict[str, UUID]
    status: dict[str, SubjectStatus]
    review_minutes_per_day: float


class PlanInputs(msgspec.Struct, frozen=True):
    goal_exam_id: UUID
    structure: MockExamStructure
    status: dict[str, SubjectStatus]
    subject_ids: dict[str, UUID]
    today: dt.date
    exam_date: dt.date
    weekly_minutes: WeekMinutes
    review_minutes_per_day: float

    def digest(self) -> str:
        return hashlib.sha256(msgspec.json.encode(self)).hexdigest()


class CoachService:
    """The coach over one session; public writes commit, hooks leave it to the caller."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.catalogue = CatalogueService(session)
        self.goals = GoalRepository(session=session)
        self.mastery = MasteryRepository(session=session)
        self.cards = ReviewCardRepository(session=session)
        self.logs = ReviewLogRepository(session=session)
        self.plans = StudyPlanRepository(session=session)
        self.activity = ActivityRepository(session=session)

    # Goal

    async def get_goal(self, account_id: UUID) -> GoalRead:
        return _goal_read(await self._require_goal(account_id))

    async def put_goal(self, account_id: UUID, data: GoalWrite, now: dt.datetime) -> GoalRead:
        try:
            exam = await self.catalogue.get_exam_structure(data.exam_id)
        except NotFoundError:
            raise UnprocessableError(f"exam_id {data.exam_id} names no exam.") from None

        exam_date = data.exam_date or exam.exam_date
        if exam_date is None:
            raise UnprocessableError("The exam has no date yet; give exam_date.")
        if exam_date <= coach_day(now):
            raise UnprocessableError("The exam date must be after today.")

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
        subject_id = question.subject_id
        if subject_id is None and question.topic_id is not None:
            subject_id = (await self.catalogue.get_topic(question.topic_id)).subject_id

        floor = guess_floor(question)
        if subject_id is not None:
            prior = _prior(goal, subject_id)
            await self._fold(
                account_id, MasteryKind.SUBJECT, subject_id, None, prior, correct, floor
            )
            if question.topic_id is not None:
                await self._fold(
                    account_id,
                    MasteryKind.TOPIC,
                    subject_id,
                    question.topic_id,
                    prior,
                    correct,
                    floor,
                )

        exam_at = day_start(goal.exam_date) if goal is not None else None
        grade = grade_for_attempt(correct)
        if question.topic_id is not None:
            await self._review_target(
                account_id, CardKind.TOPIC, question.topic_id, subject_id, grade,
                answered_at, exam_at, create=True,
            )  # fmt: skip
        await self._review_target(
            account_id, CardKind.QUESTION, question.id, subject_id, grade,
            answered_at, exam_at, create=not correct,
        )  # fmt: skip

        await self.activity.mark(account_id, coach_day(answered_at))

    async def _fold(
        self,
        account_id: UUID,
        kind: MasteryKind,
        subject_id: UUID,
        topic_id: UUID | None,
        prior: MasteryState,
        correct: bool,
        floor: float,
    ) -> None:
        target = topic_id if topic_id is not None else subject_id
        row = await self.mastery.get_for_update(account_id, kind.value, target)
        state = prior if row is None else MasteryState(row.mastery, row.attempts, row.evidence)
        state = update_mastery(state, correct, floor)

        if row is None:
            row = MasteryRow(
                account_id=account_id,
                kind=kind.value,
                target_id=target,
                subject_id=subject_id,
                topic_id=topic_id,
            )
            self.session.add(row)
        row.mastery, row.evidence, row.attempts = state.mastery, state.evidence, state.attempts

    async def _review_target(
        self,
        account_id: UUID,
        kind: CardKind,
        target_id: UUID,
        subject_id: UUID | None,
        grade: Grade,
        answered_at: dt.datetime,
        exam_at: dt.datetime | None,
        *,
        create: bool,
    ) -> None:
        card = await self.cards.get_for_update(account_id, kind.value, target_id)
        if card is None:
            if not create:
                return
            card = ReviewCard(
                # An id now: the review log of this very answer points at it.
                id=uuid7(),
                account_id=account_id,
                kind=kind.value,
                target_id=target_id,
                topic_id=target_id if kind is CardKind.TOPIC else None,
                question_id=target_id if kind is CardKind.QUESTION else None,
                subject_id=subject_id,
                reviews=0,
                **card_to_columns(new_card(answered_at)),
            )
            self.session.add(card)

        # Free practice before the card is due feeds mastery only (see scheduler).
        if counts_as_review(_state(card), answered_at):
            self._apply_review(card, grade, answered_at, exam_at, "attempt", None)

    def _apply_review(
        self,
        card: ReviewCard,
        grade: Grade,
        reviewed_at: dt.datetime,
        exam_at: dt.datetime | None,
        source: str,
        duration_ms: int | None,
    ) -> ReviewRecord:
        state, record = review_card(_state(card), grade, reviewed_at, duration_ms=duration_ms)
        if exam_at is not None:
            state = bring_forward_for_exam(
                state, exam_at, now=reviewed_at, target_retention=EXAM_RETENTION_TARGET
            )
        _store_state(card, state)
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
                mastery, attempts, source = known.mastery, known.attempts, "attempts"
            else:
                mastery, attempts = _prior(goal, subject_id).mastery, 0
                source = "self_assessment" if assessed else "default"
            topics = sorted(topic_rows.get(subject_id, []), key=lambda r: str(r.target_id))
            subjects.append(
                SubjectMastery(
                    subject_id=subject_id,
                    subject=names.get(subject_id),
                    mastery=mastery,
                    attempts=attempts,
                    source=source,  # type: ignore[arg-type]
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
        due = await self.cards.list_due(account_id, now + DEFAULT_EARLY_WINDOW)

        priorities: dict[UUID, float] = {}
        if goal is not None and exam_at is not None and _in_final_days(exam_at, now):
            weights = await self._subject_weights(goal.exam_id)
            ranked = rank_for_final_days(
                [(c.id, _state(c), weights.get(c.subject_id, 0.0)) for c in due], exam_at, now
            )
            priorities = {entry.card_id: entry.priority for entry in ranked}
            order = {entry.card_id: index for index, entry in enumerate(ranked)}
            due.sort(key=lambda c: order[c.id])

        items = [
            _card_read(card, now, exam_at, priorities.get(card.id))
            for card in due[offset : offset + limit]
        ]
        return Page(items, len(due), limit, offset)

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
        if not counts_as_review(_state(card), now):
            raise ConflictError(f"The card is not due until {_state(card).due.isoformat()}.")

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

    # Study plan

    async def get_study_plan(self, account_id: UUID, now: dt.datetime) -> StudyPlanRead:
        """The stored plan; computed now when none exists or the goal changed since."""
        goal = await self._require_goal(account_id)
        record = await self.plans.get_one_or_none(account_id=account_id)
        if record is None or record.computed_at < goal.updated_at:
            record = await self._compute_and_store(goal, now)
        return _plan_read(record)

    async def replan(self, account_id: UUID, now: dt.datetime) -> dict[str, object]:
        """Recompute the plan and bring cards forward for the exam; idempotent.

        The plan is written only when its inputs changed.
        """
        goal = await self.goals.get_one_or_none(account_id=account_id)
        if goal is None:
            return {"account_id": str(account_id), "planned": False}

        moved = await self._bring_cards_forward(goal, now)
        record = await self.plans.get_one_or_none(account_id=account_id)
        inputs = await self._plan_inputs(goal, now)
        changed = record is None or record.inputs_hash != inputs.digest()
        if changed:
            await self._store(goal.account_id, inputs, now)
        elif moved:
            await self.session.commit()
        log.info("replanned", account_id=str(account_id), changed=changed, cards_moved=moved)
        return {"account_id": str(account_id), "planned": True, "changed": changed}

    async def goal_account_ids(self) -> list[UUID]:
        return await self.goals.list_account_ids()

    async def _bring_cards_forward(self, goal: Goal, now: dt.datetime) -> int:
        exam_at = day_start(goal.exam_date)
        moved = 0
        for card in await self.cards.list_for_account(goal.account_id):
            state = _state(card)
            forward = bring_forward_for_exam(
                state, exam_at, now=now, target_retention=EXAM_RETENTION_TARGET
            )
            if forward.due != state.due:
                _store_state(card, forward)
                moved += 1
        return moved

    async def _compute_and_store(self, goal: Goal, now: dt.datetime) -> StudyPlanRecord:
        return await self._store(goal.account_id, await self._plan_inputs(goal, now), now)

    async def _plan_inputs(self, goal: Goal, now: dt.datetime) -> PlanInputs:
        exam = await self.catalogue.get_exam_structure(goal.exam_id)
        structure, subject_ids = _exam_structure(exam)
        today = coach_day(now)
        if goal.exam_date <= today:
            raise UnprocessableError("The goal's exam date has passed; set a new goal.")

        rows = await self.mastery.list_for_account(goal.account_id)
        subject_rows = {r.subject_id: r for r in rows if r.kind == MasteryKind.SUBJECT}
        cards = await self.cards.list_for_account(goal.account_id)
        retention = _retention_by_subject(cards, day_start(goal.exam_date))

        status = {}
        for name, subject_id in subject_ids.items():
            row = subject_rows.get(subject_id)
            mastery = row.mastery if row is not None else _prior(goal, subject_id).mastery
            status[name] = SubjectStatus(
                mastery=round(mastery, 6), retention=round(retention.get(subject_id, 1.0), 6)
            )

        horizon = now + dt.timedelta(days=REVIEW_LOAD_HORIZON_DAYS)
        upcoming = sum(1 for card in cards if _state(card).due <= horizon)
        seconds = PlanSettings().review_seconds_per_card
        review_minutes = round(upcoming * seconds / 60 / REVIEW_LOAD_HORIZON_DAYS, 2)

        return PlanInputs(
            goal_exam_id=goal.exam_id,
            structure=structure,
            status=status,
            subject_ids=subject_ids,
            today=today,
            exam_date=goal.exam_date,
            weekly_minutes=_week(goal.weekly_minutes),
            review_minutes_per_day=review_minutes,
        )

    async def _store(
        self, account_id: UUID, inputs: PlanInputs, now: dt.datetime
    ) -> StudyPlanRecord:
        try:
            plan = plan_study(
                inputs.structure,
                inputs.status,
                today=inputs.today,
                exam_date=inputs.exam_date,
                weekly_minutes=inputs.weekly_minutes,
                review_minutes_per_day=inputs.review_minutes_per_day,
            )
        except InvalidPlanInputError as exc:
            raise UnprocessableError(f"Cannot plan: {exc}.") from None

        stored = StoredPlan(
            exam_id=inputs.goal_exam_id,
            plan=plan,
            subject_ids=inputs.subject_ids,
            status=inputs.status,
            review_minutes_per_day=inputs.review_minutes_per_day,
        )
        digest = inputs.digest()
        try:
            record = await self._write_plan(account_id, stored, digest, now)
        except sa_exc.IntegrityError:
            # Another request stored the first plan meanwhile: update that one.
            await self.session.rollback()
            record = await self._write_plan(account_id, stored, digest, now)
        log.info("study_plan_stored", account_id=str(account_id), weeks=len(plan.weeks))
        return record

    async def _write_plan(
        self, account_id: UUID, stored: StoredPlan, digest: str, now: dt.datetime
    ) -> StudyPlanRecord:
        record = await self.plans.get_for_update(account_id)
        if record is None:
            record = StudyPlanRecord(account_id=account_id, cycle_position=0)
            self.session.add(record)
        record.plan = msgspec.to_builtins(stored)
        record.computed_at = now
        record.inputs_hash = digest
        await self.session.commit()
        return record

    # Agenda

    async def agenda(self, account_id: UUID, day: dt.date, now: dt.datetime) -> AgendaRead:
        """The day's reviews and study slots, walking the cycle from where it stopped.

        The position moves on only when the candidate was active on the last
        agenda's day or later; asking for a past day changes nothing.
        """
        goal = await self._require_goal(account_id)
        record = await self.plans.get_for_update(account_id)
        if record is None or record.computed_at < goal.updated_at:
            await self._compute_and_store(goal, now)
            record = await self.plans.get_for_update(account_id)
            assert record is not None
        stored = msgspec.convert(record.plan, StoredPlan)

        due = await self.cards.count_due(account_id, day_start(day + dt.timedelta(days=1)))
        last = record.last_agenda_day
        if last is not None and day < last:
            agenda = agenda_for_day(stored.plan, day, record.cycle_position, due)
            return _agenda_read(agenda, stored, due, record.cycle_position)

        if (
            last is not None
            and day > last
            and await self.activity.any_between(account_id, last, day)
        ):
            record.cycle_position = record.next_cycle_position
        agenda = agenda_for_day(stored.plan, day, record.cycle_position, due)
        record.last_agenda_day = day
        record.next_cycle_position = agenda.next_cycle_position
        position = record.cycle_position
        await self.session.commit()
        return _agenda_read(agenda, stored, due, position)


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


async def mastery_summary(session: AsyncSession, account_id: UUID) -> MasterySummary:
    return await CoachService(session).mastery_summary(account_id)


# Helpers


def _prior(goal: Goal | None, subject_id: UUID) -> MasteryState:
    assessed = goal.self_assessment.get(str(subject_id)) if goal is not None else None
    return initial_mastery(assessed)


def _state(card: ReviewCard) -> CardState:
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


def _store_state(card: ReviewCard, state: CardState) -> None:
    for column, value in card_to_columns(state).items():
        setattr(card, column, value)


def _in_final_days(exam_at: dt.datetime, now: dt.datetime) -> bool:
    return now < exam_at <= now + dt.timedelta(days=FINAL_DAYS)


def _retention_by_subject(cards: Sequence[ReviewCard], exam_at: dt.datetime) -> dict[UUID, float]:
    values: dict[UUID, list[float]] = defaultdict(list)
    for card in cards:
        state = _state(card)
        if card.subject_id is None or state.last_review is None:
            continue
        recall = retrievability_at(state, exam_at)
        values[card.subject_id].append(max(recall, EXAM_RETENTION_TARGET))
    return {subject: sum(v) / len(v) for subject, v in values.items()}


def _exam_structure(exam: ExamDetail) -> tuple[MockExamStructure, dict[str, UUID]]:
    """The planner's view of an exam: subjects that carry questions, in edital order."""
    rule = ScoringRule(exam.scoring_rule.value)
    if rule is ScoringRule.TRUE_FALSE_PENALISED:
        kind = ItemKind.TRUE_FALSE
    elif exam.option_count == len(ItemKind.CHOICE_A_TO_D.options):
        kind = ItemKind.CHOICE_A_TO_D
    else:
        kind = ItemKind.CHOICE_A_TO_E

    blocks = []
    subject_ids: dict[str, UUID] = {}
    for block in exam.blocks:
        subjects = tuple(
            SubjectSpec(s.name, s.weight, s.question_count, s.minimum_score)
            for s in block.subjects
            if s.question_count > 0 and s.weight > 0
        )
        subject_ids.update({s.name: s.id for s in block.subjects if s.question_count > 0})
        if subjects:
            blocks.append(BlockSpec(block.name, subjects, block.minimum_score))

    if not blocks:
        raise UnprocessableError(
            "The exam's subjects have no question counts or weights yet; "
            "an editor must set them before a plan can be made."
        )
    kept = {s.name for b in blocks for s in b.subjects}
    return MockExamStructure(rule, kind, tuple(blocks)), {
        name: sid for name, sid in subject_ids.items() if name in kept
    }


def _week(minutes: Sequence[int]) -> WeekMinutes:
    a, b, c, d, e, f, g = (int(m) for m in minutes)
    return (a, b, c, d, e, f, g)


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
    state = _state(card)
    at_exam = retrievability_at(state, exam_at) if exam_at is not None and exam_at > now else None
    return ReviewCardRead(
        id=card.id,
        kind=CardKind(card.kind).value,
        topic_id=card.topic_id,
        question_id=card.question_id,
        subject_id=card.subject_id,
        phase=_PHASE_NAMES[state.phase],  # type: ignore[arg-type]
        due=state.due,
        last_review=state.last_review,
        stability=state.stability,
        difficulty=state.difficulty,
        reviews=card.reviews,
        retrievability=retrievability_at(state, now),
        retrievability_at_exam=at_exam,
        priority=priority,
    )


def _plan_read(record: StudyPlanRecord) -> StudyPlanRead:
    stored = msgspec.convert(record.plan, StoredPlan)
    plan, ids = stored.plan, stored.subject_ids
    subjects = [
        SubjectPlanRead(
            subject_id=ids[s.subject],
            subject=s.subject,
            block=s.block,
            current_mastery=stored.status[s.subject].mastery,
            retention=stored.status[s.subject].retention,
            hours=s.hours,
            expected_gain=s.expected_gain,
            predicted_mastery=s.predicted_mastery,
            predicted_accuracy=s.predicted_accuracy,
            predicted_score=s.predicted_score,
            score_sd=s.score_sd,
            minimum_score=s.minimum_score,
            pass_chance=s.pass_chance,
        )
        for s in plan.subjects
    ]
    subjects.sort(key=lambda s: s.expected_gain, reverse=True)
    return StudyPlanRead(
        exam_id=stored.exam_id,
        computed_at=record.computed_at,
        today=plan.today,
        exam_date=plan.exam_date,
        weekly_minutes=list(plan.weekly_minutes),
        review_minutes_per_day=stored.review_minutes_per_day,
        predicted_total=plan.predicted_total,
        total_sd=plan.total_sd,
        minimum_total=plan.minimum_total,
        pass_chance=plan.pass_chance,
        subjects=subjects,
        blocks=[
            BlockPlanRead(b.name, b.predicted_score, b.score_sd, b.minimum_score, b.pass_chance)
            for b in plan.blocks
        ],
        weeks=[
            WeekTargetRead(
                week_start=w.week_start,
                available_minutes=w.available_minutes,
                review_minutes=w.review_minutes,
                study_minutes=w.study_minutes,
                subjects=[
                    SubjectMinutesRead(ids[m.subject], m.subject, m.minutes) for m in w.subjects
                ],
            )
            for w in plan.weeks
        ],
        cycle=list(plan.cycle),
    )


def _agenda_read(agenda: DayAgenda, stored: StoredPlan, due: int, position: int) -> AgendaRead:
    ids: Mapping[str, UUID] = stored.subject_ids
    return AgendaRead(
        date=agenda.day,
        items=[
            AgendaItemRead(
                kind="review" if item.kind is AgendaKind.REVIEW else "study",
                minutes=item.minutes,
                subject_id=ids.get(item.subject) if item.subject else None,
                subject=item.subject,
            )
            for item in agenda.items
        ],
        due_reviews=due,
        reviews_planned=agenda.reviews_planned,
        reviews_deferred=agenda.reviews_deferred,
        cycle_position=position % len(stored.plan.cycle) if stored.plan.cycle else 0,
        cycle_length=len(stored.plan.cycle),
    )
