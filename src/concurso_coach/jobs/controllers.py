"""Job status for the people who started them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import Parameter

from concurso_coach.jobs.queue import JobInfo, JobQueue
from concurso_coach.platform.errors import NotFoundError


def provide_job_queue(state: State) -> JobQueue:
    queue: JobQueue = state.job_queue
    return queue


class JobController(Controller):
    path = "/api/jobs"
    tags = ["jobs"]  # noqa: RUF012 - Litestar reads this class attribute
    security = [{"BearerToken": []}]  # noqa: RUF012

    @get("/{job_id:str}", summary="Status, progress and result of a background job")
    async def get_job(
        self,
        request: Request[Any, Any, Any],
        job_queue: NamedDependency[JobQueue],
        job_id: Annotated[str, Parameter(max_length=64, pattern=r"^[A-Za-z0-9:_\-]+$")],
    ) -> JobInfo:
        info = await job_queue.get(job_id)
        # Someone else's job does not exist, as far as this caller can tell; admins
        # included, since a candidate's replan carries their private progress.
        if info is None or info.owner_id != str(request.user.id):
            raise NotFoundError("No such job.")
        return info
