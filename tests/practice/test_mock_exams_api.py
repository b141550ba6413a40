"""Mock exams over HTTP: the draw, hand-computed scores for both board types, and 409s."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from concurso_coach.practice.models import MockExam
from concurso_coach.settings import Settings
from tests.questions.helpers import db_session

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


def _line(external_id: str, board: str, subject: str, kind: str, key: str) -> dict[str, Any]:
    options = [{"letter": L, "text": f"Opção {L}"} for L in "ABCD"] if kind != "true_false" else []
    return {
        "source": "mock",
        "external_id": external_id,
        "board": board,
        "subject": subject,
        "kind": kind,
        "statement": f"Enunciado {external_id}",
        "options": options,
        "answer": key,
    }


# Cebraspe bank: Português keys all C, Direito keys all E; one multiple-choice
# Português item that a certo/errado exam must never draw.
CEBRASPE_BANK = (
    [_line(f"p{n}", "Cebraspe", "Português", "true_false", "C") for n in range(1, 6)]
    + [_line(f"d{n}", "Cebraspe", "Direito", "true_false", "E") for n in range(1, 4)]
    + [_line("p-mc", "Cebraspe", "Português", "multiple_choice", "A")]
)
# FGV bank: Civil keys all B, Penal keys all D.
FGV_BANK = [_line(f"c{n}", "FGV", "Civil", "multiple_choice", "B") for n in range(1, 4)] + [
    _line(f"n{n}", "FGV", "Penal", "multiple_choice", "D") for n in range(1, 3)
]


async def _post(client: Client, url: str, body: dict[str, Any], headers: Headers) -> dict[str, Any]:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _import(client: Client, headers: Headers, lines: list[dict[str, Any]]) -> dict[str, str]:
    body = "\n".join(json.dumps(line) for line in lines).encode()
    response = await client.post(
        "/api/questions/import?format=native", content=body, headers=headers
    )
    assert response.status_code == 201, response.text
    listed = await client.get(
        "/api/questions", params={"source": "mock", "limit": 100}, headers=headers
    )
    return {item["id"]: item["external_id"] for item in listed.json()["items"]}


async def _board_id(client: Client, headers: Headers, acronym: str) -> str:
    boards = (await client.get("/api/boards", headers=headers)).json()["items"]
    return next(board["id"] for board in boards if board["acronym"] == acronym)


async def _exam(
    client: Client,
    headers: Headers,
    board: str,
    blocks: list[tuple[str, float | None, list[tuple[str, float, int, float | None]]]],
    **fields: Any,
) -> str:
    """An exam with blocks (name, minimum, subjects (name, weight, count, minimum))."""
    board_id = await _board_id(client, headers, board)
    exam = await _post(
        client,
        "/api/exams",
        {"organisation": "Tribunal", "post": "Analista", "board_id": board_id, **fields},
        headers,
    )
    for block_name, block_minimum, subjects in blocks:
        block = await _post(
            client,
            f"/api/exams/{exam['id']}/blocks",
            {"name": block_name, "minimum_score": block_minimum},
            headers,
        )
        for name, weight, count, minimum in subjects:
            await _post(
                client,
                f"/api/exams/{exam['id']}/subjects",
                {
                    "name": name,
                    "block_id": block["id"],
                    "weight": weight,
                    "question_count": count,
                    "minimum_score": minimum,
                },
                headers,
            )
    exam_id: str = exam["id"]
    return exam_id


@pytest.fixture
async def cebraspe(client: Client, editor_headers: Headers) -> tuple[str, dict[str, str]]:
    """A certo/errado exam: Básicos (min 2) with Português ×4 (weight 1, min 1),
    Específicos with Direito ×3 (weight 2)."""
    bank = await _import(client, editor_headers, CEBRASPE_BANK)
    exam_id = await _exam(
        client,
        editor_headers,
        "Cebraspe",
        [
            ("Básicos", 2.0, [("Português", 1.0, 4, 1.0)]),
            ("Específicos", None, [("Direito", 2.0, 3, None)]),
        ],
    )
    return exam_id, bank


@pytest.fixture
async def fgv(client: Client, editor_headers: Headers) -> tuple[str, dict[str, str]]:
    """A four-option exam: Civil ×3 (weight 1.5, min 2) and Penal ×2 (weight 1, min 1)."""
    bank = await _import(client, editor_headers, FGV_BANK)
    exam_id = await _exam(
        client,
        editor_headers,
        "FGV",
        [("Único", None, [("Civil", 1.5, 3, 2.0), ("Penal", 1.0, 2, 1.0)])],
        option_count=4,
    )
    return exam_id, bank


async def _draw(client: Client, headers: Headers, exam_id: str, **extra: Any) -> dict[str, Any]:
    return await _post(client, "/api/mock-exams", {"exam_id": exam_id, **extra}, headers)


def _sheet(mock: dict[str, Any], answers: dict[str, list[str | None]]) -> dict[str, str | None]:
    """Answers per subject, in the order the mock exam lists that subject's items."""
    queues = {subject: list(given) for subject, given in answers.items()}
    return {item["question"]["id"]: queues[item["subject"]].pop(0) for item in mock["items"]}


