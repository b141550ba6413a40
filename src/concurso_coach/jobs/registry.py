"""Where features declare their background tasks.

A task is an async function `(ctx: JobContext, **kwargs) -> dict | None`. Tasks must be
idempotent: a retry after a crash runs the whole task again.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurso_coach.jobs.context import JobContext

TaskFunction = Callable[..., Awaitable[dict[str, Any] | None]]

# Feature modules that declare tasks; imported by the API and the worker alike.
TASK_MODULES: tuple[str, ...] = ("concurso_coach.questions.jobs", "concurso_coach.coach.jobs")


@dataclass(frozen=True)
class TaskSpec:
    name: str
    function: TaskFunction
    retries: int
    timeout_seconds: int


@dataclass(frozen=True)
class CronSpec:
    name: str
    cron: str


TASKS: dict[str, TaskSpec] = {}
CRON_TASKS: dict[str, CronSpec] = {}


def job_task(
    name: str, *, retries: int = 3, timeout_seconds: int = 600
) -> Callable[[TaskFunction], TaskFunction]:
    """Register `function` as the task `name`."""

    def register(function: TaskFunction) -> TaskFunction:
        TASKS[name] = TaskSpec(name, function, retries, timeout_seconds)
        return function

    return register


def cron_task(name: str, cron: str) -> Callable[[TaskFunction], TaskFunction]:
    """Register a task that the worker also runs on a cron schedule (UTC)."""

    def register(function: TaskFunction) -> TaskFunction:
        job_task(name, retries=1, timeout_seconds=3600)(function)
        CRON_TASKS[name] = CronSpec(name, cron)
        return function

    return register


def load_task_modules() -> dict[str, TaskSpec]:
    for module in TASK_MODULES:
        importlib.import_module(module)
    return TASKS


async def run_task(spec: TaskSpec, ctx: JobContext, kwargs: dict[str, Any]) -> dict[str, Any]:
    result = await spec.function(ctx, **kwargs)
    return result or {}
