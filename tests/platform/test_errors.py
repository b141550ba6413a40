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
