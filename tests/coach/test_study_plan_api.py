"""GET/POST /api/me/study-plan and GET /api/me/agenda, with the PRF 2019 acceptance run."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec
import pytest

from concurso_coach.coach.planning import StudyPlanService
from concurso_coach.platform.database import build_database_config, install_sqlite_pragmas
from concurso_coach.questions.schemas import QuestionCreate
from concurso_coach.questions.services import QuestionService
from concurso_coach.settings import Settings
from tests.coach.helpers import (
    TEN_HOURS,
    Client,
    ExamSetup,
    Headers,
    add_questions,
    answer,
    create_exam,
    parse_moment,
    run_job,
    set_goal,
    today,
)
from tests.questions.helpers import db_session
from tests.support import require_shared_data

PRF_FILE = "editais/policia-rodoviaria-federal-2019.txt"

# A made-up but plausible split of PRF 2019's 120 Cebraspe items (the edital
# gives blocks, not per-subject counts): 55 in Bloco I, 30 in Bloco II, 35 in
# Bloco III, every item worth 1.
PRF_COUNTS = {
    "LÍNGUA PORTUGUESA": 15,
    "RACIOCÍNIO LÓGICO-MATEMÁTICO": 8,
    "INFORMÁTICA": 10,
    "NOÇÕES DE FÍSICA": 7,
    "ÉTICA NO SERVIÇO PÚBLICO": 5,
    "GEOPOLÍTICA BRASILEIRA": 5,
    "HISTÓRIA DA PRF": 5,
    "LEGISLAÇÃO DE TRÂNSITO": 30,
    "NOÇÕES DE DIREITO ADMINISTRATIVO": 7,
    "NOÇÕES DE DIREITO CONSTITUCIONAL": 7,
    "NOÇÕES DE DIREITO PENAL E DE DIREITO PROCESSUAL PENAL": 10,
    "LEGISLAÇÃO ESPECIAL": 6,
    "DIREITOS HUMANOS E CIDADANIA": 5,
}
QUESTIONS_PER_SUBJECT = 24


async def _plan(client: Client, headers: Headers) -> dict[str, Any]:
    response = await client.get("/api/me/study-plan", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _replan(client: Client, headers: Headers, settings: Settings) -> dict[str, Any]:
    accepted = await client.post("/api/me/study-plan", headers=headers)
    assert accepted.status_code == 202, accepted.text
    job = await run_job(client, headers, settings, accepted.json()["job_id"])
    assert job["status"] == "complete", job
    return await _plan(client, headers)


def _hours(plan: dict[str, Any]) -> dict[str, float]:
    return {s["subject"]: s["hours"] for s in plan["subjects"]}


# The plan


async def test_without_a_goal_there_is_no_plan(client: Client, candidate_headers: Headers) -> None:
    read = await client.get("/api/me/study-plan", headers=candidate_headers)
    replan = await client.post("/api/me/study-plan", headers=candidate_headers)

    assert (read.status_code, replan.status_code) == (404, 404)


async def test_an_exam_without_question_counts_cannot_be_planned(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers, counts={})
    await set_goal(client, candidate_headers, setup)

    response = await client.get("/api/me/study-plan", headers=candidate_headers)

    assert response.status_code == 422
    assert "question counts" in response.json()["detail"]


async def test_the_plan_explains_each_subject_by_expected_gain(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup)

    plan = await _plan(client, candidate_headers)

    gains = [s["expected_gain"] for s in plan["subjects"]]
    assert gains == sorted(gains, reverse=True)
    assert {s["subject_id"] for s in plan["subjects"]} == set(setup.subjects.values())
    assert plan["subjects"][0]["subject"] == "LEGISLAÇÃO DE TRÂNSITO"  # 30 items
    assert 0 <= plan["pass_chance"] <= 1
    assert plan["exam_date"] == (today() + dt.timedelta(days=90)).isoformat()
    for subject in plan["subjects"]:
        assert subject["predicted_score"] <= SMALL_MAX[subject["subject"]]


SMALL_MAX = {"LÍNGUA PORTUGUESA": 20, "RACIOCÍNIO LÓGICO": 10, "LEGISLAÇÃO DE TRÂNSITO": 30}


async def test_a_new_goal_recomputes_the_plan_on_read(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup)
    before = await _plan(client, candidate_headers)

    await set_goal(client, candidate_headers, setup, weekly_minutes=[120] * 7)
    after = await _plan(client, candidate_headers)

    assert parse_moment(after["computed_at"]) > parse_moment(before["computed_at"])
    assert after["weekly_minutes"] == [120] * 7
    assert sum(_hours(after).values()) > sum(_hours(before).values())


async def test_replanning_answers_202_with_a_job_only_its_owner_can_follow(
    client: Client,
    editor_headers: Headers,
    candidate_headers: Headers,
    other_candidate_headers: Headers,
    settings: Settings,
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup)

    accepted = await client.post("/api/me/study-plan", headers=candidate_headers)
    job_id = accepted.json()["job_id"]
    finished = await run_job(client, candidate_headers, settings, job_id)
    stranger = await client.get(f"/api/jobs/{job_id}", headers=other_candidate_headers)

    assert accepted.status_code == 202
    assert accepted.json()["status_url"] == f"/api/jobs/{job_id}"
    assert finished["status"] == "complete"
    assert finished["result"]["planned"] is True
    assert stranger.status_code == 404


# The agenda


async def _agenda(client: Client, headers: Headers, day: dt.date) -> dict[str, Any]:
    response = await client.get(f"/api/me/agenda?date={day.isoformat()}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def planned(client: Client, editor_headers: Headers, candidate_headers: Headers) -> ExamSetup:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup)
    await add_questions(client, editor_headers, setup, "RACIOCÍNIO LÓGICO", 2)
    return setup


async def test_the_agenda_fills_the_days_minutes_with_study_slots_in_cycle_order(
    client: Client, candidate_headers: Headers, planned: ExamSetup
) -> None:
    day = today()

    agenda = await _agenda(client, candidate_headers, day)
    plan = await _plan(client, candidate_headers)

    assert sum(item["minutes"] for item in agenda["items"]) == TEN_HOURS[day.weekday()]
    start = agenda["cycle_position"]
    subjects = [item["subject"] for item in agenda["items"] if item["kind"] == "study"]
    cycle = plan["cycle"] * 2
    assert subjects == cycle[start : start + len(subjects)]
    assert agenda["cycle_length"] == len(plan["cycle"])


async def test_due_reviews_open_the_agenda_within_their_cap(
    client: Client, candidate_headers: Headers, planned: ExamSetup
) -> None:
    for question in planned.questions["RACIOCÍNIO LÓGICO"]:
        await answer(client, candidate_headers, question, right=False)

    agenda = await _agenda(client, candidate_headers, today())

    first = agenda["items"][0]
    assert first["kind"] == "review"
    assert first["minutes"] <= TEN_HOURS[today().weekday()] * 0.3
    assert agenda["due_reviews"] == 4  # two questions and their two topics
    assert agenda["reviews_planned"] + agenda["reviews_deferred"] == 4


async def _agenda_on(
    client: Client, settings: Settings, headers: Headers, day: dt.date, now: dt.datetime
) -> dict[str, Any]:
    """The agenda of ``day`` asked at ``now``: the service, for days yet to come."""
    account_id = UUID((await client.get("/api/me", headers=headers)).json()["id"])
    async with db_session(settings) as session:
        agenda = await StudyPlanService(session).agenda(account_id, day, now)
    body: dict[str, Any] = msgspec.to_builtins(agenda)
    return body


def _study_slots(agenda: dict[str, Any]) -> int:
    return sum(1 for item in agenda["items"] if item["kind"] == "study")


async def test_a_missed_day_does_not_move_the_cycle_on(
    client: Client, settings: Settings, candidate_headers: Headers, planned: ExamSetup
) -> None:
    first = await _agenda(client, candidate_headers, today())
    in_two_days = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)

    # Two days later, with nothing done in between.
    later = await _agenda_on(
        client, settings, candidate_headers, today() + dt.timedelta(days=2), in_two_days
    )

    assert later["cycle_position"] == first["cycle_position"]


async def test_the_cycle_moves_on_after_a_day_with_activity(
    client: Client, settings: Settings, candidate_headers: Headers, planned: ExamSetup
) -> None:
    first = await _agenda(client, candidate_headers, today())
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)

    await answer(client, candidate_headers, planned.questions["RACIOCÍNIO LÓGICO"][0], right=True)
    next_day = await _agenda_on(
        client, settings, candidate_headers, today() + dt.timedelta(days=1), tomorrow
    )

    expected = (first["cycle_position"] + _study_slots(first)) % first["cycle_length"]
    assert next_day["cycle_position"] == expected


async def test_a_later_day_is_projected_as_if_every_day_before_it_were_studied(
    client: Client, candidate_headers: Headers, planned: ExamSetup
) -> None:
    first = await _agenda(client, candidate_headers, today())

    tomorrow = await _agenda(client, candidate_headers, today() + dt.timedelta(days=1))
    after = await _agenda(client, candidate_headers, today() + dt.timedelta(days=2))

    length = first["cycle_length"]
    assert tomorrow["cycle_position"] == (first["cycle_position"] + _study_slots(first)) % length
    expected_after = (tomorrow["cycle_position"] + _study_slots(tomorrow)) % length
    assert after["cycle_position"] == expected_after


async def test_looking_ahead_or_back_never_changes_todays_agenda(
    client: Client, candidate_headers: Headers, planned: ExamSetup
) -> None:
    first = await _agenda(client, candidate_headers, today())

    await _agenda(client, candidate_headers, today() + dt.timedelta(days=7))
    await _agenda(client, candidate_headers, today() - dt.timedelta(days=3))
    await _agenda(client, candidate_headers, dt.date(2199, 12, 30))
    again = await _agenda(client, candidate_headers, today())
    next_week = await _agenda(client, candidate_headers, today() + dt.timedelta(days=7))

    assert again == first
    assert next_week == await _agenda(client, candidate_headers, today() + dt.timedelta(days=7))


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "2201-01-01"])
async def test_an_agenda_date_outside_the_calendar_is_refused_naming_it(
    client: Client, candidate_headers: Headers, planned: ExamSetup, value: str
) -> None:
    response = await client.get(f"/api/me/agenda?date={value}", headers=candidate_headers)

    assert response.status_code == 400
    problem = response.json()
    assert problem["errors"][0]["field"] == "date"


@pytest.mark.parametrize("value", ["2025-13-01", "tomorrow", "2025-01-01T00:00:00"])
async def test_a_malformed_agenda_date_is_refused(
    client: Client, candidate_headers: Headers, planned: ExamSetup, value: str
) -> None:
    response = await client.get(f"/api/me/agenda?date={value}", headers=candidate_headers)

    assert response.status_code == 400


# Acceptance: PRF 2019, 10 hours a week, the exam 90 days away


async def _create_questions(settings: Settings, setup: ExamSetup) -> None:
    """A few dozen certo/errado items per subject, linked to subject and topic.

    Made through the question service for speed; the API path is covered by
    the other tests.
    """
    config = build_database_config(settings)
    install_sqlite_pragmas(config)
    try:
        async with config.create_session_maker()() as session:
            service = QuestionService(session)
            for name, subject_id in setup.subjects.items():
                topics = setup.topics[name]
                ids = []
                for index in range(QUESTIONS_PER_SUBJECT):
                    created = await service.create_question(
                        QuestionCreate(
                            kind="true_false",
                            statement=f"{name}: item {index + 1} da prova.",
                            answer_key="C",
                            source="prf-test",
                            external_id=f"{name}-{index}",
                            exam_id=UUID(setup.exam_id),
                            subject_id=UUID(subject_id),
                            topic_id=UUID(topics[index % len(topics)]),
                        )
                    )
                    ids.append(str(created.id))
                setup.questions[name] = ids
    finally:
        await config.get_engine().dispose()


@pytest.mark.data
async def test_prf_2019_plan_fills_ten_hours_a_week_and_shifts_to_a_subject_after_wrong_answers(
    client: Client,
    editor_headers: Headers,
    candidate_headers: Headers,
    settings: Settings,
) -> None:
    syllabus = require_shared_data(PRF_FILE).read_text(encoding="utf-8")
    setup = await create_exam(client, editor_headers, syllabus=syllabus, counts=PRF_COUNTS)
    await _create_questions(settings, setup)
    everyone_at_3 = dict.fromkeys(PRF_COUNTS, 3)
    await set_goal(client, candidate_headers, setup, self_assessment=everyone_at_3)

    before = await _plan(client, candidate_headers)

    # "Sums to availability": every full week's availability (600 minutes) is
    # split into a review share and study minutes, and the study minutes are
    # split over subjects to the minute. With no review card yet the review
    # share is 0, so the subjects' minutes are the whole 10 hours.
    full_weeks = [w for w in before["weeks"] if w["available_minutes"] == sum(TEN_HOURS)]
    assert len(full_weeks) >= 12
    for week in full_weeks:
        assert week["review_minutes"] == 0
        assert sum(part["minutes"] for part in week["subjects"]) == sum(TEN_HOURS)
    planned_minutes = sum(s["hours"] for s in before["subjects"]) * 60
    study_minutes = sum(w["study_minutes"] for w in before["weeks"])
    assert study_minutes - 30 < planned_minutes <= study_minutes  # whole 30-minute slots

    # Weighted by expected gain: listed by it, and at equal mastery the
    # 30-item subject gains (and gets) the most.
    gains = [s["expected_gain"] for s in before["subjects"]]
    assert gains == sorted(gains, reverse=True)
    assert before["subjects"][0]["subject"] == "LEGISLAÇÃO DE TRÂNSITO"
    assert max(_hours(before).values()) == _hours(before)["LEGISLAÇÃO DE TRÂNSITO"]

    # A burst of wrong answers in one subject, then a replan in the background.
    shaken = "NOÇÕES DE DIREITO ADMINISTRATIVO"
    for question in setup.questions[shaken][:12]:
        await answer(client, candidate_headers, question, right=False)
    after = await _replan(client, candidate_headers, settings)

    mastery_before = {s["subject"]: s["current_mastery"] for s in before["subjects"]}
    mastery_after = {s["subject"]: s["current_mastery"] for s in after["subjects"]}
    assert mastery_after[shaken] < mastery_before[shaken] - 0.2
    assert _hours(after)[shaken] > _hours(before)[shaken] + 2
    for week in after["weeks"]:
        assert week["study_minutes"] + week["review_minutes"] == week["available_minutes"]
        assert sum(part["minutes"] for part in week["subjects"]) == week["study_minutes"]
