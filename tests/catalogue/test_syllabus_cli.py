"""`coach syllabus parse` and `coach syllabus import`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import AsyncTestClient

from concurso_coach.catalogue.cli import syllabus_group
from concurso_coach.settings import Settings
from tests.catalogue.conftest import PRF_FILE, SMALL_SYLLABUS
from tests.support import require_shared_data

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


def _flat(output: str) -> str:
    # Rich wraps long lines to the terminal width; compare words, not layout.
    return " ".join(output.split())


async def _coach(settings: Settings, *args: str) -> tuple[int, str]:
    """Run the real `coach` entry point against the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.sqlalchemy_url,
        "COACH_DATA_DIR": str(settings.coach_data_dir),
        "LOG_FORMAT": "console",
        "COLUMNS": "200",
    }
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "concurso_coach", "syllabus", *args]
    result = await anyio.run_process(command, env=env, check=False)
    return result.returncode, result.stdout.decode() + result.stderr.decode()


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "edital.txt"
    path.write_text(SMALL_SYLLABUS, encoding="utf-8")
    return path


@pytest.mark.data
def test_parse_json_prints_the_prf_counts() -> None:
    path = require_shared_data(PRF_FILE)

    result = CliRunner().invoke(syllabus_group, ["parse", str(path), "--json"])

    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["blocks"], body["subjects"], body["topics"]) == (3, 13, 175)


@pytest.mark.data
def test_parse_prints_the_prf_counts_readably() -> None:
    path = require_shared_data(PRF_FILE)

    result = CliRunner().invoke(syllabus_group, ["parse", str(path)])

    assert result.exit_code == 0, result.output
    assert "3 blocks, 13 subjects, 175 topics" in _flat(result.output)


def test_parse_of_text_that_is_not_a_syllabus_fails_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Lista de compras: pão, leite.", encoding="utf-8")

    result = CliRunner().invoke(syllabus_group, ["parse", str(path), "--json"])

    assert result.exit_code == 1
    assert "not an importable syllabus" in result.output


def test_parse_of_a_binary_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "edital.pdf"
    path.write_bytes(b"%PDF-1.7\n\xff\xfe\x81")

    result = CliRunner().invoke(syllabus_group, ["parse", str(path)])

    assert result.exit_code == 1
    assert "not UTF-8 text" in result.output


async def test_parse_json_equals_the_api_dry_run(
    client: Client, editor_headers: Headers, exam: dict[str, Any], small_file: Path
) -> None:
    dry_run = await client.put(
        f"/api/exams/{exam['id']}/syllabus?dry_run=true",
        content=SMALL_SYLLABUS.encode(),
        headers={**editor_headers, "Content-Type": "text/plain"},
    )

    result = CliRunner().invoke(syllabus_group, ["parse", str(small_file), "--json"])

    assert json.loads(result.output) == dry_run.json()


@pytest.mark.data
async def test_import_dry_run_prints_the_counts_and_stores_nothing(
    client: Client, editor_headers: Headers, exam: dict[str, Any], settings: Settings
) -> None:
    path = require_shared_data(PRF_FILE)

    code, output = await _coach(settings, "import", str(path), "--exam", exam["id"], "--dry-run")

    detail = await client.get(f"/api/exams/{exam['id']}", headers=editor_headers)
    assert code == 0, output
    assert "3 blocks, 13 subjects, 175 topics" in _flat(output)
    assert detail.json()["topic_count"] == 0


@pytest.mark.data
async def test_import_stores_the_syllabus_like_the_api(
    client: Client, editor_headers: Headers, exam: dict[str, Any], settings: Settings
) -> None:
    path = require_shared_data(PRF_FILE)

    code, output = await _coach(settings, "import", str(path), "--exam", exam["id"])

    detail = await client.get(f"/api/exams/{exam['id']}", headers=editor_headers)
    assert code == 0, output
    assert "stored" in output
    assert detail.json()["topic_count"] == 175


async def test_import_into_an_unknown_exam_fails_with_a_message(
    settings: Settings, small_file: Path
) -> None:
    unknown = "0190f3c2-0000-7000-8000-000000000000"

    code, output = await _coach(settings, "import", str(small_file), "--exam", unknown)

    assert code == 1
    assert f"No exam has id {unknown}" in output
