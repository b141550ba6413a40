"""The study planner: where the hours left before the exam pay off most.

Models
------
Learning curve. ``t`` hours of study on a subject take its mastery from
``m0`` to ``m(t) = 1 − (1 − m0) · exp(−t / τ)``: each hour closes a fixed
share of what is left, so returns diminish. ``τ`` is the hours that close
63 % of the gap. Unless a subject gives its own ``hours_to_learn``, ``τ`` is
``PlanSettings.hours_to_learn`` (40 h) scaled by the subject's question count
over the exam's mean: boards give questions roughly by syllabus size, so a
30-question subject takes six times as long to cover as a 5-question one.

Exam day. Mastery on exam day is ``m(t) · retention`` (``retention`` is the
predicted share still recalled then, e.g. the mean FSRS retrievability of
the subject's cards at the exam). Accuracy is ``p = g + (1 − g) · mastery``
with ``g`` the item kind's guess floor — or a lower ``accuracy_floor`` for
subjects where the board's traps leave the candidate below chance.

Expected net per item. ``multiple_choice``: ``p``. ``true_false_penalised``:
``2p − 1``, which only pays once ``p`` exceeds 0.5; with blanks allowed the
candidate leaves the subject blank below that, so ``max(0, 2p − 1)``. A
subject's expected score is ``question_count × weight × net per item`` and
its variance is that of independent items (binomial: ``p(1 − p)`` per
multiple-choice item, ``4p(1 − p)`` per answered true/false item).

Allocation: greedy marginal. The study time (availability minus the review
share) is cut into slots of 30 minutes and each slot goes to the subject
whose expected score it raises most. Because ``max(0, 2p − 1)`` is flat
before it rises, a one-slot look would never start such a subject; the gain
is therefore the best *average* gain over the next 1…``lookahead_slots``
slots, which lets a subject that needs a run of slots to cross 0.5 win them
when — and only when — the whole run is worth it. Subjects whose own minimum
or whose block's minimum is not yet expected to be met come first: while any
exists, only they compete.

Pass chance. Each score is approximated by a normal with the mean and
variance above; a minimum is met with chance ``Φ((mean − minimum) / sd)``.
The plan's pass chance multiplies the chances of every minimum (subject,
block, total). Scores of independent items are positively associated, so the
product is a lower bound (Harris inequality).

Weekly targets split each week's study minutes over subjects in proportion
to their planned hours. The study cycle is a short sequence of subject slots
in the same proportions, spread out by smooth weighted round robin; the daily
agenda walks it from a stored position, so a missed day is not lost.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import msgspec

from concurso_coach.coach.mastery import DEFAULT_MASTERY
from concurso_coach.practice.scoring import MockExamStructure, ScoringRule

WeekMinutes = tuple[int, int, int, int, int, int, int]
"""Minutes available on each weekday, Monday first."""


class SubjectStatus(msgspec.Struct, frozen=True):
    """Where the candidate stands on a subject today."""

    mastery: float
    retention: float = 1.0
    accuracy_floor: float | None = None
    hours_to_learn: float | None = None


class PlanSettings(msgspec.Struct, frozen=True):
    slot_minutes: int = 30
    review_cap_share: float = 0.3
    review_seconds_per_card: int = 60
    hours_to_learn: float = 40.0
    blanks_allowed: bool = True
    lookahead_slots: int = 60
    cycle_slots: int | None = None
    """Slots in one study cycle; ``None`` for an average week's worth."""


class SubjectPlan(msgspec.Struct, frozen=True):
    """A subject's share of the plan; ``pass_chance`` is ``None`` without a minimum."""

    subject: str
    block: str
    hours: float
    expected_gain: float
    predicted_mastery: float
    predicted_accuracy: float
    predicted_score: float
    score_sd: float
    minimum_score: float | None
    pass_chance: float | None


