"""Two interchangeable queues behind one interface.

- `SaqJobQueue`: jobs go to Redis through SAQ and run in `coach worker` processes.
- `LocalJobQueue`: the embedded default; jobs run as tasks of the API's own event loop.

Job status lives with the queue (Redis, or process memory) for `ttl` seconds; it is
operational state, not a record to keep.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from abc import ABC, abstractmethod
from collections import OrderedDict
from typing import Any, Literal

import msgspec
import structlog
from redis.asyncio import Redis
from saq.job import Job, Status
from saq.queue.redis import RedisQueue
from tenacity import AsyncRetrying, stop_after_attempt, wait_exponential

from concurso_coach.jobs.context import JobContext, SessionFactory
from concurso_coach.jobs.registry import TASKS, run_task
from concurso_coach.settings import Settings

log = structlog.get_logger(__name__)

JobStatus = Literal["queued", "running", "complete", "failed", "aborted"]
QUEUE_NAME = "coach"
JOB_TTL_SECONDS = 7 * 86_400
# A keyed job delayed at least this long is remembered while it certainly waits, so a
# burst of enqueues (a replan per answer) costs Redis one enqueue, not one per answer.
DEBOUNCE_MEMO_MIN_DELAY = 3.0
DEBOUNCE_MEMO_CAPACITY = 10_000
_LOCAL_HISTORY = 1000

_SAQ_STATUS: dict[Status, JobStatus] = {
    Status.NEW: "queued",
    Status.QUEUED: "queued",
    Status.ACTIVE: "running",
    Status.ABORTING: "running",
    Status.ABORTED: "aborted",
    Status.FAILED: "failed",
    Status.COMPLETE: "complete",
}


class JobInfo(msgspec.Struct):
    """A job as clients see it."""

    id: str
    task: str
    status: JobStatus
    progress: float = 0.0
    attempts: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None
    owner_id: str | None = None
    queued_at: float | None = None
    finished_at: float | None = None


class UnknownTaskError(ValueError):
    """A job names a task no feature registered."""


class JobQueue(ABC):
    """Enqueue tasks and read their status, whichever runner executes them."""

    @abstractmethod
    async def enqueue(
        self,
        task: str,
        *,
        owner_id: uuid.UUID | str | None = None,
        kwargs: dict[str, Any] | None = None,
        key: str | None = None,
        delay_seconds: float = 0,
    ) -> JobInfo:
        """Queue `task`; with `key`, a job already waiting under that key is returned instead."""

    @abstractmethod
    async def get(self, job_id: str) -> JobInfo | None: ...

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Connect to the backing service, if any."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Release connections and cancel local work."""


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise UnknownTaskError(task)


