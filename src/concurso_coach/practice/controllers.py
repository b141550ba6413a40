"""HTTP endpoints of practice: attempts, stats and mock exams, each the caller's own."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.accounts.guards import BEARER_SECURITY
from concurso_coach.coach.services import schedule_replan
from concurso_coach.jobs.queue import JobQueue
from concurso_coach.platform.openapi import problem
from concurso_coach.platform.pagination import Page, PageParams
from concurso_coach.practice.mock_exams import MockExamService
from concurso_coach.practice.schemas import (
    AttemptCreate,
    AttemptOutcome,
    AttemptRead,
    MockExamCreate,
    MockExamRead,
    MockExamSubmit,
    MockExamSummary,
    StatsRead,
)
from concurso_coach.practice.services import AttemptService


def provide_attempt_service(db_session: NamedDependency[AsyncSession]) -> AttemptService:
    return AttemptService(db_session)


def provide_mock_exam_service(db_session: NamedDependency[AsyncSession]) -> MockExamService:
    return MockExamService(db_session)


def _caller(request: Request[Any, Any, Any]) -> UUID:
    account_id: UUID = request.user.id
    return account_id


class AttemptController(Controller):
    path = "/api"
    tags = ["practice"]  # noqa: RUF012 - Litestar reads these class attributes
    security = BEARER_SECURITY
    dependencies = {"attempts": Provide(provide_attempt_service, sync_to_thread=False)}  # noqa: RUF012

    @post(
        "/attempts",
        status_code=HTTP_201_CREATED,
        summary="Answer a question",
        description=(
            "`answer` is A–E for multiple choice, C (certo) or E (errado) for true/false "
            "items, or null for a blank. The response reveals the key, the points under "
            "the board's rule (true/false: +1 right, −1 wrong, 0 blank) and the updated "
            "stats of the question's subject."
        ),
        responses={
            404: problem(404, "No question has this question_id."),
            409: problem(409, "The question is in my mock exam still in progress."),
            422: problem(422, "The question is voided and has no key to practise against."),
        },
    )
    async def create_attempt(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[AttemptCreate],
        attempts: NamedDependency[AttemptService],
        job_queue: NamedDependency[JobQueue],
    ) -> AttemptOutcome:
        outcome = await attempts.record_attempt(
            _caller(request), data.question_id, data.answer, data.elapsed_ms, data.confidence
        )
        # Debounced: a burst of answers leads to one replan, after the commit.
        await schedule_replan(job_queue, _caller(request))
        return outcome

    @get("/attempts", summary="My attempts, newest first")
    async def list_attempts(
        self,
        request: Request[Any, Any, Any],
        attempts: NamedDependency[AttemptService],
        page: NamedDependency[PageParams],
        subject_id: UUID | None = None,
    ) -> Page[AttemptRead]:
        return await attempts.list_attempts(_caller(request), page.limit, page.offset, subject_id)

    @get("/attempts/{attempt_id:uuid}", summary="One of my attempts")
    async def get_attempt(
        self,
        request: Request[Any, Any, Any],
        attempt_id: FromPath[UUID],
        attempts: NamedDependency[AttemptService],
    ) -> AttemptRead:
        return await attempts.get_attempt(_caller(request), attempt_id)

    @get(
        "/me/stats",
        summary="My stats per subject and topic",
        description=(
            "Attempts, accuracy, net score on true/false items, average time and the "
            "accuracy of each of the last 8 ISO weeks."
        ),
    )
    async def get_stats(
        self, request: Request[Any, Any, Any], attempts: NamedDependency[AttemptService]
    ) -> StatsRead:
        return await attempts.stats(_caller(request))


class MockExamController(Controller):
    path = "/api/mock-exams"
    tags = ["practice"]  # noqa: RUF012 - Litestar reads these class attributes
    security = BEARER_SECURITY
    dependencies = {"mock_exams": Provide(provide_mock_exam_service, sync_to_thread=False)}  # noqa: RUF012

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        summary="Draw a mock exam (simulado) for an exam",
        description=(
            "Questions are drawn per subject following the exam's question counts, never "
            "twice, questions I have not answered first. `shortfall` names the subjects "
            "for which the bank had fewer. The time limit defaults to 240 minutes."
        ),
        responses={
            404: problem(404, "No exam has this exam_id."),
            409: problem(409, "Another mock exam of mine is still in progress."),
            422: problem(422, "The bank has no live question for any subject of the exam."),
        },
    )
    async def create_mock_exam(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[MockExamCreate],
        mock_exams: NamedDependency[MockExamService],
    ) -> MockExamRead:
        return await mock_exams.create_mock_exam(
            _caller(request), data.exam_id, data.time_limit_minutes
        )

    @get("/", summary="My mock exams, newest first")
    async def list_mock_exams(
        self,
        request: Request[Any, Any, Any],
        mock_exams: NamedDependency[MockExamService],
        page: NamedDependency[PageParams],
    ) -> Page[MockExamSummary]:
        return await mock_exams.list_mock_exams(_caller(request), page.limit, page.offset)

    @get("/{mock_exam_id:uuid}", summary="One of my mock exams (keys once submitted)")
    async def get_mock_exam(
        self,
        request: Request[Any, Any, Any],
        mock_exam_id: FromPath[UUID],
        mock_exams: NamedDependency[MockExamService],
    ) -> MockExamRead:
        return await mock_exams.get_mock_exam(_caller(request), mock_exam_id)

    @post(
        "/{mock_exam_id:uuid}/submit",
        status_code=HTTP_200_OK,
        summary="Submit and score a mock exam",
        description=(
            "Scored by the board's rule with subject weights and block minimums. "
            "A second submission, or one after the time limit, gets 409."
        ),
        responses={409: problem(409, "Already submitted, or submitted after the time limit.")},
    )
    async def submit_mock_exam(
        self,
        request: Request[Any, Any, Any],
        mock_exam_id: FromPath[UUID],
        data: JSONBody[MockExamSubmit],
        mock_exams: NamedDependency[MockExamService],
        job_queue: NamedDependency[JobQueue],
    ) -> MockExamRead:
        result = await mock_exams.submit(_caller(request), mock_exam_id, dict(data.answers))
        # The answers moved mastery: replan, debounced like free practice.
        await schedule_replan(job_queue, _caller(request))
        return result


PRACTICE_CONTROLLERS = [AttemptController, MockExamController]
