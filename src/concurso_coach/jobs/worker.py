"""`coach worker`: runs queued jobs and cron tasks from Redis through SAQ."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import click
import structlog
from saq import CronJob, Worker

from concurso_coach.jobs.context import JobContext, SessionFactory
from concurso_coach.jobs.queue import SaqJobQueue
from concurso_coach.jobs.registry import CRON_TASKS, TaskSpec, load_task_modules, run_task
from concurso_coach.settings import Settings, load_settings

log = structlog.get_logger(__name__)

HEARTBEAT_SECONDS = 10


def _saq_function(
    spec: TaskSpec,
    settings: Settings,
    session_maker: SessionFactory,
    queue: SaqJobQueue,
) -> Any:
    async def run(saq_ctx: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        job = saq_ctx["job"]

        async def report(done: int, total: int) -> None:
            await job.update(progress=round(done / total, 4) if total else 0.0)

        ctx = JobContext(job.key, settings, session_maker, queue, report)
        structlog.contextvars.bind_contextvars(job_id=job.key, task=spec.name)
        try:
            return await run_task(spec, ctx, kwargs)
        finally:
            structlog.contextvars.clear_contextvars()

    # SAQ finds functions by name; the task name is what producers enqueue.
    run.__qualname__ = spec.name
    run.__name__ = spec.name
    return run


def _live_file(path: Path) -> Path:
    return path.with_name(path.name + ".live")


async def _heartbeat(queue: SaqJobQueue, path: Path) -> None:
    """Beat for `coach worker check`: `path` while Redis answers, `path.live` always.

    Two files, so that liveness never depends on Redis: an outage makes the worker
    unready, and restarting it would not bring Redis back.
    """
    while True:
        await anyio.Path(_live_file(path)).touch()
        try:
            await queue.redis.ping()
        except Exception as exc:  # a missed beat is the signal
            log.warning("worker_heartbeat_failed", error=type(exc).__name__)
        else:
            await anyio.Path(path).touch()
        await asyncio.sleep(HEARTBEAT_SECONDS)


async def run_worker(settings: Settings, concurrency: int) -> None:
    # The worker is built by the same factory as the API: one way to assemble the system.
    from concurso_coach.app import create_app

    app = create_app(settings)
    tasks = load_task_modules()
    queue: SaqJobQueue = app.state.job_queue
    session_maker = app.state.db_config.create_session_maker()

    functions = [_saq_function(spec, settings, session_maker, queue) for spec in tasks.values()]
    by_name = {function.__qualname__: function for function in functions}
    cron_jobs = [CronJob(by_name[name], cron=spec.cron) for name, spec in CRON_TASKS.items()]

    await queue.start()
    worker = Worker(
        queue.saq,
        functions=functions,
        cron_jobs=cron_jobs,
        concurrency=concurrency,
        # Running jobs get this long to finish on SIGTERM; SAQ's own upkeep loops also
        # wait it out, so an idle worker takes this long to stop.
        shutdown_grace_period_s=20,
    )
    beat = asyncio.create_task(_heartbeat(queue, settings.worker_heartbeat_file))
    log.info("worker_started", tasks=sorted(tasks), cron=sorted(CRON_TASKS))
    try:
        await worker.start()
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        await queue.stop()
        await queue.redis.aclose()
        await app.state.db_config.get_engine().dispose()
        log.info("worker_stopped")


@click.group(name="worker", invoke_without_command=True)
@click.option("--concurrency", default=4, show_default=True, help="Jobs run at once.")
def worker_group(concurrency: int) -> None:
    """Run background jobs (needs REDIS_URL; without it jobs run inside the API)."""
    # Litestar's CLI passes its own context object, so no @click.pass_context here.
    if click.get_current_context().invoked_subcommand is not None:
        return

    settings = load_settings()
    if not settings.redis_url:
        click.echo(
            "coach worker: REDIS_URL is not set; in the embedded mode jobs run inside the API.",
            err=True,
        )
        sys.exit(2)
    asyncio.run(run_worker(settings, concurrency))


@worker_group.command(name="check")
@click.option("--max-age", default=45, show_default=True, help="Seconds a heartbeat stays fresh.")
@click.option("--live", is_flag=True, help="Only check that the worker loop runs (liveness).")
def check_command(max_age: int, live: bool) -> None:
    """Exit 0 when this host's worker beat recently: a probe for Compose and Kubernetes.

    Without --live the beat also proves that Redis answered (readiness).
    """
    path = load_settings().worker_heartbeat_file
    if live:
        path = _live_file(path)
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        click.echo(f"unhealthy: no heartbeat at {path}", err=True)
        sys.exit(1)

    if age > max_age:
        click.echo(f"unhealthy: last heartbeat {age:.0f}s ago", err=True)
        sys.exit(1)
    click.echo(f"healthy: last heartbeat {age:.0f}s ago")
