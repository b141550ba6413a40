"""Summaries, the results JSON shape, targets and the printed table."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from bench.report import (
    bar_colour,
    evaluate_targets,
    import_result,
    missing_scenario,
    render_table,
    run_record,
    scenario_result,
    summarise,
)


def _runs(*rps: float, p50: float = 1.0, p99: float = 3.0, errors: int = 0) -> list[Any]:
    return [
        run_record(n, requests=int(r * 5), rps=r, p50_ms=p50, p99_ms=p99, errors=errors,
                   rss_mb=100.0 + n)
        for n, r in enumerate(rps, start=1)
    ]  # fmt: skip


def _import() -> dict[str, Any]:
    ours = [{"round": 1, "rows": 1000, "seconds": 4.0, "rows_per_s": 250.0,
             "rss_peak_mb": 120.0, "rss_growth_mb": 3.0}]  # fmt: skip
    copy = [{"round": 1, "rows": 1000, "seconds": 1.0, "rows_per_s": 1000.0}]
    return import_result(ours, copy)


def test_summarise_reports_spreads_summed_errors_and_last_rss() -> None:
    summary = summarise(_runs(300, 100, 200, errors=1))

    assert summary["rps"] == {"min": 100, "median": 200, "max": 300}
    assert summary["errors"] == 3
    assert summary["rss_mb_after"] == 103.0
    assert summary["rss_mb_peak"] == 103.0


def test_scenario_ratio_is_median_over_median_driver_rps() -> None:
    result = scenario_result("by_id", "t", 0.5, _runs(100, 200, 300), _runs(400, 500, 600))

    assert result["ratio"] == 0.4
    assert result["status"] == "ok"


def test_any_error_fails_the_scenario() -> None:
    result = scenario_result("by_id", "t", 0.5, _runs(100, errors=1), _runs(400))

    assert result["status"] == "failed"


def test_targets_mark_a_ratio_below_target_as_missed() -> None:
    scenario = scenario_result("by_id", "t", 0.5, _runs(100), _runs(400))

    targets = evaluate_targets([scenario], None)

    ratio_target = next(t for t in targets if "driver" in t["target"])
    assert ratio_target["met"] is False
    assert ratio_target["measured"] == "0.25 ×"


def test_targets_check_tail_latency_against_four_times_p50() -> None:
    scenario = scenario_result("list", "t", 0.5, _runs(100, p50=1.0, p99=5.0), _runs(100))

    tail = next(t for t in evaluate_targets([scenario], None) if "p99" in t["target"])

    assert tail["met"] is False


def test_an_unavailable_scenario_is_a_missed_target() -> None:
    missing = missing_scenario("study_plan", "t", "GET /api/me/study-plan answered 404")

    targets = evaluate_targets([missing], None)

    assert targets == [
        {"subject": "study_plan", "target": "runs",
         "measured": "GET /api/me/study-plan answered 404", "met": False}
    ]  # fmt: skip


def test_import_ratio_compares_rows_per_second_with_copy() -> None:
    assert _import()["ratio"] == 0.25


def test_results_are_json_serialisable_and_render_as_a_table() -> None:
    results = {
        "scenarios": [
            scenario_result("health", "t", None, _runs(1000), None),
            scenario_result("by_id", "t", 0.5, _runs(100), _runs(400)),
            missing_scenario("study_plan", "t", "404"),
        ],
        "import": _import(),
    }
    results["targets"] = evaluate_targets(results["scenarios"], results["import"])

    decoded = msgspec.json.decode(msgspec.json.encode(results))
    table = render_table(decoded)

    assert decoded["scenarios"][1]["driver"]["rps"]["median"] == 400
    assert "| by_id | 100 (100–100) |" in table
    assert "| study_plan | not run: 404 |" in table
    assert "COPY 1,000 rows/s | 0.25 |" in table


@pytest.mark.parametrize(
    ("value", "wanted", "colour"),
    [
        (0.2, None, "tab:gray"),
        (0.6, 0.5, "tab:green"),
        (0.5, 0.5, "tab:green"),
        (0.1, 0.4, "tab:red"),
    ],
)
def test_chart_bars_are_grey_without_a_target(
    value: float, wanted: float | None, colour: str
) -> None:
    assert bar_colour(value, wanted) == colour