class BlockPlan(msgspec.Struct, frozen=True):
    name: str
    predicted_score: float
    score_sd: float
    minimum_score: float | None
    pass_chance: float | None


class SubjectMinutes(msgspec.Struct, frozen=True):
    subject: str
    minutes: int


class WeekTarget(msgspec.Struct, frozen=True):
    """A week's budget; ``week_start`` is its first planned day."""

    week_start: date
    available_minutes: int
    review_minutes: int
    study_minutes: int
    subjects: tuple[SubjectMinutes, ...]


class StudyPlan(msgspec.Struct, frozen=True):
    today: date
    exam_date: date
    weekly_minutes: WeekMinutes
    settings: PlanSettings
    subjects: tuple[SubjectPlan, ...]
    blocks: tuple[BlockPlan, ...]
    predicted_total: float
    total_sd: float
    minimum_total: float | None
    pass_chance: float
    weeks: tuple[WeekTarget, ...]
    cycle: tuple[str, ...]


class AgendaKind(enum.StrEnum):
    REVIEW = "review"
    STUDY = "study"


class AgendaItem(msgspec.Struct, frozen=True):
    kind: AgendaKind
    minutes: int
    subject: str | None = None


class DayAgenda(msgspec.Struct, frozen=True):
    """One day's work; store ``next_cycle_position`` for the next call."""

    day: date
    items: tuple[AgendaItem, ...]
    reviews_planned: int
    reviews_deferred: int
    next_cycle_position: int


class InvalidPlanInputError(ValueError):
    """Inputs the planner cannot plan with."""


_DEFAULT_STATUS = SubjectStatus(mastery=DEFAULT_MASTERY)


class _Curve:
    """A subject's learning curve, evaluated lazily per number of slots held."""

    def __init__(
        self,
        structure: MockExamStructure,
        row: tuple[str, str, float | None],
        status: SubjectStatus,
        settings: PlanSettings,
    ) -> None:
        self.name, self.block, self.minimum = row
        spec = next(s for s in structure.subjects if s.name == self.name)
        counts = [s.question_count for s in structure.subjects]

        self.rule = structure.rule
        self.blanks_allowed = settings.blanks_allowed
        self.items = spec.question_count
        self.weight = spec.weight
        self.initial = status.mastery
        self.retention = status.retention
        self.floor = structure.item_kind.guess_floor
        if status.accuracy_floor is not None:
            self.floor = status.accuracy_floor
        self.tau = status.hours_to_learn or (
            settings.hours_to_learn * spec.question_count * len(counts) / sum(counts)
        )
        self.slot_hours = settings.slot_minutes / 60
        self._means: list[float] = []

    def mastery(self, slots: int) -> float:
        return learned_mastery(self.initial, slots * self.slot_hours, self.tau)

    def accuracy(self, slots: int) -> float:
        return self.floor + (1 - self.floor) * self.mastery(slots) * self.retention

    def mean(self, slots: int) -> float:
        while len(self._means) <= slots:
            net = net_per_item(self.rule, self.accuracy(len(self._means)), self.blanks_allowed)
            self._means.append(self.items * self.weight * net)
        return self._means[slots]

    def variance(self, slots: int) -> float:
        item = _item_variance(self.rule, self.accuracy(slots), self.blanks_allowed)
        return self.items * self.weight**2 * item


