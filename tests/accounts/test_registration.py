from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.accounts.helpers import register


async def test_register_creates_a_candidate(client: AsyncTestClient[Litestar]) -> None:
    response = await register(client, "Ana@Example.com", display_name="Ana Souza")

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ana@example.com"
    assert body["display_name"] == "Ana Souza"
    assert body["role"] == "candidate"
    assert "password" not in str(body)


async def test_register_twice_with_the_same_email_conflicts(
    client: AsyncTestClient[Litestar],
) -> None:
    await register(client, "ana@example.com")

    response = await register(client, "ana@example.com")

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_email_uniqueness_ignores_case(client: AsyncTestClient[Litestar]) -> None:
    await register(client, "ana@example.com")

    response = await register(client, "ANA@EXAMPLE.COM")

    assert response.status_code == 409


async def test_short_password_is_rejected_naming_the_field(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await register(client, "ana@example.com", password="short")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["password"]


async def test_repetitive_password_is_rejected_naming_the_field(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await register(client, "ana@example.com", password="aaaaaaaaaaaaaa")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "password"


async def test_invalid_email_is_rejected_naming_the_field(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await register(client, "not-an-email")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "email"


async def test_role_cannot_be_chosen_at_registration(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post(
        "/api/auth/register",
        json={
            "email": "ana@example.com",
            "password": "correct-horse-battery-staple",
            "display_name": "Ana",
            "role": "admin",
        },
    )

    assert response.status_code == 400


async def test_a_blank_display_name_is_rejected_naming_the_field(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.post(
        "/api/auth/register",
        json={
            "email": "ana@example.com",
            "password": "correct horse battery",
            "display_name": "  ",
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "display_name"
