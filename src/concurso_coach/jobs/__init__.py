"""Background jobs: SAQ on Redis when configured, an in-process runner otherwise."""

from concurso_coach.jobs.context import JobContext
from concurso_coach.jobs.queue import JobInfo, JobQueue
from concurso_coach.jobs.registry import cron_task, job_task

__all__ = ("JobContext", "JobInfo", "JobQueue", "cron_task", "job_task")