def plan_study(
    structure: MockExamStructure,
    status: Mapping[str, SubjectStatus],
    *,
    today: date,
    exam_date: date,
    weekly_minutes: WeekMinutes,
    review_minutes_per_day: float = 0.0,
    settings: PlanSettings | None = None,
) -> StudyPlan:
    """Plan the days from ``today`` up to the eve of ``exam_date``.

    Subjects missing from ``status`` start at the default mastery.
    ``review_minutes_per_day`` is the expected due-review load; each day it
    takes at most ``review_cap_share`` of the time available.
    """
    settings = settings or PlanSettings()
    _check_inputs(structure, today, exam_date, weekly_minutes, settings)

    days = [today + timedelta(days=i) for i in range((exam_date - today).days)]
    reviews = [
        _review_minutes(weekly_minutes[d.weekday()], review_minutes_per_day, settings) for d in days
    ]
    study_minutes = sum(weekly_minutes[d.weekday()] for d in days) - sum(reviews)
    slot_count = study_minutes // settings.slot_minutes

    curves = [
        _Curve(structure, row, status.get(row[0], _DEFAULT_STATUS), settings)
        for row in _subject_rows(structure)
    ]
    slots = _allocate(curves, structure, slot_count, settings.lookahead_slots)

    subjects = tuple(_subject_plan(c, k, settings) for c, k in zip(curves, slots, strict=True))
    blocks = tuple(_block_plan(b.name, b.minimum_score, subjects) for b in structure.blocks)
    total = sum(s.predicted_score for s in subjects)
    total_sd = math.sqrt(sum(s.score_sd**2 for s in subjects))

    chances = [s.pass_chance for s in subjects] + [b.pass_chance for b in blocks]
    chances.append(_pass_chance(total, total_sd, structure.minimum_total))
    pass_chance = math.prod(c for c in chances if c is not None)

    return StudyPlan(
        today=today,
        exam_date=exam_date,
        weekly_minutes=weekly_minutes,
        settings=settings,
        subjects=subjects,
        blocks=blocks,
        predicted_total=total,
        total_sd=total_sd,
        minimum_total=structure.minimum_total,
        pass_chance=pass_chance,
        weeks=_week_targets(days, reviews, weekly_minutes, subjects, slots),
        cycle=_study_cycle(subjects, slots, days, reviews, weekly_minutes, settings),
    )