async def _submit(
    client: Client, headers: Headers, mock_id: str, answers: dict[str, str | None]
) -> Any:
    return await client.post(
        f"/api/mock-exams/{mock_id}/submit", json={"answers": answers}, headers=headers
    )


# The draw


async def test_draw_follows_the_subject_counts_without_repeats(
    client: Client, candidate_headers: Headers, cebraspe: tuple[str, dict[str, str]]
) -> None:
    exam_id, bank = cebraspe

    mock = await _draw(client, candidate_headers, exam_id)

    drawn = [bank[item["question"]["id"]] for item in mock["items"]]
    assert Counter(item["subject"] for item in mock["items"]) == {"Português": 4, "Direito": 3}
    assert len(set(drawn)) == len(drawn) == 7
    assert "p-mc" not in drawn
    assert mock["shortfall"] == []


async def test_draw_prefers_questions_the_candidate_has_not_seen(
    client: Client, candidate_headers: Headers, cebraspe: tuple[str, dict[str, str]]
) -> None:
    exam_id, bank = cebraspe
    ids = {external: question_id for question_id, external in bank.items()}
    for seen in ("p1", "p2", "p3"):
        body = {"question_id": ids[seen], "answer": "C", "elapsed_ms": 1}
        await _post(client, "/api/attempts", body, candidate_headers)

    mock = await _draw(client, candidate_headers, exam_id)

    drawn = {bank[item["question"]["id"]] for item in mock["items"]}
    assert {"p4", "p5"} <= drawn


async def test_draw_says_which_subjects_the_bank_could_not_fill(
    client: Client, candidate_headers: Headers, editor_headers: Headers
) -> None:
    await _import(client, editor_headers, CEBRASPE_BANK)
    exam_id = await _exam(
        client, editor_headers, "Cebraspe", [("Único", None, [("Direito", 1.0, 5, None)])]
    )

    mock = await _draw(client, candidate_headers, exam_id)

    assert mock["shortfall"] == [{"subject": "Direito", "wanted": 5, "drawn": 3}]
    assert mock["question_count"] == 3


async def test_mock_exam_hides_keys_until_submitted(
    client: Client, candidate_headers: Headers, fgv: tuple[str, dict[str, str]]
) -> None:
    mock = await _draw(client, candidate_headers, fgv[0])
    answers = _sheet(mock, {"Civil": ["B", "B", "B"], "Penal": ["D", "D"]})

    submitted = (await _submit(client, candidate_headers, mock["id"], answers)).json()

    assert all("answer_key" not in item["question"] for item in mock["items"])
    assert {item["question"]["answer_key"] for item in submitted["items"]} == {"B", "D"}


async def test_another_candidates_mock_exam_is_404(
    client: Client,
    candidate_headers: Headers,
    other_candidate_headers: Headers,
    fgv: tuple[str, dict[str, str]],
) -> None:
    mock = await _draw(client, candidate_headers, fgv[0])

    response = await client.get(f"/api/mock-exams/{mock['id']}", headers=other_candidate_headers)

    assert response.status_code == 404


