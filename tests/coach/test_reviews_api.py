"""Spaced reviews: cards from attempts, today's queue, grading, exam-day awareness."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.coach.helpers import (
    SMALL_SYLLABUS,
    TEXT_PLAIN,
    Client,
    ExamSetup,
    Headers,
    add_questions,
    answer,
    create_exam,
    parse_moment,
    set_goal,
    today,
)


async def _due(client: Client, headers: Headers, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/api/me/reviews/due{query}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _grade(client: Client, headers: Headers, card_id: str, grade: str) -> Any:
    return await client.post(f"/api/me/reviews/{card_id}", json={"grade": grade}, headers=headers)


@pytest.fixture
async def setup(client: Client, editor_headers: Headers, candidate_headers: Headers) -> ExamSetup:
    exam = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, exam)
    await add_questions(client, editor_headers, exam, "RACIOCÍNIO LÓGICO", 4)
    await add_questions(client, editor_headers, exam, "LEGISLAÇÃO DE TRÂNSITO", 2)
    return exam


async def test_a_wrong_answer_opens_a_question_card_and_a_topic_card(
    client: Client, candidate_headers: Headers, setup: ExamSetup
) -> None:
    question = setup.questions["RACIOCÍNIO LÓGICO"][0]

    await answer(client, candidate_headers, question, right=False)
    body = await _due(client, candidate_headers)

    assert body["total"] == 2
    assert {card["kind"] for card in body["items"]} == {"question", "topic"}
    assert next(c for c in body["items"] if c["kind"] == "question")["question_id"] == question
    assert all(card["subject_id"] == setup.subjects["RACIOCÍNIO LÓGICO"] for card in body["items"])


async def test_a_right_answer_opens_only_the_topic_card(
    client: Client, candidate_headers: Headers, setup: ExamSetup
) -> None:
    await answer(client, candidate_headers, setup.questions["RACIOCÍNIO LÓGICO"][0], right=True)

    body = await _due(client, candidate_headers)

    assert [card["kind"] for card in body["items"]] == ["topic"]
    assert body["items"][0]["topic_id"] == setup.topics["RACIOCÍNIO LÓGICO"][0]


async def test_one_topic_card_serves_every_question_of_the_topic(
    client: Client, candidate_headers: Headers, setup: ExamSetup
) -> None:
    first, _, third, _ = setup.questions["RACIOCÍNIO LÓGICO"]  # both on the first topic

    await answer(client, candidate_headers, first, right=True)
    await answer(client, candidate_headers, third, right=False)
    items = (await _due(client, candidate_headers))["items"]

    topic_cards = [card for card in items if card["kind"] == "topic"]
    assert len(topic_cards) == 1
    assert topic_cards[0]["reviews"] == 2


async def test_the_due_queue_is_bounded_by_limit_with_a_stable_total(
    client: Client, candidate_headers: Headers, setup: ExamSetup
) -> None:
    for question in setup.questions["RACIOCÍNIO LÓGICO"]:
        await answer(client, candidate_headers, question, right=False)

    first = await _due(client, candidate_headers, "?limit=4")
    second = await _due(client, candidate_headers, "?limit=4&offset=4")

    assert first["total"] == second["total"] == 6  # four questions, two topics
    assert len(first["items"]) == 4
    assert len(second["items"]) == 2
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}


async def test_a_limit_above_100_is_refused(client: Client, candidate_headers: Headers) -> None:
    response = await client.get("/api/me/reviews/due?limit=101", headers=candidate_headers)

    assert response.status_code == 400


async def test_grading_a_due_card_schedules_it_later_and_takes_it_off_the_queue(
    client: Client, candidate_headers: Headers, setup: ExamSetup
) -> None:
    await answer(client, candidate_headers, setup.questions["RACIOCÍNIO LÓGICO"][0], right=True)
    card = (await _due(client, candidate_headers))["items"][0]

    response = await _grade(client, candidate_headers, card["id"], "easy")

    assert response.status_code == 200, response.text
    graded = response.json()
    assert graded["phase"] == "review"
    assert graded["reviews"] == 2
    assert parse_moment(graded["due"]) > dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    assert (await _due(client, candidate_headers))["total"] == 0


async def test_another_candidates_card_is_not_found(
    client: Client,
    candidate_headers: Headers,
    other_candidate_headers: Headers,
    setup: ExamSetup,
) -> None:
    await answer(client, candidate_headers, setup.questions["RACIOCÍNIO LÓGICO"][0], right=True)
    card = (await _due(client, candidate_headers))["items"][0]

    graded = await _grade(client, other_candidate_headers, card["id"], "good")
    read = await client.get(f"/api/me/reviews/{card['id']}", headers=other_candidate_headers)

    assert graded.status_code == 404
    assert read.status_code == 404


async def test_a_card_not_yet_due_cannot_be_graded(
    client: Client, candidate_headers: Headers, setup: ExamSetup
) -> None:
    await answer(client, candidate_headers, setup.questions["RACIOCÍNIO LÓGICO"][0], right=True)
    card = (await _due(client, candidate_headers))["items"][0]
    await _grade(client, candidate_headers, card["id"], "easy")

    again = await _grade(client, candidate_headers, card["id"], "good")

    assert again.status_code == 409


@pytest.mark.parametrize("body", [{"grade": "perfect"}, {}, {"grade": "good", "extra": 1}])
async def test_a_grade_must_be_again_hard_good_or_easy(
    client: Client, candidate_headers: Headers, setup: ExamSetup, body: dict[str, Any]
) -> None:
    await answer(client, candidate_headers, setup.questions["RACIOCÍNIO LÓGICO"][0], right=True)
    card = (await _due(client, candidate_headers))["items"][0]

    response = await client.post(
        f"/api/me/reviews/{card['id']}", json=body, headers=candidate_headers
    )

    assert response.status_code == 400


async def test_an_unknown_or_malformed_card_id_is_not_found(
    client: Client, candidate_headers: Headers
) -> None:
    unknown = await _grade(
        client, candidate_headers, "0190a7d6-0000-7000-8000-000000000000", "good"
    )
    malformed = await _grade(client, candidate_headers, "not-a-uuid", "good")

    assert unknown.status_code == 404
    assert malformed.status_code in {400, 404}


async def test_practice_before_a_card_is_due_updates_mastery_but_not_the_card(
    client: Client, candidate_headers: Headers, setup: ExamSetup
) -> None:
    first, _, third, _ = setup.questions["RACIOCÍNIO LÓGICO"]
    await answer(client, candidate_headers, first, right=True)
    card = (await _due(client, candidate_headers))["items"][0]
    scheduled = (await _grade(client, candidate_headers, card["id"], "easy")).json()

    await answer(client, candidate_headers, third, right=False)
    after = (await client.get(f"/api/me/reviews/{card['id']}", headers=candidate_headers)).json()
    mastery = (await client.get("/api/me/mastery", headers=candidate_headers)).json()
    subject = next(s for s in mastery["subjects"] if s["subject"] == "RACIOCÍNIO LÓGICO")

    assert (after["due"], after["reviews"], after["stability"]) == (
        scheduled["due"],
        scheduled["reviews"],
        scheduled["stability"],
    )
    assert subject["attempts"] == 2


async def test_a_card_that_would_fade_before_the_exam_is_brought_forward(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    # Easy on a fresh card means a 4-day interval; recall 10 days out would be
    # about 0.83, under the 0.85 target, so the review moves up to carry it.
    far, near = await _easy_card_due(client, editor_headers, candidate_headers, [90, 10])

    assert far > dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    assert near < far - dt.timedelta(days=1)


async def _easy_card_due(
    client: Client, editor: Headers, candidate: Headers, exam_in_days: list[int]
) -> list[dt.datetime]:
    setup = await create_exam(client, editor)
    questions = await add_questions(client, editor, setup, "LEGISLAÇÃO DE TRÂNSITO", 2)
    dues = []
    # Two questions on two topics: each answer opens a fresh topic card.
    for days, question in zip(exam_in_days, questions[:2], strict=True):
        await set_goal(client, candidate, setup, exam_date=today() + dt.timedelta(days=days))
        await answer(client, candidate, question, right=True)
        queue = await _due(client, candidate)
        card = next(c for c in queue["items"] if c["topic_id"] and c["reviews"] == 1)
        graded = (await _grade(client, candidate, card["id"], "easy")).json()
        dues.append(parse_moment(graded["due"]))
    return dues


async def test_in_the_final_days_the_queue_ranks_by_subject_weight_times_expected_loss(
    client: Client, editor_headers: Headers, candidate_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    await set_goal(client, candidate_headers, setup, exam_date=today() + dt.timedelta(days=10))
    light = await add_questions(client, editor_headers, setup, "RACIOCÍNIO LÓGICO", 1)
    heavy = await add_questions(client, editor_headers, setup, "LEGISLAÇÃO DE TRÂNSITO", 1)

    # Created first, the light subject's cards are due first.
    await answer(client, candidate_headers, light[0], right=False)
    await answer(client, candidate_headers, heavy[0], right=False)
    items = (await _due(client, candidate_headers))["items"]

    weights = [item["priority"] for item in items]
    assert weights == sorted(weights, reverse=True)
    assert items[0]["subject_id"] == setup.subjects["LEGISLAÇÃO DE TRÂNSITO"]
    assert items[-1]["subject_id"] == setup.subjects["RACIOCÍNIO LÓGICO"]


async def test_far_from_the_exam_the_queue_keeps_due_order_without_priorities(
    client: Client, candidate_headers: Headers, setup: ExamSetup
) -> None:
    await answer(client, candidate_headers, setup.questions["RACIOCÍNIO LÓGICO"][0], right=False)
    await answer(
        client, candidate_headers, setup.questions["LEGISLAÇÃO DE TRÂNSITO"][0], right=False
    )

    items = (await _due(client, candidate_headers))["items"]

    assert [item["priority"] for item in items] == [None] * 4
    assert [item["due"] for item in items] == sorted(item["due"] for item in items)


async def test_a_question_card_outlives_its_subject_dropped_by_a_corrected_edital(
    client: Client, editor_headers: Headers, candidate_headers: Headers, setup: ExamSetup
) -> None:
    question = setup.questions["LEGISLAÇÃO DE TRÂNSITO"][0]
    await answer(client, candidate_headers, question, right=False)
    without_traffic_law = SMALL_SYLLABUS.split("BLOCO II")[0]

    corrected = await client.put(
        f"/api/exams/{setup.exam_id}/syllabus",
        content=without_traffic_law.encode(),
        headers={**editor_headers, **TEXT_PLAIN},
    )
    body = await _due(client, candidate_headers)

    assert corrected.status_code == 200, corrected.text
    # The topic card went with its topic; the error-notebook card stays, unfiled.
    assert [(card["kind"], card["question_id"]) for card in body["items"]] == [
        ("question", question)
    ]
    assert body["items"][0]["subject_id"] is None
