from __future__ import annotations

from litestar.testing import AsyncTestClient

from concurso_coach.app import create_app
from concurso_coach.settings import Settings

ORIGIN = "https://app.example.com"


async def test_preflight_from_an_allowed_origin_needs_no_token(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"cors_allowed_origins": [ORIGIN]}))

    async with AsyncTestClient(app=app) as client:
        response = await client.options(
            "/api/me",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )

    assert 200 <= response.status_code < 300
    assert response.headers["access-control-allow-origin"] == ORIGIN


async def test_preflight_from_another_origin_is_not_allowed(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"cors_allowed_origins": [ORIGIN]}))

    async with AsyncTestClient(app=app) as client:
        response = await client.options(
            "/api/me",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )

    assert response.headers.get("access-control-allow-origin") != "https://evil.example"
