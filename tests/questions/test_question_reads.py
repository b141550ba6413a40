"""A question read by id reflects every committed edit at once (Redis caches it)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from concurso_coach.settings import Settings
from tests.questions.helpers import SAMPLE, import_path

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
