"""The study planner: where hours go, the weekly budget and the daily agenda."""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import date, timedelta

import msgspec
import pytest

from concurso_coach.coach.mastery import initial_mastery, replay_attempts
from concurso_coach.coach.planner import (
    AgendaKind,
    InvalidPlanInputError,
    PlanSettings,
    StudyPlan,
    SubjectStatus,
    WeekMinutes,
    agenda_for_day,
    learned_mastery,
    net_per_item,
    plan_study,
)
from concurso_coach.practice.scoring import (
    BlockSpec,
    ItemKind,
    MockExamStructure,
    ScoringRule,
    SubjectSpec,
)

TODAY = date(2025, 3, 3)  # a Monday
EXAM = TODAY + timedelta(days=90)
TEN_HOURS: WeekMinutes = (90, 90, 90, 90, 90, 75, 75)
CEBRASPE = ScoringRule.TRUE_FALSE_PENALISED
CHOICE = ScoringRule.MULTIPLE_CHOICE


def subject(name: str, count: int, weight: float = 1.0) -> SubjectSpec:
    return SubjectSpec(name, weight=weight, question_count=count)


# Made-up weights and counts in the shape of PRF 2019: 120 Cebraspe items.
PRF = MockExamStructure(
    rule=CEBRASPE,
    item_kind=ItemKind.TRUE_FALSE,
    blocks=(
        BlockSpec(
            "Bloco I",
            (
                subject("Português", 15),
                subject("Raciocínio Lógico", 8),
                subject("Informática", 10),
                subject("Física", 7),
                subject("Ética", 5),
                subject("Geopolítica", 5),
                subject("Inglês", 5),
            ),
            minimum_score=10,
        ),
        BlockSpec("Bloco II", (subject("Legislação de Trânsito", 30, weight=1.5),)),
        BlockSpec(
            "Bloco III",
            (
                subject("Direito Administrativo", 7),
                subject("Direito Constitucional", 7),
                subject("Direito Penal", 7),
                subject("Processo Penal", 7),
                subject("Direitos Humanos", 7),
            ),
            minimum_score=7,
        ),
    ),
    minimum_total=40,
)
EVERYONE_AT_30 = {s.name: SubjectStatus(mastery=0.3) for s in PRF.subjects}


def plan_prf(
    status: dict[str, SubjectStatus] | None = None, review_minutes_per_day: float = 0
) -> StudyPlan:
    return plan_study(
        PRF,
        status if status is not None else EVERYONE_AT_30,
        today=TODAY,
        exam_date=EXAM,
        weekly_minutes=TEN_HOURS,
        review_minutes_per_day=review_minutes_per_day,
    )


def hours(plan: StudyPlan) -> dict[str, float]:
    return {s.subject: s.hours for s in plan.subjects}


def two_subject_exam(
    rule: ScoringRule,
    kind: ItemKind,
    first: SubjectSpec,
    second: SubjectSpec,
    minimum: float | None = None,
) -> MockExamStructure:
    return MockExamStructure(
        rule=rule,
        item_kind=kind,
        blocks=(BlockSpec("A", (first,)), BlockSpec("B", (second,), minimum_score=minimum)),
    )


@pytest.mark.parametrize("review_minutes_per_day", [0, 20])
def test_each_full_week_splits_exactly_its_study_minutes(review_minutes_per_day: float) -> None:
    plan = plan_prf(review_minutes_per_day=review_minutes_per_day)

    full_weeks = [week for week in plan.weeks if week.available_minutes == sum(TEN_HOURS)]
    assert len(full_weeks) == 12
    for week in full_weeks:
        assert week.study_minutes == 600 - week.review_minutes
        assert sum(part.minutes for part in week.subjects) == week.study_minutes


def test_weekly_review_share_is_the_daily_load_within_the_cap() -> None:
    plan = plan_prf(review_minutes_per_day=20)

    assert plan.weeks[0].review_minutes == 7 * 20
    assert plan_prf(review_minutes_per_day=500).weeks[0].review_minutes == 5 * 27 + 2 * 22


def test_planned_hours_use_the_whole_study_time() -> None:
    plan = plan_prf()

    planned = sum(s.hours for s in plan.subjects) * 60
    available = sum(week.study_minutes for week in plan.weeks)
    assert available - 30 < planned <= available


def test_more_weight_times_questions_gets_more_hours_at_equal_mastery() -> None:
    planned = hours(plan_prf())

    assert planned["Legislação de Trânsito"] > planned["Português"]
    assert planned["Português"] > planned["Informática"] > planned["Raciocínio Lógico"]
    assert planned["Raciocínio Lógico"] > planned["Ética"]