class LocalJobQueue(JobQueue):
    """Runs jobs in-process, with the same retries and backoff as the worker."""

    def __init__(self, settings: Settings, session_maker: SessionFactory):
        self._settings = settings
        self._session_maker = session_maker
        self._jobs: OrderedDict[str, JobInfo] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    async def enqueue(
        self,
        task: str,
        *,
        owner_id: uuid.UUID | str | None = None,
        kwargs: dict[str, Any] | None = None,
        key: str | None = None,
        delay_seconds: float = 0,
    ) -> JobInfo:
        _check_task(task)
        job_id = key or uuid.uuid4().hex
        existing = self._jobs.get(job_id)
        if existing is not None and existing.status == "queued":
            return msgspec.structs.replace(existing)

        info = JobInfo(
            id=job_id,
            task=task,
            status="queued",
            owner_id=str(owner_id) if owner_id else None,
            queued_at=time.time(),
        )
        self._remember(info)
        runner = asyncio.create_task(self._run(info, dict(kwargs or {}), delay_seconds))
        self._tasks.add(runner)
        runner.add_done_callback(self._tasks.discard)
        return msgspec.structs.replace(info)

    async def get(self, job_id: str) -> JobInfo | None:
        # A copy: callers must not see the job change under their feet.
        info = self._jobs.get(job_id)
        return msgspec.structs.replace(info) if info is not None else None

    async def stop(self) -> None:
        for runner in list(self._tasks):
            runner.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def wait_idle(self) -> None:
        """Wait until every queued job has finished (tests and graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _remember(self, info: JobInfo) -> None:
        self._jobs[info.id] = info
        self._jobs.move_to_end(info.id)
        while len(self._jobs) > _LOCAL_HISTORY:
            self._jobs.popitem(last=False)

    async def _run(self, info: JobInfo, kwargs: dict[str, Any], delay_seconds: float) -> None:
        if delay_seconds:
            await asyncio.sleep(delay_seconds)
        spec = TASKS[info.task]

        async def report(done: int, total: int) -> None:
            info.progress = round(done / total, 4) if total else 0.0

        ctx = JobContext(info.id, self._settings, self._session_maker, self, report)
        info.status = "running"
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(spec.retries),
                wait=wait_exponential(multiplier=0.5, max=30),
                reraise=True,
            ):
                with attempt:
                    info.attempts += 1
                    info.result = await asyncio.wait_for(
                        run_task(spec, ctx, kwargs), timeout=spec.timeout_seconds
                    )
        except asyncio.CancelledError:
            info.status = "aborted"
            raise
        except Exception as exc:
            info.status = "failed"
            info.error = type(exc).__name__
            log.warning("job_failed", job_id=info.id, task=info.task, error=type(exc).__name__)
        else:
            info.status = "complete"
            info.progress = 1.0
        finally:
            info.finished_at = time.time()


class SaqJobQueue(JobQueue):
    """Jobs in Redis, executed by `coach worker`."""

    def __init__(self, redis: Redis) -> None:
        # The app's own client: one connection pool, closed by the app on shutdown.
        self.redis = redis
        self.saq = RedisQueue(redis, name=QUEUE_NAME)
        # Delayed keyed jobs this process queued: key → (certainly waiting until, info).
        self._waiting: OrderedDict[str, tuple[float, JobInfo]] = OrderedDict()

    async def start(self) -> None:
        await self.saq.connect()

    async def enqueue(
        self,
        task: str,
        *,
        owner_id: uuid.UUID | str | None = None,
        kwargs: dict[str, Any] | None = None,
        key: str | None = None,
        delay_seconds: float = 0,
    ) -> JobInfo:
        _check_task(task)
        if key is not None:
            waiting = self._waiting.get(key)
            if waiting is not None and waiting[0] > time.monotonic():
                # Redis would answer the same: the job is still waiting under this key.
                return msgspec.structs.replace(waiting[1])

        spec = TASKS[task]
        job_key = key or uuid.uuid4().hex
        job = Job(
            function=task,
            kwargs=dict(kwargs or {}),
            key=job_key,
            timeout=spec.timeout_seconds,
            retries=spec.retries,
            retry_delay=1.0,
            retry_backoff=True,
            ttl=JOB_TTL_SECONDS,
            scheduled=int(time.time() + delay_seconds) if delay_seconds else 0,
            meta={"owner_id": str(owner_id) if owner_id else None},
        )
        queued = await self.saq.enqueue(job)
        if queued is None:
            # The same key is already waiting: debounced.
            existing = await self.saq.job(job_key)
            if existing is not None:
                info = job_info(existing)
                # Queued by another replica: remembered here too, for what is left of its wait.
                left = existing.scheduled - time.time() if existing.scheduled else 0
                if key is not None and info.status == "queued" and left >= DEBOUNCE_MEMO_MIN_DELAY:
                    self._remember_waiting(key, info, left)
                return info
        info = job_info(queued or job)
        if key is not None and queued is not None and delay_seconds >= DEBOUNCE_MEMO_MIN_DELAY:
            self._remember_waiting(key, info, delay_seconds)
        return info

    def _remember_waiting(self, key: str, info: JobInfo, delay_seconds: float) -> None:
        # A delayed job cannot start before its time; two thirds of the delay leave a
        # wide margin for clock skew between this process and the worker's.
        until = time.monotonic() + delay_seconds * 2 / 3
        self._waiting[key] = (until, info)
        self._waiting.move_to_end(key)
        while len(self._waiting) > DEBOUNCE_MEMO_CAPACITY:
            self._waiting.popitem(last=False)

    async def get(self, job_id: str) -> JobInfo | None:
        job = await self.saq.job(job_id)
        return job_info(job) if job is not None else None


def job_info(job: Job) -> JobInfo:
    meta = job.meta or {}
    return JobInfo(
        id=job.key,
        task=job.function,
        status=_SAQ_STATUS.get(job.status, "queued"),
        progress=float(job.progress or 0.0),
        attempts=job.attempts,
        result=job.result if isinstance(job.result, dict) else None,
        # Tracebacks stay in the worker's log; clients get the exception's name.
        error=(job.error or "").strip().splitlines()[-1].split(":")[0] if job.error else None,
        owner_id=meta.get("owner_id"),
        queued_at=job.queued / 1000 if job.queued else None,
        finished_at=job.completed / 1000 if job.completed else None,
    )
