"""Pure arithmetic of the benchmark: percentiles, spreads over runs, ratios, run order.

Nothing here touches a process, a socket or a clock, so the unit tests in
``tests/bench`` pin it exactly.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """The minimum, median and maximum of one figure over the runs."""

    min: float
    median: float
    max: float

    def as_dict(self) -> dict[str, float]:
        return {"min": self.min, "median": self.median, "max": self.max}


def spread(values: Iterable[float]) -> Spread:
    ordered = sorted(values)
    if not ordered:
        raise ValueError("a spread needs at least one run")
    return Spread(ordered[0], statistics.median(ordered), ordered[-1])


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (as wrk reports it): the smallest sample ≥ that share."""
    if not samples:
        raise ValueError("a percentile needs at least one sample")
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    ordered = sorted(samples)
    rank = math.ceil(fraction * len(ordered))
    return ordered[rank - 1]


def ratio(measured: float, ceiling: float) -> float | None:
    """``measured / ceiling``; ``None`` when there is no ceiling to compare with."""
    if ceiling <= 0:
        return None
    return measured / ceiling


def interleave(names: Sequence[str], rounds: int) -> list[tuple[int, str]]:
    """Run order A B C A B C …: every name once per round, so drift hits all alike."""
    return [(number, name) for number in range(1, rounds + 1) for name in names]


def tail_ratio(p50: float, p99: float) -> float | None:
    """How many times the median latency the 99th percentile is."""
    if p50 <= 0:
        return None
    return p99 / p50


def megabytes(byte_count: int) -> float:
    return round(byte_count / 1_048_576, 1)


def rss_growth(samples: Sequence[tuple[int, int]], total: int) -> tuple[int, int, int]:
    """(RSS once a tenth of the input is in, peak RSS, growth between them), in bytes.

    A constant-memory import levels off early: growth after the first tenth
    stays small however large the file is.
    """
    if not samples:
        raise ValueError("no RSS samples")
    threshold = total / 10
    early = next((rss for done, rss in samples if done >= threshold), samples[0][1])
    peak = max(rss for _, rss in samples)
    return early, peak, peak - early
