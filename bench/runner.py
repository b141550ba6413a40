"""One benchmark run, start to finish: database, import, seed, capture, load, report."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import pickle
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import msgspec

from bench import database, importing, loadgen, machine, report, seed
from bench.capture import CapturedScenario, capture, explain
from bench.config import ROOT, BenchConfig
from bench.database import BenchSetupError
from bench.dataset import write_import_file
from bench.scenarios import SCENARIOS, Scenario, capture_sample, request_pools
from bench.server import ServedApp, runtime_python
from bench.stats import interleave, megabytes
from bench.traffic import HttpRequest, wrk_script
from concurso_coach.platform.logging import configure_logging

PREFLIGHT_SAMPLE = 32


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class DriverProcess:
    """The pinned psycopg replayer (bench.driver), kept up across runs."""

    def __init__(self, traces: Path, dsn: str, connections: int, cpu: int) -> None:
        self._process = subprocess.Popen(
            ["taskset", "-c", str(cpu), sys.executable, "-m", "bench.driver",
             str(traces), dsn, str(connections)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self._read()

    def run(self, scenario: str, seconds: float) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(
            msgspec.json.encode({"scenario": scenario, "seconds": seconds}).decode() + "\n"
        )
        self._process.stdin.flush()
        return self._read()

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise BenchSetupError("the driver process died; see its output above")
        answer: dict[str, Any] = msgspec.json.decode(line)
        return answer

    def __enter__(self) -> DriverProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            try:
                self._process.stdin.write('{"quit": true}\n')
                self._process.stdin.flush()
                self._process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()


def run(config: BenchConfig) -> int:
    loadgen.check_tools()
    configure_logging("WARNING", "console")
    started = time.monotonic()
    config.out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine.describe(config.admin_url, config.redis_url),
        "config": _config_record(config),
    }

    settings = database.service_settings(config.database_url, config.redis_url)
    env = database.process_environment(settings)
    say(f"creating database {config.database} and migrating")
    database.recreate_database(config.admin_url, config.database)
    database.flush_redis(config.redis_url)
    try:
        database.migrate(env)
        results["import"] = _benchmark_import(config, env)
        scenarios = [s for s in SCENARIOS if not config.only or s.name in config.only]
        say("building the runtime-only environment the server runs in (uv sync --no-dev)")
        python = runtime_python()
        server_log = config.out_dir / "server.log"
        with ServedApp(env, config.server_cpu, config.port, server_log, python) as app:
            results["server_rss_mb_at_start"] = megabytes(app.rss_bytes())
            results["seed"], pools = _seed(config, settings, app)
            results["scenarios"] = _benchmark_http(config, settings, app, scenarios, pools)
    finally:
        if not config.keep_database:
            database.drop_database(config.admin_url, config.database)
        database.flush_redis(config.redis_url)

    results["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    results["duration_s"] = round(time.monotonic() - started, 1)
    results["targets"] = report.evaluate_targets(results["scenarios"], results["import"])
    _write_outputs(config.out_dir, results)

    failed = [s["name"] for s in results["scenarios"] if s["status"] != "ok"]
    if failed:
        say(f"FAILED or not run: {', '.join(failed)}")
        return 1
    return 0


def _benchmark_import(config: BenchConfig, env: dict[str, str]) -> dict[str, Any]:
    import_file = config.out_dir / f"questions-{config.questions}.jsonl"
    say(f"writing {config.questions:,} questions from the real OAB and ENEM files")
    size = write_import_file(config.data_dir, import_file, config.questions)
    say(f"  wrote {import_file.name} ({size / 1_048_576:.0f} MB)")

    dump = config.out_dir / "questions.copy"
    import_runs: list[dict[str, Any]] = []
    copy_runs: list[dict[str, Any]] = []
    rows = 0
    for number in range(1, config.import_rounds + 1):
        importing.empty_questions(config.database_url)
        say(f"import round {number}: bulk import of {config.questions:,} questions")
        ours = importing.run_import(import_file, env, config.server_cpu, config.questions)
        import_runs.append({"round": number, "rows": ours.rows, "seconds": round(ours.seconds, 2),
                            "rows_per_s": round(ours.rows_per_second),
                            "rss_early_mb": ours.rss_early_mb, "rss_peak_mb": ours.rss_peak_mb,
                            "rss_growth_mb": ours.rss_growth_mb})  # fmt: skip
        say(f"  imported in {ours.seconds:.1f} s ({ours.rows_per_second:,.0f} rows/s), "
            f"peak RSS {ours.rss_peak_mb} MB")  # fmt: skip

        if number == 1:
            rows = importing.export_rows(config.database_url, dump)
        importing.empty_questions(config.database_url)
        copy = importing.run_copy(config.database_url, dump, rows)
        copy_runs.append({"round": number, "rows": copy.rows, "seconds": round(copy.seconds, 2),
                          "rows_per_s": round(copy.rows_per_second)})  # fmt: skip
        say(f"  COPY of the same rows in {copy.seconds:.1f} s ({copy.rows_per_second:,.0f} rows/s)")
    dump.unlink(missing_ok=True)
    return report.import_result(import_runs, copy_runs)


def _seed(
    config: BenchConfig, settings: dict[str, str], app: ServedApp
) -> tuple[dict[str, Any], dict[str, list[HttpRequest]]]:
    say(f"seeding {config.candidates} candidates, goals and {config.attempts:,} attempts")
    seeded_report = seed.SeedReport()
    emails = asyncio.run(seed.create_accounts(settings, config.candidates))
    with httpx.Client(base_url=app.base_url, timeout=30) as client:
        tokens = [seed.log_in(client, email) for email in emails]
        admin_token, candidate_tokens = tokens[0], tokens[1:]
        seeded_report.candidates = len(candidate_tokens)
        exam_id = seed.create_exam(client, admin_token, config.data_dir)
        if exam_id is None:
            seeded_report.notes.append("goals not seeded: no Cebraspe board after the import")
        else:
            seed.set_goals(client, candidate_tokens, exam_id, seeded_report)

    answerable = seed.answerable_questions(config.database_url)
    seeded_report.attempts = asyncio.run(
        seed.submit_attempts(
            app.base_url, candidate_tokens, answerable, config.attempts, random.Random(11)
        )
    )
    seeded_report.review_cards = seed.count_rows(config.database_url, "coach_review_cards")
    for note in seeded_report.notes:
        say(f"  note: {note}")

    # A fresh bulk load has no planner statistics until autovacuum comes by;
    # a deployment that has run for a while has them.
    seed.analyze(config.database_url)
    seeded = seed.seeded_data(config.database_url, candidate_tokens)
    record = {
        "questions": config.questions,
        "candidates": seeded_report.candidates,
        "attempts": seed.count_rows(config.database_url, "attempts"),
        "goals": seeded_report.goals,
        "review_cards": seeded_report.review_cards,
        "notes": seeded_report.notes,
    }
    return record, request_pools(seeded)


def _benchmark_http(
    config: BenchConfig,
    settings: dict[str, str],
    app: ServedApp,
    scenarios: Sequence[Scenario],
    pools: dict[str, list[HttpRequest]],
) -> list[dict[str, Any]]:
    unavailable = _preflight(app.base_url, scenarios, pools)
    runnable = [s for s in scenarios if s.name not in unavailable]

    say("capturing the SQL of each endpoint (in-process, engine event listener)")
    # The preflight warmed the app's Redis caches with these very requests; without
    # this the capture's first pass would be a hit too and record no SQL at all.
    database.flush_redis(config.redis_url)
    with_sql = [s for s in runnable if s.has_driver_ceiling]
    captured = asyncio.run(
        capture(settings, {s.name: capture_sample(pools[s.name]) for s in with_sql})
    )
    traces_file = config.out_dir / "traces.pickle"
    traces_file.write_bytes(pickle.dumps({name: c.traces for name, c in captured.items()}))
    for name, sql in captured.items():
        say(f"  {name}: {sql.statements_per_request:.1f} statements per request"
            + (" (answered from cache on repeat)" if sql.cached else ""))  # fmt: skip

    scripts = {}
    for scenario in runnable:
        scripts[scenario.name] = config.out_dir / f"wrk-{scenario.name}.lua"
        scripts[scenario.name].write_text(wrk_script(pools[scenario.name]), encoding="ascii")

    app_runs: dict[str, list[dict[str, Any]]] = {s.name: [] for s in runnable}
    driver_runs: dict[str, list[dict[str, Any]]] = {s.name: [] for s in with_sql}
    dsn = config.database_url
    with DriverProcess(traces_file, dsn, config.connections, config.server_cpu) as driver:
        say(f"warming up ({config.warmup_seconds:g} s per scenario and ceiling)")
        for scenario in runnable:
            _load(config, app, scripts[scenario.name], 0)
            if scenario.has_driver_ceiling:
                driver.run(scenario.name, config.warmup_seconds)

        say(f"{config.rounds} rounds of {config.run_seconds:g} s runs, interleaved")
        by_name = {s.name: s for s in runnable}
        for number, name in interleave([s.name for s in runnable], config.rounds):
            app_runs[name].append(_load(config, app, scripts[name], number))
            if by_name[name].has_driver_ceiling:
                answer = driver.run(name, config.run_seconds)
                driver_runs[name].append(_driver_record(number, answer))
            last = app_runs[name][-1]
            say(f"  round {number} {name}: {last['rps']:,.0f} rps, p99 {last['p99_ms']:.1f} ms"
                + (f"; driver {driver_runs[name][-1]['rps']:,.0f} rps"
                   if name in driver_runs else ""))  # fmt: skip

    results = []
    for scenario in scenarios:
        if scenario.name in unavailable:
            results.append(
                report.missing_scenario(scenario.name, scenario.title, unavailable[scenario.name])
            )
            continue
        results.append(
            report.scenario_result(
                scenario.name,
                scenario.title,
                scenario.target_ratio,
                app_runs[scenario.name],
                driver_runs.get(scenario.name),
                _captured_record(config.database_url, captured.get(scenario.name)),
            )
        )
    return results


def _preflight(
    base_url: str, scenarios: Sequence[Scenario], pools: dict[str, list[HttpRequest]]
) -> dict[str, str]:
    """Send a spread of each pool once; a scenario with any non-2xx answer does not run.

    This also catches 3xx answers, which wrk would not count as errors.
    """
    say(f"checking that {PREFLIGHT_SAMPLE} requests per scenario answer 2xx")
    return asyncio.run(_preflight_all(base_url, scenarios, pools))


async def _preflight_all(
    base_url: str, scenarios: Sequence[Scenario], pools: dict[str, list[HttpRequest]]
) -> dict[str, str]:
    unavailable: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        for scenario in scenarios:
            pool = pools[scenario.name]
            sample = pool[:: max(1, len(pool) // PREFLIGHT_SAMPLE)][:PREFLIGHT_SAMPLE]
            answers = await asyncio.gather(*(_send(client, request) for request in sample))
            for request, response in zip(sample, answers, strict=True):
                if 200 <= response.status_code < 300:
                    continue
                unavailable[scenario.name] = (
                    f"{request.method} {request.path.split('?')[0]} answered "
                    f"{response.status_code}"
                    + (" (endpoint missing)" if response.status_code in (404, 405) else "")
                )
                say(f"  {scenario.name}: {unavailable[scenario.name]}: {response.text[:200]}")
                break
    return unavailable


async def _send(client: httpx.AsyncClient, request: HttpRequest) -> httpx.Response:
    return await client.request(
        request.method, request.path, headers=request.headers(), content=request.body
    )


def _load(config: BenchConfig, app: ServedApp, script: Path, number: int) -> dict[str, Any]:
    seconds = config.warmup_seconds if number == 0 else config.run_seconds
    result = loadgen.run_wrk(script, app.base_url, config.connections, seconds, config.load_cpu)
    return report.run_record(
        number,
        requests=result.requests,
        rps=result.rps,
        p50_ms=result.p50_us / 1000,
        p99_ms=result.p99_us / 1000,
        errors=result.errors,
        rss_mb=megabytes(app.rss_bytes()),
    )


def _driver_record(number: int, answer: dict[str, Any]) -> dict[str, Any]:
    if answer.get("messages"):
        say(f"  driver errors: {answer['messages']}")
    return report.run_record(
        number,
        requests=answer["requests"],
        rps=answer.get("rps", 0.0),
        p50_ms=answer.get("p50_ms", 0.0),
        p99_ms=answer.get("p99_ms", 0.0),
        errors=answer["errors"],
    )


def _captured_record(database_url: str, captured: CapturedScenario | None) -> dict[str, Any] | None:
    if captured is None or not captured.traces:
        return None
    example = captured.traces[0]
    return {
        "requests": len(captured.traces),
        "statements_per_request": round(captured.statements_per_request, 2),
        "cached": captured.cached,
        "example": [statement.sql for statement in example],
        "plans": explain(database_url, example),
    }


def _config_record(config: BenchConfig) -> dict[str, Any]:
    return {
        "database": config.database,
        "questions": config.questions,
        "candidates": config.candidates,
        "attempts": config.attempts,
        "connections": config.connections,
        "warmup_s": config.warmup_seconds,
        "run_s": config.run_seconds,
        "rounds": config.rounds,
        "import_rounds": config.import_rounds,
        "server_cpu": config.server_cpu,
        "load_cpu": config.load_cpu,
    }


def _write_outputs(out_dir: Path, results: dict[str, Any]) -> None:
    (out_dir / "results.json").write_bytes(msgspec.json.format(msgspec.json.encode(results)))
    report.write_chart(results, out_dir / "ratios.png")
    table = report.render_table(results)
    targets = report.render_targets(results["targets"])
    machine_text = report.render_machine(results)
    (out_dir / "results.md").write_text(
        f"{machine_text}\n\n{table}\n\n{targets}\n", encoding="utf-8"
    )
    print()
    print(table)
    print()
    print(targets)
    print()
    say(f"done in {results['duration_s']:.0f} s; wrote {out_dir / 'results.json'}, "
        f"{out_dir / 'ratios.png'}")  # fmt: skip