def agenda_for_day(plan: StudyPlan, day: date, cycle_position: int, due_reviews: int) -> DayAgenda:
    """The day's work: due reviews first (capped), then study slots in cycle order.

    ``cycle_position`` is where the previous agenda stopped; a day that was
    skipped simply never advanced it. Leftover minutes shorter than a slot
    lengthen the last study slot.
    """
    settings = plan.settings
    available = plan.weekly_minutes[day.weekday()]
    position = cycle_position % len(plan.cycle) if plan.cycle else 0
    if available == 0 or not plan.today <= day < plan.exam_date:
        return DayAgenda(day, (), 0, due_reviews, position)

    wanted = math.ceil(due_reviews * settings.review_seconds_per_card / 60)
    review_minutes = _review_minutes(available, wanted, settings)
    planned = min(due_reviews, review_minutes * 60 // settings.review_seconds_per_card)

    items: list[AgendaItem] = []
    if review_minutes:
        items.append(AgendaItem(AgendaKind.REVIEW, review_minutes))

    study = available - review_minutes
    slot_count = max(study // settings.slot_minutes, 1 if study else 0)
    for index in range(slot_count):
        subject = plan.cycle[(position + index) % len(plan.cycle)] if plan.cycle else None
        minutes = min(settings.slot_minutes, study)
        items.append(AgendaItem(AgendaKind.STUDY, minutes, subject))
    if slot_count:
        leftover = study - sum(i.minutes for i in items if i.kind is AgendaKind.STUDY)
        last = items[-1]
        items[-1] = msgspec.structs.replace(last, minutes=last.minutes + leftover)

    next_position = (position + slot_count) % len(plan.cycle) if plan.cycle else 0
    return DayAgenda(day, tuple(items), planned, due_reviews - planned, next_position)


def net_per_item(rule: ScoringRule, accuracy: float, blanks_allowed: bool = True) -> float:
    """Expected points of one item at a given accuracy (module docstring)."""
    if rule is ScoringRule.MULTIPLE_CHOICE:
        return accuracy
    net = 2 * accuracy - 1
    return max(0.0, net) if blanks_allowed else net


def learned_mastery(initial: float, hours: float, hours_to_learn: float) -> float:
    """Mastery after ``hours`` of study: ``1 − (1 − m0) · exp(−t / τ)``."""
    return 1 - (1 - initial) * math.exp(-hours / hours_to_learn)


def _item_variance(rule: ScoringRule, accuracy: float, blanks_allowed: bool) -> float:
    if rule is ScoringRule.MULTIPLE_CHOICE:
        return accuracy * (1 - accuracy)
    if blanks_allowed and accuracy <= 0.5:
        return 0.0  # left blank: a sure zero
    return 4 * accuracy * (1 - accuracy)


def _allocate(
    curves: Sequence[_Curve],
    structure: MockExamStructure,
    slot_count: int,
    lookahead: int,
) -> list[int]:
    slots = [0] * len(curves)
    block_minimum = {b.name: b.minimum_score for b in structure.blocks}
    # (slots held, best run length, gain per slot) per subject; reused while valid.
    cache: list[tuple[int, int, float] | None] = [None] * len(curves)

    for used in range(slot_count):
        limit = min(lookahead, slot_count - used)
        rates = []
        for index, curve in enumerate(curves):
            cached = cache[index]
            # A cached best run stays best while it still fits under the limit.
            if cached is None or cached[0] != slots[index] or cached[1] > limit:
                cached = (slots[index], *_best_run(curve, slots[index], limit))
                cache[index] = cached
            rates.append(cached[2])

        behind = _behind_minimums(curves, slots, block_minimum)
        pool = [i for i in behind if rates[i] > 0] or range(len(curves))
        slots[max(pool, key=lambda i: rates[i])] += 1

    return slots


def _best_run(curve: _Curve, held: int, limit: int) -> tuple[int, float]:
    base = curve.mean(held)
    best_length, best_rate = 1, -math.inf
    for length in range(1, limit + 1):
        rate = (curve.mean(held + length) - base) / length
        if rate > best_rate:
            best_length, best_rate = length, rate
    return best_length, best_rate


def _behind_minimums(
    curves: Sequence[_Curve], slots: Sequence[int], block_minimum: Mapping[str, float | None]
) -> list[int]:
    block_score: dict[str, float] = {}
    for curve, k in zip(curves, slots, strict=True):
        block_score[curve.block] = block_score.get(curve.block, 0.0) + curve.mean(k)

    behind = []
    for index, (curve, k) in enumerate(zip(curves, slots, strict=True)):
        minimum = block_minimum[curve.block]
        block_behind = minimum is not None and block_score[curve.block] < minimum
        if block_behind or (curve.minimum is not None and curve.mean(k) < curve.minimum):
            behind.append(index)
    return behind


def _subject_plan(curve: _Curve, slots: int, settings: PlanSettings) -> SubjectPlan:
    score = curve.mean(slots)
    sd = math.sqrt(curve.variance(slots))
    return SubjectPlan(
        subject=curve.name,
        block=curve.block,
        hours=slots * settings.slot_minutes / 60,
        expected_gain=score - curve.mean(0),
        predicted_mastery=curve.mastery(slots),
        predicted_accuracy=curve.accuracy(slots),
        predicted_score=score,
        score_sd=sd,
        minimum_score=curve.minimum,
        pass_chance=_pass_chance(score, sd, curve.minimum),
    )


def _block_plan(name: str, minimum: float | None, subjects: Sequence[SubjectPlan]) -> BlockPlan:
    members = [s for s in subjects if s.block == name]
    score = sum(s.predicted_score for s in members)
    sd = math.sqrt(sum(s.score_sd**2 for s in members))
    return BlockPlan(name, score, sd, minimum, _pass_chance(score, sd, minimum))


def _pass_chance(mean: float, sd: float, minimum: float | None) -> float | None:
    if minimum is None:
        return None
    if sd == 0:
        return 1.0 if mean >= minimum else 0.0
    return 0.5 * (1 + math.erf((mean - minimum) / (sd * math.sqrt(2))))


def _review_minutes(available: int, wanted: float, settings: PlanSettings) -> int:
    return min(math.ceil(wanted), math.floor(available * settings.review_cap_share))


def _week_targets(
    days: Sequence[date],
    reviews: Sequence[int],
    weekly_minutes: WeekMinutes,
    subjects: Sequence[SubjectPlan],
    slots: Sequence[int],
) -> tuple[WeekTarget, ...]:
    weeks: dict[date, list[int]] = {}
    for day, review in zip(days, reviews, strict=True):
        monday = day - timedelta(days=day.weekday())
        totals = weeks.setdefault(monday, [0, 0])
        totals[0] += weekly_minutes[day.weekday()]
        totals[1] += review

    targets = []
    for monday, (available, review) in weeks.items():
        study = available - review
        minutes = _split(study, slots)
        targets.append(
            WeekTarget(
                week_start=max(monday, days[0]),
                available_minutes=available,
                review_minutes=review,
                study_minutes=study,
                subjects=tuple(
                    SubjectMinutes(s.subject, m) for s, m in zip(subjects, minutes, strict=True)
                ),
            )
        )
    return tuple(targets)


def _study_cycle(
    subjects: Sequence[SubjectPlan],
    slots: Sequence[int],
    days: Sequence[date],
    reviews: Sequence[int],
    weekly_minutes: WeekMinutes,
    settings: PlanSettings,
) -> tuple[str, ...]:
    studied = sum(1 for k in slots if k)
    if not studied:
        return ()

    length = settings.cycle_slots
    if length is None:
        study = sum(weekly_minutes[d.weekday()] for d in days) - sum(reviews)
        length = round(study * 7 / len(days) / settings.slot_minutes)
    counts = _split(max(length, studied), slots)
    # Every subject with planned hours appears at least once per cycle.
    counts = [max(c, 1) if k else 0 for c, k in zip(counts, slots, strict=True)]

    # Smooth weighted round robin: spreads each subject evenly over the cycle.
    total = sum(counts)
    credit = [0] * len(counts)
    cycle = []
    for _ in range(total):
        credit = [c + n for c, n in zip(credit, counts, strict=True)]
        pick = max(range(len(counts)), key=lambda i: credit[i])
        credit[pick] -= total
        cycle.append(subjects[pick].subject)
    return tuple(cycle)


def _split(total: int, shares: Sequence[int]) -> list[int]:
    """``total`` in proportion to ``shares``, rounded so the parts sum exactly."""
    weight = sum(shares)
    if weight == 0:
        return [0] * len(shares)

    exact = [total * share / weight for share in shares]
    parts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - parts[i], reverse=True)
    for index in by_remainder[: total - sum(parts)]:
        parts[index] += 1
    return parts


def _subject_rows(structure: MockExamStructure) -> list[tuple[str, str, float | None]]:
    return [
        (subject.name, block.name, subject.minimum_score)
        for block in structure.blocks
        for subject in block.subjects
    ]


def _check_inputs(
    structure: MockExamStructure,
    today: date,
    exam_date: date,
    weekly_minutes: WeekMinutes,
    settings: PlanSettings,
) -> None:
    if exam_date <= today:
        raise InvalidPlanInputError("the exam date must be after today")
    if len(weekly_minutes) != 7 or any(m < 0 for m in weekly_minutes):
        raise InvalidPlanInputError("weekly minutes need 7 non-negative values, Monday first")
    if settings.slot_minutes <= 0 or not 0 <= settings.review_cap_share <= 1:
        raise InvalidPlanInputError("slots must be positive and the review cap a share")
    names = [s.name for s in structure.subjects]
    if len(set(names)) != len(names):
        raise InvalidPlanInputError("subject names must be unique in an exam")
