from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from redis.asyncio import Redis
from saq import Worker

from concurso_coach.jobs import JobContext, job_task
from concurso_coach.jobs.queue import JobQueue, LocalJobQueue, SaqJobQueue, UnknownTaskError
from concurso_coach.jobs.registry import TASKS
from concurso_coach.jobs.worker import _saq_function, check_command
from concurso_coach.platform.database import build_database_config
from concurso_coach.settings import Settings

FLAKY_CALLS: dict[str, int] = {}


@job_task("tests.count_rows", retries=2)
async def count_rows(ctx: JobContext, *, upto: int) -> dict[str, Any]:
    for done in range(1, upto + 1):
        await ctx.report_progress(done, upto)
    async with ctx.session() as session:
        from sqlalchemy import text

        one = (await session.execute(text("SELECT 1"))).scalar_one()
    return {"counted": upto, "database": one}


@job_task("tests.flaky", retries=3)
async def flaky(ctx: JobContext, *, token: str, failures: int) -> dict[str, Any]:
    FLAKY_CALLS[token] = FLAKY_CALLS.get(token, 0) + 1
    if FLAKY_CALLS[token] <= failures:
        raise ConnectionError("transient")
    return {"calls": FLAKY_CALLS[token]}


class Runtime:
    """A queue and a way to run what it holds, built in the test's own event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db_config = build_database_config(settings)
        self.redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        self.queue: JobQueue = (
            SaqJobQueue(self.redis)
            if self.redis is not None
            else LocalJobQueue(settings, self.db_config.create_session_maker())
        )

    async def drain(self, job_id: str) -> None:
        if isinstance(self.queue, LocalJobQueue):
            await self.queue.wait_idle()
            return

        assert isinstance(self.queue, SaqJobQueue)
        session_maker = self.db_config.create_session_maker()
        functions = [
            _saq_function(spec, self.settings, session_maker, self.queue) for spec in TASKS.values()
        ]
        # A retry is scheduled for later, after which a burst worker finds the queue
        # empty and stops; run bursts until the job settles.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            worker = Worker(self.queue.saq, functions=functions, burst=True, dequeue_timeout=0.5)
            await worker.start()
            info = await self.queue.get(job_id)
            if info is not None and info.status in {"complete", "failed", "aborted"}:
                return
            await asyncio.sleep(0.5)

    async def close(self) -> None:
        await self.queue.stop()
        if self.redis is not None:
            await self.redis.aclose()
        await self.db_config.get_engine().dispose()


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    built = Runtime(settings)
    await built.queue.start()
    yield built
    await built.close()


async def test_a_job_runs_to_completion_with_progress_and_result(runtime: Runtime) -> None:
    queued = await runtime.queue.enqueue("tests.count_rows", owner_id="someone", kwargs={"upto": 4})
    await runtime.drain(queued.id)
    finished = await runtime.queue.get(queued.id)

    assert queued.status == "queued"
    assert finished is not None
    assert finished.status == "complete"
    assert finished.progress == 1.0
    assert finished.result == {"counted": 4, "database": 1}
    assert finished.owner_id == "someone"


async def test_a_failing_job_is_retried_with_backoff_until_it_succeeds(
    runtime: Runtime,
) -> None:
    token = f"flaky-{time.monotonic_ns()}"

    queued = await runtime.queue.enqueue("tests.flaky", kwargs={"token": token, "failures": 2})
    await runtime.drain(queued.id)
    finished = await runtime.queue.get(queued.id)

    assert finished is not None
    assert finished.status == "complete"
    assert finished.result == {"calls": 3}


async def test_a_key_already_waiting_is_not_queued_twice(runtime: Runtime) -> None:
    queue = runtime.queue

    first = await queue.enqueue(
        "tests.count_rows", kwargs={"upto": 1}, key="replan-abc", delay_seconds=30
    )
    second = await queue.enqueue(
        "tests.count_rows", kwargs={"upto": 1}, key="replan-abc", delay_seconds=30
    )

    assert first.id == second.id == "replan-abc"


@pytest.mark.postgres_only
async def test_a_burst_of_keyed_enqueues_reaches_redis_once(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = runtime.queue
    assert isinstance(queue, SaqJobQueue)
    calls = 0
    enqueue = queue.saq.enqueue

    async def counting(job: Any) -> Any:
        nonlocal calls
        calls += 1
        return await enqueue(job)

    monkeypatch.setattr(queue.saq, "enqueue", counting)

    infos = [
        await queue.enqueue(
            "tests.count_rows", kwargs={"upto": 1}, key="replan-b", delay_seconds=30
        )
        for _ in range(5)
    ]

    assert {info.id for info in infos} == {"replan-b"}
    assert calls == 1
    assert (await queue.get("replan-b")) is not None


@pytest.mark.postgres_only
async def test_a_replica_remembers_a_keyed_job_another_replica_queued(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runtime.redis is not None
    other_replica = SaqJobQueue(runtime.redis)
    await other_replica.start()
    await other_replica.enqueue(
        "tests.count_rows", kwargs={"upto": 1}, key="replan-d", delay_seconds=30
    )
    queue = runtime.queue
    assert isinstance(queue, SaqJobQueue)
    lookups = 0
    lookup = queue.saq.job

    async def counting(job_key: str) -> Any:
        nonlocal lookups
        lookups += 1
        return await lookup(job_key)

    monkeypatch.setattr(queue.saq, "job", counting)

    infos = [
        await queue.enqueue(
            "tests.count_rows", kwargs={"upto": 1}, key="replan-d", delay_seconds=30
        )
        for _ in range(4)
    ]

    assert {(info.id, info.status) for info in infos} == {("replan-d", "queued")}
    assert lookups == 1


async def test_a_keyed_job_that_ran_is_queued_again(runtime: Runtime) -> None:
    first = await runtime.queue.enqueue(
        "tests.count_rows", kwargs={"upto": 1}, key="replan-c", delay_seconds=0
    )
    await runtime.drain(first.id)

    again = await runtime.queue.enqueue(
        "tests.count_rows", kwargs={"upto": 1}, key="replan-c", delay_seconds=0
    )

    assert again.status == "queued"


async def test_unknown_tasks_are_refused(runtime: Runtime) -> None:
    with pytest.raises(UnknownTaskError):
        await runtime.queue.enqueue("no.such.task")


def test_worker_check_fails_without_a_recent_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heartbeat = tmp_path / "beat"
    monkeypatch.setenv("WORKER_HEARTBEAT_FILE", str(heartbeat))
    runner = CliRunner()

    missing = runner.invoke(check_command, [])
    heartbeat.touch()
    fresh = runner.invoke(check_command, [])
    os.utime(heartbeat, (time.time() - 120, time.time() - 120))
    stale = runner.invoke(check_command, [])

    assert (missing.exit_code, fresh.exit_code, stale.exit_code) == (1, 0, 1)


def test_worker_liveness_ignores_the_redis_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKER_HEARTBEAT_FILE", str(tmp_path / "beat"))
    (tmp_path / "beat.live").touch()
    runner = CliRunner()

    ready = runner.invoke(check_command, [])
    live = runner.invoke(check_command, ["--live"])

    assert (ready.exit_code, live.exit_code) == (1, 0)
