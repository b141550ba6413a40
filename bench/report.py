"""Turn runs into summaries, targets, the printed table, the JSON file and the chart.

Everything but `write_chart` is pure: dictionaries in, dictionaries or text out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.stats import ratio, spread, tail_ratio

P99_OVER_P50_MAX = 4.0
RSS_MAX_MB = 150.0
IMPORT_TARGET = 0.3
IMPORT_GROWTH_MAX_MB = 32.0


def run_record(
    round_number: int,
    *,
    requests: int,
    rps: float,
    p50_ms: float,
    p99_ms: float,
    errors: int,
    rss_mb: float | None = None,
) -> dict[str, Any]:
    return {
        "round": round_number,
        "requests": requests,
        "rps": round(rps, 1),
        "p50_ms": round(p50_ms, 3),
        "p99_ms": round(p99_ms, 3),
        "errors": errors,
        "rss_mb": rss_mb,
    }


def summarise(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """min/median/max of RPS and latencies over the runs; errors summed."""
    rss = [run["rss_mb"] for run in runs if run.get("rss_mb") is not None]
    return {
        "runs": len(runs),
        "requests": sum(run["requests"] for run in runs),
        "rps": spread(run["rps"] for run in runs).as_dict(),
        "p50_ms": spread(run["p50_ms"] for run in runs).as_dict(),
        "p99_ms": spread(run["p99_ms"] for run in runs).as_dict(),
        "errors": sum(run["errors"] for run in runs),
        "rss_mb_after": rss[-1] if rss else None,
        "rss_mb_peak": max(rss) if rss else None,
    }


def scenario_result(
    name: str,
    title: str,
    target_ratio: float | None,
    app_runs: Sequence[Mapping[str, Any]],
    driver_runs: Sequence[Mapping[str, Any]] | None,
    captured: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    app = summarise(app_runs)
    driver = summarise(driver_runs) if driver_runs else None
    ceiling_ratio = ratio(app["rps"]["median"], driver["rps"]["median"]) if driver else None
    errors = app["errors"] + (driver["errors"] if driver else 0)
    return {
        "name": name,
        "title": title,
        "status": "ok" if errors == 0 else "failed",
        "reason": f"{errors} failed requests" if errors else None,
        "app": app,
        "driver": driver,
        "ratio": None if ceiling_ratio is None else round(ceiling_ratio, 3),
        "target_ratio": target_ratio,
        "p99_over_p50": _rounded(tail_ratio(app["p50_ms"]["median"], app["p99_ms"]["median"])),
        "captured": dict(captured) if captured else None,
    }


def missing_scenario(name: str, title: str, reason: str) -> dict[str, Any]:
    return {"name": name, "title": title, "status": "unavailable", "reason": reason}


def import_result(
    import_runs: Sequence[Mapping[str, Any]], copy_runs: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    ours = spread(run["rows_per_s"] for run in import_runs)
    copy = spread(run["rows_per_s"] for run in copy_runs)
    return {
        "rows": import_runs[0]["rows"],
        "import_runs": list(import_runs),
        "copy_runs": list(copy_runs),
        "import_rows_per_s": ours.as_dict(),
        "copy_rows_per_s": copy.as_dict(),
        "ratio": _rounded(ratio(ours.median, copy.median)),
        "target_ratio": IMPORT_TARGET,
        "rss_peak_mb": max(run["rss_peak_mb"] for run in import_runs),
        "rss_growth_mb": max(run["rss_growth_mb"] for run in import_runs),
    }


def evaluate_targets(
    scenarios: Sequence[Mapping[str, Any]], bulk_import: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """One line per target of the issue: what was asked, what was measured, met or not."""
    targets: list[dict[str, Any]] = []
    for scenario in scenarios:
        name = scenario["name"]
        if scenario["status"] == "unavailable":
            targets.append(_target(name, "runs", scenario["reason"], False))
            continue
        if scenario["target_ratio"] is not None and scenario["ratio"] is not None:
            wanted = scenario["target_ratio"]
            targets.append(
                _target(
                    name,
                    f"≥ {wanted} × driver ceiling",
                    f"{scenario['ratio']:.2f} ×",
                    scenario["ratio"] >= wanted,
                )
            )
        if name != "health":
            tail = scenario["p99_over_p50"]
            targets.append(
                _target(
                    name,
                    f"p99 ≤ {P99_OVER_P50_MAX:g} × p50",
                    "n/a" if tail is None else f"{tail:.1f} ×",
                    tail is not None and tail <= P99_OVER_P50_MAX,
                )
            )
        if scenario["status"] == "failed":
            targets.append(_target(name, "no non-2xx, no errors", scenario["reason"], False))

    rss = [s["app"]["rss_mb_peak"] for s in scenarios if s["status"] != "unavailable"]
    rss = [value for value in rss if value is not None]
    if rss:
        targets.append(
            _target("server", f"RSS ≤ {RSS_MAX_MB:g} MB after load", f"{max(rss)} MB",
                    max(rss) <= RSS_MAX_MB)
        )  # fmt: skip

    if bulk_import is not None:
        targets.append(
            _target(
                "import",
                f"≥ {IMPORT_TARGET} × COPY",
                f"{bulk_import['ratio']:.2f} ×",
                bulk_import["ratio"] is not None and bulk_import["ratio"] >= IMPORT_TARGET,
            )
        )
        targets.append(
            _target(
                "import",
                f"constant memory (growth ≤ {IMPORT_GROWTH_MAX_MB:g} MB after the first tenth)",
                f"+{bulk_import['rss_growth_mb']} MB (peak {bulk_import['rss_peak_mb']} MB)",
                bulk_import["rss_growth_mb"] <= IMPORT_GROWTH_MAX_MB,
            )
        )
    return targets


def render_table(results: Mapping[str, Any]) -> str:
    """The ratio table, as Markdown (readable in a terminal too)."""
    header = (
        "| scenario | RPS median (min–max) | p50 ms | p99 ms | errors | RSS MB "
        "| driver RPS median | ratio | target |"
    )
    lines = [header, "|" + "---|" * 9]
    for scenario in results["scenarios"]:
        if scenario["status"] == "unavailable":
            lines.append(f"| {scenario['name']} | not run: {scenario['reason']} | | | | | | | |")
            continue
        app = scenario["app"]
        driver = scenario["driver"]
        rps = app["rps"]
        lines.append(
            f"| {scenario['name']} "
            f"| {rps['median']:,.0f} ({rps['min']:,.0f}–{rps['max']:,.0f}) "
            f"| {app['p50_ms']['median']:.2f} | {app['p99_ms']['median']:.2f} "
            f"| {app['errors']} | {app['rss_mb_after']} "
            f"| {'—' if driver is None else format(driver['rps']['median'], ',.0f')} "
            f"| {'—' if scenario['ratio'] is None else format(scenario['ratio'], '.2f')} "
            f"| {_target_text(scenario['target_ratio'])} |"
        )

    bulk = results.get("import")
    if bulk:
        ours = bulk["import_rows_per_s"]
        lines.append(
            f"| import ({bulk['rows']:,} rows) "
            f"| {ours['median']:,.0f} rows/s ({ours['min']:,.0f}–{ours['max']:,.0f}) "
            f"| | | 0 | peak {bulk['rss_peak_mb']} "
            f"| COPY {bulk['copy_rows_per_s']['median']:,.0f} rows/s "
            f"| {bulk['ratio']:.2f} | {_target_text(bulk['target_ratio'])} |"
        )
    return "\n".join(lines)


def render_targets(targets: Sequence[Mapping[str, Any]]) -> str:
    lines = ["| subject | target | measured | met |", "|---|---|---|---|"]
    for target in targets:
        met = "yes" if target["met"] else "**no**"
        lines.append(f"| {target['subject']} | {target['target']} | {target['measured']} | {met} |")
    return "\n".join(lines)


def render_machine(results: Mapping[str, Any]) -> str:
    """The machine and run settings, as a Markdown list."""
    box = results["machine"]
    config = results["config"]
    packages = ", ".join(f"{name} {version}" for name, version in box["packages"].items())
    return "\n".join(
        [
            f"- CPU: {box['cpu']}, {box['logical_cpus']} logical CPUs; "
            f"{box['memory_gb']} GB RAM; Linux {box['kernel']}",
            f"- PostgreSQL {box['postgresql']}, Redis {box['redis']}, {box['wrk']}, "
            f"Python {box['python']}",
            f"- {packages}",
            f"- load average (1, 5, 15 min) at start {box['load_average_at_start']}, "
            f"at end {box.get('load_average_at_end')}",
            f"- server: 1 uvicorn worker on CPU {config['server_cpu']}, in an environment with "
            "the runtime dependencies only (as the image); wrk (1 thread, "
            f"{config['connections']} connections) on CPU {config['load_cpu']}; driver "
            f"ceiling on CPU {config['server_cpu']}; PostgreSQL and Redis unpinned",
            f"- {config['rounds']} rounds of {config['run_s']:g} s per scenario after a "
            f"{config['warmup_s']:g} s warm-up, interleaved; {config['questions']:,} "
            f"questions; whole run {results.get('duration_s')} s",
        ]
    )


def bar_colour(value: float, wanted: float | None) -> str:
    """Grey without a target; green when it is met, red when not."""
    if wanted is None:
        return "tab:gray"
    return "tab:green" if value >= wanted else "tab:red"


def write_chart(results: Mapping[str, Any], target: Path) -> None:
    """Bars of each endpoint's share of its ceiling, with the target marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars: list[tuple[str, float, float | None]] = [
        (s["name"], s["ratio"], s["target_ratio"])
        for s in results["scenarios"]
        if s["status"] != "unavailable" and s.get("ratio") is not None
    ]
    bulk = results.get("import")
    if bulk and bulk.get("ratio") is not None:
        bars.append(("import vs COPY", bulk["ratio"], bulk["target_ratio"]))

    figure, axes = plt.subplots(figsize=(8, 0.6 * len(bars) + 1.5))
    names = [name for name, _, _ in bars]
    values = [value for _, value, _ in bars]
    colours = [bar_colour(value, wanted) for _, value, wanted in bars]
    axes.barh(names, values, color=colours)
    for index, (_, value, wanted) in enumerate(bars):
        axes.text(value + 0.01, index, f"{value:.2f}", va="center")
        if wanted is not None:
            axes.plot([wanted, wanted], [index - 0.4, index + 0.4], color="black", linewidth=2)
    axes.invert_yaxis()
    axes.set_xlabel(
        "share of the ceiling (driver SQL, or COPY for import); black mark: target, grey: no target"
    )
    axes.set_xlim(0, max([1.0, *values]) * 1.1)
    axes.set_title("Concurso Coach: endpoints against the driver ceiling")
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    plt.close(figure)


def _target(subject: str, wanted: str, measured: str, met: bool) -> dict[str, Any]:
    return {"subject": subject, "target": wanted, "measured": measured, "met": met}


def _target_text(wanted: float | None) -> str:
    return "—" if wanted is None else f"≥ {wanted}"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
