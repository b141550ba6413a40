"""The coach's background jobs: replan one account, replan all nightly, debounce."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from concurso_coach.jobs.registry import CRON_TASKS, TASKS, load_task_modules
from concurso_coach.settings import Settings
from tests.coach.helpers import (
    Client,
    ExamSetup,
    Headers,
    JobRuntime,
    add_questions,
    answer,
    create_exam,
    parse_moment,
    run_job,
    set_goal,
    today,
)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[JobRuntime]:
    built = JobRuntime(settings)
    await built.queue.start()
    yield built
    await built.close()


@pytest.fixture
async def setup(client: Client, editor_headers: Headers, candidate_headers: Headers) -> ExamSetup:
    exam = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, exam)
    await add_questions(client, editor_headers, exam, "RACIOCÍNIO LÓGICO", 2)
    return exam


async def _account_id(client: Client, headers: Headers) -> str:
    me = await client.get("/api/me", headers=headers)
    assert me.status_code == 200, me.text
    account_id: str = me.json()["id"]
    return account_id


def test_the_replan_tasks_are_registered_with_a_nightly_cron() -> None:
    load_task_modules()

    assert "coach.replan" in TASKS
    assert CRON_TASKS["coach.replan_all"].cron == "0 3 * * *"


async def test_a_replan_with_unchanged_inputs_writes_nothing(
    client: Client, candidate_headers: Headers, settings: Settings, setup: ExamSetup
) -> None:
    stored = (await client.get("/api/me/study-plan", headers=candidate_headers)).json()

    accepted = await client.post("/api/me/study-plan", headers=candidate_headers)
    job = await run_job(client, candidate_headers, settings, accepted.json()["job_id"])
    again = (await client.get("/api/me/study-plan", headers=candidate_headers)).json()

    assert job["result"]["changed"] is False
    assert again == stored


async def test_a_replan_after_new_answers_stores_a_new_plan(
    client: Client, candidate_headers: Headers, settings: Settings, setup: ExamSetup
) -> None:
    stored = (await client.get("/api/me/study-plan", headers=candidate_headers)).json()
    await answer(client, candidate_headers, setup.questions["RACIOCÍNIO LÓGICO"][0], right=False)

    accepted = await client.post("/api/me/study-plan", headers=candidate_headers)
    job = await run_job(client, candidate_headers, settings, accepted.json()["job_id"])
    again = (await client.get("/api/me/study-plan", headers=candidate_headers)).json()

    assert job["result"]["changed"] is True
    assert parse_moment(again["computed_at"]) > parse_moment(stored["computed_at"])


async def test_answers_in_a_burst_queue_one_delayed_replan(
    client: Client, candidate_headers: Headers, setup: ExamSetup
) -> None:
    account_id = await _account_id(client, candidate_headers)

    for question in setup.questions["RACIOCÍNIO LÓGICO"]:
        await answer(client, candidate_headers, question, right=False)
    job = await client.get(f"/api/jobs/replan-{account_id}", headers=candidate_headers)

    assert job.status_code == 200, job.text
    assert job.json()["task"] == "coach.replan"
    assert job.json()["status"] == "queued"  # waits out the debounce delay


async def test_a_candidates_job_is_not_found_by_anyone_else_not_even_an_admin(
    client: Client,
    candidate_headers: Headers,
    other_candidate_headers: Headers,
    admin_headers: Headers,
    setup: ExamSetup,
) -> None:
    account_id = await _account_id(client, candidate_headers)
    await answer(client, candidate_headers, setup.questions["RACIOCÍNIO LÓGICO"][0], right=False)
    url = f"/api/jobs/replan-{account_id}"

    own = await client.get(url, headers=candidate_headers)
    other = await client.get(url, headers=other_candidate_headers)
    admin = await client.get(url, headers=admin_headers)

    assert (own.status_code, other.status_code, admin.status_code) == (200, 404, 404)


async def test_the_nightly_task_replans_every_account_with_a_goal(
    client: Client,
    candidate_headers: Headers,
    other_candidate_headers: Headers,
    runtime: JobRuntime,
    setup: ExamSetup,
) -> None:
    planner = await _account_id(client, candidate_headers)
    await _account_id(client, other_candidate_headers)  # signed up, no goal

    nightly = await runtime.run("coach.replan_all")
    replanned = await runtime.queue.get(f"replan-{planner}")

    assert nightly.status == "complete"
    assert nightly.result == {"queued": 1}
    assert replanned is not None
    assert replanned.status == "complete"
    assert replanned.result is not None
    assert replanned.result["planned"] is True


async def test_replanning_an_account_without_a_goal_does_nothing(
    client: Client, candidate_headers: Headers, runtime: JobRuntime
) -> None:
    account_id = await _account_id(client, candidate_headers)

    info = await runtime.run("coach.replan", account_id=account_id)

    assert info.status == "complete"
    assert info.result == {"account_id": account_id, "planned": False}


async def test_a_replan_brings_cards_forward_when_the_exam_comes_closer(
    client: Client, candidate_headers: Headers, settings: Settings, setup: ExamSetup
) -> None:
    await answer(client, candidate_headers, setup.questions["RACIOCÍNIO LÓGICO"][0], right=True)
    due = (await client.get("/api/me/reviews/due", headers=candidate_headers)).json()
    card_id = due["items"][0]["id"]
    graded = await client.post(
        f"/api/me/reviews/{card_id}", json={"grade": "easy"}, headers=candidate_headers
    )
    await set_goal(client, candidate_headers, setup, exam_date=today() + dt.timedelta(days=10))

    accepted = await client.post("/api/me/study-plan", headers=candidate_headers)
    await run_job(client, candidate_headers, settings, accepted.json()["job_id"])
    moved = (await client.get(f"/api/me/reviews/{card_id}", headers=candidate_headers)).json()

    assert parse_moment(moved["due"]) < parse_moment(graded.json()["due"])
    assert moved["retrievability_at_exam"] < 0.85  # why it had to move
