"""Imports into the bank on both backends: real files, idempotency, the API and its job."""

from __future__ import annotations

import json

import anyio
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text

from concurso_coach.catalogue.models import Board
from concurso_coach.questions.models import Question
from concurso_coach.settings import Settings
from tests.questions.helpers import SAMPLE, db_session, import_path, run_queued_jobs
from tests.support import require_shared_data

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

OAB_FILE = "questions/oab-exams-2010-2018.json"
ENEM_FILE = "questions/enem-2024.jsonl"


async def _count(settings: Settings, *conditions: object) -> int:
    async with db_session(settings) as session:
        statement = select(func.count()).select_from(Question).where(*conditions)  # type: ignore[arg-type]
        return (await session.execute(statement)).scalar_one()


async def test_both_real_files_give_2320_questions(settings: Settings) -> None:
    oab = await import_path(settings, require_shared_data(OAB_FILE), "oab")
    enem = await import_path(settings, require_shared_data(ENEM_FILE), "enem")

    assert (oab.inserted, enem.inserted) == (2140, 180)
    assert oab.problem_count == enem.problem_count == 0
    assert await _count(settings) == 2320


@pytest.mark.postgres_only
async def test_a_large_import_refreshes_the_planner_statistics(settings: Settings) -> None:
    async def analyses() -> int:
        async with db_session(settings) as session:
            await session.execute(text("SELECT pg_stat_clear_snapshot()"))
            count = await session.scalar(
                text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'questions'")
            )
            return int(count or 0)

    before = await analyses()
    await import_path(settings, require_shared_data(OAB_FILE), "oab")

    # Statistics reach pg_stat views a moment after the analysing transaction ends.
    for _ in range(50):
        if await analyses() > before:
            break
        await anyio.sleep(0.2)
    else:
        pytest.fail("the import did not analyse the questions table")


async def test_real_files_store_the_8_oab_items_without_key_and_enem_anulado_as_voided(
    settings: Settings,
) -> None:
    await import_path(settings, require_shared_data(OAB_FILE), "oab")
    await import_path(settings, require_shared_data(ENEM_FILE), "enem")

    assert await _count(settings, Question.voided.is_(True), Question.source == "oab") == 8
    assert await _count(settings, Question.voided.is_(True), Question.source == "enem") == 1
    assert await _count(settings, Question.voided.is_(True), Question.answer_key.is_not(None)) == 0


async def test_second_import_of_the_real_files_adds_nothing(settings: Settings) -> None:
    for path, fmt in ((OAB_FILE, "oab"), (ENEM_FILE, "enem")):
        await import_path(settings, require_shared_data(path), fmt)

    again = [
        await import_path(settings, require_shared_data(path), fmt)
        for path, fmt in ((OAB_FILE, "oab"), (ENEM_FILE, "enem"))
    ]

    assert [report.inserted for report in again] == [0, 0]
    assert [report.already_present for report in again] == [2140, 180]
    assert await _count(settings) == 2320


async def test_import_creates_the_missing_boards_in_the_catalogue(settings: Settings) -> None:
    await import_path(settings, require_shared_data(ENEM_FILE), "enem")
    await import_path(settings, SAMPLE, "native")

    async with db_session(settings) as session:
        acronyms = set((await session.execute(select(Board.acronym))).scalars())
    assert acronyms == {"INEP", "Cebraspe", "FGV"}


async def test_api_import_reports_bad_lines_and_keeps_the_good_ones(
    client: Client, editor_headers: Headers
) -> None:
    body = SAMPLE.read_bytes() + b'{"broken\n{"source": "s", "external_id": "9"}\n'

    response = await client.post(
        "/api/questions/import?format=native", content=body, headers=editor_headers
    )

    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["inserted"], report["problem_count"]) == (6, 2)
    assert [p["location"] for p in report["problems"]] == ["line 7", "line 8"]


async def test_candidate_cannot_import(client: Client, candidate_headers: Headers) -> None:
    response = await client.post(
        "/api/questions/import?format=native",
        content=SAMPLE.read_bytes(),
        headers=candidate_headers,
    )

    assert response.status_code == 403


async def test_large_upload_runs_as_a_job_with_a_status_url(
    client: Client, settings: Settings, editor_headers: Headers
) -> None:
    line = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[0])
    # Long statements (88 kB each) push the file past the 2 MiB inline threshold.
    filler = "palavra " * 11_000
    body = "\n".join(
        json.dumps({**line, "external_id": f"big-{n}", "statement": f"{n} {filler}"})
        for n in range(30)
    ).encode()

    response = await client.post(
        "/api/questions/import?format=native", content=body, headers=editor_headers
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    await run_queued_jobs(settings)
    status = await _wait_for_job(client, accepted["status_url"], editor_headers)

    assert status["status"] == "complete", status
    assert status["result"]["inserted"] == 30


async def _wait_for_job(client: Client, url: str, headers: Headers) -> dict[str, object]:
    for _ in range(200):
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        status: dict[str, object] = response.json()
        if status["status"] in {"complete", "failed", "aborted"}:
            return status
        await anyio.sleep(0.05)
    return status
