"""Mastery of a topic or subject, estimated from the candidate's attempts.

The model
---------
Mastery ``m`` in (0, 1) is the share of the topic the candidate really knows.
On an item whose blind-guess chance is ``g`` (0.5 for certo/errado, 1/n for n
options) the chance of a right answer is::

    P(right) = g + (1 − g) · m

so a right answer on a true/false item is weaker evidence than one on a
five-option item, while a wrong answer always means the item was not known.

We track ``m`` on the logit scale, ``θ = log(m / (1 − m))``, with a Gaussian
belief of precision ``evidence`` (one over its variance), and fold in each
attempt with one Laplace (extended Kalman) step, as Glicko-style raters do:

1. drift: the variance grows by ``DRIFT_VARIANCE``, because people learn and
   forget, and old answers should slowly lose weight;
2. evidence: precision grows by the Fisher information of the item,
   ``P'(θ)² / (P · (1 − P))``;
3. move: ``θ`` steps by the new variance times the log-likelihood slope,
   which is ``(1 − g) · m · (1 − m) / P`` after a right answer and ``−m``
   after a wrong one.

A right answer therefore always raises mastery and a wrong one lowers it,
and the steps shrink as evidence accumulates. ``θ`` is clamped so that
mastery stays inside ``[MASTERY_MIN, MASTERY_MAX]``.

The prior comes from a self-assessment of 1–5 when the candidate gave one
(``initial_mastery``). It is deliberately weak — a precision of 0.5, worth
three or four answers' Fisher information — so it stands in for mastery while
no attempt exists and fades as real attempts come in: after a few dozen
answers two candidates with opposite self-assessments and the same answers
end up within a fifth of their prior gap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import msgspec

MASTERY_MIN = 0.01
MASTERY_MAX = 0.99

DRIFT_VARIANCE = 0.02

# Self-assessment 1 ("never studied") … 5 ("I master it").
SELF_ASSESSMENT_MASTERY: dict[int, float] = {1: 0.1, 2: 0.3, 3: 0.5, 4: 0.7, 5: 0.85}
SELF_ASSESSMENT_EVIDENCE = 0.5

# Without a self-assessment assume a candidate who has seen little of the topic.
DEFAULT_MASTERY = 0.3
DEFAULT_EVIDENCE = 0.4

_LOGIT_MIN = math.log(MASTERY_MIN / (1 - MASTERY_MIN))
_LOGIT_MAX = -_LOGIT_MIN


class InvalidSelfAssessmentError(ValueError):
    """A self-assessment outside 1–5."""


class MasteryState(msgspec.Struct, frozen=True):
    """The belief about one topic's mastery.

    ``evidence`` is the precision of the logit-scale estimate; ``attempts``
    counts the real answers folded in (0 while only the prior speaks).
    """

    mastery: float
    attempts: int = 0
    evidence: float = DEFAULT_EVIDENCE


def initial_mastery(self_assessment: int | None = None) -> MasteryState:
    """The prior before any attempt: from a 1–5 self-assessment, or the default."""
    if self_assessment is None:
        return MasteryState(mastery=DEFAULT_MASTERY, evidence=DEFAULT_EVIDENCE)

    if self_assessment not in SELF_ASSESSMENT_MASTERY:
        raise InvalidSelfAssessmentError(f"self-assessment must be 1–5, got {self_assessment}")

    return MasteryState(
        mastery=SELF_ASSESSMENT_MASTERY[self_assessment],
        evidence=SELF_ASSESSMENT_EVIDENCE,
    )


def expected_accuracy(mastery: float, guess_floor: float) -> float:
    """Chance of a right answer: ``g + (1 − g) · m``."""
    return guess_floor + (1 - guess_floor) * mastery


def update_mastery(state: MasteryState, correct: bool, guess_floor: float) -> MasteryState:
    """Fold one attempt into the belief (see the module docstring)."""
    if not 0 <= guess_floor < 1:
        raise ValueError(f"guess floor must be in [0, 1), got {guess_floor}")

    m = min(max(state.mastery, MASTERY_MIN), MASTERY_MAX)
    theta = _logit(m)
    p_right = expected_accuracy(m, guess_floor)
    slope = (1 - guess_floor) * m * (1 - m)  # dP/dθ

    variance = 1 / state.evidence + DRIFT_VARIANCE
    information = slope**2 / (p_right * (1 - p_right))
    evidence = 1 / variance + information

    score = slope / p_right if correct else -m
    theta = min(max(theta + score / evidence, _LOGIT_MIN), _LOGIT_MAX)

    # The logit round trip can wobble in the last bit; never let that turn a
    # right answer into a (tiny) drop, nor a wrong one into a rise.
    mastery = min(max(_logistic(theta), MASTERY_MIN), MASTERY_MAX)
    mastery = max(mastery, m) if correct else min(mastery, m)

    return MasteryState(
        mastery=mastery,
        attempts=state.attempts + 1,
        evidence=evidence,
    )


def replay_attempts(state: MasteryState, attempts: Iterable[tuple[bool, float]]) -> MasteryState:
    """Fold ``(correct, guess_floor)`` attempts in order."""
    for correct, guess_floor in attempts:
        state = update_mastery(state, correct, guess_floor)
    return state


def combined_mastery(parts: Iterable[tuple[MasteryState, float]]) -> float:
    """Weighted mean mastery of topics, e.g. a subject from its topics.

    Each part is ``(state, weight)``; weights are typically the topic's share
    of the subject's questions. Returns ``DEFAULT_MASTERY`` for no weight.
    """
    total_weight = 0.0
    weighted = 0.0
    for state, weight in parts:
        total_weight += weight
        weighted += state.mastery * weight

    if total_weight <= 0:
        return DEFAULT_MASTERY
    return weighted / total_weight


def _logit(mastery: float) -> float:
    clamped = min(max(mastery, MASTERY_MIN), MASTERY_MAX)
    return math.log(clamped / (1 - clamped))


def _logistic(theta: float) -> float:
    return 1 / (1 + math.exp(-theta))
