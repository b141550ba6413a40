"""Helpers of the question bank tests: direct imports and a session on the test database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from saq import Worker
from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.jobs.queue import SaqJobQueue
from concurso_coach.jobs.registry import TASKS
from concurso_coach.jobs.worker import _saq_function
from concurso_coach.platform.database import build_database_config, install_sqlite_pragmas
from concurso_coach.questions.importers import ImportFormat
from concurso_coach.questions.schemas import ImportReport
from concurso_coach.questions.services import import_stream_standalone
from concurso_coach.settings import Settings

SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"


async def import_path(settings: Settings, path: Path, import_format: str) -> ImportReport:
    # Blocking reads of a small local file are fine in a test.
    with path.open("rb") as stream:
        size = stream.seek(0, 2)
        stream.seek(0)
        return await import_stream_standalone(settings, stream, ImportFormat(import_format), size)


@asynccontextmanager
async def db_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session of its own on the test database, for arranging state the API cannot."""
    config = build_database_config(settings)
    install_sqlite_pragmas(config)
    engine = config.get_engine()
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            yield session
    finally:
        await engine.dispose()


async def run_queued_jobs(settings: Settings) -> None:
    """On Redis, jobs wait for `coach worker`: run one burst worker here until the queue is empty.

    The embedded backend runs jobs inside the app, so there is nothing to do.
    """
    if settings.redis_url is None:
        return

    redis = Redis.from_url(settings.redis_url)
    queue = SaqJobQueue(redis)
    config = build_database_config(settings)
    try:
        await queue.start()
        session_maker = config.create_session_maker()
        functions = [_saq_function(spec, settings, session_maker, queue) for spec in TASKS.values()]
        worker = Worker(queue.saq, functions=functions, burst=True, dequeue_timeout=0.5)
        await worker.start()
    finally:
        await queue.stop()
        await redis.aclose()
        await config.get_engine().dispose()


async def load_sample_bank(
    client: AsyncTestClient[Litestar], settings: Settings, editor_headers: dict[str, str]
) -> dict[str, str]:
    """Import the six sample questions; external id → question id."""
    await import_path(settings, SAMPLE, "native")
    response = await client.get(
        "/api/questions",
        params={"source": "sample", "include_voided": "true", "include_outdated": "true"},
        headers=editor_headers,
    )
    assert response.status_code == 200, response.text
    return {item["external_id"]: item["id"] for item in response.json()["items"]}
