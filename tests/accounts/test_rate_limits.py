from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar import Litestar

from concurso_coach.app import create_app
from concurso_coach.settings import Settings
from tests.accounts.helpers import PeerTestClient, login, register
from tests.support import Backend, TcpProxy

PeerClientFactory = Callable[..., AbstractAsyncContextManager[PeerTestClient]]


@pytest.fixture
def peer_client(settings: Settings) -> PeerClientFactory:
    """Start an app with setting overrides, served to a chosen TCP peer address."""

    @asynccontextmanager
    async def start(peer: str = "198.51.100.1", **overrides: Any) -> AsyncIterator[PeerTestClient]:
        app: Litestar = create_app(settings.model_copy(update=overrides))
        async with PeerTestClient(app, peer) as test_client:
            yield test_client

    return start


async def _fail_logins(client: PeerTestClient, times: int, email: str = "ana@example.com") -> None:
    for _ in range(times):
        response = await login(client, email, "wrong-password-here")
        assert response.status_code == 401


async def test_sixth_wrong_login_from_one_address_is_429_with_retry_after(
    peer_client: PeerClientFactory,
) -> None:
    async with peer_client() as client:
        for number in range(5):
            await _fail_logins(client, 1, email=f"user{number}@example.com")

        response = await login(client, "user9@example.com", "wrong-password-here")

    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_limited_address_cannot_log_in_even_with_the_right_password(
    peer_client: PeerClientFactory,
) -> None:
    async with peer_client() as client:
        await register(client, "ana@example.com")
        await _fail_logins(client, 5)

        response = await login(client, "ana@example.com")

    assert response.status_code == 429


async def test_successful_logins_do_not_spend_the_budget(
    peer_client: PeerClientFactory,
) -> None:
    async with peer_client() as client:
        await register(client, "ana@example.com")
        for _ in range(6):
            assert (await login(client, "ana@example.com")).status_code == 200

        response = await login(client, "ana@example.com")

    assert response.status_code == 200


async def test_one_account_is_limited_across_addresses(
    peer_client: PeerClientFactory,
) -> None:
    async with peer_client() as client:
        for number in range(5):
            client.peer = f"198.51.100.{10 + number}"
            await _fail_logins(client, 1)
        client.peer = "198.51.100.99"

        response = await login(client, "ana@example.com", "wrong-password-here")

    assert response.status_code == 429


async def test_forged_forwarded_for_from_an_untrusted_peer_does_not_reset_the_budget(
    peer_client: PeerClientFactory,
) -> None:
    async with peer_client(trusted_proxies=["10.0.0.0/8"]) as client:
        for number in range(5):
            forged = {"X-Forwarded-For": f"203.0.113.{number}"}
            await login(client, f"user{number}@example.com", "wrong-password-1", headers=forged)

        response = await login(
            client,
            "fresh@example.com",
            "wrong-password-1",
            headers={"X-Forwarded-For": "203.0.113.200"},
        )

    assert response.status_code == 429


async def test_forwarded_for_from_a_trusted_proxy_is_honoured(
    peer_client: PeerClientFactory,
) -> None:
    async with peer_client(peer="10.0.0.2", trusted_proxies=["10.0.0.0/8"]) as client:
        for number in range(5):
            behind = {"X-Forwarded-For": "203.0.113.1"}
            await login(client, f"user{number}@example.com", "wrong-password-1", headers=behind)

        other_client = await login(
            client,
            "fresh@example.com",
            "wrong-password-1",
            headers={"X-Forwarded-For": "203.0.113.2"},
        )
        same_client = await login(
            client,
            "fresh2@example.com",
            "wrong-password-1",
            headers={"X-Forwarded-For": "forged, 203.0.113.1"},
        )

    assert other_client.status_code == 401
    assert same_client.status_code == 429


async def test_registration_is_limited_per_address(peer_client: PeerClientFactory) -> None:
    async with peer_client(register_rate_limit="2/minute") as client:
        await register(client, "a1@example.com")
        await register(client, "a2@example.com")

        response = await register(client, "a3@example.com")

    assert response.status_code == 429
    assert "retry-after" in response.headers


@pytest.mark.postgres_only
async def test_login_works_while_redis_is_down(
    peer_client: PeerClientFactory, backend: Backend
) -> None:
    assert backend.redis_url is not None
    target = urlsplit(backend.redis_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 6379)
    await proxy.start()
    proxied = f"redis://127.0.0.1:{proxy.port}{target.path}"
    try:
        async with peer_client(redis_url=proxied) as client:
            await register(client, "ana@example.com")
            await proxy.stop()

            response = await login(client, "ana@example.com")
    finally:
        proxy.close()

    assert response.status_code == 200


@pytest.mark.postgres_only
async def test_limits_still_hold_in_process_while_redis_is_down(
    peer_client: PeerClientFactory, backend: Backend
) -> None:
    assert backend.redis_url is not None
    target = urlsplit(backend.redis_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 6379)
    await proxy.start()
    proxied = f"redis://127.0.0.1:{proxy.port}{target.path}"
    try:
        async with peer_client(redis_url=proxied) as client:
            await proxy.stop()
            await _fail_logins(client, 5)

            response = await login(client, "ana@example.com", "wrong-password-here")
    finally:
        proxy.close()

    assert response.status_code == 429
