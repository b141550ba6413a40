"""Background tasks of the coach: replan one account, and every account nightly."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import structlog

from concurso_coach.coach.planning import StudyPlanService
from concurso_coach.coach.services import REPLAN_TASK
from concurso_coach.jobs import JobContext, cron_task, job_task

log = structlog.get_logger(__name__)

# 03:00 UTC is midnight in Brasília: plans start each day with the new "today".
NIGHTLY_CRON = "0 3 * * *"


@job_task(REPLAN_TASK, retries=3, timeout_seconds=300)
async def replan(ctx: JobContext, *, account_id: str) -> dict[str, Any]:
    """Recompute one account's plan; running it twice changes nothing more."""
    async with ctx.session() as session:
        return await StudyPlanService(session).replan(UUID(account_id), dt.datetime.now(dt.UTC))


@cron_task("coach.replan_all", NIGHTLY_CRON)
async def replan_all(ctx: JobContext) -> dict[str, Any]:
    """Queue a replan for every account with a goal; one waiting replan absorbs the next."""
    async with ctx.session() as session:
        account_ids = await StudyPlanService(session).goal_account_ids()

    for done, account_id in enumerate(account_ids, start=1):
        await ctx.queue.enqueue(
            REPLAN_TASK,
            owner_id=account_id,
            kwargs={"account_id": str(account_id)},
            key=f"replan-{account_id}",
        )
        await ctx.report_progress(done, len(account_ids))
    log.info("replan_all_queued", accounts=len(account_ids))
    return {"queued": len(account_ids)}
