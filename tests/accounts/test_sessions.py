from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.accounts.helpers import login, register


async def test_login_returns_bearer_tokens(client: AsyncTestClient[Litestar]) -> None:
    await register(client, "ana@example.com")

    response = await login(client, "ANA@example.com")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900


async def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: AsyncTestClient[Litestar],
) -> None:
    await register(client, "ana@example.com")

    wrong_password = await login(client, "ana@example.com", "wrong-password-here")
    unknown_email = await login(client, "nobody@example.com", "wrong-password-here")

    assert wrong_password.status_code == unknown_email.status_code == 401
    strip = {"request_id", "instance"}
    assert {k: v for k, v in wrong_password.json().items() if k not in strip} == {
        k: v for k, v in unknown_email.json().items() if k not in strip
    }
    assert wrong_password.headers["www-authenticate"] == unknown_email.headers["www-authenticate"]


async def test_me_returns_the_current_account(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    response = await client.get("/api/me", headers=candidate_headers)

    assert response.status_code == 200
    assert response.json()["email"] == "ana@example.com"
    assert response.json()["role"] == "candidate"


async def test_me_without_a_token_is_401_problem(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/me")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_refresh_issues_a_new_pair(client: AsyncTestClient[Litestar]) -> None:
    await register(client, "ana@example.com")
    first = (await login(client, "ana@example.com")).json()

    response = await client.post(
        "/api/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )

    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 200


async def test_a_rotated_refresh_token_no_longer_works(
    client: AsyncTestClient[Litestar],
) -> None:
    await register(client, "ana@example.com")
    first = (await login(client, "ana@example.com")).json()
    await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})

    response = await client.post(
        "/api/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )

    assert response.status_code == 401


async def test_reusing_a_rotated_token_revokes_its_successor(
    client: AsyncTestClient[Litestar],
) -> None:
    await register(client, "ana@example.com")
    first = (await login(client, "ana@example.com")).json()
    second = (
        await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})

    response = await client.post(
        "/api/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )

    assert response.status_code == 401


async def test_logout_revokes_the_refresh_token(client: AsyncTestClient[Litestar]) -> None:
    await register(client, "ana@example.com")
    tokens = (await login(client, "ana@example.com")).json()

    logout = await client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    response = await client.post(
        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )

    assert logout.status_code == 204
    assert response.status_code == 401


async def test_unknown_refresh_token_is_401(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/api/auth/refresh", json={"refresh_token": "made-up"})

    assert response.status_code == 401
    assert response.json()["detail"] == "The refresh token is invalid or expired."
