from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from openapi_spec_validator import validate


async def test_openapi_document_is_valid(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")

    assert response.status_code == 200
    validate(response.json())


async def test_openapi_documents_bearer_security(client: AsyncTestClient[Litestar]) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    scheme = document["components"]["securitySchemes"]["BearerToken"]
    assert scheme == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": scheme["description"],
    }


async def test_browsable_ui_is_served(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/swagger")

    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