async def test_practising_a_question_of_a_mock_exam_in_progress_is_409(
    client: Client,
    candidate_headers: Headers,
    other_candidate_headers: Headers,
    fgv: tuple[str, dict[str, str]],
) -> None:
    # Practice reveals the key; allowed here, a candidate could look every answer up.
    mock = await _draw(client, candidate_headers, fgv[0])
    question_id = mock["items"][0]["question"]["id"]
    body = {"question_id": question_id, "answer": None, "elapsed_ms": 1}

    during = await client.post("/api/attempts", json=body, headers=candidate_headers)
    someone_else = await client.post("/api/attempts", json=body, headers=other_candidate_headers)
    await _submit(client, candidate_headers, mock["id"], {})
    after = await client.post("/api/attempts", json=body, headers=candidate_headers)

    assert during.status_code == 409
    assert "mock exam" in during.json()["detail"]
    assert (someone_else.status_code, after.status_code) == (201, 201)


async def test_a_second_mock_exam_waits_until_the_first_is_submitted(
    client: Client, candidate_headers: Headers, fgv: tuple[str, dict[str, str]]
) -> None:
    # Two open mock exams could share questions: submitting one would reveal the
    # other's keys.
    first = await _draw(client, candidate_headers, fgv[0])

    second = await client.post(
        "/api/mock-exams", json={"exam_id": fgv[0]}, headers=candidate_headers
    )
    await _submit(client, candidate_headers, first["id"], {})
    after = await client.post(
        "/api/mock-exams", json={"exam_id": fgv[0]}, headers=candidate_headers
    )

    assert second.status_code == 409
    assert first["id"] in second.json()["detail"]
    assert after.status_code == 201


# Scoring


async def test_cebraspe_mock_exam_penalises_wrongs_and_checks_block_minimums(
    client: Client, candidate_headers: Headers, cebraspe: tuple[str, dict[str, str]]
) -> None:
    mock = await _draw(client, candidate_headers, cebraspe[0])
    # Português (keys C, weight 1): 2 right, 1 wrong, 1 blank → net 1, gross 2.
    # Direito (keys E, weight 2): 1 right, 2 wrong → net (1 − 2) × 2 = −2, gross 2.
    # Básicos net 1 < its minimum 2 → failed; total net −1, gross 4.
    answers = _sheet(mock, {"Português": ["C", "C", "E", None], "Direito": ["E", "C", "C"]})

    response = await _submit(client, candidate_headers, mock["id"], answers)

    assert response.status_code == 200, response.text
    result = response.json()["result"]
    basicos, especificos = result["blocks"]
    (portugues,) = basicos["subjects"]
    (direito,) = especificos["subjects"]
    assert (portugues["right"], portugues["wrong"], portugues["blank"]) == (2, 1, 1)
    assert (portugues["gross"], portugues["net"], portugues["minimum_met"]) == (2, 1, True)
    assert (direito["gross"], direito["net"]) == (2, -2)
    assert (basicos["net"], basicos["minimum_met"]) == (1, False)
    assert (result["total_gross"], result["total_net"]) == (4, -1)
    assert (result["passed"], result["failed_minimums"]) == (False, ["block:Básicos"])


async def test_multiple_choice_mock_exam_applies_weights_without_penalty(
    client: Client, candidate_headers: Headers, fgv: tuple[str, dict[str, str]]
) -> None:
    mock = await _draw(client, candidate_headers, fgv[0])
    # Civil (keys B, weight 1.5): 1 right, 1 wrong, 1 blank → 1.5 < minimum 2.
    # Penal (keys D, weight 1): 2 right → 2 ≥ minimum 1. Total 3.5.
    answers = _sheet(mock, {"Civil": ["B", "A", None], "Penal": ["D", "D"]})

    result = (await _submit(client, candidate_headers, mock["id"], answers)).json()["result"]

    civil, penal = result["blocks"][0]["subjects"]
    assert (civil["right"], civil["wrong"], civil["blank"], civil["net"]) == (1, 1, 1, 1.5)
    assert (penal["net"], penal["minimum_met"]) == (2, True)
    assert result["total_net"] == 3.5
    assert (result["passed"], result["failed_minimums"]) == (False, ["subject:Civil"])


async def test_answers_left_out_are_blanks_and_all_right_passes(
    client: Client, candidate_headers: Headers, fgv: tuple[str, dict[str, str]]
) -> None:
    mock = await _draw(client, candidate_headers, fgv[0])
    answers = _sheet(mock, {"Civil": ["B", "B", "B"], "Penal": ["D", None]})
    del answers[next(qid for qid, given in answers.items() if given is None)]

    body = (await _submit(client, candidate_headers, mock["id"], answers)).json()

    assert body["result"]["total_net"] == 5.5
    assert body["result"]["passed"] is True
    assert body["status"] == "submitted"
    assert body["time_used_seconds"] >= 0


