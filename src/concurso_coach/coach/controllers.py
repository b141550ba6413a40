"""HTTP endpoints of the coach: a candidate's goal, mastery, reviews, plan and agenda.

Everything here is the caller's own: ids of other candidates' cards are 404.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.accounts.guards import BEARER_SECURITY
from concurso_coach.accounts.schemas import CurrentAccount
from concurso_coach.coach.planning import StudyPlanService
from concurso_coach.coach.schemas import (
    AgendaRead,
    GoalRead,
    GoalWrite,
    JobAccepted,
    MasterySummary,
    ReviewCardRead,
    ReviewGrade,
    StudyPlanRead,
)
from concurso_coach.coach.services import REPLAN_TASK, CoachService, coach_day
from concurso_coach.jobs.queue import JobQueue
from concurso_coach.platform.errors import InvalidField, InvalidInputError
from concurso_coach.platform.openapi import problem, problems
from concurso_coach.platform.pagination import Page, PageParams
from concurso_coach.platform.types import check_calendar


def provide_coach_service(db_session: NamedDependency[AsyncSession]) -> CoachService:
    return CoachService(db_session)


def provide_study_plan_service(db_session: NamedDependency[AsyncSession]) -> StudyPlanService:
    return StudyPlanService(db_session)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_NO_GOAL = problem(404, "No goal yet: set one with PUT /api/me/goal.")

_COACH_DEPENDENCIES = {"coach": Provide(provide_coach_service, sync_to_thread=False)}


class GoalController(Controller):
    path = "/api/me/goal"
    tags = ["coach"]  # noqa: RUF012 - Litestar reads these class attributes
    security = BEARER_SECURITY
    dependencies = _COACH_DEPENDENCIES

    @get(
        "/",
        summary="The caller's goal: exam, exam day and weekly availability",
        responses={404: _NO_GOAL},
    )
    async def get_goal(
        self, coach: NamedDependency[CoachService], current_account: NamedDependency[CurrentAccount]
    ) -> GoalRead:
        return await coach.get_goal(current_account.id)

    @put(
        "/",
        summary="Set the target exam, exam day, weekly minutes and self-assessment",
        description=(
            "`weekly_minutes` are seven counts, Monday first, 0–960 each. `exam_date` "
            "defaults to the exam's date. `self_assessment` maps subject ids of the exam "
            "to 1–5 and stands in for mastery until real attempts exist."
        ),
        responses=problems(422),
    )
    async def put_goal(
        self,
        data: JSONBody[GoalWrite],
        coach: NamedDependency[CoachService],
        current_account: NamedDependency[CurrentAccount],
    ) -> GoalRead:
        return await coach.put_goal(current_account.id, data, _now())


class MasteryController(Controller):
    path = "/api/me/mastery"
    tags = ["coach"]  # noqa: RUF012
    security = BEARER_SECURITY
    dependencies = _COACH_DEPENDENCIES

    @get("/", summary="Mastery per subject and topic, from attempts or the self-assessment")
    async def get_mastery(
        self, coach: NamedDependency[CoachService], current_account: NamedDependency[CurrentAccount]
    ) -> MasterySummary:
        return await coach.mastery_summary(current_account.id)


class ReviewController(Controller):
    path = "/api/me/reviews"
    tags = ["coach"]  # noqa: RUF012
    security = BEARER_SECURITY
    dependencies = _COACH_DEPENDENCIES

    @get(
        "/due",
        summary="Today's review queue",
        description=(
            "Cards due now or within 12 hours. In the last 14 days before the exam they "
            "come by subject weight × expected loss on exam day (`priority`), else by due date."
        ),
    )
    async def list_due(
        self,
        coach: NamedDependency[CoachService],
        current_account: NamedDependency[CurrentAccount],
        page: NamedDependency[PageParams],
    ) -> Page[ReviewCardRead]:
        return await coach.list_due(current_account.id, page.limit, page.offset, _now())

    @get("/{card_id:uuid}", summary="One of my review cards")
    async def get_card(
        self,
        card_id: FromPath[UUID],
        coach: NamedDependency[CoachService],
        current_account: NamedDependency[CurrentAccount],
    ) -> ReviewCardRead:
        return await coach.get_card(current_account.id, card_id, _now())

    @post(
        "/{card_id:uuid}",
        status_code=200,
        summary="Grade a due card: again, hard, good or easy",
        description="A card that is not due yet answers 409: early reviews would distort it.",
        responses={409: problem(409, "The card is not due yet.")},
    )
    async def grade_card(
        self,
        card_id: FromPath[UUID],
        data: JSONBody[ReviewGrade],
        coach: NamedDependency[CoachService],
        current_account: NamedDependency[CurrentAccount],
    ) -> ReviewCardRead:
        return await coach.grade_card(
            current_account.id, card_id, data.grade, data.duration_ms, _now()
        )


class StudyPlanController(Controller):
    path = "/api/me"
    tags = ["coach"]  # noqa: RUF012
    security = BEARER_SECURITY
    dependencies = {  # noqa: RUF012
        "plans": Provide(provide_study_plan_service, sync_to_thread=False),
        "coach": Provide(provide_coach_service, sync_to_thread=False),
    }

    @get(
        "/study-plan",
        summary="The study plan: hours, expected gain, predicted score and pass chance",
        description=(
            "The stored plan, recomputed in the background after attempts and nightly; "
            "computed during the request when none exists or the goal changed since."
        ),
        responses={404: _NO_GOAL, **problems(422)},
    )
    async def get_study_plan(
        self,
        plans: NamedDependency[StudyPlanService],
        current_account: NamedDependency[CurrentAccount],
    ) -> StudyPlanRead:
        return await plans.get_study_plan(current_account.id, _now())

    @post(
        "/study-plan",
        summary="Recompute the study plan in the background",
        description="202 with the job id; follow `status_url` (GET /api/jobs/{id}).",
        status_code=HTTP_202_ACCEPTED,
        responses={404: _NO_GOAL},
    )
    async def replan(
        self,
        coach: NamedDependency[CoachService],
        current_account: NamedDependency[CurrentAccount],
        job_queue: NamedDependency[JobQueue],
    ) -> Response[JobAccepted]:
        await coach.get_goal(current_account.id)  # 404 without a goal
        info = await job_queue.enqueue(
            REPLAN_TASK,
            owner_id=current_account.id,
            kwargs={"account_id": str(current_account.id)},
        )
        accepted = JobAccepted(job_id=info.id, status_url=f"/api/jobs/{info.id}")
        return Response(accepted, status_code=HTTP_202_ACCEPTED)

    @get(
        "/agenda",
        summary="A day's agenda: due reviews (capped) and study slots in cycle order",
        description=(
            "`date` defaults to today (Brasília). The study cycle resumes where the last "
            "agenda stopped and moves on only after a day with attempts or reviews."
        ),
        responses={404: _NO_GOAL, **problems(422)},
    )
    async def get_agenda(
        self,
        plans: NamedDependency[StudyPlanService],
        current_account: NamedDependency[CurrentAccount],
        # Named as the query parameter, so that a bad value is reported under "date".
        date: dt.date | None = None,
    ) -> AgendaRead:
        now = _now()
        if date is not None:
            _check_agenda_date(date)
        return await plans.agenda(current_account.id, date or coach_day(now), now)


def _check_agenda_date(day: dt.date) -> None:
    try:
        check_calendar("date", day)
    except ValueError as exc:
        raise InvalidInputError(
            f"Invalid value for 'date': {exc}",
            errors=[InvalidField(field="date", message=str(exc), source="query")],
        ) from exc


COACH_CONTROLLERS = (GoalController, MasteryController, ReviewController, StudyPlanController)
