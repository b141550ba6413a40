"""`coach questions import`: its exit status says whether any item was left out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from concurso_coach.settings import Settings
from tests.questions.helpers import SAMPLE
from tests.support import require_shared_data

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


async def _import(settings: Settings, path: Path, import_format: str) -> tuple[int, str, str]:
    """Run the real `coach questions import` against the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "COACH_DATA_DIR": str(settings.coach_data_dir),
        "LOG_FORMAT": "console",
        "COLUMNS": "200",
    }
    env.pop("REDIS_URL", None)
    if settings.redis_url is not None:
        env["REDIS_URL"] = settings.redis_url
    command = [sys.executable, "-m", "concurso_coach", "questions", "import", str(path)]
    result = await anyio.run_process([*command, "--format", import_format], env=env, check=False)
    return result.returncode, result.stdout.decode(), result.stderr.decode()


async def _sample_count(client: Client, headers: Headers) -> int:
    params = {"source": "sample", "include_voided": "true", "include_outdated": "true"}
    response = await client.get("/api/questions", params=params, headers=headers)
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


async def test_cli_import_without_problems_exits_0(
    client: Client, settings: Settings, editor_headers: Headers
) -> None:
    code, out, err = await _import(settings, SAMPLE, "native")

    assert code == 0, out + err
    assert "inserted 6" in out
    assert "not imported" not in err
    assert await _sample_count(client, editor_headers) == 6


async def test_cli_import_with_a_problem_exits_1_says_so_and_keeps_the_good_items(
    client: Client, settings: Settings, editor_headers: Headers, tmp_path: Path
) -> None:
    path = tmp_path / "with-a-bad-line.jsonl"
    path.write_bytes(SAMPLE.read_bytes() + b'{"broken\n')

    code, out, err = await _import(settings, path, "native")

    assert code == 1, out + err
    assert "problems 1" in out
    assert "1 item was not imported" in " ".join(err.split())
    assert "the other items were imported" in " ".join(err.split())
    assert await _sample_count(client, editor_headers) == 6


@pytest.mark.data
async def test_cli_import_of_the_enem_file_as_oab_exits_1(settings: Settings) -> None:
    path = require_shared_data("questions/enem-2024.jsonl")

    code, out, err = await _import(settings, path, "oab")

    assert code == 1, out + err
    assert "malformed JSON" in out
    assert "nothing was imported" in " ".join(err.split())


@pytest.mark.data
async def test_cli_import_of_the_real_files_exits_0(settings: Settings) -> None:
    oab = await _import(settings, require_shared_data("questions/oab-exams-2010-2018.json"), "oab")
    enem = await _import(settings, require_shared_data("questions/enem-2024.jsonl"), "enem")

    assert (oab[0], enem[0]) == (0, 0), oab[1:] + enem[1:]
    assert "inserted 2140" in oab[1]
    assert "inserted 180" in enem[1]