async def test_submitted_answers_are_recorded_as_attempts(
    client: Client, candidate_headers: Headers, fgv: tuple[str, dict[str, str]]
) -> None:
    mock = await _draw(client, candidate_headers, fgv[0])
    await _submit(
        client,
        candidate_headers,
        mock["id"],
        _sheet(mock, {"Civil": ["B"] * 3, "Penal": ["A", "D"]}),
    )

    attempts = (await client.get("/api/attempts", headers=candidate_headers)).json()

    assert attempts["total"] == 5
    assert {a["mock_exam_id"] for a in attempts["items"]} == {mock["id"]}


# Conflicts


async def test_second_submission_is_409(
    client: Client, candidate_headers: Headers, fgv: tuple[str, dict[str, str]]
) -> None:
    mock = await _draw(client, candidate_headers, fgv[0])
    await _submit(client, candidate_headers, mock["id"], {})

    again = await _submit(client, candidate_headers, mock["id"], {})

    assert again.status_code == 409
    assert "already submitted" in again.json()["detail"]


async def test_submission_after_the_time_limit_is_409(
    client: Client, settings: Settings, candidate_headers: Headers, fgv: tuple[str, dict[str, str]]
) -> None:
    mock = await _draw(client, candidate_headers, fgv[0], time_limit_minutes=30)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    async with db_session(settings) as session:
        await session.execute(
            update(MockExam)
            .where(MockExam.id == UUID(mock["id"]))
            .values(started_at=past - dt.timedelta(minutes=30), deadline=past)
        )
        await session.commit()

    response = await _submit(client, candidate_headers, mock["id"], {})

    assert response.status_code == 409
    assert "time limit" in response.json()["detail"]


async def test_answer_for_a_question_outside_the_mock_exam_is_400(
    client: Client, candidate_headers: Headers, fgv: tuple[str, dict[str, str]]
) -> None:
    mock = await _draw(client, candidate_headers, fgv[0])

    response = await _submit(
        client, candidate_headers, mock["id"], {"01890a5d-ac96-774b-bcce-b302099a8057": "A"}
    )

    assert response.status_code == 400


# What the coach learns from a mock exam


async def _goal(client: Client, headers: Headers, exam_id: str) -> None:
    goal = {
        "exam_id": exam_id,
        "weekly_minutes": [60] * 7,
        "exam_date": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
    }
    response = await client.put("/api/me/goal", json=goal, headers=headers)
    assert response.status_code == 200, response.text


async def _mastery_attempts(client: Client, headers: Headers) -> dict[str, int]:
    body = (await client.get("/api/me/mastery", headers=headers)).json()
    return {subject["subject"]: subject["attempts"] for subject in body["subjects"]}


async def test_mock_exam_answers_feed_the_mastery_of_the_goal_exams_subjects(
    client: Client, candidate_headers: Headers, cebraspe: tuple[str, dict[str, str]]
) -> None:
    # The bank is imported, so its questions name their subject without linking it.
    exam_id, _bank = cebraspe
    await _goal(client, candidate_headers, exam_id)
    mock = await _draw(client, candidate_headers, exam_id)
    sheet = _sheet(mock, {"Português": ["C", "E", None, "C"], "Direito": ["C", "C", "E"]})

    submitted = await _submit(client, candidate_headers, mock["id"], sheet)

    assert submitted.status_code == 200, submitted.text
    assert await _mastery_attempts(client, candidate_headers) == {"Português": 3, "Direito": 3}


async def test_practice_on_a_question_linked_by_name_feeds_the_subjects_mastery(
    client: Client, candidate_headers: Headers, cebraspe: tuple[str, dict[str, str]]
) -> None:
    exam_id, bank = cebraspe
    await _goal(client, candidate_headers, exam_id)
    question_id = next(qid for qid, external in bank.items() if external == "p1")

    answered = await client.post(
        "/api/attempts",
        json={"question_id": question_id, "answer": "C", "elapsed_ms": 5000},
        headers=candidate_headers,
    )

    assert answered.status_code == 201, answered.text
    assert (await _mastery_attempts(client, candidate_headers))["Português"] == 1
