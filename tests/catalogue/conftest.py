"""Fixtures of the catalogue API tests: a board and an exam made by an editor."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support import require_shared_data

PRF_FILE = "editais/policia-rodoviaria-federal-2019.txt"

# A small edital in PDF-copy style: two blocks, three subjects, ten topics.
SMALL_SYLLABUS = """\
BLOCO I
LÍNGUA PORTUGUESA: 1 Compreensão de textos. 2 Ortografia oficial. 3 Coesão
textual. 3.1 Emprego de conectores. 3.2 Emprego de tempos verbais. 4 Crase.
RACIOCÍNIO LÓGICO: 1 Proposições. 2 Porcentagem.
BLOCO II
LEGISLAÇÃO DE TRÂNSITO: 1 Código de Trânsito Brasileiro. 2 Resoluções do CONTRAN.
"""


@pytest.fixture
def prf_text() -> str:
    return require_shared_data(PRF_FILE).read_text(encoding="utf-8")


@pytest.fixture
async def board(
    client: AsyncTestClient[Litestar], editor_headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(
        "/api/boards",
        json={
            "name": "Centro Brasileiro de Pesquisa em Avaliação e Seleção",
            "acronym": "Cebraspe",
            "default_scoring_rule": "true_false_penalised",
        },
        headers=editor_headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def exam(
    client: AsyncTestClient[Litestar], editor_headers: dict[str, str], board: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(
        "/api/exams",
        json={
            "organisation": "Polícia Rodoviária Federal",
            "post": "Policial Rodoviário Federal",
            "board_id": board["id"],
            "exam_date": "2019-10-20",
            "status": "held",
            "edital_number": "1/2018",
        },
        headers=editor_headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
