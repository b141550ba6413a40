"""Reads by id and list totals reflect every committed change at once (Redis caches them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from concurso_coach.settings import Settings
from tests.questions.helpers import SAMPLE, import_path

CRASE_QUESTION = {
    "kind": "true_false",
    "statement": "Há crase em “referiu-se à lei”.",
    "answer_key": "C",
}

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


@pytest.fixture
async def question(settings: Settings, client: Client, candidate_headers: Headers) -> Any:
    await import_path(settings, SAMPLE, "native")
    page = await client.get("/api/questions", params={"q": "Leilão"}, headers=candidate_headers)
    return page.json()["items"][0]


async def _read(client: Client, headers: Headers, question_id: str) -> Any:
    response = await client.get(f"/api/questions/{question_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_edited_statement_shows_on_the_next_read(
    client: Client, candidate_headers: Headers, editor_headers: Headers, question: Any
) -> None:
    await _read(client, candidate_headers, question["id"])

    await client.patch(
        f"/api/questions/{question['id']}",
        json={"statement": "Enunciado revisto."},
        headers=editor_headers,
    )

    assert (await _read(client, candidate_headers, question["id"]))["statement"] == (
        "Enunciado revisto."
    )


async def test_a_renamed_board_shows_on_the_next_read(
    client: Client, candidate_headers: Headers, editor_headers: Headers, question: Any
) -> None:
    await _read(client, candidate_headers, question["id"])

    renamed = await client.patch(
        f"/api/boards/{question['board_id']}", json={"acronym": "FGV-RJ"}, headers=editor_headers
    )

    assert renamed.status_code == 200, renamed.text
    assert (await _read(client, candidate_headers, question["id"]))["board"] == "FGV-RJ"


async def test_a_cached_read_still_hides_the_key_from_candidates(
    client: Client, candidate_headers: Headers, editor_headers: Headers, question: Any
) -> None:
    as_editor = await _read(client, editor_headers, question["id"])

    as_candidate = await _read(client, candidate_headers, question["id"])

    assert as_editor["answer_key"] == "A"
    assert "answer_key" not in as_candidate


async def _total(client: Client, headers: Headers, **params: Any) -> int:
    response = await client.get("/api/questions", params=params, headers=headers)
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


async def test_a_question_created_after_a_search_counts_in_the_next_total(
    client: Client, candidate_headers: Headers, editor_headers: Headers, question: Any
) -> None:
    before = await _total(client, candidate_headers, q="crase")

    created = await client.post("/api/questions", json=CRASE_QUESTION, headers=editor_headers)

    assert created.status_code == 201, created.text
    assert await _total(client, candidate_headers, q="crase") == before + 1


async def test_a_voided_question_leaves_the_next_total(
    client: Client, candidate_headers: Headers, editor_headers: Headers, question: Any
) -> None:
    before = await _total(client, candidate_headers)

    voided = await client.patch(
        f"/api/questions/{question['id']}", json={"voided": True}, headers=editor_headers
    )

    assert voided.status_code == 200, voided.text
    assert await _total(client, candidate_headers) == before - 1


async def test_questions_imported_from_the_command_line_count_in_the_next_total(
    client: Client, settings: Settings, candidate_headers: Headers, tmp_path: Path
) -> None:
    before = await _total(client, candidate_headers, q="crase")
    extra = tmp_path / "extra.jsonl"
    line = {"source": "extra", "external_id": "1", "answer": "C", **CRASE_QUESTION}
    line.pop("answer_key")
    extra.write_bytes(msgspec.json.encode(line) + b"\n")

    report = await import_path(settings, extra, "native")

    assert report.inserted == 1
    assert await _total(client, candidate_headers, q="crase") == before + 1


async def test_a_board_created_after_a_listing_filters_the_next_one(
    client: Client, candidate_headers: Headers, editor_headers: Headers, question: Any
) -> None:
    before = await _total(client, candidate_headers, board="VUNESP")
    board = await client.post(
        "/api/boards",
        json={"name": "Vunesp", "acronym": "VUNESP", "default_scoring_rule": "multiple_choice"},
        headers=editor_headers,
    )
    assert board.status_code == 201, board.text

    created = await client.post(
        "/api/questions",
        json={**CRASE_QUESTION, "board_id": board.json()["id"]},
        headers=editor_headers,
    )

    assert created.status_code == 201, created.text
    assert (before, await _total(client, candidate_headers, board="vunesp")) == (0, 1)
