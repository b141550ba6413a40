"""The driver ceiling: each endpoint's own SQL through a bare psycopg 3 async pool.

Runs as ``taskset -c <server cpu> python -m bench.driver TRACES DSN CONNECTIONS``:
the same CPU budget as the server, the same concurrency as wrk. One request
is one pool checkout running one captured trace (the statements a single HTTP
request issued, in order, with their parameters), committed on return to the
pool, as the app's session does. The process stays up between runs and takes
one JSON command per stdin line, answering one JSON line per command:
``{"scenario": "by_id", "seconds": 5}`` or ``{"quit": true}``.
"""

from __future__ import annotations

import asyncio
import itertools
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from bench.sqltrace import Statement, Trace, fresh_keys, restored
from bench.stats import percentile


class Command(msgspec.Struct, frozen=True):
    scenario: str = ""
    seconds: float = 0.0
    quit: bool = False


async def run_trace(connection: AsyncConnection[Any], trace: Trace) -> None:
    for statement in trace:
        params = fresh_keys(statement.params) if statement.inserts else statement.params
        if statement.many:
            async with connection.cursor() as cursor:
                await cursor.executemany(statement.sql, params)
            continue
        cursor = await connection.execute(statement.sql, params)
        if cursor.description is not None:
            await cursor.fetchall()


async def replay(
    pool: AsyncConnectionPool[AsyncConnection[Any]],
    traces: list[Trace],
    seconds: float,
    concurrency: int,
) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    messages: list[str] = []
    turn = itertools.count()
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            trace = traces[next(turn) % len(traces)]
            started = time.perf_counter()
            try:
                async with pool.connection() as connection:
                    await run_trace(connection, trace)
            except Exception as exc:  # every failure counts; the first few are shown
                failures += 1
                if len(messages) < 5:
                    messages.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started

    if not latencies:
        return {"requests": 0, "seconds": elapsed, "errors": failures, "messages": messages}
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "errors": failures,
        "messages": messages,
    }


async def serve(recorded: dict[str, list[Trace]], dsn: str, connections: int) -> None:
    traces = {
        name: [[_restored_statement(s) for s in trace] for trace in scenario]
        for name, scenario in recorded.items()
    }
    pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
        dsn, min_size=connections, max_size=connections, open=False
    )
    await pool.open(wait=True)
    _answer({"ready": True})
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            command = msgspec.json.decode(line, type=Command)
            if command.quit:
                break
            result = await replay(pool, traces[command.scenario], command.seconds, connections)
            _answer(result)
    finally:
        await pool.close()


def _restored_statement(statement: Statement) -> Statement:
    return Statement(statement.sql, restored(statement.params), statement.many)


def _answer(payload: dict[str, Any]) -> None:
    sys.stdout.write(msgspec.json.encode(payload).decode() + "\n")
    sys.stdout.flush()


def main() -> None:
    # The server runs on uvloop (uvicorn's default when installed); so does its ceiling.
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    # Our own file, written by the parent process a moment ago.
    recorded = pickle.loads(Path(sys.argv[1]).read_bytes())  # noqa: S301
    asyncio.run(serve(recorded, sys.argv[2], int(sys.argv[3])))


if __name__ == "__main__":
    main()
