"""Helpers for the accounts tests."""

from __future__ import annotations

from typing import Any

from httpx import Request
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.testing.transport import TestClientTransport

from tests.conftest import TEST_PASSWORD

STRONG_PASSWORD = TEST_PASSWORD


class _PeerTransport(TestClientTransport[Litestar]):
    def __init__(self, client: PeerTestClient) -> None:
        super().__init__(client=client)  # type: ignore[arg-type]
        self.peer_client = client

    def parse_request(self, request: Request) -> dict[str, Any]:
        scope = super().parse_request(request)
        scope["client"] = (self.peer_client.peer, 50000)
        return scope


class PeerTestClient(AsyncTestClient[Litestar]):
    """A test client whose TCP peer address can be chosen (Litestar's is 'testclient')."""

    def __init__(self, app: Litestar, peer: str) -> None:
        super().__init__(app=app)
        self.peer = peer
        self._transport = _PeerTransport(self)


async def register(
    client: AsyncTestClient[Litestar],
    email: str,
    password: str = STRONG_PASSWORD,
    display_name: str = "Ana",
) -> Any:
    return await client.post(
        "/api/auth/register",
        json={"email": email, "password": password, "display_name": display_name},
    )


async def login(
    client: AsyncTestClient[Litestar], email: str, password: str = STRONG_PASSWORD, **kw: Any
) -> Any:
    return await client.post("/api/auth/login", json={"email": email, "password": password}, **kw)
