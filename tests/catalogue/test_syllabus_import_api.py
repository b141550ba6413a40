"""PUT /api/exams/{id}/syllabus: counts, storage, dry runs, re-imports, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.catalogue.conftest import SMALL_SYLLABUS

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

TEXT_PLAIN = {"Content-Type": "text/plain; charset=utf-8"}


async def _put_syllabus(
    client: Client, headers: Headers, exam_id: str, text: str, *, dry_run: bool = False
) -> Any:
    suffix = "?dry_run=true" if dry_run else ""
    return await client.put(
        f"/api/exams/{exam_id}/syllabus{suffix}",
        content=text.encode(),
        headers={**headers, **TEXT_PLAIN},
    )


async def _topics(client: Client, headers: Headers, exam_id: str) -> dict[str, dict[str, Any]]:
    """Every stored topic of the exam keyed by "SUBJECT number"."""
    subjects = await client.get(f"/api/exams/{exam_id}/subjects?limit=100", headers=headers)
    names = {item["id"]: item["name"] for item in subjects.json()["items"]}
    topics: dict[str, dict[str, Any]] = {}
    offset = 0
    while True:
        page = await client.get(
            f"/api/exams/{exam_id}/topics?limit=100&offset={offset}", headers=headers
        )
        for item in page.json()["items"]:
            topics[f"{names[item['subject_id']]} {item['number']}"] = item
        offset += 100
        if offset >= page.json()["total"]:
            return topics


def _counts(body: dict[str, Any]) -> tuple[int, int, int]:
    return body["blocks"], body["subjects"], body["topics"]


# The real PRF 2019 edital


@pytest.mark.data
async def test_prf_import_answers_3_blocks_13_subjects_175_topics(
    client: Client, editor_headers: Headers, exam: dict[str, Any], prf_text: str
) -> None:
    response = await _put_syllabus(client, editor_headers, exam["id"], prf_text)

    assert response.status_code == 200, response.text
    assert _counts(response.json()) == (3, 13, 175)


@pytest.mark.data
async def test_prf_import_stores_every_block_subject_and_topic(
    client: Client, editor_headers: Headers, exam: dict[str, Any], prf_text: str
) -> None:
    await _put_syllabus(client, editor_headers, exam["id"], prf_text)

    detail = (await client.get(f"/api/exams/{exam['id']}", headers=editor_headers)).json()
    topics = await client.get(f"/api/exams/{exam['id']}/topics", headers=editor_headers)

    assert [block["name"] for block in detail["blocks"]] == ["BLOCO I", "BLOCO II", "BLOCO III"]
    assert sum(len(block["subjects"]) for block in detail["blocks"]) == 13
    assert detail["topic_count"] == topics.json()["total"] == 175


@pytest.mark.data
async def test_prf_import_tree_carries_the_stored_ids(
    client: Client, editor_headers: Headers, exam: dict[str, Any], prf_text: str
) -> None:
    body = (await _put_syllabus(client, editor_headers, exam["id"], prf_text)).json()

    first_topic = body["tree"][0]["subjects"][0]["topics"][0]
    stored = await client.get(f"/api/topics/{first_topic['id']}", headers=editor_headers)

    assert stored.json()["title"] == first_topic["title"]


@pytest.mark.data
async def test_prf_dry_run_answers_the_counts_and_stores_nothing(
    client: Client, editor_headers: Headers, exam: dict[str, Any], prf_text: str
) -> None:
    response = await _put_syllabus(client, editor_headers, exam["id"], prf_text, dry_run=True)

    detail = (await client.get(f"/api/exams/{exam['id']}", headers=editor_headers)).json()
    assert _counts(response.json()) == (3, 13, 175)
    assert "id" not in response.json()["tree"][0]
    assert (detail["blocks"], detail["topic_count"]) == ([], 0)


@pytest.mark.data
async def test_prf_subtree_of_a_third_level_parent_lists_its_descendants(
    client: Client, editor_headers: Headers, exam: dict[str, Any], prf_text: str
) -> None:
    await _put_syllabus(client, editor_headers, exam["id"], prf_text)
    topics = await _topics(client, editor_headers, exam["id"])
    parent = topics["NOÇÕES DE DIREITO ADMINISTRATIVO 3"]

    subtree = await client.get(f"/api/topics/{parent['id']}/subtree", headers=editor_headers)

    numbers = [child["number"] for child in subtree.json()["children"]]
    assert numbers[0] == "3.1"
    assert subtree.json()["children"][0]["children"][0]["number"] == "3.1.1"


# Storage, JSON bodies and the flat topic list


async def test_json_body_with_text_is_imported(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    response = await client.put(
        f"/api/exams/{exam['id']}/syllabus",
        json={"text": SMALL_SYLLABUS},
        headers=editor_headers,
    )

    assert response.status_code == 200
    assert _counts(response.json()) == (2, 3, 10)


async def test_first_import_has_no_diff(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    response = await _put_syllabus(client, editor_headers, exam["id"], SMALL_SYLLABUS)

    assert "diff" not in response.json()


async def test_topics_under_a_topic_are_that_subtree_only(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    await _put_syllabus(client, editor_headers, exam["id"], SMALL_SYLLABUS)
    topics = await _topics(client, editor_headers, exam["id"])
    root = topics["LÍNGUA PORTUGUESA 3"]

    response = await client.get(
        f"/api/exams/{exam['id']}/topics?under={root['id']}", headers=editor_headers
    )

    assert [item["number"] for item in response.json()["items"]] == ["3", "3.1", "3.2"]
    assert response.json()["total"] == 3


async def test_topics_filter_by_subject_in_reading_order(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    await _put_syllabus(client, editor_headers, exam["id"], SMALL_SYLLABUS)
    subjects = await client.get(f"/api/exams/{exam['id']}/subjects", headers=editor_headers)
    portuguese = subjects.json()["items"][0]

    response = await client.get(
        f"/api/exams/{exam['id']}/topics?subject_id={portuguese['id']}", headers=editor_headers
    )

    numbers = [item["number"] for item in response.json()["items"]]
    assert numbers == ["1", "2", "3", "3.1", "3.2", "4"]


async def test_topic_number_ten_sorts_after_nine(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    items = " ".join(f"{n} Tópico {n}." for n in range(1, 12))
    await _put_syllabus(client, editor_headers, exam["id"], f"INFORMÁTICA: {items}\n")

    response = await client.get(f"/api/exams/{exam['id']}/topics", headers=editor_headers)

    numbers = [item["number"] for item in response.json()["items"]]
    assert numbers == [str(n) for n in range(1, 12)]


async def test_stored_syllabus_reads_back_as_imported(
    client: Client, editor_headers: Headers, candidate_headers: Headers, exam: dict[str, Any]
) -> None:
    imported = (await _put_syllabus(client, editor_headers, exam["id"], SMALL_SYLLABUS)).json()

    stored = await client.get(f"/api/exams/{exam['id']}/syllabus", headers=candidate_headers)

    assert stored.json() == imported


async def test_candidate_cannot_import_a_syllabus(
    client: Client, candidate_headers: Headers, exam: dict[str, Any]
) -> None:
    response = await _put_syllabus(client, candidate_headers, exam["id"], SMALL_SYLLABUS)

    assert response.status_code == 403


async def test_import_into_an_unknown_exam_is_not_found(
    client: Client, editor_headers: Headers
) -> None:
    unknown = "0190f3c2-0000-7000-8000-000000000000"

    response = await _put_syllabus(client, editor_headers, unknown, SMALL_SYLLABUS)

    assert response.status_code == 404


# Re-import of a corrected edital (retificação)

CORRECTED = """\
BLOCO I
LÍNGUA PORTUGUESA: 1 Compreensão e interpretação de textos. 2 Ortografia oficial. 3 Coesão
textual. 3.1 Emprego de conectores. 3.2 Emprego de tempos verbais. 4 Crase. 5 Pontuação.
RACIOCÍNIO LÓGICO: 1 Proposições.
BLOCO II
LEGISLAÇÃO DE TRÂNSITO: 1 Código de Trânsito Brasileiro. 2 Resoluções do CONTRAN.
"""


async def _reimport(client: Client, headers: Headers, exam_id: str, text: str) -> Any:
    await _put_syllabus(client, headers, exam_id, SMALL_SYLLABUS)
    before = await _topics(client, headers, exam_id)
    response = await _put_syllabus(client, headers, exam_id, text)
    after = await _topics(client, headers, exam_id)
    return before, response.json(), after


async def test_reimport_reports_the_renamed_topic(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    before, body, _ = await _reimport(client, editor_headers, exam["id"], CORRECTED)

    [renamed] = body["diff"]["renamed"]
    assert renamed == {
        "id": before["LÍNGUA PORTUGUESA 1"]["id"],
        "subject": "LÍNGUA PORTUGUESA",
        "number": "1",
        "old_title": "Compreensão de textos",
        "new_title": "Compreensão e interpretação de textos",
    }


async def test_reimport_reports_the_added_and_removed_topics(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    _, body, _ = await _reimport(client, editor_headers, exam["id"], CORRECTED)

    added = [(t["subject"], t["number"], t["title"]) for t in body["diff"]["added"]]
    removed = [(t["subject"], t["number"], t["title"]) for t in body["diff"]["removed"]]
    assert added == [("LÍNGUA PORTUGUESA", "5", "Pontuação")]
    assert removed == [("RACIOCÍNIO LÓGICO", "2", "Porcentagem")]
    assert body["diff"]["unchanged"] == 8


async def test_reimport_keeps_the_ids_of_unchanged_and_renamed_topics(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    before, _, after = await _reimport(client, editor_headers, exam["id"], CORRECTED)

    kept = set(before) - {"RACIOCÍNIO LÓGICO 2"}
    assert {key: after[key]["id"] for key in kept} == {key: before[key]["id"] for key in kept}
    assert "RACIOCÍNIO LÓGICO 2" not in after
    assert after["LÍNGUA PORTUGUESA 5"]["id"] not in {t["id"] for t in before.values()}


async def test_reimport_follows_a_renumbered_topic_by_its_title(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    # Topic 2 is dropped, so 3 (with its children) and 4 move up by one.
    text = SMALL_SYLLABUS.replace("2 Ortografia oficial. 3 Coesão", "2 Coesão")
    text = text.replace("3.1 Emprego", "2.1 Emprego").replace("3.2 Emprego", "2.2 Emprego")
    text = text.replace("4 Crase", "3 Crase")

    before, body, after = await _reimport(client, editor_headers, exam["id"], text)

    moved = [(t["old_number"], t["new_number"]) for t in body["diff"]["moved"]]
    assert moved == [("3", "2"), ("3.1", "2.1"), ("3.2", "2.2"), ("4", "3")]
    assert after["LÍNGUA PORTUGUESA 2"]["id"] == before["LÍNGUA PORTUGUESA 3"]["id"]
    assert body["diff"]["renamed"] == []


async def test_reimport_keeps_edited_subject_weights(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    await _put_syllabus(client, editor_headers, exam["id"], SMALL_SYLLABUS)
    subjects = await client.get(f"/api/exams/{exam['id']}/subjects", headers=editor_headers)
    portuguese = subjects.json()["items"][0]
    await client.patch(
        f"/api/exams/{exam['id']}/subjects/{portuguese['id']}",
        json={"weight": 2.0, "question_count": 30},
        headers=editor_headers,
    )

    await _put_syllabus(client, editor_headers, exam["id"], CORRECTED)

    subject = await client.get(
        f"/api/exams/{exam['id']}/subjects/{portuguese['id']}", headers=editor_headers
    )
    assert (subject.json()["weight"], subject.json()["question_count"]) == (2.0, 30)


async def test_reimport_without_a_subject_removes_it_with_its_topics(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    text = SMALL_SYLLABUS.replace("RACIOCÍNIO LÓGICO: 1 Proposições. 2 Porcentagem.\n", "")

    _, body, after = await _reimport(client, editor_headers, exam["id"], text)

    assert body["diff"]["subjects_removed"] == ["RACIOCÍNIO LÓGICO"]
    assert len(body["diff"]["removed"]) == 2
    assert not any(key.startswith("RACIOCÍNIO") for key in after)


async def test_reimport_dry_run_previews_the_diff_without_storing_it(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    await _put_syllabus(client, editor_headers, exam["id"], SMALL_SYLLABUS)
    before = await _topics(client, editor_headers, exam["id"])

    response = await _put_syllabus(client, editor_headers, exam["id"], CORRECTED, dry_run=True)

    assert len(response.json()["diff"]["renamed"]) == 1
    assert await _topics(client, editor_headers, exam["id"]) == before


async def test_reimport_can_move_a_topic_under_a_new_parent(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    # "Crase" becomes 3.3 under the existing topic 3: same title, new number.
    text = SMALL_SYLLABUS.replace("4 Crase", "3.3 Crase")

    before, body, after = await _reimport(client, editor_headers, exam["id"], text)

    crase = after["LÍNGUA PORTUGUESA 3.3"]
    assert crase["id"] == before["LÍNGUA PORTUGUESA 4"]["id"]
    assert crase["parent_id"] == before["LÍNGUA PORTUGUESA 3"]["id"]
    assert body["diff"]["moved"][0]["new_number"] == "3.3"


# Text that is not a syllabus

NOT_SYLLABI = {
    "empty": "",
    "blank": "   \n\t\n",
    "prose": "Este edital rege o concurso público para o cargo de agente.",
    "control characters": "LÍNGUA PORTUGUESA: 1 Texto.\x00\x01\x02",
}


@pytest.mark.parametrize("text", list(NOT_SYLLABI.values()), ids=list(NOT_SYLLABI))
async def test_text_that_is_not_a_syllabus_is_unprocessable_with_a_reason(
    client: Client, editor_headers: Headers, exam: dict[str, Any], text: str
) -> None:
    response = await _put_syllabus(client, editor_headers, exam["id"], text)

    assert response.status_code == 422
    assert response.json()["detail"].startswith("Not an importable syllabus: ")


async def test_binary_body_is_unprocessable(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    response = await client.put(
        f"/api/exams/{exam['id']}/syllabus",
        content=b"%PDF-1.7\n\xff\xfe\x00\x81binary",
        headers={**editor_headers, "Content-Type": "text/plain"},
    )

    assert response.status_code == 422
    assert "binary" in response.json()["detail"]


async def test_a_pdf_upload_is_an_unsupported_media_type(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    response = await client.put(
        f"/api/exams/{exam['id']}/syllabus",
        content=b"%PDF-1.7\n",
        headers={**editor_headers, "Content-Type": "application/pdf"},
    )

    assert response.status_code == 415
    assert response.json()["type"].endswith("unsupported-media-type")


async def test_refused_text_leaves_the_previous_syllabus_intact(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    await _put_syllabus(client, editor_headers, exam["id"], SMALL_SYLLABUS)
    before = await _topics(client, editor_headers, exam["id"])

    refused = await _put_syllabus(client, editor_headers, exam["id"], "no syllabus here")

    assert refused.status_code == 422
    assert await _topics(client, editor_headers, exam["id"]) == before


async def test_syllabus_repeating_a_subject_is_unprocessable(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    text = "INFORMÁTICA: 1 Redes.\nBLOCO II\nINFORMÁTICA: 1 Segurança.\n"

    response = await _put_syllabus(client, editor_headers, exam["id"], text)

    assert response.status_code == 422
    assert "INFORMÁTICA" in response.json()["detail"]


async def test_json_body_without_text_is_a_400(
    client: Client, editor_headers: Headers, exam: dict[str, Any]
) -> None:
    response = await client.put(
        f"/api/exams/{exam['id']}/syllabus", json={"body": "x"}, headers=editor_headers
    )

    assert response.status_code == 400
