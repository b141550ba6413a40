from __future__ import annotations

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