def test_lower_mastery_gets_more_hours_at_equal_size() -> None:
    status = dict(EVERYONE_AT_30)
    status["Direito Penal"] = SubjectStatus(mastery=0.1)
    status["Processo Penal"] = SubjectStatus(mastery=0.7)

    planned = hours(plan_prf(status))

    assert planned["Direito Penal"] > planned["Direito Administrativo"]
    assert planned["Direito Administrativo"] > planned["Processo Penal"]


def test_burst_of_wrong_answers_shifts_hours_to_that_subject() -> None:
    floor = ItemKind.TRUE_FALSE.guess_floor
    steady = replay_attempts(initial_mastery(3), [(i % 4 != 0, floor) for i in range(40)])
    shaken = replay_attempts(steady, [(False, floor)] * 12)
    before = {s.name: SubjectStatus(mastery=steady.mastery) for s in PRF.subjects}
    after = {**before, "Direito Penal": SubjectStatus(mastery=shaken.mastery)}

    share_before = hours(plan_prf(before))["Direito Penal"]
    share_after = hours(plan_prf(after))["Direito Penal"]

    assert shaken.mastery < steady.mastery - 0.2
    assert share_after > share_before + 2


def slow_weak_subject_plan(settings: PlanSettings | None = None) -> StudyPlan:
    """Four weeks, a solid big subject and a small one stuck below chance.

    Board traps hold "Fraca" below chance, p = 0.2 + 0.8 · 0.05 = 0.24, and
    it would take some 34 hours just to reach p = 0.5.
    """
    weak = SubjectStatus(mastery=0.05, accuracy_floor=0.2, hours_to_learn=80)
    exam = two_subject_exam(
        CEBRASPE, ItemKind.TRUE_FALSE, subject("Sólida", 40), subject("Fraca", 5)
    )
    return plan_study(
        exam,
        {"Sólida": SubjectStatus(mastery=0.4), "Fraca": weak},
        today=TODAY,
        exam_date=TODAY + timedelta(days=28),
        weekly_minutes=TEN_HOURS,
        settings=settings,
    )


def test_true_false_subject_below_chance_gets_no_time_when_not_worth_it() -> None:
    plan = slow_weak_subject_plan()

    assert hours(plan)["Fraca"] == 0
    assert plan.subjects[1].predicted_score == 0  # left blank on exam day


def test_without_blanks_a_below_chance_subject_is_predicted_to_lose_points() -> None:
    plan = slow_weak_subject_plan(PlanSettings(blanks_allowed=False))

    assert plan.subjects[1].predicted_score == pytest.approx(5 * (2 * 0.24 - 1))


def test_true_false_subject_below_chance_gets_a_run_of_slots_when_worth_it() -> None:
    weak = SubjectStatus(mastery=0.05, accuracy_floor=0.2)
    exam = two_subject_exam(
        CEBRASPE, ItemKind.TRUE_FALSE, subject("Sólida", 10), subject("Fraca", 40, weight=2)
    )
    status = {"Sólida": SubjectStatus(mastery=0.4), "Fraca": weak}

    plan = plan_study(exam, status, today=TODAY, exam_date=EXAM, weekly_minutes=TEN_HOURS)

    one_slot = learned_mastery(0.05, 0.5, 40 * 2 / 50 * 40)
    assert net_per_item(CEBRASPE, 0.2 + 0.8 * one_slot) == 0  # a single slot gains nothing
    fraca = plan.subjects[1]
    assert fraca.hours > 0
    assert fraca.predicted_accuracy > 0.5
    assert fraca.expected_gain > 0


def test_block_below_its_minimum_is_studied_first() -> None:
    exam_args = (CHOICE, ItemKind.CHOICE_A_TO_E, subject("Grande", 60), subject("Pequena", 10))
    status = {"Grande": SubjectStatus(mastery=0.3), "Pequena": SubjectStatus(mastery=0.1)}
    plan_args = {"today": TODAY, "exam_date": TODAY + timedelta(days=21)}

    free = plan_study(two_subject_exam(*exam_args), status, weekly_minutes=TEN_HOURS, **plan_args)
    bound = plan_study(
        two_subject_exam(*exam_args, minimum=8), status, weekly_minutes=TEN_HOURS, **plan_args
    )

    assert free.blocks[1].predicted_score < 8
    assert hours(bound)["Pequena"] > hours(free)["Pequena"]
    assert bound.blocks[1].predicted_score >= 8
    assert bound.pass_chance > block_pass_chance(free, 8)


def block_pass_chance(plan: StudyPlan, minimum: float) -> float:
    block = plan.blocks[1]
    return 0.5 * (1 + math.erf((block.predicted_score - minimum) / (block.score_sd * 2**0.5)))


