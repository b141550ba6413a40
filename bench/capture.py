"""Record the SQL each scenario's requests issue, by serving them in-process once.

A listener on the engine's ``before_cursor_execute`` sees every statement the
app hands psycopg, with its parameters, exactly as the server would send them.
Each request is served twice and the second pass recorded: that is the
steady state wrk measures (statements prepared, review cards existing). When
the second pass issues no SQL at all (a cache answered), the first pass's SQL
is kept and the scenario is marked as served from cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient
from sqlalchemy import event

from bench.database import BenchSetupError
from bench.sqltrace import Statement, Trace, portable, restored
from bench.traffic import HttpRequest
from concurso_coach.app import create_app
from concurso_coach.settings import load_settings


@dataclass
class CapturedScenario:
    traces: list[Trace] = field(default_factory=list)
    cached: bool = False

    @property
    def statements_per_request(self) -> float:
        return sum(len(trace) for trace in self.traces) / max(1, len(self.traces))


async def capture(
    settings: Mapping[str, str], scenarios: Mapping[str, Sequence[HttpRequest]]
) -> dict[str, CapturedScenario]:
    app = create_app(load_settings(**{key.lower(): value for key, value in settings.items()}))
    recording: list[Statement] | None = None

    def record(
        _connection: Any,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        executemany: bool,
    ) -> None:
        if recording is not None:
            recording.append(Statement(statement, portable(parameters), executemany))

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
    captured: dict[str, CapturedScenario] = {}
    async with AsyncTestClient(app=app) as client:
        for name, requests in scenarios.items():
            scenario = CapturedScenario()
            for request in requests:
                passes: list[list[Statement]] = []
                for _ in range(2):
                    recording = []
                    response = await client.request(
                        request.method,
                        request.path,
                        headers=request.headers(),
                        content=request.body,
                    )
                    passes.append(recording)
                    recording = None
                    if not 200 <= response.status_code < 300:
                        raise BenchSetupError(
                            f"{name}: {request.method} {request.path} answered "
                            f"{response.status_code} while capturing SQL: {response.text[:300]}"
                        )
                cold, steady = passes
                if not steady and cold:
                    scenario.cached = True
                scenario.traces.append(steady or cold)
            captured[name] = scenario
    return captured


def explain(database_url: str, trace: Trace) -> list[list[str]]:
    """The planner's choice for each SELECT of one trace, as the endpoint ran it."""
    plans: list[list[str]] = []
    with psycopg.connect(database_url) as connection:
        for statement in trace:
            if not statement.sql.lstrip().upper().startswith("SELECT") or statement.many:
                continue
            rows = connection.execute(
                "EXPLAIN (COSTS OFF) " + statement.sql, restored(statement.params)
            ).fetchall()
            plans.append([row[0] for row in rows])
        connection.rollback()
    return plans
