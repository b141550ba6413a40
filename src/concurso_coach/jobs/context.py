"""What a running task may use: settings, database sessions and a progress reporter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.settings import Settings

if TYPE_CHECKING:
    from concurso_coach.jobs.queue import JobQueue

ProgressReporter = Callable[[int, int], Awaitable[None]]
SessionFactory = Callable[[], AsyncSession]


@dataclass
class JobContext:
    job_id: str
    settings: Settings
    session_maker: SessionFactory
    queue: JobQueue
    _report: ProgressReporter

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for the task; it commits what it must itself."""
        async with self.session_maker() as session:
            yield session

    async def report_progress(self, done: int, total: int) -> None:
        await self._report(done, total)
