"""Background import of large uploads (task ``questions.import``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from concurso_coach.jobs import JobContext, job_task
from concurso_coach.questions.services import UploadService

IMPORT_TASK = "questions.import"


@job_task(IMPORT_TASK, retries=2, timeout_seconds=3600)
async def run_import(ctx: JobContext, *, upload_id: str) -> dict[str, Any]:
    """Import a staged upload; idempotent, since known items are skipped on a retry."""
    async with ctx.session() as session:
        report = await UploadService(session).import_staged(
            UUID(upload_id), on_progress=ctx.report_progress
        )
    result: dict[str, Any] = msgspec.to_builtins(report)
    return result
