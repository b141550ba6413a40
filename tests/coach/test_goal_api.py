"""PUT/GET /api/me/goal and GET /api/me/mastery."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.coach.helpers import (
    TEN_HOURS,
    Client,
    Headers,
    add_questions,
    answer,
    create_exam,
    set_goal,
    today,
)


async def test_a_goal_takes_the_exam_date_by_default(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)

    saved = await set_goal(client, candidate_headers, setup)
    read = await client.get("/api/me/goal", headers=candidate_headers)

    assert read.status_code == 200
    assert read.json() == saved
    assert saved["exam_date"] == (today() + dt.timedelta(days=90)).isoformat()
    assert saved["weekly_minutes"] == TEN_HOURS
    assert saved["weekly_total_minutes"] == 600


async def test_a_goal_may_set_its_own_exam_date_and_replace_the_last(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup)
    chosen = today() + dt.timedelta(days=30)

    saved = await set_goal(
        client, candidate_headers, setup, exam_date=chosen, weekly_minutes=[60] * 7
    )

    assert saved["exam_date"] == chosen.isoformat()
    assert saved["weekly_total_minutes"] == 420


async def test_without_a_goal_the_goal_is_not_found(
    client: Client, candidate_headers: Headers
) -> None:
    response = await client.get("/api/me/goal", headers=candidate_headers)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_goal_is_the_callers_own(
    client: Client,
    editor_headers: Headers,
    candidate_headers: Headers,
    other_candidate_headers: Headers,
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup)

    response = await client.get("/api/me/goal", headers=other_candidate_headers)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "weekly_minutes",
    [[60] * 6, [60] * 8, [60, 60, 60, 60, 60, 60, 961], [60, -1, 60, 60, 60, 60, 60]],
)
async def test_weekly_minutes_need_seven_days_of_0_to_960(
    client: Client, editor_headers: Headers, candidate_headers: Headers, weekly_minutes: list[int]
) -> None:
    setup = await create_exam(client, editor_headers)

    response = await client.put(
        "/api/me/goal",
        json={"exam_id": setup.exam_id, "weekly_minutes": weekly_minutes},
        headers=candidate_headers,
    )

    assert response.status_code == 400
    assert "weekly_minutes" in response.text


async def test_an_unknown_exam_is_refused(client: Client, candidate_headers: Headers) -> None:
    response = await client.put(
        "/api/me/goal",
        json={"exam_id": "0190a7d6-0000-7000-8000-000000000000", "weekly_minutes": TEN_HOURS},
        headers=candidate_headers,
    )

    assert response.status_code == 422


async def test_an_exam_date_beyond_three_years_is_refused(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    # A far date made the plan's cost explode (9999-12-31 froze the server).
    setup = await create_exam(client, editor_headers)

    response = await client.put(
        "/api/me/goal",
        json={"exam_id": setup.exam_id, "weekly_minutes": TEN_HOURS, "exam_date": "9999-12-31"},
        headers=candidate_headers,
    )

    assert response.status_code == 422
    assert "within 3 years" in response.json()["detail"]


async def test_an_exam_date_in_the_past_is_refused(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)

    response = await client.put(
        "/api/me/goal",
        json={
            "exam_id": setup.exam_id,
            "weekly_minutes": TEN_HOURS,
            "exam_date": (today() - dt.timedelta(days=1)).isoformat(),
        },
        headers=candidate_headers,
    )

    assert response.status_code == 422


async def test_self_assessment_must_name_subjects_of_the_exam(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)

    response = await client.put(
        "/api/me/goal",
        json={
            "exam_id": setup.exam_id,
            "weekly_minutes": TEN_HOURS,
            "self_assessment": {setup.exam_id: 3},
        },
        headers=candidate_headers,
    )

    assert response.status_code == 422


async def test_self_assessment_outside_1_to_5_is_refused(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    subject_id = setup.subjects["RACIOCÍNIO LÓGICO"]

    response = await client.put(
        "/api/me/goal",
        json={
            "exam_id": setup.exam_id,
            "weekly_minutes": TEN_HOURS,
            "self_assessment": {subject_id: 6},
        },
        headers=candidate_headers,
    )

    assert response.status_code == 400


async def test_the_goal_needs_a_signed_in_caller(client: Client) -> None:
    response = await client.get("/api/me/goal")

    assert response.status_code == 401


# Mastery


async def test_mastery_starts_from_the_self_assessment(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup, self_assessment={"RACIOCÍNIO LÓGICO": 4})

    body = (await client.get("/api/me/mastery", headers=candidate_headers)).json()
    by_name = {s["subject"]: s for s in body["subjects"]}

    assert body["exam_id"] == setup.exam_id
    assert by_name["RACIOCÍNIO LÓGICO"]["mastery"] == pytest.approx(0.7)
    assert by_name["RACIOCÍNIO LÓGICO"]["source"] == "self_assessment"
    assert by_name["LÍNGUA PORTUGUESA"]["source"] == "default"


async def test_wrong_answers_lower_the_subject_and_topic_mastery(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup, self_assessment={"RACIOCÍNIO LÓGICO": 4})
    questions = await add_questions(client, editor_headers, setup, "RACIOCÍNIO LÓGICO", 4)

    for question_id in questions:
        await answer(client, candidate_headers, question_id, right=False)
    body = (await client.get("/api/me/mastery", headers=candidate_headers)).json()
    subject = next(s for s in body["subjects"] if s["subject"] == "RACIOCÍNIO LÓGICO")

    assert subject["source"] == "attempts"
    assert subject["attempts"] == 4
    assert subject["mastery"] < 0.5
    assert sorted(t["attempts"] for t in subject["topics"]) == [2, 2]
    assert all(t["mastery"] < 0.7 for t in subject["topics"])


async def test_a_right_true_false_answer_raises_mastery_less_than_a_wrong_one_lowers_it(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(
        client,
        candidate_headers,
        setup,
        self_assessment={"RACIOCÍNIO LÓGICO": 3, "LEGISLAÇÃO DE TRÂNSITO": 3},
    )
    right = await add_questions(client, editor_headers, setup, "RACIOCÍNIO LÓGICO", 1)
    wrong = await add_questions(client, editor_headers, setup, "LEGISLAÇÃO DE TRÂNSITO", 1)

    await answer(client, candidate_headers, right[0], right=True)
    await answer(client, candidate_headers, wrong[0], right=False)
    body = (await client.get("/api/me/mastery", headers=candidate_headers)).json()
    by_name = {s["subject"]: s["mastery"] for s in body["subjects"]}

    # A guess wins half of certo/errado items, so a right answer proves less.
    assert by_name["RACIOCÍNIO LÓGICO"] - 0.5 < 0.5 - by_name["LEGISLAÇÃO DE TRÂNSITO"]
    assert by_name["RACIOCÍNIO LÓGICO"] > 0.5


async def test_stats_carry_the_same_mastery_as_the_mastery_view(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup, self_assessment={"RACIOCÍNIO LÓGICO": 4})
    questions = await add_questions(client, editor_headers, setup, "RACIOCÍNIO LÓGICO", 3)

    for question_id in questions:
        await answer(client, candidate_headers, question_id, right=False)
    stats = (await client.get("/api/me/stats", headers=candidate_headers)).json()
    view = (await client.get("/api/me/mastery", headers=candidate_headers)).json()
    view_subject = next(s for s in view["subjects"] if s["subject"] == "RACIOCÍNIO LÓGICO")
    by_id = {s["subject_id"]: s for s in stats["subjects"]}
    stats_subject = by_id[view_subject["subject_id"]]

    assert stats_subject["mastery"] == pytest.approx(view_subject["mastery"])
    assert stats_subject["mastery"] < 0.7
    view_topics = {t["topic_id"]: t["mastery"] for t in view_subject["topics"]}
    assert {t["topic_id"]: t["mastery"] for t in stats_subject["topics"]} == pytest.approx(
        view_topics
    )


async def test_the_exam_of_a_candidates_goal_cannot_be_deleted(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup)

    deleted = await client.delete(f"/api/exams/{setup.exam_id}", headers=editor_headers)
    goal = await client.get("/api/me/goal", headers=candidate_headers)

    assert deleted.status_code == 409
    assert "goal" in deleted.json()["detail"]
    assert goal.status_code == 200


@pytest.mark.parametrize("status", ["held", "cancelled"])
async def test_a_goal_cannot_start_on_an_exam_already_held_or_cancelled(
    client: Client, editor_headers: Headers, candidate_headers: Headers, status: str
) -> None:
    setup = await create_exam(client, editor_headers)
    changed = await client.patch(
        f"/api/exams/{setup.exam_id}", json={"status": status}, headers=editor_headers
    )

    response = await client.put(
        "/api/me/goal",
        json={"exam_id": setup.exam_id, "weekly_minutes": [60] * 7},
        headers=candidate_headers,
    )

    assert changed.status_code == 200, changed.text
    assert response.status_code == 422
    assert status in response.json()["detail"]
