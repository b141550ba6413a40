"""Boards, exams, blocks and subjects over HTTP: CRUD, permissions, listing."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


async def _create_exam(
    client: Client, headers: Headers, board_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"organisation": "Receita Federal", "post": "Auditor", "board_id": board_id}
    response = await client.post("/api/exams", json={**body, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _create_block(client: Client, headers: Headers, exam_id: str, name: str) -> str:
    response = await client.post(
        f"/api/exams/{exam_id}/blocks", json={"name": name}, headers=headers
    )
    assert response.status_code == 201, response.text
    block_id: str = response.json()["id"]
    return block_id


# Permissions


async def test_anonymous_request_to_list_boards_gets_401(client: Client) -> None:
    response = await client.get("/api/boards")

    assert response.status_code == 401


async def test_candidate_reads_boards(
    client: Client, candidate_headers: Headers, board: dict[str, Any]
) -> None:
    response = await client.get("/api/boards", headers=candidate_headers)

    assert response.status_code == 200
    assert [item["acronym"] for item in response.json()["items"]] == ["Cebraspe"]


async def test_candidate_cannot_create_a_board(client: Client, candidate_headers: Headers) -> None:
    body = {"name": "FGV", "acronym": "FGV", "default_scoring_rule": "multiple_choice"}

    response = await client.post("/api/boards", json=body, headers=candidate_headers)

    assert response.status_code == 403


async def test_candidate_cannot_change_an_exam(
    client: Client, candidate_headers: Headers, exam: dict[str, Any]
) -> None:
    response = await client.patch(
        f"/api/exams/{exam['id']}", json={"status": "cancelled"}, headers=candidate_headers
    )

    assert response.status_code == 403


async def test_candidate_cannot_add_a_subject(
    client: Client, candidate_headers: Headers, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    block_id = await _create_block(client, editor_headers, exam["id"], "BLOCO I")

    response = await client.post(
        f"/api/exams/{exam['id']}/subjects",
        json={"name": "INFORMÁTICA", "block_id": block_id},
        headers=candidate_headers,
    )

    assert response.status_code == 403


async def test_candidate_reads_exam_detail(
    client: Client, candidate_headers: Headers, exam: dict[str, Any]
) -> None:
    response = await client.get(f"/api/exams/{exam['id']}", headers=candidate_headers)

    assert response.status_code == 200
    assert response.json()["organisation"] == "Polícia Rodoviária Federal"


# Boards


async def test_board_acronym_is_unique(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    body = {"name": "Outra", "acronym": "Cebraspe", "default_scoring_rule": "multiple_choice"}

    response = await client.post("/api/boards", json=body, headers=editor_headers)

    assert response.status_code == 409
    assert "Cebraspe" in response.json()["detail"]


async def test_unknown_scoring_rule_is_rejected_with_400(
    client: Client, editor_headers: Headers
) -> None:
    body = {"name": "FCC", "acronym": "FCC", "default_scoring_rule": "negative_marking"}

    response = await client.post("/api/boards", json=body, headers=editor_headers)

    assert response.status_code == 400


async def test_board_that_runs_an_exam_cannot_be_deleted(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    response = await client.delete(f"/api/boards/{exam['board']['id']}", headers=editor_headers)

    assert response.status_code == 409


async def test_deleted_board_is_gone(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    deleted = await client.delete(f"/api/boards/{board['id']}", headers=editor_headers)
    fetched = await client.get(f"/api/boards/{board['id']}", headers=editor_headers)

    assert deleted.status_code == 204
    assert fetched.status_code == 404


async def test_malformed_board_id_is_not_found_or_bad_request(
    client: Client, editor_headers: Headers
) -> None:
    response = await client.get("/api/boards/not-a-uuid", headers=editor_headers)

    assert response.status_code in (400, 404)


# Exams and scoring rules


async def test_exam_takes_the_board_scoring_rule_by_default(exam: dict[str, Any]) -> None:
    assert exam["scoring_rule"] == "true_false_penalised"
    assert exam["scoring_rule_source"] == "board"


async def test_exam_override_of_the_scoring_rule_wins(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    exam = await _create_exam(
        client, editor_headers, board["id"], scoring_rule="multiple_choice", option_count=4
    )

    assert exam["scoring_rule"] == "multiple_choice"
    assert exam["scoring_rule_source"] == "exam"
    assert exam["option_count"] == 4


async def test_clearing_the_override_falls_back_to_the_board_rule(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    exam = await _create_exam(client, editor_headers, board["id"], scoring_rule="multiple_choice")

    response = await client.patch(
        f"/api/exams/{exam['id']}", json={"scoring_rule": None}, headers=editor_headers
    )

    assert response.status_code == 200
    assert response.json()["scoring_rule"] == "true_false_penalised"
    assert response.json()["scoring_rule_source"] == "board"


async def test_exam_on_an_unknown_board_is_unprocessable(
    client: Client, editor_headers: Headers
) -> None:
    body = {
        "organisation": "PF",
        "post": "Agente",
        "board_id": "0190f3c2-0000-7000-8000-000000000000",
    }

    response = await client.post("/api/exams", json=body, headers=editor_headers)

    assert response.status_code == 422


async def test_naive_exam_start_time_is_rejected(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    body = {
        "organisation": "PF",
        "post": "Agente",
        "board_id": board["id"],
        "exam_starts_at": "2025-03-02T08:00:00",
    }

    response = await client.post("/api/exams", json=body, headers=editor_headers)

    assert response.status_code == 400


async def test_exam_start_time_gives_its_date_in_brasilia(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    # 01:30 UTC on 3 March is still the evening of 2 March in Brasília.
    exam = await _create_exam(
        client, editor_headers, board["id"], exam_starts_at="2025-03-03T01:30:00Z"
    )

    assert exam["exam_date"] == "2025-03-02"


async def test_deleting_an_exam_removes_its_blocks(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    block_id = await _create_block(client, editor_headers, exam["id"], "BLOCO I")

    deleted = await client.delete(f"/api/exams/{exam['id']}", headers=editor_headers)
    block = await client.get(f"/api/exams/{exam['id']}/blocks/{block_id}", headers=editor_headers)

    assert deleted.status_code == 204
    assert block.status_code == 404


# Exam listing


async def _three_exams(client: Client, headers: Headers, board_id: str) -> None:
    await _create_exam(
        client, headers, board_id, organisation="Polícia Federal", exam_date="2025-05-04"
    )
    await _create_exam(
        client,
        headers,
        board_id,
        organisation="Tribunal Regional",
        exam_date="2024-11-10",
        status="held",
    )
    await _create_exam(client, headers, board_id, organisation="Receita Federal")


async def test_exam_search_ignores_case_and_accents(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    await _three_exams(client, editor_headers, board["id"])

    response = await client.get("/api/exams?q=POLICIA", headers=editor_headers)

    assert [item["organisation"] for item in response.json()["items"]] == ["Polícia Federal"]


async def test_exams_filter_by_status(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    await _three_exams(client, editor_headers, board["id"])

    response = await client.get("/api/exams?status=held", headers=editor_headers)

    assert [item["organisation"] for item in response.json()["items"]] == ["Tribunal Regional"]


async def test_exams_filter_by_board(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    await _three_exams(client, editor_headers, board["id"])
    other = await client.post(
        "/api/boards",
        json={"name": "FGV", "acronym": "FGV", "default_scoring_rule": "multiple_choice"},
        headers=editor_headers,
    )
    await _create_exam(client, editor_headers, other.json()["id"], organisation="SEFAZ")

    response = await client.get(f"/api/exams?board_id={other.json()['id']}", headers=editor_headers)

    assert [item["organisation"] for item in response.json()["items"]] == ["SEFAZ"]


async def test_exams_filter_by_exam_date_range(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    await _three_exams(client, editor_headers, board["id"])

    response = await client.get(
        "/api/exams?exam_date_from=2025-01-01&exam_date_to=2025-12-31", headers=editor_headers
    )

    assert [item["organisation"] for item in response.json()["items"]] == ["Polícia Federal"]


async def test_inverted_exam_date_range_is_a_400(client: Client, editor_headers: Headers) -> None:
    response = await client.get(
        "/api/exams?exam_date_from=2025-12-31&exam_date_to=2025-01-01", headers=editor_headers
    )

    assert response.status_code == 400


async def test_exams_sort_by_date_with_undated_last(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    await _three_exams(client, editor_headers, board["id"])

    ascending = await client.get("/api/exams?sort=exam_date", headers=editor_headers)
    descending = await client.get("/api/exams?sort=-exam_date", headers=editor_headers)

    names = [item["organisation"] for item in ascending.json()["items"]]
    assert names == ["Tribunal Regional", "Polícia Federal", "Receita Federal"]
    names = [item["organisation"] for item in descending.json()["items"]]
    assert names == ["Polícia Federal", "Tribunal Regional", "Receita Federal"]


async def test_unknown_sort_key_is_a_400(client: Client, editor_headers: Headers) -> None:
    response = await client.get("/api/exams?sort=organisation", headers=editor_headers)

    assert response.status_code == 400


async def test_exam_pages_share_one_total_and_do_not_overlap(
    client: Client, editor_headers: Headers, board: dict[str, Any]
) -> None:
    for index in range(5):
        await _create_exam(client, editor_headers, board["id"], post=f"Cargo {index}")

    pages = [
        (await client.get(f"/api/exams?limit=2&offset={offset}", headers=editor_headers)).json()
        for offset in (0, 2, 4)
    ]

    assert [page["total"] for page in pages] == [5, 5, 5]
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == 5


# Blocks and subjects


async def test_exam_detail_lists_blocks_with_their_subjects(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    block_id = await _create_block(client, editor_headers, exam["id"], "BLOCO I")
    await client.post(
        f"/api/exams/{exam['id']}/subjects",
        json={"name": "INFORMÁTICA", "block_id": block_id, "weight": 2, "question_count": 10},
        headers=editor_headers,
    )

    detail = (await client.get(f"/api/exams/{exam['id']}", headers=editor_headers)).json()

    [block] = detail["blocks"]
    [subject] = block["subjects"]
    assert (block["name"], subject["name"]) == ("BLOCO I", "INFORMÁTICA")
    assert (subject["weight"], subject["question_count"]) == (2.0, 10)


async def test_subject_weight_and_minimum_can_be_edited(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    block_id = await _create_block(client, editor_headers, exam["id"], "BLOCO I")
    created = await client.post(
        f"/api/exams/{exam['id']}/subjects",
        json={"name": "ÉTICA", "block_id": block_id},
        headers=editor_headers,
    )

    response = await client.patch(
        f"/api/exams/{exam['id']}/subjects/{created.json()['id']}",
        json={"weight": 1.5, "minimum_score": 3},
        headers=editor_headers,
    )

    assert response.status_code == 200
    assert (response.json()["weight"], response.json()["minimum_score"]) == (1.5, 3.0)


async def test_subject_in_a_block_of_another_exam_is_unprocessable(
    client: Client, editor_headers: Headers, exam: dict[str, Any], board: dict[str, Any]
) -> None:
    other = await _create_exam(client, editor_headers, board["id"])
    foreign_block = await _create_block(client, editor_headers, other["id"], "BLOCO I")

    response = await client.post(
        f"/api/exams/{exam['id']}/subjects",
        json={"name": "ÉTICA", "block_id": foreign_block},
        headers=editor_headers,
    )

    assert response.status_code == 422


async def test_subject_name_is_unique_within_an_exam(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    block_id = await _create_block(client, editor_headers, exam["id"], "BLOCO I")
    body = {"name": "ÉTICA", "block_id": block_id}
    await client.post(f"/api/exams/{exam['id']}/subjects", json=body, headers=editor_headers)

    response = await client.post(
        f"/api/exams/{exam['id']}/subjects", json=body, headers=editor_headers
    )

    assert response.status_code == 409


async def test_block_with_subjects_cannot_be_deleted(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    block_id = await _create_block(client, editor_headers, exam["id"], "BLOCO I")
    await client.post(
        f"/api/exams/{exam['id']}/subjects",
        json={"name": "ÉTICA", "block_id": block_id},
        headers=editor_headers,
    )

    response = await client.delete(
        f"/api/exams/{exam['id']}/blocks/{block_id}", headers=editor_headers
    )

    assert response.status_code == 409


async def test_subjects_filter_by_block(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    first = await _create_block(client, editor_headers, exam["id"], "BLOCO I")
    second = await _create_block(client, editor_headers, exam["id"], "BLOCO II")
    for name, block_id in (("ÉTICA", first), ("FÍSICA", second), ("GEOPOLÍTICA", second)):
        await client.post(
            f"/api/exams/{exam['id']}/subjects",
            json={"name": name, "block_id": block_id},
            headers=editor_headers,
        )

    response = await client.get(
        f"/api/exams/{exam['id']}/subjects?block_id={second}&limit=1", headers=editor_headers
    )

    assert response.json()["total"] == 2
    assert [item["name"] for item in response.json()["items"]] == ["FÍSICA"]


async def test_blocks_of_an_unknown_exam_are_not_found(
    client: Client, editor_headers: Headers
) -> None:
    response = await client.get(
        "/api/exams/0190f3c2-0000-7000-8000-000000000000/blocks", headers=editor_headers
    )

    assert response.status_code == 404


async def test_board_acronyms_are_unique_whatever_their_case(
    client: AsyncTestClient[Litestar], editor_headers: dict[str, str]
) -> None:
    board = {"name": "Cebraspe", "acronym": "Cebraspe", "default_scoring_rule": "multiple_choice"}
    first = await client.post("/api/boards", json=board, headers=editor_headers)

    second = await client.post(
        "/api/boards", json={**board, "acronym": "CEBRASPE"}, headers=editor_headers
    )

    assert (first.status_code, second.status_code) == (201, 409)
