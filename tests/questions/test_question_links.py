"""Editor-written questions linked to the catalogue: board, names and key, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.coach.helpers import ExamSetup, create_exam

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

QUESTION = {"kind": "true_false", "statement": "A crase é facultativa aqui.", "answer_key": "E"}
SUBJECT = "LÍNGUA PORTUGUESA"


@pytest.fixture
async def setup(client: Client, editor_headers: Headers) -> ExamSetup:
    """create_exam's Cebraspe exam with its syllabus."""
    return await create_exam(client, editor_headers)


async def _create(client: Client, headers: Headers, **fields: Any) -> Any:
    response = await client.post("/api/questions", json={**QUESTION, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _refused(client: Client, headers: Headers, **fields: Any) -> str:
    response = await client.post("/api/questions", json={**QUESTION, **fields}, headers=headers)
    assert response.status_code == 422, response.text
    detail: str = response.json()["detail"]
    return detail


async def _patch(client: Client, headers: Headers, question_id: str, **fields: Any) -> Any:
    return await client.patch(f"/api/questions/{question_id}", json=fields, headers=headers)


async def _topic_title(client: Client, headers: Headers, topic_id: str) -> str:
    response = await client.get(f"/api/topics/{topic_id}", headers=headers)
    assert response.status_code == 200, response.text
    title: str = response.json()["title"]
    return title


async def _board_id(client: Client, headers: Headers, acronym: str, rule: str) -> str:
    response = await client.post(
        "/api/boards",
        json={"name": acronym, "acronym": acronym, "default_scoring_rule": rule},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    board_id: str = response.json()["id"]
    return board_id


# The exam's board


@pytest.mark.parametrize("link", ["topic_id", "subject_id", "exam_id"])
async def test_a_linked_question_takes_its_exams_board_and_is_found_by_it(
    client: Client, editor_headers: Headers, setup: ExamSetup, link: str
) -> None:
    value = {
        "topic_id": setup.topics[SUBJECT][0],
        "subject_id": setup.subjects[SUBJECT],
        "exam_id": setup.exam_id,
    }[link]

    created = await _create(client, editor_headers, **{link: value})
    listed = await client.get(
        "/api/questions", params={"board": "Cebraspe"}, headers=editor_headers
    )

    assert created["board"] == "Cebraspe"
    assert created["exam_id"] == setup.exam_id
    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]


async def test_a_question_naming_another_board_than_its_exams_is_422(
    client: Client, editor_headers: Headers, setup: ExamSetup
) -> None:
    fgv = await _board_id(client, editor_headers, "FGV", "multiple_choice")

    detail = await _refused(
        client, editor_headers, subject_id=setup.subjects[SUBJECT], board_id=fgv
    )

    assert "board_id is not the board of the linked exam, Cebraspe" in detail


async def test_a_question_naming_its_exams_board_is_created(
    client: Client, editor_headers: Headers, setup: ExamSetup
) -> None:
    exam = (await client.get(f"/api/exams/{setup.exam_id}", headers=editor_headers)).json()

    created = await _create(
        client, editor_headers, exam_id=setup.exam_id, board_id=exam["board"]["id"]
    )

    assert created["board"] == "Cebraspe"


async def test_a_patch_linking_a_question_takes_the_exams_board_and_names(
    client: Client, editor_headers: Headers, setup: ExamSetup
) -> None:
    created = await _create(client, editor_headers)
    topic_id = setup.topics[SUBJECT][0]

    patched = await _patch(client, editor_headers, created["id"], topic_id=topic_id)

    assert patched.status_code == 200, patched.text
    linked = patched.json()
    assert (linked["board"], linked["subject_id"], linked["subject_name"]) == (
        "Cebraspe",
        setup.subjects[SUBJECT],
        SUBJECT,
    )
    assert linked["topic_name"] == await _topic_title(client, editor_headers, topic_id)


async def test_a_patch_to_another_board_than_the_exams_is_422(
    client: Client, editor_headers: Headers, setup: ExamSetup
) -> None:
    created = await _create(client, editor_headers, exam_id=setup.exam_id)
    fgv = await _board_id(client, editor_headers, "FGV", "multiple_choice")

    patched = await _patch(client, editor_headers, created["id"], board_id=fgv)

    assert patched.status_code == 422, patched.text
    assert "board of the linked exam" in patched.json()["detail"]


async def test_a_subject_that_does_not_exist_is_named_in_the_422(
    client: Client, editor_headers: Headers
) -> None:
    missing = "01a23e98-0000-7000-8000-000000000000"

    detail = await _refused(client, editor_headers, subject_id=missing)

    assert detail == f"subject_id {missing} names no subject."


# Names from the catalogue


async def test_a_question_linked_by_topic_reads_with_its_subject_and_topic_names(
    client: Client, editor_headers: Headers, candidate_headers: Headers, setup: ExamSetup
) -> None:
    topic_id = setup.topics[SUBJECT][0]
    title = await _topic_title(client, editor_headers, topic_id)
    created = await _create(client, editor_headers, topic_id=topic_id)

    read = (await client.get(f"/api/questions/{created['id']}", headers=candidate_headers)).json()
    attempt = await client.post(
        "/api/attempts",
        json={"question_id": created["id"], "answer": "E", "elapsed_ms": 1000},
        headers=candidate_headers,
    )
    stats = (await client.get("/api/me/stats", headers=candidate_headers)).json()

    assert (read["subject_name"], read["topic_name"]) == (SUBJECT, title)
    assert attempt.status_code == 201, attempt.text
    recorded = attempt.json()["attempt"]
    assert (recorded["subject_name"], recorded["topic_name"]) == (SUBJECT, title)
    (subject,) = stats["subjects"]
    assert (subject["subject_id"], subject["subject_name"]) == (setup.subjects[SUBJECT], SUBJECT)
    assert [topic["topic_name"] for topic in subject["topics"]] == [title]


async def test_a_linked_question_is_found_by_its_subjects_name(
    client: Client, editor_headers: Headers, setup: ExamSetup
) -> None:
    created = await _create(client, editor_headers, subject_id=setup.subjects[SUBJECT])

    listed = await client.get(
        "/api/questions", params={"subject": "lingua portuguesa"}, headers=editor_headers
    )

    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]


async def test_a_subject_name_other_than_the_linked_subjects_is_422(
    client: Client, editor_headers: Headers, setup: ExamSetup
) -> None:
    detail = await _refused(
        client,
        editor_headers,
        subject_id=setup.subjects[SUBJECT],
        subject_name="Raciocínio Lógico",
    )

    assert "not the catalogue's name of the linked subject" in detail


async def test_a_subject_name_spelled_differently_takes_the_catalogues_spelling(
    client: Client, editor_headers: Headers, setup: ExamSetup
) -> None:
    created = await _create(
        client,
        editor_headers,
        subject_id=setup.subjects[SUBJECT],
        subject_name="Língua Portuguesa",
    )

    assert created["subject_name"] == SUBJECT


async def test_a_patch_moving_a_question_to_another_subject_renames_it(
    client: Client, editor_headers: Headers, setup: ExamSetup
) -> None:
    created = await _create(client, editor_headers, topic_id=setup.topics[SUBJECT][0])
    other = "RACIOCÍNIO LÓGICO"
    topic_id = setup.topics[other][0]

    patched = await _patch(
        client, editor_headers, created["id"], subject_id=setup.subjects[other], topic_id=topic_id
    )

    assert patched.status_code == 200, patched.text
    assert (patched.json()["subject_name"], patched.json()["topic_name"]) == (
        other,
        await _topic_title(client, editor_headers, topic_id),
    )


# The answer key


async def test_a_question_without_a_key_is_422_unless_voided(
    client: Client, editor_headers: Headers
) -> None:
    detail = await _refused(client, editor_headers, answer_key=None)
    voided = await _create(client, editor_headers, answer_key=None, voided=True)

    assert "answer key is missing" in detail
    assert (voided["voided"], voided["answer_key"]) == (True, None)


async def test_a_patch_removing_the_key_of_a_live_question_is_422_unless_it_voids_it(
    client: Client, editor_headers: Headers
) -> None:
    created = await _create(client, editor_headers)

    refused = await _patch(client, editor_headers, created["id"], answer_key=None)
    voided = await _patch(client, editor_headers, created["id"], answer_key=None, voided=True)

    assert refused.status_code == 422, refused.text
    assert "must be voided" in refused.json()["detail"]
    assert voided.status_code == 200, voided.text
    assert (voided.json()["voided"], voided.json()["answer_key"]) == (True, None)