def test_pass_chance_is_a_normal_approximation_of_the_score() -> None:
    exam = MockExamStructure(
        rule=CHOICE,
        item_kind=ItemKind.CHOICE_A_TO_E,
        blocks=(BlockSpec("A", (SubjectSpec("Única", 1.0, 10, minimum_score=6),)),),
    )
    no_time: WeekMinutes = (0, 0, 0, 0, 0, 0, 0)

    plan = plan_study(
        exam,
        {"Única": SubjectStatus(mastery=0.5)},
        today=TODAY,
        exam_date=EXAM,
        weekly_minutes=no_time,
    )

    only = plan.subjects[0]
    assert only.predicted_accuracy == pytest.approx(0.6)  # 0.2 + 0.8 · 0.5
    assert only.predicted_score == pytest.approx(6)
    assert only.score_sd == pytest.approx(math.sqrt(10 * 0.6 * 0.4))
    assert only.pass_chance == pytest.approx(0.5)
    assert plan.pass_chance == pytest.approx(0.5)


def test_net_per_item_follows_the_board_rule() -> None:
    assert net_per_item(CHOICE, 0.3) == 0.3
    assert net_per_item(CEBRASPE, 0.8) == pytest.approx(0.6)
    assert net_per_item(CEBRASPE, 0.3) == 0
    assert net_per_item(CEBRASPE, 0.3, blanks_allowed=False) == pytest.approx(-0.4)


def test_learning_curve_has_diminishing_returns() -> None:
    gains = [learned_mastery(0.2, h + 10, 40) - learned_mastery(0.2, h, 40) for h in (0, 10, 20)]

    assert gains == sorted(gains, reverse=True)
    assert learned_mastery(0.2, 40, 40) == pytest.approx(1 - 0.8 / math.e)


def test_cycle_is_proportional_to_planned_hours() -> None:
    plan = plan_prf()

    counts = Counter(plan.cycle)
    studied = {s.subject for s in plan.subjects if s.hours}
    assert set(counts) == studied
    assert counts["Legislação de Trânsito"] == max(counts.values())
    assert plan.cycle[0] != plan.cycle[1] or len(counts) == 1


def test_agenda_caps_reviews_at_their_share_of_the_day() -> None:
    plan = plan_prf()
    tuesday = TODAY + timedelta(days=1)

    agenda = agenda_for_day(plan, tuesday, cycle_position=0, due_reviews=200)

    review = [item for item in agenda.items if item.kind is AgendaKind.REVIEW]
    assert review[0].minutes == 27  # 30 % of 90 minutes
    assert agenda.reviews_planned == 27
    assert agenda.reviews_deferred == 173
    assert sum(item.minutes for item in agenda.items) == 90


def test_agenda_fits_a_small_review_load_and_studies_the_rest() -> None:
    plan = plan_prf()

    agenda = agenda_for_day(plan, TODAY, cycle_position=0, due_reviews=10)

    kinds = [item.kind for item in agenda.items]
    assert kinds == [AgendaKind.REVIEW, AgendaKind.STUDY, AgendaKind.STUDY]
    assert [item.minutes for item in agenda.items] == [10, 30, 50]  # leftover joins the last
    assert agenda.reviews_deferred == 0
    assert [item.subject for item in agenda.items[1:]] == list(plan.cycle[:2])


def test_missed_day_resumes_the_cycle_where_it_stopped() -> None:
    plan = plan_prf()
    monday, wednesday = TODAY, TODAY + timedelta(days=2)

    first = agenda_for_day(plan, monday, cycle_position=0, due_reviews=0)
    # Tuesday is missed: no agenda is taken, so the stored position stays.
    third = agenda_for_day(plan, wednesday, first.next_cycle_position, due_reviews=0)

    studied = [item.subject for item in first.items + third.items]
    assert first.next_cycle_position == 3
    assert studied == list(plan.cycle[:6])
    assert third.next_cycle_position == 6


def test_cycle_position_wraps_around() -> None:
    plan = plan_prf()
    last = len(plan.cycle) - 1

    agenda = agenda_for_day(plan, TODAY, cycle_position=last, due_reviews=0)

    assert agenda.items[0].subject == plan.cycle[last]
    assert agenda.items[1].subject == plan.cycle[0]
    assert agenda.next_cycle_position == 2


def test_day_without_availability_keeps_the_position() -> None:
    plan = plan_prf()
    rest = msgspec.structs.replace(plan, weekly_minutes=(0, 0, 0, 0, 0, 0, 0))

    agenda = agenda_for_day(rest, TODAY, cycle_position=4, due_reviews=5)

    assert agenda.items == ()
    assert agenda.next_cycle_position == 4
    assert agenda.reviews_deferred == 5


def test_plan_is_deterministic() -> None:
    assert plan_prf() == plan_prf()


def test_planning_ninety_days_is_fast() -> None:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        plan_prf(review_minutes_per_day=20)
        timings.append(time.perf_counter() - started)

    assert min(timings) < 0.1


def test_exam_must_be_after_today() -> None:
    with pytest.raises(InvalidPlanInputError, match="after today"):
        plan_study(PRF, {}, today=TODAY, exam_date=TODAY, weekly_minutes=TEN_HOURS)
