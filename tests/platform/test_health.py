from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from concurso_coach.app import create_app
from concurso_coach.settings import Settings
from tests.support import Backend, TcpProxy


async def test_live_answers_ok_without_io(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_health_is_an_alias_of_live(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health")

    assert response.json() == {"status": "ok"}


async def test_ready_reports_each_configured_dependency(
    client: AsyncTestClient[Litestar], backend: Backend
) -> None:
    response = await client.get("/health/ready")

    expected = {"database": "ok", "redis": "ok"} if backend.is_postgres else {"database": "ok"}
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": expected}


async def test_ready_turns_unavailable_while_draining(
    client: AsyncTestClient[Litestar], app: Litestar
) -> None:
    app.state.draining = True

    response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"]["shutdown"] == "draining"


async def test_responses_carry_a_request_id(client: AsyncTestClient[Litestar]) -> None:
    echoed = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    generated = await client.get("/health/live")

    assert echoed.headers["x-request-id"] == "abc-123"
    assert len(generated.headers["x-request-id"]) == 32


@pytest.fixture
async def proxied(
    settings: Settings,
) -> AsyncIterator[tuple[AsyncTestClient[Litestar], TcpProxy, TcpProxy]]:
    """An app whose PostgreSQL and Redis connections go through cuttable proxies."""
    assert settings.database_url is not None
    assert settings.redis_url is not None

    db = urlsplit(settings.database_url)
    cache = urlsplit(settings.redis_url)
    db_proxy = TcpProxy(db.hostname or "127.0.0.1", db.port or 5432)
    redis_proxy = TcpProxy(cache.hostname or "127.0.0.1", cache.port or 6379)
    await db_proxy.start()
    await redis_proxy.start()

    proxied_settings = settings.model_copy(
        update={
            "database_url": settings.database_url.replace(
                f"{db.hostname}:{db.port}", f"127.0.0.1:{db_proxy.port}"
            ),
            "redis_url": settings.redis_url.replace(
                f"{cache.hostname}:{cache.port}", f"127.0.0.1:{redis_proxy.port}"
            ),
            "health_check_timeout": 1.0,
        }
    )
    async with AsyncTestClient(app=create_app(proxied_settings)) as test_client:
        yield test_client, db_proxy, redis_proxy
    db_proxy.close()
    redis_proxy.close()


@pytest.mark.postgres_only
async def test_ready_follows_a_redis_outage_and_recovers_without_restart(
    proxied: tuple[AsyncTestClient[Litestar], TcpProxy, TcpProxy],
) -> None:
    client, _db_proxy, redis_proxy = proxied
    assert (await client.get("/health/ready")).status_code == 200

    await redis_proxy.stop()
    down = await client.get("/health/ready")
    live = await client.get("/health/live")
    await redis_proxy.start()
    recovered = await client.get("/health/ready")

    assert down.status_code == 503
    assert down.json() == {"status": "unavailable", "checks": {"database": "ok", "redis": "down"}}
    assert live.status_code == 200
    assert recovered.status_code == 200


@pytest.mark.postgres_only
async def test_ready_follows_a_database_outage_and_recovers_without_restart(
    proxied: tuple[AsyncTestClient[Litestar], TcpProxy, TcpProxy],
) -> None:
    client, db_proxy, _redis_proxy = proxied
    assert (await client.get("/health/ready")).status_code == 200

    await db_proxy.stop()
    down = await client.get("/health/ready")
    live = await client.get("/health/live")
    await db_proxy.start()
    recovered = await client.get("/health/ready")

    assert down.status_code == 503
    assert down.json()["checks"] == {"database": "down", "redis": "ok"}
    assert live.status_code == 200
    assert recovered.status_code == 200


@pytest.mark.postgres_only
async def test_sign_in_while_the_database_is_down_is_503_with_retry_after(
    proxied: tuple[AsyncTestClient[Litestar], TcpProxy, TcpProxy],
) -> None:
    client, db_proxy, _redis_proxy = proxied
    await db_proxy.stop()

    credentials = {"email": "ana@example.com", "password": "correct horse battery"}
    login = await client.post("/api/auth/login", json=credentials)
    register = await client.post("/api/auth/register", json={**credentials, "display_name": "Ana"})
    await db_proxy.start()

    assert [login.status_code, register.status_code] == [503, 503]
    assert login.json()["type"].endswith("service-unavailable")
    assert "retry-after" in register.headers
