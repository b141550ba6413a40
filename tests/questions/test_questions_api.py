"""Listing, Portuguese search, filters, keys and editing over HTTP, on both backends."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from concurso_coach.questions.repositories import (
    SEARCH_VECTOR_SQL,
    QuestionFilters,
    QuestionRepository,
)
from concurso_coach.settings import Settings
from tests.coach.helpers import create_exam
from tests.questions.helpers import SAMPLE, db_session, import_path
from tests.support import require_shared_data

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


@pytest.fixture
async def sample(settings: Settings) -> None:
    report = await import_path(settings, SAMPLE, "native")
    assert report.inserted == 6


async def _list(client: Client, headers: Headers, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/questions", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(page: dict[str, Any]) -> set[str]:
    return {item["external_id"] for item in page["items"]}


async def test_crase_and_upper_case_crase_find_the_same_questions(
    client: Client, candidate_headers: Headers, sample: None
) -> None:
    lower = await _list(client, candidate_headers, q="crase")
    upper = await _list(client, candidate_headers, q="CRASE")

    assert _ids(lower) == _ids(upper) == {"pf-2021-1", "tj-2019-8"}


async def test_unaccented_licitacao_finds_licitação(
    client: Client, candidate_headers: Headers, sample: None
) -> None:
    page = await _list(client, candidate_headers, q="licitacao")

    assert _ids(page) == {"pf-2021-2", "tj-2019-7"}


async def test_search_covers_the_options_text(
    client: Client, candidate_headers: Headers, sample: None
) -> None:
    page = await _list(client, candidate_headers, q="Leilão")

    assert _ids(page) == {"tj-2019-7"}


async def test_licitacao_finds_real_oab_questions_spelled_licitação(
    client: Client, settings: Settings, candidate_headers: Headers
) -> None:
    await import_path(settings, require_shared_data("questions/oab-exams-2010-2018.json"), "oab")

    page = await _list(client, candidate_headers, q="licitacao", limit=100)

    assert page["total"] > 0
    assert all(
        "licitaç" in (item["statement"] + str(item["options"])).lower() for item in page["items"]
    )


async def test_voided_and_outdated_are_left_out_unless_asked_for(
    client: Client, candidate_headers: Headers, sample: None
) -> None:
    default = await _list(client, candidate_headers)
    everything = await _list(
        client, candidate_headers, include_voided="true", include_outdated="true"
    )

    assert default["total"] == 4
    assert everything["total"] == 6


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"board": "cebraspe"}, {"pf-2021-1", "pf-2021-2"}),
        ({"year": 2019}, {"tj-2019-7", "tj-2019-8"}),
        ({"kind": "multiple_choice"}, {"tj-2019-7", "tj-2019-8"}),
        ({"subject": "lingua portuguesa"}, {"pf-2021-1", "tj-2019-8"}),
        ({"board": "FGV", "q": "crase"}, {"tj-2019-8"}),
        ({"board": "unknown-board"}, set()),
    ],
)
async def test_filters_combine(
    client: Client,
    candidate_headers: Headers,
    sample: None,
    params: dict[str, Any],
    expected: set[str],
) -> None:
    page = await _list(client, candidate_headers, **params)

    assert _ids(page) == expected


async def test_pages_share_one_total_and_do_not_overlap(
    client: Client, settings: Settings, candidate_headers: Headers
) -> None:
    await import_path(settings, require_shared_data("questions/enem-2024.jsonl"), "enem")

    pages = [await _list(client, candidate_headers, limit=50, offset=o) for o in (0, 50, 100, 150)]

    assert {page["total"] for page in pages} == {179}
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == 179


async def test_candidate_does_not_see_the_key_and_editor_does(
    client: Client, candidate_headers: Headers, editor_headers: Headers, sample: None
) -> None:
    question_id = (await _list(client, candidate_headers, q="Leilão"))["items"][0]["id"]

    as_candidate = (
        await client.get(f"/api/questions/{question_id}", headers=candidate_headers)
    ).json()
    as_editor = (await client.get(f"/api/questions/{question_id}", headers=editor_headers)).json()

    assert "answer_key" not in as_candidate
    assert as_editor["answer_key"] == "A"
    assert as_editor["board"] == "FGV"


async def test_editor_creates_then_marks_a_question_outdated(
    client: Client, candidate_headers: Headers, editor_headers: Headers
) -> None:
    body = {"kind": "true_false", "statement": "A crase é facultativa.", "answer_key": "E"}
    created = await client.post("/api/questions", json=body, headers=editor_headers)
    assert created.status_code == 201, created.text
    question_id = created.json()["id"]

    patched = await client.patch(
        f"/api/questions/{question_id}", json={"outdated": True}, headers=editor_headers
    )

    assert patched.status_code == 200, patched.text
    assert patched.json()["outdated"] is True
    assert (await _list(client, candidate_headers, q="crase"))["total"] == 0


async def test_candidate_cannot_create_a_question(
    client: Client, candidate_headers: Headers
) -> None:
    body = {"kind": "true_false", "statement": "x", "answer_key": "C"}

    response = await client.post("/api/questions", json=body, headers=candidate_headers)

    assert response.status_code == 403


async def test_true_false_question_with_a_letter_key_is_rejected(
    client: Client, editor_headers: Headers
) -> None:
    body = {"kind": "true_false", "statement": "x", "answer_key": "A"}

    response = await client.post("/api/questions", json=body, headers=editor_headers)

    assert response.status_code == 422
    assert "not one of C, E" in response.json()["detail"]


async def test_unknown_question_id_is_404(client: Client, candidate_headers: Headers) -> None:
    response = await client.get(
        "/api/questions/01890a5d-ac96-774b-bcce-b302099a8057", headers=candidate_headers
    )

    assert response.status_code == 404


QUESTION = {"kind": "true_false", "statement": "A crase é facultativa aqui.", "answer_key": "E"}


async def test_a_question_linked_to_a_board_that_does_not_exist_is_422(
    client: Client, editor_headers: Headers
) -> None:
    body = {**QUESTION, "board_id": "01a23e98-0000-7000-8000-000000000000"}

    response = await client.post("/api/questions", json=body, headers=editor_headers)

    assert response.status_code == 422
    assert response.json()["detail"] == "A linked board, exam, subject or topic does not exist."


async def test_a_topic_of_another_subject_is_refused(
    client: Client, editor_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    body = {
        **QUESTION,
        "subject_id": setup.subjects["RACIOCÍNIO LÓGICO"],
        "topic_id": setup.topics["LÍNGUA PORTUGUESA"][0],
    }

    response = await client.post("/api/questions", json=body, headers=editor_headers)

    assert response.status_code == 422
    assert response.json()["detail"] == "topic_id is a topic of another subject."


async def test_a_topic_alone_links_its_subject_and_exam(
    client: Client, editor_headers: Headers
) -> None:
    setup = await create_exam(client, editor_headers)
    body = {**QUESTION, "topic_id": setup.topics["LÍNGUA PORTUGUESA"][0]}

    created = await client.post("/api/questions", json=body, headers=editor_headers)

    assert created.status_code == 201, created.text
    linked = created.json()
    assert (linked["exam_id"], linked["subject_id"]) == (
        setup.exam_id,
        setup.subjects["LÍNGUA PORTUGUESA"],
    )


@pytest.mark.postgres_only
async def test_an_accented_plural_finds_the_singular_on_postgres(
    client: Client, candidate_headers: Headers, sample: None
) -> None:
    plural = await _list(client, candidate_headers, q="licitações")
    singular = await _list(client, candidate_headers, q="licitação")

    assert _ids(plural) == _ids(singular) == {"pf-2021-2", "tj-2019-7"}


@pytest.mark.postgres_only
async def test_the_search_uses_its_gin_index(settings: Settings, sample: None) -> None:
    assert settings.database_url is not None
    dsn = settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    match = f"{SEARCH_VECTOR_SQL} @@ coach_search_query(%(search_query)s)"

    async with await psycopg.AsyncConnection.connect(dsn) as connection:
        await connection.execute("SET enable_seqscan = off")
        cursor = await connection.execute(
            f"EXPLAIN SELECT id FROM questions WHERE {match}",  # type: ignore[arg-type]  # noqa: S608
            {"search_query": "licitação"},
        )
        plan = "\n".join(row[0] for row in await cursor.fetchall())

    assert "ix_questions_search" in plan


@pytest.mark.postgres_only
async def test_a_scan_reads_the_stored_search_vector_instead_of_computing_it(
    settings: Settings, sample: None
) -> None:
    # A word in many rows may be planned as a scan; it must read the stored column,
    # not recompute two stemmings per row (what made common words take seconds).
    assert settings.database_url is not None
    dsn = settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    match = f"{SEARCH_VECTOR_SQL} @@ coach_search_query(%(search_query)s)"

    async with await psycopg.AsyncConnection.connect(dsn) as connection:
        await connection.execute("SET enable_bitmapscan = off")
        await connection.execute("SET enable_indexscan = off")
        cursor = await connection.execute(
            f"EXPLAIN VERBOSE SELECT id FROM questions WHERE {match}",  # type: ignore[arg-type]  # noqa: S608
            {"search_query": "licitação"},
        )
        plan = "\n".join(row[0] for row in await cursor.fetchall())

    assert "Seq Scan" in plan
    assert "to_tsvector" not in plan
    assert "search_vector @@" in plan


@pytest.mark.postgres_only
async def test_a_search_keeps_to_the_gin_index_within_its_own_transaction_only(
    settings: Settings, sample: None
) -> None:
    filters = QuestionFilters(query="licitação")

    async with db_session(settings) as session:
        repository = QuestionRepository(session=session)
        await repository.count_matches(filters)
        await repository.list_page(filters, limit=20, offset=0)
        during = await session.scalar(text("SHOW enable_seqscan"))
        await session.commit()
        after = await session.scalar(text("SHOW enable_seqscan"))

    assert (during, after) == ("off", "on")
