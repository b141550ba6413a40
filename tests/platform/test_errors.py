from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from concurso_coach.platform.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_PREFIX


async def test_unknown_route_is_a_problem_document(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/no/such/route")

    body = response.json()
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert body["type"] == PROBLEM_TYPE_PREFIX + "not-found"
    assert body["status"] == 404
    assert {"title", "detail", "instance"} <= body.keys()


async def test_nul_byte_in_a_query_parameter_is_rejected_naming_it(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get("/health/live", params={"filter": "a\x00b"})

    body = response.json()
    assert response.status_code == 400
    assert body["errors"] == [
        {"field": "filter", "message": "invalid character", "source": "query"}
    ]


async def test_wrong_method_is_a_405_problem(client: AsyncTestClient[Litestar]) -> None:
    response = await client.delete("/health/live")

    assert response.status_code == 405
    assert response.json()["type"] == PROBLEM_TYPE_PREFIX + "method-not-allowed"


async def test_a_missing_body_field_is_named_in_the_problem(
    client: AsyncTestClient[Litestar], editor_headers: dict[str, str]
) -> None:
    response = await client.post(
        "/api/boards", json={"name": "Vunesp", "acronym": "VUNESP"}, headers=editor_headers
    )

    body = response.json()
    assert response.status_code == 400
    assert body["errors"][0]["field"] == "default_scoring_rule"
    assert body["detail"].startswith("Invalid value for 'default_scoring_rule'")


async def test_a_nested_body_field_of_the_wrong_type_is_named_by_its_path(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    goal = {"exam_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "weekly_minutes": ["x"] * 7}

    response = await client.put("/api/me/goal", json=goal, headers=candidate_headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "weekly_minutes[0]"


async def test_a_body_nested_too_deeply_is_400_not_500(client: AsyncTestClient[Litestar]) -> None:
    deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000

    response = await client.post(
        "/api/auth/login", content=deep, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "The JSON body is nested too deeply."


async def test_an_exam_starting_in_year_one_is_400_naming_the_field(
    client: AsyncTestClient[Litestar], editor_headers: dict[str, str]
) -> None:
    board = await client.post(
        "/api/boards",
        json={"name": "FCC", "acronym": "FCC", "default_scoring_rule": "multiple_choice"},
        headers=editor_headers,
    )
    exam = {
        "organisation": "TRT",
        "post": "Analista",
        "board_id": board.json()["id"],
        "exam_starts_at": "0001-01-01T00:00:00Z",
    }

    response = await client.post("/api/exams", json=exam, headers=editor_headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "exam_starts_at"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/api/no-such-route", 404), ("DELETE", "/api/me", 405), ("GET", "/api/me", 401)],
)
async def test_every_error_carries_the_request_id_in_header_and_body(
    client: AsyncTestClient[Litestar], method: str, path: str, status: int
) -> None:
    response = await client.request(method, path, headers={"X-Request-ID": "trace-42"})

    assert response.status_code == status
    assert response.headers["x-request-id"] == "trace-42"
    assert response.json()["request_id"] == "trace-42"


async def test_the_access_log_records_a_401_as_401(
    client: AsyncTestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="concurso_coach.access"):
        await client.get("/api/me")

    lines = [r.msg for r in caplog.records if r.name == "concurso_coach.access"]
    assert [line["status"] for line in lines if isinstance(line, dict)] == [401]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
async def test_a_json_route_refuses_a_body_of_another_type_with_415(
    client: AsyncTestClient[Litestar], content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    body = b'{"email": "ana@example.com", "password": "correct horse battery"}'

    response = await client.post("/api/auth/login", content=body, headers=headers)

    assert response.status_code == 415
    assert response.json()["type"].endswith("unsupported-media-type")


async def test_a_json_body_with_a_charset_is_accepted(client: AsyncTestClient[Litestar]) -> None:
    body = b'{"email": "ana@example.com", "password": "correct horse battery"}'

    response = await client.post(
        "/api/auth/login",
        content=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 401


async def test_a_bad_query_parameter_is_named_as_the_client_sent_it(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    response = await client.get(
        "/api/me/agenda", params={"date": "not-a-date"}, headers=candidate_headers
    )

    error = response.json()["errors"][0]
    assert response.status_code == 400
    assert (error["field"], error["source"]) == ("date", "query")


async def test_a_missing_query_parameter_is_said_in_the_detail(
    client: AsyncTestClient[Litestar], editor_headers: dict[str, str]
) -> None:
    response = await client.post("/api/questions/import", content=b"[]", headers={**editor_headers})

    assert response.status_code == 400
    assert "format" in response.json()["detail"]
