"""The benchmark's arithmetic: percentiles, spreads, ratios and run order."""

from __future__ import annotations

import pytest
from bench.stats import interleave, percentile, ratio, rss_growth, spread, tail_ratio


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]

    assert percentile(samples, 0.5) == 50.0
    assert percentile(samples, 0.99) == 99.0


def test_percentile_of_unsorted_samples_sorts_first() -> None:
    assert percentile([9.0, 1.0, 5.0], 0.5) == 5.0


def test_percentile_of_one_sample_is_that_sample() -> None:
    assert percentile([3.5], 0.99) == 3.5


def test_percentile_refuses_no_samples() -> None:
    with pytest.raises(ValueError, match="at least one sample"):
        percentile([], 0.5)


def test_spread_gives_min_median_max_over_runs() -> None:
    result = spread([300.0, 100.0, 200.0])

    assert result.as_dict() == {"min": 100.0, "median": 200.0, "max": 300.0}


def test_spread_of_an_even_run_count_averages_the_middle_pair() -> None:
    assert spread([1.0, 2.0, 3.0, 10.0]).median == 2.5


def test_ratio_divides_by_the_ceiling() -> None:
    assert ratio(250.0, 1000.0) == 0.25


def test_ratio_without_a_ceiling_is_none() -> None:
    assert ratio(250.0, 0.0) is None


def test_tail_ratio_is_p99_over_p50() -> None:
    assert tail_ratio(2.0, 7.0) == 3.5


def test_interleave_runs_every_scenario_once_per_round_in_order() -> None:
    assert interleave(["a", "b", "c"], 2) == [
        (1, "a"), (1, "b"), (1, "c"), (2, "a"), (2, "b"), (2, "c"),
    ]  # fmt: skip


def test_rss_growth_measures_from_the_first_tenth_of_the_input() -> None:
    samples = [(5, 90), (10, 100), (50, 104), (100, 103)]

    assert rss_growth(samples, total=100) == (100, 104, 4)
