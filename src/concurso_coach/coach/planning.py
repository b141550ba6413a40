"""The study plan around the pure planner: its inputs, storage, replans and agenda.

Inputs come from the goal (exam, exam day, weekly minutes), the exam's
structure (catalogue), mastery per subject (the self-assessment prior until
attempts exist), predicted retention on exam day (see ``coach.services``) and
the expected review load: the cards due within the next week, spread over it.
The plan is stored with a hash of those inputs, so a replan that finds nothing
new writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import partial
from uuid import UUID

import anyio
import msgspec
import structlog
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.catalogue.schemas import ExamDetail
from concurso_coach.catalogue.services import CatalogueService
from concurso_coach.coach.models import Goal, MasteryKind, ReviewCard, StudyPlanRecord
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
    StudyPlanRepository,
)
from concurso_coach.coach.scheduler import bring_forward_for_exam, retrievability_at
from concurso_coach.coach.schemas import (
    AgendaItemRead,
    AgendaRead,
    BlockPlanRead,
    StudyPlanRead,
    SubjectMinutesRead,
    SubjectPlanRead,
    WeekTargetRead,
)
from concurso_coach.coach.services import (
    EXAM_RETENTION_TARGET,
    MAX_PLAN_DAYS,
    card_state,
    coach_day,
    day_start,
    prior_mastery,
    store_card_state,
)
from concurso_coach.platform.errors import NotFoundError, UnprocessableError
from concurso_coach.platform.session_bound import SessionBound
from concurso_coach.practice.scoring import (
    BlockSpec,
    ItemKind,
    MockExamStructure,
    ScoringRule,
    SubjectSpec,
)

log = structlog.get_logger(__name__)

# Expected review load per day: the cards due within this many days, spread evenly.
REVIEW_LOAD_HORIZON_DAYS = 7


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


class StudyPlanService:
    """Plans, replans and agendas over one session; writes commit explicitly."""

    catalogue = SessionBound(CatalogueService)
    goals = SessionBound(GoalRepository)
    mastery = SessionBound(MasteryRepository)
    cards = SessionBound(ReviewCardRepository)
    plans = SessionBound(StudyPlanRepository)
    activity = SessionBound(ActivityRepository)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _require_goal(self, account_id: UUID) -> Goal:
        goal = await self.goals.get_one_or_none(account_id=account_id)
        if goal is None:
            raise NotFoundError("No goal yet: set one with PUT /api/me/goal.")
        return goal

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
            state = card_state(card)
            forward = bring_forward_for_exam(
                state, exam_at, now=now, target_retention=EXAM_RETENTION_TARGET
            )
            if forward.due != state.due:
                store_card_state(card, forward)
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
        if goal.exam_date > today + dt.timedelta(days=MAX_PLAN_DAYS):
            raise UnprocessableError("The goal's exam date is too far ahead; set a new goal.")

        rows = await self.mastery.list_for_account(goal.account_id)
        subject_rows = {r.subject_id: r for r in rows if r.kind == MasteryKind.SUBJECT}
        cards = await self.cards.list_for_account(goal.account_id)
        retention = _retention_by_subject(cards, day_start(goal.exam_date))

        status = {}
        for name, subject_id in subject_ids.items():
            row = subject_rows.get(subject_id)
            mastery = row.mastery if row is not None else prior_mastery(goal, subject_id).mastery
            status[name] = SubjectStatus(
                mastery=round(mastery, 6), retention=round(retention.get(subject_id, 1.0), 6)
            )

        horizon = now + dt.timedelta(days=REVIEW_LOAD_HORIZON_DAYS)
        upcoming = sum(1 for card in cards if card_state(card).due <= horizon)
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
        work = partial(
            plan_study,
            inputs.structure,
            inputs.status,
            today=inputs.today,
            exam_date=inputs.exam_date,
            weekly_minutes=inputs.weekly_minutes,
            review_minutes_per_day=inputs.review_minutes_per_day,
        )
        try:
            # Pure CPU work of up to a second for a far exam: off the event loop.
            plan = await anyio.to_thread.run_sync(work)
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

        Only today's agenda is remembered (where its slots start), and only so that
        tomorrow can resume after it: the cycle moves on past a day only when the
        candidate was active on it. A later day is projected as if every day until
        then is done; an earlier day is shown from the current position. Neither is
        stored, so looking ahead or back never changes today.
        """
        goal = await self._require_goal(account_id)
        record = await self.plans.get_for_update(account_id)
        if record is None or record.computed_at < goal.updated_at:
            await self._compute_and_store(goal, now)
            record = await self.plans.get_for_update(account_id)
            assert record is not None
        stored = msgspec.convert(record.plan, StoredPlan)
        plan = stored.plan

        today = coach_day(now)
        start = await self._start_of(account_id, record, today)
        due = await self.cards.count_due(account_id, day_start(day + dt.timedelta(days=1)))
        if day == today:
            agenda = agenda_for_day(plan, day, start, due)
            record.cycle_position = start
            record.last_agenda_day = today
            record.next_cycle_position = agenda.next_cycle_position
            await self.session.commit()
            return _agenda_read(agenda, stored, due, start)

        position = start
        if day > today:
            # Today's slots with its own reviews, then the days between as fully studied.
            due_today = await self.cards.count_due(
                account_id, day_start(today + dt.timedelta(days=1))
            )
            position = agenda_for_day(plan, today, position, due_today).next_cycle_position
            walked = today + dt.timedelta(days=1)
            while walked < min(day, plan.exam_date):
                position = agenda_for_day(plan, walked, position, 0).next_cycle_position
                walked += dt.timedelta(days=1)
        agenda = agenda_for_day(plan, day, position, due)
        return _agenda_read(agenda, stored, due, position)

    async def _start_of(self, account_id: UUID, record: StudyPlanRecord, today: dt.date) -> int:
        """Where today's study slots start in the cycle."""
        last = record.last_agenda_day
        if last is None or last >= today:
            return record.cycle_position
        # The last agenda shown was done if the candidate was active on that day or since.
        if await self.activity.any_between(account_id, last, today):
            return record.next_cycle_position
        return record.cycle_position


def _retention_by_subject(cards: Sequence[ReviewCard], exam_at: dt.datetime) -> dict[UUID, float]:
    values: dict[UUID, list[float]] = defaultdict(list)
    for card in cards:
        state = card_state(card)
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
